"""``ngo_abbreviations``: one ``Span._.ngo_canonical`` per real thing in a document.

* Abbreviation definitions "Bundeskriminalamt (BKA)", "International Justice
  Mission Deutschland e. V. (IJM)" and the reverse "BKA (Bundeskriminalamt)":
  the long form is the entity right before (inside) the brackets, or, when the
  NER has none, the words found by the Schwartz-Hearst algorithm (added as an
  entity when the gazetteer or the head-noun rules can type it). Every mention
  of the short form in the document -- before or after the definition -- gets
  ``canonical`` = the long form's canonical; mentions the NER missed are added
  with the long form's label and ``org_type``. Entities that shared the short
  form's previous canonical (a gazetteer name reached via the alias) follow.
* Cut names: a later "Horizont e. V." right after "Kinderhilfe" becomes the
  document's "Kinderhilfe Horizont e. V." again (the NER sometimes drops a
  leading word); long forms never cross a line break.
* Short names: "Aurora" after "Menschenrechtsbüro Aurora e. V." (common
  nouns, then one name word) is that organisation, also where the NER made it
  a person or a place.
* Concepts: an acronym defined for words that are no name ("Afrikanische
  Schweinepest (ASP)", "Bedingungsloses Grundeinkommen (BGE)") is no entity anywhere
  in the document.
* Persons: a later "Roller" links to the earlier "Dietmar Roller" (unique
  surname within the document); untagged surname mentions are added as PER.
  Names resolve through :class:`ngo_text.parsing.names.PersonNames`, the resolver
  of the quote attribution, so ``Quote.speaker`` is the PER canonical.
* Every other entity without a canonical gets its normalised text.

Run it after ``ngo_orgs`` (which sets nominative gazetteer canonicals such as
"des Ausschusses für ..." -> "Ausschuss für ...").
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..parsing.names import PersonNames, person_name
from . import ensure_extensions, set_ents
from .canonical import LEGAL_TAIL as _LEGAL_TAIL
from .canonical import name_key
from .orgs import ORG_LABELS as _ORG_LABELS
from .orgs import OrgTyper, org_typer

__all__ = ["AbbreviationLinker", "schwartz_hearst"]

_SHORT_RX = re.compile(r"[A-ZÄÖÜ][A-Za-zÄÖÜäöüß0-9&\-.]{0,11}")
_LINKABLE = {"ORG", "AGENCY", "LOC", "MISC", "PER"}
_NOT_BEFORE_NAME = {"der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem",
                    "einer", "am", "im", "vom", "zum", "zur", "beim", "ins", "aufs", "mein", "dein"}


def _is_short_form(text: str) -> bool:
    """"BKA", "IJM", "BMFSFJ", "ver.di", "UNHCR", "IGFM" -- not "Berlin", not "2021"."""
    if not _SHORT_RX.fullmatch(text) or len(text) < 2:
        return False
    upper = sum(ch.isupper() for ch in text)
    return upper >= 2 and upper >= len([c for c in text if c.isalpha()]) / 2


def _extend_to_document_names(doc: Doc, ents: list[Span]) -> list[Span]:
    """Extend a cut ORG/AGENCY span to a longer name of the same document.

    "... Geschäftsführerin von Kinderhilfe [Horizont e. V.]": when the words
    before the span complete a longer ORG/AGENCY entity found elsewhere in the
    document ("Kinderhilfe Horizont e. V."), the span takes them in.
    """
    names: dict[tuple[str, ...], str] = {}
    for e in ents:
        if e.label_ in _ORG_LABELS and len(e) >= 2:
            names.setdefault(tuple(t.text for t in e), e.label_)
    if not names:
        return ents
    out, changed = [], False
    for e in ents:
        if e.label_ in _ORG_LABELS:
            words = tuple(t.text for t in e)
            for name, label in names.items():
                extra = len(name) - len(words)
                if (extra > 0 and name[extra:] == words and e.start >= extra
                        and tuple(t.text for t in doc[e.start - extra:e.start]) == name[:extra]):
                    e, changed = Span(doc, e.start - extra, e.end, label=label), True
                    break
        out.append(e)
    return filter_spans(out) if changed else ents


def schwartz_hearst(short: str, long: str) -> str | None:
    """The shortest suffix of ``long`` whose letters spell ``short`` (Schwartz & Hearst 2003).

    Characters match case-insensitively, in order, from the end; the first
    character of the short form must start a word. Returns ``None`` if none.
    """
    s_idx, l_idx = len(short) - 1, len(long) - 1
    while s_idx >= 0:
        c = short[s_idx].lower()
        if not c.isalnum():
            s_idx -= 1
            continue
        while (l_idx >= 0 and long[l_idx].lower() != c) or (
                s_idx == 0 and l_idx > 0 and long[l_idx - 1].isalnum()):
            l_idx -= 1
        if l_idx < 0:
            return None
        l_idx -= 1
        s_idx -= 1
    start = long.rfind(" ", 0, l_idx + 1) + 1
    return long[start:]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" ,;:")


def _nominative(span: Span) -> str:
    """"Sozialverband Lebenswert" for "(des) Sozialverbands Lebenswert": a genitive head noun undone.

    Only after "des"/"eines", only where the word without its -s/-es is a noun.
    """
    from .lexicon import is_common_noun, is_noun_compound

    text = _norm(span.text)
    doc = span.doc
    if span.start == 0 or doc[span.start - 1].lower_ not in ("des", "eines", "dieses"):
        return text
    words = text.split(" ")
    head = words[0]
    for suffix in ("es", "s"):
        stem = head[: -len(suffix)]
        if head.endswith(suffix) and len(stem) > 3 and (
                is_common_noun(stem) or is_noun_compound(stem, min_head=4)):
            return " ".join([stem, *words[1:]])
    return text


class AbbreviationLinker:
    """The ``ngo_abbreviations`` pipeline component (see the module docstring)."""

    def __init__(self, nlp: Language, name: str = "ngo_abbreviations", *, link_persons: bool = True,
                 add_missing: bool = True, max_long_words: int = 10) -> None:
        ensure_extensions()
        self.name = name
        self.link_persons = link_persons
        self.add_missing = add_missing
        self.max_long_words = max_long_words
        self._nlp = nlp

    def _get_typer(self) -> OrgTyper:
        """The org typer of the pipeline's ``ngo_orgs`` (its gazetteer and settings)."""
        return org_typer(self._nlp)

    # -- definitions ---------------------------------------------------------
    def _definitions(self, doc: Doc, ents: list[Span]) -> dict[str, dict]:
        by_end = {e.end: e for e in ents}
        by_start = {e.start: e for e in ents}
        defs: dict[str, dict] = {}
        for i, tok in enumerate(doc[:-2]):
            if tok.text != "(":
                continue
            short_tok = doc[i + 1]
            # "Long Form (SHORT)"
            if doc[i + 2].text == ")" and _is_short_form(short_tok.text):
                long = by_end.get(i)
                if long is not None and long.label_ in _LINKABLE - {"PER"} and \
                        schwartz_hearst(short_tok.text, long.text) is not None:
                    defs.setdefault(short_tok.text, {"long": long})
                    continue
                found = self._sh_span(doc, i, short_tok.text)
                if found is not None:
                    defs.setdefault(short_tok.text, {"long": found})
                continue
            # "SHORT (Long Form)"
            if i > 0 and _is_short_form(doc[i - 1].text):
                long = by_start.get(i + 1)
                if long is not None and long.end < len(doc) and doc[long.end].text == ")" and \
                        long.label_ in _LINKABLE - {"PER"} and \
                        schwartz_hearst(doc[i - 1].text, long.text) is not None:
                    defs.setdefault(doc[i - 1].text, {"long": long})
        return defs

    @staticmethod
    def _concepts(doc: Doc, ents: list[Span]) -> set[str]:
        """Acronyms a document defines for a thing that is no name ("Afrikanische Schweinepest (ASP)").

        The words before the brackets that spell the acronym (Schwartz-Hearst) are
        lower-case words, capitalised adjectives and common nouns, ending in a common
        noun, and no entity ends there: such an acronym is no organisation or work.
        """
        from .lexicon import is_common_noun, is_noun_compound, names

        ends = {e.end for e in ents}
        out: set[str] = set()
        for i, tok in enumerate(doc[:-2]):
            short = doc[i + 1].text
            if tok.text != "(" or doc[i + 2].text != ")" or not short.isupper() or len(short) < 2 \
                    or i in ends:
                continue
            window = doc[max(doc[i].sent.start if doc.has_annotation("SENT_START") else 0, i - 8):i]
            found = schwartz_hearst(short, window.text)
            if not found:
                continue
            words = [w for w in found.split() if w[:1].isalpha()]
            if not words or len(words) > 6:
                continue

            def noun(w: str) -> bool:
                return is_common_noun(w) or is_noun_compound(w, min_head=4)

            if not noun(words[-1]) or any(w in names() for w in words):
                continue
            if all(w[:1].islower() or noun(w) or w.endswith(("e", "en", "er", "es", "em")) for w in words[:-1]):
                out.add(short)
        return out

    def _sh_span(self, doc: Doc, paren: int, short: str) -> Span | None:
        """Long form before ``paren`` found by Schwartz-Hearst, typed by gazetteer/rules."""
        sent_start = doc[paren].sent.start if doc.has_annotation("SENT_START") else 0
        n_words = min(len(short) + 5, 2 * len(short), self.max_long_words)
        lo = max(sent_start, paren - n_words)
        for j in range(paren - 1, lo - 1, -1):  # a long form never crosses a line break
            if doc[j].is_space and "\n" in doc[j].text:
                lo = j + 1
                break
        window = doc[lo:paren]
        if not len(window):
            return None
        found = schwartz_hearst(short, window.text)
        if not found:
            return None
        span = doc.char_span(window.end_char - len(found), window.end_char, alignment_mode="contract")
        if span is None or not len(span):
            return None
        while len(span) and not span[0].is_title and not span[0].is_upper:
            span = doc[span.start + 1:span.end]
        if not len(span):
            return None
        label, org_type, how = self._get_typer().classify(span.text)
        if how not in ("gazetteer", "rule"):
            return None
        new = Span(doc, span.start, span.end, label=label)
        return new

    # -- main ------------------------------------------------------------------
    def _short_names(self, doc: Doc, ents: list[Span], defs: dict[str, dict]) -> set[str]:
        """"Aurora" for "Menschenrechtsbüro Aurora e. V.": the name after a generic head noun.

        An ORG/AGENCY entity made of common nouns and then one name word (not a
        common noun) is called by that word alone later in the text; those
        mentions are the same organisation, whatever the NER made of them.
        """
        from .lexicon import is_common_noun, is_noun_compound

        found: set[str] = set()
        places = {e.text for e in ents if e.label_ == "LOC"}
        for e in ents:
            if e.label_ != "ORG":
                continue  # "Landgericht Köln": the place of an authority is no short name
            m = _LEGAL_TAIL.search(e.text)
            words = (e.text[: m.start()] if m else e.text).split()
            if len(words) < 2 and not m:
                continue  # "Aurora e. V." names "Aurora" too
            name, heads = words[-1], words[:-1]
            parts = name.split("-")  # "Nord-Süd"
            if not all(p[:1].isupper() and p[1:].islower() for p in parts) or len(name) <= 3 \
                    or is_common_noun(name) \
                    or is_noun_compound(name) or name in defs or name in places:
                continue
            if all(is_common_noun(h) or is_noun_compound(h, min_head=4) for h in heads):
                defs[name] = {"long": e}
                found.add(name)
        return found

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        concepts = self._concepts(doc, ents)
        if concepts:  # "ASP" after "Afrikanischen Schweinepest (ASP)" is a disease, no organisation
            ents = [e for e in ents if e.text not in concepts]
            doc.ents = ents
        defs = self._definitions(doc, ents)
        short_names = self._short_names(doc, ents, defs)
        added: list[Span] = []
        if defs:
            for d in defs.values():
                long = d["long"]
                if long not in ents and self.add_missing:
                    inside = [e for e in ents if e.start < long.end and long.start < e.end]
                    if all(long.start <= e.start and e.end <= long.end for e in inside):
                        ents = [e for e in ents if e not in inside]  # the long form replaces parts
                        added.append(long)
            if added:
                ents = filter_spans(ents + added)
            # short-form mentions take the long form's label ("FRR" is what "Flüchtlingsrat ... e. V." is)
            long_label = {short: d["long"].label_ for short, d in defs.items()}
            relabeled = []
            for e in ents:
                lab = long_label.get(e.text)
                if lab is None and len(e) > 1 and e.label_ in _ORG_LABELS and \
                        long_label.get(doc[e.start].text) in _ORG_LABELS:
                    lab = long_label[doc[e.start].text]  # "WSA Weser" is a unit of the "... Schifffahrtsamt (WSA)"
                if lab is not None and e.label_ != lab and (
                        e.label_ in _LINKABLE - {"PER"} or e.text in short_names):
                    e = Span(doc, e.start, e.end, label=lab)
                    added.append(e)
                relabeled.append(e)
            ents = relabeled
            if self.add_missing:
                for tok in doc:
                    if tok.text in defs:
                        if any(e.start <= tok.i < e.end for e in ents):
                            continue
                        if tok.text in short_names and tok.i > 0 and \
                                doc[tok.i - 1].lower_ in _NOT_BEFORE_NAME:
                            continue  # "die Aurora" may be the goddess
                        ents.append(Span(doc, tok.i, tok.i + 1, label=defs[tok.text]["long"].label_))
        person_adds: list[Span] = []
        if self.link_persons and self.add_missing:
            person_adds = self._missing_surnames(doc, ents)
            ents = ents + person_adds
        if len(ents) != len(doc.ents) or added:
            doc.ents = sorted(filter_spans(ents), key=lambda s: s.start)
            # keep values set on the long forms by the typer
            if added:
                typer = self._get_typer()
                added_pos = {(a.start, a.end) for a in added}
                for e in doc.ents:
                    if (e.start, e.end) in added_pos:
                        label, org_type, _ = typer.classify(e.text)
                        e._.ngo_org_type = org_type if e.label_ == "ORG" else None
        ents_now = list(doc.ents)
        # a later "Horizont e. V." right after "Kinderhilfe" is the long form again
        extended = _extend_to_document_names(doc, ents_now)
        if extended is not ents_now:
            known = {e.text: e for e in ents_now}
            doc.ents = sorted(extended, key=lambda s: s.start)
            ents_now = list(doc.ents)
            for e in ents_now:
                src = known.get(e.text)
                if src is not None and e._.ngo_org_type is None and e.label_ == "ORG":
                    e._.ngo_org_type = src._.ngo_org_type
        # canonical of long forms, then short forms
        remap: dict[str, str] = {}
        for short, d in defs.items():
            long = next((e for e in ents_now if e.start == d["long"].start and e.end == d["long"].end),
                        None)
            if long is None:
                continue
            canonical = long._.ngo_canonical or _norm(long.text)
            long._.ngo_canonical = canonical
            for e in ents_now:
                if e.text == short:
                    old = e._.ngo_canonical
                    if old and old != canonical and old != short:
                        remap[old] = canonical
                    e._.ngo_canonical = canonical
                    if e.label_ == long.label_:
                        e._.ngo_org_type = long._.ngo_org_type
        for e in ents_now:
            if e._.ngo_canonical in remap:
                e._.ngo_canonical = remap[e._.ngo_canonical]
        self._link_legal_forms(ents_now)
        if self.link_persons:
            self._link_persons(ents_now)
        for e in ents_now:
            if e._.ngo_canonical is None:
                e._.ngo_canonical = _nominative(e) if e.label_ in _ORG_LABELS else _norm(e.text)
        self._unify(doc, ents_now)
        return doc

    @staticmethod
    def _unify(doc: Doc, ents: list[Span]) -> None:
        """Organisations whose names differ only in case endings get one canonical and label.

        "Sozialverbands Lebenswert e. V." and "Sozialverband Lebenswert e. V.", or
        "Menschenrechtsbüros Aurora" and "Menschenrechtsbüro Aurora e. V.": the
        group takes the form with a legal form, else the most frequent, else the
        longest; and its label (a name typed ORG twice and AGENCY once is ORG).
        """
        groups: dict[str, list[Span]] = {}
        for e in ents:
            if e.label_ in _ORG_LABELS:
                groups.setdefault(name_key(e._.ngo_canonical or e.text), []).append(e)
        for e in ents:  # "Hilfswerk Nord-Süd" MISC is "Hilfswerk Nord-Süd e. V." ORG of the same text
            if e.label_ in ("MISC", "LOC", "PER"):
                key = name_key(e._.ngo_canonical or e.text)
                if key in groups and len(e) > 1:
                    groups[key].append(e)
        # "Allianz Freiheit" (the NER cut it) is "Allianz Freiheit jetzt e. V." of the same text
        for key in sorted(groups, key=len):
            longer = [k for k in groups if k != key and k.startswith(key + " ")
                      and all(w.islower() for w in k[len(key) + 1:].split())
                      and any(_LEGAL_TAIL.search(m._.ngo_canonical or m.text) for m in groups[k])]
            if len(longer) == 1:
                groups[longer[0]].extend(groups.pop(key))
        relabel: dict[tuple[int, int], tuple[str, str, str | None]] = {}
        for members in groups.values():
            canons = [m._.ngo_canonical or _norm(m.text) for m in members]
            if len(set(canons)) == 1 and len({m.label_ for m in members}) == 1:
                continue
            org_canons = [c for c, m in zip(canons, members) if m.label_ in _ORG_LABELS]
            best = max(org_canons, key=lambda c: (bool(_LEGAL_TAIL.search(c)), canons.count(c), len(c)))
            rep = members[canons.index(best)]
            for m in members:
                if m.label_ != rep.label_:
                    relabel[(m.start, m.end)] = (rep.label_, best, rep._.ngo_org_type)
                m._.ngo_canonical = best
                if m.label_ == "ORG" and rep.label_ == "ORG":
                    m._.ngo_org_type = rep._.ngo_org_type
        if relabel:
            new_ents = []
            for e in doc.ents:
                hit = relabel.get((e.start, e.end))
                new_ents.append(Span(doc, e.start, e.end, label=hit[0]) if hit else e)
            set_ents(doc, new_ents, {
                pos: {"ngo_canonical": canonical, "ngo_org_type": org_type if label == "ORG" else None}
                for pos, (label, canonical, org_type) in relabel.items()})

    @staticmethod
    def _link_legal_forms(ents: list[Span]) -> None:
        """"KlimaRecht Initiative" -> "KlimaRecht Initiative e. V." when both occur."""
        full: dict[str, Span] = {}
        for e in ents:
            if e.label_ in ("ORG", "AGENCY"):
                canon = e._.ngo_canonical or _norm(e.text)
                m = _LEGAL_TAIL.search(canon)
                if m and m.start() > 0:
                    full.setdefault(canon[: m.start()].rstrip(), e)
        if not full:
            return
        for e in ents:
            if e.label_ in ("ORG", "AGENCY"):
                key = e._.ngo_canonical or _norm(e.text)
                if key in full:
                    src = full[key]
                    e._.ngo_canonical = src._.ngo_canonical or _norm(src.text)
                    if e.label_ == src.label_:
                        e._.ngo_org_type = src._.ngo_org_type

    # -- persons ---------------------------------------------------------------
    @staticmethod
    def _persons(ents: list[Span]) -> PersonNames:
        """The document's full person names (PER entities of two or more tokens)."""
        return PersonNames(e.text for e in ents if e.label_ == "PER" and len(e) >= 2)

    def _missing_surnames(self, doc: Doc, ents: list[Span]) -> list[Span]:
        names = self._persons(ents).surnames()
        if not names:
            return []
        covered: set[int] = set()
        for e in ents:
            covered.update(range(e.start, e.end))
        # not after an article/preposition: "am Berg", "der Roller" are no persons
        return [Span(doc, t.i, t.i + 1, label="PER") for t in doc
                if t.text in names and t.i not in covered
                and not (t.i > 0 and doc[t.i - 1].lower_ in _NOT_BEFORE_NAME)]

    def _link_persons(self, ents: list[Span]) -> None:
        # the resolver of the quote attribution: Quote.speaker and the PER canonical agree
        names = self._persons(ents)
        for e in ents:
            if e.label_ != "PER":
                continue
            full = names.resolve(e.text) if len(e) == 1 else None
            if full:
                e._.ngo_canonical = full
            elif e._.ngo_canonical is None:
                e._.ngo_canonical = person_name(e.text)


@Language.factory(
    "ngo_abbreviations",
    default_config={"link_persons": True, "add_missing": True, "max_long_words": 10},
)
def make_ngo_abbreviations(nlp: Language, name: str, link_persons: bool, add_missing: bool,
                           max_long_words: int) -> AbbreviationLinker:
    """Factory of the ``ngo_abbreviations`` component.

    Config: ``link_persons`` (surname -> full name), ``add_missing`` (add short
    forms and surnames the NER missed), ``max_long_words`` (Schwartz-Hearst window).
    """
    return AbbreviationLinker(nlp, name, link_persons=link_persons, add_missing=add_missing,
                              max_long_words=max_long_words)
