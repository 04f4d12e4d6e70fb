"""German dates in text: the one date core of ngo_text (no spaCy).

:func:`find_dates` finds date expressions and resolves them to ISO values; the
``ngo_dates`` component (:mod:`ngo_text.nlp.dates`) turns its matches into ``DATE``
entities, and structure parsing (:mod:`.text` for datelines, :mod:`.html` for a
page's date) reads full calendar dates with :func:`iter_german_dates` and
:func:`parse_german_date`, which are built on it.

What counts as a date (a point or period on the calendar, at least a day,
month, year or named weekday)::

    "5. Mai 2021"                 -> "2021-05-05"
    "Mittwoch, 5. Mai 2021"       -> "2021-05-05"  (weekday kept inside the span)
    "am 21. November"             -> "2020-11-21"  (year inferred, see below)
    "04.05.2021", "4.5.21"        -> "2021-05-04"; "2021-05-04" likewise
    "04.05."                      -> "YYYY-05-04"  (year inferred)
    "Mai 2021"                    -> "2021-05";    "Mai" alone -> year inferred
    "2021" (a year, see below)    -> "2021"
    "2020/21", "2020/2021"        -> "2020/2021" (season, hunting or school year)
    "3. bis 5. Mai 2021"          -> "2021-05-03/2021-05-05" (one span, a range;
                                     also "3.-5. Mai", "3. Mai bis 5. Juni 2021",
                                     "Mai bis Juli 2021", "2019 bis 2021", and two
                                     consecutive days "26. und 27. Januar")
    "Anfang 2020", "Ende Juli"    -> "2020", "YYYY-07": the qualifier stays in the
                                     span, the value is the enclosing period (ISO
                                     has no "early 2020"; we never invent a month)
    "Sommer 2020"                 -> "2020"
    "Mittwoch", "vergangenen Freitag", "Montagabend"
                                  -> the nearest such weekday to the reference
                                     date (within -3..+3 days; "vergangenen/
                                     letzten" forces the past, "kommenden/nächsten"
                                     the future); ``None`` without reference date
    "Freitag, 17."                -> day of month without month: month/year taken
                                     from the next date in the same sentence
                                     ("Freitag, 17. und Samstag, 18. Juni") or the
                                     nearest such weekday/day around the reference
    "heute", "gestern", "morgen", "übermorgen", "vorgestern"
                                  -> reference date + 0/-1/+1/+2/-2 days (a definite
                                     day, not vague); ``None`` without reference date.
                                     The word alone: in "heute Morgen" "Morgen" is a
                                     time of day; "morgen, den 25. März 2019" is one
                                     span valued by the explicit date. Not days:
                                     "Guten Morgen", "am Morgen", "von heute auf
                                     morgen", "bis heute" (to this day), "noch/schon/
                                     bereits heute", "heute noch", "heute (technisch)
                                     möglich/üblich/..." (nowadays)
    "Nacht Mittwoch / Donnerstag, 9. / 10. März"
                                  -> "Mittwoch", "Donnerstag", "9.", "10. März": the
                                     second weekday is not joined with the first
                                     day; each weekday takes its day's value

Not dates: durations ("drei Jahre", "seit 10 Tagen"), vague words
("damals", "derzeit", "in Zeiten"), clock times ("20 Uhr",
"14.30 Uhr"), decades ("1990er"), numbers that look like years but count
something ("2000 Menschen") or are route/line numbers ("IC 1972").

Reference date and missing years: ``find_dates(text, ref)`` takes a
``datetime.date``/``datetime``/ISO string (the ``ngo_dates`` component passes the
Doc's publication date, which :func:`ngo_text.analyze` sets from
``Article.published``). A missing year is the one that puts the date nearest to
the reference (a release of 2021-01-10 saying "am 5. Dezember" means 2020-12-05); a
cue word right before the date restricts the choice to the past ("seit",
"vergangenen", "letzten", "bereits") or the future ("ab", "kommenden", "nächsten"):
"seit Februar" in a release of October means February of the same year, "ab Februar"
the next one. Without such a cue the tense of the sentence decides when it is clear:
"Ende März hatte die Polizei … durchsucht" in a release of 2022-02-08 is 2021-03,
"Im Oktober wird …" in one of November the next October. Without a reference date a
missing year is written ``XXXX`` (EDTF style: ``"XXXX-11-21"``, ``"XXXX-07"``) and a
bare weekday has value ``None``.
"""
from __future__ import annotations

import calendar
import datetime as _dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..model import to_date

__all__ = ["find_dates", "split_ranges", "DateMatch", "reference_date", "iter_german_dates",
           "parse_german_date", "MONTHS", "WEEKDAYS", "DEICTIC"]

