"""ngo_text.io: input expansion, record files, atomic writes, resumable JSONL."""
from __future__ import annotations

import datetime as dt
import io as _io
import json
import os
from pathlib import Path

import pytest

import ngo_text
from ngo_text.errors import InputError, NgoTextError
from ngo_text.io import (
    ResumableJsonlWriter,
    articles_to_frame,
    frame_to_articles,
    iter_sources,
    read_articles,
    read_metadata,
    write_records,
)
from ngo_text.model import Article, Entity, Quote, Teaser, Topic


def _article(i: int) -> Article:
    title = f"Titel {i}: Kinderhilfe Horizont fordert Schutz"
    return Article(
        id=f"a{i}", url=f"https://example.org/{i}", source=f"a{i}.txt",
        published=dt.date(2020 + i % 3, 1 + i % 12, 1 + i),
        title=title, dateline="Berlin", lead="Ein Lead mit \"Anführungszeichen\", Kommas; und Umlauten äöü.",
        paragraphs=[f"Absatz {j}\nmit Zeilenumbruch" for j in range(2)],
        quotes=[Quote(text="Wir fordern mehr.", speaker="Anna Schmidt", role="Vorständin",
                      organisation="Kinderhilfe Horizont")],
        teasers=[Teaser(title="Mehr", summary=None, url="https://example.org/x")],
        entities=[Entity(text="Kinderhilfe Horizont", label="ORG", start=title.index("Kinderhilfe"),
                         end=title.index("Kinderhilfe") + 20, canonical="Kinderhilfe Horizont e. V.",
                         org_type="ngo"),
                  Entity(text="2020", label="DATE", start=0, end=4, value="2020")],
        topics=[Topic(label="Kinderschutz", score=0.75, terms=["Schutz", "Kind"])],
        language="de", warnings=["repaired mojibake"] if i % 2 else [],
    )


