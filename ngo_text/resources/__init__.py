"""Package data: taxonomy, gazetteers, rules and word lists (data files, not code)."""
from __future__ import annotations

import functools
from importlib import resources


@functools.lru_cache(maxsize=None)
def german_function_words() -> frozenset[str]:
    """Lower-cased German function words from ``function_words_de.txt``."""
    raw = resources.files(__name__).joinpath("function_words_de.txt").read_text(encoding="utf-8")
    return frozenset(w for line in raw.splitlines() if not line.startswith("#") for w in line.split())
