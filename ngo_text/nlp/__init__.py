"""spaCy components and pipeline loading for ngo_text.

Components (registered spaCy factories, usable in any German pipeline)::

    ngo_label_consistency  one label per name in a document (majority of its mentions)
    ngo_dates          German date expressions -> DATE ents, ISO ``Span._.ngo_value``
    ngo_orgs           gazetteer + rules + classifier: ORG vs AGENCY, ``Span._.ngo_org_type``
    ngo_abbreviations  "Bundeskriminalamt (BKA)", surnames -> ``Span._.ngo_canonical``

Importing :mod:`ngo_text.nlp.pipeline` (or calling its :func:`~ngo_text.nlp.pipeline.load`,
re-exported as :func:`ngo_text.load`) registers the factories; ``spacy.load`` of a
saved pipeline finds them through the package's ``spacy_factories`` entry points.
Nothing heavy happens at import time.

The extension attributes carry the prefix ``ngo_`` so that they cannot collide
with those of other libraries.

This ``__init__`` holds only what the components share (the extension
helpers below) and imports none of its submodules: they import it, so a
re-export of ``pipeline.load`` here would be an import cycle.
"""
from __future__ import annotations

from typing import Any

__all__ = ["ensure_extensions", "set_ents", "EXTENSIONS", "DOC_EXTENSIONS"]

#: Span extensions set by the ngo_text components (all default ``None``).
EXTENSIONS = ("ngo_canonical", "ngo_value", "ngo_org_type")
#: Doc extensions read by the ngo_text components: the publication date
#: (relative dates such as "am Montag" are resolved against it).
DOC_EXTENSIONS = ("ngo_published",)


def ensure_extensions() -> None:
    """Register ``Span._.ngo_canonical/ngo_value/ngo_org_type`` and ``Doc._.ngo_published``.

    Idempotent: already registered extensions are left alone.
    """
    from spacy.tokens import Doc, Span

    for name in EXTENSIONS:
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)
    for name in DOC_EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


def set_ents(doc: Any, spans: Any, overrides: dict[tuple[int, int], dict[str, Any]] | None = None) -> None:
    """``doc.ents = spans``, each span keeping the extension values of the entity at its offsets.

    spaCy keys span extensions by offsets *and* label, so a relabelled entity would
    lose its ``ngo_canonical``/``ngo_value``/``ngo_org_type``; ``overrides[(start, end)]``
    sets values anew (e.g. ``{"ngo_canonical": ..., "ngo_org_type": ...}``).
    """
    saved = {(e.start, e.end): {n: getattr(e._, n) for n in EXTENSIONS} for e in doc.ents}
    doc.ents = spans
    for e in doc.ents:
        values = {**saved.get((e.start, e.end), {}), **(overrides or {}).get((e.start, e.end), {})}
        for name, value in values.items():
            setattr(e._, name, value)
