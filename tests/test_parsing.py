"""Tests of ngo_text.parse (structure parsing, no model)."""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest

from ngo_text import Article, InputError, parse
from ngo_text.parsing.dates import iter_german_dates
from ngo_text.parsing.quotes import extract_quotes, find_quote_spans, split_role_org
from ngo_text.parsing.sources import decode_bytes, guess_language
from ngo_text.parsing.text import is_contact_role, split_dateline

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NGO_TEXT_SHARED", REPO / ".." / "shared"))
IJM = SHARED / "data" / "pressreleases" / "ijm-boystown.txt"
WEB = SHARED / "data" / "web" / "trafilatura_de"

FORBIDDEN = ("Dauerspender", "Donor Portal", "sign up", "Sign Up", "Login", "Sklaverei befreien",
             "spende jetzt", "Spende ein", "Teil unseres Teams", "Review your giving", "please sign in")


def _all_fields(a: Article) -> list[str]:
    out = [a.title, a.lead, *a.paragraphs]
    out += [q.text for q in a.quotes]
    out += [f"{t.title} {t.summary or ''}" for t in a.teasers]
    return out


# --------------------------------------------------------------------------- acceptance: IJM
@pytest.fixture(scope="module")
def ijm() -> Article:
    if not IJM.exists():
        pytest.skip(f"shared data not found at {IJM} (set NGO_TEXT_SHARED)")
    return parse(IJM)


def test_ijm_structure(ijm: Article) -> None:
    assert ijm.title == 'Kampf gegen Online-Ausbeutung: Abschaltung von "Boystown" ist ein wichtiger Erfolg'
    assert ijm.dateline == "Berlin"
    assert ijm.lead.startswith("Die Menschenrechtsorganisation International Justice Mission")
    assert not ijm.lead.startswith("Berlin")
    assert len([ijm.lead, *ijm.paragraphs]) >= 5
    assert ijm.id == "ijm-boystown" and ijm.source == str(IJM)
    assert ijm.language == "de"


def test_ijm_quotes(ijm: Article) -> None:
    roller = [q for q in ijm.quotes if q.speaker == "Dietmar Roller"]
    assert len(roller) == 2
    assert roller[0].text.startswith("Dass es gelungen ist")
    assert "„Boystown“" in roller[0].text  # the nested quote stays inside
    assert roller[1].text.startswith("Wir sehen es als ein wichtiges Signal")
    for q in roller:
        assert q.role == "Vorstandsvorsitzender"
        assert q.organisation == "IJM"
    assert not any(q.text in ("Boystown", "Kinderpornografie") for q in ijm.quotes)


def test_ijm_teasers(ijm: Article) -> None:
    assert [t.title for t in ijm.teasers] == [
        "Webinar zum Kinderschutz: Münsteraner IJM Gruppe informiert über sexuelle Online-Ausbeutung",
        "Cassie: Von Betroffener zur Kämpferin für Kinderrechte",
        "Neue Studie deckt Anstieg von sexueller Online-Ausbeutung auf",
        "Warum die Online-Ausbeutung von Kindern jetzt zunimmt",
    ]
    assert all(t.summary for t in ijm.teasers)
    assert ijm.teasers[3].summary.endswith("wie IJM auf diese Notlage reagiert.")


def test_ijm_no_boilerplate_anywhere(ijm: Article) -> None:
    for text in _all_fields(ijm):
        for bad in FORBIDDEN:
            assert bad not in text, (bad, text[:80])
    assert not any("interessieren" in p for p in [ijm.lead, *ijm.paragraphs])
    # the teaser block is not body either
    assert not any("Cassie" in p for p in ijm.paragraphs)


def test_ijm_same_from_bytes_and_str() -> None:
    if not IJM.exists():
        pytest.skip(f"shared data not found at {IJM}")
    a, b, c = parse(IJM.read_bytes()), parse(IJM.read_text(encoding="utf-8")), parse(str(IJM))
    assert a.to_dict()["lead"] == b.lead == c.lead
    assert a.id == b.id and a.source == "<text>" and c.id == "ijm-boystown"
    assert parse(IJM, id="x1").id == "x1"
    # cp1252 bytes of the same text give the same structure
    d = parse(IJM.read_text(encoding="utf-8").encode("cp1252", errors="replace"))
    assert d.title == b.title and d.lead == b.lead


# --------------------------------------------------------------------------- text rules
PRESS = """Neue Studie zu Kinderarbeit vorgestellt

Berlin, 5. Mai 2021 – Die Kinderrechtsorganisation Terre des Hommes hat heute eine Studie vorgestellt. Sie zeigt einen Anstieg der Kinderarbeit in mehreren Ländern.

„Wir brauchen dringend mehr Schutz für Kinder in den Lieferketten“, sagt Anna Schmidt, Referentin für Kinderrechte bei Terre des Hommes.

„Die Politik muss endlich handeln und ein starkes Gesetz beschließen“, so die Geschäftsführerin von Brot für die Welt, Maria Yilmaz.

„Das Gesetz darf nicht verwässert werden, sonst bleibt alles beim Alten“, betonte Schmidt.

Jetzt spenden

Lesen Sie auch

Kinderarbeit in Ghana: Ein Bericht aus den Kakaoplantagen

Unsere Reporterin war vor Ort und hat mit Familien gesprochen.

Impressum
Datenschutz
"""


