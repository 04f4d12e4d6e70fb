"""``ngo_junk_filter``: drop entities that are no names.

German capitalises every noun, so an NER model sees "Fieber", "Tierheim" or
"Deckel" where an English one sees a lower-case word, and tags some of them
PER or LOC. This component removes, from ``doc.ents``:

* **common nouns** as single-token PER/LOC: the word is in the common-noun
  lexicon (:func:`ngo_text.nlp.lexicon.common_nouns`: Wiktionary nouns minus
  the forms that are also surnames, first names or places) or a compound of
  two of its nouns ("Jobversprechen"; for LOC not one ending like a place,
  "-land", "-stadt"), is not one of the
  nouns that are mostly names in news text (``lexicon/name_nouns.txt``:
  "Christus", "Stalin", "Bad"), and the document gives no evidence that it is a
  name here: no longer PER/LOC entity containing it ("Anna Sommer" ... "Sommer"),
  no "Herr"/"Frau"/title right before it;
* **heavenly bodies** as LOC ("Sonne", "Erde", "Mond");
* **currencies** ("Euro", "€", "Dollar") and **languages** ("Deutsch",
  "Rumänisch") under any label: ngo_text's conventions count neither;
* **web and mail addresses** as PER/LOC/MISC ("www.example.org/presse"); a bare
  domain named as an actor is a platform and becomes ORG ("trauernetz.de");
* **fragments of English sentences** as PER/LOC/MISC ("Europe can no", "Now
  the brands in"): spans holding an English function word in lower case;
* **hyphen compounds on a common noun** as PER ("Blasius-Segen", "Merkel-Regierung");
* **credits and references** as PER ("Alex T./AdobeStock", "Ford, Martin"):
  names in running text hold no slash or comma;
* **a trailing verb** ("Unicef rief", "Horizont läuft"): a lower-case last word
  is cut off when the rest is a name the document or the gazetteer knows (the
  rest then takes that name's label and canonical form);
* **a clause after a name** ("Stiftung Gesundheit für Alle verbindliche
  Hitzeschutzpläne ..."): cut before a lower-case adjective and a noun;
* **party names used as adjectives** ("die Linke Hand", "Grüne Energie");
* **a descriptor before a name** ("Fachberatungsstelle [Allianz Freiheit jetzt
  e. V.]"): cut when the rest is a name of the document or the gazetteer or
  ends in a legal form;
* **sentences as titles** (MISC "Wer mit Kindern Geld").

Currencies, languages and heavenly bodies follow ngo_text's annotation
conventions (``ANNOTATION.md``), and so do platforms named by their domain
(ORG); GermEval 2014 counts "Euro", "Englisch" and "Sonne" as names and
"stern.de" as MISC, so its bench turns these rules off (config ``currencies``,
``languages``, ``heavenly``, ``domains``) and reports both figures.

What it removes and what it wrongly removes is measured by
``bench/real_pages.py`` and ``bench/ner_eval.py`` (see the model card).
Run it last, after ``ngo_abbreviations`` (whose surname links are evidence).
"""
from __future__ import annotations

import functools
import re
from importlib import resources

from spacy.language import Language
from spacy.tokens import Doc, Span

from . import ensure_extensions, set_ents
from .lexicon import is_common_noun, is_noun_compound
from .orgs import OrgTyper, org_typer

__all__ = ["JunkFilter", "name_nouns", "junk_reason"]

_CURRENCIES = {"Euro", "€", "EUR", "Dollar", "US-Dollar", "$", "USD", "Cent", "Pfund", "Rubel", "Yen",
               "Yuan", "Rupien", "Franken", "CHF", "Euros", "Dollars"}
_LANGUAGE_RX = re.compile(r"(?:[A-ZÄÖÜ][a-zäöü]+isch|Deutsch|[a-zäöü]+isch|deutsch)")
_OPEN_QUOTES = {"„", '"', "»", "‚", "“", "«"}
_CLOSE_QUOTES = {"“", '"', "«", "‘", "”", "»"}
# ("Das Parfum" is a title, "Die Pandemie" may be one: articles are left alone)
_SENTENCE_STARTS = {"Wer", "Wie", "Was", "Wo", "Wir", "Sie", "Es", "Er", "Ich", "Ihr", "Diese", "Dieser",
                    "Dieses", "Man"}
