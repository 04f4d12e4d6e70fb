"""The article inside a whole-page text copy (select-all + copy of a web page).

Such text keeps every block of the page: skip links, menus, cookie banners, search
boxes, share buttons, related lists, comments and footers, one short line after the
other. It is recognised by its many short blocks (:func:`looks_like_page_copy`: at least
:data:`MIN_SHORT_BLOCKS` blocks under 40 characters, or :data:`MIN_SHORT_SHARE_BLOCKS`
making up half of a small page; the sample press releases have at most 8, a third of
their blocks).

:func:`article_from_page_copy` finds the article in five steps:

1. jusText (:mod:`justext`, the boilerplate remover behind trafilatura's fallback, BSD)
   classifies each blank-line block by length, German stop-word density and its
   neighbours; lower length limits, then a language-independent run, when it keeps
   nothing. Cookie banners, paywall and comment-form notices, share lines and menu
   blocks are never good text (``resources/page_copy_boilerplate.txt`` and
   :func:`_is_link_list`).
2. The good blocks form clusters, split where the article ends for good (comments,
   author box, footer: ``end`` rules, ngo_text's footer rules), where a box of links
   starts (related lists, tags: ``box`` rules, ngo_text's teaser headings) and at long
   runs of other blocks. A cluster after a box continues the one before when long
   running text follows soon (a box inside the article).
3. The article is the first such chain with a fair share of the page's long text
   (comments below the article may be longer), from its first longer block on.
4. Its tail is cut: link titles and labels at its end, and a small last part standing
   apart (author box, newsletter form).
5. Above it, over dates, bylines, captions and share lines, a sentence or two is the
   lead and the first title-like line the title.

Measured by ``bench/page_copy.py``; the parameters below were chosen on its dev pages.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from importlib import resources

from .text import is_boilerplate, is_footer_start, line_key, normalise_line, teaser_heading

__all__ = ["MIN_SHORT_BLOCKS", "PageCopy", "looks_like_page_copy", "article_from_page_copy"]

#: Blocks under 40 characters from which a plain text counts as a whole-page copy.
MIN_SHORT_BLOCKS = 15
#: ... or this many when they are half of all blocks (a press release has a third at most).
MIN_SHORT_SHARE_BLOCKS = 10
#: jusText length limits, tried in turn until one keeps a paragraph (chosen on the dev
#: pages of ``bench/page_copy.py``): pages with short paragraphs only get the lower ones.
LENGTHS = ((120, 200), (70, 140))
#: jusText's German stop-word densities (low, high).
STOPWORDS = (0.15, 0.3)
#: Length limits of a last, language-independent try when no German text is found.
NEUTRAL_LENGTHS: tuple[int, int] | None = (70, 140)
#: Non-article blocks in a row that separate two clusters of article text.
MAX_GAP = 12
#: A block this long after an end block (a box of links inside the article) resumes the
#: article when it comes within :data:`MAX_GAP` blocks.
RESUME_CHARS = 300
#: The article is the first chain of clusters with at least this share of the largest
#: chain's text (comments below an article can be longer than the article) ...
FIRST_SHARE = 0.2
#: ... counting the characters of each block beyond this many (teasers are short) ...
SHORT_CHARS = 100
#: ... and text right after an end block (comments) this many times.
AFTER_END_WEIGHT = 0.3
#: Blocks looked at above the article text for its title.
TITLE_LOOKBACK = 8
#: Sentences above the article's first good block up to this length are its lead.
LEAD_CHARS = 600
#: The article's text starts at its first block of at least this many characters.
START_CHARS = 100
#: Lines of a menu block are on average shorter than this.
LINK_LINE_CHARS = 30
#: Blocks this short without sentence end at the end of an article are dropped.
TAIL_CHARS = 200
#: A last part of the article after more than this many dropped blocks with less than
#: this share of its text is cut off.
TAIL_GAP = 2
TAIL_SHARE = 0.2
# a photo credit or caption ("… Foto: Soeren Stache/dpa", "© Noah Addis", "Bildquelle: …")
_CREDIT = re.compile(r"(?:^|\s|\()(?:©|\(c\)|(?:fotos?|bild|bildquelle|quelle|credits?|photo)\s*:)", re.I)
# a date ("19. Oktober 2019", "13.1.2020", "2022-12-07") in a short meta line
_DATE = re.compile(r"(?<!\d)(?:\d{1,2}\.\s?(?:\d{1,2}\.|[A-ZÄÖÜ][a-zäöü]{2,8}\.?)\s?(?:\d{2,4})?(?!\d)"
                   r"|\d{4}-\d\d-\d\d|\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]{2,8}\s+\d{4}"
                   r"|[A-Z][a-z]{2,8}\s+\d{1,2},\s+\d{4})")
# a byline ("Von Heike Buchter", "von Andreas Kürten", "geschrieben von …", "Autor: …")
_BYLINE = re.compile(r"^(?:von|by|geschrieben von|ein beitrag von|autor(?:in)?:?|text:)(?:\s|$)", re.I)
# reading time or a label of the article's format ("4 Min. Lesedauer", "Lesezeit: 3 Minuten")
_READING = re.compile(r"^(?:\d+\s*(?:min\.?|minuten)\s*(?:lesedauer|lesezeit)|(?:lesedauer|lesezeit)\b)", re.I)
# a breadcrumb ("Startseite Über uns", "Home » Klettern » …", "ZfK.de > Energie > Wärme")
_BREADCRUMB = re.compile(r"^(?:startseite|home|start)\b|\S\s*[»›>|]\s*\S.*\s*[»›>|]\s*\S", re.I)
# a person's name alone ("Heike Buchter", "Oliver Baroni")
_NAME = re.compile(r"^[A-ZÄÖÜ][\w.'-]+(?:\s+[A-ZÄÖÜ][\w.'-]+){1,2}$")
_SENTENCE_END = re.compile(r"[.!?…:;][\"“”»«'’)]*$")
_BLOCK_SPLIT = re.compile(r"\n\s*\n")
_RESOURCE = "page_copy_boilerplate.txt"
#: Kinds of block for :func:`_end_kind`.
_TEXT, _BOX, _END = 0, 1, 2


@dataclass
class PageCopy:
    """The article text found in a page copy and what was dropped."""

    text: str
    dropped_blocks: int
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _PageRules:
    """The rules of ``resources/page_copy_boilerplate.txt``, one regex each."""

    end: re.Pattern[str] | None
    box: re.Pattern[str] | None
    skip: re.Pattern[str] | None
    drop: re.Pattern[str] | None


def _blocks(text: str) -> list[str]:
    """The blocks of ``text``: the pieces between blank lines, stripped."""
    return [b.strip() for b in _BLOCK_SPLIT.split(text) if b.strip()]


def looks_like_page_copy(text: str) -> bool:
    """``True`` when ``text`` has the many short blocks of a whole web page: at least
    :data:`MIN_SHORT_BLOCKS`, or :data:`MIN_SHORT_SHARE_BLOCKS` making up half the blocks
    (a small page)."""
    blocks = _blocks(text)
    short = sum(len(b) < 40 for b in blocks)
    return short >= MIN_SHORT_BLOCKS or (short >= MIN_SHORT_SHARE_BLOCKS and 2 * short >= len(blocks))


@lru_cache(maxsize=1)
def _page_rules() -> _PageRules:
    """Read the page-copy rules once (not at import time)."""
    raw = resources.files("ngo_text.resources").joinpath(_RESOURCE).read_text(encoding="utf-8")
    kinds: dict[str, list[str]] = {"end": [], "box": [], "skip": [], "drop": []}
    for line in raw.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kind, op, rest = (line.split(None, 2) + ["", ""])[:3]
        if kind not in kinds or op not in ("=", "^", "~") or not rest:
            raise ValueError(f"{_RESOURCE}: unknown rule {line!r}")
        kinds[kind].append({"=": f"{re.escape(rest)}$", "^": re.escape(rest), "~": rest}[op])

    def combine(patterns: list[str]) -> re.Pattern[str] | None:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.I) if patterns else None

    return _PageRules(*(combine(kinds[k]) for k in ("end", "box", "skip", "drop")))


@lru_cache(maxsize=1)
def _stoplist() -> frozenset[str]:
    import justext  # type: ignore[import-untyped]

    return frozenset(justext.get_stoplist("German"))


def _paragraphs(blocks: list[str]) -> list[Any] | None:
    """jusText's paragraphs of ``blocks`` (one ``<p>`` each), ``None`` when it lost some."""
    import justext  # type: ignore[import-untyped]

    markup = "<html><body>" + "".join(f"<p>{html.escape(b)}</p>" for b in blocks) + "</body></html>"
    # (lone surrogates from a broken decode must not make the page fail)
    dom = justext.core.html_to_dom(markup.encode("utf-8", errors="replace"), "utf-8", None, "replace")
    paras: list[Any] = justext.core.ParagraphMaker.make_paragraphs(justext.core.preprocessor(dom))
    return paras if len(paras) == len(blocks) else None


