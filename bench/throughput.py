"""Single-process throughput of ``ngo-text tag``: parse only vs. parse + NLP + topics.

Usage::

    python bench/throughput.py                  # sample corpus x4, bundled model
    python bench/throughput.py --repeat 10 --batch-size 32 --model de_core_news_sm

Prints articles/s and words/s for the structure-only path (``--no-nlp``) and
for the full analysis through ``analyze_many`` (model load time excluded).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO / "data")
    ap.add_argument("--repeat", type=int, default=4)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--model", default=None)
    args = ap.parse_args(argv)
    from ngo_text.analysis import analyze_many
    from ngo_text.io import iter_sources
    from ngo_text.nlp.pipeline import load

    sources = [s for s in iter_sources([args.data]) if s.error is None]
    if not sources:
        print(f"no articles under {args.data}", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    articles = [s.to_article() for _ in range(args.repeat) for s in sources]
    parse_s = time.perf_counter() - t0
    n = len(articles)
    words = sum(len(a.text.split()) for a in articles)
    t0 = time.perf_counter()
    nlp = load(args.model)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    done = list(analyze_many(articles, nlp=nlp, batch_size=args.batch_size))
    nlp_s = time.perf_counter() - t0
    n_ents = sum(len(a.entities) for a in done)
    print(f"{n} articles ({len(sources)} x {args.repeat}), {words} words, batch size {args.batch_size}")
    print(f"parse only      : {n / parse_s:8.1f} articles/s  {words / parse_s:9.0f} words/s")
    print(f"nlp + topics    : {n / nlp_s:8.1f} articles/s  {words / nlp_s:9.0f} words/s "
          f"({n_ents} entities; model load {load_s:.1f} s)")
    total = parse_s + nlp_s
    print(f"tag end to end  : {n / total:8.1f} articles/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