def test_press_text_rules() -> None:
    a = parse(PRESS)
    assert a.title == "Neue Studie zu Kinderarbeit vorgestellt"
    assert a.dateline == "Berlin" and a.published == dt.date(2021, 5, 5)
    assert a.lead.startswith("Die Kinderrechtsorganisation")
    assert len(a.paragraphs) == 3
    q1, q2, q3 = a.quotes
    assert (q1.speaker, q1.role, q1.organisation) == ("Anna Schmidt", "Referentin für Kinderrechte", "Terre des Hommes")
    assert (q2.speaker, q2.role, q2.organisation) == ("Maria Yilmaz", "Geschäftsführerin", "Brot für die Welt")
    assert q3.speaker == "Anna Schmidt" and q3.organisation == "Terre des Hommes"
    assert [t.title for t in a.teasers] == ["Kinderarbeit in Ghana: Ein Bericht aus den Kakaoplantagen"]
    assert a.teasers[0].summary.startswith("Unsere Reporterin")
    assert not any("spenden" in f or "Impressum" in f for f in _all_fields(a))
    assert parse(PRESS, published="2021-05-06").published == dt.date(2021, 5, 6)


@pytest.mark.parametrize("text,place,rest", [
    ("Berlin – Die Organisation fordert", "Berlin", "Die Organisation fordert"),
    ("Berlin, 5. Mai 2021 – Heute wurde", "Berlin", "Heute wurde"),
    ("BERLIN (dpa) - Die Regierung", "Berlin", "Die Regierung"),
    ("Hamburg (ots) - Der Verein", "Hamburg", "Der Verein"),
    ("Frankfurt am Main/Genf – Zwei Verbände", "Frankfurt am Main/Genf", "Zwei Verbände"),
    ("Köln, 05.05.2021. Der Verband", "Köln", "Der Verband"),
])
def test_datelines(text: str, place: str, rest: str) -> None:
    dl = split_dateline(text)
    assert dl is not None and dl.place == place and dl.rest == rest


@pytest.mark.parametrize("text,date", [
    ("Berlin, 5. Mai 2021 – Heute wurde", dt.date(2021, 5, 5)),
    ("Köln, 05.05.2021. Der Verband", dt.date(2021, 5, 5)),
    ("Köln, 05.05.21. Der Verband", dt.date(2021, 5, 5)),
    ("Köln, 05.05.95. Der Verband", dt.date(1995, 5, 5)),  # the date core's two-digit years
    ("Bonn, 2021-05-04 – Die Stadt", dt.date(2021, 5, 4)),
    ("München, 21. Jan 2022 – Die Stadt", dt.date(2022, 1, 21)),
    ("Genf, 31.02.2021 – Die Stadt", None),  # no such day
    ("Berlin – Die Organisation fordert", None),
])
def test_dateline_dates(text: str, date: dt.date | None) -> None:
    dl = split_dateline(text)
    assert dl is not None and dl.date == date


def test_page_dates_in_reading_order() -> None:
    text = "vom 3. bis 5. Mai 2021, Stand 01.06.2021; Version 2021-07-01, nicht 31.02.2021"
    assert list(iter_german_dates(text)) == [dt.date(2021, 5, 5), dt.date(2021, 6, 1), dt.date(2021, 7, 1)]


@pytest.mark.parametrize("text", ["Die Organisation – so heißt es – fordert", "Am Montag – so", "Fazit: alles gut"])
def test_no_false_datelines(text: str) -> None:
    assert split_dateline(text) is None


def test_quote_spans_nested_and_styles() -> None:
    text = 'Er sagt: „Eine „Plattform“ ist weg.“ Dann: »Gut so, sagt er.« Und "straight quotes here" und “English style”.'
    spans = [text[s.start:s.end] for s in find_quote_spans(text)]
    assert spans == ["Eine „Plattform“ ist weg.", "Gut so, sagt er.", "straight quotes here", "English style"]


def test_quote_attribution_variants() -> None:
    paras = [
        "Dazu erklärt Peter Müller: »Wir werden nicht aufgeben, niemals und nirgends.«",
        "Vorstandsvorsitzende Julia Weber (Pro Asyl) erklärte: \"Wir sind sehr froh über die Entscheidung.\"",
        "„Das ist ein Skandal für uns alle hier“, sagt sie.",
    ]
    q = extract_quotes(paras)
    assert q[0].speaker == "Peter Müller"
    assert (q[1].speaker, q[1].role, q[1].organisation) == ("Julia Weber", "Vorstandsvorsitzende", "Pro Asyl")
    assert q[2].speaker == "Julia Weber"  # pronoun -> previous speaker
    assert split_role_org("Präsidentin des Deutschen Roten Kreuzes") == ("Präsidentin", "Deutschen Roten Kreuzes")
    # "Name, Role of Org: „…“": the name before the comma speaks, not the org before the colon
    q = extract_quotes(["Peter Bohlmann, Landrat des Landkreises Verden: „Knapp 20 Jahre danach ergreifen wir "
                        "die Chance.“", "Dazu Maria Klein, Sprecherin von Pro Asyl: „Das ist ein langer Satz hier.“"])
    assert [(x.speaker, x.role, x.organisation) for x in q] == [
        ("Peter Bohlmann", "Landrat", "Landkreises Verden"), ("Maria Klein", "Sprecherin", "Pro Asyl")]


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", ["", "   \n\t  \n", b"", b"  \n "])
def test_empty_input(bad) -> None:
    with pytest.raises(InputError, match="empty"):
        parse(bad)


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + bytes(range(256)), b"abc\x00\x01\x02def" * 10,
                                  "Text mit \x00 NUL"])
def test_binary_input(data) -> None:
    with pytest.raises(InputError):
        parse(data)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        parse(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="not found"):
        parse(str(tmp_path / "nope.html"))
    with pytest.raises(InputError, match="directory"):
        parse(tmp_path)


