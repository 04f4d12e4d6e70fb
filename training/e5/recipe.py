"""One command that rebuilds the accurate pipeline ``de_ngo_e5`` from the shared corpora.

Runs the three resumable steps in order (each skips or resumes what is done):

1. ``features.py``   e5 word features of GermEval 2014 train/dev/test, of the hand-annotated
   real pages and Bundestag excerpts (``training/real_pages.py``, ``training/bundestag.py``;
   + MobIE, LER with ``--extra``)
2. ``train_head.py`` BiLSTM-CRF head on GermEval train + the real pages and Bundestag excerpts
   (each twice per epoch), 6 epochs, the last one exported (checkpoint per epoch, ``--resume``;
   ``--germeval-only``: GermEval train alone, best GermEval dev epoch of 10, the head before 2026-12-01)
3. ``build.py``      the spaCy pipeline with the head, saved to ``--out``
then prints the GermEval dev/test figures (``bench/ner_eval.py``).

``--finetune`` replaces steps 1-2 by ``finetune.py``: the first 8 encoder layers are trained
together with the head on the same data (3 epochs, encoder lr 5e-5, head lr 1e-3, the last
epoch exported with its layers; ~21 minutes per epoch on 2 cores, checkpoint per epoch).

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
    ap.add_argument("--run", type=Path, default=HERE / "runs" / "pages")
    ap.add_argument("--epochs", type=int, default=None, help="default 6 (10 with --germeval-only)")
    ap.add_argument("--germeval-only", action="store_true",
                    help="train on GermEval alone and select the best GermEval dev epoch (the earlier head)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--extra", action="store_true", help="also train on mapped MobIE + LER (not shipped: see card)")
    ap.add_argument("--finetune", action="store_true",
                    help="train the first 8 encoder layers with the head (finetune.py) instead of frozen features")
    args = ap.parse_args(argv)
    if args.finetune:
        if args.germeval_only or args.extra:
            ap.error("--finetune trains on GermEval + real pages + Bundestag excerpts only")
        epochs = args.epochs or 3
        run(str(HERE / "finetune.py"), "--shared", str(args.shared), "--run", str(args.run),
            "--train", "germeval_train,realpages_train*2,bundestag_train*2", "--epochs", str(epochs),
            "--lr-encoder", "5e-5", "--seed", str(args.seed), "--resume")
        run(str(HERE / "build.py"), "--head", str(args.run / f"epoch{epochs}"), "--out", str(args.out))
        run(str(ROOT / "bench" / "ner_eval.py"), "--model", str(args.out), "--shared", str(args.shared))
        return 0
    feats = HERE / "features"
    pages = "" if args.germeval_only else ",realpages_train,bundestag_train"
    splits = "germeval_dev,germeval_test,germeval_train" + pages + (",mobie_train,ler_train" if args.extra else "")
    run(str(HERE / "features.py"), "--shared", str(args.shared), "--out", str(feats), "--splits", splits)
    train = "germeval_train" + ("" if args.germeval_only else ",realpages_train*2,bundestag_train*2") \
        + (",mobie_train,ler_train" if args.extra else "")
    epochs = args.epochs or (10 if args.germeval_only else 6)
    select = "dev" if args.germeval_only else "last"  # GermEval dev does not share the pages' conventions
    run(str(HERE / "train_head.py"), "--features", str(feats), "--run", str(args.run), "--train", train,
        "--epochs", str(epochs), "--select", select, "--seed", str(args.seed), "--resume")
    run(str(HERE / "build.py"), "--head", str(args.run / "best"), "--out", str(args.out))
    run(str(ROOT / "bench" / "ner_eval.py"), "--model", str(args.out), "--shared", str(args.shared))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