ARTICLES = [_article(i) for i in range(4)]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_round_trip_restores_articles(tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    assert write_records(ARTICLES, path, format=fmt) == 4
    back = read_articles(path)
    assert [a.to_dict() for a in back] == [a.to_dict() for a in ARTICLES]
    assert back[0].entities == ARTICLES[0].entities
    assert back[1].published == ARTICLES[1].published


def test_csv_flattens_nested_fields_as_json(tmp_path):
    path = tmp_path / "out.csv"
    write_records(ARTICLES[:1], path)
    import pandas as pd

    df = pd.read_csv(path)
    ents = json.loads(df.loc[0, "entities"])
    assert ents[0]["label"] == "ORG" and ents[0]["org_type"] == "ngo"
    assert df.loc[0, "published"] == ARTICLES[0].published.isoformat()


def test_frame_round_trip_and_empty_frame():
    df = articles_to_frame(ARTICLES)
    assert len(df) == 4 and "entities" in df.columns
    assert [a.to_dict() for a in frame_to_articles(df)] == [a.to_dict() for a in ARTICLES]
    empty = articles_to_frame([])
    assert list(empty.columns)[:2] == ["id", "url"] and frame_to_articles(empty) == []


def test_write_is_atomic_on_failure(tmp_path):
    path = tmp_path / "out.jsonl"
    write_records(ARTICLES[:2], path)
    before = path.read_bytes()

    def broken():
        yield ARTICLES[0]
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_records(broken(), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]  # no temp files left


def test_write_refuses_to_overwrite_input(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(ARTICLES[0].to_dict()) + "\n", encoding="utf-8")
    before = src.read_bytes()
    with pytest.raises(NgoTextError, match="refusing to overwrite"):
        write_records(ARTICLES, src, inputs=[str(tmp_path / "." / "in.jsonl")])
    with pytest.raises(NgoTextError, match="refusing to overwrite"):
        ResumableJsonlWriter(src, inputs=[src])
    assert src.read_bytes() == before


def test_unknown_format_and_missing_folder(tmp_path):
    with pytest.raises(NgoTextError, match="unknown output format"):
        write_records(ARTICLES, tmp_path / "x.out", format="xml")
    with pytest.raises(NgoTextError, match="does not exist"):
        write_records(ARTICLES, tmp_path / "nope" / "x.jsonl")
    with pytest.raises(InputError):
        read_articles(tmp_path / "missing.jsonl")


def test_resumable_writer_drops_truncated_line_and_reports_ids(tmp_path):
    path = tmp_path / "out.jsonl"
    with ResumableJsonlWriter(path) as w:
        for a in ARTICLES[:3]:
            w.write(a)
    # simulate a kill in the middle of the 4th record
    line = json.dumps(ARTICLES[3].to_dict(), ensure_ascii=False)
    with path.open("ab") as fh:
        fh.write(line[: len(line) // 2].encode("utf-8"))
    with pytest.raises(ValueError):  # strict readers see it ...
        json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
    assert [a.id for a in read_articles(path)] == ["a0", "a1", "a2"]  # ... read_articles skips it
    with ResumableJsonlWriter(path, resume=True) as w:
        assert w.done_ids == {"a0", "a1", "a2"}
        w.write(ARTICLES[3])
    back = read_articles(path)
    assert [a.to_dict() for a in back] == [a.to_dict() for a in ARTICLES]
    assert path.read_bytes().endswith(b"\n")


def test_resumable_writer_without_resume_starts_empty(tmp_path):
    path = tmp_path / "out.jsonl"
    write_records(ARTICLES, path)
    with ResumableJsonlWriter(path, resume=False) as w:
        assert w.done_ids == set()
        w.write(ARTICLES[0])
    assert [a.id for a in read_articles(path)] == ["a0"]


def test_resume_refuses_foreign_file(tmp_path):
    path = tmp_path / "notes.jsonl"
    path.write_text("hello\nworld\nmore\n", encoding="utf-8")
    with pytest.raises(NgoTextError, match="cannot resume"):
        ResumableJsonlWriter(path, resume=True)
    assert path.read_text(encoding="utf-8") == "hello\nworld\nmore\n"


def test_iter_sources_expands_folders_with_metadata(tmp_path):
    arts = tmp_path / "data" / "articles"
    (arts / "sub").mkdir(parents=True)
    (arts / "p1.txt").write_text("Titel eins\n\nText.", encoding="utf-8")
    (arts / "sub" / "p2.html").write_text("<html><body><h1>T</h1><p>x</p></body></html>", encoding="utf-8")
    (arts / "ignored.docx").write_bytes(b"PK\x03\x04")
    (arts / ".hidden.txt").write_text("x", encoding="utf-8")
    (tmp_path / "data" / "README.md").write_text("# about", encoding="utf-8")
    (tmp_path / "data" / "metadata.csv").write_text(
        "id,file,url,published,organisation\n"
        "pr01,articles/p1.txt,https://e.org/1,2021-03-04,Kinderhilfe\n", encoding="utf-8")
    sources = list(iter_sources([tmp_path / "data"]))
    names = [os.path.relpath(s.name, tmp_path) for s in sources]
    assert names == ["data/articles/p1.txt", "data/articles/sub/p2.html"]
    first = sources[0]
    assert (first.id, first.url, first.published) == ("pr01", "https://e.org/1", dt.date(2021, 3, 4))
    assert first.meta["organisation"] == "Kinderhilfe"
    # without metadata a file's id is its path below the given folder, without suffix
    assert sources[1].id == "articles/sub/p2" and sources[1].path.name == "p2.html"
    # a single file finds the metadata one folder up as well
    (single,) = iter_sources(arts / "p1.txt")
    assert single.id == "pr01"


def test_iter_sources_jsonl_stdin_and_errors(tmp_path):
    jl = tmp_path / "in.jsonl"
    jl.write_text(
        json.dumps({"id": "x1", "text": "Titel\n\nText", "published": "2022-02-02"}) + "\n"
        + "\n"
        + "{not json\n"
        + json.dumps(ARTICLES[0].to_dict()) + "\n"
        + json.dumps({"id": "x3"}) + "\n", encoding="utf-8")
    sources = list(iter_sources([jl, tmp_path / "missing.txt"]))
    assert [s.name.rsplit("/", 1)[-1] for s in sources] == [
        "in.jsonl:1", "in.jsonl:3", "in.jsonl:4", "in.jsonl:5", "missing.txt"]
    ok, bad_json, record, no_text, missing = sources
    assert ok.content == "Titel\n\nText" and ok.id == "x1" and ok.published == dt.date(2022, 2, 2)
    assert "invalid JSON" in str(bad_json.error)
    assert record.article is not None and record.to_article().to_dict() == ARTICLES[0].to_dict()
    assert no_text.error is not None
    assert "no such file" in str(missing.error)
    with pytest.raises(InputError):
        missing.to_article()
    (text,) = iter_sources("-", stdin=_io.BytesIO("Überschrift\n\nText".encode("utf-8")))
    assert text.name == "<stdin>" and text.content == "Überschrift\n\nText".encode("utf-8")
    stdin_jl = _io.BytesIO(b'{"id": "s1", "text": "T"}\n{"id": "s2", "text": "U"}\n')
    assert [s.id for s in iter_sources(["-"], stdin=stdin_jl)] == ["s1", "s2"]


def test_iter_sources_excludes_output_inside_input_folder(tmp_path):
    (tmp_path / "a.txt").write_text("T\n\nx", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("", encoding="utf-8")
    assert [s.path.name for s in iter_sources([tmp_path], exclude=[out])] == ["a.txt"]


def test_read_metadata(tmp_path):
    meta = tmp_path / "metadata.csv"
    meta.write_text("id,file,url,published\npr1,articles/pr1.txt,u,2020-01-01\n", encoding="utf-8")
    table = read_metadata(meta)
    assert table["pr1"]["url"] == "u" and table["articles/pr1.txt"] is table["pr1"]
    meta.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError):
        read_metadata(meta)


def test_sample_metadata_matches_sample_files(sample_dir):
    sources = list(iter_sources([sample_dir / "articles"]))
    assert sources, "sample corpus has no article files"
    with_meta = [s for s in sources if s.id]
    assert len(with_meta) == len(sources), [s.name for s in sources if not s.id]
    assert all(s.published is not None for s in with_meta)


# -- hostile inputs: FIFOs, devices, broken links, endless streams ------------------------
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifos_devices_and_broken_links_are_counted_failures(tmp_path):
    from ngo_text.io import iter_sources

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Berlin – Die Caritas hilft in Köln.", encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    sources = {Path(s.name).name: s for s in iter_sources([folder])}
    assert sorted(sources) == ["broken.txt", "good.txt", "pipe.txt", "zero.txt"]
    assert sources["good.txt"].error is None
    assert "FIFO" in str(sources["pipe.txt"].error)
    assert "device" in str(sources["zero.txt"].error)
    assert "broken link" in str(sources["broken.txt"].error)
    with pytest.raises(InputError, match="FIFO"):  # and no hang waiting for a writer
        ngo_text.parse(folder / "pipe.txt")
    with pytest.raises(InputError, match="device"):
        ngo_text.parse(Path("/dev/zero"))


def test_stdin_is_read_with_a_byte_limit(monkeypatch):
    import ngo_text.parsing.sources as sources
    from ngo_text.io import iter_sources

    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 1_000)
    (src,) = list(iter_sources(["-"], stdin=_io.BytesIO(b"Text " * 1_000)))
    assert src.error is not None and "over 1,000 bytes" in str(src.error)
    (ok,) = list(iter_sources(["-"], stdin=_io.BytesIO(b"Die Caritas hilft.")))
    assert ok.error is None


def test_jsonl_wrong_types_and_bad_dates_are_reported(tmp_path):
    from ngo_text.io import iter_sources

    f = tmp_path / "in.jsonl"
    f.write_text("\n".join([
        json.dumps({"id": "a", "text": 12345}),
        json.dumps({"id": "b", "text": "Die Caritas hilft in Köln.", "published": "not-a-date"}),
        json.dumps({"id": "c", "text": "   "}),
    ]), encoding="utf-8")
    a, b, c = list(iter_sources([f]))
    assert "must be a string, not int" in str(a.error)
    assert b.error is None and b.published is None
    art = b.to_article()
    assert any("'not-a-date' is no date" in w for w in art.warnings)
    assert "empty 'text'" in str(c.error)


def test_own_error_reports_are_not_read_as_input(tmp_path):
    from ngo_text.io import iter_sources

    (tmp_path / "a.txt").write_text("Die Caritas hilft in Köln.", encoding="utf-8")
    (tmp_path / "out.jsonl").write_text(json.dumps({"id": "a", "text": "Die Caritas."}) + "\n",
                                        encoding="utf-8")
    (tmp_path / "out.jsonl.errors.jsonl").write_text(json.dumps({"source": "x", "error": "y"}) + "\n",
                                                     encoding="utf-8")
    names = sorted(Path(s.name.split(":")[0]).name for s in iter_sources([tmp_path]))
    assert names == ["a.txt", "out.jsonl"]


def test_atomic_writes_follow_the_umask(tmp_path):
    from ngo_text.io import write_records

    old = os.umask(0o022)
    try:
        for fmt in ("csv", "jsonl"):
            out = tmp_path / f"o.{fmt}"
            write_records([Article(id="a", title="T", lead="Die Caritas hilft.")], out)
            assert out.stat().st_mode & 0o777 == 0o644, fmt
    finally:
        os.umask(old)


def test_ids_are_unique_within_a_run_and_stable(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / "in" / sub).mkdir(parents=True)
        (tmp_path / "in" / sub / "press.txt").write_text(f"Titel {sub}\n\nText {sub}.", encoding="utf-8")
    (tmp_path / "in" / "press.txt").write_text("Titel\n\nText.", encoding="utf-8")
    jl = tmp_path / "items.jsonl"
    jl.write_text("".join(json.dumps({"id": "x", "text": f"T{i}\n\nText {i}."}) + "\n" for i in range(3)),
                  encoding="utf-8")
    runs = [[(s.id, s.warnings) for s in iter_sources([tmp_path / "in", jl])] for _ in range(2)]
    assert runs[0] == runs[1]  # the same inputs give the same ids
    ids = [i for i, _ in runs[0]]
    assert ids == ["a/press", "b/press", "press", "x", "x~2", "x~3"]
    warned = [w for _, w in runs[0]]
    assert warned[:4] == [[], [], [], []]
    assert "already used" in warned[4][0] and "'x~2'" in warned[4][0]
    arts = [s.to_article() for s in iter_sources([tmp_path / "in", jl])]
    assert len({a.id for a in arts}) == 6 and any("already used" in w for w in arts[4].warnings)
