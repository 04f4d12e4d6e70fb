"""Related-article benchmarks: 10kGNAD precision@3, sample-corpus recall, scale.

Usage::

    python bench/related.py                    # everything (~3-5 min on 2 shared cores)
    python bench/related.py --skip-scale       # quality figures only
    python bench/related.py --scale 10000      # scale test with 10k articles only
    python bench/related.py --skip-ablation    # final configuration only on 10kGNAD
    python bench/related.py --skip-gnad --skip-sample --scale --memory 100000
                                               # 100k articles: fit + first chunks, peak RSS
    python bench/related.py --skip-gnad --skip-sample --scale --scale-encoder 2000
                                               # cost of the optional encoder signal

1. 10kGNAD test split (1,028 articles, 9 categories): same-category
   precision@3 of the related articles, from text (and cheap entities:
   capitalised multi-word names and acronyms) only, no labels; and on the
   path users take: ``analyze_many`` with the accurate and the fast pipeline
   (their entities, the default taxonomy's topics), ``unify_corpus``,
   ``RelatedIndex().fit`` (``--analysed``). The plain
   TF-IDF cosine baseline (sklearn ``TfidfVectorizer(sublinear_tf=True,
   min_df=2, max_df=0.5)``) runs in the same process, then an ablation that
   adds one signal at a time.
2. Sample corpus (``data/metadata.csv``, ``related_ids``): articles read with
   ``ngo_text.parse`` (entities from ``ngo_text.analyze`` when the NLP
   pipeline loads, else the cheap extractor; topics from the default
   taxonomy tagger when available). Reported: share of articles with at
   least one editorial related id in the top 4 ("hit@4"), and mean recall@4.
3. Scale: N synthetic articles made by sampling paragraphs of the sample
   corpus and sentences of 10kGNAD; time of ``fit`` and of ``all_pairs(k=5)``
   and peak RSS (``resource.getrusage``), for 10k and 40k articles.

Shared data comes from ``$NGO_TEXT_SHARED`` (default ``../shared``).
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import re
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ngo_text.related import RelatedIndex  # noqa: E402


def shared_dir() -> Path:
    return Path(os.environ.get("NGO_TEXT_SHARED", ROOT.parent / "shared")).resolve()


_ENT_RE = re.compile(r"\b(?:[A-ZÄÖÜ][\w\-]+(?:\s+(?:[A-ZÄÖÜ][\w\-]+|von|de|van|der))*\s+[A-ZÄÖÜ][\w\-]+"
                     r"|[A-ZÄÖÜ]{2,}[\w\-]*)\b")


def cheap_entities(text: str) -> list[tuple[str, str]]:
    """Capitalised multi-word sequences and acronyms (German nouns are capitalised,
    so single capitalised words are too common to count as names)."""
    return [(m.group(0), "MISC") for m in _ENT_RE.finditer(text)]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load_gnad() -> tuple[list[str], np.ndarray] | None:
    path = shared_dir() / "data" / "topics" / "10kgnad" / "test.csv"
    if not path.exists():
        print(f"10kGNAD not found at {path}: skipped")
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";", quotechar="'"))
    return [r[1] for r in rows], np.array([r[0] for r in rows])


def precision_at(index: RelatedIndex, labels: np.ndarray, k: int = 3) -> float:
    pos = {i: n for n, i in enumerate(index.ids)}
    hits = total = 0
    for doc_id, rel in index.all_pairs(k=k, with_reasons=False):
        lab = labels[pos[doc_id]]
        hits += sum(labels[pos[r.id]] == lab for r in rel)
        total += k
    return hits / total


def bench_gnad(ablation: bool, analysed_models: list[str]) -> None:
    data = load_gnad()
    if data is None:
        return
    texts, labels = data
    print(f"== 10kGNAD test: {len(texts)} articles, same-category precision@3 ==")
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(sublinear_tf=True, min_df=2, max_df=0.5).fit_transform(texts)
    s = (x @ x.T).toarray()
    np.fill_diagonal(s, -np.inf)
    top = np.argsort(-s, axis=1)[:, :3]
    print(f"  baseline TF-IDF cosine (sklearn, sublinear)      {np.mean(labels[top] == labels[:, None]):.3f}")
    docs = [{"id": f"g{i}", "text": t} for i, t in enumerate(texts)]
    docs_e = [{"id": f"g{i}", "text": t, "entities": cheap_entities(t)} for i, t in enumerate(texts)]
    off = dict(lsa_dims=0, graph_k=0, entity_weight=0.0, char_ngrams=False)
    configs = [
        ("words, own tf-idf (sublinear, stopwords)", off, docs),
        ("+ LSA-80 on words (70 % LSA)", {**off, "lsa_dims": 80}, docs),
        ("+ char 3-5 grams in LSA", {**off, "lsa_dims": 80, "char_ngrams": True}, docs),
        ("+ graph diffusion (k=20, a=0.9, 4 steps, 80 %)", {"entity_weight": 0.0}, docs),
        ("+ cheap entities (weight 0.25) = default", {}, docs_e),
        ("  entity weight 0.5", {"entity_weight": 0.5}, docs_e),
        ("  diffusion k=10, share 0.6 (before 2026-11-28)", {"graph_k": 10, "graph_weight": 0.6}, docs_e),
        ("  LSA 50 dims, 50 % LSA", {"lsa_dims": 50, "lsa_weight": 0.5}, docs_e),
        ("  randomised SVD with 2 iterations (faster)", {"lsa_iter": 2}, docs_e),
    ]
    encoder = [("+ encoder use-multilingual (50 %) = quality", {"encoder": "use-multilingual"}, docs_e)]
    try:
        from ngo_text.embeddings import get_encoder

        get_encoder("use-multilingual")
    except Exception as exc:  # optional extra not installed
        print(f"  (encoder row skipped: {exc})")
        encoder = []
    if not ablation:
        configs = [configs[4]]
    configs += encoder
    for name, params, d in configs:
        t0 = time.perf_counter()
        idx = RelatedIndex(**params).fit(d)
        p = precision_at(idx, labels)
        print(f"  {name:<48} {p:.3f}   ({time.perf_counter() - t0:.1f} s)")
    for model in analysed_models:
        # the path users take: analyze_many (pipeline entities, default taxonomy topics)
        # and RelatedIndex().fit on the Articles, after unify_corpus (as Corpus.analyze does)
        from ngo_text import analyze_many, load
        from ngo_text.nlp.canonical import unify_corpus

        t0 = time.perf_counter()
        arts = list(analyze_many(texts, nlp=load(model)))
        for i, a in enumerate(arts):
            a.id = f"g{i}"
        unify_corpus(arts)
        t1 = time.perf_counter()
        idx = RelatedIndex().fit(arts)
        p = precision_at(idx, labels)
        print(f"  {'analysed path, ' + model + ' pipeline = default':<48} {p:.3f}   "
              f"(analyze {t1 - t0:.0f} s, fit {time.perf_counter() - t1:.1f} s)")


def bench_sample() -> None:
    meta_path = ROOT / "data" / "metadata.csv"
    if not meta_path.exists():
        print("sample corpus not found: skipped")
        return
    try:
        from ngo_text import parse
    except Exception as exc:  # pragma: no cover - parsing not ready
        print(f"ngo_text.parse unavailable ({exc}): sample corpus skipped")
        return
    with meta_path.open(encoding="utf-8", newline="") as fh:
        meta = list(csv.DictReader(fh))
    print(f"== sample corpus: {len(meta)} articles ==")
    arts = []
    for row in meta:
        a = parse(ROOT / "data" / row["file"], url=row["url"] or None, published=row["published"] or None,
                  id=row["id"])
        arts.append(a)
    how = "cheap capitalised-name entities"
    try:
        from ngo_text import analyze

        t0 = time.perf_counter()
        arts = [analyze(a) for a in arts]
        how = f"ngo_text.analyze entities + taxonomy topics ({time.perf_counter() - t0:.1f} s)"
    except Exception as exc:
        print(f"  analyze unavailable ({type(exc).__name__}: {exc}); using cheap entities")
        docs = []
        for a in arts:
            d = a.to_dict()
            d["entities"] = cheap_entities(a.text)
            docs.append(d)
        arts = docs
    print(f"  entities: {how}")
    gold = {r["id"]: [x for x in r["related_ids"].split(";") if x] for r in meta}
    for name, params in [("default", {}), ("allow_future=True", {"allow_future": True}),
                         ("allow_future, text only", {"allow_future": True, "entity_weight": 0, "topic_weight": 0}),
                         ("allow_future + encoder", {"allow_future": True, "encoder": "use-multilingual"})]:
        if params.get("encoder"):
            try:
                from ngo_text.embeddings import get_encoder

                get_encoder(params["encoder"])
            except Exception as exc:
                print(f"  {name:<26} skipped ({exc})")
                continue
        idx = RelatedIndex(**params).fit(arts)
        hit = rec = n = 0
        for doc_id, rel in idx.all_pairs(k=4, with_reasons=False):
            g = gold.get(doc_id)
            if not g:
                continue
            got = {r.id for r in rel}
            n += 1
            hit += bool(got & set(g))
            rec += len(got & set(g)) / min(4, len(g))
        print(f"  {name:<26} hit@4 {hit / n:.3f}   recall@4 {rec / n:.3f}   ({n} articles with related_ids)")
    idx = RelatedIndex(allow_future=True).fit(arts)
    first = next(i for i in idx.ids if gold.get(i))
    print(f"  example {first}: editorial {gold[first]}")
    for r in idx.related(first, k=4):
        print(f"    {r.id} {r.score:.3f} {r.title[:60]!r} {r.reasons}")


def synth_corpus(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    paras: list[str] = []
    for p in sorted((ROOT / "data" / "articles").glob("*")):
        text = re.sub(r"<[^>]+>", " ", p.read_text(encoding="utf-8", errors="replace"))
        paras += [" ".join(x.split()) for x in re.split(r"\n\s*\n", text) if len(x.split()) >= 8]
    gnad = load_gnad()
    if gnad is not None:
        for t in gnad[0]:
            sents = re.split(r"(?<=[.!?])\s+", t)
            paras += [" ".join(sents[i:i + 3]) for i in range(0, len(sents), 3) if len(sents[i:i + 3]) == 3]
    out = []
    for i in range(n):
        body = rng.sample(paras, rng.randint(3, 6))
        title = " ".join(body[0].split()[:8])
        out.append({"id": f"s{i}", "title": title, "text": title + "\n\n" + "\n\n".join(body),
                    "published": f"20{rng.randint(15, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "url": f"https://example.org/{i}"})
    return out


def bench_scale(sizes: list[int], params: dict | None = None) -> None:
    params = params or {}
    print(f"== scale: fit + all_pairs(k=5) on synthetic articles {params or '(defaults)'} ==")
    prev = None
    for n in sizes:
        docs = synth_corpus(n)
        words = sum(len(d["text"].split()) for d in docs) / n
        t0 = time.perf_counter()
        idx = RelatedIndex(**params).fit(docs)
        t_fit = time.perf_counter() - t0
        t0 = time.perf_counter()
        count = sum(1 for _ in idx.all_pairs(k=5))
        t_pairs = time.perf_counter() - t0
        total = t_fit + t_pairs
        growth = f", x{total / prev:.1f} time vs previous" if prev else ""
        print(f"  {n:>6} articles (~{words:.0f} words): fit {t_fit:.1f} s + all_pairs {t_pairs:.1f} s "
              f"= {total:.1f} s ({count} rows){growth}; peak RSS {rss_mb():.0f} MB; "
              f"score blocks {idx._chunk(n)} x {n}")
        prev = total
        del idx, docs


def bench_memory(n: int, chunks: int = 3) -> None:
    """Peak memory of fit on ``n`` articles plus the first ``chunks`` chunks of all_pairs.

    all_pairs streams chunk by chunk (one chunk x N block at a time), so its
    memory is flat after the first chunk; the full run's time is extrapolated
    linearly from the chunks timed here (each chunk scores rows against all N).
    """
    print(f"== memory: {n} synthetic articles, fit + {chunks} chunks of all_pairs(k=5) ==")
    docs = synth_corpus(n)
    t0 = time.perf_counter()
    idx = RelatedIndex().fit(docs)
    t_fit = time.perf_counter() - t0
    del docs
    rss_fit = rss_mb()
    step = idx._chunk(len(idx))
    t0 = time.perf_counter()
    rows = 0
    for _doc_id, _rel in idx.all_pairs(k=5, with_reasons=False):
        rows += 1
        if rows >= chunks * step:
            break
    t_part = time.perf_counter() - t0
    print(f"  fit {t_fit:.1f} s (peak RSS {rss_fit:.0f} MB); all_pairs {rows} of {n} rows in {t_part:.1f} s "
          f"(whole run ~{t_part * n / rows:.0f} s extrapolated); peak RSS {rss_mb():.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skip-gnad", action="store_true")
    ap.add_argument("--skip-ablation", action="store_true")
    ap.add_argument("--analysed", default="accurate,fast", metavar="MODELS",
                    help="also run the analysed path (analyze_many + RelatedIndex().fit) on 10kGNAD "
                         "with these pipelines, comma-separated ('' = skip)")
    ap.add_argument("--skip-sample", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--scale", type=int, nargs="*", default=[10_000, 40_000])
    ap.add_argument("--memory", type=int, default=0, metavar="N",
                    help="peak memory of fit + the first all_pairs chunks on N articles (e.g. 100000)")
    ap.add_argument("--scale-encoder", type=int, nargs="*", default=[],
                    help="also time these sizes with encoder='use-multilingual' (e.g. 2000)")
    args = ap.parse_args()
    if not args.skip_gnad:
        bench_gnad(not args.skip_ablation, [m for m in args.analysed.split(",") if m])
    if not args.skip_sample:
        bench_sample()
    if not args.skip_scale:
        bench_scale(args.scale)
        if args.memory:
            bench_memory(args.memory)
    if args.scale_encoder:
        bench_scale(args.scale_encoder, {"encoder": "use-multilingual"})


if __name__ == "__main__":
    main()
