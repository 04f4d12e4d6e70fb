"""One canonical name per real thing: within a document and across a corpus.

* :func:`name_key`: an inflection-blind key of an organisation name, so that
  "des Oberverwaltungsgerichts Lüneburg" and "Oberverwaltungsgericht Lüneburg",
  "Sozialverbands Lebenswert e. V." and "Sozialverband Lebenswert" meet.
* :func:`unify_corpus`: after every article is analysed, entities with the same
  key get one canonical form (the most frequent one in the corpus) and one label
  (the majority), so that :class:`ngo_text.Corpus` and
  :class:`ngo_text.RelatedIndex` count one actor once. Only exact keys meet:
  "Allianz" (the insurer) and "Allianz Freiheit jetzt e. V." (an NGO) stay two.

The document-level linking (abbreviations, surnames, short names, the same
key within a document) is done by the ``ngo_abbreviations`` component.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

__all__ = ["name_key", "unify_corpus", "LEGAL_TAIL"]

#: A legal form at the end of a name ("... e. V.", "... gGmbH").
LEGAL_TAIL = re.compile(r"\s+(e\.\s?V\.|e\.V\.|gGmbH|GmbH|gUG|AG|SE|KG)$")
_ARTICLES = {"der", "die", "das", "des", "dem", "den"}
_ENDINGS = ("es", "en", "er", "em", "s", "n", "e")


def name_key(text: str) -> str:
    """A lower-case key of a name that ignores case endings, a leading article and a legal form.

    >>> name_key("des Oberverwaltungsgerichts Lüneburg") == name_key("Oberverwaltungsgericht Lüneburg")
    True
    >>> name_key("Deutschen Bundestages") == name_key("Deutscher Bundestag")
    True
    """
    text = LEGAL_TAIL.sub("", " ".join(text.split()))
    words = text.split(" ")
    if len(words) > 1 and words[0].lower() in _ARTICLES:
        words = words[1:]
    out = []
    for w in words:
        low = w.lower()
        if len(low) > 4 and not w.isupper():
            for suffix in _ENDINGS:
                if low.endswith(suffix):
                    low = low[: -len(suffix)]
                    break
        out.append(low)
    return " ".join(out)


def _best(counter: Counter[Any]) -> Any:
    """The most frequent value; ties go to the longest, then the first in sort order."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], -len(str(kv[0])), str(kv[0])))[0][0]


def unify_corpus(articles: Iterable[Any]) -> int:
    """Give entities of the same thing one canonical form and one label across ``articles``.

    Args:
        articles: :class:`ngo_text.Article` objects with entities (changed in place).

    Returns:
        The number of entities whose canonical form or label changed.

    Entities are grouped by :func:`name_key` of their canonical form; each group
    takes its most frequent canonical form, its majority label ("Aurora" PER in
    one article, ORG in four: ORG) and, for ORG, its majority ``org_type``.
    Dates are left alone.
    """
    ents = [e for a in articles for e in a.entities if e.label != "DATE"]
    groups: dict[str, list[Any]] = defaultdict(list)
    for e in ents:
        groups[name_key(e.canonical or " ".join(e.text.split()))].append(e)
    changed = 0
    for members in groups.values():
        canon = _best(Counter(e.canonical or " ".join(e.text.split()) for e in members))
        label = _best(Counter(e.label for e in members))
        for e in members:
            if e.canonical != canon or e.label != label:
                changed += 1
            e.canonical = canon
            if e.label != label:
                e.label = label
                if label != "ORG":
                    e.org_type = None
        types = Counter(e.org_type for e in members if e.label == "ORG" and e.org_type)
        if types:
            org_type = _best(types)
            for e in members:
                if e.label == "ORG":
                    e.org_type = org_type
    return changed
