"""The NER head over e5 word features: scalar layer mix, BiLSTM, CRF (no torch).

Trained by ``training/e5/train_head.py`` (PyTorch, a developer step) and saved
as ``head.npz`` + ``head.json``; this module only runs it: the mix and the CRF
(Viterbi) in numpy, the BiLSTM through onnxruntime. A frozen encoder
under a linear head stayed at or below 0.64 F1 on GermEval, so the head needs
context of its own (the BiLSTM) and label transitions (the CRF).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ...errors import ModelFormatError

__all__ = ["NerHead", "HEAD_FORMAT"]

#: version of the head files this module reads
HEAD_FORMAT = 1
_ARRAYS = ("mix", "f_wih", "f_whh", "f_b", "b_wih", "b_whh", "b_b", "out_w", "out_b",
           "crf_start", "crf_end", "crf_trans")


def _onnx_gates(m: np.ndarray) -> np.ndarray:
    """PyTorch LSTM gate blocks (i, f, g, o) in ONNX order (i, o, f, c)."""
    i, f, g, o = np.split(m, 4, axis=0)
    return np.concatenate([i, o, f, g], axis=0)


def build_head_onnx(a: dict[str, np.ndarray]):  # -> onnx.ModelProto
    """The BiLSTM + output layer as ONNX: x (T, B, H) time-major, lens (B,) -> emissions (T, B, n_tags).

    onnxruntime's LSTM reverses each sequence within its length, so right padding
    never feeds a real step; it ran 1.45x faster than a numpy loop over the steps.
    """
    from onnx import TensorProto, helper, numpy_helper

    hd = a["f_whh"].shape[1]
    zeros = np.zeros(4 * hd, dtype=np.float32)
    arrays = {
        "W": np.stack([_onnx_gates(a["f_wih"]), _onnx_gates(a["b_wih"])]),
        "R": np.stack([_onnx_gates(a["f_whh"]), _onnx_gates(a["b_whh"])]),
        # PyTorch's two biases are summed in the head file; ONNX's recurrent bias half stays 0
        "B": np.stack([np.concatenate([_onnx_gates(a["f_b"]), zeros]), np.concatenate([_onnx_gates(a["b_b"]), zeros])]),
        "out_wT": np.ascontiguousarray(a["out_w"].T), "out_b": a["out_b"],
    }
    inits = [numpy_helper.from_array(v.astype(np.float32), k) for k, v in arrays.items()]
    inits.append(numpy_helper.from_array(np.array([0, 0, -1], np.int64), "shape"))
    nodes = [helper.make_node("LSTM", ["x", "W", "R", "B", "lens"], ["y"], direction="bidirectional",
                              hidden_size=hd),
             helper.make_node("Transpose", ["y"], ["yt"], perm=[0, 2, 1, 3]),  # (T, B, 2, h)
             helper.make_node("Reshape", ["yt", "shape"], ["yr"]),             # (T, B, 2h): fwd | bwd
             helper.make_node("MatMul", ["yr", "out_wT"], ["mm"]),
             helper.make_node("Add", ["mm", "out_b"], ["em"])]
    graph = helper.make_graph(
        nodes, "ngo_ner_head",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["T", "B", a["f_wih"].shape[1]]),
         helper.make_tensor_value_info("lens", TensorProto.INT32, ["B"])],
        [helper.make_tensor_value_info("em", TensorProto.FLOAT, ["T", "B", a["out_w"].shape[0]])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="ngo_text")
    model.ir_version = 8
    return model


class NerHead:
    """BiLSTM-CRF over mixed e5 layer states; ``predict`` gives BIO tags per sentence."""

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        missing = [k for k in _ARRAYS if k not in arrays]
        if missing:
            raise ModelFormatError(f"NER head is missing arrays {missing}")
        self.a = {k: np.asarray(arrays[k], dtype=np.float32) for k in _ARRAYS}
        self.meta = meta
        self.tags: list[str] = list(meta["tags"])
        if self.a["crf_trans"].shape != (len(self.tags), len(self.tags)):
            raise ModelFormatError("NER head: tag list and CRF transitions disagree")
        self._ort: Any = None
        self._ort_pid = 0

    @property
    def states(self) -> tuple[int, ...]:
        return tuple(self.meta["states"])

    @property
    def n_layers(self) -> int:
        return int(self.meta["n_layers"])

    # -- persistence -------------------------------------------------------
    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        # float16 on disk halves the file; every array is read back as float32
        # (GermEval dev F1 unchanged to the 4th decimal)
        halves: dict[str, Any] = {k: v.astype(np.float16) for k, v in self.a.items()}
        np.savez(folder / "head.npz", allow_pickle=False, **halves)
        (folder / "head.json").write_text(json.dumps({**self.meta, "format": HEAD_FORMAT}, indent=1),
                                          encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path) -> "NerHead":
        folder = Path(folder)
        try:
            meta = json.loads((folder / "head.json").read_text(encoding="utf-8"))
            with np.load(folder / "head.npz", allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError) as exc:
            raise ModelFormatError(f"cannot read the NER head in {folder}: {exc}") from exc
        if meta.get("format") != HEAD_FORMAT:
            raise ModelFormatError(f"NER head in {folder} has format {meta.get('format')!r}; "
                                   f"this ngo_text reads format {HEAD_FORMAT}")
        return cls(arrays, meta)

    # -- inference ---------------------------------------------------------
    def _session(self) -> Any:
        if self._ort is None or self._ort_pid != os.getpid():  # a forked child builds its own
            import onnxruntime as ort  # type: ignore[import-untyped]

            self._ort_pid = os.getpid()

            opts = ort.SessionOptions()
            opts.intra_op_num_threads = 1
            opts.inter_op_num_threads = 1
            self._ort = ort.InferenceSession(build_head_onnx(self.a).SerializeToString(), opts,
                                             providers=["CPUExecutionProvider"])
        return self._ort

    def mix(self, feats: np.ndarray) -> np.ndarray:
        """Weighted sum of the layer states: (n, S, H) -> (n, H)."""
        return np.einsum("nsh,s->nh", feats, self.a["mix"]).astype(np.float32)

    def emissions(self, mixed: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Per-sentence tag scores (n_words, n_tags) from mixed features."""
        if not mixed:
            return []
        lengths = np.array([len(m) for m in mixed])
        T = int(lengths.max(initial=0))
        if T == 0:
            return [np.zeros((0, len(self.tags)), np.float32) for _ in mixed]
        H = mixed[0].shape[1]
        x = np.zeros((len(mixed), T, H), dtype=np.float32)  # right-padded
        for i, m in enumerate(mixed):
            x[i, :len(m)] = m
        x = x.transpose(1, 0, 2).copy()  # time-major
        scores = self._session().run(["em"], {"x": x, "lens": lengths.astype(np.int32)})[0].transpose(1, 0, 2)
        return [scores[i, :n] for i, n in enumerate(lengths)]

    def viterbi(self, em: np.ndarray) -> list[int]:
        """Best tag sequence under the CRF."""
        n = len(em)
        if n == 0:
            return []
        trans = self.a["crf_trans"]
        score = self.a["crf_start"] + em[0]
        back = np.zeros((n, len(self.tags)), dtype=np.int64)
        for t in range(1, n):
            cand = score[:, None] + trans  # (prev, cur)
            back[t] = cand.argmax(0)
            score = cand.max(0) + em[t]
        score = score + self.a["crf_end"]
        best = [int(score.argmax())]
        for t in range(n - 1, 0, -1):
            best.append(int(back[t, best[-1]]))
        return best[::-1]

    def predict(self, feats: Sequence[np.ndarray], batch: int = 64) -> list[list[str]]:
        """BIO tags for each sentence's word features ((n_words, S, H) arrays)."""
        return self.tag([self.mix(f) for f in feats], batch=batch)

    def tag(self, mixed: Sequence[np.ndarray], batch: int = 64) -> list[list[str]]:
        """BIO tags for each sentence's mixed features ((n_words, H) arrays, see :meth:`mix`)."""
        out: list[list[str]] = [[] for _ in mixed]
        order = sorted(range(len(mixed)), key=lambda i: len(mixed[i]))
        for k in range(0, len(order), batch):
            ids = order[k:k + batch]
            for i, em in zip(ids, self.emissions([mixed[i] for i in ids])):
                out[i] = [self.tags[j] for j in self.viterbi(em)]
        return out
