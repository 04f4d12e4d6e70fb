"""Jupyter views of an article: entity highlighting (displaCy) and the structure as HTML.

A leaf module below :mod:`ngo_text.model`: it imports no other ngo_text module
and reads an :class:`~ngo_text.model.Article` through its attributes, so the
model can render itself (``Article._repr_html_``) without knowing the stages
above it. :mod:`ngo_text.corpus` re-exports these names.
"""
from __future__ import annotations

import html as _html
from typing import Any

__all__ = ["displacy_html", "structure_html", "ENTITY_COLORS"]

#: displaCy colours per entity label (distinct hues, readable with black text).
ENTITY_COLORS = {
    "AGENCY": "#f4a261",  # orange
    "ORG": "#7aecec",     # cyan
    "PER": "#c39bd3",     # violet
    "LOC": "#a3e4a1",     # green
    "DATE": "#f9e07f",    # yellow
    "MISC": "#d9d9d9",    # grey
}


def displacy_html(article_or_doc: Any, *, jupyter: bool | None = False,
                  colors: dict[str, str] | None = None) -> str | None:
    """Entity highlighting with spaCy's displaCy ``"ent"`` style.

    An :class:`~ngo_text.model.Article` (anything with ``entities`` and
    ``text``) is rendered in manual mode from its entities over its text (no
    model needed); a spaCy ``Doc`` is rendered from ``doc.ents``. Colours: :data:`ENTITY_COLORS` (AGENCY, ORG, PER, LOC,
    DATE, MISC distinct).

    Args:
        article_or_doc: An :class:`~ngo_text.model.Article` or a spaCy ``Doc``.
        jupyter: ``False`` (default) returns the HTML string; ``True`` displays
            it in the notebook and returns ``None``; ``None`` lets displaCy decide.
        colors: Overrides of the label colours.

    Returns:
        The HTML markup, or ``None`` when it was displayed.
    """
    from spacy import displacy

    options: dict[str, Any] = {"colors": {**ENTITY_COLORS, **(colors or {})}}
    # told apart by attributes (a Doc has no ``entities``): this module imports no model
    if hasattr(article_or_doc, "entities") and hasattr(article_or_doc, "text"):
        art = article_or_doc
        text = art.text
        ents: list[dict[str, Any]] = sorted(
            ({"start": e.start, "end": e.end, "label": e.label} for e in art.entities
             if 0 <= e.start < e.end <= len(text)),
            key=lambda d: (d["start"], -d["end"]),
        )
        # displaCy cannot draw overlaps: keep the first (longest) of overlapping spans
        kept, last_end = [], -1
        for ent in ents:
            if ent["start"] >= last_end:
                kept.append(ent)
                last_end = ent["end"]
        data = {"text": text, "ents": kept, "title": None}
        options["ents"] = sorted({e["label"] for e in kept} | set(ENTITY_COLORS))
        return displacy.render(data, style="ent", manual=True, jupyter=jupyter, options=options)
    if hasattr(article_or_doc, "ents") and hasattr(article_or_doc, "text"):
        labels = sorted({e.label_ for e in article_or_doc.ents} | set(ENTITY_COLORS))
        options["ents"] = labels
        return displacy.render(article_or_doc, style="ent", jupyter=jupyter, options=options)
    raise TypeError(f"displacy_html needs an Article or a spaCy Doc, not {type(article_or_doc).__name__}")


def structure_html(article: Any) -> str:
    """HTML view of an article's structure: title, dateline, lead, paragraphs, quotes, teasers.

    ``article`` is an :class:`~ngo_text.model.Article`. Used by
    ``Article._repr_html_`` so an Article displays itself in Jupyter. All text
    is HTML-escaped.
    """
    e = _html.escape
    parts = ['<div class="ngo-article" style="font-family:sans-serif;max-width:48em">']
    meta = [m for m in (
        f"id <code>{e(str(article.id))}</code>" if article.id else "",
        e(article.published.isoformat()) if article.published else "",
        f'<a href="{e(article.url, quote=True)}">{e(article.url)}</a>' if article.url else "",
    ) if m]
    if meta:
        parts.append(f'<div style="color:#666;font-size:85%">{" · ".join(meta)}</div>')
    parts.append(f"<h3>{e(article.title) or '<i>(no title)</i>'}</h3>")
    if article.topics:
        tags = " ".join(
            f'<span style="background:#eef;border-radius:3px;padding:0 4px">{e(t.label)} '
            f"({t.score:.2f})</span>" for t in article.topics)
        parts.append(f"<div>{tags}</div>")
    if article.lead or article.dateline:
        dl = f"<b>{e(article.dateline)} –</b> " if article.dateline else ""
        parts.append(f"<p><i>{dl}{e(article.lead)}</i></p>")
    for p in article.paragraphs:
        parts.append(f"<p>{e(p)}</p>")
    if article.quotes:
        parts.append("<h4>Quotes</h4><ul>")
        for q in article.quotes:
            who = ", ".join(e(x) for x in (q.speaker, q.role, q.organisation) if x) or "unattributed"
            parts.append(f"<li>„{e(q.text)}“ — <b>{who}</b></li>")
        parts.append("</ul>")
    if article.teasers:
        parts.append("<h4>Teasers</h4><ul>")
        for t in article.teasers:
            title = f'<a href="{e(t.url, quote=True)}">{e(t.title)}</a>' if t.url else e(t.title)
            summary = f"<br><small>{e(t.summary)}</small>" if t.summary else ""
            parts.append(f"<li>{title}{summary}</li>")
        parts.append("</ul>")
    if article.entities:
        counts: dict[str, int] = {}
        for ent in article.entities:
            counts[ent.label] = counts.get(ent.label, 0) + 1
        summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        parts.append(f'<div style="color:#666;font-size:85%">entities: {e(summary)}</div>')
    if article.warnings:
        parts.append('<div style="color:#a60;font-size:85%">warnings: '
                     + "; ".join(e(w) for w in article.warnings) + "</div>")
    parts.append("</div>")
    return "\n".join(parts)
