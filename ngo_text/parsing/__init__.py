"""Structure parsing: any input -> :class:`~ngo_text.model.Article` (no NLP model).

``parse(source)`` reads the input (:mod:`.sources`), extracts the main text of
HTML pages (:mod:`.html`, trafilatura), splits title, dateline, lead, paragraphs
and teasers and drops boilerplate (:mod:`.text`), and finds quotations with
their speakers (:mod:`.quotes`).
"""
from __future__ import annotations

import datetime as _dt
import os

from ..model import Article
from ..model import to_date
from .quotes import extract_quotes
from .pagecopy import article_from_page_copy, looks_like_page_copy
from .sources import guess_language, read_source, text_id
from .text import analyse_blocks, analyse_text

__all__ = ["parse"]


def parse(source: str | bytes | os.PathLike, *, url: str | None = None,
          published: _dt.date | _dt.datetime | str | None = None,
          id: str | None = None) -> Article:  # noqa: A002 - "id" is the Article field name
    """Parse a press release into an :class:`~ngo_text.model.Article` (structure only).

    Args:
        source: Plain text or HTML as ``str``; ``bytes`` (UTF-8, UTF-16 with BOM,
            cp1252/latin-1); a ``pathlib.Path`` / ``os.PathLike`` (always read
            as a file); or a ``str`` that is a single line ending in ``.txt``,
            ``.html``, ``.htm``, ``.md`` or ``.pdf`` naming an existing file. PDF
            (path or bytes) is read by :mod:`ngo_text.parsing.pdf` (text layer,
            running headers/footers and letterhead dropped, hyphenated line breaks
            rejoined). Plain text copied from a whole web page is reduced to its
            article (:mod:`ngo_text.parsing.pagecopy`, with a warning).
        url: The article URL (stored; makes HTML teaser links absolute).
        published: Publication date (``date``, ``datetime`` or ISO string). When
            omitted it comes from the HTML metadata, from the dateline
            ("Berlin, 5. Mai 2021 –") or from a PDF's creation date.
        id: Article id. Default: the file stem for paths, else the first 12 hex
            digits of the SHA-1 of the decoded text.

    Returns:
        An Article with ``title``, ``dateline``, ``lead``, ``paragraphs``,
        ``quotes``, ``teasers``, ``language`` (approximate guess), ``source``
        (the path, ``"<text>"`` or ``"<html>"``), ``id`` and ``warnings``
        (repaired encoding, truncation, non-German text, extraction problems).
        Donation calls, newsletter/login/cookie lines and the site footer are
        kept out of every field.

    Raises:
        InputError: Empty or whitespace-only input, binary data, a missing or
            unreadable file, an unsupported type or an invalid ``published``.
    """
    src = read_source(source)
    warnings = list(src.warnings)
    pub = to_date(published, strict=True)
    art = Article(url=url, source=src.source)
    if src.is_html:
        from .html import extract_html

        res = extract_html(src.text, url=url)
        warnings.extend(res.warnings)
        st = analyse_blocks(res.blocks, title=res.title, join=False, teasers=res.teasers)
        art.author, art.site_name = res.author, res.site_name
        art.url = url or res.url
        pub = pub or res.published
    else:
        text = src.text
        if looks_like_page_copy(text):
            copy = article_from_page_copy(text)
            if copy is not None:
                text = copy.text
                warnings.extend(copy.warnings)
        st = analyse_text(text)
    warnings.extend(st.warnings)
    art.title, art.dateline, art.lead, art.paragraphs, art.teasers = (
        st.title, st.dateline, st.lead, list(st.paragraphs), st.teasers)
    art.published = pub or st.dateline_date or src.meta_date
    body = [p for p in [art.lead, *art.paragraphs] if p]
    art.quotes = extract_quotes(body)
    if not body:
        warnings.append("no body text found" + (" (only a title)" if art.title else ""))
    art.language = guess_language(art.text or src.text[:20000])
    if art.language and art.language != "de":
        warnings.append(f"text looks like language {art.language!r}, not German (approximate "
                        "stopword-based guess); German rules and models may not fit")
    elif art.language is None and len(art.text.split()) >= 20:
        warnings.append("language could not be determined (approximate stopword-based guess)")
    art.id = id or src.id or text_id(src.text)
    art.warnings = warnings
    return art