def _classify(paras: list[Any], low: int, high: int, *, german: bool = True) -> list[bool]:
    """jusText's verdict per paragraph (``True``: good text), as :func:`justext.justext`
    gives it; the paragraphs are made once and classified again with other limits.

    Without ``german``, jusText runs language-independent (no stop words: length and
    neighbours only), for pages in another language.
    """
    import justext  # type: ignore[import-untyped]

    stop, (st_low, st_high) = (_stoplist(), STOPWORDS) if german else (frozenset(), (0.0, 0.0))
    justext.core.classify_paragraphs(paras, stop, length_low=low, length_high=high, stopwords_low=st_low,
                                     stopwords_high=st_high, max_link_density=0.2, no_headings=False)
    justext.core.revise_paragraph_classification(paras)
    return [not p.is_boilerplate for p in paras]


@lru_cache(maxsize=8192)
def _end_kind(block: str) -> int:
    """What ``block`` starts: :data:`_END` for what follows an article for good (comments,
    author box, footer), :data:`_BOX` for a box of links (related lists, tags) that may
    stand inside an article, :data:`_TEXT` otherwise."""
    first = normalise_line(block.split("\n", 1)[0])
    if len(first) > 120:
        return _TEXT
    rules, key = _page_rules(), line_key(first)
    if is_footer_start(first) or (rules.end is not None and rules.end.match(key)):
        return _END
    if teaser_heading(first) == (True, None) or (rules.box is not None and rules.box.match(key)):
        return _BOX
    return _TEXT


