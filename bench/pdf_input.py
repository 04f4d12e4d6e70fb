"""PDF press releases: the sample articles written as PDFs and read back.

Each text sample of ``data/articles`` is written as a PDF (fpdf2, the dev extra) with a
letterhead, a running header on the following pages, "Seite N von M" footers, hyphenated
line breaks and a two-column contact box (every fifth one three times as long, over
several pages), the generator of ``tests/test_pdf.py``. Prints how many read back with
the same title, dateline, lead and paragraphs as the text, how many hyphenated breaks
(word splits and hyphen compounds) came back whole, and the reading time.

    python bench/pdf_input.py
"""
from __future__ import annotations

import csv
import dataclasses
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from ngo_text import parse  # noqa: E402
from ngo_text.parsing.pdf import pdf_to_text  # noqa: E402
from test_pdf import make_pdf  # noqa: E402


def main() -> int:
    with open(ROOT / "data" / "metadata.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["file"].endswith(".txt")]
    same = fields = 0
    words = words_ok = compounds = compounds_ok = 0
    seconds = 0.0
    for i, row in enumerate(rows):
        art = parse(ROOT / "data" / row["file"])
        if i % 5 == 0:
            art = dataclasses.replace(art, paragraphs=art.paragraphs * 3, quotes=[])
        data, broken = make_pdf(art, row["organisation"])
        t0 = time.perf_counter()
        a = parse(data)
        seconds += time.perf_counter() - t0
        text = pdf_to_text(data).text
        checks = [a.title == art.title, a.dateline == art.dateline, a.lead == art.lead,
                  a.paragraphs == art.paragraphs]
        same += all(checks)
        fields += sum(checks)
        for word, head in broken:
            if word.startswith(head):
                compounds += 1
                compounds_ok += word in text
            else:
                words += 1
                words_ok += word in text
    n = len(rows)
    print(f"sample PDFs                       {n}")
    print(f"read like the text (all fields)   {same}/{n}")
    print(f"fields equal (title, dateline, lead, paragraphs)  {fields}/{4 * n}")
    print(f"hyphenated word splits rejoined   {words_ok}/{words}")
    print(f"hyphen compounds kept whole       {compounds_ok}/{compounds}")
    print(f"mean parse time per PDF           {seconds / n * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