_LEGAL_END = re.compile(r"\b(?:e\.\s?V\.|e\.V\.|gGmbH|GmbH|gUG)$")
_PARTY_ADJECTIVES = {"Linke", "Linken", "Grüne", "Grünen", "Freie", "Freien"}
_GLUE = {"für", "und", "der", "des", "die", "das", "von", "vom", "zur", "zum", "e.", "ohne", "statt"}
_HEAVENLY = {"Sonne", "Erde", "Mond", "Sonnensystem", "Milchstraße"}
_URL_RX = re.compile(r"(?:https?://|www\.|\S+@\S+\.\w+|\w\.(?:de|at|ch|com|org|net|eu|info)/)", re.I)
_DOMAIN_RX = re.compile(r"[\w-]+(?:\.[\w-]+)*\.(?:de|at|ch|com|org|net|eu|info)", re.I)
_ENGLISH = {"the", "can", "no", "not", "is", "are", "was", "were", "be", "been", "this", "that", "these",
            "will", "would", "we", "you", "they", "our", "their", "with", "from", "have", "has", "it",
            "its", "a", "an", "to", "into", "what", "who", "how", "why", "should", "must", "now"}
_TITLES = {"Herr", "Herrn", "Frau", "Dr.", "Prof.", "Dr", "Prof", "Pfarrer", "Pfarrerin", "Pastor",
           "Pastorin", "Bischof", "Bischöfin", "Kardinal", "Papst", "Minister", "Ministerin", "Präsident",
           "Präsidentin", "Kanzler", "Kanzlerin", "Senator", "Senatorin", "Abgeordnete", "Abgeordneter"}


@functools.lru_cache(maxsize=1)
def name_nouns() -> frozenset[str]:
    """Common nouns that are mostly names in news text (``lexicon/name_nouns.txt``)."""
    raw = resources.files("ngo_text.resources").joinpath("lexicon/name_nouns.txt").read_text("utf-8")
    return frozenset(w.strip() for w in raw.splitlines() if w.strip() and not w.startswith("#"))


#: reasons that are conventions of ngo_text's annotation, not errors of the NER
CONVENTION_REASONS = ("currency", "language", "heavenly body")


def junk_reason(span: Span) -> str | None:
    """Why ``span`` is no name (one of the reasons of the module docstring), else ``None``.

    Looks at the span alone and its left neighbour; the document-level evidence
    (a longer entity containing the word) is checked by :class:`JunkFilter`.
    """
    text, label = span.text, span.label_
    if text in _CURRENCIES:
        return "currency"
    if len(span) == 1 and _LANGUAGE_RX.fullmatch(text) and label in ("MISC", "PER", "LOC", "ORG"):
        return "language"
    if _URL_RX.search(text) and (label in ("PER", "LOC", "MISC") or text.lower().startswith("www.")
                                 or "/" in text):
        # "www.bsi.bund.de", "evang.at/faq-corona" are where, not who; "trauernetz.de" may be a platform (ORG)
        return "address"
    if label == "PER" and any(t.text in ("/", ",", "@") or "/" in t.text for t in span):
        return "credit"  # "Alex T./AdobeStock" (a photo credit), "Ford, Martin" (a reference list)
    if label in ("PER", "LOC", "MISC"):
        if len(span) > 1 and span[-1].is_lower and any(t.text in _ENGLISH for t in span):
            return "english"  # "Europe can no"; a title ends on a name word ("Trying to Burn the Sun")
    if label == "LOC" and text in _HEAVENLY:
        return "heavenly body"
    if label in ("ORG", "AGENCY") and span[-1].text in _PARTY_ADJECTIVES and span.end < len(span.doc):
        nxt = span.doc[span.end].text
        if nxt[:1].isupper() and (is_common_noun(nxt) or is_noun_compound(nxt, min_head=4)):
            return "adjective"  # "die Linke Hand", "Grüne Energie": no party
    if label == "MISC" and span[0].text in _SENTENCE_STARTS and all(
            is_common_noun(t.text) or is_noun_compound(t.text, min_head=4)
            for t in span[1:] if t.text[:1].isupper()):
        return "sentence"  # "Die Pandemie", "Wer mit Kindern Geld": no title of a work
    if label == "PER" and len(span) == 1 and "-" in text.strip("-"):
        head = text.rsplit("-", 1)[1]
        if len(head) >= 4 and head[:1].isupper() and is_common_noun(head) and head not in name_nouns():
            return "compound"  # "Blasius-Segen", "Merkel-Regierung": a thing named after a person
    if label in ("PER", "LOC") and len(span) == 1 and text not in name_nouns() and (
            is_common_noun(text) or is_noun_compound(text, place=label == "LOC")):
        prev = span.doc[span.start - 1].text if span.start > 0 else ""
        if label == "PER" and prev in _TITLES:
            return None
        return "common noun"
    return None


