"""Readers and writers: input expansion, Article record files, atomic writes, resume.

Inputs (:func:`iter_sources`)
    Files and folders (recursively) with the suffixes in :data:`SOURCE_SUFFIXES`;
    ``"-"`` reads standard input. A ``.jsonl`` file holds one article per line,
    either a full :meth:`Article.to_dict` record or a raw item
    ``{"id", "text" | "html", "url", "published"}``. A ``metadata.csv`` (columns
    ``id,file,url,published,...``) in the folder of an article file or in its
    parent folder (the sample corpus layout ``data/metadata.csv`` +
    ``data/articles/``) attaches ``id``, ``url`` and ``published``.

Record files (:func:`write_records`, :func:`read_articles`)
    ``jsonl``: one :meth:`Article.to_dict` per line, nested fields as JSON.
    ``csv`` and ``parquet``: one row per article; scalar fields as columns and the
    nested / list fields (:data:`NESTED_FIELDS`: paragraphs, quotes, teasers,
    entities, topics, warnings) as **JSON strings** in both formats, so one
    flattening serves both and a round trip restores identical entities.
    Writes are atomic: a temporary file in the target folder is fsynced and then
    moved into place with :func:`os.replace`, so a reader never sees a
    half-written file.

Resume (:class:`ResumableJsonlWriter`)
    Appends one JSON line per record with ``flush`` + ``fsync``; on resume it
    reads back the ids already written and drops a truncated last line (left by
    a killed process) before appending.
"""
from __future__ import annotations

import csv
import datetime as _dt
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Union

from .model import to_date
from .errors import InputError, NgoTextError
from .parsing.sources import check_regular_file, read_limited
from .model import Article

__all__ = [
    "SOURCE_SUFFIXES", "RECORD_FORMATS", "NESTED_FIELDS", "Source", "iter_sources",
    "read_metadata", "read_articles", "iter_jsonl_articles", "write_records",
    "articles_to_frame", "frame_to_articles", "ResumableJsonlWriter", "guess_format",
    "expand_path", "jsonl_item_to_source", "flatten_record", "unflatten_record", "check_not_input",
]

#: File suffixes that :func:`iter_sources` picks up inside folders.
SOURCE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".jsonl")
#: Output formats of :func:`write_records`.
RECORD_FORMATS = ("jsonl", "csv", "parquet")
#: Article fields stored as JSON strings in csv / parquet.
NESTED_FIELDS = ("paragraphs", "quotes", "teasers", "entities", "topics", "warnings")

PathLike = Union[str, "os.PathLike[str]"]


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------
@dataclass
class Source:
    """One input item found by :func:`iter_sources`.

    At most one of ``content`` (raw text / HTML as ``str`` or ``bytes``, from
    stdin or a JSONL item), ``article`` (an already structured record from a
    ``.jsonl`` file) or ``error`` (why this item cannot be read) is set; a plain
    file has none of them and is read from ``path`` when parsed.

    Attributes:
        name: Where the item comes from, for messages: a path, ``path:line`` for
            a JSONL line, or ``"<stdin>"``.
        path: The file, or ``None`` for stdin.
        id, url, published: Metadata from ``metadata.csv`` or the JSONL item;
            ``None`` when unknown.
        meta: The full metadata row (e.g. ``organisation``, ``topics``), strings.
        warnings: Problems with the metadata that did not stop the item (an
            unreadable ``published``); they go into ``Article.warnings``.
    """

    name: str
    path: Path | None = None
    content: str | bytes | None = None
    article: Article | None = None
    error: NgoTextError | None = None
    id: str | None = None
    url: str | None = None
    published: _dt.date | None = None
    meta: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_article(self) -> Article:
        """Parse the source into an :class:`Article` (structure only, no model).

        Metadata (id, url, published) given with the source wins over what the
        parser finds; ``article.source`` is set to :attr:`name`.

        Raises:
            NgoTextError: The item cannot be read (the stored :attr:`error`, or
                what :func:`ngo_text.parse` raises).
        """
        if self.error is not None:
            raise self.error
        if self.article is not None:
            art = self.article
        else:
            from .parsing import parse  # lazy: parsing pulls in trafilatura

            content = self.content if self.content is not None else self.path
            if content is None:
                raise InputError(f"{self.name}: nothing to read")
            art = parse(content, url=self.url, published=self.published)
            art.source = self.name
        if self.id:
            art.id = self.id
        if self.url and not art.url:
            art.url = self.url
        if self.published and not art.published:
            art.published = self.published
        for w in self.warnings:
            if w not in art.warnings:
                art.warnings.append(w)
        return art