@lru_cache(maxsize=8192)
def _is_dropped(block: str) -> bool:
    """``True`` for blocks that are never article text (cookie banners, comment forms,
    share buttons)."""
    rules = _page_rules()
    if rules.skip is not None and len(block) <= 120 and rules.skip.match(line_key(block.split("\n", 1)[0])):
        return True
    return rules.drop is not None and len(block) <= 1200 and bool(rules.drop.search(normalise_line(block)))


@dataclass
class _Cluster:
    """Good blocks with no end block and at most :data:`MAX_GAP` other blocks between."""

    blocks: list[int]
    after_end: bool  # an end block (not a box) stands shortly before it, after the cluster before


def _clusters(good: list[bool], kinds: list[int]) -> list[_Cluster]:
    """The runs of good blocks, split at end and box blocks and at more than
    :data:`MAX_GAP` other blocks in a row."""
    out: list[_Cluster] = []
    cur: list[int] = []
    gap, last_end = 0, -1

    def close() -> None:
        # an end block counts when it stands after the cluster before and near this one
        prev = out[-1].blocks[-1] if out else -1
        out.append(_Cluster(list(cur), last_end > prev and cur[0] - last_end <= MAX_GAP))

    for i, (g, k) in enumerate(zip(good, kinds)):
        if k != _TEXT or (gap > MAX_GAP and cur):
            if cur:
                close()
                cur = []
            gap = 0
        if k == _END:
            last_end = i
        if g and k == _TEXT:
            cur.append(i)
            gap = 0
        else:
            gap += 1
    if cur:
        close()
    return out


