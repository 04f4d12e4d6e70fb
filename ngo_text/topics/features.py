"""Text features of the topic classifier: a light German stemmer, word and char n-grams, entity tokens."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable, Sequence

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

__all__ = ["german_stem", "strip_ending", "stem_tokens", "char_preprocess", "entity_tokens", "tokens_as_is",
           "CharNgramVectorizer", "NgramAnalyzer", "TOKEN_RE", "HYPHENATED_WORD_RE"]

_STEM_SUFFIXES = ("erinnen", "ungen", "heiten", "keiten", "innen", "ischen", "isch", "ern",
                  "em", "en", "er", "es", "e", "s", "n")
_WORD = r"[^\W_]+"  # letters and digits, no underscore
#: A word of the topic features: a run of letters and digits ("Klima-Schutz" is two).
TOKEN_RE = re.compile(_WORD, re.UNICODE)
#: A word of the taxonomy tagger: words joined by single hyphens count as one ("Klima-Schutz").
HYPHENATED_WORD_RE = re.compile(rf"{_WORD}(?:-{_WORD})*", re.UNICODE)


def strip_ending(word: str, endings: Sequence[str], *, min_stem: int) -> str:
    """``word`` without the first of ``endings`` it ends with, if at least ``min_stem`` characters remain."""
    for s in endings:
        if word.endswith(s) and len(word) - len(s) >= min_stem:
            return word[: -len(s)]
    return word


@lru_cache(maxsize=1 << 18)
def german_stem(word: str) -> str:
    """A light German stemmer: lowercase, ß -> ss, strip one common ending.

    Numbers are folded to ``0`` per digit (at most 4), so "2021" and "1999"
    share a feature. Stems keep at least four letters.
    """
    w = word.lower()
    if w.isdigit():
        return "0" * min(len(w), 4)
    return strip_ending(w.replace("ß", "ss"), _STEM_SUFFIXES, min_stem=4)


def stem_tokens(text: str) -> list[str]:
    stem = german_stem
    return [stem(t) for t in TOKEN_RE.findall(text)]


def char_preprocess(text: str) -> str:
    return re.sub(r"\d", "0", text.lower())


def entity_tokens(entities: Iterable[Any]) -> list[str]:
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


def tokens_as_is(tokens: list[str]) -> list[str]:
    return tokens


class CharNgramVectorizer:
    """TF-IDF over character n-grams of words (like ``char_wb``), computed per word type.

    Each distinct word (lowercased, digits folded to 0) is cut into
    ``lo..hi``-grams once, by scikit-learn's ``analyzer="char_wb"`` (the
    analyzer of the org typer and the related index too); a document's n-gram
    counts are its word counts times the word-to-n-gram matrix. Same features
    as ``TfidfVectorizer(analyzer="char_wb")`` on :data:`TOKEN_RE` tokens,
    several times faster. Sublinear tf, smooth idf, L2 norm.
    ``vocabulary_``/``idf_`` as in sklearn.
    """

    def __init__(self, lo: int = 3, hi: int = 5, *, min_df: int = 2, max_df: float = 0.8) -> None:
        self.lo, self.hi, self.min_df, self.max_df = int(lo), int(hi), min_df, max_df
        self._cache: dict[str, list[int]] = {}
        self._analyzer: Any = None

    def _grams(self, word: str) -> list[str]:
        """The char_wb n-grams of one word (scikit-learn's analyzer, built once)."""
        if self._analyzer is None:
            from sklearn.feature_extraction.text import CountVectorizer  # type: ignore[import-untyped]

            self._analyzer = CountVectorizer(analyzer="char_wb", ngram_range=(self.lo, self.hi),
                                             lowercase=False).build_analyzer()
        return list(self._analyzer(word))

    def word_ids(self, word: str) -> list[int]:
        """Vocabulary columns of the n-grams of one preprocessed word (cached, with repeats)."""
        hit = self._cache.get(word)
        if hit is None:
            get = self.vocabulary_.get
            hit = [j for j in map(get, self._grams(word)) if j is not None]
            if len(self._cache) < 500_000:
                self._cache[word] = hit
        return hit

    @staticmethod
    def _doc_words(texts: Sequence[str]) -> tuple[Any, list[str]]:
        types: dict[str, int] = {}
        rows, cols = [], []
        for r, text in enumerate(texts):
            for w in TOKEN_RE.findall(char_preprocess(text)):
                rows.append(r)
                cols.append(types.setdefault(w, len(types)))
        D = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(texts), len(types)))
        D.sum_duplicates()
        return D, list(types)

    def fit_transform(self, texts: Sequence[str]) -> Any:
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
    return sp.diags(v, format="csr")


class NgramAnalyzer:
    """Stemmed word n-grams (a class, not a closure, so estimators clone cleanly)."""

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi

    def __call__(self, text: str) -> list[str]:
        toks = stem_tokens(text)
        out: list[str] = []
        for n in range(self.lo, self.hi + 1):
            out.extend(toks if n == 1 else (" ".join(toks[i:i + n]) for i in range(len(toks) - n + 1)))
        return out
