"""Topic benchmarks: TopicClassifier on 10kGNAD, TaxonomyTagger on the sample corpus.

Usage::

    python bench/topics.py                 # everything (5-fold CV, ~2-3 min on 2 cores)
    python bench/topics.py --folds 1       # first fold only (quick iteration)
    python bench/topics.py --skip-gnad     # taxonomy part only
    python bench/topics.py --no-encoder    # without the encoder variant (~1 min less)
    python bench/topics.py --no-entities   # without the entity-feature variants (~2 min less)

10kGNAD protocol (shared/README.md): the 1,028 articles of the 10kGNAD test
split, stratified 5-fold cross-validation with ``random_state=0``; accuracy
and macro F1 averaged over folds, for the default TopicClassifier and (when
``ngo_text[embeddings]`` is installed) ``TopicClassifier(encoder="use-multilingual")``.
The baseline (TF-IDF words with sublinear tf + LinearSVC, otherwise sklearn
defaults; it reproduces the 0.800 / 0.788 reference of shared/README.md, plain
tf gives 0.777 / 0.767) runs in the same process for comparison. Timing: fit on all
1,028 articles, predict 1,000 of them.

Sample corpus: micro P/R/F1 of the default taxonomy tagger against the gold
``topics`` column of ``data/metadata.csv`` (articles read with
``ngo_text.parse``), the tagging time, and the top three topics of the
reference press release ``ijm-boystown.txt``.

Shared data is read from ``$NGO_TEXT_SHARED`` (default ``../shared`` relative
to the repository root).
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def shared_dir() -> Path:
    return Path(os.environ.get("NGO_TEXT_SHARED", ROOT.parent / "shared")).resolve()


def load_gnad(path: Path) -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.reader(f, delimiter=";", quotechar="'"):
            if len(row) < 2:
                continue
            labels.append(row[0])
            texts.append(";".join(row[1:]))
    return texts, np.array(labels)


def gnad_articles(texts: list[str]) -> np.ndarray:
    """The texts as Articles carrying their entities (NER runs once here, not in every fold)."""
    from ngo_text.analysis import text_entities
    from ngo_text.model import Article

    t0 = time.perf_counter()
    arts = [Article(paragraphs=[t], entities=ents) for t, ents in zip(texts, text_entities(texts))]
    assert all(a.text == t for a, t in zip(arts, texts))
    print(f"  (entities of {len(texts)} articles: {time.perf_counter() - t0:.1f} s, "
          f"{sum(len(a.entities) for a in arts) / len(arts):.1f} per article)", flush=True)
    out = np.empty(len(arts), dtype=object)
    out[:] = arts
    return out


def bench_gnad(n_folds: int, encoder: str | None = None, seed: int = 0, entities: bool = True) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    from ngo_text.topics import TopicClassifier

    path = shared_dir() / "data/topics/10kgnad/test.csv"
    if not path.is_file():
        print(f"SKIP 10kGNAD: {path} not found (set NGO_TEXT_SHARED)")
        return
    texts, y = load_gnad(path)
    X = np.array(texts, dtype=object)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(X, y))[:n_folds]
    models = {
        "baseline TF-IDF words (sublinear) + SVM": lambda: make_pipeline(TfidfVectorizer(sublinear_tf=True), LinearSVC()),
        "TopicClassifier (default)": lambda: TopicClassifier(),
    }
    if encoder:
        models["TopicClassifier(encoder=use-multilingual)"] = lambda: TopicClassifier(encoder=encoder)
    if entities:
        models["TopicClassifier(entities=True)"] = lambda: TopicClassifier(entities=True)
        if encoder:
            models["TopicClassifier(entities=True, encoder=...)"] = \
                lambda: TopicClassifier(entities=True, encoder=encoder)
    print(f"10kGNAD: {len(X)} articles, {len(set(y))} classes, stratified {len(folds)}-of-5-fold CV, seed {seed}")
    A = gnad_articles(texts) if entities else None
    for name, make in models.items():
        accs, f1s = [], []
        t0 = time.perf_counter()
        inputs = A if "entities" in name else X
        for tr, te in folds:
            model = make().fit(list(inputs[tr]), y[tr])
            pred = model.predict(list(inputs[te]))
            accs.append(accuracy_score(y[te], pred))
            f1s.append(f1_score(y[te], pred, average="macro"))
        print(f"  {name:38s} accuracy {np.mean(accs):.3f} (±{np.std(accs):.3f})  "
              f"macro F1 {np.mean(f1s):.3f} (±{np.std(f1s):.3f})  [{time.perf_counter() - t0:.1f} s]", flush=True)
    import tempfile

    for label, params in [("default", {})] + ([("encoder", {"encoder": encoder})] if encoder else []):
        t0, c0 = time.perf_counter(), time.process_time()
        clf = TopicClassifier(**params).fit(texts, y)
        t_fit, c_fit = time.perf_counter() - t0, time.process_time() - c0
        with tempfile.TemporaryDirectory() as tmp:
            clf.save(Path(tmp) / "model.zip")
            cold = TopicClassifier.load(Path(tmp) / "model.zip")  # no warm caches
        if encoder:
            from ngo_text.embeddings import get_encoder

            get_encoder(encoder).clear_cache()  # the fit saw the same texts
        t0, c0 = time.perf_counter(), time.process_time()
        cold.predict(texts[:1000])
        t_pred, c_pred = time.perf_counter() - t0, time.process_time() - c0
        print(f"  TopicClassifier ({label}) timing: fit {len(texts)} articles {t_fit:.1f} s wall / "
              f"{c_fit:.1f} s CPU (budget 30 s); predict 1000 articles (freshly loaded model) "
              f"{t_pred:.2f} s wall / {c_pred:.2f} s CPU (budget 5 s); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)


def bench_taxonomy() -> None:
    from ngo_text.topics import default_tagger

    tagger = default_tagger()
    meta = ROOT / "data/metadata.csv"
    if meta.is_file():
        from ngo_text import parse

        tp = fp = fn = 0
        t_tag = 0.0
        rows = list(csv.DictReader(open(meta, encoding="utf-8")))
        for row in rows:
            article = parse(ROOT / "data" / row["file"])
            t0 = time.perf_counter()
            pred = {t.label for t in tagger.tag(article)}
            t_tag += time.perf_counter() - t0
            gold = {g for g in row["topics"].split(";") if g}
            tp += len(pred & gold)
            fp += len(pred - gold)
            fn += len(gold - pred)
        p = tp / max(1, tp + fp)
        r = tp / max(1, tp + fn)
        f = 2 * p * r / max(1e-9, p + r)
        print(f"Taxonomy tagger on sample corpus ({len(rows)} articles): micro P {p:.3f} R {r:.3f} F1 {f:.3f} "
              f"(floor 0.75); {1000 * t_tag / max(1, len(rows)):.1f} ms/article")
    else:
        print(f"SKIP sample corpus: {meta} not found")
    ijm = shared_dir() / "data/pressreleases/ijm-boystown.txt"
    if ijm.is_file():
        from ngo_text import parse

        for name, src in (("parsed", parse(ijm)), ("raw text", ijm.read_text("utf-8"))):
            top = tagger.scores(src)[:3]
            print(f"ijm-boystown ({name}) top 3: " + "; ".join(f"{t.label} {t.score:.2f}" for t in top))
    else:
        print(f"SKIP ijm: {ijm} not found")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5, help="number of the 5 CV folds to run (default 5)")
    ap.add_argument("--seed", type=int, default=0, help="CV shuffling seed (the protocol is 0)")
    ap.add_argument("--skip-gnad", action="store_true", help="only the taxonomy part")
    ap.add_argument("--no-entities", action="store_true",
                    help="skip the TopicClassifier(entities=True) variants (NER over 10kGNAD, ~1 min)")
    ap.add_argument("--no-encoder", action="store_true",
                    help="skip the TopicClassifier(encoder='use-multilingual') variant")
    args = ap.parse_args()
    encoder = None
    if not args.no_encoder:
        try:
            from ngo_text.embeddings import get_encoder

            get_encoder("use-multilingual")
            encoder = "use-multilingual"
        except Exception as exc:  # optional extra not installed
            print(f"SKIP encoder variant: {exc}")
    bench_taxonomy()
    if not args.skip_gnad:
        bench_gnad(max(1, min(5, args.folds)), encoder, args.seed, not args.no_entities)


if __name__ == "__main__":
    main()
