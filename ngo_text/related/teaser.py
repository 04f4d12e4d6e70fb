"""Teaser blocks: a "related articles" list for a page, as dicts, JSON or HTML."""
from __future__ import annotations

import html
import json
import re
from typing import Any

from ..errors import InputError
from .index import RelatedIndex


def shorten_summary(text: str, limit: int = 300) -> str:
    """Shorten ``text`` to at most ``limit`` characters.

    Whitespace is collapsed. Text within the limit is returned unchanged.
    Otherwise the text is cut after the last complete sentence that fits
    (if that keeps at least 40 % of the limit), else at the last word
    boundary, and "…" is appended (the result incl. "…" is <= ``limit``).
    """
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    if limit < 2:
        return "…"[:limit]
    room = text[: limit - 1]
    ends = [m.end() for m in re.finditer(r"[.!?][\"“”»']?(?=\s)", room)]
    if ends and ends[-1] >= 0.4 * limit and ends[-1] + 2 <= limit:
        return room[: ends[-1]] + " …"
    cut = room.rfind(" ")
    if cut <= 0:
        return room + "…"
    return room[:cut].rstrip(" ,;:–-") + "…"


def _lead_of(d: dict[str, Any]) -> str:
    lead = d.get("lead") or ""
    if lead:
        return lead
    text = d.get("text") or ""
    title = d.get("title") or ""
    if title and text.startswith(title):
        text = text[len(title):]
    return text.strip()


def teaser_block(article: Any, k: int = 4, *, index: RelatedIndex, format: str = "dict",
                 heading: str = "Das könnte Sie auch interessieren") -> list[dict[str, Any]] | str:
    """A "related articles" block for ``article``.

    Args:
        article: Indexed id, Article, dict or text (see :meth:`RelatedIndex.related`).
        k: Number of teasers.
        index: A fitted :class:`RelatedIndex`.
        format: ``"dict"`` (list of dicts ``id, title, summary, url,
            published, score, reasons``), ``"json"`` (that list as a JSON
            string) or ``"html"`` (a ``<section class="ngo-related">`` fragment,
            everything escaped).
        heading: Heading of the HTML block.

    Returns:
        The list of dicts, or a string for ``"json"`` / ``"html"``.
    """
    if format not in ("dict", "json", "html"):
        raise InputError(f"unknown format {format!r}; use 'dict', 'json' or 'html'")
    items: list[dict[str, Any]] = []
    for rel in index.related(article, k=k):
        stored = index.get(rel.id)
        items.append({"id": rel.id, "title": rel.title, "summary": shorten_summary(_lead_of(stored), 300),
                      "url": rel.url, "published": rel.published.isoformat() if rel.published else None,
                      "score": rel.score, "reasons": list(rel.reasons)})
    if format == "dict":
        return items
    if format == "json":
        return json.dumps(items, ensure_ascii=False)
    esc = html.escape
    out = ['<section class="ngo-related">', f"  <h2>{esc(heading)}</h2>", "  <ul>"]
    for it in items:
        title = esc(it["title"] or it["id"])
        link = f'<a href="{esc(it["url"])}">{title}</a>' if it["url"] else f"<span>{title}</span>"
        summary = f'<p>{esc(it["summary"])}</p>' if it["summary"] else ""
        date = f' <time datetime="{esc(it["published"])}">{esc(it["published"])}</time>' if it["published"] else ""
        out.append(f"    <li>{link}{date}{summary}</li>")
    out += ["  </ul>", "</section>"]
    return "\n".join(out)
