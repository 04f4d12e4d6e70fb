"""Many articles at once: :class:`Corpus` and tidy pandas DataFrames.

The Jupyter views (:func:`displacy_html`, :func:`structure_html`) live in
:mod:`ngo_text.display` and are re-exported here.

Example::

    from ngo_text import Corpus
    corpus = Corpus.from_folder("data").analyze()          # parse + nlp.pipe + topics
    corpus.articles_df()                                   # one row per article
    corpus.entities_df().query("label == 'ORG'")           # one row per mention
    corpus.related_df(k=4)                                 # one row per related pair
    corpus.to_parquet("out/"); Corpus.from_parquet("out/") # lossless round trip
    displacy_html(corpus[0])                               # entity highlighting, no model needed
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Union

from .display import ENTITY_COLORS, displacy_html, structure_html
from .errors import InputError, NgoTextError
from .model import Article

__all__ = ["Corpus", "displacy_html", "structure_html", "ENTITY_COLORS"]

PathLike = Union[str, "os.PathLike[str]"]

_ARTICLE_COLUMNS = ["id", "published", "title", "dateline", "n_paragraphs", "n_quotes",
                    "n_entities", "topics", "topics_str", "organisation", "url", "source",
                    "language", "n_warnings"]
_ENTITY_COLUMNS = ["article_id", "published", "text", "label", "canonical", "org_type", "value",
                   "start", "end"]
_QUOTE_COLUMNS = ["article_id", "published", "speaker", "role", "organisation", "text"]
_RELATED_COLUMNS = ["article_id", "rank", "related_id", "score", "reasons", "title", "published"]


class Corpus:
    """A list of :class:`Article` objects with tidy DataFrame views.

    Args:
        articles: The articles (order is kept).
        metadata: Optional extra columns per article id (e.g. ``organisation``
            from ``metadata.csv``), shown in :meth:`articles_df`.
        errors: ``(source, message)`` pairs of inputs that could not be read.
    """

    def __init__(self, articles: Iterable[Article], *, metadata: dict[str, dict[str, Any]] | None = None,
                 errors: list[tuple[str, str]] | None = None) -> None:
        self.articles: list[Article] = list(articles)
        self.metadata: dict[str, dict[str, Any]] = dict(metadata or {})
        self.errors: list[tuple[str, str]] = list(errors or [])

    # -- container protocol ----------------------------------------------
    def __len__(self) -> int:
        return len(self.articles)

    def __iter__(self) -> Iterator[Article]:
        return iter(self.articles)

    def __getitem__(self, key: int | str) -> Article:
        """An article by position (``int``) or by id (``str``)."""
        if isinstance(key, str):
            for art in self.articles:
                if art.id == key:
                    return art
            raise KeyError(key)
        return self.articles[key]

    def __repr__(self) -> str:
        return f"Corpus({len(self)} articles)"

    @property
    def ids(self) -> list[str | None]:
        """Article ids in order."""
        return [a.id for a in self.articles]

    # -- constructors -----------------------------------------------------
    @classmethod
    def from_articles(cls, articles: Iterable[Article]) -> "Corpus":
        """Wrap already built :class:`Article` objects."""
        return cls(articles)

    @classmethod
    def from_folder(cls, path: PathLike, *, strict: bool = False) -> "Corpus":
        """Parse every article file under ``path`` (structure only, no model).

        Uses :func:`ngo_text.io.iter_sources`, so ``metadata.csv`` beside the
        articles folder attaches id, url, published and the other columns
        (``organisation`` ...). Unreadable files are collected in :attr:`errors`.

        Args:
            path: A folder (searched recursively) or a single file.
            strict: Raise on the first unreadable input instead of collecting it.

        Raises:
            InputError: ``path`` does not exist (or any bad input with ``strict``).
        """
        from .io import iter_sources

        path = Path(path)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        articles, metadata, errors = [], {}, []
        for src in iter_sources([path]):
            try:
                art = src.to_article()
            except NgoTextError as exc:
                if strict:
                    raise
                errors.append((src.name, str(exc)))
                continue
            articles.append(art)
            if src.meta and art.id is not None:
                metadata[str(art.id)] = {k: v for k, v in src.meta.items()
                                         if k not in ("id", "file", "url", "published")}
        return cls(articles, metadata=metadata, errors=errors)

    @classmethod
    def from_jsonl(cls, path: PathLike) -> "Corpus":
        """Read Article records (e.g. the output of ``ngo-text tag``)."""
        from .io import read_articles

        return cls(read_articles(path, format="jsonl"))

    @classmethod
    def from_csv(cls, path: PathLike, **read_csv_kwargs: Any) -> "Corpus":
        """Read a CSV: Article records (``ngo-text tag --format csv``) or raw rows.

        Raw rows need a ``text`` or ``html`` column (optional ``id``, ``url``,
        ``published``) and are parsed; see :meth:`from_dataframe`.
        """
        import pandas as pd  # type: ignore[import-untyped]

        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], **read_csv_kwargs)
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise InputError(f"{path}: cannot read as CSV ({exc})") from exc
        return cls.from_dataframe(df.astype(object).where(df.notna(), None))

    @classmethod
    def from_dataframe(cls, df: Any) -> "Corpus":
        """Build a corpus from a :class:`pandas.DataFrame`.

        Two layouts are accepted: the flattened Article records of
        :func:`ngo_text.io.articles_to_frame` (has a ``paragraphs`` column), or
        raw rows with ``text`` or ``html`` (+ optional ``id``, ``url``,
        ``published``; other columns go to :attr:`metadata`), which are parsed.
        """
        from .io import Source, frame_to_articles
        from .model import to_date

        cols = set(df.columns)
        if "paragraphs" in cols:
            return cls(frame_to_articles(df))
        if not cols & {"text", "html"}:
            raise InputError("DataFrame needs Article record columns or a 'text'/'html' column")
        articles, metadata, errors = [], {}, []
        for i, row in enumerate(df.to_dict(orient="records")):
            content = row.get("html") or row.get("text")
            rid = row.get("id")
            name = f"row {i}" if rid is None else f"row {i} ({rid})"
            src = Source(name, content=content if isinstance(content, str) and content.strip() else None,
                         id=None if rid is None else str(rid), url=row.get("url") or None,
                         published=to_date(row.get("published")))
            if src.content is None:
                errors.append((name, f"{name}: empty text"))
                continue
            try:
                art = src.to_article()
            except NgoTextError as exc:
                errors.append((name, str(exc)))
                continue
            articles.append(art)
            extra = {k: v for k, v in row.items() if k not in ("id", "text", "html", "url", "published")}
            if extra and art.id is not None:
                metadata[str(art.id)] = extra
        return cls(articles, metadata=metadata, errors=errors)

    @classmethod
    def from_parquet(cls, path: PathLike) -> "Corpus":
        """Read a corpus written by :meth:`to_parquet` (``path/articles.parquet``)."""
        import pandas as pd

        from .io import frame_to_articles

        path = Path(path)
        file = path / "articles.parquet" if path.is_dir() else path
        if not file.is_file():
            raise InputError(f"{file}: no such file; write it with Corpus.to_parquet()")
        try:
            df = pd.read_parquet(file)
        except Exception as exc:  # pyarrow raises various types
            raise InputError(f"{file}: cannot read as parquet ({exc})") from exc
        metadata = {}
        if "corpus_meta" in df.columns:
            for aid, meta in zip(df["id"], df["corpus_meta"]):
                if isinstance(meta, str) and meta and aid is not None:
                    metadata[str(aid)] = json.loads(meta)
            df = df.drop(columns=["corpus_meta"])
        return cls(frame_to_articles(df), metadata=metadata)

    # -- processing -------------------------------------------------------
    def analyze(self, nlp: Any = None, *, batch_size: int = 16, progress: bool = True,
                topics: Any = "default", unify: bool = True) -> "Corpus":
        """Run the NLP pipeline and topic tagging over all articles.

        Uses :func:`ngo_text.analysis.analyze_many` (batched ``nlp.pipe``).

        Args:
            nlp: A loaded pipeline (default: the bundled model via ``ngo_text.load()``).
            batch_size: Articles per ``nlp.pipe`` batch.
            progress: Show a progress bar.
            topics: Passed to ``analyze_many`` (``"default"`` = taxonomy tagger).
            unify: Give the mentions of one organisation or person one canonical
                form and label across the corpus
                (:func:`ngo_text.nlp.canonical.unify_corpus`).

        Returns:
            A new :class:`Corpus` with analysed articles (same order, same metadata).
        """
        from .analysis import analyze_many
        from .nlp.canonical import unify_corpus

        copies = [Article.from_dict(a.to_dict()) for a in self.articles]  # keep self unchanged
        done = list(analyze_many(copies, nlp=nlp, topics=topics, batch_size=batch_size,
                                 progress=progress))
        if unify:
            unify_corpus(done)
        return Corpus(done, metadata=self.metadata, errors=self.errors)

    # -- tidy DataFrames ----------------------------------------------------
    def articles_df(self) -> Any:
        """One row per article.

        Columns: ``id, published`` (datetime64), ``title, dateline, n_paragraphs,
        n_quotes, n_entities, topics`` (list of labels), ``topics_str`` ("; "-joined),
        ``organisation`` (from metadata, else the organisation of the first quote),
        ``url, source, language, n_warnings``.
        """
        import pandas as pd

        rows = []
        for a in self.articles:
            meta = self.metadata.get(str(a.id), {}) if a.id is not None else {}
            labels = [t.label for t in a.topics]
            org = meta.get("organisation") or next((q.organisation for q in a.quotes if q.organisation), None)
            rows.append({
                "id": a.id, "published": a.published, "title": a.title, "dateline": a.dateline,
                "n_paragraphs": len(a.paragraphs), "n_quotes": len(a.quotes),
                "n_entities": len(a.entities), "topics": labels, "topics_str": "; ".join(labels),
                "organisation": org or None, "url": a.url, "source": a.source,
                "language": a.language, "n_warnings": len(a.warnings),
            })
        df = pd.DataFrame(rows, columns=_ARTICLE_COLUMNS)
        df["published"] = pd.to_datetime(df["published"])
        return df

    def entities_df(self) -> Any:
        """One row per entity mention.

        Columns: ``article_id, published, text, label, canonical, org_type, value,
        start, end`` (offsets into :attr:`Article.text`).
        """
        import pandas as pd

        rows = [
            {"article_id": a.id, "published": a.published, "text": e.text, "label": e.label,
             "canonical": e.canonical, "org_type": e.org_type, "value": e.value,
             "start": e.start, "end": e.end}
            for a in self.articles for e in a.entities
        ]
        df = pd.DataFrame(rows, columns=_ENTITY_COLUMNS)
        df["published"] = pd.to_datetime(df["published"])
        return df.astype({"start": "int64", "end": "int64"})

    def quotes_df(self) -> Any:
        """One row per quote: ``article_id, published, speaker, role, organisation, text``."""
        import pandas as pd

        rows = [
            {"article_id": a.id, "published": a.published, "speaker": q.speaker, "role": q.role,
             "organisation": q.organisation, "text": q.text}
            for a in self.articles for q in a.quotes
        ]
        df = pd.DataFrame(rows, columns=_QUOTE_COLUMNS)
        df["published"] = pd.to_datetime(df["published"])
        return df

    def related_index(self, **kwargs: Any) -> Any:
        """A :class:`ngo_text.related.RelatedIndex` fitted on this corpus."""
        from .related import RelatedIndex

        index = RelatedIndex(**kwargs)
        index.fit(self.articles)
        return index

    def related_df(self, k: int = 4, *, index: Any = None) -> Any:
        """One row per related pair: ``article_id, rank, related_id, score, reasons, title, published``.

        Args:
            k: Related articles per article.
            index: A fitted ``RelatedIndex`` (default: one fitted on this corpus).
        """
        import pandas as pd

        index = index if index is not None else self.related_index()
        rows = []
        for a in self.articles:
            for rank, rel in enumerate(index.related(a, k=k), 1):
                rows.append({"article_id": a.id, "rank": rank, "related_id": rel.id,
                             "score": float(rel.score), "reasons": list(rel.reasons),
                             "title": rel.title, "published": rel.published})
        df = pd.DataFrame(rows, columns=_RELATED_COLUMNS)
        df["published"] = pd.to_datetime(df["published"])
        return df

    # -- persistence --------------------------------------------------------
    def to_parquet(self, path: PathLike) -> Path:
        """Write the corpus into folder ``path``.

        ``articles.parquet`` holds the full records (nested fields as JSON
        strings, see :mod:`ngo_text.io`; read back by :meth:`from_parquet`);
        ``entities.parquet`` and ``quotes.parquet`` are the tidy tables for other
        tools. Each file is written atomically.

        Returns:
            The folder.
        """
        from .io import articles_to_frame

        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        df = articles_to_frame(self.articles)
        df["corpus_meta"] = [json.dumps(self.metadata[str(a.id)], ensure_ascii=False, default=str)
                             if a.id is not None and str(a.id) in self.metadata else None
                             for a in self.articles]
        from .io import atomic_write

        for name, table in (("articles", df), ("entities", self.entities_df()),
                            ("quotes", self.quotes_df())):
            def write(fh: BinaryIO, table: Any = table) -> None:
                table.to_parquet(fh, index=False)

            atomic_write(folder / f"{name}.parquet", write)
        return folder

    def to_jsonl(self, path: PathLike) -> int:
        """Write the records as JSONL (atomically); returns the number written."""
        from .io import write_records

        return write_records(self.articles, path, format="jsonl")
