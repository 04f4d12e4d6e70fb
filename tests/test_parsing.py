"""Tests of ngo_text.parse (structure parsing, no model)."""
from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import pytest

from ngo_text import Article, InputError, parse
from ngo_text.parsing.quotes import extract_quotes, find_quote_spans, split_role_org
from ngo_text.parsing.sources import decode_bytes, guess_language
from ngo_text.parsing.text import split_dateline

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
    t0 = time.perf_counter()
    a = parse(text)
    assert time.perf_counter() - t0 < 15
    assert any("truncated" in w for w in a.warnings)
    assert a.title == "Titel" and a.paragraphs


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
    t0 = time.perf_counter()
    try:
        a = parse(html)
    except InputError:
        return
    assert isinstance(a, Article)
    assert time.perf_counter() - t0 < 20


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