class JunkFilter:
    """The ``ngo_junk_filter`` pipeline component (see the module docstring)."""

    def __init__(self, nlp: Language, name: str = "ngo_junk_filter", *, nouns: bool = True,
                 trim_verbs: bool = True, currencies: bool = True, languages: bool = True,
                 heavenly: bool = True, domains: bool = True) -> None:
        ensure_extensions()
        self.name = name
        self.nouns = nouns
        self.trim_verbs = trim_verbs
        self.domains = domains
        self._nlp = nlp
        self.keep_reasons = {r for r, on in (("currency", currencies), ("language", languages),
                                             ("heavenly body", heavenly)) if not on}

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        if not ents:
            return doc
        typer = org_typer(self._nlp)  # the pipeline's ngo_orgs gazetteer
        # words that are part of a longer PER/LOC name of this document: evidence
        in_names = {(t.text, e.label_) for e in ents if e.label_ in ("PER", "LOC") and len(e) > 1
                    for t in e}
        keep: list[Span] = []
        saved_trim: dict[tuple[int, int], tuple[str | None, str | None]] = {}
        remap: dict[str, str] = {}  # canonical of a cut name -> the name (for its short forms too)
        changed = False
        for e in ents:
            reason = junk_reason(e)
            if reason == "common noun" and (not self.nouns or (e.text, e.label_) in in_names):
                reason = None
            if reason in self.keep_reasons:
                reason = None
            if reason is not None:
                changed = True
                continue
            if self.domains and e.label_ in ("MISC", "LOC", "PER") and _DOMAIN_RX.fullmatch(e.text):
                # "trauernetz.de" named as an actor is a platform: ORG
                changed, e = True, Span(doc, e.start, e.end, label="ORG")
            if self.trim_verbs:
                trimmed = self._trim(doc, e, ents, typer)
                if trimmed is not e:
                    changed = True
                    e = trimmed
                    saved_trim[(e.start, e.end)] = (e._.ngo_canonical, e._.ngo_org_type)
            if e.label_ == "ORG" and len(e) > 2:
                head = doc[e.start].text
                rest = doc[e.start + 1:e.end]
                if (is_common_noun(head) or is_noun_compound(head, min_head=4)) \
                        and not _is_adjective(head) and rest[0].text[:1].isupper() and (
                        typer.knows(rest.text, whole=False)
                        or _LEGAL_END.search(rest.text) and _descriptor(head, rest[0].text)
                        or any(x.text == rest.text and x.label_ in ("ORG", "AGENCY")
                               for x in ents if x is not e)):
                    # "Fachberatungsstelle Allianz Freiheit jetzt e. V.": a descriptor before the name
                    remap[e._.ngo_canonical or e.text] = " ".join(rest.text.split())
                    changed, e = True, Span(doc, rest.start, rest.end, label=e.label_)
            if e.label_ in ("ORG", "AGENCY") and len(e) > 3:
                cut = self._cut_clause(doc, e)
                if cut is not e:
                    remap[e._.ngo_canonical or e.text] = " ".join(cut.text.split())
                    changed, e = True, cut
            keep.append(e)
        if changed:
            set_ents(doc, keep, {pos: {"ngo_canonical": canonical, "ngo_org_type": org_type}
                                 for pos, (canonical, org_type) in saved_trim.items()})
            for e in doc.ents:
                canonical = e._.ngo_canonical if e._.ngo_canonical is not None else " ".join(e.text.split())
                e._.ngo_canonical = remap.get(canonical, canonical)
        return doc

    @staticmethod
    def _trim(doc: Doc, e: Span, ents: list[Span], typer: OrgTyper) -> Span:
        """"Unicef rief" -> "Unicef" when "Unicef" is a name of this document or the gazetteer."""
        if 0 < e.start and e.end < len(doc) and doc[e.start - 1].text in _OPEN_QUOTES \
                and doc[e.end].text in _CLOSE_QUOTES:
            return e  # „Horizont läuft“: a quoted name (an event, a campaign) is whole
        end = e.end
        while end - e.start > 1 and doc[end - 1].is_lower and doc[end - 1].is_alpha:
            end -= 1
        if end == e.end:
            return e
        rest = doc[e.start:end].text
        word = re.compile(rf"(?<!\w){re.escape(rest)}(?!\w)")
        source = next((x for x in ents if x is not e and word.search(x.text)), None)
        if source is None and not (e.label_ in ("ORG", "AGENCY") and typer.knows(rest, whole=False)):
            return e
        # "Horizont läuft" -> "Horizont", the organisation "Kinderhilfe Horizont e. V." of the text
        label = source.label_ if source is not None and source.label_ != "DATE" else e.label_
        span = Span(doc, e.start, end, label=label)
        if source is not None and source.label_ == label:
            span._.ngo_canonical = source._.ngo_canonical
            span._.ngo_org_type = source._.ngo_org_type
        return span

    @staticmethod
    def _cut_clause(doc: Doc, e: Span) -> Span:
        """"Stiftung Gesundheit für Alle [verbindliche Hitzeschutzpläne für Pflegeheime]": the NER ran on.

        An ORG/AGENCY span is cut before a lower-case adjective that is followed by
        a common noun: names do not go on so ("Allianz Freiheit jetzt e. V." does
        not, "Jugend forscht" neither).
        """
        for i in range(e.start + 2, e.end - 1):
            t, nxt = doc[i], doc[i + 1]
            # after "für"/"und" an adjective belongs to the name ("für wirtschaftliche
            # Zusammenarbeit"); right after a name word it starts a clause
            if (doc[i - 1].text[:1].isupper() and doc[i - 1].text not in _GLUE
                    and t.is_lower and t.is_alpha and t.text.endswith(("e", "en", "er", "es", "em"))
                    and t.text not in _GLUE and nxt.text[:1].isupper()
                    and (is_common_noun(nxt.text) or is_noun_compound(nxt.text, min_head=4))):
                return Span(doc, e.start, i, label=e.label_)
        return e


