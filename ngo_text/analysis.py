"""``analyze``: parse + spaCy pipeline + topics -> a complete :class:`Article`.

Only the article's own text is analysed: :attr:`Article.text` (title, dateline
+ lead and paragraphs joined by blank lines), so teaser blocks, donation calls and
site boilerplate that :func:`ngo_text.parse` separated out never produce
entities or topics. :class:`Entity` offsets are character offsets into
:attr:`Article.text`.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Sized
from typing import Any, Iterable, Iterator

from .model import Article, Entity, Quote, Topic, to_date
# Doc -> Entity lives with the nlp layer, so that the topic classifier can use it too
from .nlp.entities import doc_to_entities, resolve_nlp, text_entities
from .nlp.normalize import CleanText, clean_for_nlp
from .parsing.names import PersonNames, person_name

__all__ = ["analyze", "analyze_many", "analyze_each", "align_speakers", "doc_to_entities",
           "dateline_entities", "resolve_nlp", "speaker_entities", "text_entities"]

def _to_article(source: Any, url: str | None, published: Any) -> Article:
    if isinstance(source, Article):
        changes: dict[str, Any] = {}
        if url is not None:
            changes["url"] = url
        if published is not None:
            changes["published"] = to_date(published, strict=True)
        return dataclasses.replace(source, **changes)
    from .parsing import parse

    return parse(source, url=url, published=published)




#: Texts longer than this many characters run through the pipeline in pieces of about
#: this size, cut at paragraph (else line, sentence, word) boundaries, one piece at a time,
#: and are joined again (``Doc.from_docs``): memory stays that of a 20,000-character text
#: (the CNN's activations grow with the batch) and spaCy's ``max_length`` is never hit.
#: Abbreviations and surnames are linked within a piece. Press releases are shorter.
CHUNK_CHARS = 20_000


def _chunk_bounds(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """``[start, end)`` pieces of ``text`` of at most ~``size`` characters; each ends after whitespace."""
    bounds, start, n = [], 0, len(text)
    while n - start > size:
        limit = start + size
        cut = -1
        for sep in ("\n\n", "\n", ". ", " "):
            i = text.rfind(sep, start + size // 2, limit)
            if i >= 0:
                cut = i + len(sep)
                break
        if cut < 0:
            cut = limit  # one 50,000-character word: cut it
        bounds.append((start, cut))
        start = cut
    bounds.append((start, n))
    return bounds


def _make_docs(nlp, article: Article) -> tuple[list[Any], CleanText]:
    """The Doc(s) of the article's cleaned text (no soft hyphens ...) and the offset map.

    One Doc, or for a long text one Doc per piece (see :data:`CHUNK_CHARS`).
    """
    from .nlp import ensure_extensions

    ensure_extensions()
    cleaned = clean_for_nlp(article.text)
    docs = []
    for a, b in _chunk_bounds(cleaned.text):
        doc = nlp.tokenizer(cleaned.text[a:b]) if b - a > nlp.max_length else nlp.make_doc(cleaned.text[a:b])
        doc._.ngo_published = article.published
        docs.append(doc)
    return docs, cleaned


def _run_pieces(nlp, docs: list[Any]) -> Any:
    """Run the pieces of a long text one at a time and join them into one Doc.

    One piece per ``nlp.pipe`` batch keeps the peak memory that of one piece;
    entities and their extensions survive the join (``Doc.from_docs``).
    """
    import warnings

    from spacy.tokens import Doc

    done = [_drop_tensor(d) for d in nlp.pipe(docs, batch_size=1)]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*\[W101\]")  # Doc._.ngo_published: set below
        # spaCy's doc.pyi lacks the keyword-only ``exclude`` that Doc.from_docs accepts
        joined = Doc.from_docs(done, ensure_whitespace=False, exclude=["tensor"])  # type: ignore[call-arg]
    joined._.ngo_published = docs[0]._.ngo_published
    return joined


def _resolve_topics(topics: Any):
    """A callable (doc, article) -> list[Topic] (or None for no topics)."""
    if topics is None:
        return None
    if isinstance(topics, str):
        if topics != "default":
            raise ValueError(f"topics must be 'default', None or a tagger/classifier, not {topics!r}")
        from .topics import default_tagger

        tagger = default_tagger()
        return lambda doc, article: tagger.tag(doc)
    if hasattr(topics, "predict_topics"):
        # the Article (with its entities already set) rather than the bare text, so that
        # a classifier with entity features uses them instead of running NER again
        return lambda doc, article: list(topics.predict_topics([article])[0])
    if hasattr(topics, "tag"):
        return lambda doc, article: topics.tag(doc)
    raise TypeError("topics must be 'default', None, an object with .tag(doc) or a "
                    "TopicClassifier with .predict_topics(texts)")


def dateline_entities(article: Article, entities: list[Entity]) -> list[Entity]:
    """``entities`` plus the dateline place(s) as LOC ("Berlin/Ratingen –": both) where the NER missed them."""
    if not article.dateline:
        return entities
    text = article.text
    start = len(article.title) + 2 if article.title else 0
    if not text.startswith(article.dateline, start):
        return entities
    out = list(entities)
    pos = start
    for place in article.dateline.split("/"):
        a = text.find(place.strip(), pos)
        b = a + len(place.strip())
        pos = b
        if a < 0 or not place.strip() or not place.strip()[0].isupper():
            continue
        hit = [e for e in out if e.start < b and a < e.end]
        if any(e.label == "LOC" for e in hit):
            continue
        out = [e for e in out if e not in hit]
        out.append(Entity(text=text[a:b], label="LOC", start=a, end=b, canonical=" ".join(text[a:b].split())))
    return sorted(out, key=lambda e: e.start)


def align_speakers(quotes: list[Quote], entities: list[Entity]) -> list[Quote]:
    """``quotes`` with each speaker written as the canonical name of its PER entity.

    The speaker goes through the resolver of the entity linker
    (:class:`~ngo_text.parsing.names.PersonNames` over the PER canonicals): a bare
    "Roller" the linker resolved to "Dietmar Roller" becomes "Dietmar Roller"; titles
    are dropped. :func:`speaker_entities` then adds speakers the NER missed as PER.
    New :class:`Quote` objects: the input article's quotes stay as they are.
    """
    persons = PersonNames(e.canonical for e in entities if e.label == "PER" and e.canonical)
    out = []
    for q in quotes:
        if q.speaker:
            name = person_name(q.speaker)
            q = dataclasses.replace(q, speaker=persons.resolve(name) or name)
        out.append(q)
    return out


def speaker_entities(article: Article, entities: list[Entity]) -> list[Entity]:
    """``entities`` plus the quote speakers as PER at their mentions where the NER missed them.

    The structure parser knows who speaks ("…“, sagte Yusuf Arslan"); a speaker is a
    person whatever the NER says about the name. Academic titles are not part of the
    entity (ANNOTATION.md); a mention inside another entity is left to that entity.
    The entity's canonical is the speaker's name (:func:`align_speakers`), so every
    speaker named in the text is the canonical of a PER entity.
    """
    names = {person_name(q.speaker) for q in article.quotes if q.speaker}
    if not names:
        return entities
    text = article.text
    out = list(entities)
    for name in sorted(names):
        if " " not in name and any(name in (e.text, e.canonical) for e in out):
            # a bare word the NER tagged: the linker's PER, or no person at all
            # ("sagte Greenpeace": an ORG stays an ORG)
            continue
        pattern = r"\s+".join(re.escape(w) for w in name.split())
        for m in re.finditer(rf"(?<![\w-]){pattern}(?![\w-])", text):
            a, b = m.span()
            hit = [e for e in out if e.start < b and a < e.end]
            if any(e.label == "PER" or not (a <= e.start and e.end <= b) for e in hit):
                continue  # already a person, or inside a longer entity
            out = [e for e in out if e not in hit]
            out.append(Entity(text=text[a:b], label="PER", start=a, end=b, canonical=name))
    return sorted(out, key=lambda e: e.start)


def _drop_tensor(doc: Any) -> Any:
    """Free a piece's token vectors (an e5 piece of 20,000 characters holds ~5 MB)."""
    import numpy as np

    doc.tensor = np.zeros((0,), dtype="float32")
    return doc