def read_metadata(path: PathLike) -> dict[str, dict[str, str]]:
    """Read a ``metadata.csv`` into ``{key: row}``.

    Each row is reachable by its ``id``, by its ``file`` value as written, and
    by the file's basename and stem, so the lookup works whether ``file`` holds
    ``articles/x.txt`` or ``x.txt``.

    Raises:
        InputError: The file is missing or not a CSV with an ``id`` or ``file`` column.
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            cols = set(reader.fieldnames or [])
            if not cols & {"id", "file"}:
                raise InputError(f"{path}: metadata.csv needs an 'id' or 'file' column")
            rows = list(reader)
    except OSError as exc:
        raise InputError(f"{path}: cannot read metadata ({exc.strerror or exc})") from exc
    except (csv.Error, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from exc
    table: dict[str, dict[str, str]] = {}
    for row in rows:
        row = {k: (v or "").strip() for k, v in row.items() if k}
        keys = []
        if row.get("file"):
            keys += [row["file"], Path(row["file"]).name, Path(row["file"]).stem]
        if row.get("id"):
            keys.append(row["id"])
        for key in keys:
            table.setdefault(key, row)
    return table


class _MetadataFinder:
    """Finds the metadata row of a file: ``metadata.csv`` in its folder or the parent."""

    def __init__(self) -> None:
        self._cache: dict[Path, dict[str, dict[str, str]] | None] = {}

    def _table(self, folder: Path) -> dict[str, dict[str, str]] | None:
        if folder not in self._cache:
            candidate = folder / "metadata.csv"
            table = None
            if candidate.is_file():
                try:
                    table = read_metadata(candidate)
                except InputError:
                    table = None
            self._cache[folder] = table
        return self._cache[folder]

    def find(self, path: Path) -> dict[str, str] | None:
        folder = path.resolve().parent
        for base in (folder, folder.parent):
            table = self._table(base)
            if not table:
                continue
            try:
                rel = path.resolve().relative_to(base).as_posix()
            except ValueError:
                rel = path.name
            for key in (rel, path.name, path.stem):
                if key in table:
                    return table[key]
        return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


#: Stems of documentation files skipped when a folder is expanded (explicit paths are read).
SKIPPED_STEMS = ("readme", "license", "licence", "changelog", "contributing", "notice")


def expand_path(path: Path, *, exclude: Iterable[Path] = ()) -> Iterator[Path]:
    """The input files of ``path``: a folder searched as :func:`iter_sources` does, else ``path`` itself.

    Files that are the same as one in ``exclude`` (the outputs of a run) are left out.
    """
    exclude = list(exclude)
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            # a FIFO, device or broken link with an article's suffix is yielded too: the
            # caller reports it as a failure instead of skipping it silently
            if (
                not child.is_dir()
                and child.suffix.lower() in SOURCE_SUFFIXES
                and child.stem.lower() not in SKIPPED_STEMS
                and not child.name.endswith((".errors.jsonl", ".partial.jsonl"))  # ngo-text's own reports
                and not any(part.startswith(".") for part in child.relative_to(path).parts)
                and not any(_same_file(child, ex) for ex in exclude)
            ):
                yield child
    else:
        yield path


def _looks_like_jsonl(data: bytes) -> bool:
    head = data.lstrip()[:1]
    if head != b"{":
        return False
    first = data.lstrip().split(b"\n", 1)[0]
    try:
        return isinstance(json.loads(first), dict)
    except ValueError:
        return False


def jsonl_item_to_source(item: Any, name: str, path: Path | None) -> Source:
    """One JSONL item (a raw ``{"id", "text"|"html", ...}`` item or an Article record) as a Source.

    Never raises: a bad item gives a Source with ``error`` set. ``name`` is used in
    messages, ``path`` is the file the item came from (``None``: not from a file).
    """
    if not isinstance(item, dict):
        return Source(name, path, error=InputError(f"{name}: a JSONL line must be a JSON object"))
    meta = {"id": item.get("id"), "url": item.get("url"), "published": item.get("published")}
    src = Source(name, path, id=str(meta["id"]) if meta["id"] not in (None, "") else None,
                 url=meta["url"] if isinstance(meta["url"], str) and meta["url"] else None,
                 published=to_date(meta["published"]))
    if meta["published"] not in (None, "") and src.published is None:
        src.warnings.append(f"{name}: 'published' {meta['published']!r} is no date (YYYY-MM-DD): ignored")
    if "text" in item or "html" in item:
        key = "html" if item.get("html") is not None else "text"
        content = item.get(key)
        if not isinstance(content, str):
            src.error = InputError(f"{name}: {key!r} must be a string, not {type(content).__name__}")
        elif not content.strip():
            src.error = InputError(f"{name}: empty {key!r}")
        else:
            src.content = content
        return src
    if any(k in item for k in ("title", "paragraphs", "lead", "schema_version")):
        try:
            src.article = Article.from_dict(item)
        except (TypeError, ValueError) as exc:
            src.error = InputError(f"{name}: not an Article record ({exc})")
        return src
    src.error = InputError(f"{name}: a JSONL item needs 'text', 'html' or Article fields")
    return src


def _iter_jsonl_bytes(data: bytes, name: str, path: Path | None) -> Iterator[Source]:
    text = data.decode("utf-8-sig", errors="replace")
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        try:
            item = json.loads(line)
        except ValueError as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            yield Source(where, path, error=InputError(f"{where}: invalid JSON ({msg})"))
            continue
        yield jsonl_item_to_source(item, where, path)


def iter_sources(
    paths: Iterable[PathLike] | PathLike,
    *,
    exclude: Iterable[PathLike] = (),
    stdin: Any = None,
) -> Iterator[Source]:
    """Expand paths into input items, one :class:`Source` per article.

    Folders are searched recursively (sorted; hidden entries and README /
    LICENSE / CHANGELOG files skipped) for files with a suffix in
    :data:`SOURCE_SUFFIXES`. A path given explicitly is used
    whatever its suffix. ``"-"`` reads standard input: JSONL if its first line
    is a JSON object, else one article's text / HTML. Problems never raise:
    a missing or unreadable path yields a :class:`Source` with ``error`` set, so
    a batch run can report it and go on.

    Args:
        paths: Files, folders and/or ``"-"`` (a single path is accepted too).
        exclude: Files never to read (e.g. the output file inside an input folder).
        stdin: Binary stream used for ``"-"`` (default ``sys.stdin.buffer``).

    Yields:
        Source: with ``path`` (a file, read lazily by :meth:`Source.to_article`),
        ``content`` (stdin, JSONL text), ``article`` (JSONL record) or ``error``; metadata attached from ``metadata.csv`` if present.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    seen: dict[str, int] = {}
    for src in _iter_sources(paths, [Path(p) for p in exclude], stdin):
        if src.id is not None and src.error is None:
            # ids key resume and corpus lookups: a repeated one is renamed (stable for the
            # same inputs in the same order) and the rename is said, never two records alike
            n = seen.get(src.id, 0) + 1
            seen[src.id] = n
            if n > 1:
                new_id = f"{src.id}~{n}"
                src.warnings.append(f"{src.name}: id {src.id!r} is already used by an earlier input: "
                                    f"renamed to {new_id!r}")
                src.id = new_id
        yield src


