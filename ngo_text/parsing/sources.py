"""Input handling for :func:`ngo_text.parse`: paths, bytes, decoding, sanity checks.

Everything here is cheap and model-free:

* :func:`read_source` turns a ``str`` / ``bytes`` / path into a :class:`SourceText`
  (decoded text, whether it is HTML, a source label, an id and warnings).
* :func:`decode_bytes` decodes UTF-8 (with or without BOM), UTF-16 with BOM and
  falls back to cp1252 / latin-1, so umlauts survive in legacy files.
* :func:`repair_mojibake` repairs UTF-8 read as cp1252 ("GrÃ¼ÃŸe" -> "Grüße")
  with ftfy, only when typical mojibake sequences are present (fast on big input).
* :func:`guess_language` is an *approximate* language guess from the share of
  frequent function words (see ``resources/stopwords.txt``); it is good enough to
  flag a non-German text, not a language identifier.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .pdf import is_pdf, pdf_to_text
from typing import Any

from ..errors import InputError

#: Texts longer than this (characters) are truncated with a warning.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
MAX_TEXT_CHARS = 2_000_000
#: HTML longer than this (characters) is stripped of scripts/styles and then truncated.
MAX_HTML_CHARS = 3_000_000
#: Files larger than this (bytes) are refused.
MAX_FILE_BYTES = 200_000_000

PATH_SUFFIXES = (".txt", ".html", ".htm", ".md", ".xhtml", ".pdf")

_BINARY_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (docx/xlsx/odt?)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x7fELF", "an executable"),
    (b"\xd0\xcf\x11\xe0", "an old MS Office document"),
)

_MOJIBAKE_RE = re.compile(r"[ÃÂ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]|â€|Ã\s")
_HTML_START_RE = re.compile(r"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|div|article|section|p|h[1-6]|table|span|ul)\b", re.I | re.S)
_HTML_TAG_RE = re.compile(r"</?(html|body|div|p|span|a|br|li|ul|h[1-6]|article|section|table|td|tr|script|meta|img)\b[^>]*>", re.I)


@dataclass
class SourceText:
    """A decoded input ready for structure parsing.

    Attributes:
        text: The decoded text or HTML markup.
        is_html: ``True`` when ``text`` is HTML markup.
        source: A path string, or ``"<text>"`` / ``"<html>"`` for in-memory input.
        id: File stem for paths, else ``None`` (the parser then hashes the text).
        warnings: Non-fatal problems met while reading (repaired encoding, truncation).
    """

    text: str
    is_html: bool
    source: str
    id: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: the document's own metadata (PDF: title, creation date), ``None`` when absent
    meta_title: str | None = None
    meta_date: _dt.date | None = None


def read_source(source: str | bytes | os.PathLike) -> SourceText:
    """Read any supported input into a :class:`SourceText`.

    Args:
        source: Text or HTML as ``str``; raw ``bytes`` (any supported encoding);
            a :class:`pathlib.Path` / ``os.PathLike`` (always read as a file); or a
            ``str`` that looks like a path (a single line ending in ``.txt``,
            ``.html``, ``.htm``, ``.md``) which is read as a file when it exists.

    Raises:
        InputError: Unsupported type, missing/unreadable file, binary data,
            empty or whitespace-only text.
    """
    warnings: list[str] = []
    label: str | None = None
    stem: str | None = None
    pdf = None
    if isinstance(source, os.PathLike) or (isinstance(source, str) and _looks_like_path(source)):
        path = Path(os.fspath(source))
        data = _read_file(path)
        label, stem = str(path), path.stem
        if is_pdf(data):
            pdf = pdf_to_text(data, name=str(path))
            text = pdf.text
        else:
            text = decode_bytes(data, warnings)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        if is_pdf(bytes(source[:1024])):
            pdf = pdf_to_text(bytes(source), name="the PDF")
            text = pdf.text
        else:
            text = decode_bytes(bytes(source), warnings)
    elif isinstance(source, str):
        if "\x00" in source[:100_000]:
            raise InputError("The text contains NUL characters: this looks like binary data, "
                             "not an article. Pass the text or HTML of a press release.")
        text = source.lstrip("\ufeff")
        if _SURROGATE_RE.search(text):
            # str from a bad decode (surrogateescape) or JSON with a lone "\\ud800"
            n = len(_SURROGATE_RE.findall(text))
            text = _SURROGATE_RE.sub("\ufffd", text)
            warnings.append(f"replaced {n} lone surrogate character(s) by U+FFFD")
    else:
        raise InputError(f"Cannot parse an object of type {type(source).__name__}: pass a str "
                         "(text or HTML), bytes, or a path (pathlib.Path).")
    if not text.strip():
        where = f" ({label})" if label else ""
        raise InputError(f"The input is empty or whitespace only{where}: nothing to parse. "
                         "Pass the text or HTML of an article.")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    is_html = pdf is None and looks_like_html(text) or (pdf is None and label is not None and label.lower().endswith((".html", ".htm", ".xhtml"))
                                        and "<" in text[:5000])
    text = _cap_size(text, is_html, warnings)
    text, fixed = repair_mojibake(text)
    if fixed:
        warnings.append("repaired mojibake (UTF-8 text that had been decoded as cp1252/latin-1)")
    if label is None:
        label = "<pdf>" if pdf is not None else "<html>" if is_html else "<text>"
    if pdf is not None:
        return SourceText(text=text, is_html=False, source=label, id=stem, warnings=pdf.warnings + warnings,
                          meta_title=pdf.title, meta_date=pdf.created)
    return SourceText(text=text, is_html=is_html, source=label, id=stem, warnings=warnings)


def _looks_like_path(s: str) -> bool:
    if len(s) > 4096 or "\n" in s or not s.strip():
        return False
    t = s.strip()
    if not t.lower().endswith(PATH_SUFFIXES):
        return False
    if os.path.exists(t):
        return True
    # a missing file: only call it a path when it clearly is one
    return "/" in t or "\\" in t or not re.search(r"\s", t)


def _read_file(path: Path) -> bytes:
    try:
        if not path.exists():
            raise InputError(f"File not found: {path}. Pass an existing path, or the text itself as a str.")
        if path.is_dir():
            raise InputError(f"{path} is a directory, not a file: pass one article file.")
        check_regular_file(path)
        with path.open("rb") as fh:
            return read_limited(fh, str(path))
    except InputError:
        raise
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc}") from exc


def check_regular_file(path: Path) -> None:
    """Raise :class:`InputError` unless ``path`` is a regular file (not a FIFO, device or socket).

    Opening a FIFO blocks until someone writes to it, and a device like
    ``/dev/zero`` never ends: neither is an article.
    """
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
        raise InputError(f"{path} is {kind}, not an article file: not read.")


def read_limited(stream: Any, name: str, limit: int | None = None) -> bytes:
    """Read at most ``limit`` (default :data:`MAX_FILE_BYTES`) bytes; more raises :class:`InputError`.

    The size a file reports is not trusted (``/proc`` files and pipes report 0).
    """
    limit = MAX_FILE_BYTES if limit is None else limit
    data = stream.read(limit + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > limit:
        raise InputError(f"{name} is over {limit:,} bytes; larger inputs are refused.")
    return data


def decode_bytes(data: bytes, warnings: list[str] | None = None) -> str:
    """Decode raw bytes to text.

    Order: refuse binary data; honour a BOM (UTF-8, UTF-16); strict UTF-8; a
    ``charset`` declared in HTML/XML; cp1252; latin-1 (never fails).

    Args:
        data: Raw bytes.
        warnings: Optional list that receives a note when a fallback was used.

    Raises:
        InputError: Empty or binary data (NUL bytes, image/PDF/archive headers).
    """
    warnings = warnings if warnings is not None else []
    if not data.strip():
        raise InputError("The input is empty or whitespace only: nothing to parse.")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise InputError(f"The input is {what}, not text: pass the text or HTML of an article.")
    head = data[:65536]
    if b"\x00" in head:
        raise InputError("The input contains NUL bytes: this is binary data (or UTF-16 without BOM), "
                         "not an article. Pass UTF-8 or cp1252 text or HTML.")
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if controls > max(8, len(head) // 50):
        raise InputError("The input contains many control bytes: this looks like binary data, not text.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = re.search(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]{2,40})""", head[:4096], re.I)
    if m:
        enc = m.group(1).decode("ascii", "ignore").lower()
        if enc not in ("utf-8", "utf8"):
            try:
                text = data.decode(enc)
                warnings.append(f"decoded as {enc} (declared charset)")
                return text
            except (LookupError, UnicodeDecodeError):
                pass
    try:
        text = data.decode("cp1252")
        warnings.append("input was not UTF-8; decoded as cp1252 (Windows-1252)")
        return text
    except UnicodeDecodeError:
        warnings.append("input was not UTF-8; decoded as latin-1")
        return data.decode("latin-1")