def _finish(article: Article, doc, cleaned: CleanText, tagger) -> Article:
    entities = dateline_entities(article, doc_to_entities(doc, cleaned=cleaned, original=article.text))
    article.quotes = align_speakers(article.quotes, entities)
    article.entities = speaker_entities(article, entities)
    if tagger is not None:
        article.topics = [t for t in tagger(doc, article) if isinstance(t, Topic)]
    return article


def analyze(source: Any, *, url: str | None = None, published: Any = None, nlp: Any = None,
            topics: Any = "default") -> Article:
    """Parse ``source`` and add entities and topics.

    Args:
        source: text, HTML, bytes, a path (see :func:`ngo_text.parse`) or an
            already parsed :class:`Article` (not modified; a copy is returned).
        url: the article's URL (overrides what parsing found).
        published: publication date (``date``, ``datetime`` or ISO string); it
            is the reference date for "am 21. November", "Mittwoch" ...
        nlp: ``None`` (bundled pipeline), a pipeline name/path for
            :func:`ngo_text.load`, or a ready :class:`spacy.Language`.
        topics: ``"default"`` (the taxonomy tagger
            ``ngo_text.topics.default_tagger()``), ``None`` (no topics), an
            object with ``.tag(doc)`` or a ``TopicClassifier`` (``predict_topics``).

    Returns:
        The :class:`Article` with ``entities`` (offsets into ``Article.text``)
        and ``topics`` filled in.
    """
    nlp = resolve_nlp(nlp)
    tagger = _resolve_topics(topics)
    article = _to_article(source, url, published)
    docs, cleaned = _make_docs(nlp, article)
    doc = nlp(docs[0]) if len(docs) == 1 else _run_pieces(nlp, docs)
    return _finish(article, doc, cleaned, tagger)


