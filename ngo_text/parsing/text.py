"""Structure of a press release given as text: title, dateline, lead, paragraphs, teasers.

The input is a list of *blocks* (a block is a list of lines; in plain text blocks
are separated by blank lines, from HTML each extracted element is one block).
:func:`analyse_blocks` walks the blocks once with a small state machine:

``body``
    lines are kept (after boilerplate removal) and grouped into paragraphs;
``teaser``
    entered at a teaser heading ("Das könnte dich auch interessieren…", see
    ``resources/teaser_headings.txt``); lines become :class:`~ngo_text.model.Teaser`
    items (a short title line followed by summary lines);
``closed``
    (web pages) entered at the heading of a section after the article ("Kontakt:", "Weitere
    Informationen", "Originalpublikation", "Kommentare"; ``>`` rules of
    ``boilerplate.txt``): lines are dropped up to the next long block (> 400 characters);
``after``
    entered when boilerplate follows the teasers (donation call, sign-up ...),
    or at a footer start ("Impressum", "Donor Portal" ...): everything is dropped.

Boilerplate rules live in ``resources/boilerplate.txt`` (data, not code). The
first body paragraph gives the dateline ("Berlin – ...", "Berlin, 5. Mai 2021 –",
"BERLIN (dpa) -"), which is removed from the lead and kept separately.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ..model import Teaser
from .dates import parse_german_date

_WS_RE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
# soft hyphen, word joiner, byte-order mark: invisible, and they split words for a search
_INVISIBLE_RE = re.compile("[\u00ad\u2060\ufeff]")
_TRAIL_RE = re.compile(r"[\s.…:!|»›>\-–—]+$")
_LEAD_PUNCT_RE = re.compile(r"^[\s|»›>•·\-–—]+")

#: Blocks with at most this many lines/characters are dropped whole when they
#: contain a call to action ("*" rules).
_CALL_BLOCK_LINES = 6
_CALL_BLOCK_CHARS = 700
#: HTML pages: a teaser heading opens a teaser zone only after this much body
#: text, and a block longer than this many characters ends the zone.
_PAGE_MIN_BODY = 200
_PAGE_RESUME_CHARS = 400
#: Web pages: a line of at most this many words without a sentence end above the first
#: paragraph is a kicker or subtitle ("Eine Kolumne von Nils Pickert"), not the lead.
_PAGE_KICKER_WORDS = 7
#: At most this many blocks are analysed (a press release has a few dozen).
MAX_BLOCKS = 5000
#: Phrase and regex rules only apply to lines up to this length.
_SHORT_LINE = 300


# --------------------------------------------------------------------------- rules
@dataclass(frozen=True)
class _Rules:
    exact: frozenset[str]
    prefixes: tuple[str, ...]
    regexes: tuple[re.Pattern[str], ...]
    calls: tuple[re.Pattern[str], ...]
    footer: frozenset[str]
    footer_regexes: tuple[re.Pattern[str], ...]
    teaser_headings: frozenset[str]
    closers: frozenset[str] = frozenset()
    closer_regexes: tuple[re.Pattern[str], ...] = ()


def _read_lines(name: str) -> list[str]:
    raw = resources.files("ngo_text.resources").joinpath(name).read_text(encoding="utf-8")
    return [ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@lru_cache(maxsize=1)
def rules() -> _Rules:
    """The boilerplate and teaser-heading rules from ``ngo_text/resources`` (cached)."""
    exact, prefixes, regexes, calls, footer, footer_re = set(), [], [], [], set(), []
    closers: set[str] = set()
    closer_re: list[re.Pattern[str]] = []
    for line in _read_lines("boilerplate.txt"):
        tag, _, rest = line.partition(" ")
        rest = rest.strip()
        if tag == "=":
            exact.add(line_key(rest))
        elif tag == "^":
            prefixes.append(line_key(rest))
        elif tag == "~":
            regexes.append(re.compile(rest, re.I))
        elif tag == "*":
            calls.append(re.compile(rest, re.I))
        elif tag == "!":
            footer.add(line_key(rest))
        elif tag == "!~":
            footer_re.append(re.compile(rest, re.I))
        elif tag == ">":
            closers.add(line_key(rest))
        elif tag == ">~":
            closer_re.append(re.compile(rest, re.I))
        else:
            raise ValueError(f"boilerplate.txt: unknown rule {line!r}")
    headings = frozenset(line_key(h) for h in _read_lines("teaser_headings.txt"))
    return _Rules(frozenset(exact), tuple(prefixes), _combine(regexes), _combine(calls),
                  frozenset(footer), _combine(footer_re), headings, frozenset(closers), _combine(closer_re))


def _combine(patterns: list[re.Pattern[str]]) -> tuple[re.Pattern[str], ...]:
    """One alternation instead of many patterns (one scan per line)."""
    if not patterns:
        return ()
    return (re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.I),)


def normalise_line(line: str) -> str:
    """Collapse whitespace (incl. no-break and zero-width spaces), drop soft hyphens and
    word joiners ("Mit\u00adtel\u00adal\u00adter" -> "Mittelalter") and strip."""
    return _WS_RE.sub(" ", _INVISIBLE_RE.sub("", line)).strip()


def line_key(line: str) -> str:
    """Lower-cased line without trailing punctuation/ellipsis, for phrase rules."""
    return _LEAD_PUNCT_RE.sub("", _TRAIL_RE.sub("", normalise_line(line).lower()))


@lru_cache(maxsize=8192)
def is_call_to_action(line: str) -> bool:
    """``True`` for donation / sign-up calls ("Jetzt spenden", "Dann spende jetzt.")."""
    low = line.lower()
    return len(line) <= 200 and any(r.search(low) for r in rules().calls)


@lru_cache(maxsize=8192)
def is_boilerplate(line: str) -> bool:
    """``True`` when a single line is boilerplate (navigation, sharing, cookies, calls)."""
    if len(line) > _SHORT_LINE:
        return False
    r = rules()
    key = line_key(line)
    if not key:
        return True
    if key in r.exact or key in r.footer:
        return True
    if any(key.startswith(p) for p in r.prefixes):
        return True
    low = normalise_line(line).lower()
    if any(rx.search(low) for rx in r.regexes):
        return True
    return is_call_to_action(line) or is_footer_start(line)


@lru_cache(maxsize=8192)
def is_section_closer(line: str) -> bool:
    """``True`` for the heading of a section after the article ("Kontakt:", "Weitere
    Informationen", "Originalpublikation", "Über den Autor", "Kommentare"), see the ``>``
    rules of ``boilerplate.txt``: its lines up to the next long paragraph are no article text."""
    r = rules()
    return _listed(line, 120, r.closers, r.closer_regexes)


@lru_cache(maxsize=8192)
def is_footer_start(line: str) -> bool:
    """``True`` for lines that start the site footer ("Impressum", "Donor Portal", "© 2021 ...")."""
    r = rules()
    return _listed(line, 160, r.footer, r.footer_regexes)


def _listed(line: str, max_len: int, keys: frozenset[str], regexes: tuple[re.Pattern[str], ...]) -> bool:
    """A line of at most ``max_len`` characters whose key is in ``keys`` or whose start matches one of ``regexes``."""
    if len(line) > max_len:
        return False
    if line_key(line) in keys:
        return True
    low = normalise_line(line).lower()
    return any(rx.match(low) for rx in regexes)


# the role line of a press contact closing the article ("Pressesprecher*in Markus Ulrich",
# "Stellvertretende Pressesprecherin und Bereichsleitung Presse"): a person's role, then role words
# and names only, so "Pressesprecherin Anna Klein sagte dazu nichts" (running text) is none, and a
# "Pressekontakt" box inside a page is left to the footer rules (pages keep the text after it)
_CONTACT_ROLE_RE = re.compile(
    r"^(?:Stellvertretende[rn]?\s+)?(?:Presse|Medien)(?:sprecher|referent)\S*"
    r"(?:\s+(?:und|für|der|des|&|[A-ZÄÖÜ][\w*.\-]*))*\s*$")
# a name or organisation line above it ("Alexandra Weber", "LSVD-Bundesverband")
_CONTACT_NAME_RE = re.compile(r"^[A-ZÄÖÜ][\w.\-]*(?:\s+[A-ZÄÖÜ][\w.\-]*){0,3}$")


_CREDIT_RE = re.compile(r"^\s*(?:©|\(c\)|Fotos?:|Bild:|Foto/Grafik:|(?:Symbol|Titel|Beitrags)(?:bild|foto|grafik):)"
                        r"\s*\S.{0,120}$|^.{0,300}\((?:Fotos?|Bild|Grafik):\s*[^()]{2,80}\)\s*$", re.IGNORECASE)


def drop_credits(line: str) -> str:
    """A page line without its photo credit and the caption right above it.

    Web pages put an image's caption, its credit ("© Presse- und Informationsamt der
    Bundesregierung | Name") and the next paragraph into one element; the credit and
    a caption line before it (short, no sentence end) are no article text.
    """
    if "\n" not in line:
        return line
    subs = line.split("\n")
    out: list[str] = []
    for sub in subs:
        if _CREDIT_RE.match(sub):
            if out and not out[-1].strip():
                out.pop()
            if out and len(out[-1].strip()) <= 200 and not _ends_sentence(out[-1].strip()):
                out.pop()  # the caption above the credit
            continue
        out.append(sub)
    return "\n".join(out).strip("\n ") if len(out) != len(subs) else line


def is_contact_role(line: str) -> bool:
    """``True`` for the role line of a press contact ("Pressesprecherin Anna Klein").

    A line of a web page may hold the name, the role and the address on lines of
    its own ("Alexandra Weber\n\nStellvertretende Pressesprecherin"): then the
    role line must come after at most two name lines.
    """
    subs = [normalise_line(x) for x in line.split("\n") if x.strip()]
    for i, sub in enumerate(subs[:3]):
        if len(sub) <= 160 and _CONTACT_ROLE_RE.match(sub):
            return True
        if not _CONTACT_NAME_RE.match(sub):
            return False
    return False


@lru_cache(maxsize=8192)
def teaser_heading(line: str) -> tuple[bool, str | None]:
    """Recognise a teaser heading.

    Returns:
        ``(True, None)`` for a whole-line heading ("Lesen Sie auch:"),
        ``(True, title)`` for an inline teaser ("Lesen Sie auch: Neue Studie ..."),
        ``(False, None)`` otherwise.
    """
    if len(line) > 250:
        return False, None
    headings = rules().teaser_headings
    key = line_key(line)
    if key in headings:
        return True, None
    m = re.match(r"^\s*([^:]{4,60}?)\s*(?::|…|\.\.\.|–|—)\s+(\S.{5,})$", normalise_line(line))
    if m and line_key(m.group(1)) in headings:
        return True, m.group(2).strip()
    return False, None


# --------------------------------------------------------------------------- dateline
_PLACE_WORD = r"(?:[A-ZÄÖÜ][\w'’-]*\.?)"
_PLACE = (rf"{_PLACE_WORD}(?:(?:\s+(?:am|an\s+der|im|in\s+der|ob\s+der|bei|vor\s+der|upon|on)\s+"
          rf"|\s*/\s*|\s+){_PLACE_WORD}){{0,3}}")
_DATE = (r"(?:\d{1,2}\.\s*(?:[A-ZÄÖÜ][a-zäöü]{2,8}\.?|\d{1,2}\.)\s*(?:\d{2,4})?|\d{4}-\d{2}-\d{2}"
         r"|[A-ZÄÖÜ][a-zäöü]{2,8}\s+\d{4})")
_DATELINE_RE = re.compile(
    rf"^(?P<place>{_PLACE})(?:\s*\((?P<agency>[^()]{{1,40}})\))?"
    rf"(?:\s*,\s*(?:(?:den|am)\s+)?(?P<date>{_DATE}))?"
    rf"(?:\s*\((?P<agency2>[^()]{{1,40}})\))?"
    rf"(?P<sep>\s*(?:[–—]|--?|\|)\s+|(?<=\d)\.\s+|(?<=\d)\s*:\s+|\s*:\s+(?=[A-ZÄÖÜ„\"»]))(?=\S)"
)
_LONE_DATELINE_RE = re.compile(
    rf"^(?:(?P<place>{_PLACE})\s*,\s*(?:(?:den|am)\s+)?)?(?P<date>{_DATE})\.?$"
)
_LONE_PLACE_RE = re.compile(rf"^(?P<place>{_PLACE})\s*[-–—]$")
_DATE_LABEL_RE = re.compile(rf"^(?P<date>{_DATE})(?:\s*[|·/–-]\s*\w[\w ]{{0,40}}"
                            rf"|(?:,|\s*[|·/–-])?\s*\d{{1,2}}[:.]\d{{2}}(?:\s*Uhr)?)$")
_NOT_PLACE = frozenset("""der die das den dem des ein eine einer eines einem am im in mit nach seit
heute gestern morgen auch doch und aber wir ich sie es er man wer was wie wo wann warum als bei für
von vom zum zur auf aus unter über durch gegen so laut dazu hier dort damit dabei denn
pressemitteilung pressemeldung presseinformation foto bild""".split())


@dataclass
class Dateline:
    """A parsed dateline: the place, an optional date, and the text after it."""

    place: str
    date: _dt.date | None
    rest: str


def split_dateline(paragraph: str) -> Dateline | None:
    """Split a dateline off the start of ``paragraph``.

    Recognises "Berlin – Text", "Berlin, 5. Mai 2021 – Text", "BERLIN (dpa) - Text",
    "Frankfurt am Main/Genf – Text", "Berlin, 05.05.2021. Text". The place is
    returned in title case when it was written in capitals ("BERLIN" -> "Berlin").
    """
    m = _DATELINE_RE.match(paragraph)
    if not m:
        return None
    place = m.group("place").strip()
    first = re.split(r"[\s/]", place)[0].lower().rstrip(".")
    if first in _NOT_PLACE or len(place) > 50:
        return None
    if m.group("sep").strip() == ":" and not (m.group("date") or m.group("agency")):
        return None  # "Fazit: ..." is no dateline
    rest = paragraph[m.end():].strip()
    if not rest:
        return None
    if place.isupper() and len(place) > 3:
        place = " ".join(w.capitalize() if w.isupper() else w for w in place.split(" "))
        place = "/".join(p[:1].upper() + p[1:] for p in place.split("/"))
    date = parse_german_date(m.group("date")) if m.group("date") else None
    return Dateline(place=place, date=date, rest=rest)


# --------------------------------------------------------------------------- blocks
def split_blocks(text: str) -> list[list[str]]:
    """Split plain text into blocks (separated by blank lines) of normalised lines."""
    blocks: list[list[str]] = []
    for raw in re.split(r"\n[ \t\u00a0]*\n+", text):
        lines = [normalise_line(ln) for ln in raw.split("\n")]
        lines = [ln for ln in lines if ln]
        if lines:
            blocks.append(lines)
    return blocks


_END_PUNCT = (".", "!", "?", "…", ":", ";")
_CLOSE_QUOTES = "\"“”»«'’)"


def _ends_sentence(line: str) -> bool:
    return line.rstrip(_CLOSE_QUOTES + " ").endswith(_END_PUNCT)


def group_lines(lines: list[str], *, join: bool = True) -> list[str]:
    """Group the lines of one block into paragraphs.

    With ``join`` (plain text), a line is joined with the next one when it looks
    hard-wrapped (at least 40 characters and no sentence end); short lines and
    lines ending a sentence start a new paragraph. Without ``join`` (HTML blocks),
    the lines form one paragraph joined by newlines (list items, table rows).
    """
    if not join:
        return ["\n".join(lines)] if lines else []
    paras: list[str] = []
    cur = ""
    for ln in lines:
        if not cur:
            cur = ln
        elif len(cur.rsplit("\n", 1)[-1]) >= 40 and not _ends_sentence(cur):
            cur = cur[:-1] + ln if cur.endswith("-") and ln[:1].islower() else cur + " " + ln
        else:
            paras.append(cur)
            cur = ln
    if cur:
        paras.append(cur)
    return paras


# --------------------------------------------------------------------------- teasers
def _title_like(line: str) -> bool:
    return 8 <= len(line) <= 160 and not _ends_sentence(line) and len(line.split()) >= 2


_DATE_ONLY_RE = re.compile(rf"^(?:{_DATE}|\d{{1,2}}\.\d{{1,2}}\.\d{{2,4}})\s*$")


def parse_teaser_lines(blocks: list[list[str]]) -> list[Teaser]:
    """Turn the lines of a teaser zone into :class:`Teaser` items.

    A title is a short line without sentence end; the lines after it (up to the
    next title) form its summary. Pure date lines are skipped.
    """
    teasers: list[Teaser] = []
    for block in blocks:
        for line in block:
            if _DATE_ONLY_RE.match(line) or is_boilerplate(line):
                continue
            cur = teasers[-1] if teasers else None
            if cur is None or _title_like(line) and (cur.summary is not None or len(line) <= 100):
                teasers.append(Teaser(title=line.strip()))
            elif cur.summary is None:
                cur.summary = line.strip()
            else:
                cur.summary = f"{cur.summary} {line.strip()}"
    return [t for t in teasers if t.title]


_MENU_SEP_RE = re.compile(r"\s[|•·]\s")


def _alnum_key(text: str) -> str:
    """Letters and digits only, lower-cased: "Korsetts – Shops" and "Korsetts - Shops" alike."""
    return re.sub(r"[\W_]+", "", text.casefold())


def _headline_piece(line: str, title: str) -> bool:
    """``True`` when every line of ``line`` is the headline ``title`` or a piece of it
    (at least 3 letters and no sentence end, so that a lead sentence quoting it stays)."""
    tkey = _alnum_key(title)
    subs = [normalise_line(x) for x in line.split("\n") if x.strip()]
    return bool(subs) and len(subs) <= 3 and all(
        len(k := _alnum_key(x)) >= 3 and k in tkey and (k == tkey or not _ends_sentence(x)) for x in subs)


def _header_fragment(line: str, title: str) -> bool:
    """``True`` for a line of a web page's header above the lead, not the lead itself.

    A piece of the headline ("Siemens und die Kohlemine Adani" under the title "Siemens
    und die Kohlemine Adani: Kaeser …"), short kicker lines ("Politik\nMietenstreik in den
    USA", at most three lines, each a headline piece or at most four words without a
    sentence end), or a menu row ("Blog | Registrieren | Login").
    """
    subs = [normalise_line(x) for x in line.split("\n") if x.strip()]
    tkey = line_key(title) if title else ""

    def piece(sub: str) -> bool:
        key = line_key(sub)
        if tkey and len(key) >= 3 and key in tkey:
            return True
        return len(sub.split()) <= 4 and not re.search(r"[.!?:;,“\"»)]$", sub)

    if subs and len(subs) <= 3 and all(piece(x) for x in subs):
        return True
    parts = _MENU_SEP_RE.split(line)
    return len(parts) >= 3 and all(1 <= len(x.split()) <= 4 for x in parts) and not _ends_sentence(line)


# --------------------------------------------------------------------------- main walk
@dataclass
class Structure:
    """The result of :func:`analyse_blocks`."""

    title: str = ""
    dateline: str | None = None
    dateline_date: _dt.date | None = None
    lead: str = ""
    paragraphs: list[str] = field(default_factory=list)
    teasers: list[Teaser] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def analyse_text(text: str) -> Structure:
    """Analyse a plain-text press release (see module docstring)."""
    return analyse_blocks(split_blocks(text))


def analyse_blocks(blocks: list[list[str]], *, title: str | None = None, join: bool = True,
                   teasers: list[Teaser] | None = None) -> Structure:
    """Walk ``blocks`` and build a :class:`Structure`.

    Args:
        blocks: Blocks of normalised, non-empty lines.
        title: A known title (from HTML metadata); when ``None`` the first body
            line is the title. A first body paragraph equal to it is dropped.
        join: Join hard-wrapped lines (plain text) or keep each block as one paragraph (HTML).
        teasers: Teasers already found elsewhere (HTML link blocks); text teasers
            are added only when their title is new.
    """
    st = Structure(teasers=list(teasers or []))
    body: list[str] = []
    zone: list[list[str]] = []
    state = "body"
    page = not join  # HTML: trafilatura already cut the page; be conservative
    if len(blocks) > MAX_BLOCKS:
        st.warnings.append(f"only the first {MAX_BLOCKS} of {len(blocks)} text blocks were read")
        blocks = blocks[:MAX_BLOCKS]
    untitled = False  # plain text that opens with its dateline paragraph

    def flush(kept: list[str], where: str) -> None:
        nonlocal untitled
        if not kept:
            return
        if where == "body":
            if join and title is None and not st.title and not body:
                if split_dateline(kept[0]) and _ends_sentence(kept[0]):
                    # "Berlin – Die … ." opens the body: the text has no title line
                    st.warnings.append("no title line: the text starts with the dateline")
                    untitled = True
                else:
                    st.title = kept.pop(0)  # plain text: the first line is the title
            body.extend(group_lines(kept, join=join))
        elif where == "teaser":
            zone.append(list(kept))

    for block in blocks:
        if state == "after":
            break
        if page and state in ("teaser", "closed") and sum(map(len, block)) > _PAGE_RESUME_CHARS:
            state = "body"  # running text again: the heading was a sidebar box
        short_block = len(block) <= _CALL_BLOCK_LINES and sum(map(len, block)) <= _CALL_BLOCK_CHARS
        if short_block and any(is_call_to_action(ln) for ln in block):
            if state == "teaser" and zone:
                state = "after"
            continue
        kept: list[str] = []
        for line in block:
            line = drop_credits(line)
            if not line.strip():
                continue
            if is_contact_role(line) and body and state == "body":
                # the press contact closes the article: drop it, its name lines and the rest
                for _ in range(2):
                    if kept and _CONTACT_NAME_RE.match(normalise_line(kept[-1])):
                        kept.pop()
                    elif not kept and body and _CONTACT_NAME_RE.match(normalise_line(body[-1])):
                        body.pop()
                flush(kept, state)
                kept, state = [], "after"
                break
            if is_footer_start(line) and (body or zone or kept or state != "body"):
                if page:
                    continue
                flush(kept, state)
                kept, state = [], "after"
                break
            if page and is_section_closer(line):
                # web pages only: in a copied page's text such words are its menu
                if sum(map(len, body)) + sum(map(len, kept)) < _PAGE_MIN_BODY:
                    continue  # "Kontakt" before the article: navigation
                # contact lines, links, author notes under the heading: dropped
                flush(kept, state)
                kept, state = [], "closed"
                continue
            head, inline = teaser_heading(line)
            if head and inline is None and page and sum(map(len, body)) < _PAGE_MIN_BODY:
                continue  # a teaser heading before the article: navigation
            if head and inline is None:
                flush(kept, state)
                kept, state = [], "teaser"
                continue
            if head and inline:
                st.teasers.append(Teaser(title=inline))
                continue
            if is_boilerplate(line):
                if state == "teaser" and (zone or kept):
                    flush(kept, state)
                    kept, state = [], "after"
                    break
                continue
            kept.append(line)
        flush(kept, state)
    # title
    if title:
        st.title = normalise_line(title)
        if body and line_key(body[0]) == line_key(st.title):
            body.pop(0)
    elif body and not st.title and not untitled:
        first = body.pop(0)
        if "\n" in first:
            first, rest = first.split("\n", 1)
            body.insert(0, rest)
        elif len(first) > 300 and not join:
            body.insert(0, first)
            first = ""
        st.title = first
    # a kicker above the title repeated as the page's headline ("Gesundheit" / "Was bringen
    # alternative Therapien bei Krebs?"): neither is the lead
    if len(body) >= 3 and st.title and "\n" not in body[0] and len(body[0].split()) <= 3 \
            and line_key(body[1]) == line_key(st.title) and not re.search(r"[.!?:;,“\"»)]$", body[0].strip()):
        del body[:2]
    # web pages: the headline repeated ("Korsetts – Shops" for the title "Korsetts - Shops")
    # or a piece of it ("Unser wahres Ich" under "Rutger Bregman: Unser wahres Ich") above
    # the text: the title holds it already
    while page and len(body) >= 2 and st.title and _headline_piece(body[0], st.title):
        body.pop(0)
    # lines above the lead that are no lead: a place left alone by the page's markup
    # ("Dübendorf -"), a date with a category ("24. April 2020 | Pressemitteilungen"), a
    # kicker ("Auto", "Semesterstart"); only when a real paragraph follows
    # (web pages also: a piece of the headline, short kicker lines, a menu row)
    while len(body) >= 2 and any(len(b.split()) >= 15 for b in body[1:4]):
        first = body[0].strip()
        if "\n" in first:
            if page and _header_fragment(first, st.title):
                body.pop(0)
                continue
            break
        m = _LONE_PLACE_RE.match(first)
        d = _DATE_LABEL_RE.match(first)
        if m and not st.dateline:
            st.dateline = m.group("place")
        elif d:
            st.dateline_date = st.dateline_date or parse_german_date(d.group("date"))
        elif not (len(first.split()) <= (_PAGE_KICKER_WORDS if page else 4)
                  and not re.search(r"[.!?:;,“\"»)]$", first)
                  and not _LONE_DATELINE_RE.match(first)) and not (page and _header_fragment(first, st.title)):
            break
        body.pop(0)
        if body and st.title and line_key(body[0]) == line_key(st.title):
            body.pop(0)  # the title repeated under its kicker
    # dateline: a lone "Berlin, 5. Mai 2021" line, or the start of the first paragraph
    if body:
        m = _LONE_DATELINE_RE.match(body[0])
        if m and (m.group("place") or len(body) > 1):
            st.dateline = m.group("place")
            st.dateline_date = parse_german_date(m.group("date"))
            body.pop(0)
    if body:
        dl = split_dateline(body[0])
        if dl is not None:
            st.dateline = dl.place
            st.dateline_date = st.dateline_date or dl.date
            body[0] = dl.rest
    if body:
        st.lead, st.paragraphs = body[0], body[1:]
    if zone:
        seen = {line_key(t.title) for t in st.teasers}
        for t in parse_teaser_lines(zone):
            if line_key(t.title) not in seen:
                st.teasers.append(t)
                seen.add(line_key(t.title))
    return st
