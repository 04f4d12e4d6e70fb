"""Tests of ngo_text.related on a small synthetic corpus (no shared data needed)."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pytest

from ngo_text.errors import InputError, ModelFormatError, NotFittedError
from ngo_text.model import Article, Entity, Topic
from ngo_text.related import Related, RelatedIndex, shorten_summary, teaser_block

THEMES = {
    "traffick": ("Menschenhandel", ["Razzia gegen Menschenhandel in mehreren Städten",
                                     "Ermittler decken Netzwerk für Menschenhandel und Ausbeutung auf",
                                     "Opfer von Menschenhandel brauchen mehr Schutz und Beratung",
                                     "Menschenhandel: Festnahmen nach europaweiter Razzia"],
                 ["Europol", "Bundeskriminalamt"], "Menschenhandel & Ausbeutung"),
    "climate": ("Klimaschutz", ["Umweltverbände fordern schnelleren Kohleausstieg und Klimaschutz",
                                "Klimastreik: Tausende demonstrieren für Klimaschutz und Klimagerechtigkeit",
                                "Dürre und Hitze: Klimawandel trifft die Landwirtschaft hart",
                                "Klimaschutzgesetz verfehlt Ziele, warnen Umweltverbände"],
                ["Umweltbundesamt", "Greenpeace"], "Klima & Umwelt"),
    "quake": ("Erdbeben", ["Spendenaufruf für die Opfer des Erdbebens in der Türkei",
                           "Nach dem Erdbeben: Helfer verteilen Zelte, Decken und Trinkwasser",
                           "Erdbebenhilfe: Notunterkünfte und medizinische Versorgung für Familien",
                           "Erdbeben: Wiederaufbau der Schulen beginnt mit Spenden"],
              ["Türkei", "Rotes Kreuz"], "Humanitäre Hilfe"),
}
FILLER = {
    "traffick": "Die Ermittler sprechen von organisierter Ausbeutung, Zwangsarbeit und Menschenhandel.",
    "climate": "Die Verbände verlangen Klimaschutz, erneuerbare Energien und ein Ende der Kohle.",
    "quake": "Das Erdbeben hat Häuser zerstört; Hilfswerke bitten um Spenden für die Erdbebenopfer.",
}


def make_articles() -> list[Article]:
    arts = []
    day = dt.date(2023, 1, 1)
    n = 0
    for key, (_word, titles, ents, topic) in THEMES.items():
        for i, title in enumerate(titles):
            n += 1
            lead = f"{title}. {FILLER[key]}"
            text_ents = [Entity(text=e, label="ORG", start=0, end=len(e), canonical=e) for e in ents[: 1 + i % 2]]
            arts.append(Article(id=f"{key}{i}", url=f"https://ngo.example/{key}/{i}", title=title,
                                lead=lead, paragraphs=[f"Weitere Informationen folgen. {FILLER[key]}"],
                                entities=text_ents, topics=[Topic(label=topic, score=1.0)],
                                published=day + dt.timedelta(days=n)))
    return arts


def theme(doc_id: str) -> str:
    return doc_id.rstrip("0123456789")


@pytest.fixture(scope="module")
def arts() -> list[Article]:
    return make_articles()


@pytest.fixture(scope="module")
def index(arts: list[Article]) -> RelatedIndex:
    return RelatedIndex(allow_future=True).fit(arts)


def test_ranking_basics(index: RelatedIndex, arts: list[Article]) -> None:
    for a in arts:
        rel = index.related(a.id, k=3)
        assert len(rel) == 3
        assert all(isinstance(r, Related) for r in rel)
        assert [theme(r.id) for r in rel] == [theme(a.id)] * 3, (a.id, [r.id for r in rel])
        assert a.id not in {r.id for r in rel}
        assert rel[0].score >= rel[1].score >= rel[2].score


def test_unindexed_article_is_transformed(index: RelatedIndex) -> None:
    q = Article(id="new", title="Neue Razzia gegen Menschenhandel",
                lead="Europol meldet Festnahmen wegen Menschenhandel und Ausbeutung.",
                entities=[Entity("Europol", "ORG", 0, 7, canonical="Europol")])
    rel = index.related(q, k=2)
    assert [theme(r.id) for r in rel] == ["traffick", "traffick"]
    # plain text and dicts are accepted too
    assert theme(index.related("Spenden für Erdbebenopfer, Zelte und Trinkwasser nach dem Erdbeben", k=1)[0].id) \
        == "quake"


def test_reasons_name_shared_entities_topics_terms(index: RelatedIndex) -> None:
    rel = index.related("traffick1", k=3)
    r = next(x for x in rel if x.id == "traffick3")
    assert any(s.startswith("gemeinsame Akteure:") and "Europol" in s and "Bundeskriminalamt" in s
               for s in r.reasons), r.reasons
    assert "gemeinsame Themen: Menschenhandel & Ausbeutung" in r.reasons
    assert any(s.startswith("Schlüsselbegriffe:") and "menschenhandel" in s for s in r.reasons)


def test_future_excluded_unless_allowed(arts: list[Article]) -> None:
    idx = RelatedIndex().fit(arts)
    first = idx.related("traffick0", k=5)
    assert first == []  # the oldest article has nothing older
    last = idx.related("traffick3", k=3)
    assert {r.id for r in last} == {"traffick0", "traffick1", "traffick2"}
    for a in arts:
        for r in idx.related(a.id, k=5):
            assert r.published <= a.published
    assert len(RelatedIndex(allow_future=True).fit(arts).related("traffick0", k=3)) == 3


def test_recency_decay_prefers_recent() -> None:
    base = "Kinderschutz im Netz: Verbände fordern Schutzkonzepte für Plattformen und Kinder."
    docs = [{"id": "q", "text": base, "published": "2024-01-01"},
            {"id": "old", "text": base + " Rückblick.", "published": "2014-01-01"},
            {"id": "new", "text": base + " Ausblick.", "published": "2023-12-01"},
            {"id": "x", "text": "Ganz anderes Thema: Tierschutz im Zoo.", "published": "2023-12-02"}]
    no_decay = RelatedIndex(dedup_threshold=None).fit(docs).related("q", k=2)
    decay = RelatedIndex(half_life_days=180, dedup_threshold=None).fit(docs).related("q", k=2)
    assert decay[0].id == "new"
    old_nd = next(r.score for r in no_decay if r.id == "old")
    old_d = next(r.score for r in decay if r.id == "old")
    assert old_d < old_nd
    with pytest.raises(ValueError):
        RelatedIndex(half_life_days=0)


def test_dedup_collapses_republications(arts: list[Article]) -> None:
    a = arts[0]
    dup1 = Article(id="dup1", url="https://other.example/1", title=arts[1].title, lead=arts[1].lead,
                   paragraphs=list(arts[1].paragraphs), published=arts[1].published)
    self_dup = Article(id="selfdup", url="https://other.example/2", title=a.title, lead=a.lead,
                       paragraphs=list(a.paragraphs), published=a.published)
    docs = [*arts, dup1, self_dup]
    idx = RelatedIndex(allow_future=True).fit(docs)
    ids = [r.id for r in idx.related(a.id, k=4)]
    assert "selfdup" not in ids  # the article's own re-publication
    assert not {"traffick1", "dup1"} <= set(ids)  # one teaser for one release
    assert len({"traffick1", "dup1"} & set(ids)) == 1
    loose = RelatedIndex(allow_future=True, dedup_threshold=None).fit(docs)
    assert {"traffick1", "dup1", "selfdup"} <= {r.id for r in loose.related(a.id, k=5)}


def test_block_list_exclude_and_same_url(arts: list[Article]) -> None:
    idx = RelatedIndex(allow_future=True, block=["traffick1"]).fit(arts)
    ids = {r.id for r in idx.related("traffick0", k=3)}
    assert "traffick1" not in ids
    ids = {r.id for r in idx.related("traffick0", k=3, exclude=["traffick2"])}
    assert not ids & {"traffick1", "traffick2"}
    # another record of the same URL (e.g. an update) is never its own teaser
    twin = Article(id="twin", url=arts[0].url, title="Aktualisiert: " + arts[0].title,
                   lead="Neue Details zur Razzia gegen Menschenhandel, Europol ermittelt weiter.",
                   published=arts[0].published)
    idx2 = RelatedIndex(allow_future=True).fit([*arts, twin])
    assert "twin" not in {r.id for r in idx2.related("traffick0", k=5)}
    assert "traffick0" not in {r.id for r in idx2.related("twin", k=5)}


def test_remove_keeps_ranking_of_remaining(arts: list[Article]) -> None:
    full = RelatedIndex(allow_future=True).fit(arts)
    gone = {"traffick1", "climate2"}
    reduced = RelatedIndex(allow_future=True).fit(arts).remove(gone)
    assert len(reduced) == len(arts) - 2 and "traffick1" not in reduced
    for a in arts:
        if a.id in gone:
            continue
        want = [r for r in full.related(a.id, k=len(arts)) if r.id not in gone]
        got = reduced.related(a.id, k=len(arts))
        assert [r.id for r in got] == [r.id for r in want]
        assert np.allclose([r.score for r in got], [r.score for r in want], atol=1e-4)


def test_add_equals_fit_with_frozen_model(arts: list[Article]) -> None:
    later = [a for a in arts if a.id.endswith("3")]
    idx = RelatedIndex(allow_future=True).fit(arts)
    ref = {a.id: [(r.id, r.score) for r in idx.related(a.id, k=6)] for a in arts}
    idx.remove([a.id for a in later]).add(later)
    assert sorted(idx.ids) == sorted(a.id for a in arts)
    for a in arts:
        if a.id in {x.id for x in later}:
            continue  # graph profiles of re-added docs are approximations
        got = [(r.id, r.score) for r in idx.related(a.id, k=6)]
        assert {g[0] for g in got[:3]} == {g[0] for g in ref[a.id][:3]}
    # without the diffusion graph, remove + add reproduces fit exactly
    plain = RelatedIndex(allow_future=True, graph_k=0).fit(arts)
    ref = {a.id: [(r.id, r.score) for r in plain.related(a.id, k=6)] for a in arts}
    plain.remove([a.id for a in later]).add(later)
    for a in arts:
        got = [(r.id, r.score) for r in plain.related(a.id, k=6)]
        assert [g[0] for g in got] == [g[0] for g in ref[a.id]]
        assert np.allclose([g[1] for g in got], [g[1] for g in ref[a.id]], atol=1e-4)
    # a fit on part of the corpus + add() finds the new articles' themes
    part = RelatedIndex(allow_future=True).fit([a for a in arts if a not in later]).add(later)
    for a in later:
        assert theme(part.related(a.id, k=1)[0].id) == theme(a.id)


def test_save_load_round_trip_and_damage(tmp_path, index: RelatedIndex, arts: list[Article]) -> None:
    path = index.save(tmp_path / "idx")
    loaded = RelatedIndex.load(tmp_path / "idx")
    assert loaded.ids == index.ids
    for a in arts[:5]:
        assert [(r.id, r.score, r.reasons) for r in loaded.related(a.id, k=3)] == \
            [(r.id, r.score, r.reasons) for r in index.related(a.id, k=3)]
    meta = json.loads(path.read_text(encoding="utf-8"))
    assert meta["format"] == "ngo_text.related_index" and meta["version"] == 1
    # tampered npz
    npz = tmp_path / "idx.npz"
    raw = bytearray(npz.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    npz.write_bytes(bytes(raw))
    with pytest.raises(ModelFormatError):
        RelatedIndex.load(tmp_path / "idx")
    # other version / broken json
    index.save(tmp_path / "v")
    m = json.loads((tmp_path / "v.json").read_text(encoding="utf-8"))
    m["version"] = 99
    (tmp_path / "v.json").write_text(json.dumps(m), encoding="utf-8")
    with pytest.raises(ModelFormatError, match="version"):
        RelatedIndex.load(tmp_path / "v.json")
    (tmp_path / "v.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelFormatError):
        RelatedIndex.load(tmp_path / "v")


def test_save_after_remove_then_add(tmp_path, arts: list[Article]) -> None:
    idx = RelatedIndex(allow_future=True).fit(arts).remove(["quake0"])
    idx.save(tmp_path / "r")
    loaded = RelatedIndex.load(tmp_path / "r")
    loaded.add([arts[8]])
    idx.add([arts[8]])
    assert [r.id for r in loaded.related("quake0", k=3)] == [r.id for r in idx.related("quake0", k=3)]


def test_teaser_block_html_escaping(arts: list[Article]) -> None:
    evil = Article(id="evil", url='https://ngo.example/a?x=1&y="2"',
                   title='<script>alert("x")</script> Razzia & Menschenhandel',
                   lead='Europol & BKA: "Menschenhandel" <b>bekämpfen</b>.', published=dt.date(2023, 1, 2),
                   entities=[Entity("Europol", "ORG", 0, 7, canonical="Europol")])
    idx = RelatedIndex(allow_future=True).fit([*arts, evil])
    out = teaser_block("traffick0", 4, index=idx, format="html")
    assert out.startswith('<section class="ngo-related">') and "<h2>Das könnte Sie auch interessieren</h2>" in out
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Razzia &amp; Menschenhandel" in out
    assert 'href="https://ngo.example/a?x=1&amp;y=&quot;2&quot;"' in out
    assert out.count("<li>") == 4
    items = teaser_block("traffick0", k=4, index=idx)
    assert isinstance(items, list) and len(items) == 4
    assert set(items[0]) == {"id", "title", "summary", "url", "published", "score", "reasons"}
    assert json.loads(teaser_block("traffick0", k=2, index=idx, format="json"))[0]["id"] == items[0]["id"]
    with pytest.raises(InputError):
        teaser_block("traffick0", index=idx, format="xml")
    custom = teaser_block("traffick0", 1, index=idx, format="html", heading="Mehr <dazu>")
    assert "<h2>Mehr &lt;dazu&gt;</h2>" in custom


def test_shorten_summary_rules() -> None:
    assert shorten_summary("Kurz.  Und   knapp.") == "Kurz. Und knapp."
    s1 = "Erster Satz ist ziemlich lang und erzählt etwas. " * 3
    long = s1 + "Zweiter Teil " + "wort " * 100
    out = shorten_summary(long, 300)
    assert len(out) <= 300 and out.endswith(" …")
    assert out[:-2].endswith("etwas.")  # cut after the last full sentence
    words = "Wortreihe ohne Satzende " * 30
    out = shorten_summary(words, 100)
    assert len(out) <= 100 and out.endswith("…") and not out.endswith(" …")
    assert words.startswith(out[:-1])
    assert out[:-1].split()[-1] in {"Wortreihe", "ohne", "Satzende"}  # whole words only
    assert shorten_summary("x" * 500, 50) == "x" * 49 + "…"


def test_all_pairs_is_chunked(arts: list[Article], monkeypatch: pytest.MonkeyPatch) -> None:
    idx = RelatedIndex(allow_future=True).fit(arts)
    n = len(arts)
    shapes: list[tuple[int, ...]] = []
    base_block = idx._base_block  # every dense score block is built here

    def recording(*args: Any, **kwargs: Any) -> np.ndarray:
        s = base_block(*args, **kwargs)
        shapes.append(s.shape)
        return s

    monkeypatch.setattr(idx, "_base_block", recording)
    pairs = dict(idx.all_pairs(k=2, chunk_size=5))
    assert set(pairs) == set(idx.ids)
    assert shapes and max(shapes) == (5, n)
    monkeypatch.undo()
    for doc_id, rel in pairs.items():
        assert [r.id for r in rel] == [r.id for r in idx.related(doc_id, k=2)]
    # default chunking keeps blocks well below N x N for larger corpora
    assert idx._chunk(100_000) * 100_000 <= (1 << 24) + 100_000


def test_inputs_and_errors() -> None:
    with pytest.raises(NotFittedError, match="call fit"):
        RelatedIndex().related("x")
    with pytest.raises(InputError):
        RelatedIndex().fit([])
    with pytest.raises(InputError):
        RelatedIndex().fit([42])
    idx = RelatedIndex().fit(["Erster Text über Menschenhandel.", "Zweiter Text über Menschenhandel.",
                              {"id": "d", "title": "Dritter", "text": "Dritter Text über Klimaschutz."}])
    assert len(idx) == 3 and "d" in idx
    with pytest.raises(InputError, match="unknown article id"):
        idx.related("no-such-id")


def test_lsa_fitted_on_sample_projects_all(arts: list[Article], tmp_path) -> None:
    idx = RelatedIndex(allow_future=True, lsa_sample=8).fit(arts)
    z = idx._rows.z
    assert z is not None and z.shape[0] == len(arts)
    assert np.allclose(np.linalg.norm(z, axis=1), 1.0, atol=1e-4)
    hits = sum(theme(idx.related(a.id, k=1)[0].id) == theme(a.id) for a in arts)
    assert hits >= len(arts) - 2
    idx.save(tmp_path / "s")
    assert RelatedIndex.load(tmp_path / "s").lsa_sample == 8


def test_tfidf_weighting_equals_the_former_hand_computation(arts: list[Article]) -> None:
    # the weighting is scikit-learn's TfidfTransformer since #15; it must give the
    # very floats of the hand-written code it replaced (rankings turn on last bits)
    from ngo_text.related.features import WORD_RE, idf_weighted, l2_rows, smooth_idf, tfidf_rows, word_counts

    texts = [a.text for a in arts]
    vocab = {w: i for i, w in enumerate(sorted({w for t in texts for w in WORD_RE.findall(t.lower())}))}
    counts = word_counts(texts, vocab)
    n, df = len(texts), np.diff(counts.tocsc().indptr).astype(np.float64)
    idf = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
    assert np.array_equal(smooth_idf(counts), idf)
    idf[::5] = 0.0  # zero weights (char n-grams outside min_df/max_df) drop out
    m = counts.copy()
    np.log(m.data, out=m.data)
    m.data += 1.0
    m.data *= idf[m.indices]
    m.eliminate_zeros()
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    norms = np.sqrt(np.bincount(rows, weights=m.data.astype(np.float64) ** 2, minlength=m.shape[0]))
    m.data /= norms[rows].astype(np.float32)
    new = tfidf_rows(counts.copy(), idf)
    assert new.dtype == np.float32
    assert np.array_equal(new.indptr, m.indptr) and np.array_equal(new.indices, m.indices)
    assert np.array_equal(new.data, m.data)
    # entity rows: binary x idf, then l2
    binary = counts.copy()
    binary.data[:] = 1.0
    expected = binary.multiply(idf).tocsr()
    expected.eliminate_zeros()
    assert (l2_rows(idf_weighted(binary, idf, sublinear=False)) != l2_rows(expected)).nnz == 0


def test_ids_of_plain_text_come_from_the_parsing_id_maker() -> None:
    from ngo_text.parsing.sources import text_id

    texts = ["Erster Text über Menschenhandel.", "Zweiter Text über Menschenhandel."]
    idx = RelatedIndex().fit(texts)
    assert idx.ids == ["t" + text_id(t) for t in texts]


def test_add_replacing_every_article_keeps_the_index_usable(arts: list[Article]) -> None:
    idx = RelatedIndex(allow_future=True).fit(arts)
    idx.add(arts)
    assert len(idx) == len(arts) and idx.related(arts[0].id, k=1)


def test_save_leaves_no_temp_files(tmp_path, index: RelatedIndex) -> None:
    index.save(tmp_path / "idx")
    index.save(tmp_path / "idx")  # replacing an existing pair
    assert sorted(p.name for p in tmp_path.iterdir()) == ["idx.json", "idx.npz"]
