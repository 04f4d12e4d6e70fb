"""The ngo_text data model: the one structure every stage reads and writes.

An :class:`Article` is produced by :func:`ngo_text.parse` (structure only) and
completed by :func:`ngo_text.analyze` (entities, topics). It is the only object
that crosses process boundaries, always as JSON via :meth:`Article.to_dict` /
:meth:`Article.from_dict`. Field names are stable API.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .display import structure_html
from .errors import InputError

SCHEMA_VERSION = 1

#: Entity labels produced by ngo_text pipelines.
ENTITY_LABELS = ("PER", "ORG", "AGENCY", "LOC", "DATE", "MISC")
#: Values of :attr:`Entity.org_type` for ``ORG`` entities.
ORG_TYPES = ("ngo", "company", "party", "union", "religious", "media", "research", "other")


def to_date(value: Any, *, strict: bool = False) -> _dt.date | None:
    """Coerce a date, datetime or ISO string (``YYYY-MM-DD…``) to a :class:`datetime.date`.

    ``None`` and ``""`` give ``None``. Anything else that is not a date gives
    ``None``, or raises :class:`~ngo_text.errors.InputError` when ``strict``
    (use that for values a user passed in, so a typo is not silently dropped).
    """
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        if strict:
            raise InputError(f"published={value!r} is not an ISO date (YYYY-MM-DD).") from None
        return None


@dataclass
class Quote:
    """A quotation in the body with the person it is attributed to.

    ``speaker`` is the full name as resolved within the article, without academic
    titles (a later "Roller" resolves to "Dietmar Roller"); after ``analyze`` it is the
    ``canonical`` of the speaker's PER entity. ``role`` and ``organisation`` come
    from the attribution phrase ("Dietmar Roller, Vorstandsvorsitzender von IJM").
    Any of the three may be ``None`` when the text does not say.
    """

    text: str
    speaker: str | None = None
    role: str | None = None
    organisation: str | None = None


@dataclass
class Teaser:
    """One item of a related-articles block ("Das könnte dich auch interessieren…")."""

    title: str
    summary: str | None = None
    url: str | None = None


@dataclass
class Entity:
    """A named entity or date mention.

    ``start``/``end`` are character offsets into :attr:`Article.text` (title,
    dateline + lead and paragraphs joined by blank lines), i.e. the text the
    spaCy Doc was made from (which has soft hyphens and zero-width characters
    removed: ``text`` is the slice of :attr:`Article.text` and may hold them). ``canonical`` is the id shared by all mentions of one real thing
    (long form of an abbreviation, full name of a person). ``value`` holds the
    ISO date for ``DATE`` entities (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; a
    range as ``start/end``; ``None`` when it cannot be resolved). ``org_type``
    is one of :data:`ORG_TYPES` for ``ORG`` entities.
    """

    text: str
    label: str
    start: int
    end: int
    canonical: str | None = None
    value: str | None = None
    org_type: str | None = None


@dataclass
class Topic:
    """A topic assigned to an article, with the evidence for it."""

    label: str
    score: float
    terms: list[str] = field(default_factory=list)
    source: str = "taxonomy"  # "taxonomy" or "classifier"


@dataclass
class Article:
    """A press release: structure, entities and topics.

    ``published`` is a :class:`datetime.date` (ISO string in JSON). ``dateline``
    is the place of the dateline ("Berlin"). ``warnings`` collects non-fatal
    problems found while reading the input (repaired mojibake, non-German text,
    truncated input ...), so nothing is lost silently.
    """

    id: str | None = None
    url: str | None = None
    source: str | None = None
    published: _dt.date | None = None
    title: str = ""
    dateline: str | None = None
    lead: str = ""
    paragraphs: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    teasers: list[Teaser] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    language: str | None = None
    warnings: list[str] = field(default_factory=list)
    author: str | None = None
    site_name: str | None = None

    # -- derived views -------------------------------------------------
    @property
    def body(self) -> str:
        """Lead and paragraphs joined by blank lines (no title)."""
        return "\n\n".join(p for p in [self.lead, *self.paragraphs] if p)

    @property
    def text(self) -> str:
        """Title, lead and paragraphs joined by blank lines; the lead after its dateline.

        "Berlin – " stands before the lead when the article has a dateline, as
        in the press release (the dateline place is an entity of the article).
        This is the text the NLP pipeline analyses; :class:`Entity` offsets
        point into it.
        """
        return "\n\n".join(p for p in [self.title, self.dateline_lead, *self.paragraphs] if p)

    @property
    def dateline_lead(self) -> str:
        """The lead with its dateline before it ("Berlin – Der Verband ..."), as in :attr:`text`."""
        if not self.dateline:
            return self.lead
        return f"{self.dateline} – {self.lead}" if self.lead else self.dateline

    def _repr_html_(self) -> str:
        """Jupyter view of the structure (see :func:`ngo_text.display.structure_html`)."""
        return structure_html(self)

    # -- JSON round trip -------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (``published`` as ISO string)."""
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        data["schema_version"] = SCHEMA_VERSION
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Article":
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["published"] = to_date(kwargs.get("published"), strict=True)
        kwargs["quotes"] = [Quote(**q) for q in kwargs.get("quotes") or []]
        kwargs["teasers"] = [Teaser(**t) for t in kwargs.get("teasers") or []]
        kwargs["entities"] = [Entity(**e) for e in kwargs.get("entities") or []]
        kwargs["topics"] = [Topic(**t) for t in kwargs.get("topics") or []]
        for key in ("paragraphs", "warnings"):
            kwargs[key] = list(kwargs.get(key) or [])
        return cls(**kwargs)
