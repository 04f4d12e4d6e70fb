"""Structure of web pages (issue #14): header leads, boxes around the article, sections after it.

All pages here are small synthetic pages written for these tests.
"""
from __future__ import annotations

import datetime as dt

import pytest

from ngo_text import parse
from ngo_text.parsing.text import analyse_blocks, analyse_text, is_boilerplate, is_section_closer

_PARA = ("Der Verein Flussauen e.V. hat am Montag einen Bericht über den Zustand der Auen an der Weser "
         "vorgelegt. Demnach sind in den vergangenen zehn Jahren mehr als ein Drittel der Feuchtwiesen "
         "verschwunden, vor allem durch Entwässerung und den Bau neuer Straßen entlang des Ufers.")
_PARA2 = ("„Wir brauchen jetzt einen verbindlichen Plan für die Renaturierung“, sagte die Vorsitzende "
          "Jana Morgenroth bei der Vorstellung in Bremen. Der Verein fordert vom Land, die Förderung für "
          "Flächenankäufe zu verdoppeln und die Auen unter Schutz zu stellen.")
_PARA3 = ("Der Bericht stützt sich auf Kartierungen von mehr als zweihundert Ehrenamtlichen, die seit 2014 "
          "jedes Frühjahr dieselben Flächen begehen und Pflanzen sowie Brutvögel zählen. Die Daten stehen "
          "auf der Internetseite des Vereins zum Herunterladen bereit.")
_LEAD = ("Die Feuchtwiesen an der Weser schwinden schneller als gedacht: Ein neuer Bericht zählt ein "
         "Drittel weniger Fläche als vor zehn Jahren.")


def _page(header: str = "", article_extra: str = "", after: str = "", body_class: str = "") -> str:
    return (f"<html><head><title>Auen an der Weser schwinden</title></head><body class='{body_class}'>"
            "<nav><a href='/'>Start</a> <a href='/themen'>Themen</a> <a href='/kontakt'>Kontakt</a></nav>"
            f"<main><article><header><h1>Auen an der Weser schwinden</h1>{header}</header>"
            f"<div class='article-body'><p>{_PARA}</p><p>{_PARA2}</p>{article_extra}<p>{_PARA3}</p></div>"
            f"{after}</article></main><footer><p>Impressum</p></footer></body></html>")


def _find_lead(html: str) -> str | None:
    from trafilatura.utils import load_html

    from ngo_text.parsing.html import _find_lead as find

    return find(load_html(html))


# --------------------------------------------------------------------------- header leads
@pytest.mark.parametrize("cls", ["chapo", "article-excerpt", "c-page-intro__copy", "field--name-field-abstract",
                                 "contentHeaderHeader__text", "hero-text"])
def test_header_lead_found_by_class_name_part(cls: str) -> None:
    html = _page(header=f"<div class='{cls}'><p>{_LEAD}</p></div>")
    assert _find_lead(html) == _LEAD
    art = parse(html)
    assert art.lead == _LEAD
    assert art.text.count("schwinden schneller als gedacht") == 1


def test_header_lead_names_that_are_no_lead() -> None:
    # "leaderboard" (an ad slot) and a teaser <article> named "node--category-lead" hold no lead
    assert _find_lead(_page(header=f"<div class='leaderboard'><p>{_LEAD}</p></div>")) is None
    assert _find_lead(_page(after=f"<article class='node--category-lead'><p>{_LEAD}</p></article>")) is None
    # a caption with its credit is no lead
    assert _find_lead(_page(header=f"<div class='intro'>{_LEAD} © Agentur / Fotografin</div>")) is None
    # a lead-named element inside the sidebar is none either
    html = _page(after=f"<div class='sidebar'><div class='intro'>{_LEAD}</div></div>")
    assert _find_lead(html) is None


def test_layout_flags_on_body_do_not_veto_the_lead() -> None:
    # "has-sidebar" / "site--no-sidebar" on <body> are layout flags, not a sidebar around the lead
    html = _page(header=f"<div class='teaser-text'>{_LEAD}</div>", body_class="single has-sidebar site--no-sidebar")
    assert _find_lead(html) == _LEAD


def test_header_lead_without_headline_h1() -> None:
    # the logo in an <h1> ("Navigation", a site name) is skipped; without a headline h1 the
    # whole page is searched
    html = _page(header=f"<div class='teaser-text'>{_LEAD}</div>").replace(
        "<h1>Auen an der Weser schwinden</h1>", "<h2>Auen an der Weser schwinden</h2>").replace(
        "<nav>", "<nav><h1>Navigation</h1>")
    assert _find_lead(html) == _LEAD


