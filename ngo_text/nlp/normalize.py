"""Text as the NLP should see it, with a map back to the original offsets.

Web pages hyphenate with soft hyphens ("Bundes\\u00administerium"), glue words with
zero-width characters and space names with no-break spaces. Tokenisers and NER
models see fragments in all of them ("Bundes" LOC). :func:`clean_for_nlp` removes
the invisible characters, turns the special spaces into plain spaces and decomposed
umlauts into single characters (NFC), and returns the offset of every character of
the cleaned text in the original, so that :class:`ngo_text.Entity` offsets still
point into :attr:`ngo_text.Article.text`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["INVISIBLE", "CleanText", "clean_for_nlp", "surface_key"]

#: Characters that never carry meaning inside a word: soft hyphen, zero-width
#: space/non-joiner/joiner, word joiner, byte order mark.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_SPACES = "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000"
_SPACE_TABLE = {ord(c): " " for c in _SPACES}
_NEEDS_WORK = re.compile(f"[{INVISIBLE}{_SPACES}\u0300-\u036f\ud800-\udfff]")
# a lone surrogate cannot be encoded (tokenisers, ONNX, JSON writers fail on it): U+FFFD
_SURROGATES = {c: "\ufffd" for c in range(0xD800, 0xE000)}


@dataclass(frozen=True)
class CleanText:
    """A cleaned text and, for each of its characters, the offset in the original."""

    text: str
    #: original start and end offset of each character (None: identical to the original)
    starts: tuple[int, ...] | None
    ends: tuple[int, ...] | None
    original_length: int

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of :attr:`text` to the original text."""
        if self.starts is None or self.ends is None:
            return start, end
        o_start = self.starts[start] if start < len(self.starts) else self.original_length
        o_end = self.ends[end - 1] if end > start else o_start
        return o_start, max(o_start, o_end)


def clean_for_nlp(text: str) -> CleanText:
    """Remove invisible characters, plain-space special spaces, compose umlauts (NFC).

    A lone surrogate (which no encoder accepts) becomes U+FFFD.

    Every character of the result maps to a range of ``text``: itself, or for
    a composed character its base character and combining marks.
    Texts without such characters are returned as they are (``offsets=None``).
    """
    if not _NEEDS_WORK.search(text):
        return CleanText(text, None, None, len(text))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in INVISIBLE:
            i += 1
            continue
        # a base character with its combining marks: compose them (u + U+0308 -> ü)
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        chunk = unicodedata.normalize("NFC", text[i:j].translate(_SPACE_TABLE)) if j > i + 1 \
            else ch.translate(_SPACE_TABLE).translate(_SURROGATES)
        for k, c in enumerate(chunk):
            out.append(c)
            last = k == len(chunk) - 1
            starts.append(i + k if not last else i + min(k, j - i - 1))
            ends.append(j if last else i + k + 1)
        i = j
    return CleanText("".join(out), tuple(starts), tuple(ends), n)


def surface_key(text: str) -> str:
    """A comparable form of an entity surface: cleaned, whitespace collapsed, stripped."""
    return " ".join(clean_for_nlp(text).text.split())
