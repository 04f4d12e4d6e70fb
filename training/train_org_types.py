"""Train the org type classifier (AGENCY / company / other) on LER train spans.

LER labels -> classes: INN (institution/authority), GRT (court) -> AGENCY;
UN (company) -> company; ORG (other organisation) -> other. Model: counts of
char_wb 2-5-grams, l2-normalised, multinomial LogisticRegression. Saved as
ngo_text/resources/gazetteer/org_type_classifier.npz (no pickle), loaded by
ngo_text.nlp.orgs.OrgTypeClassifier. Also prints span-level accuracy on LER
test gold spans (no NER involved; the pipeline figure is bench/org_types_eval.py).

Usage: python training/train_org_types.py [--shared ../shared] [--out PATH]
"""
from __future__ import annotations

import argparse
import gzip
import os
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from ngo_text.nlp.orgs import OrgTypeClassifier

CLASSES = {"INN": "AGENCY", "GRT": "AGENCY", "UN": "company", "ORG": "other"}
ROOT = Path(__file__).resolve().parents[1]


def read_spans(path: Path) -> list[tuple[str, str]]:
    """(span text, LER label) for every entity of a LER conll(.gz) file."""
    out: list[tuple[str, str]] = []
    cur: tuple[str, list[str]] | None = None
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf8") as fh:
        for line in fh:
            parts = line.split()
            lab = parts[-1] if parts else "O"
            if lab.startswith("B-"):
                if cur:
                    out.append((" ".join(cur[1]), cur[0]))
                cur = (lab[2:], [parts[0]])
            elif lab.startswith("I-") and cur and lab[2:] == cur[0]:
                cur[1].append(parts[0])
            else:
                if cur:
                    out.append((" ".join(cur[1]), cur[0]))
                cur = None
    if cur:
        out.append((" ".join(cur[1]), cur[0]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("NGO_TEXT_SHARED", ROOT.parent / "shared")))
    ap.add_argument("--out", type=Path, default=ROOT / "ngo_text/resources/gazetteer/org_type_classifier.npz")
    ap.add_argument("--max-features", type=int, default=20000)
    ap.add_argument("--C", type=float, default=4.0)
    args = ap.parse_args()
    ler = args.shared / "data/ner/ler"
    train = [(t, CLASSES[l]) for t, l in read_spans(ler / "train_reconstructed.conll.gz") if l in CLASSES]
    test = [(t, CLASSES[l]) for t, l in read_spans(ler / "test.conll.gz") if l in CLASSES]
    print("train", Counter(c for _, c in train), "test", Counter(c for _, c in test))
    vec = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=False, min_df=2,
                          max_features=args.max_features, dtype=np.float32)
    X = normalize(vec.fit_transform([t for t, _ in train]))
    y = [c for _, c in train]
    clf = LogisticRegression(C=args.C, max_iter=2000, class_weight="balanced")
    clf.fit(X, y)
    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
    model = OrgTypeClassifier(vocab, clf.coef_.astype(np.float32), clf.intercept_.astype(np.float32),
                              clf.classes_.tolist(), ngram_range=(2, 5))
    sk = clf.predict(normalize(vec.transform([t for t, _ in test])))
    ours = [model.predict(t) for t, _ in test]
    assert sum(a != b for a, b in zip(sk, ours)) <= 2, "the saved classifier differs from sklearn's"
    gold = [c for _, c in test]
    acc = np.mean([a == b for a, b in zip(ours, gold)])
    ag = [o == "AGENCY" for o, g in zip(ours, gold) if g == "AGENCY"]
    org = [o != "AGENCY" for o, g in zip(ours, gold) if g != "AGENCY"]
    print(f"LER test gold spans: accuracy(3 classes)={acc:.3f} "
          f"INN+GRT->AGENCY={np.mean(ag):.3f} ORG+UN->ORG={np.mean(org):.3f}")
    model.save(args.out, trained_on="LER train_reconstructed (INN,GRT->AGENCY; UN->company; ORG->other)",
               n_train=len(train), test_accuracy=round(float(acc), 4))
    print("saved", args.out, f"{args.out.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
