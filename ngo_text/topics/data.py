"""Labelled training data for the topic classifier: the CSV reader (also behind ``ngo-text topics train``)."""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["read_labeled_csv"]

#: Label columns tried in this order when none is named.
LABEL_COLUMNS = ("label", "labels", "topics")


def read_labeled_csv(path: str | os.PathLike[str], *, text_column: str = "text",
                     label_column: str | None = None, sep: str = ";", delimiter: str | None = None,
                     quotechar: str = '"', title_column: str | None = None,
                     skip_incomplete: bool = False) -> tuple[list[str], list[Any]]:
    """Read training data: a CSV with a header, a text column and a label column.

    A label cell may hold several labels separated by ``sep`` (multi-label);
    if any row has more than one label, every row's labels are returned as
    a list, otherwise plain strings.

    Args:
        path: The CSV file (UTF-8, a BOM is allowed).
        text_column: Column of the texts.
        label_column: Column of the labels; ``None``: the first of ``label``,
            ``labels``, ``topics`` that the file has.
        sep: Separator of several labels in one cell.
        delimiter: CSV delimiter; ``None``: the one of ``,``, ``;`` and tab that
            the header line holds most often.
        quotechar: CSV quote character.
        title_column: A column whose cell, when not empty, is put before the
            text (``"title\\n\\ntext"``); ignored when the file lacks it.
        skip_incomplete: Leave out rows with an empty text or no label (and
            require two rows) instead of raising.

    Raises:
        InputError: file missing/unreadable, columns missing, empty text or
            label in a row (the message names the line), no rows.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"labelled CSV not found: {p}")
    try:
        raw = p.read_text("utf-8-sig")
    except (UnicodeDecodeError, OSError) as exc:
        raise InputError(f"cannot read {p} as UTF-8 text: {exc}") from exc
    if not raw.strip():
        raise InputError(f"{p} is empty; expected a header with columns {text_column!r} and "
                         f"{label_column or LABEL_COLUMNS[0]!r}")
    if delimiter is None:
        header = raw.splitlines()[0]
        delimiter = max((",", ";", "\t"), key=header.count)
    csv.field_size_limit(min(2**31 - 1, 1 << 30))
    try:
        reader = csv.DictReader(io.StringIO(raw, newline=""), delimiter=delimiter, quotechar=quotechar)
        fields = reader.fieldnames or []
    except (csv.Error, TypeError) as exc:  # (TypeError: a delimiter or quotechar that is no 1-character string)
        raise InputError(f"{p}: cannot read as CSV ({exc})") from exc
    if label_column is None:
        label_column = next((c for c in LABEL_COLUMNS if c in fields), LABEL_COLUMNS[0])
    missing = [c for c in (text_column, label_column) if c not in fields]
    if missing:
        raise InputError(f"{p}: missing column(s): no column {missing[0]!r} (columns: {', '.join(fields)}); "
                         f"name the text and label columns (text_column=, label_column=)")
    with_title = title_column is not None and title_column in fields and title_column != text_column
    texts: list[str] = []
    labels: list[list[str]] = []
    try:
        for row in reader:
            line = reader.line_num
            text = (row.get(text_column) or "").strip()
            if with_title and text:
                title = (row.get(title_column or "") or "").strip()
                text = f"{title}\n\n{text}" if title else text
            cell = row.get(label_column) or ""
            labs = [l.strip() for l in cell.split(sep) if l.strip()]
            if not (text and labs) and skip_incomplete:
                continue
            if not text:
                raise InputError(f"{p}, line {line}: empty {text_column!r}")
            if not labs:
                raise InputError(f"{p}, line {line}: empty {label_column!r}")
            texts.append(text)
            labels.append(labs)
    except csv.Error as exc:
        raise InputError(f"{p}: malformed CSV: {exc}") from exc
    if len(texts) < (2 if skip_incomplete else 1):
        raise InputError(f"{p}: need at least {'two labelled rows' if skip_incomplete else 'one row'} with text")
    if any(len(l) > 1 for l in labels):
        return texts, labels
    return texts, [l[0] for l in labels]
