"""Benchmark: entities on real German web pages, hand-annotated (``bench/data/real_pages.jsonl``).

The annotations follow ``../shared/ANNOTATION.md``: for each page (file name in
``../shared/data/web/trafilatura_de/html``), the distinct (label, surface) pairs of the
main article, ISO values for dates. Only the annotations are in this repository, never
the pages. Each page is in the ``dev`` part (tune on it) or the ``test`` part (a
quarter, set aside: report only).

For each page the script runs ``ngo_text.analyze(page)`` -- the path users take:
HTML extraction, structure, NER, ngo_text components -- and scores the set of
(label, surface) pairs of its entities against the gold set: strict, and with ORG and
AGENCY merged, per label and micro-averaged. For dates it also prints how many of the
found DATE surfaces carry the gold ISO value.

Usage::

    python bench/real_pages.py [--model accurate|fast|NAME] [--split dev|test|all]
                               [--errors] [--shared ../shared]

``--split more`` scores the 188 pages of ``training/data/real_pages_more`` instead: a
second dev set that no shipped model was trained on, annotated after the same conventions
but over all of the extracted text (captions and contact lines included) and without
dates, so DATE is left out of its scores and recall there reads lower than on the bench
pages.

``--errors`` lists false positives and misses per page (dev and ``more`` pages only:
the test part is not for looking at).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOLD = ROOT / "bench" / "data" / "real_pages.jsonl"
MORE = ROOT / "training" / "data" / "real_pages_more"
LABELS = ("PER", "ORG", "AGENCY", "LOC", "DATE", "MISC")


def read_gold(path: Path = GOLD) -> list[dict]:
    """The annotated pages (one JSON object per line)."""
    rows = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            if row.get("split") not in ("dev", "test"):
                raise SystemExit(f"{path}:{i}: split must be dev or test")
            rows.append(row)
    return rows


def read_more(folder: Path = MORE) -> list[dict]:
    """The ``real_pages_more`` pages (split ``more``; their annotations have no dates)."""
    return [{**json.loads(line), "split": "more"}
            for path in sorted(folder.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(model: str, split: str, shared: Path, errors: bool) -> dict:
    import ngo_text
    from ngo_text.nlp.evaluate import evaluate_entity_sets, format_report
    from ngo_text.nlp.normalize import surface_key

    pages_dir = shared / "data" / "web" / "trafilatura_de" / "html"
    if not pages_dir.is_dir():
        raise SystemExit(f"pages not found under {pages_dir} (pass --shared or set NGO_TEXT_SHARED)")
    if split == "more":
        rows, labels = read_more(), tuple(lab for lab in LABELS if lab != "DATE")
    else:
        rows, labels = [r for r in read_gold() if split == "all" or r["split"] == split], LABELS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nlp = ngo_text.load(None if model == "default" else model)
    gold, pred = [], []
    date_total = date_ok = 0
    for row in rows:
        article = ngo_text.analyze(pages_dir / row["file"], nlp=nlp, topics=None)
        g = [(e["label"], e["text"]) for e in row["entities"]]
        p = [(e.label, e.text) for e in article.entities if e.label in labels]
        gold.append(g)
        pred.append(p)
        gold_values = {surface_key(e["text"]): e.get("value") for e in row["entities"]
                       if e["label"] == "DATE"}
        for e in article.entities:
            key = surface_key(e.text)
            if e.label == "DATE" and key in gold_values:
                date_total += 1
                date_ok += e.value == gold_values[key]
                gold_values.pop(key)
        if errors and row["split"] in ("dev", "more"):
            gs = {(lab, surface_key(t)) for lab, t in g}
            ps = {(lab, surface_key(t)) for lab, t in p}
            print(f"--- {row['file']}")
            for lab, t in sorted(ps - gs):
                print(f"  FP {lab:<6} {t}")
            for lab, t in sorted(gs - ps):
                print(f"  FN {lab:<6} {t}")
    strict = evaluate_entity_sets(gold, pred, labels=labels)
    merged = evaluate_entity_sets(gold, pred, labels=labels, merge={"AGENCY": "ORG"})
    n_ents = sum(len(g) for g in gold)
    print(f"\nmodel: {model}  pipeline: {nlp.pipe_names}")
    print(f"split: {split}  pages: {len(rows)}  gold entities: {n_ents}  "
          f"({', '.join(f'{k}={v}' for k, v in sorted(Counter(lab for g in gold for lab, _ in g).items()))})")
    print()
    print(format_report(strict, title="== strict (label and surface)"))
    print()
    print(format_report(merged, title="== ORG and AGENCY merged"))
    if date_total:
        print(f"\nDATE values: {date_ok}/{date_total} found dates carry the gold ISO value "
              f"({date_ok / date_total:.3f})")
    return {"strict": strict, "merged": merged, "date_values": [date_ok, date_total],
            "pages": len(rows), "entities": n_ents}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="default",
                    help="accurate, fast, a spaCy pipeline name/path, or default (ngo_text.load())")
    ap.add_argument("--split", choices=("dev", "test", "all", "more"), default="dev",
                    help="the bench pages' dev or test part, both, or the 188 real_pages_more pages "
                         "of training/data (a second dev set, no dates)")
    ap.add_argument("--errors", action="store_true", help="print FP/FN per dev (or more) page")
    ap.add_argument("--shared", type=Path,
                    default=Path(os.environ.get("NGO_TEXT_SHARED", ROOT.parent / "shared")))
    ap.add_argument("--json", type=Path, default=None, help="write the figures as JSON")
    args = ap.parse_args(argv)
    result = run(args.model, args.split, args.shared, args.errors)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