MONTHS = {
    "januar": 1, "jänner": 1, "jan": 1, "februar": 2, "feb": 2, "märz": 3, "maerz": 3, "mär": 3, "mrz": 3,
    "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8,
    "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11,
    "nov": 11, "dezember": 12, "dez": 12,
}
WEEKDAYS = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonnabend": 5, "sonntag": 6,
}
_MONTH_NAMES_DE = ["", "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                   "September", "Oktober", "November", "Dezember"]

_SP = r"[^\S\n]"  # whitespace except newline: dates never span paragraphs
_M = (r"(?:Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|"
      r"Dezember|JANUAR|FEBRUAR|MÄRZ|APRIL|MAI|JUNI|JULI|AUGUST|SEPTEMBER|OKTOBER|NOVEMBER|"
      r"DEZEMBER|(?:Jan|Feb|Mär|Apr|Jun|Jul|Aug|Sept|Sep|Okt|Nov|Dez)\.)")
_WD = (r"(?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonnabend|Sonntag)"
       r"(?:abend|morgen|nachmittag|vormittag|mittag|nacht)?")
_Y = r"(?:19|20)\d\d"
# after a day and month name any year 1000-2099 is one ("5. Oktober 1544"); a bare number is not
_Y_HIST = rf"(?:{_Y}\b|1[0-8]\d\d\b(?!{_SP}*[A-ZÄÖÜ€%\d]))"  # not "3. Mai 1200 Menschen"
_D = rf"(?:[012]?[1-9]|10|20|30|31){_SP}?\."
_QUAL = r"(?:Anfang|Mitte|Ende|Beginn|Anfang|Frühjahr|Frühling|Sommer|Herbst|Winter)"
_NOT_AFTER_NUM = r"(?![\d])"
_LEFT = r"(?<![\w.\-/])"

# after a day number also all-caps abbreviations ("27. APR")
_M_AFTER_DAY = rf"(?:{_M}|(?:JAN|FEB|MÄR|MRZ|APR|JUN|JUL|AUG|SEPT|SEP|OKT|NOV|DEZ)\b)"
_DMY = rf"{_D}{_SP}*{_M_AFTER_DAY}(?:{_SP}+{_Y_HIST})?"
_NUM = (rf"(?:[0-3]?\d\.[01]?\d\.(?:{_Y}|\d\d)(?![\d.]\d)"  # 04.05.2021, 4.5.21
        rf"|{_Y}{_SP}?-[01]\d-[0-3]\d(?!\d)"                # 2021-05-04
        rf"|[0-3]?\d\.[01]?\d{_SP}?\.(?!\d)"                # 04.05., 4.5.
        rf"|[0-3]\d\.[01]\d(?![\d.:]|{_SP}*(?:Uhr|h\b|[-–]{_SP}*\d)))")  # 04.05 (not a time)
_WD_PART = rf"{_WD}(?:{_SP}*,?{_SP}*(?:de[nm]{_SP}+)?)"
# deictic day words: a definite day relative to the reference date
DEICTIC = {"heute": 0, "gestern": -1, "morgen": 1, "übermorgen": 2, "vorgestern": -2}
_DEIC = r"(?:[Hh]eute|[Gg]estern|[Mm]orgen|[Üü]bermorgen|[Vv]orgestern)"
# "morgen, den 25. März 2019": the apposition restates the day (comma required)
_LEAD = rf"(?:{_WD_PART}|{_DEIC}{_SP}*,{_SP}*(?:de[nm]{_SP}+)?)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # ranges first (longest), then single dates
    # "26. und 27. Januar": two consecutive days written as a pair are one period (see below)
    ("range_days", re.compile(
        rf"{_LEFT}(?P<d1>{_D}){_SP}*(?P<conj>bis(?:{_SP}+zum)?|[-–]|und){_SP}*"
        rf"(?P<d2>{_DMY}|[0-3]?\d\.[01]?\d\.(?:{_Y}|\d\d)?(?!\d))")),
    ("range_full", re.compile(
        rf"{_LEFT}(?P<d1>{_D}{_SP}*{_M}(?:{_SP}+{_Y})?|[0-3]?\d\.[01]?\d\.(?:{_Y})?)"
        rf"{_SP}*(?:bis(?:{_SP}+zum)?|[-–]){_SP}*(?P<d2>{_DMY}|[0-3]?\d\.[01]?\d\.(?:{_Y}|\d\d)(?!\d))")),
    ("range_months", re.compile(
        rf"\b(?P<d1>{_M}){_SP}+(?:bis|[-–]){_SP}*(?P<d2>{_M}{_SP}+{_Y})\b")),
    ("range_years", re.compile(
        rf"{_LEFT}(?P<d1>{_Y}){_SP}*(?:bis|[-–]){_SP}*(?P<d2>{_Y}){_NOT_AFTER_NUM}(?!er)"
        # season and hunting years: "2020/21", "2020/2021"
        rf"|{_LEFT}(?P<s1>{_Y})/(?P<s2>{_Y}|\d\d)(?![\d/.,]\d|\w)")),
    ("dmy", re.compile(rf"{_LEFT}(?:(?P<wd>{_LEAD}))?(?P<d>{_DMY})")),
    ("num", re.compile(rf"{_LEFT}(?:(?P<wd>{_LEAD}))?(?P<d>{_NUM})")),
    ("day_conj", re.compile(rf"{_LEFT}(?P<d>{_D})(?={_SP}*(?:und|/|,){_SP}*(?:{_WD_PART})?\d)")),
    ("wd_day", re.compile(rf"\b(?P<wd>{_WD}|(?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag)en){_SP}*,?{_SP}*(?:de[nm]{_SP}+)?(?P<d>{_D})(?!{_SP}*\d)")),
    ("month", re.compile(rf"(?:\b(?P<q>{_QUAL}){_SP}+)?\b(?P<m>{_M})(?:{_SP}+(?P<y>{_Y})\b)?(?!\w)")),
    ("year", re.compile(rf"(?:\b(?P<q>{_QUAL})(?:{_SP}+(?:des|der){_SP}+Jahres)?{_SP}+)?{_LEFT}(?P<y>{_Y})(?![^\W_]|\.\d|,\d|-\w)")),
    # "6. Jahrhundert", "Anfang des 20. Jahrhunderts" -> "0500/0599", "1900/1920"
    ("century", re.compile(
        rf"(?:\b(?P<q>Anfang|Mitte|Ende){_SP}+des{_SP}+)?{_LEFT}(?P<c>[1-9]|1\d|2[01])\.{_SP}*"
        rf"Jahrhunderts?\b")),
    ("weekday", re.compile(
        rf"(?:\b(?P<mod>vergangenen|vergangener|letzten|letzter|kommenden|kommender|nächsten|nächster|"
        rf"diesen|diesem|dieser){_SP}+)?\b(?P<wd>{_WD})\b")),
    ("deictic", re.compile(rf"(?<![\w-])(?P<w>{_DEIC})(?![\w-])")),
]

