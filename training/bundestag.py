"""Excerpts of Bundestag speeches for hand annotation, and their NER training sentences.

``../shared/data/unlabelled/bundestag_wp{19,20}_speeches.txt.gz`` (official records,
never shipped) are political German close to NGO and government press releases.
:func:`excerpts` picks speeches reproducibly (seed 0, only speeches that name at
least three capitalised multi-word terms, so that annotation time goes to text
with names) and cuts each to its first paragraphs up to ``max_chars``. The
annotations in ``training/data/bundestag_train/*.jsonl`` store only the speech key
(``wp20 data/…txt``), never the text; :func:`read_bundestag` rebuilds the same
excerpts from ``--shared`` and marks the surfaces as ``training/real_pages.py``
does for web pages.
"""
from __future__ import annotations

import gzip
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TRAIN_DIR = ROOT / "training" / "data" / "bundestag_train"
#: 300 more excerpts (the next ones of ``excerpts(shared, 440)``), annotated the same way
MORE_DIR = ROOT / "training" / "data" / "bundestag_more"
#: 600 more (the next ones of ``excerpts(shared, 1040)``)
MORE2_DIR = ROOT / "training" / "data" / "bundestag_more2"
FOLDERS = {"bundestag": TRAIN_DIR, "bundestag_more": MORE_DIR, "bundestag_more2": MORE2_DIR}
_NAMEISH = re.compile(r"\b[A-ZÄÖÜ][a-zäöüß]+ [A-ZÄÖÜ][a-zäöüß]+\b|\b[A-Z]{2,}\b")


def read_speeches(shared: Path, period: str) -> dict[str, list[str]]:
    """Speech key -> paragraphs, for one legislative period (``wp19`` or ``wp20``)."""
    path = shared / "data" / "unlabelled" / f"bundestag_{period}_speeches.txt.gz"
    speeches: dict[str, list[str]] = {}
    key = None
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("### "):
                key = line[4:].strip()
                speeches[key] = []
            elif key is not None and line.strip():
                speeches[key].append(line.strip())
    return speeches


def cut(paragraphs: list[str], max_chars: int = 2200) -> str:
    """The first paragraphs of a speech, at least one, up to ``max_chars`` characters."""
    out: list[str] = []
    total = 0
    for p in paragraphs:
        if out and total + len(p) > max_chars:
            break
        out.append(p)
        total += len(p) + 2
    return "\n\n".join(out)


def excerpts(shared: Path, n: int, *, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` (key, excerpt) pairs, half from each legislative period, reproducible."""
    rng = random.Random(seed)
    out = []
    for period in ("wp19", "wp20"):
        speeches = read_speeches(shared, period)
        keys = sorted(speeches)
        rng.shuffle(keys)
        taken = 0
        for k in keys:
            text = cut(speeches[k])
            if len(text) >= 800 and len(_NAMEISH.findall(text)) >= 3:
                out.append((k, text))
                taken += 1
                if taken == n // 2:
                    break
    return out


def read_bundestag(shared: Path, *, nlp=None, folder: Path = TRAIN_DIR) -> list[tuple[list[str], list[str]]]:
    """BIO-tagged sentences of the annotated excerpts."""
    import ngo_text
    from real_pages import mark_texts

    if nlp is None:
        nlp = ngo_text.load("fast")  # tokenizer and sentencizer only
    recs = [json.loads(line) for path in sorted(folder.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_period: dict[str, dict[str, list[str]]] = {}

    def texts():
        for rec in sorted(recs, key=lambda r: r["speech"]):
            period = rec["speech"].split(" ", 1)[0]
            if period not in by_period:
                by_period[period] = read_speeches(shared, period)
            yield cut(by_period[period][rec["speech"]]), rec["entities"]

    return mark_texts(nlp, texts(), "excerpts")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="write excerpts to annotate (outside the repository)")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--n", type=int, default=140)
    ap.add_argument("--batches", type=int, default=7)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    for i, (key, text) in enumerate(excerpts(args.shared, args.n)):
        d = args.out / f"batch{i % args.batches}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{i:03d}.txt").write_text(f"SPEECH: {key}\n=====\n{text}\n", encoding="utf-8")
