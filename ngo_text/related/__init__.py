"""Related articles: a searchable index over a corpus and teaser blocks.

:class:`RelatedIndex` ranks the articles of a corpus by how related they are
to a given article. The score mixes several signals:

* **text** -- sublinear TF-IDF cosine on lower-cased words, mixed with the
  cosine in an LSA space (truncated SVD of words + hashed character 3-5
  grams, which catches German compounds and inflection), refined by a
  **graph diffusion** over the k-nearest-neighbour graph of the corpus
  (each article gets a sparse "diffusion profile": the articles reachable in
  a few weighted steps; two articles whose neighbourhoods overlap are
  related even if they share few words). On the 10kGNAD test set every one
  of these steps raised same-category precision@3 (words 0.675, + LSA 0.687,
  + char n-grams 0.712, + diffusion 0.733, + cheap entities 0.737; see
  ``bench/related.py``).
* **encoder** (optional, ``encoder="use-multilingual"``) -- cosine of
  pretrained multilingual sentence embeddings (:mod:`ngo_text.embeddings`)
  mixed into the base text similarity before the diffusion: 10kGNAD
  precision@3 0.759 (first 256 tokens of each article), at ~12 ms per
  article when indexing.
* **entities** -- shared canonical entities (``Entity.canonical`` or the
  surface text; dates excluded), idf-weighted cosine.
* **topics** -- shared topic labels.
* **recency** -- optional exponential decay with a half-life in days; an
  article never gets newer articles unless ``allow_future=True``.
* **diversity** -- near-duplicates (word cosine above ``dedup_threshold``)
  collapse to the best-scored one, and duplicates of the article itself are
  excluded, as are the article itself, articles with the same URL and the
  ids in ``block``.

Incremental use: :meth:`RelatedIndex.add` and :meth:`RelatedIndex.remove`
work without refitting. The vocabulary, idf weights, LSA projection and the
neighbourhood graph are *frozen* at :meth:`RelatedIndex.fit`; new articles
are transformed with them (their diffusion profile is built from their
nearest fitted neighbours). Call :meth:`RelatedIndex.refit` after many
changes to rebuild everything from the stored articles.

Memory: all matrices are float32; :meth:`RelatedIndex.all_pairs` scores
rows in chunks (``chunk_size`` x N dense block at most, never N x N) and
selects the top k with :func:`numpy.argpartition`.

Persistence: :meth:`RelatedIndex.save` writes ``<path>.json`` (format name,
version, settings, article metadata, vocabulary) and ``<path>.npz`` (arrays,
loaded with ``allow_pickle=False``). Nothing is ever unpickled.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import html
import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from ..errors import InputError, ModelFormatError
from ..model import Article, to_date
from ..resources import german_function_words

__all__ = ["Related", "RelatedIndex", "teaser_block", "shorten_summary"]

FORMAT_NAME = "ngo_text.related_index"
FORMAT_VERSION = 1

_WORD_RE = re.compile(r"(?u)\b\w[\w\-]*\w\b|\b\w\b")
_CHAR_FEATURES = 2**17
_NO_DATE = np.iinfo(np.int32).min
_COUNT_BLOCK = 10_000  # texts counted at once
_DIFFUSION_BLOCK = 2048  # graph rows diffused at once (bounds memory at ~100k articles)


# ---------------------------------------------------------------------------
# public result type
# ---------------------------------------------------------------------------
@dataclass
class Related:
    """One related article.

    Attributes:
        id: Id of the related article.
        score: Relatedness score (higher is more related; roughly 0..1.5).
        reasons: Human-readable reasons in German, e.g.
            ``"gemeinsame Akteure: Europol, BKA"``.
        title: Title of the related article.
        url: Its URL, if known.
        published: Its publication date, if known.
    """

    id: str
    score: float
    reasons: list[str] = field(default_factory=list)
    title: str = ""
    url: str | None = None
    published: _dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (``published`` as ISO string)."""
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        return d


# ---------------------------------------------------------------------------
# input normalisation
# ---------------------------------------------------------------------------
@dataclass
class _Doc:
    id: str
    title: str
    text: str
    lead: str
    entities: list[tuple[str, str]]  # (canonical, label)
    topics: list[str]
    published: _dt.date | None
    url: str | None




def _stable_id(text: str) -> str:
    return "t" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _first_sentence(text: str) -> str:
    m = re.match(r"\s*(.{10,200}?[.!?:])(\s|$)", text, flags=re.S)
    if m:
        return m.group(1).strip()
    return text.strip().split("\n", 1)[0][:200]


def _norm_entities(ents: Iterable[Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for e in ents or ():
        if isinstance(e, str):
            name, label = e, "MISC"
        elif isinstance(e, dict):
            name = e.get("canonical") or e.get("text") or ""
            label = e.get("label") or "MISC"
        elif isinstance(e, (tuple, list)) and len(e) == 2:
            name, label = str(e[0]), str(e[1])
        else:
            name = getattr(e, "canonical", None) or getattr(e, "text", "") or ""
            label = getattr(e, "label", "MISC") or "MISC"
        name = " ".join(str(name).split())
        if not name or label == "DATE":
            continue
        out.append((name, label))
    return out


def _norm_topics(topics: Iterable[Any]) -> list[str]:
    out = []
    for t in topics or ():
        if isinstance(t, str):
            out.append(t)
        elif isinstance(t, dict):
            if t.get("label"):
                out.append(str(t["label"]))
        elif getattr(t, "label", None):
            out.append(str(t.label))
    return list(dict.fromkeys(out))


def _as_doc(obj: Any) -> _Doc:
    """Article, dict (Article.to_dict() shape or id/title/text/...) or plain text."""
    if isinstance(obj, Article):
        text = obj.text
        lead = obj.lead or (obj.paragraphs[0] if obj.paragraphs else "")
        return _Doc(
            id=str(obj.id) if obj.id is not None else _stable_id(text),
            title=obj.title or _first_sentence(text),
            text=text, lead=lead,
            entities=_norm_entities(obj.entities), topics=_norm_topics(obj.topics),
            published=to_date(obj.published), url=obj.url or None,
        )
    if isinstance(obj, dict):
        title = str(obj.get("title") or "")
        if obj.get("text"):
            text = str(obj["text"])
        else:
            parts = [title, obj.get("lead") or "", *(obj.get("paragraphs") or [])]
            text = "\n\n".join(p for p in parts if p)
        lead = str(obj.get("lead") or (obj.get("paragraphs") or [""])[0] or "")
        if not title:
            title = _first_sentence(text)
        return _Doc(
            id=str(obj["id"]) if obj.get("id") is not None else _stable_id(text),
            title=title, text=text, lead=lead,
            entities=_norm_entities(obj.get("entities") or ()),
            topics=_norm_topics(obj.get("topics") or ()),
            published=to_date(obj.get("published")), url=obj.get("url") or None,
        )
    if isinstance(obj, str):
        if not obj.strip():
            raise InputError("empty text cannot be indexed; pass an Article, a dict or non-empty text")
        return _Doc(id=_stable_id(obj), title=_first_sentence(obj), text=obj, lead="",
                    entities=[], topics=[], published=None, url=None)
    raise InputError(f"cannot index object of type {type(obj).__name__}; "
                     "pass ngo_text.Article, a dict with 'id'/'title'/'text' or a string")


# ---------------------------------------------------------------------------
# sparse helpers
# ---------------------------------------------------------------------------
def _l2_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    m = m.tocsr().astype(np.float32)
    m.eliminate_zeros()
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).astype(np.float32) @ m)


