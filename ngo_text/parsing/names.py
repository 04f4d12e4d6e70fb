"""Person names of one document: the one surname -> full name resolver.

The quote attribution (:mod:`.quotes`: "sagte Roller" -> "Dietmar Roller"), the
entity linker (``ngo_abbreviations``: a later PER "Roller" gets the canonical
"Dietmar Roller") and the analysis step (``Quote.speaker`` = a PER entity's
canonical) all resolve names through :class:`PersonNames`, so a quote's speaker
and the person entity agree.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

__all__ = ["PersonNames", "TITLE", "person_name", "strip_titles"]

#: Academic titles before a name ("Prof. Dr.", "Dr. med.", "Dipl.-Ing."): no part of the name.
TITLE = r"(?:(?:Prof\.|Dr\.(?:\s?med\.|\s?h\.\s?c\.)?|Dipl\.-\w+\.?)\s+)"
_TITLE_RE = re.compile(TITLE)


def strip_titles(name: str) -> str:
    """``name`` without academic titles ("Prof. Dr. Martin Kühn" -> "Martin Kühn")."""
    return _TITLE_RE.sub("", name).strip()


def person_name(name: str) -> str:
    """The canonical form of a person's name: no academic titles, single spaces.

    "Prof. Dr.  Martin\\nKühn" -> "Martin Kühn" (titles are no part of a PER entity).
    """
    return " ".join(strip_titles(name).split()).strip(" ,;:")


def _surname(name: str) -> str | None:
    """The surname a full name can be referred to by (its last word), if it is one."""
    toks = name.split()
    if len(toks) < 2:
        return None
    last = toks[-1]
    # "Roller" yes; "AG", "e." or a lower-case word no
    return last if last[:1].isupper() and len(last) >= 3 else None


class PersonNames:
    """The persons named in one document and the surnames that stand for them.

    A surname resolves to a full name only when one person of the document bears
    it: after "Anna Roller" and "Dietmar Roller" a bare "Roller" names neither.

    Example:
        >>> names = PersonNames(["Dr. Dietmar Roller", "Anna Schmidt"])
        >>> names.resolve("Roller"), names.resolve("Dietmar Roller"), names.resolve("Weiß")
        ('Dietmar Roller', 'Dietmar Roller', None)
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._full: dict[str, None] = {}  # an ordered set: full names in the order met
        self._by_surname: dict[str, str | None] = {}  # None: two persons share the surname
        for name in names:
            self.add(name)

    def add(self, name: str) -> str:
        """Register ``name`` (a full name; titles are dropped) and return its canonical form."""
        name = person_name(name)
        self._full.setdefault(name)
        last = _surname(name)
        if last is not None:
            old = self._by_surname.get(last, name)
            self._by_surname[last] = name if old == name else None
        return name

    def resolve(self, name: str) -> str | None:
        """The full name ``name`` stands for: itself when known, else the one person with that surname."""
        name = person_name(name)
        if name in self._full:
            return name
        return self._by_surname.get(name)

    def ambiguous(self, surname: str) -> bool:
        """``True`` when two different persons of the document bear ``surname``."""
        return surname in self._by_surname and self._by_surname[surname] is None

    def surnames(self) -> dict[str, str]:
        """Surname -> full name, for the surnames that name one person."""
        return {k: v for k, v in self._by_surname.items() if v is not None}

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and person_name(name) in self._full

    def __iter__(self) -> Iterator[str]:
        return iter(self._full)