def _chains(blocks: list[str], clusters: list[_Cluster]) -> list[_Cluster]:
    """Clusters joined where the article resumes after a box inside it ("Weitere
    Informationen", "Lesen Sie auch" with a few links): a cluster after a box (not an end)
    whose first long block comes within :data:`MAX_GAP` blocks continues the chain from
    that block on (the box's links before it are dropped)."""
    chains: list[_Cluster] = []
    for c in clusters:
        long = next((j for j, i in enumerate(c.blocks) if len(blocks[i]) >= RESUME_CHARS), None)
        if chains and not c.after_end and long is not None \
                and c.blocks[long] - chains[-1].blocks[-1] <= MAX_GAP:
            chains[-1].blocks.extend(c.blocks[long:])
        else:
            chains.append(_Cluster(list(c.blocks), c.after_end))
    return chains


def _article(blocks: list[str], chains: list[_Cluster]) -> list[int]:
    """The first chain with at least :data:`FIRST_SHARE` of the largest chain's text,
    counted beyond the first :data:`SHORT_CHARS` characters of each block (a list of
    teasers has many good blocks, an article long ones); text right after an end block
    (comments) counts :data:`AFTER_END_WEIGHT` times."""
    size = [sum(max(0, len(blocks[i]) - SHORT_CHARS) for i in c.blocks)
            * (AFTER_END_WEIGHT if c.after_end else 1.0) for c in chains]
    return next(c.blocks for c, n in zip(chains, size) if n >= FIRST_SHARE * max(size))


def _is_link_list(block: str) -> bool:
    """``True`` for a block of three or more short lines (a menu: "Zur Suche", "Zum
    Hauptmenu / Rezepte" ...), which jusText may keep for its stop words."""
    lines = [ln for ln in block.split("\n") if ln.strip()]
    return len(lines) >= 3 and sum(map(len, lines)) / len(lines) < LINK_LINE_CHARS


def _is_caption(block: str) -> bool:
    """``True`` for a photo caption with its credit (short, with "Foto:" or "©")."""
    return len(block) < 300 and bool(_CREDIT.search(block))


def _is_meta(block: str) -> bool:
    """``True`` for the lines between a title and its text that are neither: dates,
    bylines, names, captions, share buttons, labels of a word or two."""
    first = normalise_line(block.split("\n", 1)[0])
    return (len(block) < 15 or len(first.split()) < 2 or _is_caption(block) or _is_dropped(block)
            or is_boilerplate(first) or (len(block) < 100 and bool(_DATE.search(block)))
            or (len(block) < 100 and bool(_BYLINE.match(first) or _READING.match(first)))
            or bool(_NAME.match(first)) or (len(block) < 200 and bool(_BREADCRUMB.search(first))))


def _is_inside_meta(block: str) -> bool:
    """``True`` for a block inside the article that is none of its text: a caption with
    its credit, a byline or reading time, a breadcrumb (a name or a word alone may be a
    subheading and stays)."""
    first = normalise_line(block.split("\n", 1)[0])
    return (_is_caption(block) or (len(block) < 100 and bool(_BYLINE.match(first) or _READING.match(first)))
            or (len(block) < 200 and bool(_BREADCRUMB.search(first))))


def _cut_tail(blocks: list[str], body: list[int]) -> list[int]:
    """``body`` without a small last part that stands apart: after more than
    :data:`TAIL_GAP` dropped blocks, with less than :data:`TAIL_SHARE` of the text (an
    author box, a newsletter form, a teaser below the article)."""
    total = sum(len(blocks[i]) for i in body)
    after = 0
    for j in range(len(body) - 1, 0, -1):
        after += len(blocks[body[j]])
        if after >= TAIL_SHARE * total:
            break
        if body[j] - body[j - 1] > TAIL_GAP:
            return body[:j]
    return body


