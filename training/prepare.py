"""Convert the shared German NER corpora into spaCy DocBins for training.

Output (``training/corpus/``, gitignored)::

    germeval_dev.spacy            GermEval 2014 dev (outer level), the training-time dev set
    ge/germeval_train.spacy       GermEval 2014 train            -> variant "ge"
    ge_extra/germeval_train.spacy + mobie_train.spacy + ler_train.spacy
                                  GermEval + MobIE + LER subsample -> variant "ge_extra"
    stats.json                    sentence / entity counts per file

Label mapping (see training/README.md and ngo_text/models/MODEL_CARD.md):

* GermEval: OTH -> MISC, *deriv / *part -> O.
* MobIE: person -> PER; organization, organization-company -> ORG; location,
  location-city, location-street, location-stop -> LOC; location-route (line and road
  numbers) -> *missing* (not trained either way); every other type (date, time,
  trigger, event-cause, number ...) -> O.
* LER: PER, RR (judge), AN (lawyer) -> PER; LD, ST, STR, LDS -> LOC; ORG, UN, INN,
  GRT -> ORG; the legal-norm / reference / brand types (GS, VO, EUN, VS, VT, RS, LIT,
  MRK) -> *missing* (GermEval would label some of them MISC, some O). Only a seeded
  subsample is used: every sentence with a PER/LOC/ORG entity plus a share of the others.

Usage::

    python training/prepare.py --shared ../shared --out training/corpus
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ngo_text.nlp.evaluate import read_conll, read_germeval, tags_to_spans  # noqa: E402

MISSING = "__MISSING__"

MOBIE_MAP: dict[str, str | None] = {
    "person": "PER",
    "organization": "ORG",
    "organization-company": "ORG",
    "location": "LOC",
    "location-city": "LOC",
    "location-street": "LOC",
    "location-stop": "LOC",
    "location-route": MISSING,
}

LER_MAP: dict[str, str | None] = {
    "PER": "PER", "RR": "PER", "AN": "PER",
    "LD": "LOC", "ST": "LOC", "STR": "LOC", "LDS": "LOC",
    "ORG": "ORG", "UN": "ORG", "INN": "ORG", "GRT": "ORG",
    "GS": MISSING, "VO": MISSING, "EUN": MISSING, "VS": MISSING, "VT": MISSING,
    "RS": MISSING, "LIT": MISSING, "MRK": MISSING,
}


def to_doc(vocab, tokens: list[str], tags: list[str], label_map=None):
    """Doc with gold entities; ``label_map`` types mapping to MISSING become missing."""
    from spacy.tokens import Doc

    doc = Doc(vocab, words=tokens)
    ents, missing = [], []
    for s, e, lab in tags_to_spans(tags):
        new = lab if label_map is None else label_map.get(lab)
        if new == MISSING:
            missing.append(doc[s:e])
        elif new:
            ents.append(doc.char_span(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), label=new))
    doc.set_ents(ents, missing=missing, default="outside")
    return doc


def write(docs, path: Path, stats: dict) -> None:
    from spacy.tokens import DocBin

    path.parent.mkdir(parents=True, exist_ok=True)
    db = DocBin(store_user_data=False)
    labels: Counter[str] = Counter()
    n = 0
    for doc in docs:
        db.add(doc)
        n += 1
        labels.update(e.label_ for e in doc.ents)
    db.to_disk(path)
    stats[str(path.name if path.parent.name == "corpus" else f"{path.parent.name}/{path.name}")] = {
        "sentences": n, "entities": dict(labels)}
    print(f"wrote {path} ({n} docs, {dict(labels)})", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "training" / "corpus")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ler-other-share", type=float, default=0.05,
                    help="share of LER sentences without PER/LOC/ORG entity to keep")
    ap.add_argument("--ler-max", type=int, default=12000, help="cap on LER sentences")
    args = ap.parse_args(argv)

    import spacy

    nlp = spacy.blank("de")
    ner = args.shared / "data" / "ner"
    ge = ner / "germeval2014"
    stats: dict = {}
    out: Path = args.out

    ge_train = [to_doc(nlp.vocab, t, g) for t, g in read_germeval(ge / "train.bio")]
    write(ge_train, out / "ge" / "germeval_train.spacy", stats)
    write(ge_train, out / "ge_extra" / "germeval_train.spacy", stats)
    write((to_doc(nlp.vocab, t, g) for t, g in read_germeval(ge / "dev.tsv")),
          out / "germeval_dev.spacy", stats)

    mobie = [to_doc(nlp.vocab, t, g, MOBIE_MAP)
             for t, g in read_conll(ner / "mobie" / "train.conll2003")]
    write(mobie, out / "ge_extra" / "mobie_train.spacy", stats)

    rng = random.Random(args.seed)
    keep_labels = {k for k, v in LER_MAP.items() if v and v != MISSING}
    ler_with, ler_other = [], []
    for t, g in read_conll(ner / "ler" / "train_reconstructed.conll.gz"):
        has = any(lab in keep_labels for _, _, lab in tags_to_spans(g))
        (ler_with if has else ler_other).append((t, g))
    rng.shuffle(ler_other)
    chosen = ler_with + ler_other[: int(len(ler_other) * args.ler_other_share)]
    rng.shuffle(chosen)
    chosen = chosen[: args.ler_max]
    print(f"LER: {len(ler_with)} sentences with PER/LOC/ORG, {len(ler_other)} without; "
          f"keeping {len(chosen)}", flush=True)
    write((to_doc(nlp.vocab, t, g, LER_MAP) for t, g in chosen),
          out / "ge_extra" / "ler_train.spacy", stats)
    (out / "stats.json").write_text(json.dumps(stats, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
