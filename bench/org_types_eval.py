"""ORG vs AGENCY typing on the LER test set (German court decisions).

Runs a pipeline (default: the bundled one via ngo_text.load()) over the gold
tokens of LER test and, for predicted ORG/AGENCY spans that exactly match a
gold span, reports: of the INN+GRT (authority, court) spans found, the share
typed AGENCY; of the ORG+UN (organisation, company) spans found, the share
typed ORG. Also reports the typer alone on all gold spans (no NER involved).

Usage: python bench/org_types_eval.py [--model NAME_OR_PATH] [--limit N] [--path FILE]
"""
from __future__ import annotations

import argparse
import gzip
import os
import sys
import time
from collections import Counter
from pathlib import Path

from spacy.tokens import Doc

import ngo_text
from ngo_text.nlp.orgs import OrgTyper

GOLD_AGENCY, GOLD_ORG = {"INN", "GRT"}, {"ORG", "UN"}


def default_path() -> Path:
    root = Path(__file__).resolve().parents[1]
    shared = Path(os.environ.get("NGO_TEXT_SHARED", root.parent / "shared"))
    return shared / "data" / "ner" / "ler" / "test.conll.gz"


def read_sentences(path: Path) -> list[tuple[list[str], dict[tuple[int, int], str]]]:
    sents, words, labels = [], [], []
    with gzip.open(path, "rt", encoding="utf8") as fh:
        for line in list(fh) + [""]:
            parts = line.split()
            if not parts:
                if words:
                    spans, cur = {}, None
                    for i, lab in enumerate(labels + ["O"]):
                        if lab.startswith("I-") and cur and lab[2:] == cur[0]:
                            continue
                        if cur:
                            spans[(cur[1], i)] = cur[0]
                        cur = (lab[2:], i) if lab != "O" else None
                    sents.append((words, spans))
                words, labels = [], []
                continue
            words.append(parts[0])
            labels.append(parts[-1])
    return sents


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="spaCy pipeline name/path (default: bundled; 'blank' = no NER)")
    ap.add_argument("--path", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=0, help="only the first N sentences")
    args = ap.parse_args(argv)
    path = args.path or default_path()
    if not path.exists():
        print(f"LER test file not found: {path} (set NGO_TEXT_SHARED)", file=sys.stderr)
        return 2
    sents = read_sentences(path)
    if args.limit:
        sents = sents[: args.limit]

    typer = OrgTyper()
    how = Counter()
    ag_ok = ag_n = org_ok = org_n = 0
    for words, spans in sents:
        for (s, e), lab in spans.items():
            if lab in GOLD_AGENCY | GOLD_ORG:
                label, _, h = typer.classify(" ".join(words[s:e]))
                how[h] += 1
                if lab in GOLD_AGENCY:
                    ag_n += 1
                    ag_ok += label == "AGENCY"
                else:
                    org_n += 1
                    org_ok += label == "ORG"
    print(f"typer on all gold spans: INN+GRT->AGENCY {ag_ok}/{ag_n} = {ag_ok / max(ag_n, 1):.3f}; "
          f"ORG+UN->ORG {org_ok}/{org_n} = {org_ok / max(org_n, 1):.3f}; decided by {dict(how)}")

    if args.model == "blank":  # no NER: only gazetteer entities (for a quick check)
        import spacy

        from ngo_text.nlp.pipeline import add_components
        nlp = add_components(spacy.blank("de"))
    else:
        nlp = ngo_text.load(args.model)
    t0 = time.perf_counter()
    docs = (Doc(nlp.vocab, words=w) for w, _ in sents)
    found = Counter()
    n_gold = Counter()
    for (words, spans), doc in zip(sents, nlp.pipe(docs, batch_size=64)):
        pred = {(e.start, e.end): e.label_ for e in doc.ents if e.label_ in ("ORG", "AGENCY")}
        for key, lab in spans.items():
            if lab not in GOLD_AGENCY | GOLD_ORG:
                continue
            group = "AGENCY" if lab in GOLD_AGENCY else "ORG"
            n_gold[group] += 1
            if key in pred:
                found[(group, pred[key])] += 1
    dt = time.perf_counter() - t0
    for group in ("AGENCY", "ORG"):
        total = found[(group, "AGENCY")] + found[(group, "ORG")]
        share = found[(group, group)] / total if total else 0.0
        gname = "INN+GRT" if group == "AGENCY" else "ORG+UN"
        print(f"pipeline: {gname}: gold {n_gold[group]}, found (exact span, ORG/AGENCY) {total}, "
              f"typed {group} {found[(group, group)]} = {share:.3f}")
    print(f"model={args.model or 'bundled'} pipe={nlp.pipe_names} sentences={len(sents)} ({dt:.1f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
