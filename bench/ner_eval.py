"""Benchmark: exact-span NER figures of a spaCy pipeline on the shared German NER corpora.

Prints GermEval 2014 dev and test (outer level, official metric: exact-span micro F1)
per label, and optionally LER and MobIE test with their labels mapped to PER/ORG/LOC
(MISC is not annotated there, so MISC predictions are ignored on those sets).

``--model`` is ``accurate`` (default), ``fast`` (the two bundled pipelines), or a spaCy
pipeline name or path. A bundled pipeline is scored three times: as ``ngo_text.load(name)``
(what users get: the ngo_text components on top; AGENCY is scored as ORG), again with
GermEval's conventions (``ngo_junk_filter`` keeps currencies, languages and heavenly
bodies, which GermEval counts as names and ngo_text's ANNOTATION.md does not) and bare
(``spacy.load`` of its folder: the NER alone).

Usage::

    python bench/ner_eval.py [--model accurate|fast|PATH] [--shared ../shared] [--extra] [--limit N]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ngo_text.nlp.evaluate import evaluate_ner, format_report  # noqa: E402

LER_EVAL_MAP = {"PER": "PER", "RR": "PER", "AN": "PER", "LD": "LOC", "ST": "LOC",
                "STR": "LOC", "LDS": "LOC", "ORG": "ORG", "UN": "ORG", "INN": "ORG",
                "GRT": "ORG"}
MOBIE_EVAL_MAP = {"person": "PER", "organization": "ORG", "organization-company": "ORG",
                  "location": "LOC", "location-city": "LOC", "location-street": "LOC",
                  "location-stop": "LOC"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="accurate")
    ap.add_argument("--no-bare", action="store_true", help="skip the bare-NER run of a bundled pipeline")
    ap.add_argument("--shared", type=Path,
                    default=Path(os.environ.get("NGO_TEXT_SHARED", ROOT.parent / "shared")))
    ap.add_argument("--extra", action="store_true", help="also LER and MobIE test")
    ap.add_argument("--limit", type=int, default=None, help="first N sentences per set")
    ap.add_argument("--json", type=Path, default=None, help="write all results as JSON")
    args = ap.parse_args(argv)

    import spacy

    ner = args.shared / "data" / "ner"
    if not (ner / "germeval2014" / "test.tsv").is_file():
        print(f"shared NER data not found under {args.shared} (set NGO_TEXT_SHARED)")
        return 2
    from ngo_text.nlp.pipeline import BUNDLED_PIPELINES, load

    runs = []
    if args.model in BUNDLED_PIPELINES:
        runs.append((f"ngo_text.load({args.model!r})", load(args.model)))
        # GermEval counts currencies, languages, heavenly bodies and domains as names ("Euro" OTH,
        # "Englisch", "Sonne", "stern.de" MISC); ngo_text's conventions do not: the same pipeline with those
        # ngo_junk_filter rules off, scored against GermEval's conventions
        from ngo_text.nlp.pipeline import _load_cached

        conv = _load_cached.__wrapped__(args.model)
        conv.replace_pipe("ngo_junk_filter", "ngo_junk_filter",
                          config={"currencies": False, "languages": False, "heavenly": False,
                                  "domains": False})
        runs.append((f"ngo_text.load({args.model!r}), GermEval conventions", conv))
        if not args.no_bare:
            if args.model == "accurate":
                from ngo_text.nlp.e5 import component  # noqa: F401  (registers ngo_e5_ner)
            from ngo_text.nlp.pipeline import COMPONENTS

            # the saved pipeline declares the ngo_text components: the bare NER leaves them out
            runs.append((f"bare {BUNDLED_PIPELINES[args.model].name}",
                         spacy.load(BUNDLED_PIPELINES[args.model], exclude=list(COMPONENTS))))
    else:
        runs.append((args.model, spacy.load(args.model)))  # as saved (with ngo_text components if declared)
    sets = [("GermEval 2014 dev (outer)", ner / "germeval2014" / "dev.tsv", "germeval", None),
            ("GermEval 2014 test (outer)", ner / "germeval2014" / "test.tsv", "germeval", None)]
    if args.extra:
        sets += [("LER test (PER/ORG/LOC)", ner / "ler" / "test.conll.gz", "conll", LER_EVAL_MAP),
                 ("MobIE test (PER/ORG/LOC)", ner / "mobie" / "test.conll2003", "conll",
                  MOBIE_EVAL_MAP)]
    results: dict[str, dict] = {}
    for run, nlp in runs:
        print(f"model: {run}  pipeline: {nlp.pipe_names}")
        for title, path, fmt, lmap in sets:
            r = evaluate_ner(nlp, path, fmt=fmt, label_map=lmap, limit=args.limit)
            results[f"{run} | {title}"] = r
            print()
            print(format_report(r, title=f"== {run} | {title}"))
        print()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