def _file_id(file: Path, root: Path | None) -> str:
    """A file's default id: its stem, or its path below the given folder without suffix."""
    if root is None:
        return file.stem
    rel = file.relative_to(root)
    return "/".join((*rel.parts[:-1], rel.stem))


def _iter_sources(paths: Iterable[PathLike], excluded: list[Path], stdin: Any) -> Iterator[Source]:
    finder = _MetadataFinder()
    for raw in paths:
        if str(raw) == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            try:
                data = read_limited(stream, "standard input")
            except InputError as exc:
                yield Source("<stdin>", None, error=exc)
                continue
            if _looks_like_jsonl(data):
                yield from _iter_jsonl_bytes(data, "<stdin>", None)
            else:
                yield Source("<stdin>", None, content=data)
            continue
        path = Path(raw)
        if not path.exists():
            yield Source(str(path), path, error=InputError(f"{path}: no such file or folder"))
            continue
        for file in expand_path(path, exclude=excluded):
            name = str(file)
            if not file.exists():  # a dangling link, or one in a loop
                yield Source(name, file, error=InputError(f"{name}: a broken link, not read"))
                continue
            if not file.is_dir():
                try:
                    check_regular_file(file)
                except (InputError, OSError) as exc:
                    yield Source(name, file, error=exc if isinstance(exc, InputError)
                                 else InputError(f"{name}: cannot read ({exc})"))
                    continue
            if file.suffix.lower() == ".jsonl":
                try:
                    with file.open("rb") as fh:
                        data = read_limited(fh, name)
                except InputError as exc:
                    yield Source(name, file, error=exc)
                    continue
                except OSError as exc:
                    yield Source(name, file,
                                 error=InputError(f"{name}: cannot read ({exc.strerror or exc})"))
                    continue
                yield from _iter_jsonl_bytes(data, name, file)
                continue
            if file.is_dir():
                yield Source(name, file, error=InputError(f"{name}: is a folder"))
                continue
            row = finder.find(file) or {}
            # the file itself is read by parse(); files in subfolders get their relative
            # path as id, so that "a/x.txt" and "b/x.txt" are two articles
            yield Source(
                name, file,
                id=row.get("id") or _file_id(file, path if path.is_dir() else None),
                url=row.get("url") or None,
                published=to_date(row.get("published")), meta=dict(row),
            )