def _is_tail(block: str) -> bool:
    """``True`` for a block at the end of an article's cluster that is no running text."""
    return (len(block) < TAIL_CHARS and not _SENTENCE_END.search(block)) or _is_meta(block)


def _is_title(block: str) -> bool:
    """``True`` for a block that can be an article's title: one short line of a few
    words, no sentence end."""
    return ("\n" not in block and 15 <= len(block) <= 200 and len(block.split()) >= 3
            and not block.rstrip().endswith("."))


def _head(blocks: list[str], first: int) -> list[int]:
    """The title and lead above the article's first good block: looking back up to
    :data:`TITLE_LOOKBACK` blocks, over dates, bylines and captions, a sentence or two
    is the lead and the first title-like block the title; nothing past an end block."""
    leads: list[int] = []
    for i in range(first - 1, max(-1, first - 1 - TITLE_LOOKBACK), -1):
        b = blocks[i]
        kind = _end_kind(b)
        if kind == _END and not re.search(r"\d", b):
            break  # (a comment count, "0 Kommentare", stands in the header)
        if kind == _BOX or _is_meta(b):
            continue
        if _is_title(b):
            return [i] + leads[::-1]
        if 40 <= len(b) <= LEAD_CHARS and _SENTENCE_END.search(b) and "\n" not in b:
            leads.append(i)
            continue
        break
    return leads[::-1]


def _select(blocks: list[str]) -> list[int] | None:
    """The indices of the article's blocks (title, lead, body), or ``None`` when nothing
    is found."""
    # never article text, whatever jusText says: notices, share lines, menus
    never = [_is_dropped(b) or _is_link_list(b) for b in blocks]
    good: list[bool] | None = None
    tries: list[tuple[int, int, bool]] = [(low, high, True) for low, high in LENGTHS]
    if NEUTRAL_LENGTHS:
        # no German text: another language, or no stop words in short paragraphs
        tries.append((*NEUTRAL_LENGTHS, False))
    paras = _paragraphs(blocks)
    if paras is None:
        return None
    for low, high, german in tries:
        verdict = _classify(paras, low, high, german=german)
        good = [g and not n for g, n in zip(verdict, never)]
        if any(good):
            break
    if good is None or not any(good):
        return None
    clusters = _clusters(good, [_end_kind(b) for b in blocks])
    if not clusters:
        return None
    body = _article(blocks, _chains(blocks, clusters))
    # jusText keeps short menu lines next to good text: the article starts at its first
    # longer block, its title and lead are looked up above that
    first = next((j for j, i in enumerate(body) if len(blocks[i]) >= START_CHARS), 0)
    del body[:first]
    # the chain's last blocks that are no running text (link titles, labels, an author's
    # name, share lines) belong to what follows the article
    while len(body) > 1 and _is_tail(blocks[body[-1]]):
        body.pop()
    body = _cut_tail(blocks, body)
    head = _head(blocks, body[0])
    kept = head + [i for i in body if not _is_inside_meta(blocks[i])]
    return kept or None


def article_from_page_copy(text: str) -> PageCopy | None:
    """The title and body blocks of the article in a page copy, or ``None`` when nothing
    is found (the caller then reads the text as it is)."""
    blocks = _blocks(text)
    kept = _select(blocks)
    if kept is None:
        return None
    # soft hyphens ("Mit\xadtel\xadal\xadter") are invisible on the page and split words
    body = [blocks[i].replace("\u00ad", "") for i in kept]
    return PageCopy(text="\n\n".join(body), dropped_blocks=len(blocks) - len(body),
                    warnings=[f"the text looks like a copy of a whole web page: {len(blocks) - len(body)} "
                              f"of {len(blocks)} blocks (navigation, banners, lists, footer) dropped"])
