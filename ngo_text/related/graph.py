"""The diffusion graph of the related index.

At fit, each article is linked to its ``k`` most similar articles (base text
similarity); the symmetric, degree-normalised graph is then diffused from
every article for a few damped steps, which gives each article a sparse
"diffusion profile" (the articles reachable in a few weighted steps, the
``profile_size`` largest kept). Two articles whose profiles overlap are
related even if they share few words. Articles added later get a profile
from their nearest graph nodes (:func:`profiles_for`); the graph itself
stays as fitted until a refit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from .features import Rows, l2_rows

_DIFFUSION_BLOCK = 2048  # graph rows diffused at once (bounds memory at ~100k articles)


@dataclass
class Graph:
    """The fitted graph; its nodes are the articles of the fit, in fit order.

    Attributes:
        deg: Weighted degree of each node.
        profiles: The nodes' diffusion profiles (l2-normalised rows, node columns).
        nodes: The nodes' feature rows (:func:`profiles_for` compares new
            articles with their text parts); they stay when articles are removed.
    """

    deg: np.ndarray
    profiles: sp.csr_matrix
    nodes: Rows

    @property
    def size(self) -> int:
        """Number of nodes."""
        return int(self.profiles.shape[1])


def truncate_rows(m: sp.csr_matrix, p: int) -> sp.csr_matrix:
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
    return sp.csr_matrix((m.data[keep], m.indices[keep], np.concatenate(
        [[0], np.cumsum(np.minimum(counts, p))])), shape=m.shape)


def build_graph(nodes: Rows, similarity: Callable[[np.ndarray], np.ndarray], *, k: int, chunk: int,
                alpha: float, steps: int, profile_size: int) -> Graph:
    """The kNN graph over ``nodes`` and their truncated diffusion profiles.

    Args:
        nodes: The rows of the fitted articles.
        similarity: Dense base text similarity of the nodes at the given
            positions (rows) to all nodes (columns).
        k: Neighbours per node.
        chunk: Nodes whose similarity rows are computed at once.
        alpha: Damping of each diffusion step.
        steps: Number of diffusion steps.
        profile_size: Non-zeros kept per profile.
    """
    n = len(nodes)
    rows, cols, vals = [], [], []
    for start in range(0, n, chunk):
        idx = np.arange(start, min(n, start + chunk))
        s = similarity(idx)
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
    # rows diffuse independently: process them in blocks so the untruncated
    # products (up to profile_size x graph degree entries per row) stay small
    eye = sp.identity(n, dtype=np.float32, format="csr")
    blocks = []
    for start in range(0, n, _DIFFUSION_BLOCK):
        p = eye[start:start + _DIFFUSION_BLOCK]
        f = p.copy()
        for _ in range(steps):
            p = truncate_rows((p @ w) * alpha, profile_size)
            f = truncate_rows(f + p, profile_size)
        blocks.append(f)
    return Graph(deg=deg, profiles=l2_rows(sp.vstack(blocks, format="csr")), nodes=nodes)


def profiles_for(graph: Graph, base: np.ndarray, *, k: int, profile_size: int) -> sp.csr_matrix:
    """Diffusion profiles of articles that are no graph nodes.

    Args:
        graph: The fitted graph.
        base: Dense base text similarity of the articles (rows) to the graph
            nodes (the first :attr:`Graph.size` columns).
        k: Neighbours per article (at most the number of nodes - 1).
        profile_size: Non-zeros kept per profile.
    """
    k = min(k, graph.size - 1)
    b = base[:, :graph.size]
    top = np.argpartition(-b, k, axis=1)[:, :k]
    v = np.clip(np.take_along_axis(b, top, axis=1), 0.0, None)
    dq = v.sum(axis=1, keepdims=True)
    dq[dq == 0] = 1.0
    v = v / np.sqrt(dq) / np.sqrt(graph.deg[top])
    rows = np.repeat(np.arange(b.shape[0]), k)
    wq = sp.csr_matrix((v.ravel().astype(np.float32), (rows, top.ravel())), shape=(b.shape[0], graph.size))
    return l2_rows(truncate_rows(wq @ graph.profiles, profile_size))
