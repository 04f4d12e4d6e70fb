"""Whole-page text copies (select-all + copy of a web page): the article is found.

The pages here are synthetic (written for these tests): navigation, a cookie banner, the
article with byline, date, caption and share buttons, a related list, comments, footer.
"""
from __future__ import annotations

import pytest

from ngo_text import parse
from ngo_text.parsing import pagecopy
from ngo_text.parsing.pagecopy import article_from_page_copy, looks_like_page_copy

NAV = ["Direkt zum Inhalt", "Menü", "Suche", "Startseite", "Politik", "Wirtschaft", "Kultur",
       "Sport", "Wissen", "Reisen", "Gesundheit", "Digital", "Panorama", "Meinung", "Service",
       "Newsletter", "Anmelden", "Abo"]
COOKIE = ("Wir verwenden Cookies, um Ihnen ein besseres Nutzererlebnis zu bieten. Wenn Sie "
          "die Seite weiter nutzen, stimmen Sie der Verwendung von Cookies zu.")
TITLE = "Neue Brücke über die Mulde verbindet zwei Dörfer"
LEAD = "Nach zwei Jahren Bauzeit ist die Brücke zwischen Altdorf und Neudorf fertig."
PARAS = [
    "Die Bürgermeisterin von Altdorf sagte bei der Eröffnung am Samstag, dass die neue "
    "Verbindung für die Menschen in beiden Dörfern eine große Erleichterung sei. Bisher "
    "mussten die Kinder einen Umweg von mehr als zehn Kilometern zur Schule fahren, und "
    "auch die Feuerwehr war im Notfall lange unterwegs.",
    "Der Bau der Brücke hat nach Angaben des Landkreises rund vier Millionen Euro gekostet. "
    "Ein großer Teil des Geldes kam aus einem Förderprogramm des Landes, den Rest haben die "
    "beiden Gemeinden und der Kreis gemeinsam aufgebracht, wie der Landrat in seiner Rede "
    "betonte.",
    "In den kommenden Wochen sollen noch die Wege zu der Brücke fertig werden. Danach wird "
    "auch ein Radweg an das Netz angeschlossen, der von der Stadt bis an den See führt und "
    "den viele Ausflügler im Sommer nutzen, wenn das Wetter es zulässt.",
]
TEASERS = ["Radweg am See wird im Frühjahr gesperrt", "Feuerwehr übt an der alten Mühle",
           "Schule in Neudorf bekommt eine neue Turnhalle", "Markt am Sonntag fällt aus"]
COMMENT = ("Ich finde es sehr gut, dass die Brücke endlich fertig ist, aber die Parkplätze an "
           "der Brücke reichen bei weitem nicht aus, und am Wochenende stehen die Autos dann "
           "überall auf den Wiesen und in den Einfahrten der Anwohner, was niemand will.")
FOOTER = ["Impressum", "Datenschutz", "Kontakt", "AGB", "© 2024 Musterverlag"]


def page(*parts: list[str] | str) -> str:
    """A page copy: every part one block, blocks separated by blank lines."""
    blocks: list[str] = []
    for part in parts:
        blocks.extend([part] if isinstance(part, str) else part)
    return "\n\n".join(blocks)


def article_page(*, comments: int = 2) -> str:
    return page(NAV, COOKIE, "OK", "Region", TITLE, "Von Anna Muster", "12. März 2024",
                "Die neue Brücke am Morgen der Eröffnung. Foto: Anna Muster", LEAD, PARAS,
                "Teilen", "Drucken", "Das könnte Sie auch interessieren", TEASERS,
                "Kommentare", [COMMENT] * comments, FOOTER)


def test_page_copy_is_recognised_and_a_press_release_is_not() -> None:
    assert looks_like_page_copy(article_page())
    release = page(TITLE, "Altdorf, 12. März 2024 – " + LEAD, PARAS, "Pressekontakt",
                   "Anna Muster", "Telefon 0123 456789")
    assert not looks_like_page_copy(release)


def test_small_page_counts_when_half_its_blocks_are_short() -> None:
    small = page(NAV[:10], TITLE, LEAD, PARAS[:2])
    assert looks_like_page_copy(small)
    assert not looks_like_page_copy(page(NAV[:9], TITLE, LEAD, PARAS[:2]))