# words before a bare year that make it a year, and words after it that make it a count
_YEAR_CUES = {
    "im", "jahr", "jahres", "jahren", "seit", "bis", "ab", "von", "vom", "vor", "nach", "zwischen",
    "anfang", "mitte", "ende", "beginn", "herbst", "sommer", "winter", "frühjahr", "frühling", "um",
    "für", "in", "und", "oder", "zum", "stand", "saison", "jahrgang", "geboren", "gegründet", "seit dem",
    "haushaltsjahr", "schuljahr", "wintersemester", "sommersemester", "–", "-",
}
_ROUTE_WORDS = {"linie", "zug", "nr", "nr.", "nummer", "bus", "tram", "gleis", "kanal", "postfach",
                "plz", "§", "artikel", "art.", "abs.", "absatz", "drucksache", "seite", "s."}


def _norm_month(text: str) -> int:
    return MONTHS[text.rstrip(".").lower()]


@dataclass
class DateMatch:
    """A date found in a text: character offsets, kind and resolved ISO value."""

    start: int
    end: int
    kind: str
    value: str | None
    parts: dict[str, Any]


def reference_date(value: Any) -> _dt.date | None:
    """Coerce a reference date (date, datetime, ISO string or None) to a date."""
    return to_date(value)


_PAST_CUES = re.compile(r"\b(seit|vergangenen|vergangener|letzten|letzter|zuletzt|bereits)(\s+(dem|den|der|Anfang|Mitte|Ende|Beginn))?\s*$", re.I)
_FUTURE_CUES = re.compile(r"\b(ab|kommenden|kommender|nächsten|nächster|künftig)(\s+(dem|den|der|Anfang|Mitte|Ende|Beginn))?\s*$", re.I)


