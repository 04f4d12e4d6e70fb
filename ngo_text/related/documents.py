"""What the related index stores per article, and how input becomes that.

:class:`Related` is the public result type; :class:`IndexedDoc` the stored
article (read from an :class:`~ngo_text.model.Article`, a dict or plain text
by :func:`as_doc`).
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from ..errors import InputError
from ..model import Article, to_date
from ..parsing.sources import text_id

#: Day number stored for articles without a publication date.
NO_DATE = np.iinfo(np.int32).min


@dataclass
class Related:
    """One related article.

    Attributes:
        id: Id of the related article.
        score: Relatedness score (higher is more related; roughly 0..1.5).
        reasons: Human-readable reasons in German, e.g.
            ``"gemeinsame Akteure: Europol, BKA"``.
        title: Title of the related article.
        url: Its URL, if known.
        published: Its publication date, if known.
    """

    id: str
    score: float
    reasons: list[str] = field(default_factory=list)
    title: str = ""
    url: str | None = None
    published: _dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (``published`` as ISO string)."""
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        return d


@dataclass
class IndexedDoc:
    """An article as the index stores it (entities as ``(canonical, label)``)."""

    id: str
    title: str
    text: str
    lead: str
    entities: list[tuple[str, str]]
    topics: list[str]
    published: _dt.date | None
    url: str | None


def _doc_id(text: str) -> str:
    # the "t" prefix keeps the ids of id-less input as they were before
    # parsing.sources.text_id became the one id maker (users store these ids)
    return "t" + text_id(text)


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (10-200 characters), else its first line (cut at 200)."""
    m = re.match(r"\s*(.{10,200}?[.!?:])(\s|$)", text, flags=re.S)
    if m:
        return m.group(1).strip()
    return text.strip().split("\n", 1)[0][:200]


def norm_entities(ents: Iterable[Any]) -> list[tuple[str, str]]:
    """``(canonical name, label)`` pairs from Entity objects, dicts, pairs or strings; no dates."""
    out: list[tuple[str, str]] = []
    for e in ents or ():
        if isinstance(e, str):
            name, label = e, "MISC"
        elif isinstance(e, dict):
            name = e.get("canonical") or e.get("text") or ""
            label = e.get("label") or "MISC"
        elif isinstance(e, (tuple, list)) and len(e) == 2:
            name, label = str(e[0]), str(e[1])
        else:
            name = getattr(e, "canonical", None) or getattr(e, "text", "") or ""
            label = getattr(e, "label", "MISC") or "MISC"
        name = " ".join(str(name).split())
        if not name or label == "DATE":
            continue
        out.append((name, label))
    return out


def norm_topics(topics: Iterable[Any]) -> list[str]:
    """Topic labels from Topic objects, dicts or strings, first occurrence order, no repeats."""
    out = []
    for t in topics or ():
        if isinstance(t, str):
            out.append(t)
        elif isinstance(t, dict):
            if t.get("label"):
                out.append(str(t["label"]))
        elif getattr(t, "label", None):
            out.append(str(t.label))
    return list(dict.fromkeys(out))


def as_doc(obj: Any) -> IndexedDoc:
    """Article, dict (Article.to_dict() shape or id/title/text/...) or plain text.

    Raises:
        InputError: empty text or an unsupported type.
    """
    if isinstance(obj, Article):
        text = obj.text
        lead = obj.lead or (obj.paragraphs[0] if obj.paragraphs else "")
        return IndexedDoc(
            id=str(obj.id) if obj.id is not None else _doc_id(text),
            title=obj.title or first_sentence(text),
            text=text, lead=lead,
            entities=norm_entities(obj.entities), topics=norm_topics(obj.topics),
            published=to_date(obj.published), url=obj.url or None,
        )
    if isinstance(obj, dict):
        title = str(obj.get("title") or "")
        if obj.get("text"):
            text = str(obj["text"])
        else:
            parts = [title, obj.get("lead") or "", *(obj.get("paragraphs") or [])]
            text = "\n\n".join(p for p in parts if p)
        lead = str(obj.get("lead") or (obj.get("paragraphs") or [""])[0] or "")
        if not title:
            title = first_sentence(text)
        return IndexedDoc(
            id=str(obj["id"]) if obj.get("id") is not None else _doc_id(text),
            title=title, text=text, lead=lead,
            entities=norm_entities(obj.get("entities") or ()),
            topics=norm_topics(obj.get("topics") or ()),
            published=to_date(obj.get("published")), url=obj.get("url") or None,
        )
    if isinstance(obj, str):
        if not obj.strip():
            raise InputError("empty text cannot be indexed; pass an Article, a dict or non-empty text")
        return IndexedDoc(id=_doc_id(obj), title=first_sentence(obj), text=obj, lead="",
                          entities=[], topics=[], published=None, url=None)
    raise InputError(f"cannot index object of type {type(obj).__name__}; "
                     "pass ngo_text.Article, a dict with 'id'/'title'/'text' or a string")


def unique_by_id(docs: list[IndexedDoc]) -> list[IndexedDoc]:
    """``docs`` with one entry per id: the last one wins, at the place of the first."""
    uniq: dict[str, IndexedDoc] = {}
    for d in docs:
        uniq[d.id] = d
    return list(uniq.values()) if len(uniq) < len(docs) else docs


def date_ints(docs: Sequence[IndexedDoc]) -> np.ndarray:
    """Publication days (proleptic ordinals; :data:`NO_DATE` without a date) as int32."""
    return np.array([d.published.toordinal() if d.published else NO_DATE for d in docs], dtype=np.int32)
