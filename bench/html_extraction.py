"""Main-text extraction benchmark: ngo_text.parse() over the trafilatura German eval pages.

Usage::

    python bench/html_extraction.py [SHARED_OR_DATASET_DIR] [--limit N]

The dataset is ``<shared>/data/web/trafilatura_de`` (``evaldata.json`` + ``html/``);
``<shared>`` defaults to ``$NGO_TEXT_SHARED`` or ``../shared`` next to the repo.
For every page, the ``with`` snippets must occur in title + lead + paragraphs and
the ``without`` snippets (navigation, footers, teasers) must not. Prints pages,
errors, the share of ``with`` snippets found, the share of ``without`` snippets
absent, and timing (slowest page, max and mean seconds per page).

Acceptance: no errors, every page < 2 s, with-share >= 0.90, without-share >= 0.90.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path


def _dataset_dir(arg: str | None) -> Path:
    root = Path(arg) if arg else Path(os.environ.get("NGO_TEXT_SHARED",
                                                      Path(__file__).resolve().parents[1] / ".." / "shared"))
    for cand in (root, root / "data" / "web" / "trafilatura_de", root / "web" / "trafilatura_de"):
        if (cand / "evaldata.json").exists():
            return cand
    sys.exit(f"evaldata.json not found under {root}: pass the shared dir or set NGO_TEXT_SHARED")


def _norm(s: str) -> str:
    return " ".join(s.split())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path", nargs="?", help="shared dir or trafilatura_de dir")
    ap.add_argument("--limit", type=int, default=0, help="only the first N pages")
    ap.add_argument("--show-misses", type=int, default=0, help="print up to N missed snippets")
    args = ap.parse_args(argv)

    from ngo_text import parse

    ds = _dataset_dir(args.path)
    evaldata = json.loads((ds / "evaldata.json").read_text(encoding="utf-8"))
    items = sorted(evaldata.items(), key=lambda kv: kv[1]["file"])
    if args.limit:
        items = items[: args.limit]
    pages = errors = 0
    with_found = with_total = without_absent = without_total = 0
    times: list[tuple[float, str]] = []
    misses: list[str] = []
    for url, spec in items:
        path = ds / "html" / spec["file"]
        pages += 1
        t0 = time.perf_counter()
        try:
            art = parse(path, url=url)
        except Exception as exc:  # noqa: BLE001 - the bench counts every failure
            errors += 1
            print(f"ERROR {spec['file']}: {type(exc).__name__}: {exc}", file=sys.stderr)
            traceback.print_exc(limit=3)
            continue
        finally:
            times.append((time.perf_counter() - t0, spec["file"]))
        text = _norm(art.text)
        for s in spec.get("with", []):
            with_total += 1
            if _norm(s) in text:
                with_found += 1
            elif len(misses) < args.show_misses:
                misses.append(f"missing  {spec['file']}: {s!r}")
        for s in spec.get("without", []):
            without_total += 1
            if _norm(s) not in text:
                without_absent += 1
            elif len(misses) < args.show_misses:
                misses.append(f"leaked   {spec['file']}: {s!r}")
    slow_t, slow_f = max(times) if times else (0.0, "-")
    print(f"pages            {pages}")
    print(f"errors           {errors}")
    print(f"with-share       {with_found / max(1, with_total):.3f}  ({with_found}/{with_total} snippets found)")
    print(f"without-share    {without_absent / max(1, without_total):.3f}  ({without_absent}/{without_total} snippets absent)")
    print(f"slowest page     {slow_f}  {slow_t:.2f} s")
    print(f"max time         {slow_t:.2f} s   mean {sum(t for t, _ in times) / max(1, len(times)):.3f} s")
    print(f"pages >= 2 s     {sum(1 for t, _ in times if t >= 2.0)}")
    for m in misses:
        print(m)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