# the tense of the sentence, when no cue word stands right before the date: a finite verb
# of the past (Präteritum, or Perfekt/Plusquamperfekt: auxiliary + participle) or a future
# auxiliary / announcement verb
_PAST_TENSE = re.compile(
    r"\b(war|waren|wurde|wurden|hatte|hatten|fand|fanden|kam|kamen|begann|begannen|sagte|sagten|"
    r"erklärte|erklärten|teilte|teilten|gab|gaben|stand|standen|ging|gingen|entschied|beschloss|"
    r"forderte|forderten|legte|legten|berichtete|berichteten|startete|starteten|zeigte|zeigten)\b"
    r"|\b(hat|haben|hatte|hatten|ist|sind)\b[^.!?;]{0,80}?\b(ge\w{3,}(t|en)|\w+(iert|ert))\b", re.I)
_FUTURE_TENSE = re.compile(
    r"\b(wird|werden|wirst|soll|sollen|will|wollen|plant|planen|geplant|künftig|voraussichtlich|"
    r"demnächst|beginnt|startet|anmelden|Anmeldung|Anmeldeschluss|bevorstehend\w*)\b", re.I)
_SENT_END = re.compile(r"[.!?]\s+(?=[A-ZÄÖÜ„\"])|\n")


def _sentence_around(text: str, start: int) -> str:
    a = max((m.end() for m in _SENT_END.finditer(text, max(0, start - 300), start)), default=max(0, start - 300))
    m = _SENT_END.search(text, start)
    return text[a:m.start() if m else min(len(text), start + 300)]


def _direction(text: str, start: int) -> int:
    """-1 when the date points to the past, +1 to the future, else 0 (nearest year).

    A cue word right before ``start`` decides ("seit" past, "ab" future); else the
    sentence's tense when it is clear (past verbs and no future ones, or the reverse).
    """
    before = text[max(0, start - 30):start]
    if _PAST_CUES.search(before):
        return -1
    if _FUTURE_CUES.search(before):
        return 1
    sent = _sentence_around(text, start)
    past, future = bool(_PAST_TENSE.search(sent)), bool(_FUTURE_TENSE.search(sent))
    if past != future:
        return -1 if past else 1
    return 0


def _pick_year(cands: list[_dt.date], ref: _dt.date, direction: int) -> _dt.date | None:
    if direction < 0:
        cands = [c for c in cands if c <= ref] or cands
    elif direction > 0:
        cands = [c for c in cands if c >= ref] or cands
    return min(cands, key=lambda c: abs((c - ref).days)) if cands else None


def _day_month(day: int, month: int, year: int | None, ref: _dt.date | None,
               direction: int = 0) -> str | None:
    """ISO value of day+month(+year); a missing year is the one nearest to ``ref``
    (only past/future candidates when ``direction`` is -1/+1).

    Plain calendar arithmetic. dateparser, which resolved these strings before, gave the
    same values in every call measured (3,510 from the sample corpus, the 553 real pages
    and GermEval with three reference dates each; 253,880 synthetic ones) but one case,
    kept below.
    """
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year is not None:
        try:
            return _dt.date(year, month, day).isoformat()
        except ValueError:
            return None  # "31. Februar 2021"
    if ref is None:
        if day > calendar.monthrange(2000, month)[1]:
            return None
        return f"XXXX-{month:02d}-{day:02d}"
    cands = []
    for y in (ref.year - 1, ref.year, ref.year + 1):
        try:
            cands.append(_dt.date(y, month, day))
        except ValueError:
            continue
    if not cands and (month, day) == (2, 29):
        # where dateparser's value differed from the years around ``ref``: "29. Februar"
        # two years after a leap year (none within a year of ``ref``) is the past leap year's
        y = ref.year - 1
        while not calendar.isleap(y):
            y -= 1
        cands = [_dt.date(y, 2, 29)]
    best = _pick_year(cands, ref, direction)
    return best.isoformat() if best else None


def _month_only(month: int, year: int | None, ref: _dt.date | None, direction: int = 0) -> str:
    if year is not None:
        return f"{year:04d}-{month:02d}"
    if ref is None:
        return f"XXXX-{month:02d}"
    cands = [(y, month) for y in (ref.year - 1, ref.year, ref.year + 1)]
    if direction:
        cands = [c for c in cands if (c > (ref.year, ref.month)) - (c < (ref.year, ref.month))
                 in (direction, 0)] or cands
    best = min(cands, key=lambda c: abs((c[0] - ref.year) * 12 + month - ref.month))
    return f"{best[0]:04d}-{month:02d}"


def _weekday(wd: int, ref: _dt.date | None, mod: str | None, direction: int = 0) -> str | None:
    if ref is None:
        return None
    delta = (wd - ref.weekday()) % 7  # 0..6 days ahead
    mod = (mod or "").lower()
    if direction < 0 and not mod:
        days = delta - 7 if delta > 0 else 0
    elif mod.startswith(("vergangen", "letzt")):
        days = delta - 7 if delta > 0 else -7
    elif mod.startswith(("kommend", "nächst")):
        days = delta if delta > 0 else 7
    else:
        days = delta if delta <= 3 else delta - 7
    return (ref + _dt.timedelta(days=days)).isoformat()


