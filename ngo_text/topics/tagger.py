"""The rule-based taxonomy tagger: seed terms matched in words, lemmas and compounds."""
from __future__ import annotations

import math
import os
from collections import defaultdict
from functools import lru_cache
from typing import Any

from ..errors import InputError
from ..model import Article, Topic
from .features import HYPHENATED_WORD_RE as _WORD_RE
from .features import strip_ending
from .taxonomy import Taxonomy, norm_word

__all__ = ["TaxonomyTagger", "default_tagger"]

#: Inflection endings stripped before matching a word form against a term.
_INFLECTIONS = ("innen", "ern", "nen", "en", "er", "es", "em", "in", "e", "n", "s")
#: Minimal term length for a match at the start / end / inside of a compound.
_MIN_PREFIX, _MIN_SUFFIX, _MIN_INFIX = 5, 6, 8


class _Matcher:
    """Compiled term index: word form -> {topic index: (term, weight)}."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.exact: dict[str, list[tuple[int, str, float]]] = {}
        self.phrases: dict[str, list[tuple[tuple[str, ...], int, str, float]]] = {}
        self.negatives = [tuple(t.negative_terms) for t in taxonomy.topics]
        self.max_len = 0
        for k, topic in enumerate(taxonomy.topics):
            for term, weight in topic.terms.items():
                words = [norm_word(w) for w in _WORD_RE.findall(term)]
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
        return strip_ending(word, _INFLECTIONS, min_stem=3)

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
        w = norm_word(m.group())
        parts = w.split("-")
        out.append([p for p in parts if p] if len(parts) > 1 else [w])
    return out


def _doc_forms(doc: Any) -> list[list[str]]:
    """Candidate forms per token of a spaCy Doc: lowercased text and lemma, hyphen parts."""
    out = []
    for tok in doc:
        if not tok.is_alpha and not ("-" in tok.text and any(c.isalpha() for c in tok.text)):
            continue
        forms = {norm_word(tok.text)}
        lemma = getattr(tok, "lemma_", "")
        if lemma:
            forms.add(norm_word(lemma))
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