def test_str_path_is_read(tmp_path: Path) -> None:
    f = tmp_path / "meldung-1.txt"
    f.write_text("Titel der Meldung\n\nBerlin – Der erste Absatz des Textes ist hier.\n\nZweiter Absatz.",
                 encoding="utf-8")
    a = parse(str(f))
    assert a.id == "meldung-1" and a.source == str(f) and a.dateline == "Berlin"
    assert parse(f).lead == "Der erste Absatz des Textes ist hier."


def test_non_german_text() -> None:
    a = parse("Annual report published\n\nLondon – The organisation published its annual report today. "
              "It shows that the number of children in need has grown, and that more help is needed.")
    assert a.language == "en"
    assert any("German" in w for w in a.warnings)
    assert guess_language("Der Verein hat heute einen Bericht über die Lage der Kinder vorgelegt.") == "de"


def test_huge_text_is_fast() -> None:
    para = "Die Organisation fordert von der Politik mehr Schutz für Kinder und Familien in Not. " * 8
    text = "Titel\n\n" + "\n\n".join([para] * 30000)  # ~20 MB
    assert len(text) > 19_000_000
    a = parse(text)
    assert any("truncated" in w for w in a.warnings)
    assert a.title == "Titel" and a.paragraphs


_PAGE = ("<html><head><title>Seite</title></head><body>{pre}<h1>Titel der Meldung</h1>"
         "<p>Berlin – Der Verein legt heute seinen Bericht über die Lage der Kinder vor.</p>"
         "<p>Zweiter Absatz mit mehr Text über die Lage der Familien.</p>{post}</body></html>")


@pytest.mark.parametrize("pre", [
    '<img src="data:image/png;base64,' + "iVBORw0KGgo" * 300_000 + '">',  # 3.3 MB inline image
    '<div data-state="' + "x" * 10_000_000 + '"></div>',                   # 10 MB attribute
])
def test_inline_payloads_are_dropped_before_the_size_cut(pre: str) -> None:
    a = parse(_PAGE.format(pre=pre, post=""))
    assert a.title == "Titel der Meldung"
    assert a.lead.startswith("Der Verein legt heute") and a.paragraphs
    assert not any("truncated" in w for w in a.warnings)


def test_deep_nesting_keeps_the_text_and_says_so() -> None:
    a = parse(_PAGE.format(pre="<div>" * 100_000, post="</div>" * 100_000))
    assert a.lead.startswith("Der Verein legt heute") and a.paragraphs
    assert any(re.match(r"elements nested 1000\d\d deep", w) for w in a.warnings), a.warnings
    # ordinary nesting is parsed as it is, without the fallback
    b = parse(_PAGE.format(pre="<div>" * 50, post="</div>" * 50))
    assert b.lead == a.lead and not any("nested" in w for w in b.warnings)


def test_bad_published() -> None:
    with pytest.raises(InputError):
        parse("Titel\n\nText", published="gestern")
    with pytest.raises(InputError):
        parse(12345)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- encodings
def test_encodings() -> None:
    text = "Grüße aus Köln\n\nKöln – Die Straße ist größer geworden, sagt man."
    for data in (text.encode("utf-8"), text.encode("cp1252"), text.replace("–", "-").encode("latin-1"),
                 b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("utf-16")):
        a = parse(data)
        assert a.title == "Grüße aus Köln", data[:20]
        assert a.lead == "Die Straße ist größer geworden, sagt man."
    assert decode_bytes("Prüfung €".encode("cp1252")) == "Prüfung €"
    assert parse(text.encode("cp1252")).warnings  # the fallback is reported


def test_mojibake_repaired() -> None:
    broken = "Grüße aus München".encode("utf-8").decode("cp1252")
    assert broken.startswith("GrÃ¼ÃŸe")
    a = parse(broken + "\n\nMünchen – Die Straße wird größer und schöner.")
    assert a.title == "Grüße aus München"
    assert a.lead == "Die Straße wird größer und schöner."
    assert any("mojibake" in w for w in a.warnings)
    assert not parse("Grüße\n\nText ohne Fehler hier.").warnings


