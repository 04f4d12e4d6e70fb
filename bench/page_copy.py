"""Whole-page text copies (select-all + copy of a web page) read by the plain-text path.

Each of the 553 pages of ``<shared>/data/web/trafilatura_de`` is turned into the text a
browser's select-all + copy gives (``<shared>/tools/copy_text.py``: navigation, cookie
banners, skip links and footers included) and read by ``ngo_text.parse(text)``. Prints,
like ``bench/html_extraction.py``: the share of ``with`` snippets found in title + lead +
paragraphs, the share of ``without`` snippets kept out, the pages whose title is a
navigation line (the bench's own list), errors and the slowest page.

    python bench/page_copy.py [--split dev|test|all] [--limit N] [--show-titles N] [--show-misses N]

``--show-misses N`` prints, for up to N dev pages (never test pages: they are for
reporting), the title, the ``with`` snippets not found and the ``without`` snippets kept.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# navigation lines that a whole-page copy starts with (the list and their kin)
NAV_TITLE = re.compile(r"^(direkt zum inhalt|springe? zum (haupt)?inhalt|zum inhalt springen|skip to (main )?content"
                       r"|menü|menu|suche|navigation|startseite|home|link|diese seite (benutzt|verwendet) cookies"
                       r"|.{0,40}cookies.{0,60}|zur navigation|hauptnavigation|inhalt)\W*$", re.I)


def _norm(s: str) -> str:
    return " ".join(s.split())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("NGO_TEXT_SHARED", ROOT.parent / "shared")))
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--show-titles", type=int, default=0, help="print up to N navigation titles")
    ap.add_argument("--show-misses", type=int, default=0,
                    help="print the misses of up to N dev pages (test pages are never shown)")
    ap.add_argument("--split", choices=("dev", "test", "all"), default="all",
                    help="dev: 3 of 4 pages by SHA-1 of the file name (tune here), test: the rest (report)")
    args = ap.parse_args(argv)
    spec = importlib.util.spec_from_file_location("copy_text", args.shared / "tools" / "copy_text.py")
    if spec is None or spec.loader is None:
        sys.exit(f"copy_text.py not found under {args.shared / 'tools'}")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    from ngo_text import parse

    ds = args.shared / "data" / "web" / "trafilatura_de"
    items = sorted(json.loads((ds / "evaldata.json").read_text(encoding="utf-8")).items(), key=lambda kv: kv[1]["file"])
    def is_test(name: str) -> bool:
        return int(hashlib.sha1(name.encode()).hexdigest(), 16) % 4 == 0

    if args.split != "all":
        items = [kv for kv in items if is_test(kv[1]["file"]) == (args.split == "test")]
    if args.limit:
        items = items[: args.limit]
    pages = errors = nav = 0
    w_ok = w_n = wo_ok = wo_n = 0
    slow = (0.0, "-")
    shown = []
    misses: list[str] = []
    for url, sp in items:
        text = tool.copied_text((ds / "html" / sp["file"]).read_bytes())
        if not text.strip():
            continue
        pages += 1
        t0 = time.perf_counter()
        try:
            art = parse(text)
        except Exception as exc:  # noqa: BLE001 - the bench counts every failure
            errors += 1
            print(f"ERROR {sp['file']}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        slow = max(slow, (time.perf_counter() - t0, sp["file"]))
        if NAV_TITLE.match((art.title or "").strip()):
            nav += 1
            if len(shown) < args.show_titles:
                shown.append(f"{sp['file']}: {art.title!r}")
        body = _norm(art.text)
        lost = [s for s in sp.get("with", []) if _norm(s) not in body]
        kept = [s for s in sp.get("without", []) if _norm(s) in body]
        w_n += len(sp.get("with", []))
        w_ok += len(sp.get("with", [])) - len(lost)
        wo_n += len(sp.get("without", []))
        wo_ok += len(sp.get("without", [])) - len(kept)
        if (lost or kept) and len(misses) < args.show_misses and not is_test(sp["file"]):
            misses.append(f"{sp['file']}  title={art.title[:100]!r}"
                          + "".join(f"\n    - lost {s[:100]!r}" for s in lost)
                          + "".join(f"\n    + kept {s[:100]!r}" for s in kept))
    print(f"pages                 {pages}")
    print(f"errors                {errors}")
    print(f"with-share            {w_ok / max(1, w_n):.3f}  ({w_ok}/{w_n})")
    print(f"without-share         {wo_ok / max(1, wo_n):.3f}  ({wo_ok}/{wo_n})")
    print(f"navigation as title   {nav} pages")
    print(f"slowest page          {slow[1]}  {slow[0]:.2f} s")
    for line in shown:
        print("  " + line)
    for line in misses:
        print("  " + line)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
