"""DocBins of the hand-annotated real pages and Bundestag excerpts for the fast pipeline.

Writes ``<out>/ge_pages/``: GermEval train (linked from ``prepare.py``'s output) plus
the sentences of ``training/real_pages.py`` and ``training/bundestag.py``, each
repeated ``--repeat`` times, the same training data as the accurate head's
``germeval_train,realpages_train*2,bundestag_train*2``. Run ``prepare.py`` first.

    python training/prepare_pages.py --shared ../shared --out training/corpus
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training"))

from bundestag import read_bundestag  # noqa: E402
from prepare import to_doc, write  # noqa: E402
from real_pages import read_real_pages  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "training" / "corpus")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    import spacy

    ge = args.out / "ge" / "germeval_train.spacy"
    if not ge.exists():
        ap.error(f"{ge} is missing: run training/prepare.py first")
    vocab = spacy.blank("de").vocab
    target = args.out / "ge_pages"
    target.mkdir(parents=True, exist_ok=True)
    link = target / "germeval_train.spacy"
    if not link.exists():
        os.symlink(ge.resolve(), link)
    stats: dict = {}
    for name, sents in (("realpages_train", read_real_pages(args.shared)),
                        ("bundestag_train", read_bundestag(args.shared))):
        docs = [to_doc(vocab, toks, tags) for toks, tags in sents]
        write(docs * args.repeat, target / f"{name}.spacy", stats)
    (target / "stats.json").write_text(json.dumps(stats, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
