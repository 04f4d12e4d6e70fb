"""The entities of a processed spaCy ``Doc`` as :class:`ngo_text.model.Entity` objects.

Shared by :func:`ngo_text.analyze` (one Article's text) and
``TopicClassifier(entities=True)`` (plain texts), which must not import
:mod:`ngo_text.analysis` (that module imports the topics).
"""
from __future__ import annotations

import os
from collections.abc import Sized
from typing import Any, Iterable, Iterator

from ..model import ENTITY_LABELS, Entity
from .canonical import LEGAL_TAIL
from .normalize import CleanText, clean_for_nlp

__all__ = ["doc_to_entities", "resolve_nlp", "text_entities"]

# labels of other pipelines mapped to ngo_text's ENTITY_LABELS; others are dropped
_LABEL_MAP = {
    "PERSON": "PER", "PER": "PER", "ORGANIZATION": "ORG", "ORG": "ORG", "AGENCY": "AGENCY",
    "LOC": "LOC", "GPE": "LOC", "LOCATION": "LOC", "DATE": "DATE", "MISC": "MISC", "OTH": "MISC",
    "NORP": "MISC", "EVENT": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC",
}


def resolve_nlp(nlp: Any = None):
    """``None`` -> :func:`ngo_text.load` (bundled), a name/path -> ``load(name)``, a Language as is."""
    from .pipeline import load

    if nlp is None:
        return load()
    if isinstance(nlp, (str, os.PathLike)):
        return load(nlp)
    return nlp



def _legal_form_with_stop(token: str) -> bool:
    """A legal form without a full stop of its own, carrying the sentence's ("GmbH." ending a sentence)."""
    return token.endswith(".") and LEGAL_TAIL.fullmatch(" " + token[:-1]) is not None


def doc_to_entities(doc, *, cleaned: CleanText | None = None,
                    original: str | None = None) -> list[Entity]:
    """The entities of a processed Doc as :class:`Entity` objects.

    Offsets are character offsets into ``doc.text``, or, when the Doc was made
    from ``cleaned`` (:func:`ngo_text.nlp.normalize.clean_for_nlp` of
    ``original``), into ``original``; then ``Entity.text`` is the original
    slice (it may hold a soft hyphen) and ``canonical`` is clean. For
    :func:`ngo_text.analyze` the original is :attr:`Article.text`. ``canonical`` defaults to the entity text;
    labels of foreign pipelines are mapped (PERSON -> PER, GPE -> LOC, ...),
    labels outside :data:`ngo_text.model.ENTITY_LABELS` after mapping are dropped.
    """
    from . import ensure_extensions

    ensure_extensions()
    out: list[Entity] = []
    for ent in doc.ents:
        label = _LABEL_MAP.get(ent.label_, ent.label_)
        if label not in ENTITY_LABELS:
            continue
        org_type = ent._.ngo_org_type if label == "ORG" else None
        start, end, text = ent.start_char, ent.end_char, ent.text
        canonical = ent._.ngo_canonical or " ".join(ent.text.split())
        if _legal_form_with_stop(ent[-1].text):
            # spaCy keeps a sentence's full stop on "GmbH." (one token): no part of the name
            end -= 1
            text = text[:-1]
            canonical = canonical[:-1] if canonical.endswith(ent[-1].text) else canonical
        if cleaned is not None and original is not None:
            start, end = cleaned.to_original(start, end)
            text = original[start:end]
        out.append(Entity(
            text=text, label=label, start=start, end=end,
            canonical=canonical,
            value=ent._.ngo_value if label == "DATE" else None, org_type=org_type))
    return out


def text_entities(texts: Iterable[str], *, nlp: Any = None, batch_size: int = 16,
                  progress: bool = False) -> Iterator[list[Entity]]:
    """The entities of each plain text, as they are (no press-release parsing), lazily and in order.

    For features of texts that are not :class:`~ngo_text.model.Article` objects (the
    default entity extractor of ``TopicClassifier(entities=True)``); offsets are into each text.
    """
    nlp = resolve_nlp(nlp)
    texts = list(texts) if progress else texts
    pairs = ((nlp.make_doc(c.text), (str(t), c)) for t in texts for c in [clean_for_nlp(str(t))])
    stream = nlp.pipe(pairs, as_tuples=True, batch_size=batch_size)
    if progress:
        from tqdm.auto import tqdm  # type: ignore[import-untyped]

        stream = tqdm(stream, total=len(texts) if isinstance(texts, Sized) else None,
                      desc="entities", unit="doc")
    for doc, (text, cleaned) in stream:
        yield doc_to_entities(doc, cleaned=cleaned, original=text)
