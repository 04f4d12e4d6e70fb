"""Features of the related index: the rows it compares and the weights frozen at fit.

Per article (:class:`Rows`): sublinear TF-IDF word rows, l2-normalised LSA
coordinates (truncated SVD of words + hashed character 3-5 grams), optional
encoder embeddings, idf-weighted entity rows and topic rows. The vocabularies,
idf weights and the SVD projection (:class:`FeatureSpace`) are learnt by
:meth:`FeatureSpace.fit` and then only applied (:meth:`FeatureSpace.transform`).
All matrices are float32.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from ..resources import german_function_words
from .documents import IndexedDoc

#: A term of the index vocabulary: scikit-learn's idea of a word (``\w``, underscores
#: included) with inner hyphens ("covid-19", "e_mail"). Not the topic features'
#: ``TOKEN_RE``/``HYPHENATED_WORD_RE``, on purpose: saved indexes hold this vocabulary.
WORD_RE = re.compile(r"(?u)\b\w[\w\-]*\w\b|\b\w\b")
#: Width of the hashed character n-gram space.
CHAR_FEATURES = 2**17
_COUNT_BLOCK = 10_000  # texts counted at once (bounds the Python lists of the counters)
_PROJECT_BLOCK = 5000  # articles projected into the LSA space at once


# ---------------------------------------------------------------------------
# weighting (float32 in, float32 csr_matrix out)
# ---------------------------------------------------------------------------
def _csr(m: sp.spmatrix) -> sp.csr_matrix:
    # sklearn may hand back a sparse array (its "sparse_interface" setting); the
    # index relies on matrix semantics (a row is 2-d)
    return m if isinstance(m, sp.csr_matrix) else sp.csr_matrix(m)


# The l2 normalisations stay hand-written: sklearn.preprocessing.normalize sums
# the float32 squares in double and divides by the unrounded norm, which moves
# the last bit of ~1 in 4 values and reorders near-tied neighbours (on 400
# 10kGNAD articles 106 of the top-4 lists changed). Results must not change.
def l2_rows(m: sp.spmatrix) -> sp.csr_matrix:
    """Rows scaled to unit length (all-zero rows stay zero), float32 CSR."""
    m = m.tocsr().astype(np.float32)
    m.eliminate_zeros()
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).astype(np.float32) @ m)


def l2_dense(z: np.ndarray) -> np.ndarray:
    """Dense rows scaled to unit length (all-zero rows stay zero), float32."""
    n = np.linalg.norm(z, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return (z / n).astype(np.float32)


def smooth_idf(counts: sp.spmatrix) -> np.ndarray:
    """scikit-learn's smoothed idf of a count matrix, ``ln((1 + n) / (1 + df)) + 1``, as float32."""
    if counts.shape[1] == 0:  # sklearn rejects matrices without columns
        return np.zeros(0, dtype=np.float32)
    from sklearn.feature_extraction.text import TfidfTransformer  # type: ignore[import-untyped]

    # fitted in float64 and rounded once (a float32 fit rounds every step)
    return np.asarray(TfidfTransformer().fit(counts.astype(np.float64)).idf_, dtype=np.float32)


def idf_weighted(counts: sp.spmatrix, idf: np.ndarray, *, sublinear: bool) -> sp.csr_matrix:
    """scikit-learn's tf-idf weighting without normalisation: (``1 + ln tf`` with
    ``sublinear``, else ``tf``) x ``idf``; explicit zeros removed; may reuse ``counts``."""
    m = counts.tocsr().astype(np.float32, copy=False)
    if m.shape[1]:  # (sklearn rejects matrices without columns)
        from sklearn.feature_extraction.text import TfidfTransformer

        tf = TfidfTransformer(sublinear_tf=sublinear, norm=None)
        tf.idf_ = np.asarray(idf, dtype=np.float32)
        # (scikit-learn < 1.4 weights through a float64 diagonal: back to float32)
        m = _csr(tf.transform(m, copy=False)).astype(np.float32, copy=False)
    m.eliminate_zeros()  # columns with idf 0 (char n-grams outside min_df/max_df)
    return m


