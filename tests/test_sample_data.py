"""Consistency checks for the bundled sample corpus in data/ (no NLP model needed)."""
from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
COLUMNS = ["id", "file", "url", "published", "title", "organisation", "topics", "related_ids"]
# The default taxonomy labels (exact strings, see notes/CONTRACT.md).
LABELS = {
    "Kinderschutz", "Menschenhandel & Ausbeutung", "Menschenrechte", "Strafverfolgung & Justiz",
    "Politik & Advocacy", "Humanitäre Hilfe", "Flucht & Migration", "Klima & Umwelt",
    "Gesundheit & Pflege", "Armut & Soziales", "Tierschutz", "Arbeit & Beschäftigte", "Digitales",
    "Spenden & Engagement", "Forschung & Studien",
}


def _split(value: str) -> list[str]:
    return [v for v in value.split(";") if v]


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with open(DATA / "metadata.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_size_and_unique_ids(rows):
    assert len(rows) >= 40
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert len({r["url"] for r in rows}) == len(rows)
    assert len({r["file"] for r in rows}) == len(rows)


def test_files_exist_and_are_clean_utf8(rows):
    for r in rows:
        path = DATA / r["file"]
        assert path.is_file(), r["file"]
        assert path.suffix in {".txt", ".html"}
        text = path.read_text(encoding="utf-8")  # raises on invalid UTF-8
        assert not re.search("Ã[¤¶¼ŸÄ–œ]|â€", text), f"mojibake in {r['file']}"
        assert r["title"] in text.replace("&amp;", "&"), r["id"]


def test_urls_and_dates(rows):
    for r in rows:
        assert re.fullmatch(r"https://www\.[a-z0-9-]+\.example/presse/[a-z0-9-]+", r["url"]), r["url"]
        d = date.fromisoformat(r["published"])
        assert date(2019, 1, 1) <= d <= date(2026, 12, 31)


def test_topics_are_taxonomy_labels_and_each_used_three_times(rows):
    counts: Counter[str] = Counter()
    for r in rows:
        topics = _split(r["topics"])
        assert 1 <= len(topics) <= 4, r["id"]
        assert set(topics) <= LABELS, (r["id"], set(topics) - LABELS)
        counts.update(topics)
    assert set(counts) == LABELS
    assert min(counts.values()) >= 3, counts


def test_related_ids_exist(rows):
    ids = {r["id"] for r in rows}
    with_related = 0
    for r in rows:
        rel = _split(r["related_ids"])
        assert r["id"] not in rel
        assert len(rel) == len(set(rel))
        assert set(rel) <= ids, (r["id"], set(rel) - ids)
        with_related += len(rel) >= 2
    assert with_related >= 30


def test_teasers_match_related_ids(rows):
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        text = (DATA / r["file"]).read_text(encoding="utf-8").replace("&amp;", "&")
        for rid in _split(r["related_ids"]):
            target = by_id[rid]
            needle = target["url"] if r["file"].endswith(".html") else target["title"]
            assert needle in text, (r["id"], rid)


def test_topics_train_csv():
    with open(DATA / "topics_train.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["text", "label"]
        items = list(reader)
    assert len(items) >= 50
    counts = Counter(i["label"] for i in items)
    assert set(counts) <= LABELS
    assert len(counts) >= 4 and min(counts.values()) >= 10
    assert all(i["text"].strip() for i in items)
