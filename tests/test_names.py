"""One person-name resolver (#15): quotes and the entity linker agree on who speaks."""
from __future__ import annotations

import pytest

import ngo_text
from ngo_text.analysis import align_speakers, speaker_entities
from ngo_text.model import Article, Entity, Quote
from ngo_text.parsing.names import PersonNames, person_name, strip_titles
from ngo_text.parsing.quotes import extract_quotes


# --------------------------------------------------------------------------- resolver
def test_person_name_drops_titles_and_extra_space():
    assert strip_titles("Prof. Dr. Martin Kühn") == "Martin Kühn"
    assert person_name("Dr. med.  Anna\nSchmidt") == "Anna Schmidt"
    assert person_name("Dietmar Roller") == "Dietmar Roller"


def test_surname_resolves_to_the_one_full_name():
    names = PersonNames(["Dr. Dietmar Roller", "Anna Schmidt"])
    assert names.resolve("Roller") == "Dietmar Roller"
    assert names.resolve("Dietmar Roller") == names.resolve("Dr. Dietmar Roller") == "Dietmar Roller"
    assert names.resolve("Schmidt") == "Anna Schmidt"
    assert names.resolve("Weiß") is None
    assert "Dr. Dietmar Roller" in names and list(names) == ["Dietmar Roller", "Anna Schmidt"]
    assert names.surnames() == {"Roller": "Dietmar Roller", "Schmidt": "Anna Schmidt"}


def test_a_surname_two_persons_share_names_neither():
    names = PersonNames(["Dietmar Roller", "Dr. Dietmar Roller", "Anna Roller"])
    assert names.ambiguous("Roller")
    assert names.resolve("Roller") is None
    assert names.resolve("Anna Roller") == "Anna Roller"
    assert "Roller" not in names.surnames()


def test_no_surname_from_short_or_lower_case_words():
    names = PersonNames(["Yang Li", "Maria de"])
    assert names.surnames() == {}
    assert names.resolve("Li") is None


def test_quote_speaker_is_resolved_like_the_linker():
    paras = ["Dr. Dietmar Roller, Vorstandsvorsitzender von IJM, zeigt sich erfreut: "
             "„Das ist ein wichtiger Schritt für alle Betroffenen.“",
             "„Wir bleiben dran und fordern mehr Schutz“, sagt Roller."]
    quotes = extract_quotes(paras)
    assert [q.speaker for q in quotes] == ["Dietmar Roller", "Dietmar Roller"]


def test_quote_surname_shared_by_two_persons_stays_the_surname():
    paras = ["Dietmar Roller und Anna Roller leiten das Projekt gemeinsam seit Jahren.",
             "„Wir bleiben dran und fordern mehr Schutz“, sagt Roller."]
    assert [q.speaker for q in extract_quotes(paras)] == ["Roller"]


def test_align_speakers_maps_a_surname_to_the_person_entity():
    ents = [Entity("Dietmar Roller", "PER", 0, 14, canonical="Dietmar Roller"),
            Entity("Roller", "PER", 30, 36, canonical="Dietmar Roller")]
    quotes = [Quote("Wir helfen hier.", speaker="Roller"), Quote("Gut so.", speaker="Prof. Dietmar Roller"),
              Quote("Ohne Namen."), Quote("Andere.", speaker="Maria Klein")]
    out = align_speakers(quotes, ents)
    assert [q.speaker for q in out] == ["Dietmar Roller", "Dietmar Roller", None, "Maria Klein"]
    assert quotes[0].speaker == "Roller"  # new Quote objects, the input stays


def test_bare_speaker_the_ner_missed_becomes_a_person():
    art = Article(id="x", title="Titel", lead="„Wir helfen hier sofort“, sagte Arslan. Der Verein Nord hilft.",
                  quotes=[Quote(text="Wir helfen hier sofort", speaker="Arslan")])
    org = art.text.index("Verein Nord")
    out = speaker_entities(art, [Entity("Verein Nord", "ORG", org, org + 11)])
    assert [(e.text, e.label, e.canonical) for e in out] == [("Arslan", "PER", "Arslan"),
                                                              ("Verein Nord", "ORG", None)]


def test_bare_speaker_tagged_as_organisation_stays_one():
    art = Article(id="x", title="Titel", lead="„Wir helfen hier sofort“, sagte Greenpeace.",
                  quotes=[Quote(text="Wir helfen hier sofort", speaker="Greenpeace")])
    a = art.text.index("Greenpeace")
    ents = [Entity("Greenpeace", "ORG", a, a + 10, canonical="Greenpeace")]
    assert speaker_entities(art, ents) == ents


# --------------------------------------------------------------------------- sample corpus
@pytest.fixture(scope="module")
def fast_corpus(sample_dir):
    corpus = ngo_text.Corpus.from_folder(sample_dir / "articles")
    return corpus.analyze(ngo_text.load("fast"), progress=False, topics=None)


def test_every_speaker_is_the_canonical_of_a_person_entity(fast_corpus):
    n = 0
    for art in fast_corpus:
        persons = {e.canonical for e in art.entities if e.label == "PER"}
        for q in art.quotes:
            if q.speaker:
                n += 1
                assert q.speaker in persons, (art.id, q.speaker, sorted(persons))
    assert n >= 100  # the sample corpus has 185 attributed quotes: the check is not vacuous
