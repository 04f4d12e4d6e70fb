"""Exact-span NER evaluation on GermEval 2014 TSV and CoNLL-style files.

Readers yield ``(tokens, tags)`` pairs with IOB2 tags; :func:`evaluate_ner` runs a
spaCy pipeline on :class:`spacy.tokens.Doc` objects built from the *gold* tokens (so
tokenisation cannot distort the score) and computes exact-span precision, recall and
F1 per label and micro-averaged (the official GermEval 2014 metric on the outer level).
Tags are read into spans by spaCy's ``iob_utils`` and scored with its ``PRFScore``.

Label conventions
-----------------
* GermEval 2014: ``OTH`` -> ``MISC``; ``*deriv`` and ``*part`` (``LOCderiv``,
  ``ORGpart`` ...) -> ``O`` (outer-level PER/ORG/LOC/MISC model).
* Predicted labels are passed through ``pred_label_map`` (default:
  ``AGENCY`` -> ``ORG``, ``OTH`` -> ``MISC``), so a pipeline that refines
  organisations into agencies is scored against plain ``ORG`` gold spans.
* Only labels of the gold label inventory (or the explicit ``labels`` argument) are
  scored; other predicted labels (e.g. ``DATE`` against GermEval, which has no
  dates) are ignored and counted under ``"ignored_predictions"``.
"""
from __future__ import annotations

import gzip
import io
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

from ..errors import InputError

__all__ = [
    "DEFAULT_PRED_LABEL_MAP",
    "GERMEVAL_LABEL_MAP",
    "read_germeval",
    "read_conll",
    "tags_to_spans",
    "spans_to_tags",
    "map_tags",
    "evaluate_ner",
    "evaluate_entity_sets",
    "evaluate_spans",
    "format_report",
]

#: GermEval 2014 outer-level types -> model labels (``None`` = drop to ``O``).
GERMEVAL_LABEL_MAP: dict[str, str | None] = {
    "PER": "PER",
    "ORG": "ORG",
    "LOC": "LOC",
    "OTH": "MISC",
    "PERderiv": None, "ORGderiv": None, "LOCderiv": None, "OTHderiv": None,
    "PERpart": None, "ORGpart": None, "LOCpart": None, "OTHpart": None,
}

#: Mapping applied to *predicted* labels before scoring.
DEFAULT_PRED_LABEL_MAP: dict[str, str] = {"AGENCY": "ORG", "OTH": "MISC"}

Span = tuple[int, int, str]


# --------------------------------------------------------------------------- I/O
def _open_text(path: str | os.PathLike[str]) -> TextIO:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"NER data file not found: {p}")
    if p.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(p, "rb"), encoding="utf-8")
    return open(p, encoding="utf-8")


def _to_iob2(tags: Iterable[str | None]) -> list[str]:
    """Tags in any of the schemes :func:`tags_to_spans` accepts, as IOB2 tags of the same spans.

    ``E-X``/``S-X`` (BIOES) end a span, so the tag after them starts a new one
    (``B-``); a bare label is an ``I-`` tag; ``""``, ``"-"`` and ``None`` are ``O``.
    """
    out: list[str] = []
    ended = False  # the previous tag ended its span (E-/S-)
    for tag in tags:
        if tag in ("O", "", "-") or tag is None:
            out.append("O")
            ended = False
            continue
        if len(tag) > 2 and tag[1] == "-" and tag[0] in "BIES":
            prefix, typ = tag[0], tag[2:]
        else:  # bare label without prefix, treat as I-
            prefix, typ = "I", tag
        out.append(("B-" if prefix in "BS" or ended else "I-") + typ)
        ended = prefix in "ES"
    return out


def tags_to_spans(tags: list[str]) -> list[Span]:
    """Convert BIO tags (IOB2; IOB1-tolerant) to ``(start, end, label)`` token spans.

    An ``I-X`` tag that does not continue an ``X`` span starts a new span, so both
    IOB1 and sloppy IOB2 input (and the GermEval convention of an ``I-`` after
    ``O``) give sensible spans; BIOES tags are read too. ``end`` is exclusive.
    The spans are spaCy's reading of the tags (``iob_to_biluo``, ``tags_to_entities``).
    """
    from spacy.training.iob_utils import iob_to_biluo, tags_to_entities

    # tags_to_entities gives (label, first, last) with an inclusive last token
    return [(first, last + 1, label) for label, first, last in tags_to_entities(iob_to_biluo(_to_iob2(tags)))]


def spans_to_tags(spans: Iterable[Span], n: int) -> list[str]:
    """Convert ``(start, end, label)`` spans to IOB2 tags of length ``n``."""
    tags = ["O"] * n
    for start, end, label in spans:
        tags[start] = f"B-{label}"
        for k in range(start + 1, end):
            tags[k] = f"I-{label}"
    return tags