# --------------------------------------------------------------------------- HTML
PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Hilfswerk fordert Schutz für Geflüchtete | Hilfswerk</title>
<meta property="og:title" content="Hilfswerk fordert Schutz für Geflüchtete">
<meta property="og:site_name" content="Hilfswerk e. V.">
<meta name="author" content="Lena Berger">
<meta property="article:published_time" content="2023-03-14T09:00:00+01:00">
</head><body>
<nav class="main-nav"><ul><li><a href="/">Startseite</a></li><li><a href="/spenden">Jetzt spenden</a></li>
<li><a href="/presse">Presse</a></li><li><a href="/login">Login</a></li></ul></nav>
<main><article>
<h1>Hilfswerk fordert Schutz für Geflüchtete</h1>
<p>Berlin – Das Hilfswerk fordert von der Bundesregierung einen besseren Schutz für Geflüchtete an den
Außengrenzen der Europäischen Union. Die Lage in den Lagern habe sich im Winter deutlich verschärft.</p>
<p>„Wir sehen jeden Tag, wie Menschen in Kälte und Nässe ausharren müssen“, sagt Anna Schmidt,
Referentin für Migration bei Pro Asyl. Gemeinsam mit anderen Verbänden hat das Hilfswerk einen Brief an das
Innenministerium geschrieben, in dem konkrete Maßnahmen genannt werden.</p>
<p>Der Brief fordert unter anderem sichere Fluchtwege, eine faire Verteilung der Schutzsuchenden und
unabhängige Beobachtung an den Grenzen. Eine Antwort des Ministeriums steht noch aus.</p>
<p>Jetzt spenden</p>
</article>
<section class="related-articles"><h2>Das könnte Sie auch interessieren</h2>
<ul>
<li><a href="/news/winterhilfe-2023"><h3>Winterhilfe für Familien in Not gestartet</h3></a>
<p>Mit Decken und Heizöfen unterstützt das Hilfswerk Familien in den Lagern.</p></li>
<li><a href="https://example.org/news/bericht"><h3>Neuer Bericht zur Lage an den Grenzen</h3></a>
<p>Ein Bericht dokumentiert Zurückweisungen an mehreren Grenzübergängen.</p></li>
</ul></section>
</main>
<footer class="site-footer"><p>© 2023 Hilfswerk e. V.</p><a href="/impressum">Impressum</a>
<a href="/datenschutz">Datenschutz</a><p>Newsletter abonnieren</p></footer>
</body></html>"""


def test_html_page() -> None:
    a = parse(PAGE, url="https://www.hilfswerk.example/presse/schutz")
    assert a.source == "<html>"
    assert a.title == "Hilfswerk fordert Schutz für Geflüchtete"
    assert a.dateline == "Berlin"
    assert a.lead.startswith("Das Hilfswerk fordert von der Bundesregierung")
    assert len(a.paragraphs) == 2
    assert a.published == dt.date(2023, 3, 14)
    assert a.site_name and "Hilfswerk" in a.site_name
    assert a.author == "Lena Berger"
    assert [t.title for t in a.teasers] == ["Winterhilfe für Familien in Not gestartet",
                                           "Neuer Bericht zur Lage an den Grenzen"]
    assert a.teasers[0].url == "https://www.hilfswerk.example/news/winterhilfe-2023"
    assert a.teasers[1].url == "https://example.org/news/bericht"
    assert a.teasers[0].summary.startswith("Mit Decken")
    q = a.quotes[0]
    assert (q.speaker, q.role, q.organisation) == ("Anna Schmidt", "Referentin für Migration", "Pro Asyl")
    for text in [a.title, a.lead, *a.paragraphs]:
        for bad in ("Startseite", "Login", "Impressum", "Datenschutz", "Newsletter", "spenden",
                    "Winterhilfe", "©"):
            assert bad not in text


@pytest.mark.parametrize("html", [
    "<html><body>" + "<div>" * 100_000 + "<p>Tief verschachtelt, aber ein Text.</p>" + "</div>" * 100_000 + "</body></html>",
    '<html><body><p title="' + "x" * 5_000_000 + '">Riesiges Attribut mit Text dahinter.</p></body></html>',
    "<html><body><p>Kaputtes <b>Markup <i>ohne <div>Ende <table><tr><td>Zelle</p></span></html></body>",
    "<html><head><title>Nur Titel</title></head><body></body></html>",
    "<html>" + "<p>Absatz mit etwas Text darin.</p>" * 50_000,
])
def test_hostile_html_never_crashes(html: str) -> None:
    try:
        a = parse(html)
    except InputError:
        return
    assert isinstance(a, Article)


# --------------------------------------------------------------------------- real pages
def test_real_pages_parse() -> None:
    if not (WEB / "evaldata.json").exists():
        pytest.skip(f"shared web pages not found at {WEB} (set NGO_TEXT_SHARED)")
    evaldata = json.loads((WEB / "evaldata.json").read_text(encoding="utf-8"))
    items = sorted(evaldata.items(), key=lambda kv: kv[1]["file"])[::28][:20]
    found = total = 0
    for url, spec in items:
        a = parse(WEB / "html" / spec["file"], url=url)
        assert isinstance(a, Article) and a.source.endswith(spec["file"])
        text = " ".join(a.text.split())
        total += len(spec["with"])
        found += sum(" ".join(s.split()) in text for s in spec["with"])
    assert found >= 0.75 * total


def test_single_newline_text() -> None:
    text = ('Kampf gegen Online-Ausbeutung: Abschaltung ist ein wichtiger Erfolg\n'
            'Berlin – Die Organisation begrüßt den Ermittlungserfolg. Das ist gut.\n'
            'Dietmar Roller, Vorstandsvorsitzender von IJM, zeigt sich erfreut: „Dass es gelungen ist, '
            'ist ein wichtiger Erfolg.“\n'
            'Weitere Meldungen\nNeue Studie deckt Anstieg auf\nDie Pandemie hat Einfluss.\nImpressum\nKontakt')
    a = parse(text)
    assert a.title == "Kampf gegen Online-Ausbeutung: Abschaltung ist ein wichtiger Erfolg"
    assert a.dateline == "Berlin" and a.lead.startswith("Die Organisation")
    assert a.quotes[0].speaker == "Dietmar Roller"
    assert [(t.title, t.summary) for t in a.teasers] == [("Neue Studie deckt Anstieg auf", "Die Pandemie hat Einfluss.")]
    assert "Kontakt" not in a.text


# --------------------------------------------------------------------------- sample corpus (data/)
SAMPLE = REPO / "data"
#: Phrases of boilerplate that must never reach lead, paragraphs or quotes. A plain
#: mention of "Spenden" or "Newsletter" inside a sentence is article text and allowed.
_BOILERPLATE_IN_BODY = re.compile(
    r"jetzt\s+(?:online\s+)?spenden|mit\s+ihrer\s+spende|spendenkonto|\biban\b|"
    r"newsletter\s+(?:abonnieren|bestellen)|newsletter\s*:|\bcookie|"
    r"\b(?:login|einloggen|log\s?in|sign\s+in|mein\s+konto)\b|\bimpressum\b|datenschutzerklärung|"
    r"pressekontakt|folgen\s+sie\s+uns|alle\s+rechte\s+vorbehalten|[\w.+-]+@[\w-]+\.\w+", re.I)
_NON_PERSON_FIRST = {"der", "die", "das", "ein", "eine", "unsere", "unser", "wir", "sie", "er"}


def _sample_rows() -> list[dict[str, str]]:
    if not (SAMPLE / "metadata.csv").exists():
        pytest.skip(f"sample corpus not found at {SAMPLE}")
    with open(SAMPLE / "metadata.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _sample_ids() -> list[str]:
    if not (SAMPLE / "metadata.csv").exists():
        return []
    with open(SAMPLE / "metadata.csv", encoding="utf-8", newline="") as f:
        return [r["id"] for r in csv.DictReader(f)]


@pytest.fixture(scope="module")
def sample() -> dict[str, tuple[dict[str, str], Article]]:
    rows = _sample_rows()
    return {r["id"]: (r, parse(SAMPLE / r["file"])) for r in rows}


@pytest.fixture(scope="module")
def sample_titles() -> dict[str, dict[str, str]]:
    return {" ".join(r["title"].split()): r for r in _sample_rows()}


@pytest.mark.parametrize("aid", _sample_ids() or ["<no data>"])
def test_sample_article_clean(aid: str, sample) -> None:
    """Every sample article: title, dateline, non-empty quotes by persons, no boilerplate."""
    row, art = sample[aid]
    raw = (SAMPLE / row["file"]).read_text(encoding="utf-8")
    assert art.title == row["title"]
    assert art.lead and art.paragraphs
    if re.search(r"^(?:<p>)?[A-ZÄÖÜ][\w./-]+(?:\s+[A-ZÄÖÜ][\w.-]+)*(?:,\s*[\w. ]{4,30})?\s+–\s", raw, re.M):
        assert art.dateline, "source has a dateline 'Ort – ' but none was found"
    for q in art.quotes:
        assert q.text.strip()
        if q.speaker is not None:
            assert q.speaker.split()[0].lower() not in _NON_PERSON_FIRST, q.speaker
            assert len(q.speaker.split()) >= 2, f"surname only: {q.speaker!r}"
        if q.organisation:
            assert not re.search(r"(?:[,;:!?–-]|\w\w\.)$", q.organisation), q.organisation
    for part in [art.lead, *art.paragraphs, *(q.text for q in art.quotes)]:
        m = _BOILERPLATE_IN_BODY.search(part)
        assert m is None, f"boilerplate {m.group(0)!r} in {part[:80]!r}"


def test_sample_teasers_are_corpus_articles(sample, sample_titles) -> None:
    """Text articles: every teaser is a corpus article, exactly the related_ids, with a summary."""
    n_txt = 0
    for aid, (row, art) in sample.items():
        if not row["file"].endswith(".txt"):
            continue
        n_txt += 1
        related = {r for r in row["related_ids"].split(";") if r}
        assert len(art.teasers) == len(related), (aid, [t.title for t in art.teasers])
        for t in art.teasers:
            target = sample_titles.get(" ".join(t.title.split()))
            assert target is not None, (aid, t.title)
            assert target["id"] in related, (aid, t.title)
            assert t.summary, (aid, t.title)
    assert n_txt >= 20


def test_sample_html_teasers_have_urls(sample, sample_titles) -> None:
    n_html = 0
    for aid, (row, art) in sample.items():
        if not row["file"].endswith(".html"):
            continue
        n_html += 1
        related = {r for r in row["related_ids"].split(";") if r}
        assert len(art.teasers) == len(related), aid
        for t in art.teasers:
            target = sample_titles.get(" ".join(t.title.split()))
            assert target is not None and target["id"] in related, (aid, t.title)
            assert t.url == target["url"], (aid, t.url)
    assert n_html >= 10


def test_footer_lines_end_teaser_block() -> None:
    text = ("Titel der Meldung hier\n\nBerlin – Die Organisation fordert mehr Geld für Beratung. "
            "Das ist ein ganzer Satz.\n\nLesen Sie auch\n\n"
            "Ein anderer Artikel über Beratung\n\nKurztext zum anderen Artikel.\n\n"
            "Pressekontakt: presse@beispiel.example\n\n"
            "Newsletter: Melden Sie sich für unsere Pressemitteilungen an\n\n"
            "Ein weiterer Titel danach\n\nImpressum | Datenschutz | AGB\n")
    art = parse(text)
    assert [t.title for t in art.teasers] == ["Ein anderer Artikel über Beratung"]
    for line in ["Beratungszeiten: Mo–Do 10–16 Uhr", "Beratung in 12 Sprachen: info@x.example",
                 "Mein Konto | Login", "Kontakt · Impressum · Datenschutz", "Newsletter | Login",
                 "Pfotenhilfe auf Facebook, Instagram und TikTok", "Tierpatenschaft übernehmen",
                 "Stiftung Beispiel · Pressestelle", "Pressekontakt Aurora: +49 30 000000-0"]:
        art = parse(text.replace("Pressekontakt: presse@beispiel.example", line))
        assert [t.title for t in art.teasers] == ["Ein anderer Artikel über Beratung"], line
    # an article about data protection is not a footer menu
    art = parse("Titel\n\nBerlin – Datenschutz und Teilhabe zusammen denken: die Stiftung fordert mehr.\n")
    assert "Datenschutz und Teilhabe" in art.lead


def test_quote_org_punctuation_and_sources() -> None:
    qs = extract_quotes(["„Wir sind erleichtert über die Entscheidung“, berichtet Thomas Lindner, "
                         "Leiter der Rechtsberatung bei der AFJ. „Sie brauchen jetzt Ruhe.“"])
    assert [(q.speaker, q.organisation) for q in qs] == [("Thomas Lindner", "AFJ")] * 2
    qs = extract_quotes(["„Wir ziehen nicht vor Gericht, weil wir Spaß am Streit haben.“ – Mara Klein, "
                         "19 Jahre, Klägerin aus Oldenburg"])
    assert qs[0].speaker == "Mara Klein"
    qs = extract_quotes(["Schirmherr war der Handballer Daniel Weiß. „Ich habe als Kind viel erlebt“, sagte Weiß."])
    assert qs[0].speaker == "Daniel Weiß"
    qs = extract_quotes(["Die Klägerin Mara Klein war in Hannover. „Wir haben uns sehr gefreut“, sagte sie."])
    assert qs[0].speaker == "Mara Klein"
    html = ("<html><head><title>T</title></head><body><article><h1>Eine Überschrift für den Test</h1>"
            "<p>Berlin – Ein langer Absatz mit genug Text, damit die Extraktion ihn als Haupttext nimmt. "
            "Noch ein Satz dazu, und noch einer, damit es reicht.</p><blockquote><p>„Das ist ein "
            "historischer Tag für alle, die sich einsetzen.“</p><footer>– Lena Vogt, Rechtsanwältin</footer>"
            "</blockquote><p>Ein weiterer Absatz mit Text, der nach dem Zitat folgt und die Meldung "
            "abschließt.</p></article></body></html>")
    art = parse(html)
    assert [q.speaker for q in art.quotes] == ["Lena Vogt"]


def test_text_opening_with_dateline_has_no_title():
    # a snippet without a title line: the dateline paragraph is the lead, not the title
    art = parse("Berlin – Das Bundeskriminalamt (BKA) ermittelt. „Wir sind froh über diesen Erfolg der "
                "Ermittler“, sagt Anna Schmidt, Sprecherin von Pro Asyl.")
    assert art.title == ""
    assert art.dateline == "Berlin"
    assert art.lead.startswith("Das Bundeskriminalamt")
    assert art.quotes and art.quotes[0].speaker == "Anna Schmidt"
    assert any("no title" in w for w in art.warnings)
    # a short title line that happens to start with a place stays the title
    art = parse("Berlin – Neue Studie zu Kinderarmut\n\nBerlin – Die Studie zeigt viel.")
    assert art.title == "Berlin – Neue Studie zu Kinderarmut"


# calls to action, navigation and contact lines that must never reach a body field (own
# patterns, independent of resources/boilerplate.txt, so that a lost rule fails here)
_NOT_BODY = re.compile(
    r"^(werde (heute |jetzt )?(pate|patin|spender|mitglied)|jetzt (spenden|stiften)|spenden$)"
    r"|(ihre|deine) (zu)?stiftung wirkt|newsletter (abonnieren|bestellen)|^(pressekontakt|kontakt):?"
    r"|^(startseite|menü|suche|teilen|drucken)$|^tel(\.|efon)?:? ?\+?\d", re.I)


def test_sample_bodies_hold_no_calls_navigation_or_contact_lines() -> None:
    samples = Path(__file__).resolve().parents[1] / "data" / "articles"
    files = sorted(p for p in samples.iterdir() if p.suffix in (".txt", ".html"))
    assert len(files) == 46
    bad = []
    for f in files:
        a = parse(f)
        for field_text in [a.title or "", a.lead or "", *a.paragraphs]:
            if _NOT_BODY.search(field_text.strip()):
                bad.append((f.name, field_text[:80]))
    assert not bad, bad


@pytest.mark.parametrize("title, site, url, expected", [
    ("Solidarität = Nachbarschaftshilfe - Piratenpartei Hessen", "Piratenpartei Hessen", None,
     "Solidarität = Nachbarschaftshilfe"),
    ("Rasende Polizisten ärgern Richter - strafprozess.ch", None, "https://www.strafprozess.ch/a/b",
     "Rasende Polizisten ärgern Richter"),
    ("SimplyScience - Wie entsteht Erdöl im Boden?", "SimplyScience", None, "Wie entsteht Erdöl im Boden?"),
    ("Mandarinen-Schmand-Kuchen von jesusfreak | Chefkoch", "Chefkoch.de", None,
     "Mandarinen-Schmand-Kuchen von jesusfreak"),
    # a separator inside the title itself, or a site part that would leave too little: kept
    ("Bundesliga: Dortmund - Gladbach live sehen!", "computerbild.de", None,
     "Bundesliga: Dortmund - Gladbach live sehen!"),
    ("Wurmkiste | selbst.de", "selbst.de", None, "Wurmkiste | selbst.de"),
])
def test_page_titles_lose_the_site_name(title, site, url, expected) -> None:
    from ngo_text.parsing.html import strip_site_name

    assert strip_site_name(title, site_name=site, url=url) == expected


def test_html_title_without_site_suffix() -> None:
    html = ("<html><head><title>Kinderhilfe fordert besseren Schutz - Kinderhilfe Horizont</title>"
            '<meta property="og:site_name" content="Kinderhilfe Horizont"></head><body><article>'
            "<p>Berlin – Der Verein legt heute seinen Bericht über die Lage der Kinder vor. Er fordert mehr Schutz.</p>"
            "<p>Zweiter Absatz mit mehr Text über die Lage der Familien in den Städten.</p></article></body></html>")
    assert parse(html).title == "Kinderhilfe fordert besseren Schutz"


_LEAD_PAGE = """<html><head><title>Projekt bringt Natur an die Aller zurück</title></head><body>
<nav><a href="/">Start</a> <a href="/presse">Presse</a></nav>
<article class="s-node s-node--type--page-press"><div class="s-block"><h1>Projekt bringt Natur an die Aller zurück</h1>
<div class="field field--name-field-abstract field__item">Mit dem jetzt gestarteten Projekt wird an der Aller,
dem wichtigsten Verbindungsgewässer zwischen Nordsee und Harz, ein Biotopverbund geschaffen.</div>
<section class="s-node__corpus"><div class="field--name-body">
<p>Bonn/Verden, 12.05.2022: Das Bundesamt für Naturschutz fördert das Vorhaben des Landkreises Verden über sechs Jahre.
Auen sind Hotspots der biologischen Vielfalt und wichtige Rückzugsräume für bedrohte Arten.</p>
<p>„Mit dem Projekt zeigen wir, wie Naturschutz und Hochwasserschutz zusammengehen“, sagte die Präsidentin des Amtes.
Die Maßnahmen beginnen noch in diesem Jahr mit der Anlage von Stillgewässern entlang des Flusses.</p>
<p>Der Landkreis Verden übernimmt die Koordination, Partner sind Verbände und Kommunen aus der Region an der Aller.</p>
</div></section></div></article><footer><p>Impressum</p></footer></body></html>"""


def test_header_lead_element_is_found_and_kept() -> None:
    from trafilatura.utils import load_html

    from ngo_text.parsing.html import _find_lead

    assert _find_lead(load_html(_LEAD_PAGE)).startswith("Mit dem jetzt gestarteten Projekt")
    # nothing named like a lead, or only one inside navigation: no lead
    assert _find_lead(load_html(_LEAD_PAGE.replace("field--name-field-abstract", "field--x"))) is None
    assert _find_lead(load_html(_LEAD_PAGE.replace('<div class="s-block">', '<div class="s-block sidebar">'))) is None
    a = parse(_LEAD_PAGE)
    assert a.title == "Projekt bringt Natur an die Aller zurück"
    assert a.text.index("Verbindungsgewässer") < a.text.index("Hotspots der biologischen Vielfalt")
    assert a.text.count("Verbindungsgewässer") == 1  # never twice when the extractor kept it too


@pytest.mark.parametrize("name, words", [
    # leads in the page header that the main-text extractor drops, with the names they hold
    ("zdh.de-foerderungsstopp.html", ["Schwannecke", "Kreditanstalt für Wiederaufbau"]),
    ("wind-energie.de.beschleunigung.html", ["SPD, Grünen und FDP"]),
    ("bfn.de-verden.html", ["zwischen Nordsee und Harz"]),
])
def test_real_page_leads_are_kept(shared_dir, name, words) -> None:
    page = shared_dir / "data" / "web" / "trafilatura_de" / "html" / name
    a = parse(page.read_bytes())
    for w in words:
        assert w in a.text, w


@pytest.mark.parametrize("snippet, expected", [
    ('<p class="date">Datum 25.01.2022</p>', dt.date(2022, 1, 25)),
    ('<time datetime="2021-10-29T10:00">29. Oktober</time>', dt.date(2021, 10, 29)),
    ("<p>Pressemitteilung vom 20. Januar 2022</p>", dt.date(2022, 1, 20)),
    ("<p>Anmeldung bis 3. März 2999</p>", None),  # a future date is no publication date
])
def test_published_from_the_page_text_when_metadata_has_none(snippet, expected) -> None:
    html = (f"<html><head><title>Meldung</title></head><body><h1>Titel der Meldung zum Thema</h1>{snippet}"
            "<p>Berlin – Der Verein legt heute seinen Bericht über die Lage der Kinder vor und fordert mehr.</p>"
            "<p>Zweiter Absatz mit mehr Text über die Lage der Familien in der Stadt.</p></body></html>")
    assert parse(html).published == expected
    from trafilatura.utils import load_html

    from ngo_text.parsing.html import _date_from_page_text

    assert _date_from_page_text(load_html(html)) == expected


def test_quote_attributions_of_real_pages() -> None:
    body = ["Berlin – Der Verein hat heute einen Bericht vorgelegt.",
            "„Wir dürfen nicht länger warten, die Lage ist ernst.“ – Rechtsanwältin Lena Vogt",
            "Paul Szymański schilderte die Lage in Warschau: „Die Familien haben keine Unterkunft mehr.“",
            "„Das ist ein Skandal für alle“, sagte der Sprecher der Kinderhilfe Horizont e. V. "
            "„Dass Plattformen nichts tun, ist nicht hinnehmbar und muss sich ändern.“",
            "„Die Kinder brauchen Schutz“, so die Leiterin des Kindergartens von St. Marien, Anna Berg."]
    got = [(q.text[:12], q.speaker, q.role, q.organisation) for q in extract_quotes(body)]
    assert got[0] == ("Wir dürfen n", "Lena Vogt", "Rechtsanwältin", None)
    assert got[1] == ("Die Familien", "Paul Szymański", None, None)
    # a role and its organisation, no person: no speaker, and the organisation ends before the next quote
    assert got[2] == ("Das ist ein ", None, "Sprecher", "Kinderhilfe Horizont e. V.")
    assert got[-1][1] == "Anna Berg" and "St. Marien" in (got[-1][3] or "")


@pytest.mark.parametrize("above, dateline", [
    ("Dübendorf -", "Dübendorf"),                          # a place left alone by the markup
    ("24. April 2020 | Pressemitteilungen", None),         # a date with a category
    ("5. November 2021, 10:39 Uhr", None),                 # a date with a time
    ("Semesterstart", None),                               # a kicker
])
def test_lines_above_the_lead_are_no_lead(above, dateline) -> None:
    lead = ("Viele Studierende suchen zum Semesterstart noch immer eine Wohnung, und die Zahl der "
            "freien Zimmer in der Stadt ist so klein wie nie zuvor seit Beginn der Erhebung.")
    html = (f"<html><head><title>Studierende suchen Wohnungen</title></head><body><article>"
            f"<h1>Studierende suchen Wohnungen</h1><p>{above}</p><p>{lead}</p>"
            "<p>Der zweite Absatz erklärt die Lage der Wohnheime und die Wartelisten in den Städten.</p>"
            "</article></body></html>")
    a = parse(html)
    assert a.lead == lead and a.dateline == dateline
    assert a.text.count(above) == lead.count(above)


def test_kicker_rule_keeps_short_paragraphs_inside_the_text() -> None:
    text = ("Titel der Meldung\n\nBerlin – Der Verein legt heute seinen Bericht über die Lage der Kinder vor "
            "und fordert mehr Schutz für Familien in Not in allen Städten.\n\nZwischenruf\n\n"
            "Der zweite Absatz erklärt die Lage der Wohnheime und die Wartelisten in den Städten und Gemeinden.")
    a = parse(text)
    assert a.dateline == "Berlin" and "Zwischenruf" in a.paragraphs


_PAGE_COPY = "\n\n".join(
    ["Direkt zum Inhalt", "Menü", "Suche", "Startseite", "Presse", "Über uns", "Spenden", "Kontakt",
     "Diese Seite benutzt Cookies.", "Akzeptieren", "Ablehnen", "Startseite › Presse › Meldungen",
     "Kinderhilfe fordert mehr Schutz vor Ausbeutung",
     "Berlin – Die Kinderhilfe Horizont hat heute in Berlin einen Bericht über die Lage der Kinder in "
     "Deutschland vorgelegt. Demnach ist die Zahl der Fälle von Ausbeutung im vergangenen Jahr deutlich "
     "gestiegen, und viele Betroffene erhalten zu spät Hilfe von den zuständigen Stellen.",
     "„Wir dürfen nicht länger warten, denn jeder Tag ohne Schutz ist ein verlorener Tag für die Kinder“, "
     "sagte Anna Beispiel, Sprecherin der Kinderhilfe Horizont. Der Verein fordert von der Bundesregierung "
     "mehr Geld für Beratungsstellen und eine bessere Zusammenarbeit der Behörden in den Ländern.",
     "Teilen", "Drucken", "Das könnte Sie auch interessieren", "Neue Studie zu Kinderarbeit",
     "Spendenaufruf zum Weltkindertag", "Newsletter", "Impressum", "Datenschutz", "Barrierefreiheit",
     "© 2023 Kinderhilfe Horizont"])


def test_whole_page_copy_gives_the_article() -> None:
    from ngo_text.parsing.pagecopy import looks_like_page_copy

    assert looks_like_page_copy(_PAGE_COPY)
    a = parse(_PAGE_COPY)
    assert a.title == "Kinderhilfe fordert mehr Schutz vor Ausbeutung"
    assert a.dateline == "Berlin" and a.lead.startswith("Die Kinderhilfe Horizont hat heute")
    assert a.quotes and a.quotes[0].speaker == "Anna Beispiel"
    for nav in ("Direkt zum Inhalt", "Cookies", "Impressum", "Teilen", "Newsletter"):
        assert nav not in a.text
    assert any("copy of a whole web page" in w for w in a.warnings)


def test_press_releases_are_not_page_copies(sample_dir, shared_dir) -> None:
    from ngo_text.parsing.pagecopy import looks_like_page_copy

    files = sorted((sample_dir / "articles").glob("*.txt"))
    seed = shared_dir / "data" / "pressreleases" / "ijm-boystown.txt"
    assert len(files) >= 30
    for f in [*files, seed]:
        text = f.read_text(encoding="utf-8")
        assert not looks_like_page_copy(text), f.name
        assert not any("whole web page" in w for w in parse(f).warnings)


def test_press_contact_credits_and_references_are_no_article_text() -> None:
    text = ("Titel der Meldung\n\nBerlin – Der Verband fordert mehr Geld für die Pflege in allen Ländern.\n\n"
            "Pressesprecherin Anna Klein sagte dazu nichts\n\n"
            "© Presse- und Informationsamt der Bundesregierung | Fotograf Beispielname\n\n"
            "Weitere Sätze folgen hier im Text.\n\n"
            "[1] Muster, Max. 2016. Ein Buch über Arbeit. Berlin: Verlag.\n\n"
            "Anna Klein\nStellvertretende Pressesprecherin und Leitung Presse\nTel. 030 1234\n\n"
            "Noch ein Absatz nach dem Kontakt, der nicht mehr zum Artikel gehört.")
    a = parse(text)
    assert a.paragraphs == ["Pressesprecherin Anna Klein sagte dazu nichts", "Weitere Sätze folgen hier im Text."]
    # a page line that holds the contact's name and role on lines of its own
    assert is_contact_role("Alexandra Weber \n \n Stellvertretende Pressesprecherin und Bereichsleitung Presse")
    assert is_contact_role("Pressesprecher*in Markus Ulrich")
    assert not is_contact_role("Pressesprecherin Anna Klein sagte dazu nichts")


def test_caption_and_credit_inside_a_page_line_are_dropped() -> None:
    from ngo_text.parsing.text import drop_credits

    line = "Gäste vor dem Schriftzug #WeRemember \n © Presse- und Informationsamt | Anna Muster \n \n 77 Jahre danach."
    assert drop_credits(line) == "77 Jahre danach."
    # a sentence above a credit is text; a line without a credit stays as it is
    assert drop_credits("Wir sind da.\nFoto: Max Muster\nWeiter.") == "Wir sind da.\nWeiter."
    assert drop_credits("Zwei\nZeilen ohne Credit") == "Zwei\nZeilen ohne Credit"


def test_kicker_above_the_repeated_headline_is_no_lead() -> None:
    from ngo_text.parsing.text import analyse_blocks

    title = "Was bringen alternative Therapien bei Krebs?"
    blocks = [["Gesundheit"], [title], ["Beim Krebskongress in Linz ging es um Schul- und Komplementärmedizin."],
              ["Die Veranstalter zogen Bilanz."]]
    st = analyse_blocks(blocks, title=title, join=False)
    assert st.title == title
    assert st.lead.startswith("Beim Krebskongress in Linz")
