"""Tests of ngo_text.analysis: analyze, analyze_many, doc_to_entities."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import spacy

from ngo_text.analysis import analyze, analyze_each, analyze_many, doc_to_entities
from ngo_text.model import Article, Topic
from ngo_text.nlp.pipeline import add_components
from ngo_text.parsing import parse

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NGO_TEXT_SHARED", ROOT.parent / "shared"))
IJM = SHARED / "data" / "pressreleases" / "ijm-boystown.txt"


@pytest.fixture(scope="module")
def ruler_nlp():
    """blank German + sentencizer + EntityRuler NER + the ngo_text components."""
    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "PER", "pattern": [{"ORTH": "Anna"}, {"ORTH": "Berg"}]},
                        {"label": "LOC", "pattern": "Hamburg"},
                        {"label": "PERSON", "pattern": "Otto"},   # foreign label, mapped to PER
                        {"label": "CARDINAL", "pattern": "drei"}])  # not an ngo_text label
    return add_components(nlp)


def make_article(**kw) -> Article:
    base = dict(id="a1", title="Hilfe für Kinder in Hamburg",
                lead="Hamburg – Der Kinderschutzbund (DKSB) fordert am Mittwoch, 28. April, mehr Geld.",
                paragraphs=["Anna Berg, Geschäftsführerin, sagte: „Wir brauchen drei Stellen.“",
                            "Berg kritisierte das Familienministerium. Otto war auch da."],
                published=dt.date(2021, 4, 30))
    base.update(kw)
    return Article(**base)


def test_analyze_article_offsets_and_fields(ruler_nlp):
    art = make_article()
    out = analyze(art, nlp=ruler_nlp, topics=None)
    assert out is not art and art.entities == []  # input not modified
    text = out.text
    assert out.entities
    for e in out.entities:
        assert text[e.start:e.end] == e.text
    by_text = {e.text: e for e in out.entities}
    assert by_text["Kinderschutzbund"].label == "ORG"
    assert by_text["Kinderschutzbund"].org_type == "ngo"
    assert by_text["DKSB"].canonical == by_text["Kinderschutzbund"].canonical
    assert by_text["28. April"].value == "2021-04-28"  # year from the publication date
    assert "Mittwoch" not in by_text  # weekdays are no DATE entities by default
    assert by_text["Familienministerium"].label == "AGENCY"
    assert by_text["Berg"].canonical == "Anna Berg"
    assert by_text["Otto"].label == "PER"
    assert "drei" not in by_text  # CARDINAL dropped


def test_published_override_and_url(ruler_nlp):
    out = analyze(make_article(), nlp=ruler_nlp, topics=None, published="2022-01-10",
                  url="https://example.org/x")
    assert out.published == dt.date(2022, 1, 10) and out.url == "https://example.org/x"
    april = next(e for e in out.entities if e.text == "28. April")
    assert april.value == "2022-04-28"  # the nearest 28 April to the new reference date


def test_only_article_text_is_analysed(ruler_nlp):
    art = make_article(teasers=[])
    art.teasers = []
    from ngo_text.model import Teaser

    art.teasers.append(Teaser(title="Europol warnt", summary="Am 21. November hielt Unicef ..."))
    out = analyze(art, nlp=ruler_nlp, topics=None)
    assert not any(e.text in ("Europol", "Unicef", "21. November") for e in out.entities)


class _Tagger:
    def tag(self, doc):
        return [Topic(label="Kinderschutz", score=1.0, terms=["Kinder"])] if "Kinder" in doc.text else []


class _Classifier:
    def predict_topics(self, texts):
        return [[Topic(label="Armut & Soziales", score=0.7, source="classifier")] for _ in texts]


def test_topics_options(ruler_nlp):
    art = make_article()
    assert [t.label for t in analyze(art, nlp=ruler_nlp, topics=_Tagger()).topics] == ["Kinderschutz"]
    assert [t.source for t in analyze(art, nlp=ruler_nlp, topics=_Classifier()).topics] == ["classifier"]
    assert analyze(art, nlp=ruler_nlp, topics=None).topics == []
    with pytest.raises(TypeError):
        analyze(art, nlp=ruler_nlp, topics=42)


def test_default_topics(ruler_nlp):
    out = analyze(make_article(), nlp=ruler_nlp)  # the taxonomy tagger
    assert out.topics and all(isinstance(t, Topic) for t in out.topics)


def test_analyze_many_matches_analyze(ruler_nlp):
    arts = [make_article(id=f"a{i}", published=dt.date(2021, 4, 26) + dt.timedelta(days=90 * i))
            for i in range(5)]
    many = list(analyze_many(iter(arts), nlp=ruler_nlp, topics=_Tagger(), batch_size=2))
    assert [a.id for a in many] == [a.id for a in arts]
    for got, art in zip(many, arts):
        assert got.entities == analyze(art, nlp=ruler_nlp, topics=_Tagger()).entities
    values = [next(e.value for e in a.entities if e.text == "28. April") for a in many]
    assert len(set(values)) >= 2  # each doc uses its own reference date for the missing year


class _FailsOnBroken:
    """A tagger that fails on one article, as a broken document or component would."""

    def tag(self, doc):
        if "kaputt" in doc.text:
            raise RuntimeError("kaputt")
        return []


def test_analyze_each_isolates_the_failing_article(ruler_nlp):
    arts = [make_article(id="a0"), make_article(id="bad", title="Ein kaputter Text"), make_article(id="a2")]
    out = analyze_each(arts, nlp=ruler_nlp, topics=_FailsOnBroken(), batch_size=2)
    assert [a.id for a, _ in out] == ["a0", "bad", "a2"]
    assert [type(e).__name__ if e else None for _, e in out] == [None, "RuntimeError", None]
    assert out[0][0].entities and out[2][0].entities and out[1][0] is arts[1]
    (only,) = analyze_each(arts[1:2], nlp=ruler_nlp, topics=_FailsOnBroken())
    assert only[0] is arts[1] and isinstance(only[1], RuntimeError)
    assert analyze_each([], nlp=ruler_nlp) == []


def test_doc_to_entities_plain_doc():
    nlp = spacy.blank("de")
    doc = nlp("Greenpeace in Berlin")
    doc.ents = [spacy.tokens.Span(doc, 0, 1, label="ORG"), spacy.tokens.Span(doc, 2, 3, label="GPE")]
    ents = doc_to_entities(doc)
    assert [(e.text, e.label, e.canonical) for e in ents] == [("Greenpeace", "ORG", "Greenpeace"),
                                                              ("Berlin", "LOC", "Berlin")]


def test_analyze_text_source(ruler_nlp):
    out = analyze("Greenpeace kritisiert das Umweltbundesamt\n\nBerlin – Am 5. Mai 2021 "
                  "veröffentlichte das Umweltbundesamt (UBA) eine Studie.", nlp=ruler_nlp, topics=None)
    assert any(e.label == "AGENCY" and e.canonical == "Umweltbundesamt" for e in out.entities)
    assert any(e.value == "2021-05-05" for e in out.entities)


def _ijm_article() -> Article:
    return parse(IJM, published="2021-04-30")


@pytest.mark.skipif(not IJM.exists(), reason=f"shared data not found: {IJM} (set NGO_TEXT_SHARED)")
def test_ijm_acceptance_bundled():
    art = analyze(_ijm_article(), topics=None)
    ents = art.entities
    have = {(e.label, e.canonical) for e in ents}
    texts = {(e.label, e.text) for e in ents}
    long_ijm = "International Justice Mission Deutschland e. V."
    for name in [long_ijm, "Amnesty International Deutschland e. V.",
                 "Internationale Gesellschaft für Menschenrechte e. V.", "Paritätischer Gesamtverband e. V."]:
        assert ("ORG", name) in have, name
    ijm = [e for e in ents if e.text == "IJM"]
    assert len(ijm) >= 5 and all(e.label == "ORG" and e.canonical == long_ijm for e in ijm)
    for name in ["Bundeskriminalamt", "Europol", "Bundesregierung",
                 "Ausschuss für Menschenrechte und humanitäre Hilfe"]:
        assert ("AGENCY", name) in have, name
    assert ("AGENCY", "BKA") in texts and all(e.canonical == "Bundeskriminalamt" for e in ents if e.text == "BKA")
    assert ("PER", "Dietmar Roller") in texts
    rollers = [e for e in ents if e.text == "Roller"]  # "skizziert Roller": the surname alone
    assert rollers and all(e.canonical == "Dietmar Roller" for e in rollers)
    locs = {e.text for e in ents if e.label == "LOC"}
    for country in ["Niederlanden", "Schweden", "Australien", "USA", "Kanada", "Deutschland"]:
        assert country in locs, country
    assert [e.value for e in ents if e.label == "DATE"] == ["2021-05-05"]
    # nothing from the teaser block / footer
    assert not any(e.text in ("Unicef", "Risa Hontiveros", "21. November") for e in ents)


def test_analyze_many_progress_bar(ruler_nlp, capsys):
    arts = [make_article(id=f"p{i}") for i in range(3)]
    out = list(analyze_many(arts, nlp=ruler_nlp, topics=None, progress=True, batch_size=1))
    assert [a.id for a in out] == ["p0", "p1", "p2"]
    assert "3/3" in capsys.readouterr().err
