"""Plain text of a PDF press release, ready for the text path of :func:`ngo_text.parse`.

Text comes from :mod:`pypdf` (pure Python, BSD; per page ``extract_text``). What a
PDF adds on top of the article, and what is undone here:

* running headers and footers (a line among the first or last three of a page that
  recurs, digits ignored, on at least half of the pages) and page numbers ("Seite 2
  von 3", "- 2 -", "2/3") are dropped;
* the letterhead before the title (address, phone, e-mail, web lines, the
  "Pressemitteilung" label) is dropped; the PDF's metadata title, when a line of the
  first page repeats it, marks where the article starts;
* hyphenated line breaks are rejoined ("Ermitt-" + "lungsbehörden" ->
  "Ermittlungsbehörden") while real hyphen compounds keep their hyphen ("EU-" +
  "Kommission" -> "EU-Kommission"; "Kinder-" + "und Jugendhilfe" stays apart);
* paragraphs are rebuilt from lines: pypdf's layout mode keeps vertical gaps as blank
  lines, which end paragraphs; without any gap, a line clearly shorter than the full
  ones does (headings, the title, the last line of a paragraph); a page that ends with
  a complete sentence ends its paragraph.

Encrypted PDFs (that need a password), damaged files and PDFs without a text layer
(scans: they need OCR) raise :class:`~ngo_text.errors.InputError`; at most
:data:`MAX_PDF_PAGES` pages are read.
"""
from __future__ import annotations

import datetime as _dt
import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, field

from ..errors import InputError, quiet_loggers
from .text import normalise_line

__all__ = ["MAX_PDF_PAGES", "PdfText", "is_pdf", "pdf_to_text"]

#: Pages read from one PDF (a press release has 1-4; more is read with a warning).
MAX_PDF_PAGES = 200

_PAGE_NO = re.compile(r"^(seite|page|s\.)?\s*[-–]?\s*\d{1,3}\s*[-–]?(\s*(von|/|of|aus)\s*\d{1,3})?$", re.I)
_LETTERHEAD = re.compile(
    r"@|\bwww\.|https?://|\b(tel|telefon|fax|phone)\b\.?:?|\b\d{5}\s+[A-ZÄÖÜ][a-zäöüß]|\s[·|•]\s"
    r"|^(pressemitteilung|presseinformation|pressemeldung|medienmitteilung)\b",
    re.I)
# words after a line-final hyphen that show a real hyphen ("Kinder- und Jugendhilfe")
_KEEP_HYPHEN_BEFORE = {"und", "oder", "bis", "sowie", "bzw", "bzw.", "als", "noch", "wie"}


@dataclass
class PdfText:
    """Text and metadata of a PDF."""

    text: str
    title: str | None = None
    created: _dt.date | None = None
    warnings: list[str] = field(default_factory=list)


def is_pdf(data: bytes) -> bool:
    """``True`` when ``data`` starts like a PDF file."""
    return data.lstrip()[:5] == b"%PDF-"


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", line.casefold()).strip()


def _created(meta) -> _dt.date | None:
    try:
        value = meta.creation_date if meta is not None else None
    except (ValueError, TypeError, KeyError):  # pypdf parses the date string lazily
        return None
    return value.date() if isinstance(value, _dt.datetime) else None


def _read(data: bytes, name: str) -> tuple[list[str], str | None, _dt.date | None, list[str]]:
    from pypdf import PdfReader

    warnings: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))  # "owner password only" PDFs open without one
            except Exception:  # noqa: BLE001 - unsupported encryption schemes raise assorted errors
                opened = False
            if not opened:
                raise InputError(f"{name} is an encrypted PDF that needs a password: not read.")
        n = len(reader.pages)
        pages = []
        for i, page in enumerate(reader.pages):
            if i >= MAX_PDF_PAGES:
                warnings.append(f"PDF has {n} pages: only the first {MAX_PDF_PAGES} were read")
                break
            # layout mode keeps vertical gaps as blank lines: the paragraph breaks
            pages.append(page.extract_text(extraction_mode="layout") or "")
        meta = reader.metadata
        title = normalise_line(str(meta.title)) if meta is not None and meta.title else None
        created = _created(meta)
        has_images = False
        if not any(p.strip() for p in pages):
            has_images = any(len(p.images) for p in reader.pages[:MAX_PDF_PAGES])
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many error types on damaged files
        raise InputError(f"{name} is not a readable PDF ({type(exc).__name__}: {str(exc)[:120]}).") from exc
    if not any(p.strip() for p in pages):
        if has_images:
            raise InputError(f"{name} has no text layer, only images (a scan): it needs OCR, "
                             "which ngo_text does not do.")
        raise InputError(f"{name} contains no text.")
    return pages, title, created, warnings


