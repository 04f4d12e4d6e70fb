"""Pretrain the ``ner_wide`` tok2vec on raw German text with ``spacy pretrain`` (never in CI).

Steps:

1. Write the raw text as JSONL (``{"text": ...}``, one sentence per line, tokens joined
   by spaces, shuffled with the seed) to ``training/corpus/pretrain/raw_text.jsonl``
   (gitignored). Sources, all CC BY 4.0 *training* splits only:

   * GermEval 2014 ``train.bio`` (23,999 sentences),
   * German LER ``train_reconstructed.conll.gz`` (all 51,029 sentences, not only the
     subsample that ``prepare.py`` uses for NER training),
   * MobIE ``train.conll2003`` (4,785 sentences).

   Never GermEval dev/test, LER/MobIE dev/test, 10kGNAD or the web pages.
2. ``python -m spacy pretrain training/configs/pretrain.cfg OUT`` (characters objective,
   ``PretrainCharacters`` with ``n_characters = 4``; tok2vec identical to
   ``configs/ner_wide.cfg``), ``--epochs`` epochs. The weights of each epoch are saved
   as ``OUT/model<N>.bin`` (``model-last.bin`` = last epoch), the loss per epoch in
   ``OUT/log.jsonl``; the console log goes to ``training/logs/pretrain.log``.

Then train with the weights (``[initialize] init_tok2vec``)::

    python training/train.py --shared ../shared --init-tok2vec training/output/pretrain/model-last.bin

Usage::

    python training/pretrain.py --shared ../shared [--epochs 2] [--out training/output/pretrain]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ngo_text.nlp.evaluate import read_conll, read_germeval  # noqa: E402

DEFAULT_EPOCHS = 2


def raw_sentences(shared: Path) -> dict[str, list[str]]:
    """Training-split sentences (tokens joined by spaces) per source corpus."""
    ner = shared / "data" / "ner"
    sources = {
        "germeval_train": read_germeval(ner / "germeval2014" / "train.bio"),
        "ler_train_reconstructed": read_conll(ner / "ler" / "train_reconstructed.conll.gz"),
        "mobie_train": read_conll(ner / "mobie" / "train.conll2003"),
    }
    return {name: [" ".join(toks) for toks, _ in src if toks] for name, src in sources.items()}


def write_jsonl(shared: Path, path: Path, seed: int) -> dict:
    per_source = raw_sentences(shared)
    lines = [s for sents in per_source.values() for s in sents]
    random.Random(seed).shuffle(lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for text in lines:
            fh.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    stats = {name: {"sentences": len(s), "tokens": sum(t.count(" ") + 1 for t in s)}
             for name, s in per_source.items()}
    stats["total"] = {"sentences": len(lines),
                      "tokens": sum(v["tokens"] for v in stats.values())}
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--config", type=Path,
                    default=ROOT / "training" / "configs" / "pretrain.cfg")
    ap.add_argument("--out", type=Path, default=ROOT / "training" / "output" / "pretrain")
    ap.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--raw-text", type=Path,
                    default=ROOT / "training" / "corpus" / "pretrain" / "raw_text.jsonl")
    ap.add_argument("--force-prepare", action="store_true", help="rewrite the JSONL")
    args = ap.parse_args(argv)

    t0 = time.time()
    if args.force_prepare or not args.raw_text.is_file():
        stats = write_jsonl(args.shared, args.raw_text, args.seed)
        (args.raw_text.parent / "stats.json").write_text(json.dumps(stats, indent=1),
                                                         encoding="utf-8")
        print(f"raw text: {json.dumps(stats)}", flush=True)

    logs = ROOT / "training" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    if (args.out / "log.jsonl").is_file():  # spacy pretrain appends; start a fresh log
        (args.out / "log.jsonl").unlink()
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": str(args.seed)}
    cmd = [sys.executable, "-m", "spacy", "pretrain", str(args.config), str(args.out),
           "--paths.raw_text", str(args.raw_text), "--system.seed", str(args.seed),
           "--pretraining.max_epochs", str(args.epochs)]
    print("+", " ".join(cmd), flush=True)
    with open(logs / "pretrain.log", "w", encoding="utf-8") as log:
        subprocess.run(cmd, check=True, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    print(f"pretraining done in {(time.time() - t0) / 60:.1f} min; "
          f"weights: {args.out / 'model-last.bin'}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
