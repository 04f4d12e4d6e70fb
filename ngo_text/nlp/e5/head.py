"""The NER head over e5 word features: scalar layer mix, BiLSTM, CRF (numpy, no torch).

Trained by ``training/e5/train_head.py`` (PyTorch, a developer step) and saved
as ``head.npz`` + ``head.json``; this module only runs it. A frozen encoder
under a linear head stayed at or below 0.64 F1 on GermEval, so the head needs
context of its own (the BiLSTM) and label transitions (the CRF).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ...errors import ModelFormatError

__all__ = ["NerHead", "HEAD_FORMAT"]

#: version of the head files this module reads
HEAD_FORMAT = 1
_ARRAYS = ("mix", "f_wih", "f_whh", "f_b", "b_wih", "b_whh", "b_b", "out_w", "out_b",
           "crf_start", "crf_end", "crf_trans")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


def _lstm(x: np.ndarray, lengths: np.ndarray, wih: np.ndarray, whh: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One LSTM direction over right-padded (B, T, D) input (PyTorch gate order i, f, g, o)."""
    B, T, _ = x.shape
    h_dim = whh.shape[1]
    gates_x = x @ wih.T + b  # (B, T, 4h), one GEMM for every step
    h = np.zeros((B, h_dim), dtype=np.float32)
    c = np.zeros((B, h_dim), dtype=np.float32)
    out = np.zeros((B, T, h_dim), dtype=np.float32)
    whh_t = np.ascontiguousarray(whh.T)
    for t in range(int(lengths.max(initial=0))):
        g = gates_x[:, t] + h @ whh_t
        i, f, gg, o = np.split(g, 4, axis=1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(gg)
        h = _sigmoid(o) * np.tanh(c)
        out[:, t] = h  # padded steps come after a sequence's end, so they never feed a real one
    return out


def _reverse_within(x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Reverse each sequence of right-padded ``x`` within its own length (padding stays at the end)."""
    B, T = x.shape[:2]
    idx = np.arange(T)[None, :].repeat(B, 0)
    rev = lengths[:, None] - 1 - idx
    idx = np.where(rev >= 0, rev, idx)
    return x[np.arange(B)[:, None], idx]


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
        x = np.zeros((len(mixed), T, H), dtype=np.float32)
        for i, m in enumerate(mixed):
            x[i, :len(m)] = m
        a = self.a
        fwd = _lstm(x, lengths, a["f_wih"], a["f_whh"], a["f_b"])
        bwd = _reverse_within(_lstm(_reverse_within(x, lengths), lengths, a["b_wih"], a["b_whh"], a["b_b"]),
                              lengths)
        scores = np.concatenate([fwd, bwd], axis=-1) @ a["out_w"].T + a["out_b"]
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
        out: list[list[str]] = [[] for _ in feats]
        order = sorted(range(len(feats)), key=lambda i: len(feats[i]))
        for k in range(0, len(order), batch):
            ids = order[k:k + batch]
            for i, em in zip(ids, self.emissions([self.mix(feats[i]) for i in ids])):
                out[i] = [self.tags[j] for j in self.viterbi(em)]
        return out