def map_tags(tags: list[str], label_map: Mapping[str, str | None] | None, *,
             keep_unmapped: bool = False) -> list[str]:
    """Rename entity types of BIO ``tags`` with ``label_map``.

    Types mapped to ``None``/``"O"``/``""`` are removed. Types absent from the map are
    removed unless ``keep_unmapped`` is true. ``label_map=None`` returns normalised
    IOB2 tags unchanged in type.
    """
    spans = tags_to_spans(tags)
    if label_map is not None:
        out: list[Span] = []
        for s, e, lab in spans:
            if lab in label_map:
                new = label_map[lab]
            else:
                new = lab if keep_unmapped else None
            if new and new != "O":
                out.append((s, e, new))
        spans = out
    return spans_to_tags(spans, len(tags))


def _is_tag(value: str) -> bool:
    return value == "O" or (len(value) > 2 and value[0] in "BIES" and value[1] == "-")


def read_germeval(path: str | os.PathLike[str], *, level: str = "outer",
                  raw: bool = False) -> Iterator[tuple[list[str], list[str]]]:
    """Read a GermEval 2014 file, yielding ``(tokens, tags)`` per sentence.

    Accepts the official layout (``# source`` lines, then ``idx token outer inner``
    tab-separated) and the two-column ``token<TAB>tag`` training layout.

    Args:
        path: file path (``.gz`` allowed).
        level: ``"outer"`` or ``"inner"`` (the inner level needs the 4-column layout).
        raw: keep the original GermEval types (``OTH``, ``LOCderiv`` ...) instead of
            mapping them with :data:`GERMEVAL_LABEL_MAP`.

    Raises:
        InputError: missing file, unknown ``level`` or malformed line.
    """
    if level not in ("outer", "inner"):
        raise InputError(f"level must be 'outer' or 'inner', not {level!r}")
    tokens: list[str] = []
    tags: list[str] = []

    def flush() -> Iterator[tuple[list[str], list[str]]]:
        if tokens:
            yield list(tokens), (list(tags) if raw else map_tags(tags, GERMEVAL_LABEL_MAP))
        tokens.clear()
        tags.clear()

    with _open_text(path) as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                yield from flush()
                continue
            cols = line.split("\t")
            if cols[0].startswith("#") and not (len(cols) == 2 and _is_tag(cols[1])):
                continue  # "#<TAB>source<TAB>[date]" line (a token "#" is "idx<TAB>#...")
            if len(cols) >= 4 and cols[0].isdigit():
                tok, outer, inner = cols[1], cols[2], cols[3]
                tag = outer if level == "outer" else inner
            elif len(cols) == 2:
                if level == "inner":
                    raise InputError(f"{path}:{lineno}: two-column file has no inner level")
                tok, tag = cols
            elif len(cols) == 3 and cols[0].isdigit():
                if level == "inner":
                    raise InputError(f"{path}:{lineno}: file has no inner level")
                tok, tag = cols[1], cols[2]
            else:
                raise InputError(f"{path}:{lineno}: not a GermEval line: {line[:80]!r}")
            tokens.append(tok)
            tags.append(tag)
        yield from flush()


def read_conll(path: str | os.PathLike[str], *,
               label_map: Mapping[str, str | None] | None = None,
               keep_unmapped: bool = False) -> Iterator[tuple[list[str], list[str]]]:
    """Read a CoNLL-style file (``token ... label``), yielding ``(tokens, tags)``.

    The token is the first and the label the last whitespace-separated column, so the
    plain ``token label`` layout (LER) and the 4-column CoNLL-2003 layout (MobIE) both
    work. ``-DOCSTART-`` lines are skipped, blank lines separate sentences, ``.gz``
    files are decompressed.

    Args:
        path: file path.
        label_map: entity type -> new type (``None``/``"O"`` drops it), applied to the
            types without their ``B-``/``I-`` prefix, e.g. ``{"location-city": "LOC"}``.
            With a map, types not in it are dropped unless ``keep_unmapped``.
        keep_unmapped: keep types that are not in ``label_map``.
    """
    tokens: list[str] = []
    tags: list[str] = []

    def flush() -> Iterator[tuple[list[str], list[str]]]:
        if tokens:
            yield list(tokens), map_tags(tags, label_map, keep_unmapped=keep_unmapped)
        tokens.clear()
        tags.clear()

    with _open_text(path) as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                yield from flush()
                continue
            if line.startswith("-DOCSTART-"):
                yield from flush()
                continue
            cols = line.split("\t") if "\t" in line else line.split()
            if len(cols) < 2:
                raise InputError(f"{path}:{lineno}: expected 'token ... label': {line[:80]!r}")
            tokens.append(cols[0])
            tags.append(cols[-1].strip())
        yield from flush()


