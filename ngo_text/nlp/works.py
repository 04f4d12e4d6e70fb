"""``ngo_laws_and_tags``: laws by their shape and hashtag campaigns as MISC.

NER models trained on news find few of the names ngo_text's conventions count as
MISC. Two kinds have a shape of their own:

* **laws** -- one capitalised compound ending in -gesetz, -gesetzbuch or -verordnung
  ("Tierschutzgesetz", "Infektionsschutzgesetz", "Baugesetzbuch", "Düngeverordnung",
  "Tabaksteuermodernisierungsgesetzes"), or -konvention after a prefix
  ("UN-Kinderrechtskonvention"). Bare "Gesetz", "Verordnung" and plural
  "Gesetze" are not names, nor are kinds of laws ("Landesgesetz", "Rechtsverordnung")
  or concept compounds with a hyphen ("EU-Richtlinie");
* **hashtags** of campaigns ("#WeRemember", "#Berlinböllerfrei").

An existing entity on the same words is replaced only when it is shorter
(a MISC hashtag beats "WeRemember" PER).
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from . import ensure_extensions

__all__ = ["LawsAndTags", "LAW_RX", "HASHTAG_RX"]

#: one-word law names (singular, nominative or genitive)
LAW_RX = re.compile(
    r"(?<![\w-])[A-ZÄÖÜ][a-zäöüß]{2,}(?:gesetz|gesetzes|gesetzbuch|gesetzbuches|gesetzbuchs|verordnung)(?![\w-])"
    r"|(?<![\w-])(?:UN|EU|UNO)-[A-ZÄÖÜ][a-zäöüß]{3,}konvention(?![\w-])")
#: kinds of laws, no law's name ("ein Landesgesetz", "die Rechtsverordnung"); on the hand-annotated
#: training pages -verordnung compounds were names 3 times of 4, these -gesetz words never
_GENERIC_LAWS = frozenset({
    "Landesgesetz", "Landesgesetzes", "Bundesgesetz", "Bundesgesetzes", "Ratifizierungsgesetz",
    "Ratifizierungsgesetzes", "Änderungsgesetz", "Änderungsgesetzes", "Ausführungsgesetz", "Rahmengesetz",
    "Einführungsgesetz", "Sondergesetz", "Rechtsverordnung", "Durchführungsverordnung", "Landesverordnung",
    "Bundesverordnung", "Notverordnung", "Eilverordnung"})
#: a hashtag: "#" and at least three word characters, not inside a URL
HASHTAG_RX = re.compile(r"(?<![\w/&])#[A-Za-zÄÖÜäöüß][\wÄÖÜäöüß]{2,}")


class LawsAndTags:
    """The ``ngo_laws_and_tags`` pipeline component (see the module docstring)."""

    def __init__(self, nlp: Language, name: str = "ngo_laws_and_tags", *, laws: bool = True,
                 hashtags: bool = True, label: str = "MISC") -> None:
        ensure_extensions()
        self.name = name
        self.laws = laws
        self.hashtags = hashtags
        self.label = label

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        text = doc.text
        rxs = [rx for rx, on in ((LAW_RX, self.laws), (HASHTAG_RX, self.hashtags)) if on]
        for rx in rxs:
            for m in rx.finditer(text):
                if m.group(0) in _GENERIC_LAWS:
                    continue
                span = doc.char_span(m.start(), m.end(), label=self.label, alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        if not spans:
            return doc
        ents = list(doc.ents)
        added = []
        for span in filter_spans(spans):
            overlapping = [e for e in ents if e.start < span.end and span.start < e.end]
            if any((e.end - e.start) > (span.end - span.start) or e.label_ == "DATE" for e in overlapping):
                continue
            ents = [e for e in ents if e not in overlapping]
            ents.append(span)
            added.append(span)
        if added:
            doc.ents = sorted(ents, key=lambda s: s.start)
        return doc


@Language.factory("ngo_laws_and_tags", default_config={"laws": True, "hashtags": True, "label": "MISC"})
def make_ngo_laws_and_tags(nlp: Language, name: str, laws: bool, hashtags: bool,
                           label: str) -> LawsAndTags:
    """Factory of the ``ngo_laws_and_tags`` component.

    Config: ``laws`` (one-word law names), ``hashtags`` (campaign hashtags),
    ``label`` ("MISC").
    """
    return LawsAndTags(nlp, name, laws=laws, hashtags=hashtags, label=label)
