"""Quality report of ``ngo_text.parse`` over the bundled sample corpus (data/).

Usage::

    python bench/parse_report.py [DATA_DIR] [--quiet]

For every article in ``data/metadata.csv`` prints the title, dateline, number
of paragraphs, quotes (``speaker | role | organisation``), teasers and parser
warnings, and flags suspicious items:

* title differs from the metadata title;
* a dateline ("Ort – ...") in the source, but ``dateline`` unset;
* empty quote text, a speaker that is no person name ("Die Organisation"),
  an organisation with trailing punctuation;
* teasers: count differs from ``related_ids``, a teaser title that is not the
  title of a related article, an HTML teaser without URL (or with a URL that is
  not the related article's URL);
* boilerplate (donation, newsletter, cookie, login, Impressum ...) in the lead,
  paragraphs or quotes.

Ends with the number of articles and flags; exit status 1 when anything is flagged.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from pathlib import Path

#: Phrases that betray boilerplate in body text (donation calls, newsletter, cookies,
#: login, footer); plain mentions of "Spenden" or "Newsletter" in a sentence are fine.
BOILERPLATE_RE = re.compile(
    r"jetzt\s+(?:online\s+)?spenden|mit\s+ihrer\s+spende|spendenkonto|\biban\b|"
    r"newsletter\s+(?:abonnieren|bestellen)|newsletter\s*:|\bcookie|"
    r"\b(?:login|einloggen|log\s?in|sign\s+in|mein\s+konto)\b|\bimpressum\b|datenschutzerklärung|"
    r"pressekontakt|folgen\s+sie\s+uns|alle\s+rechte\s+vorbehalten|[\w.+-]+@[\w-]+\.\w+", re.I)
#: A person name: 2-4 capitalised words (particles allowed), no article/determiner first.
_NAME_RE = re.compile(r"^(?:(?:Dr|Prof|Dipl)\.(?:-\w+\.)?\s+)*[A-ZÄÖÜ][\w'’.-]+"
                      r"(?:\s+(?:von|van|de|der|zu|al|el|ten|vom)\b)?(?:\s+[A-ZÄÖÜ][\w'’.-]+){1,3}$")
_NOT_NAME_FIRST = {"der", "die", "das", "den", "dem", "ein", "eine", "unsere", "unser", "wir", "sie"}
_DATELINE_SRC_RE = re.compile(r"^\s*(?:<p[^>]*>\s*)?(?:<strong>|<b>)?[A-ZÄÖÜ][\w./ -]{1,40}"
                              r"(?:,\s*[^–—\n]{4,30})?(?:</strong>|</b>)?\s+[–—]\s", re.M)


def _is_person(name: str | None) -> bool:
    if not name:
        return False
    first = name.split()[0].lower()
    return first not in _NOT_NAME_FIRST and bool(_NAME_RE.match(name))


def _norm(s: str) -> str:
    return " ".join(s.replace("&amp;", "&").split()).casefold()


def report(data: Path, *, quiet: bool = False) -> int:
    import ngo_text

    with open(data / "metadata.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_id = {r["id"]: r for r in rows}
    n_flags = 0
    flagged_articles = 0
    seconds = 0.0
    for r in rows:
        path = data / r["file"]
        t0 = time.perf_counter()
        art = ngo_text.parse(path)
        seconds += time.perf_counter() - t0
        raw = path.read_text(encoding="utf-8")
        flags: list[str] = []
        if _norm(art.title) != _norm(r["title"]):
            flags.append(f"title differs from metadata: {r['title']!r}")
        if not art.dateline and _DATELINE_SRC_RE.search(raw):
            flags.append("source has 'Ort – ' but dateline is unset")
        for q in art.quotes:
            if not q.text.strip():
                flags.append(f"empty quote text (speaker {q.speaker!r})")
            if q.speaker is not None and not _is_person(q.speaker):
                flags.append(f"speaker is not a person name: {q.speaker!r}")
            if q.organisation and re.search(r"(?:[,;:!?–-]|\w\w\.)$", q.organisation):
                flags.append(f"organisation with trailing punctuation: {q.organisation!r}")
            if BOILERPLATE_RE.search(q.text):
                flags.append(f"boilerplate in quote: {q.text[:80]!r}")
        for i, p in enumerate([art.lead, *art.paragraphs]):
            m = BOILERPLATE_RE.search(p)
            if m:
                flags.append(f"boilerplate {m.group(0)!r} in {'lead' if i == 0 else f'paragraph {i}'}: "
                             f"{p[:80]!r}")
        related = [by_id[x] for x in r["related_ids"].split(";") if x]
        rel_titles = {_norm(x["title"]): x for x in related}
        if len(art.teasers) != len(related):
            flags.append(f"{len(art.teasers)} teasers, {len(related)} related_ids")
        for t in art.teasers:
            target = rel_titles.get(_norm(t.title))
            if target is None:
                flags.append(f"teaser title is not a related title: {t.title!r}")
            if path.suffix == ".html":
                if not t.url:
                    flags.append(f"HTML teaser without URL: {t.title!r}")
                elif target is not None and t.url != target["url"]:
                    flags.append(f"teaser URL {t.url!r} != {target['url']!r}")
            elif not t.summary:
                flags.append(f"text teaser without summary: {t.title!r}")
        n_flags += len(flags)
        flagged_articles += bool(flags)
        if quiet and not flags:
            continue
        print(f"== {r['id']} ({path.suffix[1:]}): {art.title}")
        print(f"   dateline={art.dateline!r} published={art.published} paragraphs={len(art.paragraphs)}"
              f" lead={len(art.lead)} chars")
        for q in art.quotes:
            print(f"   quote: {q.speaker} | {q.role} | {q.organisation} :: {q.text[:60]!r}")
        for t in art.teasers:
            print(f"   teaser: {t.title!r} url={t.url!r} summary={bool(t.summary)}")
        for w in art.warnings:
            print(f"   warning: {w}")
        for fl in flags:
            print(f"   !! {fl}")
    print(f"\narticles={len(rows)} flagged_articles={flagged_articles} flags={n_flags} "
          f"parse_seconds={seconds:.2f}")
    return 1 if n_flags else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", nargs="?", default=str(Path(__file__).resolve().parents[1] / "data"))
    ap.add_argument("--quiet", action="store_true", help="print only flagged articles")
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not (data / "metadata.csv").exists():
        sys.exit(f"metadata.csv not found in {data}")
    return report(data, quiet=args.quiet)


if __name__ == "__main__":
    sys.exit(main())
