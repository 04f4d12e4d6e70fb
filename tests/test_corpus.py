"""ngo_text.corpus: Corpus constructors, tidy DataFrames, parquet round trip, HTML views."""
from __future__ import annotations

import datetime as dt

import pytest

from ngo_text.corpus import ENTITY_COLORS, Corpus, displacy_html, structure_html
from ngo_text.errors import InputError
from ngo_text.model import Article, Entity, Quote, Teaser, Topic


def _article(i: int) -> Article:
    title = f"Pro Asyl und das BAMF streiten in Berlin ({i})"
    lead = "Am 3. März 2023 kritisierte Anna Muster die Praxis."
    text = f"{title}\n\n{lead}"

    def ent(s: str, label: str, **kw) -> Entity:
        start = text.index(s)
        return Entity(text=s, label=label, start=start, end=start + len(s), **kw)

    return Article(
        id=f"a{i}", published=dt.date(2021 + i, 3, 3), title=title, dateline="Berlin", lead=lead,
        paragraphs=[], quotes=[Quote(text="Das geht nicht <so>.", speaker="Anna Muster",
                                     role="Sprecherin", organisation="Pro Asyl")],
        teasers=[Teaser(title="Mehr & mehr", url="https://e.org/t")],
        entities=[ent("Pro Asyl", "ORG", canonical="Pro Asyl", org_type="ngo"),
                  ent("BAMF", "AGENCY", canonical="Bundesamt für Migration und Flüchtlinge"),
                  ent("Berlin", "LOC"), ent("3. März 2023", "DATE", value="2023-03-03"),
                  ent("Anna Muster", "PER", canonical="Anna Muster")],
        topics=[Topic(label="Flucht & Migration", score=0.8, terms=["Asyl"])],
    )


@pytest.fixture()
def corpus() -> Corpus:
    return Corpus.from_articles([_article(i) for i in range(3)])


def test_dataframes_are_tidy(corpus):
    arts = corpus.articles_df()
    assert list(arts["id"]) == ["a0", "a1", "a2"]
    assert arts.loc[0, "n_entities"] == 5 and arts.loc[0, "n_quotes"] == 1
    assert arts.loc[0, "topics"] == ["Flucht & Migration"]
    assert arts.loc[0, "organisation"] == "Pro Asyl"  # from the quote when no metadata
    assert str(arts["published"].dtype).startswith("datetime64")
    ents = corpus.entities_df()
    assert len(ents) == 15
    assert set(ents["label"]) == {"ORG", "AGENCY", "LOC", "DATE", "PER"}
    row = ents[ents.label == "AGENCY"].iloc[0]
    assert row.canonical == "Bundesamt für Migration und Flüchtlinge" and row.article_id == "a0"
    quotes = corpus.quotes_df()
    assert list(quotes.columns) == ["article_id", "published", "speaker", "role", "organisation", "text"]
    assert len(quotes) == 3


def test_empty_corpus_frames_have_columns():
    empty = Corpus([])
    assert len(empty.articles_df()) == 0 and "n_entities" in empty.articles_df().columns
    assert list(empty.entities_df().columns)[:3] == ["article_id", "published", "text"]


def test_parquet_round_trip(corpus, tmp_path):
    corpus.metadata["a1"] = {"organisation": "Flüchtlingsrat"}
    folder = corpus.to_parquet(tmp_path / "pq")
    assert {p.name for p in folder.iterdir()} >= {"articles.parquet", "entities.parquet", "quotes.parquet"}
    back = Corpus.from_parquet(folder)
    assert [a.to_dict() for a in back] == [a.to_dict() for a in corpus]
    assert back.articles_df().loc[1, "organisation"] == "Flüchtlingsrat"
    import pandas as pd

    pd.testing.assert_frame_equal(pd.read_parquet(folder / "entities.parquet"),
                                  corpus.entities_df(), check_dtype=False)
    with pytest.raises(InputError):
        Corpus.from_parquet(tmp_path / "nope")


def test_indexing(corpus):
    assert corpus["a2"].id == "a2" and corpus[0].id == "a0" and len(corpus) == 3
    with pytest.raises(KeyError):
        corpus["zzz"]


