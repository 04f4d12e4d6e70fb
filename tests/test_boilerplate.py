"""Site footers and calls to action of any publisher (German and English) stay out of the article.

The rules live in ``ngo_text/resources/boilerplate.txt``; these footers are written for the
test and belong to no real publisher, so that the rules stay general.
"""
from __future__ import annotations

import pytest

from ngo_text import parse
from ngo_text.parsing.text import is_boilerplate, is_footer_start

ARTICLE = """Kinderhilfe Horizont fordert mehr Schutz für Kinder

Berlin – Die Kinderhilfe Horizont hat am Montag ihren Jahresbericht vorgelegt. Die Organisation fordert von der Bundesregierung mehr Geld für den Kinderschutz.

„Wir dürfen nicht länger warten“, sagte Anna Beispiel, Sprecherin der Kinderhilfe Horizont.

Der Bericht nennt 120 Fälle aus dem Jahr 2022 und zeigt, wo Hilfe fehlt.
"""
LAST = "Der Bericht nennt 120 Fälle aus dem Jahr 2022 und zeigt, wo Hilfe fehlt."

GERMAN_FOOTER = """
Jetzt spenden

Spendenkonto: IBAN DE12 3456 7890 1234 5678 90
Bank für Sozialwirtschaft

Newsletter abonnieren

Mein Spenderkonto

Spenden verwalten

Zuwendungsbestätigung herunterladen

Impressum | Datenschutz | Transparenz
"""

ENGLISH_FOOTER = """
Donate now

Manage your donations and tax receipts in your account.

Subscribe to our newsletter
Get updates from Kinderhilfe Horizont about our projects and events near you.

Member Login

Privacy Policy
Terms and Conditions
© 2024 Kinderhilfe Horizont
"""


@pytest.mark.parametrize("footer", [GERMAN_FOOTER, ENGLISH_FOOTER], ids=["german", "english"])
def test_footer_stays_out_of_the_article(footer: str) -> None:
    art = parse(ARTICLE + footer)
    assert art.title == "Kinderhilfe Horizont fordert mehr Schutz für Kinder"
    assert art.dateline == "Berlin" and art.quotes and art.quotes[0].speaker == "Anna Beispiel"
    assert art.paragraphs and art.paragraphs[-1] == LAST
    for line in filter(None, (ln.strip() for ln in footer.splitlines())):
        assert line not in art.text, line


@pytest.mark.parametrize("line", [
    "Donor Portal", "Spenderportal", "Mein Spenderkonto", "Mitgliederbereich", "Member Login",
    "Email Sign Up", "E-Mail Signup", "Privacy Policy", "Terms and Conditions", "Legal Notice",
    "Cookie Policy", "Impressum", "© 2024 Kinderhilfe Horizont e. V.",
])
def test_footer_starts(line: str) -> None:
    assert is_footer_start(line) and is_boilerplate(line)


@pytest.mark.parametrize("line", [
    "Jetzt spenden", "Spendenkonto: IBAN DE12 3456 7890 1234 5678 90", "Newsletter abonnieren",
    "Manage your donations", "Review your giving and tax statements in the donor portal.",
    "Update your recurring gift", "Get updates from Kinderhilfe Horizont on stories from the field.",
    "Subscribe to our newsletter", "Sign up for our newsletter to stay informed.",
    "Spenden verwalten", "Meine Spendenbescheinigung anfordern", "Zuwendungsbestätigung herunterladen",
    "Sie sind aktuell nicht eingeloggt.", "Alle Angaben ohne Gewähr",
])
def test_calls_and_account_lines(line: str) -> None:
    assert is_boilerplate(line) and not is_footer_start(line)


@pytest.mark.parametrize("line", [
    "Die Organisation fordert, dass Spenden steuerlich besser gestellt werden.",
    "Mitglieder des Vereins trafen sich am Montag in Berlin.",
    "Das Spenderportal des Vereins wurde 2020 eingerichtet, sagte die Sprecherin.",
    "Meine Förderung durch die Stiftung war entscheidend, sagte Anna Beispiel.",
    "Der Bericht kritisiert die Privacy Policy des Konzerns.",
    "Spenden verwalten viele Vereine heute digital.",
])
def test_article_sentences_are_kept(line: str) -> None:
    assert not is_boilerplate(line) and not is_footer_start(line)


@pytest.mark.parametrize("line", ["Schon gelesen?", "Lesen Sie auch die folgenden Beiträge:"])
def test_teaser_headings(line: str) -> None:
    from ngo_text.parsing.text import teaser_heading

    assert teaser_heading(line) == (True, None)