def repair_mojibake(text: str) -> tuple[str, bool]:
    """Repair UTF-8-as-cp1252 mojibake ("GrÃ¼ÃŸe" -> "Grüße") with ftfy.

    ftfy only runs when typical mojibake sequences occur, and on big inputs only
    on the lines that contain them, so this stays fast on large texts.

    Returns:
        The (possibly) repaired text and whether anything was changed.
    """
    if not _MOJIBAKE_RE.search(text):
        return text, False
    import ftfy

    if len(text) <= 200_000:
        fixed = ftfy.fix_encoding(text)
    else:
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if _MOJIBAKE_RE.search(line):
                lines[i] = ftfy.fix_encoding(line)
        fixed = "\n".join(lines)
    return fixed, fixed != text


def looks_like_html(text: str) -> bool:
    """``True`` when ``text`` is HTML markup rather than plain text (cheap heuristic)."""
    head = text[:20000]
    if _HTML_START_RE.match(head):
        return True
    tags = len(_HTML_TAG_RE.findall(head))
    return tags >= 5 and tags * 40 >= len(head.split())


_STRIP_RE = re.compile(r"<(script|style|svg|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)


# inline payloads that are no text: data: URIs (base64 images, fonts) and any attribute
# value over 2,000 characters (serialised state, inline SVG paths)
_PAYLOAD_RE = re.compile(r"""data:[\w/+.-]+(?:;[\w=.-]+)*,[^"'\s)>]{200,}|=\s*(["'])[^"']{2000,}\1""")


def _drop_payload(m: re.Match) -> str:
    return '=""' if m.group(1) else "data:,"


def _cap_size(text: str, is_html: bool, warnings: list[str]) -> str:
    if is_html:
        if len(text) > MAX_HTML_CHARS:
            # a page is big because of scripts, styles or inline payloads far more often
            # than because of its text: drop those before any cut
            text = _PAYLOAD_RE.sub(_drop_payload, _STRIP_RE.sub(" ", text))
            if len(text) > MAX_HTML_CHARS:
                warnings.append(f"HTML truncated from {len(text)} to {MAX_HTML_CHARS} characters")
                text = text[:MAX_HTML_CHARS]
        return text
    if len(text) > MAX_TEXT_CHARS:
        cut = text.rfind("\n", 0, MAX_TEXT_CHARS)
        cut = cut if cut > MAX_TEXT_CHARS // 2 else MAX_TEXT_CHARS
        warnings.append(f"text truncated from {len(text)} to {cut} characters")
        text = text[:cut]
    return text


def text_id(text: str) -> str:
    """A short stable id for in-memory input: the first 12 hex digits of its SHA-1."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


@lru_cache(maxsize=1)
def _stopwords() -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    raw = resources.files("ngo_text.resources").joinpath("stopwords.txt").read_text(encoding="utf-8")
    for line in raw.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and ":" in line:
            lang, words = line.split(":", 1)
            out[lang.strip()] = frozenset(words.split())
    return out


_WORD_RE = re.compile(r"[^\W\d_]+", re.U)


def guess_language(text: str, *, max_words: int = 3000) -> str | None:
    """Approximate language of ``text`` from the share of frequent function words.

    Counts, over the first ``max_words`` words, how many belong to each language's
    list in ``resources/stopwords.txt`` (de, en, fr, es, it, nl) and returns the
    best language if it covers at least 8 % of the words. This is a cheap guess,
    meant to flag non-German input, not a language identifier.

    Returns:
        An ISO 639-1 code, or ``None`` when the text is too short or unclear.
    """
    words = [w.lower() for w in _WORD_RE.findall(text[: max_words * 12])][:max_words]
    if len(words) < 5:
        return None
    best, best_n = None, 0
    for lang, stop in _stopwords().items():
        n = sum(1 for w in words if w in stop)
        if n > best_n:
            best, best_n = lang, n
    if best is None or best_n < max(2, 0.08 * len(words)):
        return None
    return best