def test_article_is_title_lead_and_paragraphs_only() -> None:
    copy = article_from_page_copy(article_page())
    assert copy is not None
    blocks = copy.text.split("\n\n")
    assert blocks[:2] == [TITLE, LEAD]
    assert blocks[2:] == PARAS
    assert copy.dropped_blocks > 30 and "copy of a whole web page" in copy.warnings[0]


def test_comments_longer_than_the_article_are_not_taken_for_it() -> None:
    copy = article_from_page_copy(article_page(comments=8))
    assert copy is not None
    assert PARAS[0] in copy.text and COMMENT not in copy.text


def test_box_inside_the_article_is_dropped_and_the_text_after_it_kept() -> None:
    long_para = PARAS[2] + " " + PARAS[1]
    text = page(NAV, TITLE, LEAD, PARAS[:2], "Mehr zum Thema", TEASERS[:3], long_para,
                "Das könnte Sie auch interessieren", TEASERS, FOOTER)
    copy = article_from_page_copy(text)
    assert copy is not None
    assert long_para in copy.text
    assert not any(t in copy.text for t in TEASERS)


def test_cookie_banner_and_share_buttons_are_no_article_text() -> None:
    copy = article_from_page_copy(article_page())
    assert copy is not None
    assert "Cookies" not in copy.text and "Teilen" not in copy.text
    assert "Foto:" not in copy.text and "Anna Muster" not in copy.text


def test_soft_hyphens_are_removed() -> None:
    text = article_page().replace("Bürgermeisterin", "Bürger\u00admeis\u00adterin")
    copy = article_from_page_copy(text)
    assert copy is not None and "Bürgermeisterin" in copy.text and "\u00ad" not in copy.text


def test_parse_reads_the_article_of_a_page_copy() -> None:
    art = parse(article_page())
    assert art.title == TITLE
    assert art.lead == LEAD
    assert art.paragraphs == PARAS
    assert any("copy of a whole web page" in w for w in art.warnings)


def test_nothing_found_gives_none() -> None:
    assert article_from_page_copy(page(NAV, FOOTER)) is None


def test_rule_file_is_read_and_unknown_rules_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = pagecopy._page_rules()
    assert rules.end is not None and rules.end.match("kommentare")
    assert rules.box is not None and rules.box.match("ähnliche artikel")

    class Fake:
        def joinpath(self, name: str) -> Fake:
            return self

        def read_text(self, encoding: str) -> str:
            return "end = kommentare\nstop = mehr\n"

    monkeypatch.setattr(pagecopy.resources, "files", lambda _pkg: Fake())
    pagecopy._page_rules.cache_clear()
    try:
        with pytest.raises(ValueError, match="unknown rule"):
            pagecopy._page_rules()
    finally:
        monkeypatch.undo()
        pagecopy._page_rules.cache_clear()


def test_link_titles_at_the_end_of_the_article_are_dropped() -> None:
    # jusText keeps both blocks (stop words), neither is running text (no sentence end)
    link = ("Alle Informationen zu der neuen Brücke und zu den Wegen in der Umgebung finden Sie "
            "auf der Seite des Landkreises und bei der Gemeinde Altdorf im Rathaus")
    text = page(NAV, TITLE, LEAD, PARAS, "Brückenbau an der Mulde", link, FOOTER)
    copy = article_from_page_copy(text)
    assert copy is not None
    assert copy.text.endswith(PARAS[-1])


def test_broken_characters_do_not_make_the_page_fail() -> None:
    copy = article_from_page_copy(article_page().replace("Bauzeit", "Bau\ud800zeit"))
    assert copy is not None and PARAS[0] in copy.text


def test_page_in_another_language_still_gives_its_text() -> None:
    para = ("The new bridge across the river connects the two villages, and the children no "
            "longer need to travel more than ten kilometres to reach their school every day")
    copy = article_from_page_copy(page(NAV, "A new bridge for two villages", [para] * 3, FOOTER))
    assert copy is not None
    assert copy.text.startswith("A new bridge for two villages") and para in copy.text
    assert "Impressum" not in copy.text
