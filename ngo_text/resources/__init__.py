"""Package data: taxonomy, gazetteers, rules and word lists (data files, not code)."""
from __future__ import annotations

import functools
from importlib import resources


@functools.lru_cache(maxsize=None)
def german_function_words() -> frozenset[str]:
    """Lower-cased German function words from ``function_words_de.txt``."""
    raw = resources.files(__name__).joinpath("function_words_de.txt").read_text(encoding="utf-8")
    return frozenset(w for line in raw.splitlines() if not line.startswith("#") for w in line.split())


class RoleWords:
    """One list of ``roles.txt``: exact words, word endings and word parts (all lower-cased)."""

    def __init__(self, words: frozenset[str], endings: tuple[str, ...], parts: tuple[str, ...]) -> None:
        self.words, self.endings, self.parts = words, endings, parts

    def matches(self, word: str) -> bool:
        """``True`` when ``word`` is a role word of this list (case-insensitive)."""
        w = word.lower()
        return (w in self.words or (len(w) > 5 and w.endswith(self.endings))
                or any(p in w for p in self.parts))


@functools.lru_cache(maxsize=None)
def role_words(use: str) -> RoleWords:
    """The role words of ``roles.txt`` for one ``use``: ``"quotes"`` or ``"entities"``.

    The file's format (``Word``, ``*ending``, ``*part*`` lines under a ``[use]``
    heading) is described at its top.
    """
    raw = resources.files(__name__).joinpath("roles.txt").read_text(encoding="utf-8")
    section = None
    words: set[str] = set()
    endings: list[str] = []
    parts: list[str] = []
    for line in raw.splitlines():
        line = line.strip().lower()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
        elif section == use:
            if line.startswith("*") and line.endswith("*") and len(line) > 2:
                parts.append(line[1:-1])
            elif line.startswith("*"):
                endings.append(line[1:])
            else:
                words.add(line)
    if section is None or not (words or endings or parts):
        raise KeyError(f"roles.txt has no [{use}] list")
    return RoleWords(frozenset(words), tuple(dict.fromkeys(endings)), tuple(dict.fromkeys(parts)))
