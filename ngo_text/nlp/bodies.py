"""``ngo_public_bodies``: German, Austrian and Swiss public bodies by their shape.

Statistical NER trained on news misses many public bodies or cuts them: on
real pages "Staatsanwaltschaft Köln" came out as ``Köln`` LOC, "Kreisveterinäramt
Ostholstein" as a fragment, "die österreichische Finanzpolizei" not at all.
German public bodies have a strong shape, and this component recognises it:

* a **body noun**: a capitalised compound ending in -amt, -ministerium, -behörde,
  -gericht(shof), -anwaltschaft, -polizei, -präsidium, -direktion, -verwaltung,
  -regierung, -kabinett, -ministerkonferenz, -tag, -rat (Stadtrat, Nationalrat ...),
  ... (``resources/gazetteer/public_bodies.txt``; offices of a person such as
  "Ehrenamt" or "Lehramt" and bare generic nouns such as "Polizei" are not);
* followed by what makes it one body: a place ("Staatsanwaltschaft Köln",
  "Veterinäramt Stadt Leipzig": a LOC entity, a place name of the lexicon, or a
  name after "Stadt"/"Kreis"), and/or a "für/des/der" phrase ("Bundesamt für Naturschutz",
  "Ministerium für Landwirtschaft, Umwelt und Klimaschutz Brandenburg");
* or preceded by the adjective of a place ("das sächsische Innenministerium",
  "Berliner Feuerwehr", "St. Galler Polizei");
* or unique on its own: federal bodies ("Bundesregierung", "Umweltbundesamt",
  "Kraftfahrt-Bundesamt") and ministries named by their field ("Innenministerium").

The same shape names some organisations (ORG, not AGENCY): a university, diocese
or regional church and its place ("Universität Hamburg", "Diözese Münster",
"Evangelische Kirche im Rheinland"); and places take the kind of unit before
them ("Kreis Recklinghausen", "Land Brandenburg": LOC).

Each such span becomes an ``AGENCY`` entity. Merging with the entities already
on the Doc, the longest correct span wins: entities inside the span or
overlapping it (``Köln`` LOC) are replaced, an ORG/AGENCY entity that contains
the span whole is kept. Run it after ``ngo_orgs`` (whose typing would otherwise
see these spans again) and before ``ngo_abbreviations``.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from . import ensure_extensions
from .lexicon import is_common_noun, is_noun_compound, toponyms
from .orgs import org_typer

__all__ = ["PublicBodyRecognizer", "BodyShapes", "load_shapes"]

_ADJ_ENDINGS = ("en", "er", "es", "em", "e")
_DIRECTIONS = {"Nord", "Süd", "Ost", "West", "Mitte", "Nordost", "Nordwest", "Südost", "Südwest"}
_FUNCTION = {"Der", "Die", "Das", "Des", "Dem", "Den", "Ein", "Eine", "Im", "Am", "In", "Auf", "Und",
             "Mit", "Für", "Von", "Zu", "Zur", "Zum", "Bei", "Nach", "Vor", "Über", "Unter", "Als", "Wie",
             "Sie", "Er", "Es", "Wir", "Ihr", "Ich", "Man", "Dies", "Diese", "Dieser", "Auch", "Nur"}
#: tokens a "für ..." phrase may run through between its capitalised words
#: lower-case words with adjective endings that are no adjectives of a name
_DETERMINERS = {"seine", "seinen", "seinem", "seiner", "seines", "ihre", "ihren", "ihrem", "ihrer",
                "ihres", "unsere", "unseren", "unserem", "unserer", "eure", "euren", "meine",
                "meinen", "deine", "eine", "einen", "einem", "einer", "eines", "keine", "keinen",
                "diese", "diesen", "diesem", "dieser", "dieses", "jene", "jede", "jeden", "jedem",
                "jeder", "welche", "alle", "allen", "aller", "manche", "einige", "einigen", "viele",
                "vielen", "beide", "beiden", "andere", "anderen", "solche", "solchen", "die", "der",
                "den", "dem", "des", "das", "weitere", "weiteren", "mehrere", "mehreren"}
_MAX_PHRASE = 14
#: capitalised words ending in -er that are no place adjectives
_NOT_PLACE_ER = {"Unser", "Euer", "Ihrer", "Jeder", "Aller", "Dieser", "Jener", "Welcher", "Mancher",
                 "Aber", "Oder", "Weiter", "Später", "Früher", "Immer", "Hinter", "Unter", "Über",
                 "Wieder", "Neuer", "Alter", "Ganzer", "Andere", "Anderer", "Einer", "Keiner", "Seiner",
                 "Meiner", "Deiner", "Ihrer", "Unserer", "Beider", "Mehrerer", "Vieler", "Weniger",
                 "Letzter", "Erster", "Zweiter", "Dritter", "Damaliger", "Ehemaliger", "Neuer"}


@dataclass(frozen=True)
class BodyShapes:
    """The word lists of ``public_bodies.txt`` (see that file for what each is)."""

    body: tuple[str, ...]
    not_body: frozenset[str]
    unique_prefix: tuple[str, ...]
    unique_body: tuple[str, ...]
    place_intro: frozenset[str]
    connector: frozenset[str]
    place_adjective: frozenset[str]
    adjective_body: frozenset[str]
    not_place_adjective: frozenset[str]
    member_body: tuple[str, ...]
    member_of: tuple[tuple[str, ...], ...]
    org_place_head: frozenset[str]
    church_head: frozenset[str]
    unit_intro: frozenset[str]


@functools.lru_cache(maxsize=1)
def load_shapes() -> BodyShapes:
    """Read ``resources/gazetteer/public_bodies.txt`` (cached)."""
    from .orgs import _read_lines

    kinds: dict[str, list[str]] = {}
    for line in _read_lines("public_bodies.txt"):
        kind, _, entries = line.partition("\t")
        kinds.setdefault(kind.strip(), []).extend(e.strip() for e in entries.split("|") if e.strip())
    adjectives: set[str] = set()
    for stem in kinds.get("place_adjective", []):
        adjectives.update(stem + ending for ending in _ADJ_ENDINGS)
    not_adj: set[str] = set()
    for stem in kinds.get("not_place_adjective", []):
        not_adj.update(stem + ending for ending in ("", *_ADJ_ENDINGS))
    return BodyShapes(
        body=tuple(sorted(kinds.get("body", []), key=len, reverse=True)),
        not_body=frozenset(kinds.get("not_body", [])),
        unique_prefix=tuple(kinds.get("unique_prefix", [])),
        unique_body=tuple(kinds.get("unique_body", [])),
        place_intro=frozenset(kinds.get("place_intro", [])),
        connector=frozenset(kinds.get("connector", [])),
        place_adjective=frozenset(adjectives),
        adjective_body=frozenset(kinds.get("adjective_body", [])),
        not_place_adjective=frozenset(not_adj),
        member_body=tuple(kinds.get("member_body", [])),
        member_of=tuple(tuple(m.split()) for m in kinds.get("member_of", [])),
        org_place_head=frozenset(kinds.get("org_place_head", [])),
        church_head=frozenset(kinds.get("church_head", [])),
        unit_intro=frozenset(kinds.get("unit_intro", [])))


class PublicBodyRecognizer:
    """The ``ngo_public_bodies`` pipeline component (see the module docstring)."""

    def __init__(self, nlp: Language, name: str = "ngo_public_bodies", *, label: str = "AGENCY",
                 places: bool = True, phrases: bool = True, adjectives: bool = True) -> None:
        ensure_extensions()
        self.name = name
        self.label = label
        self.places = places
        self.phrases = phrases
        self.adjectives = adjectives
        self._nlp = nlp
        self.shapes = load_shapes()
        self._body_rx = re.compile(
            r"(?:[A-ZÄÖÜ][\w\-]*?)?(?:" + "|".join(map(re.escape, self.shapes.body)) + r")\Z",
            re.IGNORECASE)

    # -- token tests -------------------------------------------------------------
    def is_body(self, text: str) -> bool:
        """A capitalised token that is the head noun of a public body ("Landgerichts")."""
        if text in self.shapes.adjective_body:
            return True  # "Polizei" needs a place or adjective to be a name, see candidates()
        if not text[:1].isupper() or text in self.shapes.not_body or len(text) < 4:
            return False
        return bool(self._body_rx.match(text)) and not text.isupper()

    def is_unique(self, text: str) -> bool:
        """A body noun that names one body on its own ("Bundesregierung", "Innenministerium")."""
        s = self.shapes
        if text.startswith(s.unique_prefix) and len(text) > 8:
            return True
        low = text.lower()
        return "bundesamt" in low or (low.endswith(s.unique_body)
                                      and low not in ("ministerium", "ministeriums"))

    def _is_place_adjective(self, tok: Token, body: str) -> bool:
        text = tok.text
        if text.lower() in self.shapes.not_place_adjective or text in _NOT_PLACE_ER:
            return False
        if text.lower() in self.shapes.place_adjective:
            return True
        # "Berliner Feuerwehr", "Kölner Staatsanwaltschaft", "St. Galler Polizei": the
        # adjective of a place name, before a body that each place has one of
        return (body in self.shapes.adjective_body and len(text) > 4 and text.endswith("er")
                and text[0].isupper() and text[1:].islower())

    @staticmethod
    def _is_name(tok: Token) -> bool:
        """A capitalised word that can be (part of) a place name: not a common noun."""
        text = tok.text
        if text in _DIRECTIONS:
            return True
        if not text[:1].isupper() or text in _FUNCTION or not any(c.isalpha() for c in text):
            return False
        if not re.fullmatch(r"[\wÄÖÜäöüß.\-]+", text):
            return False
        return not is_common_noun(text)

    # -- spans ---------------------------------------------------------------------
    def _phrase_end(self, doc: Doc, start: int) -> int | None:
        """End of "für Umwelt, Naturschutz und nukleare Sicherheit" starting at ``start``.

        The phrase is capitalised words, adjectives before them ("politische
        Bildung"), elided compounds ("Kinder- und Jugendmedienschutz"), a list
        closed by "und"/"sowie" ("Familie, Senioren, Frauen und Jugend") and one
        "in der"/"des"/"der" ("Sicherheit in der Informationstechnik"). It ends
        before another body noun ("..., des Bundesministeriums der Justiz"): that
        is a second body.
        """
        last = None
        open_list = False  # a comma was seen and no "und" closed the list yet
        j = start
        while j < len(doc) and j - start < _MAX_PHRASE:
            t = doc[j]
            text = t.text
            if "\n" in text or self.is_body(text):
                break
            if re.fullmatch(r"[A-ZÄÖÜ][\w]*-", text):
                pass  # "Kinder-" needs what follows
            elif text[:1].isupper() and t.is_alpha:
                if j > start and doc[j - 1].text[:1].isupper() and doc[j - 1].is_alpha and (
                        is_common_noun(text) or is_noun_compound(text, min_head=4)):
                    break  # "... Informationstechnik Pressestelle": a noun after the name
                if not open_list:
                    last = j + 1
            elif text in ("und", "sowie", "&"):
                open_list = False
            elif text == ",":
                if j + 1 >= len(doc) or not doc[j + 1].text[:1].isupper() and not (
                        doc[j + 1].is_lower and doc[j + 1].text not in _DETERMINERS):
                    break
                open_list = True
            elif text in ("der", "des", "in") and j + 1 < len(doc) and (
                    doc[j + 1].text[:1].isupper() or doc[j + 1].text in ("der", "des")):
                pass
            elif (t.is_lower and t.is_alpha and text.endswith(_ADJ_ENDINGS) and j + 1 < len(doc)
                  and doc[j + 1].text[:1].isupper() and text not in _DETERMINERS):
                pass  # "nukleare Sicherheit", "politische Bildung"
            else:
                break
            j += 1
        return last

    def candidates(self, doc: Doc) -> list[Span]:
        """The public-body spans of ``doc`` (before merging with its entities)."""
        loc_end = {e.start: e.end for e in doc.ents if e.label_ == "LOC"}
        non_loc = {i for e in doc.ents if e.label_ != "LOC" for i in range(e.start, e.end)}
        org_starts = {e.start for e in doc.ents if e.label_ in ("ORG", "AGENCY")}
        out: list[Span] = []
        for i, tok in enumerate(doc):
            if not self.is_body(tok.text):
                continue
            start, end = i, i + 1
            shaped = False
            if self.adjectives and i > 0:
                prev = doc[i - 1]
                if self._is_place_adjective(prev, tok.text) and "\n" not in prev.text:
                    start, shaped = i - 1, True
                    if i > 1 and doc[i - 2].text == "St.":
                        start = i - 2
            if self.phrases and end < len(doc) and doc[end].text in self.shapes.connector:
                # "des/der" only before a capitalised word ("Ministerium des Innern");
                # not "Amt der Stadt, die ..." cut short: the phrase must end on a name word
                ph = self._phrase_end(doc, end + 1) if end + 1 < len(doc) and \
                    doc[end + 1].text not in _DETERMINERS else None
                if ph is not None and (doc[end].text == "für" or doc[end + 1].text[:1].isupper()):
                    end, shaped = ph, True
            if self.places and end < len(doc):
                k = end
                if doc[k].text in self.shapes.place_intro and k + 1 < len(doc) and self._is_name(doc[k + 1]):
                    k += 1
                # the place is a LOC entity ("Staatsanwaltschaft [Köln]") or a name after
                # "Stadt/Kreis ..." ("Veterinäramt Stadt Leipzig"); a bare capitalised word
                # is too often a person ("Bundesrat Cassis") or a noun ("... Pressestelle")
                if k in loc_end:
                    end, shaped = loc_end[k], True
                elif k > end:
                    end, shaped = k + 1, True
                elif k < len(doc) and doc[k].text in toponyms() and k not in non_loc:
                    end, shaped = k + 1, True  # "Staatsanwaltschaft Köln" where the NER saw no place
                if shaped:
                    while end < len(doc) and doc[end].text in _DIRECTIONS:
                        end += 1  # "Polizeipräsidium Oberbayern Süd"
            if end == i + 1 and end < len(doc) and end in org_starts:
                continue  # "die europäische Polizeibehörde Europol": a descriptor of the name
            if shaped or self.is_unique(tok.text):
                out.append(Span(doc, start, end, label=self.label))
        out.extend(self._member_bodies(doc))
        out.extend(self._org_places(doc, loc_end))
        out.extend(self._units(doc))
        return filter_spans(out)

    def _units(self, doc: Doc) -> list[Span]:
        """LOC spans "Kreis Recklinghausen", "Land Brandenburg", "Kanton Bern" (unit + place)."""
        out = []
        for e in doc.ents:
            if e.label_ == "LOC" and e.start > 0 and doc[e.start - 1].text in self.shapes.unit_intro:
                out.append(Span(doc, e.start - 1, e.end, label="LOC"))
            elif e.label_ == "PER" and len(e) > 1 and doc[e.start].text in self.shapes.unit_intro:
                out.append(Span(doc, e.start, e.end, label="LOC"))  # "des [Landkreises Verden]" is no person
        return out

    def _org_places(self, doc: Doc, loc_end: dict[int, int]) -> list[Span]:
        """ORG spans "Universität Hamburg", "Diözese Münster", "Evangelische Kirche im Rheinland"."""
        s = self.shapes
        org_start = {e.end: e.start for e in doc.ents if e.label_ == "ORG"}
        # the NER often calls the place of "Universität Hamburg" ORG
        loc_end = {**{e.start: e.end for e in doc.ents if e.label_ == "ORG" and len(e) == 1
                      and not is_common_noun(e.text)}, **loc_end}
        out = []
        for i, tok in enumerate(doc[:-1]):
            ks = []
            if tok.text in s.org_place_head:
                ks.append(i + 1)
            if tok.text in s.church_head and doc[i + 1].text in ("in", "im", "von") and i + 2 < len(doc) \
                    and i > 0 and (org_start.get(i + 1, i) < i or doc[i - 1].text.endswith(_ADJ_ENDINGS)
                                   and doc[i - 1].text[:1].isupper()):
                ks.append(i + 2)  # "Evangelische Kirche im Rheinland", not "die Kirche in Wasserlos"
            end = None
            for k in ks:
                if k in loc_end:
                    end = loc_end[k]
                elif k + 1 < len(doc) and doc[k].text in s.place_intro and k + 1 in loc_end:
                    end = loc_end[k + 1]
                if end is not None:
                    break
            if end is None:
                continue
            if end + 1 < len(doc) and doc[end].text == "und" and end + 1 in loc_end and \
                    doc[i + 1].text in ("in", "im", "von"):
                end = loc_end[end + 1]  # "Kirche von Hessen und Nassau"
            start = org_start.get(i + 1, i)  # "[Evangelischen Kirche] im Rheinland"
            if start > i:
                start = i
            # take in the adjectives before the head ("Evangelisch-Lutherischen Kirche in Bayern")
            while start > 0 and doc[start - 1].text[:1].isupper() and doc[start - 1].text.endswith(
                    _ADJ_ENDINGS) and not doc[start - 1].is_sent_start and \
                    doc[start - 1].text not in _FUNCTION and not is_common_noun(doc[start - 1].text):
                start -= 1
            out.append(Span(doc, start, end, label="ORG"))
        return out

    def _member_bodies(self, doc: Doc) -> list[Span]:
        """"Vollversammlung der Vereinten Nationen", "Entwicklungsprogramm der Vereinten Nationen"."""
        out = []
        for i, tok in enumerate(doc[:-2]):
            low = tok.text.lower()
            if not (tok.text[:1].isupper() and low.endswith(self.shapes.member_body)) or \
                    doc[i + 1].text not in ("der", "des"):
                continue
            for words in self.shapes.member_of:
                j = i + 2 + len(words)
                if j <= len(doc) and tuple(t.text for t in doc[i + 2:j]) == words:
                    out.append(Span(doc, i, j, label=self.label))
                    break
        return out

    def _retype(self, ents: list[Span]) -> list[Span]:
        """ORG entities headed by a body noun are AGENCY ("Gesundheits-, Sozial- und Integrationsdirektion").

        "Bundesumwelt- und Bundesverkehrsministerium" names two bodies, of which only
        the second is written out: the entity is that one ("Bundesverkehrsministerium";
        "Bundesumwelt- und Verbraucherschutzministerium" is one ministry and stays whole).
        """
        out = []
        for e in ents:
            if (e.label_ in ("ORG", "AGENCY") and len(e) == 3 and e[0].text.endswith("-")
                    and e[1].text in ("und", "oder") and self.is_body(e[2].text)
                    and any(e[0].text.startswith(p) and e[2].text.startswith(p)
                            for p in ("Bundes", "Landes"))):
                # not "Bundesumwelt- und Verbraucherschutzministerium": one ministry, two fields
                e = Span(e.doc, e.start + 2, e.end, label=self.label)
            if e.label_ == "ORG" and len(e) > 1:
                words = [t.text for t in e]
                head_first = self.is_body(words[0]) and words[0] not in self.shapes.adjective_body
                head_last = (self.is_body(words[-1]) and words[-1] not in self.shapes.adjective_body
                             and not any(w in self.shapes.connector for w in words))
                if head_first or head_last:
                    e = Span(e.doc, e.start, e.end, label=self.label)
            out.append(e)
        return out

    def __call__(self, doc: Doc) -> Doc:
        typer = org_typer(self._nlp)  # the pipeline's ngo_orgs gazetteer
        cands = self.candidates(doc)
        loc_ends = {e.end for e in doc.ents if e.label_ == "LOC"}
        ents = self._retype(list(doc.ents))
        added: list[Span] = [e for e, old in zip(ents, doc.ents)
                             if (e.start, e.end, e.label_) != (old.start, old.end, old.label_)]
        for c in cands:
            overlapping = [e for e in ents if e.start < c.end and c.start < e.end]
            if any(e.label_ in ("ORG", "AGENCY") and e.start <= c.start and c.end <= e.end
                   and (e.end - e.start) > (c.end - c.start) for e in overlapping):
                continue  # a longer organisation name contains it: keep that one
            if any(e.label_ == "DATE" for e in overlapping):
                continue
            if any(e.label_ in ("ORG", "AGENCY") and (e.start < c.start or e.end > c.end)
                   for e in overlapping):
                continue  # crossing an organisation name: trust the name
            if any(e.start == c.start and e.end == c.end and e.label_ == c.label_ for e in overlapping):
                continue
            if any(typer.knows(e.text) and e.end < c.end and not (c.end in loc_ends)
                   for e in overlapping):
                continue  # the gazetteer knows the whole name: no list runs on after it
            ents = [e for e in ents if e not in overlapping]
            span = Span(doc, c.start, c.end, label=c.label_)
            ents.append(span)
            added.append(span)
        if not added:
            return doc
        doc.ents = sorted(filter_spans(ents), key=lambda s: s.start)
        by_pos = {(e.start, e.end): e for e in doc.ents}
        for span in added:
            e = by_pos.get((span.start, span.end))
            if e is not None:
                e._.ngo_org_type = typer.classify(e.text)[1] if e.label_ == "ORG" else None
                e._.ngo_canonical = None  # set by ngo_abbreviations (normalised text)
        return doc


@Language.factory(
    "ngo_public_bodies",
    default_config={"label": "AGENCY", "places": True, "phrases": True, "adjectives": True},
)
def make_ngo_public_bodies(nlp: Language, name: str, label: str, places: bool, phrases: bool,
                           adjectives: bool) -> PublicBodyRecognizer:
    """Factory of the ``ngo_public_bodies`` component.

    Config: ``label`` (the entity label, "AGENCY"), ``places`` (take in a following
    place: "Staatsanwaltschaft Köln"), ``phrases`` ("Bundesamt für Naturschutz"),
    ``adjectives`` ("sächsische Innenministerium").
    """
    return PublicBodyRecognizer(nlp, name, label=label, places=places, phrases=phrases,
                                adjectives=adjectives)
