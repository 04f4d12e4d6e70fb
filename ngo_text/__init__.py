"""ngo_text: German text analysis of NGO press releases.

Public API (imported lazily, so ``import ngo_text`` loads no model and no spaCy)::

    parse(source, *, url=None, published=None) -> Article      # structure, no model
    load(model=None) -> spacy.Language                          # "accurate" (default), "fast", or a named pipeline
    analyze(source, *, url=None, published=None, nlp=None) -> Article
    TopicClassifier, Taxonomy                                   # topics
    RelatedIndex, teaser_block                                  # related articles
    Corpus                                                      # pandas / Jupyter
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

from ._version import __version__
from .errors import InputError, ModelFormatError, ModelNotFoundError, NgoTextError, ParameterError
from .model import Article, Entity, Quote, Teaser, Topic

_LAZY = {
    "parse": "ngo_text.parsing",
    "load": "ngo_text.nlp.pipeline",
    "analyze": "ngo_text.analysis",
    "analyze_many": "ngo_text.analysis",
    "Taxonomy": "ngo_text.topics",
    "TaxonomyTagger": "ngo_text.topics",
    "TopicClassifier": "ngo_text.topics",
    "RelatedIndex": "ngo_text.related",
    "teaser_block": "ngo_text.related",
    "Corpus": "ngo_text.corpus",
    "displacy_html": "ngo_text.display",
    "NotFittedError": "ngo_text.errors",  # subclasses scikit-learn's: made on first use
}

__all__ = [
    "Article", "Entity", "Quote", "Teaser", "Topic",
    "NgoTextError", "ParameterError", "InputError", "ModelNotFoundError", "ModelFormatError",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ngo_text' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
