"""The article inside a whole-page text copy (select-all + copy of a web page).

Such text keeps every block of the page: skip links, menus, cookie banners, search
boxes, share buttons, related lists and footers, one short line after the other. It is
recognised by its many short blocks (:func:`looks_like_page_copy`: at least
:data:`MIN_SHORT_BLOCKS` blocks under 40 characters; the sample press releases have at
most 8, whole-page copies of the 553 shared pages 29 or more at the 5th percentile).

The article is then found by jusText's paragraph classification (:mod:`justext`, the
boilerplate remover behind trafilatura's fallback, BSD): each blank-line block is one
paragraph, classified by length, German stop-word density and its neighbours; the kept
paragraphs up to the page's related list or footer (ngo_text's teaser-heading and footer
rules) are the body, and the short block right above the first of them, when there is
one, is the title. Measured by ``bench/page_copy.py`` (parameters chosen on its dev
pages).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .text import is_footer_start, teaser_heading

__all__ = ["MIN_SHORT_BLOCKS", "PageCopy", "looks_like_page_copy", "article_from_page_copy"]

#: Blocks under 40 characters from which a plain text counts as a whole-page copy.
MIN_SHORT_BLOCKS = 15
#: jusText parameters (chosen on the dev pages of ``bench/page_copy.py``).
LENGTH_LOW, LENGTH_HIGH = 150, 250
_BLOCK_SPLIT = re.compile(r"\n\s*\n")


@dataclass
class PageCopy:
    """The article text found in a page copy and what was dropped."""

    text: str
    dropped_blocks: int
    warnings: list[str] = field(default_factory=list)


def _blocks(text: str) -> list[str]:
    return [b.strip() for b in _BLOCK_SPLIT.split(text) if b.strip()]


def looks_like_page_copy(text: str) -> bool:
    """``True`` when ``text`` has the many short blocks of a whole web page."""
    return sum(len(b) < 40 for b in _blocks(text)) >= MIN_SHORT_BLOCKS


@lru_cache(maxsize=1)
def _stoplist() -> frozenset[str]:
    import justext  # type: ignore[import-untyped]

    return frozenset(justext.get_stoplist("German"))


def article_from_page_copy(text: str) -> PageCopy | None:
    """The title and body blocks of the article in a page copy, or ``None`` when jusText
    keeps nothing (the caller then reads the text as it is)."""
    import justext  # type: ignore[import-untyped]

    blocks = _blocks(text)
    markup = "<html><body>" + "".join(f"<p>{html.escape(b)}</p>" for b in blocks) + "</body></html>"
    paras = justext.justext(markup.encode("utf-8"), _stoplist(), length_low=LENGTH_LOW,
                            length_high=LENGTH_HIGH, stopwords_low=0.2, stopwords_high=0.3,
                            max_link_density=0.2, no_headings=False)
    keep = [i for i, p in enumerate(paras) if not p.is_boilerplate]
    if not keep or len(paras) != len(blocks):
        return None
    first = keep[0]
    # the article ends where the page's related list or footer starts (ngo_text's own
    # teaser headings and footer rules): jusText keeps teaser summaries as good text
    end = next((i for i in range(first + 1, len(blocks))
                if teaser_heading(blocks[i]) == (True, None) or is_footer_start(blocks[i])), len(blocks))
    keep = [i for i in keep if i < end]
    title = [blocks[first - 1]] if first > 0 and len(blocks[first - 1]) < 200 else []
    body = title + [blocks[i] for i in keep]
    return PageCopy(text="\n\n".join(body), dropped_blocks=len(blocks) - len(body),
                    warnings=[f"the text looks like a copy of a whole web page: {len(blocks) - len(body)} "
                              f"of {len(blocks)} blocks (navigation, banners, lists, footer) dropped"])