# ---------------------------------------------------------------------------
# Flattening for csv / parquet
# ---------------------------------------------------------------------------
def _as_dict(record: Article | dict[str, Any]) -> dict[str, Any]:
    if isinstance(record, Article):
        return record.to_dict()
    if isinstance(record, dict):
        return record
    raise TypeError(f"expected Article or dict, got {type(record).__name__}")


def flatten_record(record: dict[str, Any]) -> dict[str, Any]:
    """An Article dict as one csv/parquet row: nested fields as JSON strings, dates as ISO strings."""
    row = {}
    for key, value in record.items():
        if key in NESTED_FIELDS or isinstance(value, (list, dict)):
            row[key] = json.dumps(value if value is not None else [], ensure_ascii=False)
        elif isinstance(value, (_dt.date, _dt.datetime)):
            row[key] = value.isoformat()
        else:
            row[key] = value
    return row


def unflatten_record(row: dict[str, Any]) -> dict[str, Any]:
    """Inverse of :func:`flatten_record`: missing values become ``None``, nested fields lists.

    Raises:
        InputError: a nested field holds invalid JSON.
    """
    out: dict[str, Any] = {}
    for key, value in row.items():
        if _is_missing(value):
            value = None
        if key in NESTED_FIELDS:
            if isinstance(value, str):
                try:
                    value = json.loads(value) if value else []
                except ValueError as exc:
                    raise InputError(f"column {key!r} is not valid JSON ({exc})") from exc
            elif value is None:
                value = []
            elif not isinstance(value, list):
                value = list(value)
        out[key] = value
    return out


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN / NaT
    except (TypeError, ValueError):
        return False


def articles_to_frame(records: Iterable[Article | dict[str, Any]]):
    """Flatten Articles (or their dicts) into a :class:`pandas.DataFrame`.

    One row per article; the :data:`NESTED_FIELDS` become JSON strings and
    ``published`` an ISO string, the layout of the csv and parquet files.
    """
    import pandas as pd  # type: ignore[import-untyped]

    rows = [flatten_record(_as_dict(r)) for r in records]
    columns = list(rows[0]) if rows else list(Article().to_dict())
    return pd.DataFrame(rows, columns=columns)


def frame_to_articles(df) -> list[Article]:
    """Inverse of :func:`articles_to_frame`: rows back to :class:`Article` objects."""
    result = []
    for row in df.to_dict(orient="records"):
        data = unflatten_record(row)
        if data.get("id") is not None and not isinstance(data["id"], str):
            data["id"] = str(data["id"])
        result.append(Article.from_dict(data))
    return result


