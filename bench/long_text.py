"""Benchmark: one very long article through ``ngo_text.analyze_many`` -- time and peak memory.

A text over spaCy's ``max_length`` used to abort the whole batch (E088); it now runs in
pieces of ``ngo_text.analysis.CHUNK_CHARS`` characters, one at a time. Each pipeline
runs in its own child process (peak RSS from ``resource.getrusage``), on an Article of
``--mb`` megabytes (synthetic paragraphs with an organisation, a place and a date each)
between two short ones; the script checks that every entity's offsets point into the
whole text and that the last paragraph has entities.

Usage::

    python bench/long_text.py [--mb 2] [--models fast,accurate]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import resource, sys, time, warnings
sys.path.insert(0, {root!r})
warnings.simplefilter("ignore")
import ngo_text
nlp = ngo_text.load({model!r})
para = ("Die Caritas Köln warnt am 5. Mai 2021 vor den Folgen der Kürzungen. Die Sprecherin sagte, "
        "die Beratungsstellen in Nordrhein-Westfalen brauchten mehr Geld vom Land.")
n = int({mb} * 1_000_000 / (len(para) + 2))
art = ngo_text.Article(title="Ein sehr langer Text", paragraphs=[para] * n)
t0 = time.perf_counter()
out = list(ngo_text.analyze_many(["Die Caritas hilft in Köln.", art, "Das BKA in Berlin."], nlp=nlp,
                                 topics=None))
dt = time.perf_counter() - t0
a = out[1]
ok = all(a.text[e.start:e.end] == e.text for e in a.entities)
last = max(e.end for e in a.entities)
print(f"{{len(a.text):,}} characters, {{len(a.entities):,}} entities, offsets ok: {{ok}}, "
      f"last entity ends {{len(a.text) - last}} characters before the end; "
      f"{{dt:.0f}} s ({{len(a.text.split()) / dt:,.0f}} words/s), "
      f"peak RSS {{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f}} MB")
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=2.0, help="size of the long text in MB (default 2)")
    ap.add_argument("--models", default="fast,accurate")
    args = ap.parse_args(argv)
    for model in [m for m in args.models.split(",") if m]:
        code = CHILD.format(root=str(ROOT), model=model, mb=args.mb)
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        line = res.stdout.strip().splitlines()[-1] if res.stdout.strip() else res.stderr.strip()[-300:]
        print(f"[{model}] {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