def tfidf_rows(counts: sp.spmatrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf-idf rows (:func:`idf_weighted`), l2-normalised with float64 norms; may reuse ``counts``."""
    m = idf_weighted(counts, idf, sublinear=True)
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    norms = np.sqrt(np.bincount(rows, weights=m.data.astype(np.float64) ** 2, minlength=m.shape[0]))
    norms[norms == 0] = 1.0
    m.data /= norms[rows].astype(np.float32)
    return m


# ---------------------------------------------------------------------------
# counting
# ---------------------------------------------------------------------------
def _count_rows(rows: Iterable[Iterable[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR ``(data, indices, indptr)`` of the column counts of each row (columns in first-seen order)."""
    indptr = [0]
    indices: list[int] = []
    data: list[int] = []
    for row in rows:
        counts: dict[int, int] = {}
        for j in row:
            counts[j] = counts.get(j, 0) + 1
        indices.extend(counts.keys())
        data.extend(counts.values())
        indptr.append(len(indices))
    return (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int64),
            np.asarray(indptr, dtype=np.int64))


def word_counts(texts: Sequence[str], vocab: dict[str, int]) -> sp.csr_matrix:
    """Counts of the ``vocab`` words (lower-cased :data:`WORD_RE` tokens) per text."""
    if len(texts) > _COUNT_BLOCK:
        return sp.vstack([word_counts(texts[a:a + _COUNT_BLOCK], vocab)
                          for a in range(0, len(texts), _COUNT_BLOCK)], format="csr")
    data, indices, indptr = _count_rows(
        (vocab[w] for w in WORD_RE.findall(t.lower()) if w in vocab) for t in texts)
    m = sp.csr_matrix((data, indices.astype(np.int32), indptr), shape=(len(texts), len(vocab)))
    m.sort_indices()
    return m


def char_counts(texts: Sequence[str]) -> sp.csr_matrix:
    """Hashed ``char_wb`` 3-5 gram counts, computed once per word type.

    The same counts as sklearn's ``HashingVectorizer(analyzer="char_wb")``
    on the whole text (n-grams never cross word boundaries), but the
    n-grams of a word are hashed once per corpus instead of once per
    occurrence.
    """
    if len(texts) > _COUNT_BLOCK:
        return sp.vstack([char_counts(texts[a:a + _COUNT_BLOCK])
                          for a in range(0, len(texts), _COUNT_BLOCK)], format="csr")
    from sklearn.feature_extraction.text import HashingVectorizer

    types: dict[str, int] = {}
    data, indices, indptr = _count_rows(
        (types.setdefault(w, len(types)) for w in t.lower().split()) for t in texts)
    tc = sp.csr_matrix((data, indices, indptr), shape=(len(texts), len(types)))
    del indices, data
    hv = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=CHAR_FEATURES,
                           alternate_sign=False, norm=None, lowercase=False, dtype=np.float32)
    per_type = hv.transform(list(types)).tocsr()
    out = (tc @ per_type).tocsr()
    out.sort_indices()
    return out


# ---------------------------------------------------------------------------
# rows and the fitted feature space
# ---------------------------------------------------------------------------
@dataclass
class Rows:
    """The feature rows of some articles, one row per article in each part.

    Attributes:
        xw: Word TF-IDF rows (l2-normalised).
        z: LSA coordinates (l2-normalised), or ``None`` without LSA.
        u: Encoder embeddings, or ``None`` without an encoder.
        xe: Entity rows (idf-weighted, l2-normalised).
        xt: Topic rows (l2-normalised).
    """

    xw: sp.csr_matrix
    z: np.ndarray | None
    u: np.ndarray | None
    xe: sp.csr_matrix
    xt: sp.csr_matrix

    def __len__(self) -> int:
        return int(self.xw.shape[0])

    def take(self, idx: np.ndarray) -> "Rows":
        """The rows at the positions ``idx``."""
        return Rows(xw=self.xw[idx], z=None if self.z is None else self.z[idx],
                    u=None if self.u is None else self.u[idx], xe=self.xe[idx], xt=self.xt[idx])

    def append(self, other: "Rows") -> "Rows":
        """These rows followed by ``other``'s."""
        return Rows(xw=sp.vstack([self.xw, other.xw]).tocsr(),
                    z=_stack(self.z, other.z), u=_stack(self.u, other.u),
                    xe=sp.vstack([self.xe, other.xe]).tocsr(), xt=sp.vstack([self.xt, other.xt]).tocsr())


