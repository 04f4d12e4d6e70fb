"""Dask integration: tag many articles on a cluster.

Each worker process loads the spaCy pipeline once (through :func:`ngo_text.load`,
which caches it per model) and reuses it for every partition it gets.

Local example::

    import dask.dataframe as dd
    import pandas as pd
    from dask.distributed import Client, LocalCluster
    from ngo_text.dask import tag_dataframe

    client = Client(LocalCluster(n_workers=2, threads_per_worker=1, processes=True))
    raw = pd.DataFrame({"id": ids, "text": texts, "url": urls, "published": dates})
    tagged = tag_dataframe(dd.from_pandas(raw, npartitions=8)).compute()

On a real cluster, start ``dask scheduler`` on one host and ``dask worker
tcp://scheduler:8786 --nworkers 4 --nthreads 1`` on each worker host (every
worker needs ``pip install ngo_text[dask]``; the bundled model ships inside
the package), then connect instead of creating a LocalCluster::

    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")
    tagged = tag_dataframe(dd.read_parquet("s3://bucket/raw/*.parquet")).compute()
    # or keep it distributed: tag_dataframe(ddf).to_parquet("s3://bucket/tagged/")

Use one thread per worker process: spaCy releases little of the GIL, so
processes scale and threads do not.

Input rows have a ``text`` or ``html`` column (optional ``id``, ``url``,
``published``), or are full Article records (a ``paragraphs`` column, as
written by ``ngo-text tag --format parquet``). Output rows are the flattened
Article records of :func:`ngo_text.io.articles_to_frame` (nested fields as JSON
strings) plus an ``error`` column (``None``, or why that row failed: a bad row
never fails the partition).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import NgoTextError
from .model import Article

__all__ = ["OUTPUT_COLUMNS", "tag_meta", "tag_partition", "tag_records", "tag_bag",
           "tag_dataframe", "get_nlp", "records_from_frame"]

#: Columns of :func:`tag_partition`'s result (Article record fields + ``error``).
OUTPUT_COLUMNS: list[str] = [*Article().to_dict().keys(), "error"]

def get_nlp(model: str | None = None) -> Any:
    """The pipeline for ``model``, loaded at most once per process (``client.run(get_nlp)`` warms the workers).

    The same as :func:`ngo_text.load`, whose cache keeps one pipeline per model.

    Args:
        model: ``None`` for the bundled model, else a spaCy pipeline name or path.
    """
    from .nlp.pipeline import load

    return load(model)


def tag_meta() -> Any:
    """An empty DataFrame with the output columns (object dtype): the ``meta`` for Dask."""
    import pandas as pd  # type: ignore[import-untyped]

    return pd.DataFrame({c: pd.Series(dtype=object) for c in OUTPUT_COLUMNS})


def _row_to_article(row: dict[str, Any], position: int) -> Article:
    from .io import Source, jsonl_item_to_source, unflatten_record

    if "paragraphs" in row and not (row.get("text") or row.get("html")):
        return Article.from_dict(unflatten_record(row))
    clean = {k: v for k, v in row.items() if v is not None and v == v}  # drop None/NaN
    name = f"row {position}" if clean.get("id") is None else str(clean["id"])
    src: Source = jsonl_item_to_source(clean, name, None)
    return src.to_article()


def tag_records(items: Iterable[dict[str, Any] | str], *, model: str | None = None,
                no_nlp: bool = False, topics: Any = "default",
                batch_size: int = 16) -> list[dict[str, Any]]:
    """Tag raw items into Article dicts (with an ``error`` key), in input order.

    Args:
        items: Dicts ``{"id", "text"|"html", "url", "published"}``, Article
            dicts, or plain strings (text or HTML).
        model: Pipeline name/path (``None``: bundled). Loaded once per process.
        no_nlp: Structure only (parse), no model.
        topics: Passed to :func:`ngo_text.analysis.analyze_many`.
        batch_size: ``nlp.pipe`` batch size.
    """
    items = list(items)
    parsed: list[tuple[Article | None, str | None]] = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            item = {"text": item}
        try:
            parsed.append((_row_to_article(dict(item), i), None))
        except Exception as exc:  # a bad row must not fail the partition
            parsed.append((None, _describe(exc)))
    if not no_nlp:
        todo = [a for a, err in parsed if a is not None]
        results = _analyze(todo, model=model, topics=topics, batch_size=batch_size)
        it = iter(results)
        parsed = [next(it) if a is not None else (None, err) for a, err in parsed]
    out = []
    for i, (art, err) in enumerate(parsed):
        record = art.to_dict() if art is not None else {**Article().to_dict()}
        if art is None:
            src = items[i]
            if isinstance(src, dict) and src.get("id") is not None:
                record["id"] = str(src["id"])
        record["error"] = err
        out.append(record)
    return out


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, NgoTextError) else f"{type(exc).__name__}: {exc}"


def _analyze(articles: list[Article], *, model: str | None, topics: Any,
             batch_size: int) -> list[tuple[Article | None, str | None]]:
    from .analysis import analyze_each

    if not articles:
        return []
    nlp = get_nlp(model)  # outside analyze_each: a model that cannot load fails the partition
    return [(art, None) if exc is None else (None, _describe(exc))
            for art, exc in analyze_each(articles, nlp=nlp, topics=topics, batch_size=batch_size)]


def tag_partition(df: Any, *, model: str | None = None, no_nlp: bool = False,
                  topics: Any = "default", batch_size: int = 16) -> Any:
    """Tag one pandas partition; use with ``ddf.map_partitions(tag_partition, meta=tag_meta())``.

    Args:
        df: Rows with ``text`` or ``html`` (+ optional ``id``, ``url``,
            ``published``) or Article record columns.
        model: Pipeline name/path, ``None`` for the bundled one (loaded once per
            worker process, see :func:`get_nlp`).
        no_nlp: Structure only.
        topics: Passed to ``analyze_many``.
        batch_size: ``nlp.pipe`` batch size.

    Returns:
        A DataFrame with :data:`OUTPUT_COLUMNS` (object dtype), one row per
        input row, same index.
    """
    import pandas as pd

    from .io import flatten_record

    rows = df.to_dict(orient="records")
    records = tag_records(rows, model=model, no_nlp=no_nlp, topics=topics, batch_size=batch_size)
    flat = [flatten_record(r) for r in records]
    out = pd.DataFrame(flat, columns=OUTPUT_COLUMNS, index=df.index)
    return out.astype(object).where(out.notna(), None)


def tag_bag(bag: Any, *, model: str | None = None, no_nlp: bool = False,
            topics: Any = "default", batch_size: int = 16) -> Any:
    """Tag a :class:`dask.bag.Bag` of items (see :func:`tag_records`) into Article dicts.

    Example::

        import dask.bag as db
        records = tag_bag(db.from_sequence(items, npartitions=8)).compute()
    """
    def _part(items: Iterable[Any]) -> list[dict[str, Any]]:
        return tag_records(list(items), model=model, no_nlp=no_nlp, topics=topics,
                           batch_size=batch_size)

    return bag.map_partitions(_part)


def tag_dataframe(ddf: Any, *, model: str | None = None, meta: Any = None, no_nlp: bool = False,
                  topics: Any = "default", batch_size: int = 16) -> Any:
    """Tag a :class:`dask.dataframe.DataFrame` lazily (``.compute()`` or ``.to_parquet()`` it).

    Args:
        ddf: Partitions as accepted by :func:`tag_partition`.
        model: Pipeline name/path (``None``: bundled).
        meta: Output metadata (default :func:`tag_meta`).
        no_nlp, topics, batch_size: As in :func:`tag_partition`.
    """
    return ddf.map_partitions(tag_partition, model=model, no_nlp=no_nlp, topics=topics,
                              batch_size=batch_size, meta=meta if meta is not None else tag_meta())


def records_from_frame(df: Any) -> list[dict[str, Any]]:
    """Output rows of :func:`tag_partition` back to Article dicts (``error`` dropped)."""
    from .io import unflatten_record

    out = []
    for row in df.to_dict(orient="records"):
        row.pop("error", None)
        out.append(Article.from_dict(unflatten_record(row)).to_dict())
    return out