def _weekday_of(text: str) -> int | None:
    m = re.match(r"(Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonnabend|Sonntag)", text)
    return WEEKDAYS[m.group(1).lower()] if m else None


def _two_digit_year(yy: int, ref: _dt.date | None) -> int:
    pivot = ((ref.year if ref else 2020) % 100) + 10
    return 2000 + yy if yy <= pivot else 1900 + yy


def _parse_single(text: str, ref: _dt.date | None,
                  direction: int = 0) -> tuple[str | None, dict[str, Any]]:
    """Resolve one date expression (no range) to (ISO value, parts)."""
    t = re.sub(r"\s+", " ", text.strip())
    y: int | None
    m = re.fullmatch(r"(\d{4}) ?-(\d\d)-(\d\d)", t)
    if m:
        y, mo, d = (int(x) for x in m.groups())
        return _day_month(d, mo, y, ref), {"day": d, "month": mo, "year": y}
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d\d)?", t.replace(" ", ""))
    if m:
        d, mo = int(m.group(1)), int(m.group(2))
        y = None
        if m.group(3):
            y = int(m.group(3))
            if y < 100:
                y = _two_digit_year(y, ref)
        return _day_month(d, mo, y, ref, direction), {"day": d, "month": mo, "year": y}
    m = re.fullmatch(r"(\d\d)\.(\d\d)", t)
    if m:
        d, mo = int(m.group(1)), int(m.group(2))
        return _day_month(d, mo, None, ref, direction), {"day": d, "month": mo, "year": None}
    m = re.fullmatch(r"(\d{1,2}) ?\. ?([A-Za-zÄÖÜäöüé]+\.?)(?: (\d{4}))?", t)
    if m and m.group(2).rstrip(".").lower() in MONTHS:
        d, mo = int(m.group(1)), _norm_month(m.group(2))
        y = int(m.group(3)) if m.group(3) else None
        return _day_month(d, mo, y, ref, direction), {"day": d, "month": mo, "year": y}
    m = re.fullmatch(r"([A-Za-zÄÖÜäöüé]+\.?)(?: (\d{4}))?", t)
    if m and m.group(1).rstrip(".").lower() in MONTHS:
        mo = _norm_month(m.group(1))
        y = int(m.group(2)) if m.group(2) else None
        return _month_only(mo, y, ref, direction), {"month": mo, "year": y}
    m = re.fullmatch(r"(\d{4})", t)
    if m:
        return m.group(1), {"year": int(m.group(1))}
    return None, {}


def _year_ok(text: str, start: int, end: int, has_qual: bool) -> bool:
    """Is the bare 4-digit number at text[start:end] a year (not a count/route number)?"""
    before = text[max(0, start - 40):start].rstrip()
    prev = re.search(r"(\S+)$", before)
    prev_word = prev.group(1) if prev else ""
    if prev_word.lower().strip(",") in _ROUTE_WORDS:
        return False
    if re.fullmatch(r"[A-ZÄÖÜ]{1,4}\d*", prev_word) and not re.fullmatch(r"[A-ZÄÖÜ]{2,}[a-z]", prev_word):
        return False  # "IC 1972", "RE 2021", "S 2"
    if prev_word.endswith(("€", "$", "Nr.")) or prev_word in {"Tel.", "Fax", "+"}:
        return False
    after = text[end:end + 40]
    nxt = re.match(rf"{_SP}*(\S+)", after)
    next_word = nxt.group(1) if nxt else ""
    if re.fullmatch(r"[\d/+()-]+", prev_word) or re.match(r"\d", next_word):
        return False  # phone numbers, "030 2000 1234", "Postfach 12 2001"
    if has_qual or prev_word.lower() in _YEAR_CUES:
        return True
    if re.match(r"[A-ZÄÖÜ][a-zäöüß]", next_word) and not re.match(
            rf"(Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)",
            next_word):
        return False  # "2000 Menschen", "1500 Euro"
    if re.match(r"(€|%|Euro|Prozent|km|m\b|kg|t\b|Mio|Mrd)", next_word):
        return False
    return True


# "Nacht Mittwoch / Donnerstag, 10. / 11. März": the first day belongs to the first weekday,
# so the second weekday must not be joined with it ("Donnerstag, 10." would be wrong)
_WD_PAIR = re.compile(
    rf"\b(?P<w1>{_WD}){_SP}*/{_SP}*(?P<w2>{_WD}){_SP}*,?{_SP}*(?P<d1>[0-3]?\d){_SP}?\."
    rf"{_SP}*/{_SP}*(?P<d2>[0-3]?\d){_SP}?\.")