def _descriptor(head: str, first: str) -> bool:
    """"Kinderrechtsorganisation [Kinderhilfe Horizont e. V.]": a word for the kind of organisation.

    Legal names may start with a common noun ("Menschenrechtsbüro Aurora e. V."),
    so only a head that says "organisation" is cut off on the legal form alone.
    """
    return head.lower().endswith(("organisation", "organization"))


def _is_adjective(word: str) -> bool:
    """"Deutschen", "Bayerische": a capitalised adjective of a place (nouns too, in the lexicon)."""
    from .bodies import load_shapes

    return word.lower() in load_shapes().place_adjective


@Language.factory("ngo_junk_filter", default_config={
    "nouns": True, "trim_verbs": True, "currencies": True, "languages": True, "heavenly": True,
    "domains": True})
def make_ngo_junk_filter(nlp: Language, name: str, nouns: bool, trim_verbs: bool, currencies: bool,
                         languages: bool, heavenly: bool, domains: bool) -> JunkFilter:
    """Factory of the ``ngo_junk_filter`` component.

    Config: ``nouns`` (drop single-token PER/LOC that are common nouns without
    evidence), ``trim_verbs`` (cut a lower-case last word off a known name),
    ``currencies``/``languages``/``heavenly`` (drop "Euro", "Deutsch", "Sonne":
    ngo_text's conventions; off for GermEval's), ``domains`` (a bare domain named
    as an actor is an ORG platform; GermEval: MISC).
    """
    return JunkFilter(nlp, name, nouns=nouns, trim_verbs=trim_verbs, currencies=currencies,
                      languages=languages, heavenly=heavenly, domains=domains)
