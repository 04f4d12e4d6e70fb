"""spaCy components and pipeline loading for ngo_text.

Components (registered spaCy factories, usable in any German pipeline)::

    ngo_dates          German date expressions -> DATE ents, ISO ``Span._.value``
    ngo_orgs           gazetteer + rules + classifier: ORG vs AGENCY, ``Span._.org_type``
    ngo_abbreviations  "Bundeskriminalamt (BKA)", surnames -> ``Span._.canonical``

Importing :mod:`ngo_text.nlp.pipeline` (or calling :func:`load`) registers the
factories. Nothing heavy happens at import time.
"""
from __future__ import annotations

from typing import Any

__all__ = ["load", "ensure_extensions", "EXTENSIONS"]

#: Span extensions set by the ngo_text components (all default ``None``).
EXTENSIONS = ("canonical", "value", "org_type")


def ensure_extensions() -> None:
    """Register ``Span._.canonical/value/org_type`` and ``Doc._.published``.

    Idempotent: already registered extensions (ours or someone else's with
    the same name) are left alone.
    """
    from spacy.tokens import Doc, Span

    for name in EXTENSIONS:
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)
    if not Doc.has_extension("published"):
        Doc.set_extension("published", default=None)


def __getattr__(name: str) -> Any:
    if name == "load":
        from .pipeline import load

        return load
    raise AttributeError(f"module 'ngo_text.nlp' has no attribute {name!r}")
