"""PDF press releases: generated from the sample articles with a letterhead, running header,
page numbers, hyphenated line breaks and a contact box; read back by ``parse``."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from ngo_text import InputError, parse
from ngo_text.parsing.pdf import MAX_PDF_PAGES, pdf_to_text

fpdf = pytest.importorskip("fpdf", reason="the dev extra writes the test PDFs: pip install -e '.[dev]'")

DATA = Path(__file__).resolve().parents[1] / "data"
HEADER = "Pressemitteilung · {org}"
_KW = dict(new_x="LMARGIN", new_y="NEXT")


def _wrap(pdf, text: str, width: float, broken: list[tuple[str, str]]) -> list[str]:
    """Lines of at most ``width``; long words split with a hyphen (recorded in ``broken``
    as (word, how it was split)), hyphen compounds split after their hyphen."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        cand = f"{line} {word}" if line else word
        if pdf.get_string_width(cand) <= width:
            line = cand
            continue
        head = None
        if "-" in word[1:-1] and word.replace("-", "").isalpha():
            k = word.index("-", 1) + 1
            if pdf.get_string_width(f"{line} {word[:k]}") <= width:
                head = word[:k]
        elif word.isalpha() and len(word) >= 8:
            for k in range(len(word) - 3, 2, -1):
                if pdf.get_string_width(f"{line} {word[:k]}-") <= width:
                    head = word[:k] + "-"
                    break
        if head is not None and line:
            lines.append(f"{line} {head}")
            broken.append((word, head))
            # "Kin-" of "Kinderschutz": the rest after the letters; "Ende-" of a compound: after the hyphen
            line = word[len(head):] if word.startswith(head) else word[len(head) - 1:]
        else:
            if line:
                lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def make_pdf(article, org: str, *, contact: bool = True, title_meta: bool = True) -> tuple[bytes, list]:
    """A press-release PDF of a parsed article; returns the bytes and the hyphenated breaks."""
    from fpdf import FPDF

    class Release(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", size=8)
            if self.page_no() == 1:  # letterhead
                self.cell(0, 4, f"{org} e. V.", **_KW)
                self.cell(0, 4, "Musterstraße 12 · 10115 Berlin · Tel. 030 1234567 · www.beispiel-verein.de", **_KW)
            else:  # running header
                self.cell(0, 4, HEADER.format(org=org), **_KW)
            self.ln(6)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", size=8)
            self.cell(0, 5, f"Seite {self.page_no()} von {{nb}}", align="C")

    pdf = Release()
    pdf.core_fonts_encoding = "windows-1252"
    if title_meta:
        pdf.set_title(article.title)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    broken: list[tuple[str, str]] = []
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, article.title, **_KW)
    pdf.ln(4)
    pdf.set_font("Helvetica", size=11)
    first = f"{article.dateline} – {article.lead}" if article.dateline else article.lead
    for para in [first, *article.paragraphs]:
        for ln in _wrap(pdf, para, width, broken):
            pdf.cell(0, 5.5, ln, **_KW)
        pdf.ln(3)
    if contact:
        pdf.ln(4)
        pdf.set_font("Helvetica", size=9)
        pdf.cell(width / 2, 5, "Pressekontakt: Lena Muster")
        pdf.cell(width / 2, 5, "presse@beispiel-verein.de", **_KW)
        pdf.cell(width / 2, 5, "Tel. 030 1234567-89")
        pdf.cell(width / 2, 5, "www.beispiel-verein.de", **_KW)
    return bytes(pdf.output()), broken


def _samples():
    with open(DATA / "metadata.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["file"].endswith(".txt")]
    return rows


@pytest.fixture(scope="module")
def pdfs():
    import dataclasses

    out = []
    for i, row in enumerate(_samples()):
        art = parse(DATA / row["file"])
        if i % 5 == 0:  # a longer release over several pages: running header and page numbers
            art = dataclasses.replace(art, paragraphs=art.paragraphs * 3, quotes=[])
        data, broken = make_pdf(art, row["organisation"])
        out.append((row["file"], art, data, broken))
    return out


def test_pdfs_read_like_their_text(pdfs):
    from pypdf import PdfReader

    assert len(pdfs) >= 20
    multi_page = 0
    for name, art, data, _ in pdfs:
        a = parse(data)
        assert a.source == "<pdf>"
        assert (a.title, a.dateline, a.lead) == (art.title, art.dateline, art.lead), name
        assert a.paragraphs == art.paragraphs, name
        if art.quotes:
            assert [(q.text, q.speaker) for q in a.quotes] == [(q.text, q.speaker) for q in art.quotes], name
        fields = [a.title or "", a.lead or "", *a.paragraphs]
        for f in fields:  # no letterhead, running header, page number or contact line
            for junk in ("Seite ", "Pressemitteilung ·", "Musterstraße", "presse@", "Pressekontakt"):
                assert junk not in f, (name, f)
        multi_page += len(PdfReader(io.BytesIO(data)).pages) > 1
    assert multi_page >= 3  # running headers and page numbers were exercised


def test_hyphenated_line_breaks_are_rejoined(pdfs):
    n_words = n_compounds = 0
    for name, _art, data, broken in pdfs:
        text = pdf_to_text(data).text
        for word, head in broken:
            assert word in text, (name, word, head)
            n_compounds += head.endswith("-") and "-" in word[:-1] and word.startswith(head)
            n_words += not (word.startswith(head))
    assert n_words >= 10 and n_compounds >= 1, (n_words, n_compounds)


def test_pdf_path_metadata_and_without_title_metadata(tmp_path, pdfs):
    name, art, _data, _ = pdfs[0]
    data, _ = make_pdf(art, "Beispielverein", title_meta=False, contact=False)
    path = tmp_path / "meldung.pdf"
    path.write_bytes(data)
    a = parse(path)
    assert a.id == "meldung" and a.title == art.title and a.paragraphs == art.paragraphs
    assert parse(str(path)).title == art.title


def test_broken_pdfs_give_clear_errors(pdfs, tmp_path):
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    _, _art, good, _ = pdfs[0]
    cases = {"truncated": good[: len(good) // 3], "garbage": b"%PDF-1.4\n" + bytes(range(256)) * 20}
    # encrypted with a user password
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(good)))
    writer.encrypt("geheim")
    buf = io.BytesIO()
    writer.write(buf)
    cases["encrypted"] = buf.getvalue()
    # a scan: one image, no text layer
    img = FPDF()
    img.add_page()
    png = tmp_path / "scan.png"
    png.write_bytes(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8ffff3f0005fe02fe"
        "a7d2b1a00000000049454e44ae426082"))
    img.image(str(png), x=10, y=10, w=50)
    cases["scan"] = bytes(img.output())
    empty = FPDF()
    empty.add_page()
    cases["empty"] = bytes(empty.output())
    expected = {"truncated": "not a readable PDF", "garbage": "not a readable PDF", "encrypted": "password",
                "scan": "OCR", "empty": "no text"}
    for what, data in cases.items():
        with pytest.raises(InputError, match=expected[what]):
            parse(data)


def test_page_limit(monkeypatch, pdfs):
    from pypdf import PdfReader

    data = next(d for _, _, d, _ in pdfs if len(PdfReader(io.BytesIO(d)).pages) > 1)
    full = pdf_to_text(data)
    assert MAX_PDF_PAGES >= 100 and not full.warnings
    monkeypatch.setattr("ngo_text.parsing.pdf.MAX_PDF_PAGES", 1)
    cut = pdf_to_text(data)
    assert any("only the first 1 were read" in w for w in cut.warnings)
    assert 0 < len(cut.text) < len(full.text)