def _strip_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers and headers/footers that recur on at least half of the pages."""
    def edges(lines: list[str]) -> set[int]:
        filled = [i for i, ln in enumerate(lines) if ln]
        return set(filled[:3]) | set(filled[-3:])

    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_key(lines[i]) for i in edges(lines)})  # once per page
    need = max(2, (len(pages) + 1) // 2)
    out = []
    for n, lines in enumerate(pages):
        e = edges(lines)
        if n > 0:
            # a header on the following pages only (two-page releases): the short lines above
            # the first gap that read like a letterhead ("Pressemitteilung · Verein e. V.")
            filled = [i for i, ln in enumerate(lines) if ln]
            for i in filled[:2]:
                if i > filled[0] + 1 and not lines[i - 1]:
                    break
                if _LETTERHEAD.search(lines[i]) and len(lines[i]) <= 120:
                    lines = lines[:i] + [" "] + lines[i + 1:]  # removed below, index kept
        out.append([ln for i, ln in enumerate(lines) if ln != " "
                    and not (i in e and (_PAGE_NO.match(ln) or (len(pages) >= 2 and counts[_key(ln)] >= need)))])
    return out


def _strip_letterhead(lines: list[str], title: str | None) -> list[str]:
    """Lines of the first page from the article's title on."""
    if title:
        tkey = _key(title)
        for i, ln in enumerate(lines[:30]):
            if ln and (_key(ln) == tkey or (len(tkey) >= 20 and _key(ln).startswith(tkey[:40]))):
                return lines[i:]
    last = -1
    filled = [i for i, ln in enumerate(lines) if ln]
    for i in filled[:8]:
        if _LETTERHEAD.search(lines[i]):
            last = i
    # the letterhead is the lines up to its last address/contact/label line (an
    # organisation's name above it belongs to it)
    return lines[last + 1:] if 0 <= last < len(lines) - 1 else lines


def _paragraphs(lines: list[str], page_ends: set[int] | None = None) -> list[str]:
    """Paragraphs rebuilt from lines, hyphenated line breaks rejoined.

    ``page_ends``: indexes of the last line of each page; a page that ends with a
    complete sentence ends its paragraph there.
    """
    page_ends = page_ends or set()
    # blank lines (vertical gaps) mark paragraphs where the PDF has them; else a line
    # clearly shorter than the full ones ends its paragraph
    gaps = any(not ln for ln in lines)
    lengths = sorted(len(ln) for ln in lines if ln)
    full = lengths[int(0.8 * (len(lengths) - 1))] if lengths else 0
    paras: list[str] = []
    buf = ""
    for i, ln in enumerate(lines):
        if not ln:
            if buf:
                paras.append(buf)
                buf = ""
            continue
        if not buf:
            buf = ln
        elif re.search(r"[A-Za-zÄÖÜäöüß]-$", buf):
            first = ln.split(" ", 1)[0]
            if first.lower().rstrip(",.") in _KEEP_HYPHEN_BEFORE:
                buf += " " + ln          # "Kinder-" + "und Jugendhilfe"
            elif "-" in first.strip("-"):
                buf += ln                # "Ende-" + "zu-Ende-verschlüsselt": a compound chain
            elif ln[:1].islower():
                buf = buf[:-1] + ln      # "Ermitt-" + "lungsbehörden"
            else:
                buf += ln                # "EU-" + "Kommission"
        else:
            buf += " " + ln
        # a line clearly shorter than the full ones ends its paragraph (unless it is cut
        # at a hyphen or comma, i.e. continues)
        if (not gaps and len(ln) < 0.75 * full and not re.search(r"[-,;]$", ln)) \
                or (i in page_ends and re.search(r"[.!?“\"”]$", ln)):
            paras.append(buf)
            buf = ""
    if buf:
        paras.append(buf)
    return paras


def pdf_to_text(data: bytes, *, name: str = "the PDF") -> PdfText:
    """Article text of a PDF (paragraphs separated by blank lines) and its metadata.

    Raises:
        InputError: Encrypted with a password, damaged, or without a text layer.
    """
    with quiet_loggers({"pypdf": logging.ERROR}):  # its warnings about odd PDF syntax are noise here
        raw_pages, title, created, warnings = _read(data, name)
    pages = [[normalise_line(ln) for ln in p.split("\n")] for p in raw_pages]
    pages = _strip_running_lines(pages)
    if pages:
        pages[0] = _strip_letterhead(pages[0], title)
    lines: list[str] = []
    ends: set[int] = set()
    for p in pages:
        # a page break is no paragraph break by itself (see _paragraphs' page_ends)
        while p and not p[-1]:
            p = p[:-1]
        while p and not p[0]:
            p = p[1:]
        if p:
            lines += p
            ends.add(len(lines) - 1)
    paras = _paragraphs(lines, ends)
    return PdfText(text="\n\n".join(paras), title=title, created=created, warnings=warnings)