def test_paragraph_after_the_headline_in_the_header_is_the_lead() -> None:
    # no lead class: the sentence after the h1 inside <header> is the lead; a box there is not
    assert _find_lead(_page(header=f"<p>{_LEAD}</p>")) == _LEAD
    assert _find_lead(_page(header=f"<div class='billboard'><p>{_LEAD}</p></div>")) is None
    assert _find_lead(_page(header="<p>Von Paula Reiher</p>")) is None  # a byline reads as no lead
    # layout names on the header ("header-small-img", "with-featured-image") do not veto a lead
    html = _page(header=f"<div class='ct-header-small-img'><div class='col'><div class='uk-text-lead'>{_LEAD}</div>"
                        "</div></div>")
    assert _find_lead(html) == _LEAD


# --------------------------------------------------------------------------- boxes around the article
def test_author_box_comments_caption_and_toc_are_not_article_text() -> None:
    extra = ("<div class='ez-toc-container'><p class='ez-toc-title'>Inhaltsverzeichnis</p>"
             "<ul><li><a href='#a'>Zustand der Auen</a></li><li><a href='#b'>Forderungen</a></li></ul></div>"
             "<figure><img src='a.jpg'><div class='v-A_-caption__small'>Eine Feuchtwiese im Frühjahr bei Nienburg.</div>"
             "</figure>")
    after = ("<div class='saboxplugin-wrap'><div class='saboxplugin-desc'><p>Paula Reiher schreibt seit 2010 über "
             "Naturschutz und Landwirtschaft und lebt mit ihrer Familie in Verden.</p></div></div>"
             "<section id='comments' class='comments-area'><h3>2 Kommentare</h3><div class='comment-content'>"
             "<p>Toller Bericht, danke für die viele Arbeit an den Kartierungen!</p></div></section>")
    art = parse(_page(article_extra=extra, after=after))
    text = art.text
    for gone in ("Inhaltsverzeichnis", "Feuchtwiese im Frühjahr bei Nienburg", "schreibt seit 2010",
                 "Toller Bericht"):
        assert gone not in text
    for kept in ("ein Drittel der Feuchtwiesen", "Jana Morgenroth", "zweihundert Ehrenamtlichen"):
        assert kept in text


def test_gallery_text_named_comment_is_kept() -> None:
    # "gallery__item__comment" is the text of a photo, not a comment section
    extra = ("<div class='gallery'><div class='gallery__item__comment'><p>Auf der Fläche bei Hoya brüten "
             "wieder Kiebitze, seit der Verein die Gräben geschlossen hat und das Wasser länger steht.</p>"
             "</div></div>")
    assert "wieder Kiebitze" in parse(_page(article_extra=extra)).text


def test_paragraph_that_is_one_link_is_a_teaser() -> None:
    # "read also" lines inside the article: a paragraph that is one link and no sentence
    extra = ("<p><a href='/kiebitz'>Kiebitze an der Weser: Die Rückkehr der Wiesenvögel</a></p>"
             "<p>Mehr dazu steht im <a href='/bericht.pdf'>Bericht des Vereins</a>, der online abrufbar ist.</p>")
    text = parse(_page(article_extra=extra)).text
    assert "Die Rückkehr der Wiesenvögel" not in text
    assert "Bericht des Vereins" in text  # a sentence with a link stays


def test_trafilatura_div_wrapper_is_read_child_by_child() -> None:
    # trafilatura keeps the <div> around the paragraphs of some pages: one block per child,
    # else the whole article would be one "lead"
    from lxml import etree

    from ngo_text.parsing.html import _el_blocks

    el = etree.fromstring("<div>Vorspann<p>Erster Absatz.</p><head rend='h2'>Zwischentitel</head>"
                          "<p>Zweiter <hi>Absatz</hi>.</p><list><item>eins</item><item>zwei</item></list></div>")
    assert _el_blocks(el) == [["Vorspann"], ["Erster Absatz."], ["Zwischentitel"], ["Zweiter Absatz."],
                              ["eins", "zwei"]]
    assert _el_blocks(etree.fromstring("<p>Ein Absatz.</p>")) == [["Ein Absatz."]]


def test_text_modules_beside_the_extracted_one_are_read() -> None:
    # pages built of text modules with images between them: trafilatura keeps one module
    from trafilatura.utils import load_html

    from ngo_text.parsing.html import _sibling_modules

    module = "<div class='editorial-module'><div class='text'><div class='text-text'>{}</div></div></div>"
    image = "<div class='editorial-module'><figure><img src='a.jpg'><figcaption><p>{}</p></figcaption></figure></div>"
    html = ("<html><body><div class='single-wrapper'>" + module.format(f"<p>{_PARA}</p>")
            + image.format("Kiebitz auf einer Wiese bei Hoya.") + module.format(f"<p>{_PARA2}</p>")
            + module.format(f"<p>{_PARA3}</p>") + "</div></body></html>")
    assert _sibling_modules(load_html(html), [[_PARA]]) == [[_PARA2], [_PARA3]]
    # modules named like posts or teasers are other articles: nothing added
    posts = html.replace("text-text", "post-text")
    assert _sibling_modules(load_html(posts), [[_PARA]]) == []