# ------------------------------------------------------------------ evaluation
def _prf(score: Any) -> dict[str, float | int]:
    """The metric dict of a spaCy ``PRFScore``."""
    return {"p": score.precision, "r": score.recall, "f": score.fscore, "tp": score.tp, "fp": score.fp,
            "fn": score.fn, "support": score.tp + score.fn}


def evaluate_spans(gold: Iterable[Iterable[Span]], pred: Iterable[Iterable[Span]], *,
                   labels: Iterable[str] | None = None) -> dict[str, Any]:
    """Exact-span P/R/F1 for parallel sequences of gold and predicted span sets.

    Counted and scored with spaCy's ``PRFScore`` per label; the micro average
    is their sum.

    Args:
        gold: per sentence, the gold ``(start, end, label)`` spans.
        pred: per sentence, the predicted spans (already label-mapped).
        labels: labels to score; default: every label in ``gold``. Predicted spans
            with other labels are ignored and counted in ``"ignored_predictions"``.

    Returns:
        ``{"micro": {...}, "per_label": {label: {...}}, "labels": [...],
        "ignored_predictions": {label: count}, "n_sentences": int}`` where each metric
        dict has ``p``, ``r``, ``f``, ``tp``, ``fp``, ``fn`` and ``support``.
    """
    from spacy.scorer import PRFScore

    gold_l = [set(g) for g in gold]
    pred_l = [set(p) for p in pred]
    if len(gold_l) != len(pred_l):
        raise InputError("gold and predicted sequences differ in length")
    label_set = set(labels) if labels is not None else {s[2] for g in gold_l for s in g}
    scores = {lab: PRFScore() for lab in sorted(label_set)}
    ignored: Counter[str] = Counter(s[2] for p in pred_l for s in p if s[2] not in label_set)
    for g, p in zip(gold_l, pred_l):
        for lab in {s[2] for s in g | p} & label_set:
            scores[lab].score_set({s for s in p if s[2] == lab}, {s for s in g if s[2] == lab})
    micro = sum(scores.values(), PRFScore())
    return {"micro": _prf(micro), "per_label": {lab: _prf(sc) for lab, sc in scores.items()},
            "labels": sorted(label_set), "ignored_predictions": dict(ignored), "n_sentences": len(gold_l)}


def evaluate_entity_sets(gold: Iterable[Iterable[tuple[str, str]]],
                         pred: Iterable[Iterable[tuple[str, str]]], *,
                         merge: Mapping[str, str] | None = None,
                         labels: Iterable[str] | None = None) -> dict[str, Any]:
    """P/R/F1 over the *sets* of distinct ``(label, surface)`` pairs per document.

    This is how entities on real pages are scored (``ANNOTATION.md``): a document
    counts each distinct surface once, whatever the number of mentions. Surfaces
    are compared after :func:`ngo_text.nlp.normalize.surface_key` (soft hyphens,
    no-break spaces, decomposed umlauts, runs of whitespace do not matter).

    Args:
        gold, pred: per document, ``(label, surface)`` pairs.
        merge: label map applied to both sides first (``{"AGENCY": "ORG"}`` for
            the ORG/AGENCY-merged figure).
        labels: labels to score (default: the gold labels).

    Returns:
        As :func:`evaluate_spans`, with ``n_documents`` for ``n_sentences``.
    """
    from .normalize import surface_key

    merge = dict(merge or {})

    def as_spans(docs: Iterable[Iterable[tuple[str, str]]]) -> list[set[Any]]:
        return [{(surface_key(text), "", merge.get(label, label)) for label, text in doc}
                for doc in docs]

    result = evaluate_spans(as_spans(gold), as_spans(pred),
                            labels=None if labels is None else [merge.get(lab, lab) for lab in labels])
    result["n_documents"] = result.pop("n_sentences")
    return result


def _pred_spans(doc: Any, starts: list[int], ends: list[int],
                pred_label_map: Mapping[str, str]) -> list[Span]:
    """Predicted entities of ``doc`` as gold-token spans (via character offsets)."""
    start_idx = {c: i for i, c in enumerate(starts)}
    end_idx = {c: i + 1 for i, c in enumerate(ends)}
    out: list[Span] = []
    for ent in doc.ents:
        s = start_idx.get(ent.start_char)
        e = end_idx.get(ent.end_char)
        if s is None or e is None:  # boundary inside a gold token: can never match
            s = -1 - len(out)
            e = s
        out.append((s, e, pred_label_map.get(ent.label_, ent.label_)))
    return out


