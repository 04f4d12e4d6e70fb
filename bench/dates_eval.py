"""Date span P/R/F1 of the ``ngo_dates`` component on the MobIE test set.

Runs the component alone on the gold tokens (one Doc per ``-DOCSTART-``
document; MobIE's sentence splits cut dates like "Freitag , 17 . | Juni", so a
gold ``I-date`` continues a span across them) and compares exact token spans
with the gold ``B-date``/``I-date`` spans (last column).

Usage: python bench/dates_eval.py [path/to/test.conll2003] [--errors N]
Path defaults to $NGO_TEXT_SHARED/data/ner/mobie/test.conll2003.

Deliberate differences from the MobIE guidelines (see ngo_text/nlp/dates.py):
clock times ("5.58 Uhr") are not dates for ngo_text (MobIE labels them ``time``
~250 times, ``date`` ~15 times); the ordinal dot of "27.04." stays in the span.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import spacy
from spacy.tokens import Doc

from ngo_text.nlp.dates import DateRecognizer

NO_SPACE_BEFORE = {",", ".", ")", ":", ";", "!", "?"}


def default_path() -> Path:
    root = Path(__file__).resolve().parents[1]
    shared = Path(os.environ.get("NGO_TEXT_SHARED", root.parent / "shared"))
    return shared / "data" / "ner" / "mobie" / "test.conll2003"


def read_docs(path: Path) -> list[tuple[list[str], set[tuple[int, int]]]]:
    """(tokens, gold date spans as (start, end) token offsets) per document."""
    docs: list[tuple[list[str], list[str]]] = []
    words: list[str] = []
    labels: list[str] = []
    for line in path.read_text(encoding="utf8").splitlines():
        parts = line.split()
        if parts and parts[0] == "-DOCSTART-":
            if words:
                docs.append((words, labels))
            words, labels = [], []
            continue
        if not parts:
            continue
        words.append(parts[0])
        labels.append(parts[-1])
    if words:
        docs.append((words, labels))
    out = []
    for words, labels in docs:
        spans, start = set(), None
        for i, lab in enumerate(labels + ["O"]):
            if lab == "B-date" or (lab == "I-date" and start is None):
                if start is not None:
                    spans.add((start, i))
                start = i
            elif lab != "I-date":
                if start is not None:
                    spans.add((start, i))
                start = None
        out.append((words, spans))
    return out


def _trim(words: list[str], start: int, end: int) -> int:
    """End of a gold span without trailing ',' or a trailing 'jeweils' (annotation noise)."""
    while end - start > 1 and words[end - 1] in {",", "jeweils"}:
        end -= 1
    return end


def make_doc(vocab, words: list[str]) -> Doc:
    spaces = []
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        spaces.append(bool(nxt) and nxt not in NO_SPACE_BEFORE and w != "(")
    return Doc(vocab, words=words, spaces=spaces)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", type=Path, default=None)
    ap.add_argument("--errors", type=int, default=0, help="print up to N FP and FN spans")
    args = ap.parse_args(argv)
    path = args.path or default_path()
    if not path.exists():
        print(f"MobIE test file not found: {path} (set NGO_TEXT_SHARED)", file=sys.stderr)
        return 2
    nlp = spacy.blank("de")
    comp = DateRecognizer(nlp, ranges=False, weekdays=True, deictic=True)  # MobIE annotates range end points separately
    tp = fp = fn = 0
    ntp = nfp = nfn = 0
    otp = n_pred = n_gold = 0
    fps: list[str] = []
    fns: list[str] = []
    t0 = time.perf_counter()
    for words, gold in read_docs(path):
        doc = comp(make_doc(nlp.vocab, words))
        pred = {(e.start, e.end) for e in doc.ents if e.label_ == "DATE"}
        n_pred += len(pred)
        n_gold += len(gold)
        free = set(gold)
        for ps, pe in sorted(pred):
            hit = next((g for g in sorted(free) if g[0] < pe and ps < g[1]), None)
            if hit is not None:
                free.discard(hit)
                otp += 1
        trim = {(s, _trim(words, s, e)) for s, e in gold}
        ntp += len(pred & trim)
        nfp += len(pred - trim)
        nfn += len(trim - pred)
        tp += len(pred & gold)
        fp += len(pred - gold)
        fn += len(gold - pred)
        fps += [doc[s:e].text + "  <<" + doc[max(0, s - 3):e + 3].text for s, e in pred - gold]
        fns += [doc[s:e].text + "  <<" + doc[max(0, s - 3):e + 3].text for s, e in gold - pred]
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"MobIE test dates ({path.name}): gold={tp + fn} pred={tp + fp} tp={tp}")
    print(f"precision={p:.3f} recall={r:.3f} f1={f:.3f}  ({time.perf_counter() - t0:.1f}s)")
    np_ = ntp / (ntp + nfp) if ntp + nfp else 0.0
    nr = ntp / (ntp + nfn) if ntp + nfn else 0.0
    nf = 2 * np_ * nr / (np_ + nr) if np_ + nr else 0.0
    print(f"gold spans with a trailing ',' or 'jeweils' trimmed: "
          f"precision={np_:.3f} recall={nr:.3f} f1={nf:.3f}")
    op, orr = otp / max(n_pred, 1), otp / max(n_gold, 1)
    print(f"overlap match (one-to-one, any token overlap): precision={op:.3f} recall={orr:.3f} "
          f"f1={2 * op * orr / (op + orr) if op + orr else 0.0:.3f}")
    if args.errors:
        print("-- false positives"); print("\n".join(fps[: args.errors]))
        print("-- false negatives"); print("\n".join(fns[: args.errors]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