def analyze_many(items: Iterable[Any], *, nlp: Any = None, topics: Any = "default",
                 batch_size: int = 16, progress: bool = False) -> Iterator[Article]:
    """Analyse many sources lazily, in order, batched through ``nlp.pipe``.

    Args:
        items: sources as for :func:`analyze` or parsed Articles (any iterable;
            consumed lazily).
        nlp, topics: as for :func:`analyze` (resolved once).
        batch_size: documents per ``nlp.pipe`` batch.
        progress: show a tqdm progress bar.

    Yields:
        One analysed :class:`Article` per item. A long text (over
        :data:`CHUNK_CHARS`) runs in pieces, one at a time, between the batches.
    """
    nlp = resolve_nlp(nlp)
    tagger = _resolve_topics(topics)

    def run(batch: list[tuple[Article, Any, CleanText]]) -> Iterator[Article]:
        stream = nlp.pipe(((doc, (article, cleaned)) for article, doc, cleaned in batch),
                          as_tuples=True, batch_size=batch_size)
        for doc, (article, cleaned) in stream:
            yield _finish(article, doc, cleaned, tagger)

    def results() -> Iterator[Article]:
        batch: list[tuple[Article, Any, CleanText]] = []
        for item in items:
            article = _to_article(item, None, None)
            docs, cleaned = _make_docs(nlp, article)
            if len(docs) == 1:
                batch.append((article, docs[0], cleaned))
                if len(batch) >= 4 * batch_size:
                    yield from run(batch)
                    batch = []
                continue
            yield from run(batch)  # keep the order: what came before, then the long text
            batch = []
            yield _finish(article, _run_pieces(nlp, docs), cleaned, tagger)
        yield from run(batch)

    out = results()
    if progress:
        from tqdm.auto import tqdm  # type: ignore[import-untyped]

        total = len(items) if isinstance(items, Sized) else None
        out = tqdm(out, total=total, desc="analyze", unit="doc")
    yield from out


def analyze_each(articles: Iterable[Article], *, nlp: Any = None, topics: Any = "default",
                 batch_size: int = 16) -> list[tuple[Article, Exception | None]]:
    """:func:`analyze_many` over one batch, where a failing article fails alone.

    The batch runs through ``nlp.pipe`` once; only if that raises are its articles
    analysed one by one, to find the bad one (batch runners: ``ngo-text tag``,
    :mod:`ngo_text.dask`).

    Returns:
        ``(analysed article, None)`` or ``(input article, exception)`` per article, in order.
    """
    articles = list(articles)
    try:
        return [(a, None) for a in analyze_many(articles, nlp=nlp, topics=topics, batch_size=batch_size)]
    except Exception as exc:
        if len(articles) == 1:
            return [(articles[0], exc)]
    out: list[tuple[Article, Exception | None]] = []
    for article in articles:
        try:
            out.append((next(analyze_many([article], nlp=nlp, topics=topics)), None))
        except Exception as exc:
            out.append((article, exc))
    return out
