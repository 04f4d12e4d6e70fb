"""Throughput of ngo_text.analyze vs. the bare NER pipeline, for both bundled pipelines.

Corpus: the sample articles (data/articles + data/metadata.csv), parsed once,
repeated until about --words words (default 50,000). Measured in the same run,
for each of ``--models`` (default: fast and accurate):

* bare NER: ``spacy.load`` of the bundled pipeline (no ngo_text components),
  ``nlp.pipe`` over the same Article texts;
* analyze: ``ngo_text.analyze_many`` over the parsed Articles (ngo_text
  pipeline + topics; parsing is timed separately because it is not NLP).

Targets: fast analyze >= 5,000 words/s and >= 0.6 x bare NER; accurate analyze
>= 1,200 words/s. Runs are interleaved (bare, analyze, bare, analyze ...) and
the best of --repeat is reported. ``--rss`` also runs ``ngo-text tag data/articles``
once per pipeline in a child process and prints its peak RSS (target <= 1.5 GB).

Usage: python bench/analyze_throughput.py [--words 50000] [--batch-size 16] [--topics default|none]
       [--models fast,accurate] [--rss]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import spacy

from ngo_text.analysis import analyze_many
from ngo_text.model import Article
from ngo_text.nlp.pipeline import BUNDLED_PIPELINES, load

ROOT = Path(__file__).resolve().parents[1]


def read_corpus() -> list[Article]:
    meta = {}
    with open(ROOT / "data" / "metadata.csv", encoding="utf8", newline="") as fh:
        for row in csv.DictReader(fh):
            meta[row["file"]] = row
    try:
        from ngo_text.parsing import parse
    except ImportError:  # parsing not there yet: plain text files only
        parse = None
    arts = []
    for rel, row in sorted(meta.items()):
        path = ROOT / "data" / rel
        if parse is not None:
            arts.append(parse(path, url=row.get("url") or None, published=row.get("published") or None))
        elif path.suffix == ".txt":
            paras = [p.strip() for p in path.read_text(encoding="utf8").split("\n\n") if p.strip()]
            arts.append(Article(id=row["id"], title=paras[0], lead=paras[1] if len(paras) > 1 else "",
                                paragraphs=paras[2:],
                                published=dt.date.fromisoformat(row["published"]) if row.get("published") else None))
    return arts


def peak_rss_of_tag(model: str) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of ``ngo-text tag data/articles --model MODEL`` in a child process."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-c",
               "import resource, sys; from ngo_text.cli import main; rc = main(sys.argv[1:]); "
               "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(rc)",
               "tag", str(ROOT / "data" / "articles"), "-o", str(Path(tmp) / "out.jsonl"), "--model", model]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        seconds = time.perf_counter() - t0
    peak = [ln for ln in proc.stderr.splitlines() if ln.startswith("PEAK")]
    if proc.returncode not in (0, 1) or not peak:
        raise RuntimeError(f"ngo-text tag failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return int(peak[-1].split()[1]) / 1024, seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=50_000)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--topics", choices=["default", "none"], default="default")
    ap.add_argument("--repeat", type=int, default=2, help="interleaved runs; the best is reported")
    ap.add_argument("--models", default="fast,accurate", help="bundled pipelines to measure")
    ap.add_argument("--rss", action="store_true", help="also the peak RSS of ngo-text tag data/articles")
    args = ap.parse_args(argv)

    from ngo_text.nlp.e5 import component  # noqa: F401  (registers ngo_e5_ner for the bare accurate run)

    t0 = time.perf_counter()
    base = read_corpus()
    t_parse = time.perf_counter() - t0
    base_words = sum(len(a.text.split()) for a in base)
    reps = max(1, round(args.words / max(base_words, 1)))
    arts = base * reps
    texts = [a.text for a in arts]
    n_words = sum(len(t.split()) for t in texts)
    print(f"corpus: {len(base)} articles, {base_words} words (parse {t_parse:.2f}s), "
          f"x{reps} = {len(arts)} docs, {n_words} words")

    topics = None
    if args.topics == "default":
        from ngo_text.topics import default_tagger

        default_tagger()
        topics = "default"
    for model in args.models.split(","):
        bare = spacy.load(BUNDLED_PIPELINES[model])
        list(bare.pipe(texts[:4]))  # warm-up (the accurate encoder quantises its graph here)
        nlp = load(model)
        list(analyze_many(arts[:4], nlp=nlp, topics=topics))  # warm-up (gazetteer, classifier)

        def run_bare() -> float:
            t0 = time.perf_counter()
            for _ in bare.pipe(texts, batch_size=args.batch_size):
                pass
            return time.perf_counter() - t0

        def run_analyze() -> tuple[float, int]:
            t0 = time.perf_counter()
            n = 0
            for art in analyze_many(arts, nlp=nlp, topics=topics, batch_size=args.batch_size):
                n += len(art.entities)
            return time.perf_counter() - t0, n

        # interleaved, best of --repeat: the machine is shared, so the minimum is the honest figure
        t_bare = t_an = float("inf")
        n_ents = 0
        for _ in range(args.repeat):
            t_bare = min(t_bare, run_bare())
            t, n_ents = run_analyze()
            t_an = min(t_an, t)
        wps_bare, wps_an = n_words / t_bare, n_words / t_an
        print(f"[{model}] bare NER ({', '.join(bare.pipe_names)}): {t_bare:.2f}s  {wps_bare:,.0f} words/s")
        print(f"[{model}] analyze (+ngo_dates, ngo_orgs, ngo_abbreviations, topics={topics}): {t_an:.2f}s  "
              f"{wps_an:,.0f} words/s  ({n_ents} entities)  ratio analyze/bare {wps_an / wps_bare:.2f}")
        if args.rss:
            mb, secs = peak_rss_of_tag(model)
            print(f"[{model}] ngo-text tag data/articles --model {model}: peak RSS {mb:,.0f} MB, {secs:.1f} s wall")
    print("targets: fast >= 5,000 words/s and ratio >= 0.6; accurate >= 1,200 words/s; peak RSS <= 1,536 MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