def evaluate_ner(nlp: Any, path: str | os.PathLike[str], *, fmt: str = "germeval",
                 label_map: Mapping[str, str | None] | None = None,
                 pred_label_map: Mapping[str, str] | None = None,
                 labels: Iterable[str] | None = None, level: str = "outer",
                 limit: int | None = None, batch_size: int = 64) -> dict[str, Any]:
    """Run ``nlp`` on the gold tokens of ``path`` and score exact entity spans.

    Args:
        nlp: a spaCy ``Language`` with an entity recogniser.
        path: GermEval TSV/BIO file (``fmt="germeval"``) or CoNLL file (``fmt="conll"``).
        fmt: ``"germeval"`` or ``"conll"``.
        label_map: gold type mapping; for ``"germeval"`` applied after the standard
            GermEval mapping (OTH->MISC, deriv/part->O), for ``"conll"`` passed to
            :func:`read_conll` (unmapped types are dropped).
        pred_label_map: predicted label -> gold label (default
            :data:`DEFAULT_PRED_LABEL_MAP`: AGENCY->ORG, OTH->MISC).
        labels: labels to score (default: the gold label inventory); predictions with
            other labels (e.g. DATE) are ignored.
        level: GermEval level, ``"outer"`` (official) or ``"inner"``.
        limit: evaluate only the first ``limit`` sentences.
        batch_size: ``nlp.pipe`` batch size.

    Returns:
        The dict of :func:`evaluate_spans` plus ``n_tokens``, ``seconds``,
        ``words_per_second``, ``path`` and ``format``.
    """
    from spacy.tokens import Doc

    if fmt == "germeval":
        sents: Iterable[tuple[list[str], list[str]]] = read_germeval(path, level=level)
        if label_map is not None:
            sents = ((t, map_tags(g, label_map, keep_unmapped=True)) for t, g in sents)
    elif fmt == "conll":
        sents = read_conll(path, label_map=label_map)
    else:
        raise InputError(f"fmt must be 'germeval' or 'conll', not {fmt!r}")
    data = []
    for i, (toks, tags) in enumerate(sents):
        if limit is not None and i >= limit:
            break
        data.append((toks, tags))
    pmap = dict(DEFAULT_PRED_LABEL_MAP if pred_label_map is None else pred_label_map)

    def docs() -> Iterator[Any]:
        for toks, _ in data:
            yield Doc(nlp.vocab, words=toks)

    gold: list[list[Span]] = []
    pred: list[list[Span]] = []
    n_tokens = 0
    t0 = time.perf_counter()
    for (toks, tags), doc in zip(data, nlp.pipe(docs(), batch_size=batch_size)):
        starts, ends, pos = [], [], 0
        for t in toks:  # Doc(words=...) joins words with single spaces
            starts.append(pos)
            ends.append(pos + len(t))
            pos += len(t) + 1
        gold.append(tags_to_spans(tags))
        pred.append(_pred_spans(doc, starts, ends, pmap))
        n_tokens += len(toks)
    seconds = time.perf_counter() - t0
    result = evaluate_spans(gold, pred, labels=labels)
    result.update({"n_tokens": n_tokens, "seconds": seconds,
                   "words_per_second": n_tokens / seconds if seconds else 0.0,
                   "path": str(path), "format": fmt})
    return result


def format_report(result: Mapping[str, Any], *, title: str | None = None) -> str:
    """Render an :func:`evaluate_ner` / :func:`evaluate_spans` result as a text table."""
    lines = []
    if title:
        lines.append(title)
    head = f"{'label':<8} {'P':>6} {'R':>6} {'F1':>6} {'support':>8} {'tp':>6} {'fp':>6} {'fn':>6}"
    lines.append(head)
    lines.append("-" * len(head))

    def row(name: str, m: Mapping[str, Any]) -> str:
        return (f"{name:<8} {m['p']:>6.3f} {m['r']:>6.3f} {m['f']:>6.3f} {m['support']:>8d} "
                f"{m['tp']:>6d} {m['fp']:>6d} {m['fn']:>6d}")

    for lab, m in result["per_label"].items():
        lines.append(row(lab, m))
    lines.append("-" * len(head))
    lines.append(row("micro", result["micro"]))
    extra = ([f"documents={result['n_documents']}"] if "n_documents" in result
             else [f"sentences={result.get('n_sentences', 0)}"])
    if "n_tokens" in result:
        extra.append(f"tokens={result['n_tokens']}")
    if result.get("words_per_second"):
        extra.append(f"words/s={result['words_per_second']:.0f}")
    if result.get("ignored_predictions"):
        ign = ", ".join(f"{k}={v}" for k, v in sorted(result["ignored_predictions"].items()))
        extra.append(f"ignored predictions: {ign}")
    lines.append("  ".join(extra))
    return "\n".join(lines)
