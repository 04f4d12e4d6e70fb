"""Topics: a rule-based taxonomy tagger and a trainable linear topic classifier.

Two ways to put :class:`~ngo_text.model.Topic` objects on an article:

* :class:`TaxonomyTagger` matches the seed terms of a :class:`Taxonomy`
  (default: ``ngo_text/resources/taxonomy.json``, 15 NGO topics) against the
  words of a text or the lemmas of a spaCy ``Doc``. German inflection endings
  are tolerated and terms of five or more letters are also found inside
  compounds ("Kinderschutzorganisation" -> *Kinderschutz*,
  "Menschenhändlern" -> *Menschenhändler*). No model, no training, fast.
* :class:`TopicClassifier` is a scikit-learn estimator (TF-IDF over stemmed
  words and character n-grams + one-vs-rest linear SVM) for users who have
  labelled articles. It saves to a plain zip of JSON + ``.npz`` (never pickle).

Nothing is loaded at import time; :func:`default_tagger` builds and caches the
default tagger on first use.

Modules: :mod:`~ngo_text.topics.taxonomy` (the JSON taxonomy),
:mod:`~ngo_text.topics.tagger` (matching seed terms),
:mod:`~ngo_text.topics.features` (stemmer, word and char n-grams, entity tokens),
:mod:`~ngo_text.topics.classifier` (the estimator and its file format),
:mod:`~ngo_text.topics.data` (the labelled-CSV reader).
"""
from __future__ import annotations

from .classifier import CLASSIFIER_FORMAT, CLASSIFIER_VERSION, MAX_MEMBER_BYTES, TopicClassifier
from .data import read_labeled_csv
from .features import german_stem
from .tagger import TaxonomyTagger, default_tagger
from .taxonomy import TAXONOMY_FORMAT, Taxonomy, TaxonomyTopic

__all__ = [
    "Taxonomy", "TaxonomyTopic", "TaxonomyTagger", "default_tagger",
    "TopicClassifier", "read_labeled_csv", "german_stem",
    "TAXONOMY_FORMAT", "CLASSIFIER_FORMAT", "CLASSIFIER_VERSION", "MAX_MEMBER_BYTES",
]