def _stack(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None:
        return None
    assert b is not None  # rows of one feature space have the same parts
    return np.vstack([a, b])


class FeatureSpace:
    """Vocabularies, idf weights and LSA projection, learnt by :meth:`fit`, then frozen.

    Args:
        encoder: Name of the sentence encoder for :attr:`Rows.u` (``None``: no embeddings).
        encoder_tokens: Subword tokens per article the encoder sees (``None``: whole texts).
    """

    def __init__(self, *, encoder: str | None = None, encoder_tokens: int | None = 256) -> None:
        self.encoder = encoder
        self.encoder_tokens = encoder_tokens
        self.terms: list[str] = []
        self.vocab: dict[str, int] = {}
        self.idf_w = np.zeros(0, dtype=np.float32)
        #: idf of the hashed char n-grams; empty without char n-grams in the LSA space
        self.idf_c = np.zeros(0, dtype=np.float32)
        self.svd_components: np.ndarray | None = None
        self.ent_vocab: dict[str, int] = {}  # casefolded name -> column
        self.ent_names: dict[str, str] = {}  # casefolded name -> first spelling seen
        self.idf_e = np.zeros(0, dtype=np.float32)
        self.topic_vocab: dict[str, int] = {}

    def set_terms(self, terms: list[str]) -> None:
        """Set the word vocabulary (column order = ``terms``)."""
        self.terms = terms
        self.vocab = {w: i for i, w in enumerate(terms)}

    def set_entities(self, entities: Sequence[tuple[str, str]]) -> None:
        """Set the entity vocabulary from ``(casefolded key, display name)`` pairs in column order."""
        self.ent_vocab = {k: i for i, (k, _n) in enumerate(entities)}
        self.ent_names = {k: n for k, n in entities}

    # -- fitting ------------------------------------------------------------
    def fit(self, docs: Sequence[IndexedDoc], *, min_df: int, max_df: float, char_ngrams: bool,
            lsa_dims: int, lsa_iter: int, lsa_sample: int | None, random_state: int) -> Rows:
        """Learn everything from ``docs`` and return their rows (see :class:`RelatedIndex` for the settings)."""
        n = len(docs)
        texts = [d.text for d in docs]
        # words: vocabulary and idf
        df: Counter[str] = Counter()
        for t in texts:
            df.update(set(WORD_RE.findall(t.lower())))
        min_df = min_df if n >= 50 else 1
        max_count = max_df * n if n >= 20 else n
        terms = sorted(w for w, c in df.items()
                       if c >= min_df and c <= max_count and w not in german_function_words())
        if not terms:  # tiny or degenerate corpus: keep everything
            terms = sorted(df)
        del df
        self.set_terms(terms)
        counts = word_counts(texts, self.vocab)
        self.idf_w = smooth_idf(counts)
        xw = tfidf_rows(counts, self.idf_w)
        del counts
        z = self._fit_lsa(xw, texts, min_df=min_df, max_df=max_df, char_ngrams=char_ngrams, lsa_dims=lsa_dims,
                          lsa_iter=lsa_iter, lsa_sample=lsa_sample, random_state=random_state)
        u = self.embed(texts)
        # entities and topics
        edf: Counter[str] = Counter()
        names: dict[str, str] = {}
        for d in docs:
            keys = set()
            for name, _label in d.entities:
                key = name.casefold()
                keys.add(key)
                names.setdefault(key, name)
            edf.update(keys)
        self.set_entities([(k, names[k]) for k in sorted(edf)])
        self.idf_e = smooth_idf(self._entity_indicator(docs))
        self.topic_vocab = {t: i for i, t in enumerate(sorted({t for d in docs for t in d.topics}))}
        return Rows(xw=xw, z=z, u=u, xe=self._entity_rows(docs), xt=self._topic_rows(docs))

    def _fit_lsa(self, xw: sp.csr_matrix, texts: Sequence[str], *, min_df: int, max_df: float,
                 char_ngrams: bool, lsa_dims: int, lsa_iter: int, lsa_sample: int | None,
                 random_state: int) -> np.ndarray | None:
        """Fit the LSA projection (words + char n-grams) and return the LSA rows of all texts."""
        n = len(texts)
        self.svd_components = None
        self.idf_c = np.zeros(0, dtype=np.float32)
        dims = min(lsa_dims, n - 1, xw.shape[1] - 1)
        if dims < 2:
            return None
        # the SVD is fitted on at most ``lsa_sample`` articles (bounded time and
        # memory); all articles are then projected chunk by chunk
        if lsa_sample and n > lsa_sample:
            rng = np.random.default_rng(random_state)
            fit_idx = np.sort(rng.choice(n, size=int(lsa_sample), replace=False))
        else:
            fit_idx = np.arange(n)
        m = fit_idx.size
        parts = [xw[fit_idx]]
        if char_ngrams:
            cc = char_counts([texts[i] for i in fit_idx])
            dfc = np.bincount(cc.indices, minlength=CHAR_FEATURES)
            idf_c = smooth_idf(cc)
            # the word min_df/max_df rule, applied by zero weights (hashed columns stay put)
            min_c = min_df if m >= 50 else 1
            idf_c[(dfc < min_c) | (dfc > max_df * m if m >= 20 else dfc > m)] = 0.0
            self.idf_c = idf_c
            parts.append(tfidf_rows(cc, self.idf_c))
            del cc
        xa = sp.hstack(parts, format="csr") if len(parts) > 1 else parts[0]
        del parts
        from sklearn.decomposition import TruncatedSVD  # type: ignore[import-untyped]

        svd = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=lsa_iter,
                           random_state=random_state)
        svd.fit(xa)
        self.svd_components = svd.components_.astype(np.float32)
        if m == n:
            return l2_dense(np.asarray(xa @ self.svd_components.T, dtype=np.float32))
        del xa
        return np.vstack([self.project(xw[a:a + _PROJECT_BLOCK], texts[a:a + _PROJECT_BLOCK])
                          for a in range(0, n, _PROJECT_BLOCK)])

    # -- applying -----------------------------------------------------------
    def transform(self, docs: Sequence[IndexedDoc]) -> Rows:
        """The rows of new ``docs`` with the frozen vocabularies and weights."""
        texts = [d.text for d in docs]
        xw = tfidf_rows(word_counts(texts, self.vocab), self.idf_w)
        z = self.project(xw, texts) if self.svd_components is not None else None
        return Rows(xw=xw, z=z, u=self.embed(texts), xe=self._entity_rows(docs), xt=self._topic_rows(docs))

    def project(self, xw: sp.csr_matrix, texts: Sequence[str]) -> np.ndarray:
        """LSA coordinates (l2-normalised) of word rows ``xw`` for ``texts``."""
        assert self.svd_components is not None  # only called with an LSA projection
        parts = [xw]
        if self.idf_c.size:
            parts.append(tfidf_rows(char_counts(texts), self.idf_c))
        xa = sp.hstack(parts, format="csr") if len(parts) > 1 else parts[0]
        return l2_dense(np.asarray(xa @ self.svd_components.T, dtype=np.float32))

    def embed(self, texts: Sequence[str]) -> np.ndarray | None:
        """Encoder embeddings of ``texts`` (``None`` without an encoder)."""
        if self.encoder is None:
            return None
        from ..embeddings import get_encoder

        return get_encoder(self.encoder).embed(texts, max_tokens=self.encoder_tokens,
                                               progress=len(texts) > 500)

    def _entity_indicator(self, docs: Sequence[IndexedDoc]) -> sp.csr_matrix:
        rows, cols = [], []
        for i, d in enumerate(docs):
            seen = set()
            for name, _label in d.entities:
                j = self.ent_vocab.get(name.casefold())
                if j is not None and j not in seen:
                    seen.add(j)
                    rows.append(i)
                    cols.append(j)
        return sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                             shape=(len(docs), len(self.ent_vocab)))

    def _entity_rows(self, docs: Sequence[IndexedDoc]) -> sp.csr_matrix:
        m = self._entity_indicator(docs)
        return l2_rows(idf_weighted(m, self.idf_e, sublinear=False)) if len(self.ent_vocab) else m

    def _topic_rows(self, docs: Sequence[IndexedDoc]) -> sp.csr_matrix:
        rows, cols = [], []
        for i, d in enumerate(docs):
            for t in d.topics:
                j = self.topic_vocab.get(t)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        m = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                          shape=(len(docs), len(self.topic_vocab)))
        return l2_rows(m) if len(self.topic_vocab) else m