# words before "Morgen"/"morgen" that make it the noun "morning" ("heute Morgen", "Guten Morgen")
_MORNING_BEFORE = {"heute", "gestern", "vorgestern", "übermorgen", "morgen", "heutigen", "gestrigen",
                   "guten", "schönen", "einen", "am", "jeden", "diesen", "diesem", "dem", "den", "der",
                   "des", "vom", "zum", "frühen", "ganzen", "nächsten", "folgenden", "montag",
                   "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"}
# prepositions before a capitalised "Morgen" that still mean "tomorrow" ("Von Morgen bis Freitag")
_TOMORROW_PREP = {"ab", "bis", "von", "für", "seit"}
# "heute" meaning "nowadays" or "until now", not a calendar day
_NOWADAYS_BEFORE = {"noch", "schon", "bereits"}
_NOWADAYS_AFTER = re.compile(  # "heute [one or two words] möglich/üblich/...": a state, nowadays
    r"(?:[^\S\n]+[^\W\d]+){0,2}?[^\S\n]+(?:möglich|üblich|selbstverständlich|gängig|"
    r"verbreitet|Standard|Alltag|bekannt|normal)\b")
_NOUN_BEFORE = {"das", "im", "vom", "dem", "des", "ins"}  # "das Heute", "im Gestern"


def _deictic_ok(text: str, start: int, end: int, word: str) -> bool:
    """Is the deictic word at ``text[start:end]`` a day ("heute", "morgen"), not a noun or idiom?"""
    before = text[max(0, start - 40):start]
    prev_m = re.search(r"(\S+)\s*$", before)
    prev = prev_m.group(1).lower().strip("(„\"'") if prev_m else ""
    sent_start = not before.strip() or bool(re.search(r"[.!?:;|\n\"„(]\s*$|^\s*$", before))
    after = text[end:end + 30]
    nxt_m = re.match(r"\s*(\S+)", after)
    nxt = nxt_m.group(1).lower().strip(",.!?;:") if nxt_m else ""
    low = word.lower()
    if (low == "heute" and re.match(r"\s+auf\s+morgen\b", after, re.I)) or (
            low == "morgen" and re.search(r"\bheute\s+auf\s*$", before, re.I)):
        return False  # "von heute auf morgen" (overnight)
    if low == "morgen":
        if prev in _MORNING_BEFORE:
            return False
        if word[0].isupper() and not sent_start and prev not in _TOMORROW_PREP:
            return False  # "der Morgen", "Morgen" inside a sentence is the noun
        return True
    if word[0].isupper() and prev in _NOUN_BEFORE:
        return False
    if low == "heute":
        if prev in _NOWADAYS_BEFORE or nxt == "noch":
            return False  # "noch heute", "schon heute", "heute noch": nowadays
        if _NOWADAYS_AFTER.match(after):
            return False  # "die heute (technisch) möglich sind": by today's standards
        if prev == "bis" and not re.match(
                r"(abend|nacht|mittag|nachmittag|vormittag|früh|morgen|\d)", nxt):
            return False  # "bis heute" (to this day), but "bis heute Abend"
    return True


