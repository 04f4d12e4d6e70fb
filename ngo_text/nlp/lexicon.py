"""Word lists the components share (loaded once, on first use).

* :func:`common_nouns`: German common nouns in all case forms, without the forms
  that are also names ("Fieber", "Tierheime"; not "Keller", "Essen"). Source:
  Wiktionary via ``german-nouns`` 1.2.5, CC BY-SA 4.0 -- see
  ``ngo_text/resources/lexicon/README.md``.
"""
from __future__ import annotations

import functools
import gzip
from importlib import resources

__all__ = ["common_nouns", "is_common_noun", "names", "toponyms", "is_noun_compound"]


def _read_words(name: str) -> frozenset[str]:
    """The entries of ``resources/lexicon/<name>`` (gzip, one per line, ``#`` comments)."""
    raw = resources.files("ngo_text.resources").joinpath(f"lexicon/{name}").read_bytes()
    lines = gzip.decompress(raw).decode("utf-8").splitlines()
    return frozenset(w for w in lines if w and not w.startswith("#"))


@functools.lru_cache(maxsize=1)
def common_nouns() -> frozenset[str]:
    """The set of common-noun forms (capitalised as written: "Fieber", "Kanten")."""
    return _read_words("common_nouns_de.txt.gz")


def is_common_noun(word: str) -> bool:
    """True when ``word`` (as written, or with only its first letter capitalised) is a common noun.

    "FIEBER" and "Fieber" are; "Weber", "Halle" and "Berlin" are not (names too).
    """
    nouns = common_nouns()
    return word in nouns or (word.isupper() and len(word) > 3 and word.capitalize() in nouns)


@functools.lru_cache(maxsize=1)
def names() -> frozenset[str]:
    """Surnames, first names and place names of the German Wiktionary, all case forms."""
    return _read_words("names_de.txt.gz")


@functools.lru_cache(maxsize=1)
def toponyms() -> frozenset[str]:
    """Place names of the German Wiktionary ("Münster", "Wien", "Essen"), all case forms."""
    return _read_words("toponyms_de.txt.gz")


# last parts of place names that are also nouns ("Deutsch|land", "Darm|stadt",
# "Elfenbein|küste"): a compound ending so may be a place
_PLACE_HEADS = tuple(
    "land landes lands stadt kirchen kirche markt marks brunnen straße gasse weg platz hütte schlag "
    "dreieck grund küste bürgen burg berg dorf feld heim hof hofen see wald tal bach brück brücke au "
    "aue hausen haus hafen furt insel ufer park garten tor turm reich mark horn stein ring damm allee "
    "ebene gebirge wiese heide moor kreis bezirk viertel siedlung europa europas zentrum holm strand "
    "meer mündung wall zone teich sande spitze union ingen garden".split())


def _noun_part(part: str) -> bool:
    """"Wohnungs", "Job", "Plattform": a noun as the first part of a compound (with linking -s/-n/-es/-en)."""
    cap = part[:1].upper() + part[1:]
    cands = [cap, cap + "e"]
    if cap.endswith(("s", "n")):
        cands.append(cap[:-1])
    if cap.endswith(("es", "en")):
        cands.append(cap[:-2])
    nouns = common_nouns()
    if any(len(c) >= 3 and c in nouns for c in cands):
        return True
    # itself a compound ending in a noun: "Hitzeschutz|pläne", "Menschenrechts|büro"
    return any(len(c) >= 7 and c[k:].capitalize() in nouns for c in cands for k in range(3, len(c) - 3))


@functools.lru_cache(maxsize=65536)
def is_noun_compound(word: str, *, place: bool = False, min_head: int = 6) -> bool:
    """True for a compound of two common nouns that is not in the lexicon ("Jobversprechen").

    Words in the names lexicon are never compounds here; with ``place=True``
    compounds ending like a place name ("-land", "-stadt", "-küste") are not either.
    The last noun has at least ``min_head`` letters: surnames end in short nouns
    ("Pink|wart", "Schar|ping"); on GermEval 2014 dev+test 2 of 1,165 one-word
    persons and 8 of 2,128 one-word places count as compounds.
    """
    if len(word) < 8 or not word[:1].isupper() or not word[1:].islower() or word in names():
        return False
    if place and word.lower().endswith(_PLACE_HEADS):
        return False
    nouns = common_nouns()
    for k in range(3, len(word) - min_head + 1):
        head = word[k:].capitalize()
        if head in nouns and _noun_part(word[:k]):
            return True
    return False
