"""Main-text extraction benchmark: ngo_text.parse() over the trafilatura German eval pages.

Usage::

    python bench/html_extraction.py [SHARED_OR_DATASET_DIR] [--limit N]

The dataset is ``<shared>/data/web/trafilatura_de`` (``evaldata.json`` + ``html/``);
``<shared>`` defaults to ``$NGO_TEXT_SHARED`` or ``../shared`` next to the repo.
For every page, the ``with`` snippets must occur in title + lead + paragraphs and
the ``without`` snippets (navigation, footers, teasers) must not (compared with
whitespace collapsed and soft hyphens dropped on both sides). Prints pages,
errors, the share of ``with`` snippets found, the share of ``without`` snippets
absent, and timing (slowest page, max and mean seconds per page).

Structure report (the bench's own patterns, independent of ngo_text's boilerplate
rules): pages with a lead; leads that read as navigation (breadcrumb separators, a
short line without a sentence) or as a photo caption/credit; body paragraphs that are
contact, address, credit or "Erschienen am" lines. ``--per-page FILE`` writes one TSV
row per page (file, lead found, lead kind, bad body lines, seconds).

Acceptance (issue #14): no errors, every page < 2 s, with-share >= 0.95, without-share >= 0.95.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import re
import traceback
from pathlib import Path

_NAV_RE = re.compile(r"(\s[/›»>|]\s.*){2,}|^(startseite|home|sie sind hier)\b", re.I)
_CAPTION_RE = re.compile(r"^(foto|bild|fotos|quelle|grafik)\s*:|©|\(foto:|\bfoto:\s|/\s?(dpa|afp|imago|getty)\b", re.I)
_BAD_BODY_RE = re.compile(
    r"^(tel\.?|telefon|fax|e-?mail|mail)\s*:?\s*[+\d\w]|^(pressekontakt|kontakt|ansprechpartner\w*)\s*:?"
    r"|^erschienen am|^(foto|bild|fotos|quelle)\s*:|©\s?\w|^\S+@\S+\.\w+$|^\d{5}\s+[A-ZÄÖÜ]\w+$", re.I)


def lead_kind(lead: str | None) -> str:
    """'none', 'navigation', 'caption' or 'text' (the bench's own patterns)."""
    if not lead or not lead.strip():
        return "none"
    if _NAV_RE.search(lead) or (len(lead.split()) < 6 and not re.search(r"[.!?:“\"]$", lead.strip())):
        return "navigation"
    if _CAPTION_RE.search(lead):
        return "caption"
    return "text"


def _dataset_dir(arg: str | None) -> Path:
    root = Path(arg) if arg else Path(os.environ.get("NGO_TEXT_SHARED",
                                                      Path(__file__).resolve().parents[1] / ".." / "shared"))
    for cand in (root, root / "data" / "web" / "trafilatura_de", root / "web" / "trafilatura_de"):
        if (cand / "evaldata.json").exists():
            return cand
    sys.exit(f"evaldata.json not found under {root}: pass the shared dir or set NGO_TEXT_SHARED")


def _norm(s: str) -> str:
    """Whitespace collapsed, soft hyphens dropped (invisible; some ``with`` snippets hold them)."""
    return " ".join(s.replace("\u00ad", "").split())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path", nargs="?", help="shared dir or trafilatura_de dir")
    ap.add_argument("--limit", type=int, default=0, help="only the first N pages")
    ap.add_argument("--show-misses", type=int, default=0, help="print up to N missed snippets")
    ap.add_argument("--per-page", type=Path, default=None, help="write a TSV row per page to this file")
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
    kinds: dict[str, int] = {}
    bad_pages = bad_lines = 0
    rows: list[str] = ["file\tlead_found\tlead_kind\tbad_body_lines\tseconds"]
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
        kind = lead_kind(art.lead)
        kinds[kind] = kinds.get(kind, 0) + 1
        bad = [p for p in art.paragraphs if _BAD_BODY_RE.search(p.strip())]
        bad_pages += bool(bad)
        bad_lines += len(bad)
        rows.append(f"{spec['file']}\t{kind != 'none'}\t{kind}\t{len(bad)}\t{times[-1][0]:.2f}")
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
    n_ok = max(1, pages - errors)
    print(f"lead found       {n_ok - kinds.get('none', 0)}/{n_ok}  (navigation {kinds.get('navigation', 0)}, "
          f"caption {kinds.get('caption', 0)})")
    print(f"body with contact/credit/date lines  {bad_pages} pages, {bad_lines} lines")
    if args.per_page:
        args.per_page.write_text("\n".join(rows) + "\n", encoding="utf-8")
    for m in misses:
        print(m)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