def _tfidf_inplace(m: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf (1 + log tf) times idf, rows l2-normalised; modifies ``m``."""
    m = m.tocsr()
    if m.data.dtype != np.float32:
        m.data = m.data.astype(np.float32)
    np.log(m.data, out=m.data)
    m.data += 1.0
    m.data *= idf[m.indices]
    m.eliminate_zeros()
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    norms = np.sqrt(np.bincount(rows, weights=m.data.astype(np.float64) ** 2, minlength=m.shape[0]))
    norms[norms == 0] = 1.0
    m.data /= norms[rows].astype(np.float32)
    return m


def _l2_dense(z: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(z, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return (z / n).astype(np.float32)


def _truncate_rows(m: sp.csr_matrix, p: int) -> sp.csr_matrix:
    """Keep the ``p`` largest entries of each row (vectorised)."""
    m = m.tocsr()
    m.eliminate_zeros()
    counts = np.diff(m.indptr)
    if counts.size == 0 or counts.max() <= p:
        return m
    rows = np.repeat(np.arange(m.shape[0]), counts)
    data = m.data.astype(np.float64)
    span = float(np.abs(data).max()) * 2.0 + 1.0
    order = np.argsort(rows * span - data, kind="stable")  # by row, then value descending
    rank = np.arange(order.size) - m.indptr[rows[order]]
    keep = np.sort(order[rank < p])
    out = sp.csr_matrix((m.data[keep], m.indices[keep], np.concatenate(
        [[0], np.cumsum(np.minimum(counts, p))])), shape=m.shape)
    return out


def _sparse_to_arrays(prefix: str, m: sp.csr_matrix) -> dict[str, np.ndarray]:
    m = m.tocsr()
    return {f"{prefix}_data": m.data.astype(np.float32), f"{prefix}_indices": m.indices.astype(np.int32),
            f"{prefix}_indptr": m.indptr.astype(np.int64), f"{prefix}_shape": np.array(m.shape, dtype=np.int64)}


def _sparse_from_arrays(prefix: str, arrs: Any) -> sp.csr_matrix:
    shape = tuple(int(x) for x in arrs[f"{prefix}_shape"])
    m = sp.csr_matrix((arrs[f"{prefix}_data"], arrs[f"{prefix}_indices"], arrs[f"{prefix}_indptr"]), shape=shape)
    m.check_format(full_check=True)
    return m


# ---------------------------------------------------------------------------
# the index
# ---------------------------------------------------------------------------
class RelatedIndex:
    """Find related articles in a corpus (see the module docstring for the signals).

    All parameters are keyword-only.

    Args:
        text_weight: Weight of the text similarity (incl. LSA and diffusion).
        entity_weight: Weight of shared canonical entities.
        topic_weight: Weight of shared topic labels.
        half_life_days: Recency half-life in days; ``None`` switches recency off.
        recency_weight: Share of the score that is subject to the decay
            (``score *= 1 - w + w * 0.5 ** (days / half_life)``).
        allow_future: Allow articles published after the query article
            (articles without a date, and queries without one, are never
            excluded by this rule).
        dedup_threshold: Word cosine above which two articles count as
            near-duplicates (only the better one is kept; duplicates of the
            query are dropped). ``None`` disables. Candidate pairs are only
            compared when some LSA cosine among them is >= min(0.6, threshold)
            (a fast prefilter).
        block: Ids that are never returned.
        min_df: Minimum document frequency of a word (ignored under 50 documents).
        max_df: Maximum document frequency share of a word (ignored under 20 documents).
        char_ngrams: Add hashed character 3-5 grams to the LSA space.
        lsa_dims: LSA dimensions (0 disables LSA).
        lsa_weight: Share of the LSA cosine in the base text similarity.
        lsa_iter: Power iterations of the randomised SVD (fewer = faster, less exact).
        lsa_sample: Fit the SVD (and the char n-gram idf) on at most this many
            randomly chosen articles (``None``: all); every article is projected.
            5,000 keeps fit time near-linear in N (10k synthetic articles: ~4 s
            faster than fitting the SVD on all of them).
        graph_k: Neighbours per article in the diffusion graph (0 disables diffusion).
        graph_weight: Share of the diffusion-profile cosine in the text similarity.
        diffusion_alpha: Damping of each diffusion step.
        diffusion_steps: Number of diffusion steps.
        profile_size: Non-zeros kept per diffusion profile.
        encoder: Name of a pretrained sentence encoder whose embedding cosine is
            mixed into the base text similarity (``"use-multilingual"``, needs
            ``pip install "ngo_text[embeddings]"``; see :mod:`ngo_text.embeddings`),
            or ``None`` (default: sparse signals only). It raises 10kGNAD
            precision@3 from 0.74 to 0.76 but costs ~4 ms per article on 2
            cores (256 tokens) at :meth:`fit`/:meth:`add` time and a few
            hundred MB for the encoder, so it is off by default.
        encoder_weight: Share of the encoder cosine in the base text similarity.
        encoder_tokens: Subword tokens per article that the encoder sees (the
            first ones; ``None`` = whole texts). 10kGNAD precision@3 with 64 /
            128 / 256 tokens / whole articles: 0.741 / 0.749 / 0.759 / 0.757;
            256 costs about half of whole 10kGNAD articles.
        chunk_size: Rows scored at once in :meth:`all_pairs` and :meth:`fit`
            (default: as many as keep the dense block at ~16 M floats).
        random_state: Seed of the randomised SVD.
    """

    def __init__(
        self,
        *,
        text_weight: float = 1.0,
        entity_weight: float = 0.25,
        topic_weight: float = 0.1,
        half_life_days: float | None = None,
        recency_weight: float = 0.5,
        allow_future: bool = False,
        dedup_threshold: float | None = 0.9,
        block: Iterable[str] = (),
        min_df: int = 2,
        max_df: float = 0.5,
        char_ngrams: bool = True,
        lsa_dims: int = 80,
        lsa_weight: float = 0.7,
        lsa_iter: int = 5,
        lsa_sample: int | None = 5000,
        graph_k: int = 20,
        graph_weight: float = 0.8,
        diffusion_alpha: float = 0.9,
        diffusion_steps: int = 4,
        profile_size: int = 100,
        encoder: str | None = None,
        encoder_weight: float = 0.5,
        encoder_tokens: int | None = 256,
        chunk_size: int | None = None,
        random_state: int = 0,
    ) -> None:
        if half_life_days is not None and half_life_days <= 0:
            raise ValueError("half_life_days must be positive or None")
        self.text_weight = float(text_weight)
        self.entity_weight = float(entity_weight)
        self.topic_weight = float(topic_weight)
        self.half_life_days = half_life_days
        self.recency_weight = float(recency_weight)
        self.allow_future = bool(allow_future)
        self.dedup_threshold = dedup_threshold
        self.block = set(block)
        self.min_df = int(min_df)
        self.max_df = float(max_df)
        self.char_ngrams = bool(char_ngrams)
        self.lsa_dims = int(lsa_dims)
        self.lsa_weight = float(lsa_weight)
        self.lsa_iter = int(lsa_iter)
        self.lsa_sample = int(lsa_sample) if lsa_sample else None
        self.graph_k = int(graph_k)
        self.graph_weight = float(graph_weight)
        self.diffusion_alpha = float(diffusion_alpha)
        self.diffusion_steps = int(diffusion_steps)
        self.profile_size = int(profile_size)
        if encoder is not None:
            from ..embeddings import check_encoder_name

            check_encoder_name(encoder)
        self.encoder = encoder
        self.encoder_weight = float(encoder_weight)
        if encoder_tokens is not None and int(encoder_tokens) < 3:
            raise ValueError("encoder_tokens must be at least 3 (or None for whole texts)")
        self.encoder_tokens = None if encoder_tokens is None else int(encoder_tokens)
        self.chunk_size = chunk_size
        self.random_state = int(random_state)
        self._fitted = False
        #: largest dense score block (rows x cols) built so far; for tests and tuning.
        self.max_block_shape: tuple[int, int] = (0, 0)

    _PARAMS = ("text_weight", "entity_weight", "topic_weight", "half_life_days", "recency_weight",
               "allow_future", "dedup_threshold", "min_df", "max_df", "char_ngrams", "lsa_dims",
               "lsa_weight", "lsa_iter", "lsa_sample", "graph_k", "graph_weight", "diffusion_alpha",
               "diffusion_steps",
               "profile_size", "encoder", "encoder_weight", "encoder_tokens", "chunk_size", "random_state")

    # -- basic info -------------------------------------------------------
    def __len__(self) -> int:
        return len(self._docs) if self._fitted else 0

    def __contains__(self, doc_id: object) -> bool:
        return self._fitted and doc_id in self._pos

    @property
    def ids(self) -> list[str]:
        """Ids of the indexed articles, in index order."""
        return [d.id for d in self._docs] if self._fitted else []

    def _check_fitted(self) -> None:
        if not self._fitted:
            raise InputError("the RelatedIndex is empty: call fit(articles) first")

    # -- featurisation ----------------------------------------------------
    def _word_counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        if len(texts) > _COUNT_BLOCK:  # bound the Python lists below
            return sp.vstack([self._word_counts(texts[a:a + _COUNT_BLOCK])
                              for a in range(0, len(texts), _COUNT_BLOCK)], format="csr")
        vocab = self._vocab
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for t in texts:
            counts: dict[int, int] = {}
            for w in _WORD_RE.findall(t.lower()):
                j = vocab.get(w)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            indices.extend(counts.keys())
            data.extend(counts.values())
            indptr.append(len(indices))
        m = sp.csr_matrix((np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32),
                           np.asarray(indptr, dtype=np.int64)), shape=(len(texts), len(vocab)))
        m.sort_indices()
        return m

    @staticmethod
    def _sublinear(m: sp.csr_matrix) -> sp.csr_matrix:
        m = m.tocsr().astype(np.float32)
        m.data = 1.0 + np.log(m.data)
        return m

    def _char_counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Hashed ``char_wb`` 3-5 gram counts, computed once per word type.

        The same counts as sklearn's ``HashingVectorizer(analyzer="char_wb")``
        on the whole text (n-grams never cross word boundaries), but the
        n-grams of a word are hashed once per corpus instead of once per
        occurrence.
        """
        if len(texts) > _COUNT_BLOCK:  # bound the Python lists below
            return sp.vstack([self._char_counts(texts[a:a + _COUNT_BLOCK])
                              for a in range(0, len(texts), _COUNT_BLOCK)], format="csr")
        from sklearn.feature_extraction.text import HashingVectorizer  # type: ignore[import-untyped]

        types: dict[str, int] = {}
        indptr = [0]
        indices: list[int] = []
        data: list[int] = []
        for t in texts:
            counts: dict[int, int] = {}
            for w in t.lower().split():
                j = types.setdefault(w, len(types))
                counts[j] = counts.get(j, 0) + 1
            indices.extend(counts.keys())
            data.extend(counts.values())
            indptr.append(len(indices))
        tc = sp.csr_matrix((np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int64),
                            np.asarray(indptr, dtype=np.int64)), shape=(len(texts), len(types)))
        del indices, data
        hv = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=_CHAR_FEATURES,
                               alternate_sign=False, norm=None, lowercase=False, dtype=np.float32)
        per_type = hv.transform(list(types)).tocsr()
        out = (tc @ per_type).tocsr()
        out.sort_indices()
        return out

    def _featurize(self, docs: Sequence[_Doc]) -> dict[str, Any]:
        """Word tf-idf rows, LSA rows, entity rows, topic rows, dates, for new docs."""
        texts = [d.text for d in docs]
        xw = _tfidf_inplace(self._word_counts(texts), self._idf_w)
        z = None
        if self._svd_components is not None:
            z = self._project(xw, texts)
        xe = self._entity_rows(docs)
        xt = self._topic_rows(docs)
        return {"xw": xw, "z": z, "u": self._embed(texts), "xe": xe, "xt": xt}

    def _embed(self, texts: Sequence[str]) -> np.ndarray | None:
        """Encoder embeddings of ``texts`` (``None`` without an encoder)."""
        if self.encoder is None:
            return None
        from ..embeddings import get_encoder

        return get_encoder(self.encoder).embed(texts, max_tokens=self.encoder_tokens,
                                               progress=len(texts) > 500)

    def _project(self, xw: sp.csr_matrix, texts: Sequence[str]) -> np.ndarray:
        """LSA coordinates (l2-normalised) of word rows ``xw`` for ``texts``."""
        parts = [xw]
        if self.char_ngrams:
            parts.append(_tfidf_inplace(self._char_counts(texts), self._idf_c))
        xa = sp.hstack(parts, format="csr") if len(parts) > 1 else parts[0]
        assert self._svd_components is not None  # only called with an LSA block
        return _l2_dense(np.asarray(xa @ self._svd_components.T, dtype=np.float32))

    def _entity_rows(self, docs: Sequence[_Doc]) -> sp.csr_matrix:
        rows, cols = [], []
        for i, d in enumerate(docs):
            seen = set()
            for name, _label in d.entities:
                key = name.casefold()
                j = self._ent_vocab.get(key)
                if j is not None and j not in seen:
                    seen.add(j)
                    rows.append(i)
                    cols.append(j)
        m = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                          shape=(len(docs), len(self._ent_vocab)))
        return _l2_rows(m.multiply(self._idf_e).tocsr()) if len(self._ent_vocab) else m

    def _topic_rows(self, docs: Sequence[_Doc]) -> sp.csr_matrix:
        rows, cols = [], []
        for i, d in enumerate(docs):
            for t in d.topics:
                j = self._topic_vocab.get(t)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        m = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                          shape=(len(docs), len(self._topic_vocab)))
        return _l2_rows(m) if len(self._topic_vocab) else m

    @staticmethod
    def _date_ints(docs: Sequence[_Doc]) -> np.ndarray:
        return np.array([d.published.toordinal() if d.published else _NO_DATE for d in docs], dtype=np.int32)

    # -- fitting ------------------------------------------------------------
    def fit(self, articles: Iterable[Any]) -> "RelatedIndex":
        """Index a corpus from scratch.

        Args:
            articles: :class:`ngo_text.Article` objects, dicts (``Article.to_dict()``
                shape or ``id``/``title``/``text``/``entities``/``topics``/
                ``published``/``url``) or plain strings.

        Returns:
            ``self``.

        Raises:
            InputError: no articles, or an item that cannot be read.
        """
        docs = [_as_doc(a) for a in articles]
        if not docs:
            raise InputError("fit() needs at least one article")
        seen: dict[str, int] = {}
        for d in docs:  # keep ids unique: last one wins
            seen[d.id] = seen.get(d.id, 0) + 1
        if any(v > 1 for v in seen.values()):
            uniq: dict[str, _Doc] = {}
            for d in docs:
                uniq[d.id] = d
            docs = list(uniq.values())
        n = len(docs)
        texts = [d.text for d in docs]
        # words: vocabulary and idf
        from collections import Counter

        df: Counter[str] = Counter()
        for t in texts:
            df.update(set(_WORD_RE.findall(t.lower())))
        min_df = self.min_df if n >= 50 else 1
        max_count = self.max_df * n if n >= 20 else n
        terms = sorted(w for w, c in df.items()
                       if c >= min_df and c <= max_count and w not in german_function_words())
        if not terms:  # tiny or degenerate corpus: keep everything
            terms = sorted(df)
        self._vocab = {w: i for i, w in enumerate(terms)}
        self._terms = terms
        dfa = np.array([df[w] for w in terms], dtype=np.float64)
        self._idf_w = (np.log((1 + n) / (1 + dfa)) + 1.0).astype(np.float32)
        xw = _tfidf_inplace(self._word_counts(texts), self._idf_w)
        # LSA over words (+ hashed char n-grams)
        self._svd_components: np.ndarray | None = None
        self._idf_c = np.zeros(0, dtype=np.float32)
        dims = min(self.lsa_dims, n - 1, xw.shape[1] - 1)
        z = None
        if dims >= 2:
            # the SVD is fitted on at most ``lsa_sample`` articles (bounded time
            # and memory); all articles are then projected chunk by chunk
            if self.lsa_sample and n > self.lsa_sample:
                rng = np.random.default_rng(self.random_state)
                fit_idx = np.sort(rng.choice(n, size=int(self.lsa_sample), replace=False))
            else:
                fit_idx = np.arange(n)
            m = fit_idx.size
            parts = [xw[fit_idx]]
            if self.char_ngrams:
                cc = self._char_counts([texts[i] for i in fit_idx])
                dfc = np.bincount(cc.indices, minlength=_CHAR_FEATURES).astype(np.float64)
                idf_c = np.log((1 + m) / (1 + dfc)) + 1.0
                min_c = min_df if m >= 50 else 1
                idf_c[(dfc < min_c) | (dfc > self.max_df * m if m >= 20 else dfc > m)] = 0.0
                self._idf_c = idf_c.astype(np.float32)
                parts.append(_tfidf_inplace(cc, self._idf_c))
                del cc
            xa = sp.hstack(parts, format="csr") if len(parts) > 1 else parts[0]
            del parts
            from sklearn.decomposition import TruncatedSVD  # type: ignore[import-untyped]

            svd = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=self.lsa_iter,
                               random_state=self.random_state)
            svd.fit(xa)
            self._svd_components = svd.components_.astype(np.float32)
            if m == n:
                z = _l2_dense(np.asarray(xa @ self._svd_components.T, dtype=np.float32))
                del xa
            else:
                del xa
                z = np.vstack([self._project(xw[a:a + 5000], texts[a:a + 5000]) for a in range(0, n, 5000)])
        u = self._embed(texts)
        # entities and topics
        edf: Counter[str] = Counter()
        self._ent_names: dict[str, str] = {}
        for d in docs:
            keys = set()
            for name, _label in d.entities:
                key = name.casefold()
                keys.add(key)
                self._ent_names.setdefault(key, name)
            edf.update(keys)
        ent_keys = sorted(edf)
        self._ent_vocab = {k: i for i, k in enumerate(ent_keys)}
        self._idf_e = (np.log((1 + n) / (1 + np.array([edf[k] for k in ent_keys], dtype=np.float64)))
                       + 1.0).astype(np.float32)
        self._topic_vocab = {t: i for i, t in enumerate(sorted({t for d in docs for t in d.topics}))}
        xe = self._entity_rows(docs)
        xt = self._topic_rows(docs)
        # state
        self._docs = docs
        self._pos = {d.id: i for i, d in enumerate(docs)}
        self._xw, self._z, self._u, self._xe, self._xt = xw, z, u, xe, xt
        self._dates = self._date_ints(docs)
        self._urls = [d.url for d in docs]
        self._url_index: dict[str, list[int]] | None = None
        self._profiles: sp.csr_matrix | None = None
        self._fitted = True
        # diffusion graph
        k = min(self.graph_k, n - 1)
        if k >= 2 and self.graph_weight > 0:
            self._build_graph(k)
        return self

    def refit(self) -> "RelatedIndex":
        """Rebuild vocabulary, idf, LSA and graph from the stored articles."""
        self._check_fitted()
        docs = list(self._docs)
        return self.fit([asdict(d) for d in docs])

    def _chunk(self, n_cols: int) -> int:
        if self.chunk_size:
            return max(1, int(self.chunk_size))
        return max(16, min(4096, (1 << 24) // max(1, n_cols)))

    def _build_graph(self, k: int) -> None:
        """kNN graph on the base text similarity and truncated diffusion profiles."""
        n = len(self._docs)
        rows, cols, vals = [], [], []
        step = self._chunk(n)
        for start in range(0, n, step):
            idx = np.arange(start, min(n, start + step))
            s = self._base_block(self._xw[idx], None if self._z is None else self._z[idx],
                                 None if self._u is None else self._u[idx])
            s[np.arange(idx.size), idx] = -np.inf
            top = np.argpartition(-s, k, axis=1)[:, :k]
            v = np.take_along_axis(s, top, axis=1)
            rows.append(np.repeat(idx, k))
            cols.append(top.ravel())
            vals.append(np.clip(v.ravel(), 0.0, None))
        a = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(n, n), dtype=np.float32)
        a = a.maximum(a.T).tocsr()
        deg = np.asarray(a.sum(axis=1)).ravel().astype(np.float32)
        deg[deg == 0] = 1.0
        dinv = sp.diags(1.0 / np.sqrt(deg)).astype(np.float32)
        w = (dinv @ a @ dinv).tocsr().astype(np.float32)
        self._graph_deg = deg
        self._graph_w = w
        # rows diffuse independently: process them in blocks so the untruncated
        # products (up to profile_size x graph degree entries per row) stay small
        eye = sp.identity(n, dtype=np.float32, format="csr")
        blocks = []
        for start in range(0, n, _DIFFUSION_BLOCK):
            p = eye[start:start + _DIFFUSION_BLOCK]
            f = p.copy()
            for _ in range(self.diffusion_steps):
                p = _truncate_rows((p @ w) * self.diffusion_alpha, self.profile_size)
                f = _truncate_rows(f + p, self.profile_size)
            blocks.append(f)
        self._profiles = _l2_rows(sp.vstack(blocks, format="csr"))
        del blocks
        # the graph nodes are the fitted docs; they stay addressable for add()
        # after remove() until refit()
        self._node_profiles = self._profiles
        self._node_xw, self._node_z, self._node_u = self._xw, self._z, self._u

    def _profiles_for(self, base: np.ndarray, self_idx: np.ndarray | None) -> sp.csr_matrix:
        """Diffusion profiles for rows not in the graph, from their base similarity."""
        k = min(self.graph_k, self._profiles.shape[1] - 1 if self._profiles is not None else 0)
        assert self._profiles is not None  # only called with a diffusion graph
        n_graph = self._profiles.shape[1]
        b = base[:, :n_graph].copy()
        if self_idx is not None:
            b[np.arange(b.shape[0]), self_idx] = -np.inf
        top = np.argpartition(-b, k, axis=1)[:, :k]
        v = np.clip(np.take_along_axis(b, top, axis=1), 0.0, None)
        dq = v.sum(axis=1, keepdims=True)
        dq[dq == 0] = 1.0
        v = v / np.sqrt(dq) / np.sqrt(self._graph_deg[top])
        rows = np.repeat(np.arange(b.shape[0]), k)
        wq = sp.csr_matrix((v.ravel().astype(np.float32), (rows, top.ravel())), shape=(b.shape[0], n_graph))
        # graph rows index the fitted docs in their original order
        prof = wq @ self._graph_profiles_by_node()
        return _l2_rows(_truncate_rows(prof, self.profile_size))

    def _graph_profiles_by_node(self) -> sp.csr_matrix:
        return self._node_profiles

    # -- incremental updates -----------------------------------------------
    def add(self, articles: Iterable[Any]) -> "RelatedIndex":
        """Add articles with the frozen vocabulary, idf, LSA and graph (no refit).

        Articles whose id is already indexed replace the old entry.
        New entity names and topic labels unknown at fit time are kept for
        the reasons but do not add to the score until :meth:`refit`.
        """
        self._check_fitted()
        docs = [_as_doc(a) for a in articles]
        if not docs:
            return self
        replaced = [d.id for d in docs if d.id in self._pos]
        if replaced:
            self.remove(replaced)
        uniq: dict[str, _Doc] = {}
        for d in docs:
            uniq[d.id] = d
        docs = list(uniq.values())
        feats = self._featurize(docs)
        if self._profiles is not None:
            base = self._base_block(feats["xw"], feats["z"], feats["u"], cols_graph=True)
            prof = self._profiles_for(base, None)
            self._profiles = sp.vstack([self._profiles, prof]).tocsr()
        start = len(self._docs)
        self._docs.extend(docs)
        for i, d in enumerate(docs):
            self._pos[d.id] = start + i
        self._xw = sp.vstack([self._xw, feats["xw"]]).tocsr()
        if self._z is not None:
            self._z = np.vstack([self._z, feats["z"]])
        if self._u is not None:
            self._u = np.vstack([self._u, feats["u"]])
        self._xe = sp.vstack([self._xe, feats["xe"]]).tocsr()
        self._xt = sp.vstack([self._xt, feats["xt"]]).tocsr()
        self._dates = np.concatenate([self._dates, self._date_ints(docs)])
        self._urls.extend(d.url for d in docs)
        self._url_index = None
        return self

    def remove(self, ids: Iterable[str]) -> "RelatedIndex":
        """Remove articles by id (unknown ids are ignored); no refit."""
        self._check_fitted()
        drop = {self._pos[i] for i in ids if i in self._pos}
        if not drop:
            return self
        keep = np.array([i for i in range(len(self._docs)) if i not in drop], dtype=np.int64)
        self._docs = [self._docs[i] for i in keep]
        self._pos = {d.id: i for i, d in enumerate(self._docs)}
        self._xw = self._xw[keep]
        if self._z is not None:
            self._z = self._z[keep]
        if self._u is not None:
            self._u = self._u[keep]
        self._xe = self._xe[keep]
        self._xt = self._xt[keep]
        self._dates = self._dates[keep]
        self._urls = [self._urls[i] for i in keep]
        self._url_index = None
        if self._profiles is not None:
            self._profiles = self._profiles[keep]
        if not self._docs:
            self._fitted = False
        return self

    # -- scoring ------------------------------------------------------------
    def _base_block(self, xw: sp.csr_matrix, z: np.ndarray | None, u: np.ndarray | None = None, *,
                    cols_graph: bool = False, word_out: list | None = None) -> np.ndarray:
        """Dense (rows x N) base text similarity: word cosine mixed with LSA cosine
        (and with the encoder cosine when there is an encoder).

        With ``cols_graph`` the columns are the graph nodes (fitted docs in fit
        order) instead of the current index rows. With ``word_out`` (a list),
        the plain word cosine block is appended to it.
        """
        if cols_graph:
            cxw, cz, cu = self._node_xw, self._node_z, self._node_u
        else:
            cxw, cz, cu = self._xw, self._z, self._u
        s = np.asarray((xw @ cxw.T).toarray(), dtype=np.float32)
        if word_out is not None:
            word_out.append(s.copy())
        if z is not None and cz is not None and self.lsa_weight > 0:
            s *= (1.0 - self.lsa_weight)
            s += self.lsa_weight * (z @ cz.T)
        if u is not None and cu is not None and self.encoder_weight > 0:
            s *= (1.0 - self.encoder_weight)
            s += self.encoder_weight * (u @ cu.T)
        self.max_block_shape = max(self.max_block_shape, s.shape)
        return s

    def _score_block(self, feats: dict[str, Any], profiles: sp.csr_matrix | None) -> tuple[np.ndarray, np.ndarray]:
        """(final scores, word cosine) for a block of query rows against all docs."""
        words: list[np.ndarray] = []
        text = self._base_block(feats["xw"], feats["z"], feats["u"], word_out=words)
        word = words[0]
        if profiles is not None and self._profiles is not None and self.graph_weight > 0:
            d = np.asarray((profiles @ self._profiles.T).toarray(), dtype=np.float32)
            text *= (1.0 - self.graph_weight)
            text += self.graph_weight * d
        score = self.text_weight * text
        if self.entity_weight and feats["xe"].shape[1]:
            score += self.entity_weight * np.asarray((feats["xe"] @ self._xe.T).toarray(), dtype=np.float32)
        if self.topic_weight and feats["xt"].shape[1]:
            score += self.topic_weight * np.asarray((feats["xt"] @ self._xt.T).toarray(), dtype=np.float32)
        return score, word

    def _apply_rules(self, score: np.ndarray, word: np.ndarray, q_dates: np.ndarray, q_urls: Sequence[str | None],
                     q_pos: Sequence[int | None], exclude: Iterable[str] = ()) -> np.ndarray:
        """Recency decay and hard exclusions (in place); excluded entries get -inf."""
        dates = self._dates
        has = dates != _NO_DATE
        if self.half_life_days is not None and self.recency_weight > 0:
            for r in range(score.shape[0]):
                if q_dates[r] == _NO_DATE:
                    continue
                delta = np.abs(dates.astype(np.int64) - int(q_dates[r])).astype(np.float32)
                decay = np.where(has, np.power(np.float32(0.5), delta / np.float32(self.half_life_days)), 1.0)
                score[r] *= (1.0 - self.recency_weight) + self.recency_weight * decay
        if not self.allow_future:
            for r in range(score.shape[0]):
                if q_dates[r] != _NO_DATE:
                    score[r, has & (dates > q_dates[r])] = -np.inf
        blocked = [self._pos[i] for i in set(self.block) | set(exclude) if i in self._pos]
        if blocked:
            score[:, blocked] = -np.inf
        for r in range(score.shape[0]):
            if q_pos[r] is not None:
                score[r, q_pos[r]] = -np.inf
            q_url = q_urls[r]
            if q_url:
                same = self._url_positions().get(q_url)
                if same:
                    score[r, same] = -np.inf
            if self.dedup_threshold is not None:
                score[r, word[r] > self.dedup_threshold] = -np.inf  # the query's own duplicates
        return score

    def _url_positions(self) -> dict[str, list[int]]:
        if self._url_index is None:
            idx: dict[str, list[int]] = {}
            for i, u in enumerate(self._urls):
                if u:
                    idx.setdefault(u, []).append(i)
            self._url_index = idx
        return self._url_index

    def _select(self, score_row: np.ndarray, k: int) -> list[int]:
        """Top-k column indices with near-duplicate collapse."""
        finite = np.isfinite(score_row)
        n_ok = int(finite.sum())
        if n_ok == 0 or k <= 0:
            return []
        pool_n = min(n_ok, k * 4 + 8)
        cand = np.argpartition(-np.where(finite, score_row, -np.inf), pool_n - 1)[:pool_n]
        cand = cand[np.argsort(-score_row[cand], kind="stable")]
        cand = cand[np.isfinite(score_row[cand])]
        if self.dedup_threshold is None:
            return cand[:k].tolist()
        if self._z is not None:
            # cheap exact-enough prefilter: word near-duplicates are also close in
            # the LSA space (which includes the words); only then compute word cosines
            zc = self._z[cand] @ self._z[cand].T
            np.fill_diagonal(zc, 0.0)
            if zc.max() < min(0.6, self.dedup_threshold):
                return cand[:k].tolist()
        sims = np.asarray((self._xw[cand] @ self._xw[cand].T).toarray())
        kept: list[int] = []
        for a in range(cand.size):
            if all(sims[a, b] <= self.dedup_threshold for b in kept):
                kept.append(a)
                if len(kept) == k:
                    break
        return [int(cand[a]) for a in kept]

    def _reasons(self, q_doc: _Doc, q_xw: sp.csr_matrix, j: int) -> list[str]:
        d = self._docs[j]
        reasons: list[str] = []
        qnames: dict[str, tuple[str, str]] = {}
        for name, label in q_doc.entities:
            qnames.setdefault(name.casefold(), (name, label))
        shared_actors: list[str] = []
        shared_places: list[str] = []
        seen = set()
        for name, label in d.entities:
            key = name.casefold()
            if key in qnames and key not in seen:
                seen.add(key)
                (shared_places if label == "LOC" else shared_actors).append(qnames[key][0])
        if shared_actors:
            reasons.append("gemeinsame Akteure: " + ", ".join(shared_actors[:4]))
        if shared_places:
            reasons.append("gemeinsame Orte: " + ", ".join(shared_places[:3]))
        topics = [t for t in q_doc.topics if t in set(d.topics)]
        if topics:
            reasons.append("gemeinsame Themen: " + ", ".join(topics[:3]))
        q_xw = q_xw.tocsr()
        qi, qd = q_xw.indices, q_xw.data
        a, b = int(self._xw.indptr[j]), int(self._xw.indptr[j + 1])
        ji, jd = self._xw.indices[a:b], self._xw.data[a:b]
        common, qpos, jpos = np.intersect1d(qi, ji, assume_unique=True, return_indices=True)
        if common.size:
            order = np.argsort(-(qd[qpos] * jd[jpos]))
            terms = [t for t in (self._terms[common[o]] for o in order[:12]) if len(t) > 2][:4]
            if terms:
                reasons.append("Schlüsselbegriffe: " + ", ".join(terms))
        return reasons

    def _result(self, q_doc: _Doc, q_xw: sp.csr_matrix, j: int, score: float, with_reasons: bool) -> Related:
        d = self._docs[j]
        return Related(id=d.id, score=round(float(score), 4),
                       reasons=self._reasons(q_doc, q_xw, j) if with_reasons else [],
                       title=d.title, url=d.url, published=d.published)

    def _query(self, article_or_id: Any) -> tuple[_Doc, dict[str, Any], sp.csr_matrix | None, int | None]:
        self._check_fitted()
        pos: int | None
        if isinstance(article_or_id, str) and article_or_id in self._pos:
            pos = self._pos[article_or_id]
        elif isinstance(article_or_id, str) and not any(c.isspace() for c in article_or_id.strip()):
            raise InputError(f"unknown article id {article_or_id!r}: not in this index "
                             "(pass an indexed id, an Article, a dict or a text with several words)")
        else:
            doc = _as_doc(article_or_id)
            pos = self._pos.get(doc.id) if not isinstance(article_or_id, str) else None
            if pos is None:
                feats = self._featurize([doc])
                prof = None
                if self._profiles is not None:
                    prof = self._profiles_for(
                        self._base_block(feats["xw"], feats["z"], feats["u"], cols_graph=True), None)
                return doc, feats, prof, None
        feats = self._rows_feats(np.array([pos]))
        prof = self._profiles[[pos]] if self._profiles is not None else None
        return self._docs[pos], feats, prof, pos

    def _rows_feats(self, idx: np.ndarray) -> dict[str, Any]:
        return {"xw": self._xw[idx], "z": None if self._z is None else self._z[idx],
                "u": None if self._u is None else self._u[idx],
                "xe": self._xe[idx], "xt": self._xt[idx]}

    # -- public queries -----------------------------------------------------
    def related(self, article_or_id: Any, k: int = 3, *, exclude: Iterable[str] = ()) -> list[Related]:
        """The ``k`` most related indexed articles.

        Args:
            article_or_id: An indexed id, or an article (Article/dict/text of
                several words; a single word that is no indexed id raises
                :class:`~ngo_text.errors.InputError`);
                an article whose id is indexed uses the indexed version,
                any other is transformed with the frozen model.
            k: Number of results.
            exclude: Further ids not to return.

        Returns:
            Up to ``k`` :class:`Related`, best first, with reasons.
        """
        doc, feats, prof, pos = self._query(article_or_id)
        score, word = self._score_block(feats, prof)
        q_date = self._date_ints([doc])
        self._apply_rules(score, word, q_date, [doc.url], [pos], exclude)
        cols = self._select(score[0], k)
        return [self._result(doc, feats["xw"], j, score[0, j], True) for j in cols]

    def all_pairs(self, k: int = 5, *, chunk_size: int | None = None,
                  with_reasons: bool = True) -> Iterator[tuple[str, list[Related]]]:
        """Yield ``(id, related)`` for every indexed article.

        Rows are scored in chunks of ``chunk_size`` (a ``chunk_size`` x N
        float32 block at a time; N x N is never built) and the top ``k``
        are selected with :func:`numpy.argpartition`.
        """
        self._check_fitted()
        n = len(self._docs)
        step = int(chunk_size) if chunk_size else self._chunk(n)
        for start in range(0, n, step):
            idx = np.arange(start, min(n, start + step))
            feats = self._rows_feats(idx)
            prof = self._profiles[idx] if self._profiles is not None else None
            score, word = self._score_block(feats, prof)
            docs = [self._docs[i] for i in idx]
            self._apply_rules(score, word, self._dates[idx], [d.url for d in docs], list(idx))
            for r, i in enumerate(idx):
                cols = self._select(score[r], k)
                yield docs[r].id, [self._result(docs[r], feats["xw"][r], j, score[r, j], with_reasons)
                                   for j in cols]

    def get(self, doc_id: str) -> dict[str, Any]:
        """Stored metadata of an indexed article (id, title, lead, url, published)."""
        self._check_fitted()
        d = self._docs[self._pos[doc_id]]
        return {"id": d.id, "title": d.title, "lead": d.lead, "text": d.text,
                "url": d.url, "published": d.published}

    # -- persistence --------------------------------------------------------
    def save(self, path: str | os.PathLike) -> Path:
        """Write ``<path>.json`` and ``<path>.npz``; returns the JSON path.

        The JSON holds the format name and version, the settings, the
        vocabulary and the article metadata (incl. text, for :meth:`refit`);
        the npz holds only numeric arrays.
        """
        self._check_fitted()
        base = Path(path)
        if base.suffix in (".json", ".npz"):
            base = base.with_suffix("")
        base.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {"idf_w": self._idf_w, "idf_c": self._idf_c, "idf_e": self._idf_e,
                                         "dates": self._dates}
        arrays.update(_sparse_to_arrays("xw", self._xw))
        arrays.update(_sparse_to_arrays("xe", self._xe))
        arrays.update(_sparse_to_arrays("xt", self._xt))
        if self._z is not None:
            assert self._svd_components is not None  # fitted/loaded together with z
            arrays["z"] = self._z
            arrays["svd"] = self._svd_components
        if self._u is not None:
            arrays["u"] = self._u
        if self._profiles is not None:
            arrays.update(_sparse_to_arrays("prof", self._profiles))
            arrays["graph_deg"] = self._graph_deg
            if self._node_profiles is not self._profiles:  # after remove(): keep the graph nodes
                arrays.update(_sparse_to_arrays("node_prof", self._node_profiles))
                arrays.update(_sparse_to_arrays("node_xw", self._node_xw))
                if self._node_z is not None:
                    arrays["node_z"] = self._node_z
                if self._node_u is not None:
                    arrays["node_u"] = self._node_u
        meta = {
            "format": FORMAT_NAME, "version": FORMAT_VERSION,
            "params": {p: getattr(self, p) for p in self._PARAMS},
            "block": sorted(self.block),
            "terms": self._terms,
            "entities": [[k, self._ent_names.get(k, k)]
                         for k in sorted(self._ent_vocab, key=self._ent_vocab.__getitem__)],
            "topics": sorted(self._topic_vocab, key=self._topic_vocab.__getitem__),
            "docs": [{**asdict(d), "published": d.published.isoformat() if d.published else None}
                     for d in self._docs],
        }
        npz_path = base.with_suffix(".npz")
        json_path = base.with_suffix(".json")
        tmp_npz = npz_path.with_name(npz_path.name + ".tmp.npz")
        np.savez_compressed(tmp_npz, **arrays)  # type: ignore[arg-type]  # numpy stub: ** might fill allow_pickle
        digest = hashlib.sha256(tmp_npz.read_bytes()).hexdigest()
        meta["npz_sha256"] = digest
        tmp_json = json_path.with_name(json_path.name + ".tmp")
        tmp_json.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp_npz, npz_path)
        os.replace(tmp_json, json_path)
        return json_path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "RelatedIndex":
        """Load an index written by :meth:`save` (path with or without suffix).

        Raises:
            ModelNotFoundError: the files do not exist.
            ModelFormatError: damaged, foreign or of another format version.
        """
        from ..errors import ModelNotFoundError

        base = Path(path)
        if base.suffix in (".json", ".npz"):
            base = base.with_suffix("")
        json_path, npz_path = base.with_suffix(".json"), base.with_suffix(".npz")
        if not json_path.exists() or not npz_path.exists():
            raise ModelNotFoundError(f"no related index at {base} (need {json_path.name} and {npz_path.name})")
        try:
            meta = json.loads(json_path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ModelFormatError(f"{json_path} is not valid JSON ({exc}); re-create the index with save()") from exc
        if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
            raise ModelFormatError(f"{json_path} is not a ngo_text related index")
        if meta.get("version") != FORMAT_VERSION:
            raise ModelFormatError(f"{json_path} has format version {meta.get('version')!r}, this ngo_text "
                                   f"reads version {FORMAT_VERSION}; refit and save the index again")
        raw = npz_path.read_bytes()
        if meta.get("npz_sha256") != hashlib.sha256(raw).hexdigest():
            raise ModelFormatError(f"{npz_path} does not match {json_path.name} (damaged or replaced); "
                                   "refit and save the index again")
        try:
            params = dict(meta["params"])
            # indexes saved before encoder_tokens existed embedded whole texts (4,096 tokens)
            params.setdefault("encoder_tokens", 4096)
            self = cls(**params, block=meta.get("block", ()))
            with np.load(npz_path, allow_pickle=False) as arrs:
                self._terms = list(meta["terms"])
                self._vocab = {w: i for i, w in enumerate(self._terms)}
                self._idf_w = arrs["idf_w"].astype(np.float32)
                self._idf_c = arrs["idf_c"].astype(np.float32)
                self._idf_e = arrs["idf_e"].astype(np.float32)
                self._dates = arrs["dates"].astype(np.int32)
                self._xw = _sparse_from_arrays("xw", arrs)
                self._xe = _sparse_from_arrays("xe", arrs)
                self._xt = _sparse_from_arrays("xt", arrs)
                self._z = arrs["z"] if "z" in arrs.files else None
                self._svd_components = arrs["svd"] if "svd" in arrs.files else None
                self._u = arrs["u"] if "u" in arrs.files else None
                self._profiles = _sparse_from_arrays("prof", arrs) if "prof_data" in arrs.files else None
                if self._profiles is not None:
                    self._graph_deg = arrs["graph_deg"].astype(np.float32)
                    if "node_prof_data" in arrs.files:
                        self._node_profiles = _sparse_from_arrays("node_prof", arrs)
                        self._node_xw = _sparse_from_arrays("node_xw", arrs)
                        self._node_z = arrs["node_z"] if "node_z" in arrs.files else None
                        self._node_u = arrs["node_u"] if "node_u" in arrs.files else None
                    else:
                        self._node_profiles, self._node_xw = self._profiles, self._xw
                        self._node_z, self._node_u = self._z, self._u
            ents = meta["entities"]
            self._ent_vocab = {k: i for i, (k, _n) in enumerate(ents)}
            self._ent_names = {k: n for k, n in ents}
            self._topic_vocab = {t: i for i, t in enumerate(meta["topics"])}
            self._docs = []
            for d in meta["docs"]:
                self._docs.append(_Doc(id=d["id"], title=d["title"], text=d["text"], lead=d["lead"],
                                       entities=[(str(a), str(b)) for a, b in d["entities"]],
                                       topics=list(d["topics"]), published=to_date(d["published"]),
                                       url=d["url"]))
        except ModelFormatError:
            raise
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ModelFormatError(f"{base}: damaged related index ({type(exc).__name__}: {exc}); "
                                   "refit and save the index again") from exc
        n = len(self._docs)
        if self._xw.shape[0] != n or self._dates.shape[0] != n or (self._z is not None and len(self._z) != n) \
                or (self._u is not None and len(self._u) != n) or ((self._u is None) != (self.encoder is None)):
            raise ModelFormatError(f"{base}: array sizes do not match the article list; refit and save again")
        self._pos = {d.id: i for i, d in enumerate(self._docs)}
        self._urls = [d.url for d in self._docs]
        self._url_index = None
        self._fitted = True
        return self


# ---------------------------------------------------------------------------
# teaser blocks
# ---------------------------------------------------------------------------
def shorten_summary(text: str, limit: int = 300) -> str:
    """Shorten ``text`` to at most ``limit`` characters.

    Whitespace is collapsed. Text within the limit is returned unchanged.
    Otherwise the text is cut after the last complete sentence that fits
    (if that keeps at least 40 % of the limit), else at the last word
    boundary, and "…" is appended (the result incl. "…" is <= ``limit``).
    """
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    if limit < 2:
        return "…"[:limit]
    room = text[: limit - 1]
    ends = [m.end() for m in re.finditer(r"[.!?][\"“”»']?(?=\s)", room)]
    if ends and ends[-1] >= 0.4 * limit and ends[-1] + 2 <= limit:
        return room[: ends[-1]] + " …"
    cut = room.rfind(" ")
    if cut <= 0:
        return room + "…"
    return room[:cut].rstrip(" ,;:–-") + "…"


def _lead_of(d: dict[str, Any]) -> str:
    lead = d.get("lead") or ""
    if lead:
        return lead
    text = d.get("text") or ""
    title = d.get("title") or ""
    if title and text.startswith(title):
        text = text[len(title):]
    return text.strip()


def teaser_block(article: Any, k: int = 4, *, index: RelatedIndex, format: str = "dict",
                 heading: str = "Das könnte Sie auch interessieren") -> list[dict[str, Any]] | str:
    """A "related articles" block for ``article``.

    Args:
        article: Indexed id, Article, dict or text (see :meth:`RelatedIndex.related`).
        k: Number of teasers.
        index: A fitted :class:`RelatedIndex`.
        format: ``"dict"`` (list of dicts ``id, title, summary, url,
            published, score, reasons``), ``"json"`` (that list as a JSON
            string) or ``"html"`` (a ``<section class="ngo-related">`` fragment,
            everything escaped).
        heading: Heading of the HTML block.

    Returns:
        The list of dicts, or a string for ``"json"`` / ``"html"``.
    """
    if format not in ("dict", "json", "html"):
        raise InputError(f"unknown format {format!r}; use 'dict', 'json' or 'html'")
    items: list[dict[str, Any]] = []
    for rel in index.related(article, k=k):
        stored = index.get(rel.id)
        items.append({"id": rel.id, "title": rel.title, "summary": shorten_summary(_lead_of(stored), 300),
                      "url": rel.url, "published": rel.published.isoformat() if rel.published else None,
                      "score": rel.score, "reasons": list(rel.reasons)})
    if format == "dict":
        return items
    if format == "json":
        return json.dumps(items, ensure_ascii=False)
    esc = html.escape
    out = ['<section class="ngo-related">', f"  <h2>{esc(heading)}</h2>", "  <ul>"]
    for it in items:
        title = esc(it["title"] or it["id"])
        link = f'<a href="{esc(it["url"])}">{title}</a>' if it["url"] else f"<span>{title}</span>"
        summary = f'<p>{esc(it["summary"])}</p>' if it["summary"] else ""
        date = f' <time datetime="{esc(it["published"])}">{esc(it["published"])}</time>' if it["published"] else ""
        out.append(f"    <li>{link}{date}{summary}</li>")
    out += ["  </ul>", "</section>"]
    return "\n".join(out)