def find_dates(text: str, ref: Any = None) -> list[DateMatch]:
    """All date expressions in ``text`` with their ISO values (no spaCy needed).

    Args:
        text: any German text.
        ref: reference date (date/datetime/ISO string) for missing years and
            weekdays; ``None`` leaves them unresolved (see the module docstring).

    Returns:
        Non-overlapping matches, sorted by start offset; longer matches win.
    """
    refd = reference_date(ref)
    cands: list[DateMatch] = []
    pairs = [(m.start("w1"), m.start("w2"), m.start("d1"), m.start("d2"))
             for m in _WD_PAIR.finditer(text)]
    paired_wd = {p[1] for p in pairs}
    for kind, pat in _PATTERNS:
        for m in pat.finditer(text):
            start, end = m.span()
            if kind in ("dmy", "num", "wd_day") and m.group("wd") and m.start("wd") in paired_wd:
                continue  # "Mittwoch / Donnerstag, 10. / 11.": "10." is Wednesday
            parts: dict[str, Any] = {}
            value: str | None
            if kind == "range_years" and m.group("s1"):
                y1, y2 = m.group("s1"), m.group("s2")
                y2 = y1[:2] + y2 if len(y2) == 2 else y2
                if int(y2) != int(y1) + 1:
                    continue  # "2020/23" is no season
                cands.append(DateMatch(start, end, kind, f"{y1}/{y2}", {}))
                continue
            if kind.startswith("range"):
                v1, p1 = _parse_single(m.group("d1"), refd)
                v2, p2 = _parse_single(m.group("d2"), refd)
                if kind == "range_days" and p2:
                    lead = re.match(r"\d+", m.group("d1"))
                    assert lead is not None  # the d1 group starts with the day number
                    d1 = int(lead.group(0))
                    v1, p1 = (_day_month(d1, p2["month"], p2.get("year"), refd),
                              {"day": d1, "month": p2["month"], "year": p2.get("year")})
                    if refd is not None and p2.get("year") is None and v1 and v2 and v1 > v2:
                        v1 = None
                    if m.group("conj") == "und" and d1 + 1 != p2.get("day"):
                        continue  # "3. und 10. Mai" are two dates ("day_conj" below)
                elif kind == "range_full" and p1 and p2 and p1.get("year") is None and p2.get("year"):
                    v1, p1 = _parse_single(f"{p1['day']}.{p1['month']}.{p2['year']}", refd)
                elif kind == "range_months" and p1 and p2:
                    y = p2["year"] - (1 if p1["month"] > p2["month"] else 0)
                    v1 = f"{y:04d}-{p1['month']:02d}"
                elif kind == "range_years":
                    if not (int(m.group("d1")) < int(m.group("d2"))):
                        continue
                if v1 is None or v2 is None:
                    continue
                value = f"{v1}/{v2}"
                parts = {"range": (p1, p2),
                         "ends": ((m.start("d1"), m.end("d1"), v1), (m.start("d2"), m.end("d2"), v2))}
            elif kind in ("dmy", "num"):
                if kind == "num":
                    raw = m.group("d")
                    if re.fullmatch(r"\d\d\.\d\d", raw) and re.search(
                            r"\b(um|gegen|ca\.|etwa|von|zwischen)\s*$", text[max(0, start - 12):start]):
                        continue  # "um 14.05" is a clock time
                value, parts = _parse_single(m.group("d"), refd, _direction(text, start))
                if value is None and kind == "num":
                    continue
                if m.group("wd") and not value:
                    value = None
            elif kind == "day_conj":
                lead = re.match(r"\d+", m.group("d"))
                assert lead is not None  # the d group starts with the day number
                d = int(lead.group(0))
                parts = {"day": d, "needs_month": True, "strict": True}
                value = None
            elif kind == "wd_day":
                lead = re.match(r"\d+", m.group("d"))
                assert lead is not None  # the d group starts with the day number
                d = int(lead.group(0))
                parts = {"day": d, "weekday": _weekday_of(m.group("wd")), "needs_month": True}
                value = None
            elif kind == "month":
                if m.group("m") == "August" and not m.group("y") and re.match(
                        rf"{_SP}+[A-ZÄÖÜ][a-zäöü]", text[end:end + 3]):
                    continue  # "August Bebel"
                if m.group("m").endswith(".") and not m.group("y") and not m.group("q"):
                    continue  # "Okt." alone: too ambiguous
                mo = _norm_month(m.group("m"))
                y = int(m.group("y")) if m.group("y") else None
                value = _month_only(mo, y, refd, _direction(text, start))
                parts = {"month": mo, "year": y}
            elif kind == "deictic":
                word = m.group("w")
                if not _deictic_ok(text, start, end, word):
                    continue
                offset = DEICTIC[word.lower()]
                value = (refd + _dt.timedelta(days=offset)).isoformat() if refd else None
                parts = {"deictic": offset}
            elif kind == "century":
                first = (int(m.group("c")) - 1) * 100
                lo, hi = {"Anfang": (0, 20), "Mitte": (40, 60), "Ende": (80, 99)}.get(m.group("q") or "", (0, 99))
                value, parts = f"{first + lo:04d}/{first + hi:04d}", {"century": int(m.group("c"))}
            elif kind == "year":
                ys, ye = m.span("y")
                if not _year_ok(text, ys, ye, bool(m.group("q"))):
                    continue
                value, parts = m.group("y"), {"year": int(m.group("y"))}
            else:  # weekday
                mod = m.group("mod")
                start = m.start("mod") if mod and not mod.lower().startswith("dies") else m.start("wd")
                wd = _weekday_of(m.group("wd"))
                assert wd is not None  # the wd group starts with a full weekday name
                value = _weekday(wd, refd, m.group("mod"), _direction(text, start))
                parts = {"weekday": wd}
            if kind in ("dmy", "num", "wd_day") and m.group("wd"):
                parts["core_start"] = m.start("d")
            cands.append(DateMatch(start, end, kind, value, parts))
    # longest first, then earliest; drop overlaps
    cands.sort(key=lambda c: (-(c.end - c.start), c.start))
    chosen: list[DateMatch] = []
    taken: list[tuple[int, int]] = []
    for c in cands:
        if any(c.start < e and s < c.end for s, e in taken):
            continue
        chosen.append(c)
        taken.append((c.start, c.end))
    chosen.sort(key=lambda c: c.start)
    _resolve_day_only(text, chosen, refd)
    by_start = {c.start: c for c in chosen}
    for w1, w2, d1, d2 in pairs:  # each weekday of a pair takes the value of its day
        for w, d in ((w1, d1), (w2, d2)):
            wm, dm = by_start.get(w), by_start.get(d)
            if wm is None or dm is None or wm.kind != "weekday" or not dm.value:
                continue
            day = dm.value.split("/")[0]
            if "X" not in day and _dt.date.fromisoformat(day).weekday() == wm.parts["weekday"]:
                wm.value = day
    return chosen