# --------------------------------------------------------------------------- sections after the article
def test_section_after_the_article_is_dropped_on_pages() -> None:
    blocks = [[_PARA], [_PARA2], ["Kontakt:"], ["Dr. Jana Morgenroth"], ["Telefon: 0421 123456"],
              [_PARA3 + " " + _PARA3]]
    st = analyse_blocks(blocks, title="Auen an der Weser schwinden", join=False)
    body = [st.lead, *st.paragraphs]
    assert "Telefon: 0421 123456" not in body and "Dr. Jana Morgenroth" not in body and "Kontakt:" not in body
    assert body[-1].startswith("Der Bericht stützt sich")  # a long block is running text again
    # before the article a "Kontakt" line is navigation: only that line goes
    st = analyse_blocks([["Kontakt"], ["Themen im Überblick für alle"], [_PARA], [_PARA2]],
                        title="Auen an der Weser schwinden", join=False)
    assert "Kontakt" not in [st.lead, *st.paragraphs]
    assert _PARA in [st.lead, *st.paragraphs]


def test_section_closers_are_page_only() -> None:
    # in plain text (a copied web page) such words are often its menu: nothing is dropped for them
    st = analyse_text(f"Auen an der Weser schwinden\n\n{_PARA}\n\nWeitere Informationen\n\nDie Flächen im Überblick\n\n{_PARA2}")
    assert "Die Flächen im Überblick" in st.paragraphs


@pytest.mark.parametrize("line, closer", [
    ("Kontakt:", True), ("Weitere Informationen zum Coronavirus in Niedersachsen:", True),
    ("Originalpublikation", True), ("Mehr zum Thema auf example.org", True), ("12 Kommentare", True),
    ("Kontaktieren Sie uns gern, wenn Sie Fragen zum Bericht haben.", False),
])
def test_section_closer_rules(line: str, closer: bool) -> None:
    assert is_section_closer(line) is closer


@pytest.mark.parametrize("line, boiler", [
    ("Abbildung 3: Lage der kartierten Flächen", True),
    ("Kommentare insgesamt: 0", True),
    ("Jahresbericht 2021 (PDF, 38 KB)", True),
    ("Klicken Sie auf den Button, um den Inhalt von www.example.org zu laden.", True),
    ("Letzte Änderung 14.02.2019", True),
    ("Copyright: Paula Reiher", True),
    (">> Neue Studie: Kiebitze kehren zurück <<", True),
    ("Eine Feuchtwiese bei Hoya. © Agentur / Paula Reiher", True),
    ("(Alle Angaben ohne Gewähr)", True),
    ("Video verfügbar bis 28.02.2031", True),
    ("Tel: +49 (0)421-123 456", True),
    ("Dann hinterlasse einfach einen Kommentar unter diesem Beitrag!", True),
    ("»Wie bringen wir die Kiebitze zurück?«", False),
    ("Die Abbildung zeigt, dass die Flächen seit 2014 kleiner geworden sind.", False),
])
def test_boilerplate_rules_of_pages(line: str, boiler: bool) -> None:
    assert is_boilerplate(line) is boiler


# --------------------------------------------------------------------------- the page header above the lead
def test_headline_pieces_kickers_and_menu_rows_are_no_lead() -> None:
    title = "Auen an der Weser: Verein fordert Schutzprogramm"
    for first in (["Auen an der Weser"], ["Natur\nUmwelt & Klima"], ["Blog | Registrieren | Login"]):
        st = analyse_blocks([first, ["Verein fordert Schutzprogramm"], [_PARA], [_PARA2]], title=title, join=False)
        assert st.lead == _PARA, first


def test_subtitle_above_the_first_paragraph_is_no_lead() -> None:
    # a subtitle or column line of up to seven words without a sentence end; a greeting stays
    st = analyse_blocks([["Eine Kolumne von Paula Reiher"], [_PARA], [_PARA2]], title="Auen", join=False)
    assert st.lead == _PARA
    st = analyse_blocks([["Sehr geehrte Damen und Herren,"], [_PARA], [_PARA2]], title="Auen", join=False)
    assert st.lead == "Sehr geehrte Damen und Herren,"
    # plain text keeps its four-word limit: a subtitle line there stays the lead
    st = analyse_text(f"Auen\n\nEine Kolumne von Paula Reiher\n\n{_PARA}\n\n{_PARA2}")
    assert st.lead == "Eine Kolumne von Paula Reiher"


def test_date_with_time_above_the_lead() -> None:
    st = analyse_blocks([["12. November 2015 / 13:48"], [_PARA], [_PARA2]], title="Auen", join=False)
    assert st.lead == _PARA
    assert st.dateline_date == dt.date(2015, 11, 12)
