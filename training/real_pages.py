"""Token-level NER training sentences from the hand-annotated real web pages.

``training/data/real_pages_train/*.jsonl`` lists, per page of the shared web
collection (``../shared/data/web/trafilatura_de``), the distinct entity surfaces
and labels of the text that :func:`ngo_text.parse` extracts from it (annotated
after ``ANNOTATION.md``, dates left to ``ngo_dates``). These pages are neither
in the dev nor in the test part of ``bench/data/real_pages.jsonl`` (checked
here). Only the annotations are in the repository; the pages are read from
``--shared`` at training time.

A page's surfaces are marked at every occurrence in the extracted text, longest
first, on whole tokens of the pipeline's own tokenizer (an occurrence inside a
token, such as "Grünen" in "Grünen-Politikerin", stays ``O`` as in GermEval's
outer level). ``AGENCY`` is trained as ``ORG`` (``ngo_orgs`` types it at run time).
The result is ``(tokens, BIO tags)`` per sentence of the pipeline's sentencizer.
"""
from __future__ import annotations

import json
import re
import sys
import warnings
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TRAIN_DIR = ROOT / "training" / "data" / "real_pages_train"
#: 188 more pages annotated the same way; measured: adding them did not help (see training/data/README.md)
MORE_DIR = ROOT / "training" / "data" / "real_pages_more"
BENCH_FILE = ROOT / "bench" / "data" / "real_pages.jsonl"
HEAD_LABEL = {"PER": "PER", "ORG": "ORG", "AGENCY": "ORG", "LOC": "LOC", "MISC": "MISC"}


def read_annotations(folder: Path = TRAIN_DIR) -> list[dict]:
    """All training pages (sorted by file name), never a page of the bench set."""
    bench = {json.loads(line)["file"] for line in BENCH_FILE.read_text(encoding="utf-8").splitlines() if line}
    others = {MORE_DIR, TRAIN_DIR} - {folder}
    pages: dict[str, dict] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                pages[rec["file"]] = rec
    overlap = bench & set(pages)
    if overlap:
        raise SystemExit(f"training pages overlap the bench set: {sorted(overlap)}")
    for other in others:
        twice = set(pages) & {json.loads(line)["file"] for path in other.glob("*.jsonl")
                              for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
        if twice:
            raise SystemExit(f"pages annotated in both {folder.name} and {other.name}: {sorted(twice)[:5]}")
    return [pages[k] for k in sorted(pages)]


def _occurrences(text: str, surface: str) -> Iterator[tuple[int, int]]:
    # whole-word occurrences: no letter or digit glued on either side
    for m in re.finditer(re.escape(surface), text):
        a, b = m.span()
        if (a == 0 or not text[a - 1].isalnum()) and (b == len(text) or not text[b].isalnum()):
            yield a, b


def page_sentences(nlp, text: str, entities: list[dict]) -> tuple[list[tuple[list[str], list[str]]], dict]:
    """BIO-tagged sentences of one page text; stats of marked and unaligned occurrences."""
    from ngo_text.nlp.normalize import clean_for_nlp

    text = clean_for_nlp(text).text
    doc = nlp.make_doc(text)
    for name in ("sentencizer", "senter"):
        if name in nlp.pipe_names:
            doc = nlp.get_pipe(name)(doc)
    taken = [False] * len(text)
    spans = []
    stats = {"marked": 0, "inside_token": 0, "overlap": 0, "absent": 0}
    ents = sorted({(e["text"], HEAD_LABEL[e["label"]]) for e in entities if e["label"] in HEAD_LABEL},
                  key=lambda e: -len(e[0]))
    for surface, label in ents:
        found = False
        for a, b in _occurrences(text, surface):
            found = True
            if any(taken[a:b]):
                stats["overlap"] += 1
                continue
            span = doc.char_span(a, b, label=label, alignment_mode="strict")
            if span is None:
                stats["inside_token"] += 1
                continue
            spans.append(span)
            for i in range(a, b):
                taken[i] = True
            stats["marked"] += 1
        if not found:
            stats["absent"] += 1
    tags = ["O"] * len(doc)
    for span in spans:
        tags[span.start] = f"B-{span.label_}"
        for i in range(span.start + 1, span.end):
            tags[i] = f"I-{span.label_}"
    out = []
    for sent in doc.sents:
        toks = [t.text for t in sent if not t.is_space]
        tg = [tags[t.i] for t in sent if not t.is_space]
        if toks:
            out.append((toks, tg))
    return out, stats


def mark_texts(nlp, items, what: str) -> list[tuple[list[str], list[str]]]:
    """BIO sentences of ``(text, entities)`` pairs; prints the marking statistics under ``what``."""
    sents: list[tuple[list[str], list[str]]] = []
    total: dict[str, int] = {what: 0}
    for text, entities in items:
        page, stats = page_sentences(nlp, text, entities)
        sents += page
        total[what] += 1
        for k, v in stats.items():
            total[k] = total.get(k, 0) + v
    print(f"  {what}: {total}, {len(sents)} sentences", flush=True)
    return sents


def read_real_pages(shared: Path, *, nlp=None, folder: Path = TRAIN_DIR) -> list[tuple[list[str], list[str]]]:
    """All training sentences of the annotated pages (pages missing in ``shared`` are reported)."""
    import ngo_text

    if nlp is None:
        nlp = ngo_text.load("fast")  # only its tokenizer and sentencizer are used (same rules as "accurate")
    html_dir = shared / "data" / "web" / "trafilatura_de" / "html"
    recs = read_annotations(folder)
    missing = [r["file"] for r in recs if not (html_dir / r["file"]).exists()]
    if missing:
        print(f"  {len(missing)} annotated pages not in {html_dir}: skipped", flush=True)

    def texts():
        for rec in recs:
            path = html_dir / rec["file"]
            if path.exists():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    yield ngo_text.parse(path.read_bytes(), url=rec.get("url")).text, rec["entities"]

    return mark_texts(nlp, texts(), "pages")


if __name__ == "__main__":
    import argparse
    from collections import Counter

    ap = argparse.ArgumentParser(description="statistics of the real-page training sentences")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    s = read_real_pages(args.shared)
    c = Counter(t[2:] for _, tags in s for t in tags if t.startswith("B-"))
    print(dict(c), sum(len(t) for t, _ in s), "tokens")