def test_displacy_html_manual_mode_needs_no_model(corpus):
    html = displacy_html(corpus[0])
    assert isinstance(html, str)
    for label in ("AGENCY", "ORG", "PER", "LOC", "DATE"):
        assert label in html
    assert ENTITY_COLORS["AGENCY"] in html and ENTITY_COLORS["ORG"] in html
    assert len(set(ENTITY_COLORS.values())) == len(ENTITY_COLORS)
    # overlapping or out-of-range spans do not break rendering
    art = corpus[1]
    art.entities.append(Entity(text="Pro", label="MISC", start=0, end=3))
    art.entities.append(Entity(text="x", label="MISC", start=10_000, end=10_001))
    assert "Pro Asyl" in displacy_html(art)


def test_displacy_html_on_doc():
    import spacy
    from spacy.tokens import Span

    nlp = spacy.blank("de")
    doc = nlp("Amnesty International kritisiert das BAMF.")
    doc.ents = [Span(doc, 0, 2, label="ORG"), Span(doc, 4, 5, label="AGENCY")]
    html = displacy_html(doc)
    assert "Amnesty International" in html and ENTITY_COLORS["AGENCY"] in html


def test_structure_html_escapes_and_shows_parts(corpus):
    art = corpus[0]
    html = structure_html(art)
    assert "<h3>" in html and "Berlin" in html and "Anna Muster" in html
    assert "&lt;so&gt;" in html and "Mehr &amp; mehr" in html
    assert art._repr_html_() == html


def test_from_dataframe_records_and_bad_frame(corpus):
    from ngo_text.io import articles_to_frame

    back = Corpus.from_dataframe(articles_to_frame(corpus.articles))
    assert [a.to_dict() for a in back] == [a.to_dict() for a in corpus]
    import pandas as pd

    with pytest.raises(InputError):
        Corpus.from_dataframe(pd.DataFrame({"foo": [1]}))


# -- with parse / the sample corpus -----------------------------------------------
def test_from_folder_and_raw_dataframe(sample_dir):
    corpus = Corpus.from_folder(sample_dir)
    import csv

    with (sample_dir / "metadata.csv").open(encoding="utf-8") as fh:
        meta = list(csv.DictReader(fh))
    assert set(r["id"] for r in meta) <= set(corpus.ids) and not corpus.errors
    df = corpus.articles_df().set_index("id")
    for r in meta:
        assert df.loc[r["id"], "organisation"] == r["organisation"]
    import pandas as pd

    raw = pd.DataFrame({"id": ["x1", "x2"], "text": ["Titel\n\nBerlin – Ein Text.", ""],
                        "published": ["2020-01-02", None], "organisation": ["O", "P"]})
    small = Corpus.from_dataframe(raw)
    assert small.ids == ["x1"] and small.articles[0].published == dt.date(2020, 1, 2)
    assert len(small.errors) == 1 and small.articles_df().loc[0, "organisation"] == "O"


def test_analyze_dataframes_parquet_round_trip(nlp, sample_dir, tmp_path):
    raw = Corpus.from_folder(sample_dir)
    corpus = Corpus(raw.articles[:6], metadata=raw.metadata).analyze(nlp=nlp, progress=False)
    assert [a.id for a in corpus] == [a.id for a in raw.articles[:6]]
    ents = corpus.entities_df()
    assert len(ents) > 0
    for art in corpus:
        for e in art.entities:
            assert art.text[e.start:e.end] == e.text
    back = Corpus.from_parquet(corpus.to_parquet(tmp_path / "pq"))
    assert [a.entities for a in back] == [a.entities for a in corpus]
    assert back.entities_df().equals(ents)
    assert back.articles_df().drop(columns=["topics"]).equals(corpus.articles_df().drop(columns=["topics"]))


def test_related_df(sample_dir):
    corpus = Corpus.from_folder(sample_dir)
    rel = corpus.related_df(k=3)
    assert set(rel.columns) >= {"article_id", "rank", "related_id", "score"}
    assert (rel.article_id != rel.related_id).all()
    assert rel.groupby("article_id").size().max() <= 3
    assert set(rel.article_id) <= set(corpus.ids)
