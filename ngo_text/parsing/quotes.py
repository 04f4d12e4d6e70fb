"""Quotations with speaker, role and organisation (rule-based, no model).

:func:`find_quote_spans` finds top-level quotations in „…“, "…", »…«, «…», “…”
(nested quotes inside a quotation stay part of it). :func:`extract_quotes`
attributes each quotation from its sentence:

* before the quote: "Dietmar Roller, Vorstandsvorsitzender von IJM, zeigt sich
  erfreut: „…“", "Roller sagt: „…“", "Dazu erklärt Anna Schmidt: „…“";
* after the quote: "„…“, skizziert Roller die Position von IJM.", "„…“, sagt Anna
  Schmidt, Referentin für Migration bei Pro Asyl.", "„…“, so die Geschäftsführerin
  von X, Maria Y.", "„…“, sagt sie." (pronoun -> the person named last before
  the quote, else the previous speaker);
* a source line: "„…“ – Mara Klein, Klägerin aus Oldenburg" (HTML ``<blockquote>``
  sources are moved into the quote paragraph this way by :mod:`.html`).

A surname resolves to a full name mentioned in the article ("Roller" ->
"Dietmar Roller", "sagte Weiß" -> "Daniel Weiß") and inherits the role and organisation known for that person.
Names resolve through :class:`~ngo_text.parsing.names.PersonNames`, the resolver of the
entity linker too: a speaker is written as the person entity's canonical name (no
academic titles: "Dr. Sabine Keller" -> "Sabine Keller"; a surname two persons share
stays the bare surname).
Speech verbs and role words are data: ``resources/speech_verbs.txt`` and
the ``[quotes]`` list of ``resources/roles.txt``. The rules are heuristics for press-release German; a
quote whose speaker cannot be found keeps ``speaker=None``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..model import Quote
from ..resources import role_words
from .names import TITLE, PersonNames

# --------------------------------------------------------------------------- resources


def _read(name: str) -> list[str]:
    raw = resources.files("ngo_text.resources").joinpath(name).read_text(encoding="utf-8")
    return [ln.strip().lower() for ln in raw.splitlines() if ln.strip() and not ln.strip().startswith("#")]


@lru_cache(maxsize=1)
def speech_verbs() -> frozenset[str]:
    """Inflected speech verbs from ``resources/speech_verbs.txt``."""
    return frozenset(_read("speech_verbs.txt"))


def is_role_word(word: str) -> bool:
    """``True`` when ``word`` is a role word of the ``[quotes]`` list of ``resources/roles.txt``
    ("Vorstandsvorsitzender", "Referentin")."""
    return role_words("quotes").matches(word)


# --------------------------------------------------------------------------- spans
@dataclass
class QuoteSpan:
    """A top-level quotation: ``text[start:end]`` is the content without marks."""

    start: int
    end: int
    closed: bool


_OPEN_AFTER = set(" \t\n([{–—-/:")


def find_quote_spans(text: str) -> list[QuoteSpan]:
    """Top-level quotation spans in ``text`` (nested quotes are part of the outer one).

    Handles German „…“ and „…”, guillemets »…« and «…», English “…”, and straight
    "…" quotes. An opening quote that is never closed runs to the end of ``text``
    (``closed=False``), following the German convention for quotes spanning
    paragraphs.
    """
    spans: list[QuoteSpan] = []
    stack: list[tuple[str, int]] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch not in "„“”\"»«":
            continue
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < n else " "
        top = stack[-1][0] if stack else None
        opening_pos = prev in _OPEN_AFTER and not nxt.isspace()
        if ch == "„":
            stack.append((ch, i))
            continue
        if ch == "“":
            if top == "„":
                action = "close"
            elif opening_pos:
                action = "open"
            elif top == "“":
                action = "close"
            else:
                continue
        elif ch == "”":
            if top in ("“", "„"):
                action = "close"
            else:
                continue
        elif ch == '"':
            if top == '"' and not (opening_pos and prev in " \t\n("):
                action = "close"
            elif opening_pos:
                action = "open"
            elif top == '"':
                action = "close"
            else:
                continue
        elif ch == "»":
            action = "close" if top == "«" else "open"
        else:  # «
            action = "close" if top == "»" else "open"
        if action == "open":
            stack.append((ch, i))
        else:
            if not stack:
                continue
            _, start = stack.pop()
            if not stack:
                spans.append(QuoteSpan(start + 1, i, True))
    if stack:
        spans.append(QuoteSpan(stack[0][1] + 1, n, False))
    return spans


# --------------------------------------------------------------------------- names
# lower-case letters of Latin names: German, and Latin-1/Latin Extended-A ("Szymański", "Dvořák")
_LOW = "a-zß\u00e0-\u00f6\u00f8-\u00ff\u0101-\u017f'’"
_TOK = rf"[A-ZÄÖÜ\u00c0-\u00d6\u00d8-\u00de\u0100-\u017e][{_LOW}]+(?:-[A-ZÄÖÜ][{_LOW}]+)?"
_TITLE = TITLE
_PART = r"(?:von der|van der|von|van|de|zu|di|da|del|ter|ten)"
NAME = rf"{_TITLE}*{_TOK}(?:\s+[A-ZÄÖÜ]\.)?(?:\s+{_TOK})?(?:\s+{_PART})?\s+{_TOK}"
_NAME_RE = re.compile(rf"^{NAME}$")

_NOT_NAME = frozenset("""der die das den dem des ein eine einer eines einem am im in mit nach seit
heute gestern auch doch und aber wir ich sie es er man wer was wie wo als bei für von vom zum zur
auf aus unter über durch gegen so laut dazu hier dort damit dabei denn diese dieser dieses jeder
jede alle viele unsere unser ihre ihr sein seine deutschland europa bundesregierung regierung
international deutsche deutschen deutscher europäische europäischen vereinte vereinten nationen
kinder menschen frauen männer januar februar märz april mai juni juli august september oktober
november dezember montag dienstag mittwoch donnerstag freitag samstag sonntag wenn dass weil ob
gleichzeitig allerdings leider zudem außerdem deshalb daher trotzdem gerade vor nun jetzt""".split())
_NOUN_SUFFIX = ("ung", "heit", "keit", "schaft", "tion", "ität", "ismus", "organisation", "verband",
                "verein", "amt", "ministerium", "gesetz", "bericht", "ausschuss", "stiftung", "hilfe")
_PRONOUNS = {"er", "sie", "ihm", "ihr"}
_HONORIFICS = {"frau", "herr", "herrn"}


def plausible_name(name: str) -> bool:
    """``True`` when ``name`` looks like a person name ("Dietmar Roller", "Dr. Anna von Berg")."""
    tokens = [t for t in re.sub(_TITLE, "", name).split() if t[:1].isupper() and not t.endswith(".")]
    if not tokens or len(tokens) > 4:
        return False
    for t in tokens:
        low = t.lower()
        if low in _NOT_NAME or is_role_word(t) or low.endswith(_NOUN_SUFFIX) or t.isupper():
            return False
    return True


class _People:
    """Full names met in the article with the role/organisation known for them.

    Names resolve through :class:`~.names.PersonNames`, the resolver the entity
    linker uses too (titles dropped; a surname two persons share names neither).
    """

    def __init__(self) -> None:
        self.names = PersonNames()
        self.info: dict[str, tuple[str | None, str | None]] = {}
        self.text = ""

    def add(self, name: str, role: str | None = None, org: str | None = None) -> str:
        name = self.names.add(name)
        old = self.info.get(name, (None, None))
        self.info[name] = (old[0] or role, old[1] or org)
        return name

    def resolve(self, token: str) -> str | None:
        return self.names.resolve(token)

    def role_org(self, name: str) -> tuple[str | None, str | None]:
        return self.info.get(name, (None, None))

    def mentioned(self, surname: str) -> str | None:
        """The full name "Vorname Nachname" for ``surname`` as written in the article (titles dropped).

        Used when a quote is attributed by surname only ("sagte Weiß") and the person
        was introduced without a role apposition ("der Handballer Daniel Weiß").
        The names are registered for later quotes; when two persons with that surname
        are mentioned ("Dietmar Roller und Anna Roller"), the surname names neither.
        """
        if not self.text or surname.lower() in _NOT_NAME:
            return None
        rx = re.compile(rf"(?<![\w.])(?:{_TITLE})*{_TOK}(?:\s+[A-ZÄÖÜ]\.)?(?:\s+{_PART})?\s+{re.escape(surname)}\b")
        found = None
        for m in rx.finditer(self.text):
            name = m.group(0)
            first = re.sub(_TITLE, "", name).split()[0]
            if first.lower() in _NOT_NAME or first.lower() in _HONORIFICS or is_role_word(first) \
                    or not plausible_name(name):
                continue  # "Frau Roller" is no second person with that surname
            name = self.add(name)
            found = found or name
        return None if self.names.ambiguous(surname) else found


# --------------------------------------------------------------------------- role/org
_STRONG_CONN_RE = re.compile(r"\s+(?:von der|von|vom|bei der|beim|bei|of|at)\s+(?=[A-ZÄÖÜ0-9„\"])")
_WEAK_CONN_RE = re.compile(r"\s+(?:der|des|im|am|an der|in der)\s+(?=[A-ZÄÖÜ0-9„\"])")


_DEPARTMENT = ("ung", "stelle", "bereich", "referat", "team", "abteilung", "büro", "dienst")


def split_role_org(phrase: str) -> tuple[str | None, str | None]:
    """Split an apposition into role and organisation.

    "Vorstandsvorsitzender von IJM" -> ("Vorstandsvorsitzender", "IJM");
    "Referentin für Migration bei Pro Asyl" -> ("Referentin für Migration", "Pro Asyl");
    "Präsidentin des Deutschen Roten Kreuzes" -> ("Präsidentin", "Deutschen Roten Kreuzes").
    The last "von/bei/vom/beim" splits; without one, the first "der/des/im/am".
    """
    if re.match(r"^(?:der|die|das|welche[rs]?)\s+[a-zäöü]", phrase.strip()):
        return None, None  # a relative clause ("der bei X zuständig ist"), no apposition
    phrase = re.sub(r"^(?:der|die|des|dem|den)\s+", "", phrase.strip(" ,;:")).strip()
    if not phrase:
        return None, None
    strong = list(_STRONG_CONN_RE.finditer(phrase))
    m = strong[-1] if strong else _WEAK_CONN_RE.search(phrase)
    if m:
        role, org = phrase[:m.start()].strip(), phrase[m.end():].strip(" ,;:")
        if not strong and org.split()[0].lower().endswith(_DEPARTMENT):
            weak = list(_WEAK_CONN_RE.finditer(phrase))
            if len(weak) > 1:  # "Leiter der Rechtsberatung der AFJ"
                return phrase[:weak[-1].start()].strip(), phrase[weak[-1].end():].strip(" ,;:") or None
            if " " not in org:
                return phrase, None  # "Leiter der Rechtsberatung": a department, not an organisation
        return (role or None), (org or None)
    if any(is_role_word(w) for w in phrase.split()[:3]):
        return phrase, None
    return None, None


# --------------------------------------------------------------------------- attribution
_SENT_SPLIT_RE = re.compile(r"(?<!\b[A-ZÄÖÜ])(?<!\bDr)(?<!\bProf)(?<!\bSt)(?<!\bbzw)(?<!\bz\.B)(?<!\bu\.a)"
                            r"(?<!\bca)(?<!\bNr)(?<!\d)[.!?]\s+")
_PAREN = r"(?:\s*\((?P<paren>[^()]{1,80})\))?"


def _verbs_alt() -> str:
    alt = "|".join(sorted((re.escape(v) for v in speech_verbs()), key=len, reverse=True))
    return f"(?i:{alt})"


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    v = _verbs_alt()
    role = r"(?P<role>[A-ZÄÖÜ][\w-]+(?:\s+(?:für|von|vom|der|des|bei|beim|im)\s+[A-ZÄÖÜ][\w-]+){0,3})"
    return {
        # Dietmar Roller, Vorstandsvorsitzender von IJM, zeigt sich erfreut:
        "pre_appos": re.compile(rf"(?:^|[\s(])(?P<name>{NAME}){_PAREN}\s*,\s*(?P<app>[^,:;„“\"]{{3,140}}?)\s*,\s*"
                                rf"(?P<rest>[^,]*?)[:,]?\s*$"),
        # Vorstandsvorsitzender Dietmar Roller erklärt: / Dietmar Roller (IJM) sagt:
        "pre_name_verb": re.compile(rf"(?:^|\s)(?:(?:der|die)\s+)?(?:{role}\s+)?(?P<name>{NAME}){_PAREN}\s+"
                                    rf"(?:\w+\s+){{0,2}}(?P<verb>{v})\b"),
        # Dazu sagt Anna Schmidt: / Laut Anna Schmidt
        "pre_verb_name": re.compile(rf"(?:^|\s)(?P<verb>{v})\s+(?:(?:dazu|auch|außerdem|noch|dann)\s+)?"
                                    rf"(?:(?:der|die)\s+)?(?:{role}\s+)?(?P<name>{NAME}){_PAREN}"
                                    rf"(?:\s*,\s*(?P<app>[^,:;]{{3,140}}?)\s*,?)?\s*[:,]?\s*$"),
        # Peter Bohlmann, Landrat des Landkreises Verden: „…“ (the colon ends the apposition)
        "pre_appos_colon": re.compile(rf"(?:^|[\s(])(?P<name>{NAME}){_PAREN}\s*,\s*(?P<app>[^,:;„“\"]{{3,140}}?)"
                                      rf"\s*:\s*$"),
        # Anna Schmidt: „…“
        "pre_colon": re.compile(rf"(?:^|\s)(?P<name>{NAME}){_PAREN}\s*:\s*$"),
        # „…“, so die Geschäftsführerin von X, Maria Y.
        "post_role_then_name": re.compile(rf"^\s*[,.!?]?\s*(?P<verb>{v})\s+(?:(?:der|die)\s+)"
                                          rf"(?P<app>[^,.;]{{3,140}}?)\s*,\s*(?P<name>{NAME})\b{_PAREN}"),
        # „…“, sagt Anna Schmidt, Referentin für Migration bei Pro Asyl.
        "post_verb_name": re.compile(rf"^\s*[,.!?]?\s*(?P<verb>{v})\s+(?:(?:der|die)\s+)?(?:{role}\s+)?"
                                     rf"(?P<name>{NAME})\b{_PAREN}(?:\s*,\s*(?P<app>[^,.;]{{3,140}}))?"),
        # „…“ – Mara Klein, 19 Jahre, Klägerin aus Oldenburg (blockquote source line)
        "post_dash_name": re.compile(rf"^\s*[–—-]\s*(?:{role}\s+)?(?P<name>{NAME})\b{_PAREN}"
                                     rf"(?:\s*,\s*(?:\d{{1,3}}(?:\s+Jahre(?:\s+alt)?)?\s*,\s*)?"
                                     rf"(?P<app>[^.;„“\"]{{3,140}}))?\s*[.]?\s*$"),
        # „…“, skizziert Roller die Position von IJM. / „…“, sagt sie.
        "post_verb_token": re.compile(rf"^\s*[,.!?]?\s*(?P<verb>{v})\s+(?:(?:der|die)\s+)?(?:{role}\s+)?"
                                      rf"(?P<tok>{_TOK}|er|sie)\b{_PAREN}"),
    }


@dataclass
class _Attr:
    speaker: str | None = None
    role: str | None = None
    org: str | None = None


def _verb_ok(verb: str | None) -> bool:
    return bool(verb and verb.lower() in speech_verbs())


def _from_match(m: re.Match[str], people: _People) -> _Attr | None:
    gd = m.groupdict()
    name = gd["name"]  # every pattern given here has a (required) name group
    if name and not plausible_name(name):
        return None
    role = org = None
    if gd.get("app"):
        role, org = split_role_org(gd["app"])
        if role is None and org is None:
            if gd["app"].strip()[:1].isupper() and len(gd["app"].split()) <= 6:
                org = gd["app"].strip()
    if gd.get("role") and is_role_word(gd["role"].split()[0]):
        r2, o2 = split_role_org(gd["role"])
        role = role or r2 or gd["role"]
        org = org or o2
    if gd.get("paren") and not re.search(r"\d", gd["paren"]):
        org = org or gd["paren"].strip()
    full = people.resolve(name) or name
    full = people.add(full, role, org)
    r0, o0 = people.role_org(full)
    return _Attr(full, role or r0, org or o0)


_EV_RE = re.compile(r"\be\.\s?V\.")
_EV_MARK = "e\u2024V\u2024"  # "e. V." with one-dot leaders, so it does not end a phrase
_ST_RE = re.compile(r"\bSt\.(?=\s[A-ZÄÖÜ])")  # "St. Marien": a saint's name, no sentence end
_ST_MARK = "St\u2024"


def _protect(text: str) -> str:
    return _ST_RE.sub(_ST_MARK, _EV_RE.sub(_EV_MARK, text))


def _unprotect(value: str | None) -> str | None:
    return value.replace(_EV_MARK, "e. V.").replace(_ST_MARK, "St.") if value else value


#: Abbreviations whose final dot belongs to an organisation name ("e.V.", "Co.", "Inc.").
_ABBR_END_RE = re.compile(r"(?:\b[A-Za-z]\.\s?[A-Za-z]\.|\b(?:Co|Inc|Ltd|Corp|Bros|St|gem)\.)$")


def clean_phrase(value: str | None) -> str | None:
    """Strip trailing sentence punctuation from a role / organisation ("AFJ." -> "AFJ").

    A final dot that belongs to an abbreviation ("e. V.", "e.V.", "Co.") is kept.
    Returns ``None`` for an empty result.
    """
    if not value:
        return value
    # a phrase never runs into the next quotation ("Kinderhilfe Horizont e. V. „Dass …")
    value = re.split(r"\s[„\"“»«]", value, maxsplit=1)[0]
    value = value.strip().rstrip(",;:!?–—-").rstrip()
    while value.endswith(".") and not _ABBR_END_RE.search(value) and not value.endswith(_EV_MARK):
        value = value[:-1].rstrip(" ,;:")
    return value or None


def _attribute(before: str, after: str, people: _People, last: _Attr | None) -> _Attr | None:
    pats = _patterns()
    # context after the quote, up to the end of that sentence
    post = after[:300]
    if post[:1] in (",", " ") or post[:2].strip() in ("", ",") or post[:1] in ".!?–—":
        for key in ("post_role_then_name", "post_verb_name"):
            m = pats[key].match(post)
            if m and _verb_ok(m.group("verb")):
                a = _from_match(m, people)
                if a:
                    return a
        m = pats["post_dash_name"].match(post)
        if m:
            a = _from_match(m, people)
            if a:
                return a
        m = pats["post_verb_token"].match(post)
        if m and _verb_ok(m.group("verb")):
            tok = m.group("tok")
            role_phrase = m.group("role") or ""
            if re.search(r"\s(?:der|des|von|vom|bei|beim|für|im)\s", role_phrase) and is_role_word(role_phrase.split()[0]):
                # "sagte der Sprecher der Kinderhilfe Horizont e. V.": a role and its
                # organisation, no person named (the capitalised word is the organisation's)
                phrase = re.split(r"[,;.!?]\s", post[m.start("role"):] + " ", maxsplit=1)[0]
                role, org = split_role_org(phrase.strip())
                return _Attr(None, role, org)
            if tok.lower() in _PRONOUNS:
                return _pronoun_referent(before, people, last)
            full = people.resolve(tok) or people.mentioned(tok)
            if full:
                role, org = people.role_org(full)
                return _Attr(full, role, org)
            if tok.lower() not in _NOT_NAME and not is_role_word(tok) and not tok.lower().endswith(_NOUN_SUFFIX):
                return _Attr(tok, None, None)
    # context before the quote: the clause since the last sentence end
    parts = _SENT_SPLIT_RE.split(before[-400:])
    pre = parts[-1] if parts else ""
    if pre.strip():
        m = pats["pre_appos"].search(pre)
        if m and (m.group("rest").strip() == "" or pre.rstrip().endswith(":")
                  or any(w.lower() in speech_verbs() for w in m.group("rest").split())):
            a = _from_match(m, people)
            if a:
                return a
        # every start, not just the leftmost: "Dazu Maria Klein, Sprecherin ...:" is no name at "Dazu"
        for st in [0, *(w.start() for w in re.finditer(r"\s+", pre))]:
            m = pats["pre_appos_colon"].match(pre, st)
            if m and is_role_word(m.group("app").split()[0]):
                a = _from_match(m, people)
                if a:
                    return a
        for key in ("pre_verb_name", "pre_name_verb", "pre_colon"):
            m = pats[key].search(pre)
            if m and (key == "pre_colon" or _verb_ok(m.group("verb"))):
                a = _from_match(m, people)
                if a:
                    return a
        # a known person (full name or surname) named in the clause
        if pre.rstrip().endswith((":", ",")):
            for tok in re.findall(_TOK, pre):
                full = people.resolve(tok)
                if full:
                    role, org = people.role_org(full)
                    return _Attr(full, role, org)
    return None


_MENTION_RE = re.compile(rf"(?<![\w.])(?:{_TITLE})*{_TOK}(?:\s+[A-ZÄÖÜ]\.)?(?:\s+{_PART})?\s+{_TOK}")


def _pronoun_referent(before: str, people: _People, last: _Attr | None) -> _Attr | None:
    """The person "sie"/"er" after a quote refers to.

    The person named last in the paragraph before the quote ("Die Klägerin Mara
    Klein verfolgte ... „…“, sagte sie."), else the previous speaker.
    """
    best: tuple[int, str] | None = None
    for m in _MENTION_RE.finditer(before):
        name = m.group(0)
        first = re.sub(_TITLE, "", name).split()[0]
        if first.lower() in _NOT_NAME or is_role_word(first) or not plausible_name(name):
            continue
        best = (m.end(), people.resolve(name) or name)
    if last and last.speaker:
        pos = before.rfind(last.speaker.split()[-1])
        if best is None or pos >= best[0]:
            return _Attr(last.speaker, last.role, last.org)
    if best is None:
        return None
    full = people.add(best[1])
    role, org = people.role_org(full)
    return _Attr(full, role, org)


_APPOS_SCAN_RE = re.compile(rf"(?P<name>{NAME}){_PAREN}\s*,\s*(?P<app>[^,:;.„“\"]{{3,140}}?)\s*[,.:;]")


def _scan_people(paragraphs: list[str], people: _People) -> None:
    """Register "Name, Role von Org," appositions and "Role Name" mentions."""
    role_name = re.compile(rf"(?P<role>[A-ZÄÖÜ][\w-]+)\s+(?P<name>{NAME})")
    for para in paragraphs:
        for m in _APPOS_SCAN_RE.finditer(para):
            if plausible_name(m.group("name")):
                role, org = split_role_org(m.group("app"))
                if role and is_role_word(role.split()[0]):
                    people.add(m.group("name"), role, org)
        for m in role_name.finditer(para):
            if is_role_word(m.group("role")) and plausible_name(m.group("name")):
                people.add(m.group("name"), m.group("role"), None)


def extract_quotes(paragraphs: list[str], *, min_words: int = 3) -> list[Quote]:
    """All quotations in ``paragraphs`` with their attribution.

    Args:
        paragraphs: Body paragraphs in reading order (lead first).
        min_words: Shorter quotations are taken as scare quotes / names and skipped.

    Returns:
        :class:`~ngo_text.model.Quote` objects in reading order. Unattributed
        quotations are kept when they have at least 8 words; they inherit the
        speaker of an adjacent quote when they continue it, else ``speaker=None``.
    """
    people = _People()
    paragraphs = [_protect(p) for p in paragraphs]
    people.text = "\n".join(paragraphs)
    _scan_people(paragraphs, people)
    found: list[tuple[int, QuoteSpan, Quote, bool]] = []
    last: _Attr | None = None
    for pi, para in enumerate(paragraphs):
        for span in find_quote_spans(para):
            content = para[span.start:span.end].strip()
            if len(content.split()) < min_words:
                continue
            before = para[: max(0, span.start - 1)]
            after = para[span.end + 1:] if span.closed else ""
            attr = _attribute(before, after, people, last)
            # a short unattributed quote is kept when it continues an attributed
            # quote of the same paragraph („…“, sagt X von Y. „Kurz.“)
            continues = bool(found) and found[-1][0] == pi and found[-1][2].speaker is not None
            if attr is None and len(content.split()) < 8 and not continues:
                continue
            whole = len(content) >= 0.8 * len(para)
            q = Quote(text=content, speaker=attr.speaker if attr else None,
                      role=attr.role if attr else None, organisation=attr.org if attr else None)
            found.append((pi, span, q, whole))
            if attr and attr.speaker:
                last = attr
    # continuation quotes: an unclosed quote takes the next quote's speaker; an
    # unattributed quote takes the speaker of the previous quote in its paragraph
    # (or in the previous paragraph when it fills its own paragraph).
    for i, (pi, span, q, whole) in enumerate(found):
        if q.speaker:
            continue
        donor = None
        if not span.closed and i + 1 < len(found) and found[i + 1][0] in (pi, pi + 1):
            donor = found[i + 1][2]
        elif i > 0 and (found[i - 1][0] == pi or whole and found[i - 1][0] == pi - 1):
            donor = found[i - 1][2]
        if donor and donor.speaker:
            q.speaker, q.role, q.organisation = donor.speaker, donor.role, donor.organisation
    out = []
    for _, _, q, _ in found:
        out.append(Quote(text=_unprotect(q.text) or "", speaker=_unprotect(q.speaker),
                         role=_unprotect(clean_phrase(q.role)),
                         organisation=_unprotect(clean_phrase(q.organisation))))
    return out