# ---------------------------------------------------------------------------
# Reading record files
# ---------------------------------------------------------------------------
def guess_format(path: PathLike, default: str = "jsonl") -> str:
    """The record format implied by a file name (``.jsonl``/``.json``, ``.csv``, ``.parquet``/``.pq``)."""
    suffix = Path(path).suffix.lower()
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv",
            ".parquet": "parquet", ".pq": "parquet"}.get(suffix, default)


def iter_jsonl_articles(path: PathLike) -> Iterator[Article]:
    """Stream the Article records of a JSONL file.

    A truncated **last** line (an interrupted writer) is skipped; an invalid line
    elsewhere raises.

    Raises:
        InputError: Unreadable file or an invalid line that is not the last one.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not a UTF-8 JSONL file") from exc
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as exc:
            if i == last:
                return
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise InputError(f"{path}:{i + 1}: invalid JSON ({msg})") from exc
        if not isinstance(data, dict):
            raise InputError(f"{path}:{i + 1}: expected a JSON object")
        try:
            yield Article.from_dict(data)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{path}:{i + 1}: not an Article record ({exc})") from exc


def read_articles(path: PathLike, *, format: str | None = None) -> list[Article]:
    """Read Article records from a ``jsonl``, ``csv`` or ``parquet`` file.

    Args:
        path: The file written by :func:`write_records` (or ``ngo-text tag``).
        format: ``"jsonl"``, ``"csv"`` or ``"parquet"``; default from the suffix.

    Raises:
        InputError: Missing, unreadable or malformed file.
    """
    path = Path(path)
    fmt = format or guess_format(path)
    if fmt not in RECORD_FORMATS:
        raise InputError(f"unknown record format {fmt!r}; use one of {', '.join(RECORD_FORMATS)}")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if fmt == "jsonl":
        return list(iter_jsonl_articles(path))
    import pandas as pd

    try:
        if fmt == "csv":
            df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        else:
            df = pd.read_parquet(path)
    except Exception as exc:  # pandas/pyarrow raise many types for bad files
        raise InputError(f"{path}: cannot read as {fmt} ({exc})") from exc
    if fmt == "csv":
        df = df.astype(object).where(df.notna(), None)
    return frame_to_articles(df)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------
def check_not_input(path: Path, inputs: Iterable[PathLike]) -> None:
    """Raise :class:`NgoTextError` when the output ``path`` is one of the ``inputs`` (same file)."""
    for inp in inputs:
        if str(inp) == "-":
            continue
        if _same_file(path, Path(inp)):
            raise NgoTextError(f"refusing to overwrite input file {inp}; choose another output path")


def _new_file_mode() -> int:
    """0666 minus the process umask: the mode ``open(path, "w")`` would create."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(path: PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(fh)`` on a temp file beside ``path``, fsync it, then rename it over ``path``.

    Readers see the old file or the complete new one, never a half-written one;
    on any error (or Ctrl-C) the temp file is removed and ``path`` is untouched.
    """
    path = Path(path)
    folder = path.resolve().parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise NgoTextError(f"{path}: cannot write in {folder} ({exc.strerror or exc})") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600; the result gets the mode a plain open() would give
        # (the user's umask), or keeps the mode of the file it replaces
        os.chmod(tmp, stat.S_IMODE(path.stat().st_mode) if path.exists() else _new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_records(
    records: Iterable[Article | dict[str, Any]],
    path: PathLike,
    *,
    format: str | None = None,
    inputs: Iterable[PathLike] = (),
) -> int:
    """Write Article records atomically as ``jsonl``, ``csv`` or ``parquet``.

    The data goes to a temporary file in the same folder, is fsynced and then
    moved over ``path`` with :func:`os.replace`, so ``path`` is either the old
    file or the complete new one, never half-written. csv/parquet store the
    :data:`NESTED_FIELDS` as JSON strings (see the module docstring).

    Args:
        records: Articles or :meth:`Article.to_dict` dicts.
        path: Target file.
        format: Default from the suffix (``jsonl`` when unknown).
        inputs: Input files that must not be overwritten.

    Returns:
        The number of records written.

    Raises:
        NgoTextError: ``path`` is one of ``inputs``, unknown format, or the
            folder is not writable.
    """
    path = Path(path)
    fmt = format or guess_format(path)
    if fmt not in RECORD_FORMATS:
        raise NgoTextError(f"unknown output format {fmt!r}; use one of {', '.join(RECORD_FORMATS)}")
    check_not_input(path, inputs)
    folder = path.resolve().parent
    if not folder.is_dir():
        raise NgoTextError(f"{path}: folder {folder} does not exist")
    dicts = [_as_dict(r) for r in records]

    def write(fh) -> None:
        if fmt == "jsonl":
            for d in dicts:
                fh.write(json.dumps(d, ensure_ascii=False, default=str).encode("utf-8") + b"\n")
        elif fmt == "csv":
            fh.write(articles_to_frame(dicts).to_csv(index=False).encode("utf-8"))
        else:
            articles_to_frame(dicts).to_parquet(fh, index=False)

    atomic_write(path, write)
    return len(dicts)


class ResumableJsonlWriter:
    """Append-only JSONL output that survives interruption and can be resumed.

    Every :meth:`write` appends one line and calls ``flush`` + ``fsync``, so
    after a crash the file holds whole records plus at most one truncated last
    line. Opening with ``resume=True`` reads the ids already written into
    :attr:`done_ids` and cuts such a truncated line off before appending.
    Opening with ``resume=False`` starts the file empty.

    Example::

        with ResumableJsonlWriter("out.jsonl", resume=True) as out:
            for art in articles:
                if art.id not in out.done_ids:
                    out.write(art)

    Raises:
        NgoTextError: ``path`` is one of ``inputs`` or not writable; a
            non-final line of an existing file is not valid JSON (not ours).
    """

    def __init__(self, path: PathLike, *, resume: bool = False, inputs: Iterable[PathLike] = (),
                 fsync: bool = True) -> None:
        self.path = Path(path)
        self.fsync = fsync
        check_not_input(self.path, inputs)
        self.done_ids: set[str] = set()
        self.n_written = 0
        if resume and self.path.exists():
            self.done_ids = self._recover()
            mode = "ab"
        else:
            mode = "wb"
        try:
            self._fh = self.path.open(mode)
        except OSError as exc:
            raise NgoTextError(f"{self.path}: cannot write ({exc.strerror or exc})") from exc

    def _recover(self) -> set[str]:
        """Read ids back and truncate an incomplete last line."""
        ids: set[str] = set()
        good_end = 0
        with self.path.open("rb") as fh:
            data = fh.read()
        pos = 0
        lines = data.split(b"\n")
        for i, line in enumerate(lines):
            end = pos + len(line) + 1  # including the newline
            is_last = i == len(lines) - 1
            if line.strip():
                complete = not is_last  # the final chunk has no newline after it
                try:
                    record = json.loads(line) if complete else None
                except ValueError:
                    record = None
                if record is None:
                    if i >= len(lines) - 2:  # the last line (with or without newline)
                        break
                    raise NgoTextError(
                        f"{self.path}:{i + 1}: not a JSONL record file; cannot resume into it"
                    )
                if isinstance(record, dict) and record.get("id") is not None:
                    ids.add(str(record["id"]))
            if not is_last:
                good_end = end
            pos = end
        if good_end < len(data):
            with self.path.open("r+b") as fh:
                fh.truncate(good_end)
        return ids

    def write(self, record: Article | dict[str, Any]) -> None:
        """Append one record as a line, durable on return."""
        d = _as_dict(record)
        line = json.dumps(d, ensure_ascii=False, default=str).encode("utf-8") + b"\n"
        self._fh.write(line)
        self._fh.flush()
        if self.fsync:
            os.fsync(self._fh.fileno())
        self.n_written += 1
        if d.get("id") is not None:
            self.done_ids.add(str(d["id"]))

    def close(self) -> None:
        """Flush and close the file (idempotent)."""
        if not self._fh.closed:
            self._fh.flush()
            self._fh.close()

    def __enter__(self) -> "ResumableJsonlWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