def _resolve_day_only(text: str, matches: list[DateMatch], ref: _dt.date | None) -> None:
    """Fill in month/year of "Freitag, 17." from the next date of the sentence or from ref."""
    drop = []
    for i, c in enumerate(matches):
        if not c.parts.get("needs_month"):
            continue
        day, wd = c.parts["day"], c.parts.get("weekday")
        for nxt in matches[i + 1:i + 3]:
            gap = text[c.end:nxt.start]
            p = (nxt.parts["range"][0] if "range" in nxt.parts else nxt.parts) or {}
            if len(gap) <= 60 and "\n" not in gap and p.get("month"):
                c.value = _day_month(day, p["month"], p.get("year"), ref)
                break
        if c.parts.get("strict"):
            if c.value is None:
                drop.append(c)
            continue
        if c.value is None and ref is not None:
            best = None
            for k in range(-3, 4):
                y, mo = divmod(ref.year * 12 + ref.month - 1 + k, 12)
                try:
                    cand = _dt.date(y, mo + 1, day)
                except ValueError:
                    continue
                if wd is not None and cand.weekday() != wd:
                    continue
                if best is None or abs((cand - ref).days) < abs((best - ref).days):
                    best = cand
            c.value = best.isoformat() if best else None
    for c in drop:
        matches.remove(c)


def split_ranges(matches: Iterable[DateMatch]) -> list[DateMatch]:
    """Replace each range match by its two end points (for corpora that annotate so)."""
    out: list[DateMatch] = []
    for m in matches:
        if "ends" in m.parts:
            for s, e, v in m.parts["ends"]:
                out.append(DateMatch(s, e, m.kind + "_end", v, {}))
        else:
            out.append(m)
    return out


# Full calendar dates for structure parsing (a dateline's date, a page's date): day, month
# and year anywhere in a text, any spelling of MONTHS in any case ("5. MAI 2021", "21. Jan
# 2022"), range ends and glued text included. Wider and cheaper than find_dates, which
# would change 20 of the 553 real pages' dates and take 16 times as long (measured).
_FULL_DATE_PATTERNS = (
    re.compile(r"(?P<d>\d{1,2})\.\s*(?P<mname>[A-Za-zÄÖÜäöü]{3,9})\.?\s+(?P<y>\d{4})"),
    re.compile(r"(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4}|\d{2})\b"),
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"),
)


def _full_date(m: re.Match[str]) -> _dt.date | None:
    gd = m.groupdict()
    month = int(gd["m"]) if gd.get("m") else MONTHS.get(gd["mname"].lower().rstrip("."))
    if not month:
        return None
    year = int(gd["y"])
    value = _day_month(int(gd["d"]), month, _two_digit_year(year, None) if year < 100 else year, None)
    return _dt.date.fromisoformat(value) if value else None


def iter_german_dates(text: str) -> Iterator[_dt.date]:
    """Every full calendar date (day, month and year) in ``text``, in reading order
    ("5. Mai 2021", "05.05.2021", "2021-05-05")."""
    matches = sorted((m for rx in _FULL_DATE_PATTERNS for m in rx.finditer(text)),
                     key=lambda m: m.start())
    for m in matches:
        day = _full_date(m)
        if day is not None:
            yield day


def parse_german_date(text: str) -> _dt.date | None:
    """The first full calendar date in ``text`` ("5. Mai 2021", "05.05.2021", "2021-05-05"),
    trying the written-out form first."""
    for rx in _FULL_DATE_PATTERNS:
        m = rx.search(text)
        day = _full_date(m) if m else None
        if day is not None:
            return day
    return None
