"""Labelled training data for the topic classifier: a CSV reader."""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["read_labeled_csv"]


def read_labeled_csv(path: str | os.PathLike[str], *, text_column: str = "text",
                     label_column: str = "label", sep: str = ";") -> tuple[list[str], list[Any]]:
    """Read training data: a CSV with a header and columns ``text`` and ``label``.

    A label cell may hold several labels separated by ``sep`` (multi-label);
    if any row has more than one label, every row's labels are returned as
    a list, otherwise plain strings. The CSV delimiter (``,``, ``;`` or tab)
    is detected from the header line.

    Raises:
        InputError: file missing/unreadable, columns missing, empty text or
            label in a row (the message names the line).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"labelled CSV not found: {p}")
    try:
        raw = p.read_text("utf-8-sig")
    except (UnicodeDecodeError, OSError) as exc:
        raise InputError(f"cannot read {p} as UTF-8 text: {exc}") from exc
    if not raw.strip():
        raise InputError(f"{p} is empty; expected a header with columns {text_column!r},{label_column!r}")
    header = raw.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    csv.field_size_limit(min(2**31 - 1, 1 << 30))
    reader = csv.DictReader(io.StringIO(raw, newline=""), delimiter=delimiter)
    fields = reader.fieldnames or []
    missing = [c for c in (text_column, label_column) if c not in fields]
    if missing:
        raise InputError(f"{p}: missing column(s) {missing}; found {fields}. "
                         f"Expected a header with {text_column!r} and {label_column!r}")
    texts: list[str] = []
    labels: list[list[str]] = []
    try:
        for row in reader:
            line = reader.line_num
            text = (row.get(text_column) or "").strip()
            cell = row.get(label_column) or ""
            labs = [l.strip() for l in cell.split(sep) if l.strip()]
            if not text:
                raise InputError(f"{p}, line {line}: empty {text_column!r}")
            if not labs:
                raise InputError(f"{p}, line {line}: empty {label_column!r}")
            texts.append(text)
            labels.append(labs)
    except csv.Error as exc:
        raise InputError(f"{p}: malformed CSV: {exc}") from exc
    if not texts:
        raise InputError(f"{p} has a header but no rows")
    if any(len(l) > 1 for l in labels):
        return texts, labels
    return texts, [l[0] for l in labels]
