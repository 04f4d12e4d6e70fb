"""One command that rebuilds the accurate pipeline ``de_ngo_e5`` from the shared corpora.

Runs the three resumable steps in order (each skips or resumes what is done):

1. ``features.py``   e5 word features of GermEval 2014 train/dev/test (+ MobIE, LER with ``--extra``)
2. ``train_head.py`` BiLSTM-CRF head, best GermEval dev epoch (checkpoint per epoch, ``--resume``)
3. ``build.py``      the spaCy pipeline with the head, saved to ``--out``
then prints the GermEval dev/test figures (``bench/ner_eval.py``).

    python training/e5/recipe.py --shared ../shared --out ngo_text/models/de_ngo_e5
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def run(*args: str) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run([sys.executable, *args], check=True, cwd=ROOT)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "ngo_text" / "models" / "de_ngo_e5")
    ap.add_argument("--run", type=Path, default=HERE / "runs" / "base")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--extra", action="store_true", help="also train on mapped MobIE + LER (not shipped: see card)")
    args = ap.parse_args(argv)
    feats = HERE / "features"
    splits = "germeval_dev,germeval_test,germeval_train" + (",mobie_train,ler_train" if args.extra else "")
    run(str(HERE / "features.py"), "--shared", str(args.shared), "--out", str(feats), "--splits", splits)
    train = "germeval_train" + (",mobie_train,ler_train" if args.extra else "")
    run(str(HERE / "train_head.py"), "--features", str(feats), "--run", str(args.run), "--train", train,
        "--epochs", str(args.epochs), "--seed", str(args.seed), "--resume")
    run(str(HERE / "build.py"), "--head", str(args.run / "best"), "--out", str(args.out))
    run(str(ROOT / "bench" / "ner_eval.py"), "--model", str(args.out), "--shared", str(args.shared))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
