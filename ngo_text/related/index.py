"""The related index: :class:`RelatedIndex`, composed from the other modules.

Features (:mod:`.features`), the diffusion graph (:mod:`.graph`), scoring
(:mod:`.scoring`) and persistence (:mod:`.persistence`) live in their own
modules; this one keeps the index state and its updates together.
"""
from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from ..errors import InputError, ParameterError
from .documents import IndexedDoc, Related, as_doc, date_ints, unique_by_id
from .features import FeatureSpace, Rows
from .graph import Graph, build_graph, profiles_for
from .scoring import apply_rules, mix_scores, reasons, select, text_similarity, url_positions


class RelatedIndex:
    """Find related articles in a corpus (see :mod:`ngo_text.related` for the signals).

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

    Raises:
        ParameterError: an invalid setting (a ``ValueError``). Methods that
            need an index raise :class:`~ngo_text.errors.NotFittedError`
            before :meth:`fit` or :meth:`load`.
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
            raise ParameterError("half_life_days must be positive or None")
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

            check_encoder_name(encoder, error=ParameterError)
        self.encoder = encoder
        self.encoder_weight = float(encoder_weight)
        if encoder_tokens is not None and int(encoder_tokens) < 3:
            raise ParameterError("encoder_tokens must be at least 3 (or None for whole texts)")
        self.encoder_tokens = None if encoder_tokens is None else int(encoder_tokens)
        self.chunk_size = chunk_size
        self.random_state = int(random_state)
        self._fitted = False

    _PARAMS = ("text_weight", "entity_weight", "topic_weight", "half_life_days", "recency_weight",
               "allow_future", "dedup_threshold", "min_df", "max_df", "char_ngrams", "lsa_dims",
               "lsa_weight", "lsa_iter", "lsa_sample", "graph_k", "graph_weight", "diffusion_alpha",
               "diffusion_steps",
               "profile_size", "encoder", "encoder_weight", "encoder_tokens", "chunk_size", "random_state")

    def _params(self) -> dict[str, Any]:
        """The constructor settings (without ``block``), as saved."""
        return {p: getattr(self, p) for p in self._PARAMS}

    def _set_state(self, *, space: FeatureSpace, docs: list[IndexedDoc], rows: Rows, dates: np.ndarray,
                   profiles: sp.csr_matrix | None, graph: Graph | None) -> None:
        """Install a fitted (or loaded) state: one entry of ``docs``, ``rows``, ``dates`` (and ``profiles``) per article."""
        self._space = space
        self._docs = docs
        self._pos = {d.id: i for i, d in enumerate(docs)}
        self._rows = rows
        self._dates = dates
        self._urls = [d.url for d in docs]
        self._url_index: dict[str, list[int]] | None = None
        #: diffusion profile of each indexed article (columns: the graph nodes)
        self._profiles = profiles
        self._graph = graph
        self._fitted = True

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
            from ..errors import NotFittedError  # (imports scikit-learn: only when raised)

            raise NotFittedError("the RelatedIndex is empty: call fit(articles) or RelatedIndex.load() first")

    # -- fitting ------------------------------------------------------------
    def fit(self, articles: Iterable[Any]) -> "RelatedIndex":
        """Index a corpus from scratch.

        Args:
            articles: :class:`ngo_text.Article` objects, dicts (``Article.to_dict()``
                shape or ``id``/``title``/``text``/``entities``/``topics``/
                ``published``/``url``) or plain strings. Of several articles
                with one id, the last one is kept.

        Returns:
            ``self``.

        Raises:
            InputError: no articles, or an item that cannot be read.
        """
        docs = [as_doc(a) for a in articles]
        if not docs:
            raise InputError("fit() needs at least one article")
        docs = unique_by_id(docs)
        space = FeatureSpace(encoder=self.encoder, encoder_tokens=self.encoder_tokens)
        rows = space.fit(docs, min_df=self.min_df, max_df=self.max_df, char_ngrams=self.char_ngrams,
                         lsa_dims=self.lsa_dims, lsa_iter=self.lsa_iter, lsa_sample=self.lsa_sample,
                         random_state=self.random_state)
        self._set_state(space=space, docs=docs, rows=rows, dates=date_ints(docs), profiles=None, graph=None)
        n = len(docs)
        k = min(self.graph_k, n - 1)
        if k >= 2 and self.graph_weight > 0:
            self._graph = build_graph(rows, lambda idx: self._base_block(rows.take(idx)), k=k,
                                      chunk=self._chunk(n), alpha=self.diffusion_alpha,
                                      steps=self.diffusion_steps, profile_size=self.profile_size)
            self._profiles = self._graph.profiles
        return self

    def refit(self) -> "RelatedIndex":
        """Rebuild vocabulary, idf, LSA and graph from the stored articles."""
        self._check_fitted()
        docs = list(self._docs)
        return self.fit([asdict(d) for d in docs])

    def _chunk(self, n_cols: int) -> int:
        """Rows per dense score block against ``n_cols`` columns (~16 M floats)."""
        if self.chunk_size:
            return max(1, int(self.chunk_size))
        return max(16, min(4096, (1 << 24) // max(1, n_cols)))

    def _graph_profiles(self, q: Rows) -> sp.csr_matrix:
        """Diffusion profiles of articles that are no graph nodes."""
        assert self._graph is not None  # only called with a diffusion graph
        base = self._base_block(q, self._graph.nodes)
        return profiles_for(self._graph, base, k=self.graph_k, profile_size=self.profile_size)

    # -- incremental updates -----------------------------------------------
    def add(self, articles: Iterable[Any]) -> "RelatedIndex":
        """Add articles with the frozen vocabulary, idf, LSA and graph (no refit).

        Articles whose id is already indexed replace the old entry.
        New entity names and topic labels unknown at fit time are kept for
        the reasons but do not add to the score until :meth:`refit`.
        """
        self._check_fitted()
        docs = [as_doc(a) for a in articles]
        if not docs:
            return self
        replaced = [d.id for d in docs if d.id in self._pos]
        if replaced:
            self.remove(replaced)
        docs = unique_by_id(docs)
        new = self._space.transform(docs)
        if self._profiles is not None:
            self._profiles = sp.vstack([self._profiles, self._graph_profiles(new)]).tocsr()
        start = len(self._docs)
        self._docs.extend(docs)
        for i, d in enumerate(docs):
            self._pos[d.id] = start + i
        self._rows = self._rows.append(new)
        self._dates = np.concatenate([self._dates, date_ints(docs)])
        self._urls.extend(d.url for d in docs)
        self._url_index = None
        self._fitted = True  # also after replacing every indexed article
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
        self._rows = self._rows.take(keep)
        self._dates = self._dates[keep]
        self._urls = [self._urls[i] for i in keep]
        self._url_index = None
        if self._profiles is not None:
            self._profiles = self._profiles[keep]
        if not self._docs:
            self._fitted = False
        return self

    # -- scoring ------------------------------------------------------------
    def _base_block(self, q: Rows, cols: Rows | None = None, *,
                    word_out: list[np.ndarray] | None = None) -> np.ndarray:
        """Dense base text similarity of ``q`` to ``cols`` (default: the indexed articles).

        Every dense score block passes here (at most ``chunk_size`` rows).
        """
        return text_similarity(q, self._rows if cols is None else cols, lsa_weight=self.lsa_weight,
                               encoder_weight=self.encoder_weight, word_out=word_out)

    def _score_block(self, q: Rows, q_profiles: sp.csr_matrix | None) -> tuple[np.ndarray, np.ndarray]:
        """(final scores, word cosine) for a block of query rows against all docs."""
        words: list[np.ndarray] = []
        text = self._base_block(q, word_out=words)
        score = mix_scores(text, q, self._rows, q_profiles, self._profiles, text_weight=self.text_weight,
                           graph_weight=self.graph_weight, entity_weight=self.entity_weight,
                           topic_weight=self.topic_weight)
        return score, words[0]

    def _apply_rules(self, score: np.ndarray, word: np.ndarray, q_dates: np.ndarray,
                     q_urls: list[str | None], q_pos: list[int | None], exclude: Iterable[str] = ()) -> None:
        if self._url_index is None:
            self._url_index = url_positions(self._urls)
        apply_rules(score, word, dates=self._dates, q_dates=q_dates, q_urls=q_urls, q_pos=q_pos,
                    blocked=[self._pos[i] for i in set(self.block) | set(exclude) if i in self._pos],
                    url_positions=self._url_index, half_life_days=self.half_life_days,
                    recency_weight=self.recency_weight, allow_future=self.allow_future,
                    dedup_threshold=self.dedup_threshold)

    def _result(self, q_doc: IndexedDoc, q_xw: sp.csr_matrix, j: int, score: float, with_reasons: bool) -> Related:
        d = self._docs[j]
        return Related(id=d.id, score=round(float(score), 4),
                       reasons=reasons(q_doc, q_xw, d, self._rows.xw[j], self._space.terms) if with_reasons else [],
                       title=d.title, url=d.url, published=d.published)

    def _query(self, article_or_id: Any) -> tuple[IndexedDoc, Rows, sp.csr_matrix | None, int | None]:
        """(doc, rows, diffusion profile, index position or None) of a query."""
        self._check_fitted()
        pos: int | None
        if isinstance(article_or_id, str) and article_or_id in self._pos:
            pos = self._pos[article_or_id]
        elif isinstance(article_or_id, str) and not any(c.isspace() for c in article_or_id.strip()):
            raise InputError(f"unknown article id {article_or_id!r}: not in this index "
                             "(pass an indexed id, an Article, a dict or a text with several words)")
        else:
            doc = as_doc(article_or_id)
            pos = self._pos.get(doc.id) if not isinstance(article_or_id, str) else None
            if pos is None:
                q = self._space.transform([doc])
                prof = self._graph_profiles(q) if self._profiles is not None else None
                return doc, q, prof, None
        prof = self._profiles[[pos]] if self._profiles is not None else None
        return self._docs[pos], self._rows.take(np.array([pos])), prof, pos

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
        doc, q, prof, pos = self._query(article_or_id)
        score, word = self._score_block(q, prof)
        self._apply_rules(score, word, date_ints([doc]), [doc.url], [pos], exclude)
        cols = select(score[0], k, rows=self._rows, dedup_threshold=self.dedup_threshold)
        return [self._result(doc, q.xw, j, score[0, j], True) for j in cols]

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
            q = self._rows.take(idx)
            prof = self._profiles[idx] if self._profiles is not None else None
            score, word = self._score_block(q, prof)
            docs = [self._docs[i] for i in idx]
            self._apply_rules(score, word, self._dates[idx], [d.url for d in docs], list(idx))
            for r in range(idx.size):
                cols = select(score[r], k, rows=self._rows, dedup_threshold=self.dedup_threshold)
                yield docs[r].id, [self._result(docs[r], q.xw[r], j, score[r, j], with_reasons) for j in cols]

    def get(self, doc_id: str) -> dict[str, Any]:
        """Stored metadata of an indexed article (id, title, lead, text, url, published)."""
        self._check_fitted()
        d = self._docs[self._pos[doc_id]]
        return {"id": d.id, "title": d.title, "lead": d.lead, "text": d.text,
                "url": d.url, "published": d.published}

    # -- persistence --------------------------------------------------------
    def save(self, path: str | os.PathLike) -> Path:
        """Write ``<path>.json`` and ``<path>.npz`` atomically; returns the JSON path.

        The JSON holds the format name and version, the settings, the
        vocabulary and the article metadata (incl. text, for :meth:`refit`);
        the npz holds only numeric arrays.
        """
        from .persistence import save_index

        self._check_fitted()
        return save_index(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "RelatedIndex":
        """Load an index written by :meth:`save` (path with or without suffix).

        Raises:
            ModelNotFoundError: the files do not exist.
            ModelFormatError: damaged, foreign or of another format version.
        """
        from .persistence import load_index

        return load_index(cls, path)
