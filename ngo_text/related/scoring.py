"""Scoring of the related index: similarities, rules, top-k selection and reasons.

Everything works on dense float32 blocks of query rows x index columns; the
caller bounds the number of rows per block (never N x N).
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from .documents import NO_DATE, IndexedDoc
from .features import Rows


def text_similarity(q: Rows, c: Rows, *, lsa_weight: float, encoder_weight: float,
                    word_out: list[np.ndarray] | None = None) -> np.ndarray:
    """Dense base text similarity of rows ``q`` to rows ``c``.

    The word cosine mixed with the LSA cosine (share ``lsa_weight``), then with
    the encoder cosine (share ``encoder_weight``) where both sides have them.
    With ``word_out`` (a list), a copy of the plain word cosine is appended to it.
    """
    s = np.asarray((q.xw @ c.xw.T).toarray(), dtype=np.float32)
    if word_out is not None:
        word_out.append(s.copy())
    if q.z is not None and c.z is not None and lsa_weight > 0:
        s *= (1.0 - lsa_weight)
        s += lsa_weight * (q.z @ c.z.T)
    if q.u is not None and c.u is not None and encoder_weight > 0:
        s *= (1.0 - encoder_weight)
        s += encoder_weight * (q.u @ c.u.T)
    return s


def mix_scores(text: np.ndarray, q: Rows, c: Rows, q_profiles: sp.csr_matrix | None,
               c_profiles: sp.csr_matrix | None, *, text_weight: float, graph_weight: float,
               entity_weight: float, topic_weight: float) -> np.ndarray:
    """The final score block from the base ``text`` similarity (modified in place).

    The diffusion-profile cosine takes the share ``graph_weight`` of the text
    similarity; entity and topic cosines are added with their weights.
    """
    if q_profiles is not None and c_profiles is not None and graph_weight > 0:
        d = np.asarray((q_profiles @ c_profiles.T).toarray(), dtype=np.float32)
        text *= (1.0 - graph_weight)
        text += graph_weight * d
    score = text_weight * text
    if entity_weight and q.xe.shape[1]:
        score += entity_weight * np.asarray((q.xe @ c.xe.T).toarray(), dtype=np.float32)
    if topic_weight and q.xt.shape[1]:
        score += topic_weight * np.asarray((q.xt @ c.xt.T).toarray(), dtype=np.float32)
    return score


def apply_rules(score: np.ndarray, word: np.ndarray, *, dates: np.ndarray, q_dates: np.ndarray,
                q_urls: Sequence[str | None], q_pos: Sequence[int | None], blocked: Sequence[int],
                url_positions: dict[str, list[int]], half_life_days: float | None, recency_weight: float,
                allow_future: bool, dedup_threshold: float | None) -> np.ndarray:
    """Recency decay and hard exclusions on a score block (in place); excluded entries get -inf.

    Args:
        score: Scores of the query rows (rows) against the index (columns).
        word: The plain word cosine of the same block (near-duplicates of the query).
        dates: Publication days of the index columns (:data:`NO_DATE` = unknown).
        q_dates: Publication days of the queries.
        q_urls: URLs of the queries; columns with the same URL are excluded.
        q_pos: Column of each query in the index, or ``None``.
        blocked: Columns excluded for every query.
        url_positions: Columns per URL in the index.
        half_life_days: Recency half-life (``None``: no decay).
        recency_weight: Share of the score subject to the decay.
        allow_future: Keep columns published after the query.
        dedup_threshold: Word cosine above which a column is a duplicate of the query.
    """
    has = dates != NO_DATE
    if half_life_days is not None and recency_weight > 0:
        for r in range(score.shape[0]):
            if q_dates[r] == NO_DATE:
                continue
            delta = np.abs(dates.astype(np.int64) - int(q_dates[r])).astype(np.float32)
            decay = np.where(has, np.power(np.float32(0.5), delta / np.float32(half_life_days)), 1.0)
            score[r] *= (1.0 - recency_weight) + recency_weight * decay
    if not allow_future:
        for r in range(score.shape[0]):
            if q_dates[r] != NO_DATE:
                score[r, has & (dates > q_dates[r])] = -np.inf
    if blocked:
        score[:, list(blocked)] = -np.inf
    for r in range(score.shape[0]):
        if q_pos[r] is not None:
            score[r, q_pos[r]] = -np.inf
        q_url = q_urls[r]
        if q_url:
            same = url_positions.get(q_url)
            if same:
                score[r, same] = -np.inf
        if dedup_threshold is not None:
            score[r, word[r] > dedup_threshold] = -np.inf  # the query's own duplicates
    return score


def url_positions(urls: Iterable[str | None]) -> dict[str, list[int]]:
    """Positions of each (non-empty) URL."""
    idx: dict[str, list[int]] = {}
    for i, u in enumerate(urls):
        if u:
            idx.setdefault(u, []).append(i)
    return idx


def select(score_row: np.ndarray, k: int, *, rows: Rows, dedup_threshold: float | None) -> list[int]:
    """Top-``k`` columns of ``score_row`` with near-duplicates collapsed to the best-scored.

    ``rows`` are the index rows (the word and LSA rows of the candidates are compared).
    """
    finite = np.isfinite(score_row)
    n_ok = int(finite.sum())
    if n_ok == 0 or k <= 0:
        return []
    pool_n = min(n_ok, k * 4 + 8)
    cand = np.argpartition(-np.where(finite, score_row, -np.inf), pool_n - 1)[:pool_n]
    cand = cand[np.argsort(-score_row[cand], kind="stable")]
    cand = cand[np.isfinite(score_row[cand])]
    if dedup_threshold is None:
        return cand[:k].tolist()
    if rows.z is not None:
        # cheap exact-enough prefilter: word near-duplicates are also close in
        # the LSA space (which includes the words); only then compute word cosines
        zc = rows.z[cand] @ rows.z[cand].T
        np.fill_diagonal(zc, 0.0)
        if zc.max() < min(0.6, dedup_threshold):
            return cand[:k].tolist()
    sims = np.asarray((rows.xw[cand] @ rows.xw[cand].T).toarray())
    kept: list[int] = []
    for a in range(cand.size):
        if all(sims[a, b] <= dedup_threshold for b in kept):
            kept.append(a)
            if len(kept) == k:
                break
    return [int(cand[a]) for a in kept]


def reasons(q_doc: IndexedDoc, q_xw: sp.csr_matrix, doc: IndexedDoc, doc_xw: sp.csr_matrix,
            terms: Sequence[str]) -> list[str]:
    """Why ``doc`` is related to the query, in German: shared actors, places, topics, key words.

    ``q_xw`` and ``doc_xw`` are their word rows (one row each), ``terms`` the word vocabulary.
    """
    out: list[str] = []
    qnames: dict[str, tuple[str, str]] = {}
    for name, label in q_doc.entities:
        qnames.setdefault(name.casefold(), (name, label))
    shared_actors: list[str] = []
    shared_places: list[str] = []
    seen = set()
    for name, label in doc.entities:
        key = name.casefold()
        if key in qnames and key not in seen:
            seen.add(key)
            (shared_places if label == "LOC" else shared_actors).append(qnames[key][0])
    if shared_actors:
        out.append("gemeinsame Akteure: " + ", ".join(shared_actors[:4]))
    if shared_places:
        out.append("gemeinsame Orte: " + ", ".join(shared_places[:3]))
    topics = [t for t in q_doc.topics if t in set(doc.topics)]
    if topics:
        out.append("gemeinsame Themen: " + ", ".join(topics[:3]))
    q_xw, doc_xw = q_xw.tocsr(), doc_xw.tocsr()
    common, qpos, jpos = np.intersect1d(q_xw.indices, doc_xw.indices, assume_unique=True, return_indices=True)
    if common.size:
        order = np.argsort(-(q_xw.data[qpos] * doc_xw.data[jpos]))
        words = [t for t in (terms[common[o]] for o in order[:12]) if len(t) > 2][:4]
        if words:
            out.append("Schlüsselbegriffe: " + ", ".join(words))
    return out
