"""Benchmark: how well two annotators agree on the real-page entity set, and where the pipeline stands.

``bench/data/real_pages.jsonl`` (annotator A, the bench's gold) and
``bench/data/real_pages_second_annotator.jsonl`` (annotator B: 24 of its pages -- the 16 of
the test part and 8 dev pages -- annotated again, blind: B saw neither A's annotations nor
the pipeline's output) both follow ``../shared/ANNOTATION.md``. Scored like
``bench/real_pages.py``: sets of distinct (label, surface) pairs per page, strict and with
ORG and AGENCY merged; F1 is symmetric, so "B against A" is the agreement. DATE pairs are
compared by surface and label (their ISO values are reported separately).

With ``--model`` the script also runs ``ngo_text.analyze`` on the same pages and scores the
pipeline against each annotator: the distance between the two annotators is the ceiling a
system can be expected to reach against either of them.

    python bench/annotator_agreement.py [--model accurate|fast] [--shared ../shared]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

A_FILE = ROOT / "bench" / "data" / "real_pages.jsonl"
B_FILE = ROOT / "bench" / "data" / "real_pages_second_annotator.jsonl"
LABELS = ("PER", "ORG", "AGENCY", "LOC", "DATE", "MISC")


def _read(path: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {row["file"]: row for row in rows}


def _pairs(row: dict) -> list[tuple[str, str]]:
    return [(e["label"], e["text"]) for e in row["entities"]]


def _scores(gold: list, pred: list) -> tuple[dict, dict]:
    from ngo_text.nlp.evaluate import evaluate_entity_sets

    return (evaluate_entity_sets(gold, pred, labels=LABELS),
            evaluate_entity_sets(gold, pred, labels=LABELS, merge={"AGENCY": "ORG"}))


def _line(name: str, strict: dict, merged: dict) -> str:
    per = "  ".join(f"{lab} {strict['per_label'][lab]['f']:.2f}" for lab in LABELS
                    if lab in strict["per_label"])
    return (f"{name:<28} strict {strict['micro']['f']:.3f}  merged {merged['micro']['f']:.3f}   {per}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="also score this pipeline (accurate, fast, ...) against both annotators")
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("NGO_TEXT_SHARED", ROOT.parent / "shared")))
    args = ap.parse_args(argv)
    from ngo_text.nlp.evaluate import format_report
    from ngo_text.nlp.normalize import surface_key

    a_rows, b_rows = _read(A_FILE), _read(B_FILE)
    files = [f for f in b_rows if f in a_rows]
    missing = [f for f in b_rows if f not in a_rows]
    if missing:
        raise SystemExit(f"{B_FILE.name}: pages not in {A_FILE.name}: {', '.join(missing)}")
    pred: dict[str, list[tuple[str, str]]] = {}
    if args.model:
        import ngo_text

        pages = args.shared / "data" / "web" / "trafilatura_de" / "html"
        if not pages.is_dir():
            raise SystemExit(f"pages not found under {pages} (pass --shared or set NGO_TEXT_SHARED)")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nlp = ngo_text.load(args.model)
        for f in files:
            art = ngo_text.analyze(pages / f, nlp=nlp, topics=None)
            pred[f] = [(e.label, e.text) for e in art.entities if e.label in LABELS]
    for split in ("test", "dev", "all"):
        part = [f for f in files if split == "all" or a_rows[f]["split"] == split]
        if not part:
            continue
        a = [_pairs(a_rows[f]) for f in part]
        b = [_pairs(b_rows[f]) for f in part]
        n_a, n_b = sum(map(len, a)), sum(map(len, b))
        print(f"\n== {split} part: {len(part)} pages, A {n_a} entities, B {n_b} entities")
        strict, merged = _scores(a, b)
        print(_line("B against A (agreement)", strict, merged))
        if pred:
            p = [pred[f] for f in part]
            print(_line(f"{args.model} against A", *_scores(a, p)))
            print(_line(f"{args.model} against B", *_scores(b, p)))
        if split == "all":
            print()
            print(format_report(strict, title="== agreement, strict, per label (B scored against A)"))
            values_a = {(f, surface_key(e["text"])): e.get("value") for f in part for e in a_rows[f]["entities"]
                        if e["label"] == "DATE"}
            both = [(values_a[(f, surface_key(e["text"]))], e.get("value")) for f in part
                    for e in b_rows[f]["entities"] if e["label"] == "DATE"
                    and (f, surface_key(e["text"])) in values_a]
            if both:
                same = sum(x == y for x, y in both)
                print(f"\nDATE values: {same}/{len(both)} dates both annotated carry the same ISO value")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
