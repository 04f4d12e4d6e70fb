"""HTML input: main text and metadata through trafilatura, teaser blocks from the page.

:func:`extract_html` returns the article body as *blocks* (one per extracted
paragraph, heading, list or table; see :mod:`ngo_text.parsing.text`), the
metadata trafilatura finds (title, date, author, site name, canonical URL) and
the related-article links of the page as :class:`~ngo_text.model.Teaser` items.

Teaser blocks are elements whose ``class``/``id`` names a related/teaser block
("related", "teaser", "weitere", "empfehlungen" ...) or whose heading is a teaser
heading from ``resources/teaser_headings.txt`` ("Das könnte dich auch
interessieren", "Weitere Artikel" ...) and that hold at least two links. They are
removed from the tree before trafilatura runs so their text cannot leak into the
body.

Before trafilatura runs, boxes around the article are removed by the parts of their
class names (author boxes, comment sections, short image captions, tables of contents,
tag lists, breadcrumbs) and so are paragraphs that are a single link without a sentence
("read also" lines). The page's lead is looked up in the page itself (an element named
like one after the headline, or the sentence after the ``<h1>`` in its ``<header>``)
because trafilatura often drops it. An extraction with less than 500 characters is redone
on the page as it was and with ``favor_recall``.

Hostile input never crashes or hangs: the size is capped in
:mod:`~ngo_text.parsing.sources`, libxml2 limits the nesting depth, and lxml,
trafilatura and recursion errors are caught and reported as warnings.
"""
from __future__ import annotations

import datetime as _dt
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast
from urllib.parse import urljoin

from ..errors import quiet_loggers
from ..model import to_date
from ..model import Teaser
from .dates import iter_german_dates
from .text import is_boilerplate, line_key, normalise_line, rules

if TYPE_CHECKING:
    from trafilatura.settings import Document

logger = logging.getLogger(__name__)
#: Loggers raised while a page is extracted (they log what ends up in ``HtmlResult.warnings``).
_QUIET = {"trafilatura": logging.CRITICAL, "htmldate": logging.CRITICAL}

#: trafilatura options used by :func:`extract_html` (measured with bench/html_extraction.py).
TRAFILATURA_OPTIONS: dict = {
    "include_comments": False,
    "include_tables": True,
    "favor_precision": False,
    "favor_recall": False,
    "deduplicate": False,
}
#: htmldate options: no "extensive" search, whose first use costs ~2 s of
#: dateparser set-up and adds few dates (measured: 109 vs 119 of 120 pages).
DATE_PARAMS: dict = {"extensive_search": False, "original_date": True}

_BLOCK_CLASS_RE = re.compile(
    r"related|teaser-?list|teasers|similar|recommend|empfehl|weitere|verwandt|aehnlich|ähnlich"
    r"|more-?(?:articles|news|stories|posts|from)|read-?more|also-?read|lesen-?sie|mehr-?zum|further-?read"
    r"|link-?list",
    re.I)
_CONTAINER_TAGS = {"div", "section", "aside", "ul", "ol", "nav", "footer", "article", "dl"}
_HEADING_TAGS = {"h2", "h3", "h4", "h5", "h6", "strong", "b", "p", "span", "div", "header", "legend"}
_MAX_TEASERS = 30
#: Pages with more elements skip trafilatura (real pages: < 11,000 elements).
MAX_ELEMENTS_FULL = 30_000
_MAX_BLOCK_CHARS = 6000


@dataclass
class HtmlResult:
    """What :func:`extract_html` found in a page."""

    blocks: list[list[str]] = field(default_factory=list)
    title: str | None = None
    published: _dt.date | None = None
    author: str | None = None
    site_name: str | None = None
    url: str | None = None
    teasers: list[Teaser] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _text(el) -> str:
    try:
        return normalise_line(" ".join(el.itertext()))
    except (ValueError, TypeError):
        return ""


def _classes(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _is_heading_text(text: str) -> bool:
    return 3 <= len(text) <= 80 and line_key(text) in rules().teaser_headings


def _find_teaser_blocks(tree) -> list:
    """Elements holding related-article links (outermost first, no duplicates)."""
    found: list = []
    body_len = max(1, len(_text(tree)))
    candidates = []
    for el in tree.iter(*_CONTAINER_TAGS):
        cls = _classes(el)
        if cls.strip() and _BLOCK_CLASS_RE.search(cls):
            candidates.append(el)
    for el in tree.iter(*_HEADING_TAGS):
        if len(el) > 3:
            continue
        t = _text(el)
        if not _is_heading_text(t):
            continue
        box = el.getparent()
        for _ in range(4):
            if box is None or box.tag in ("body", "html", "main"):
                box = None
                break
            if len(box.xpath(".//a[@href]")) >= 2:
                break
            box = box.getparent()
        if box is not None:
            candidates.append(box)
    for el in candidates:
        if any(el is f or _is_ancestor(f, el) for f in found):
            continue
        if el.tag in ("body", "html", "main") or el.xpath(".//h1"):
            continue
        text_len = len(_text(el))
        if text_len > _MAX_BLOCK_CHARS or text_len > 0.3 * body_len:
            continue
        links = el.xpath(".//a[@href]")
        if len(links) < 2:
            continue
        link_len = sum(len(_text(a)) for a in links)
        if link_len < 0.25 * text_len:
            continue  # mostly running text: not a link block
        found = [f for f in found if not _is_ancestor(el, f)]
        found.append(el)
    return found


def _is_ancestor(a, b) -> bool:
    """``True`` when ``a`` is an ancestor of ``b``."""
    p = b.getparent()
    while p is not None:
        if p is a:
            return True
        p = p.getparent()
    return False


def _teasers_from_block(block, base: str | None) -> list[Teaser]:
    items: list = []
    seen_items: set[int] = set()
    for a in block.xpath(".//a[@href]"):
        item = a
        for anc in a.iterancestors():
            if anc is block:
                break
            if anc.tag in ("li", "article", "dd"):
                item = anc
                break
        if id(item) not in seen_items:
            seen_items.add(id(item))
            items.append(item)
    out: list[Teaser] = []
    for item in items:
        heads = item.xpath(".//h2|.//h3|.//h4|.//h5|.//h6") if item.tag != "a" else []
        title = _text(heads[0]) if heads else ""
        links = [item] if item.tag == "a" else item.xpath(".//a[@href]")
        if not title:
            texts = [(_text(a), a) for a in links]
            texts = [t for t in texts if t[0]]
            title = max(texts, key=lambda t: len(t[0]))[0] if texts else ""
        if len(title) < 10 or len(title) > 250 or is_boilerplate(title) or _is_heading_text(title):
            continue
        href = None
        for a in links:
            if _text(a) and (_text(a) in title or title in _text(a)):
                href = a.get("href")
                break
        href = href or (links[0].get("href") if links else None)
        if href and href.strip().lower().startswith(("javascript:", "mailto:", "#")):
            continue
        summary = None
        if item.tag != "a":
            for p in item.xpath(".//p|.//*[contains(@class,'summary') or contains(@class,'desc') or contains(@class,'text')]"):
                t = _text(p)
                if len(t) >= 20 and t != title and title not in t and not is_boilerplate(t):
                    summary = t
                    break
        url = urljoin(base, href.strip()) if (href and base) else (href.strip() if href else None)
        out.append(Teaser(title=title, summary=summary, url=url))
    return out


def _el_lines(el) -> list[str]:
    """Lines of one trafilatura output element (lists/tables one line per item/row)."""
    tag = el.tag
    if tag == "list":
        return [t for t in (_text(i) for i in el.iter("item")) if t]
    if tag == "table":
        rows = []
        for row in el.iter("row"):
            cells = [_text(c) for c in row.iter("cell")]
            line = " | ".join(c for c in cells if c)
            if line:
                rows.append(line)
        return rows
    parts: list[str] = []
    cur = [el.text or ""]
    for child in el:
        if child.tag == "lb":
            parts.append("".join(cur))
            cur = [child.tail or ""]
        else:
            cur.append(" ".join(child.itertext()))
            cur.append(child.tail or "")
    parts.append("".join(cur))
    return [normalise_line(p) for p in parts if normalise_line(p)]


# Boxes around the article that are no article text, by the parts of their class names
# or id ("saboxplugin-wrap", "TestReport__AuthorBox", "v-A_-caption__small", "ez-toc-container",
# "aawp-disclaimer"): author boxes, image captions, tables of contents, tag lists, affiliate
# disclaimers, breadcrumbs. Credit/copyright lines are left to the footer rules of text.py
# ("Alle Rechte vorbehalten" ends the article there).
_BOX_CLASS_RE = re.compile(
    r"(?:^|[-_])(?:author|authors|author-?box|authorbox|author-?bio|about-?(?:the-?)?author|author-?info|"
    r"autor|autoren|autor(?:en)?-?box|saboxplugin-wrap|toc|table-?of-?contents|inhaltsverzeichnis|"
    r"tags|tag-?list|tag-?cloud|schlagworte|disclaimer|affiliate\w*)(?:$|[-_])"
    r"|breadcrumb", re.I)
# comment sections: a name that starts with "comment" ("comments-area", "qa-comment",
# "kommentare"); "gallery__item__comment" is the text of a photo in some galleries
_COMMENT_CLASS_RE = re.compile(r"^(?:[a-z]{1,4}[-_]+)?(?:comments?|kommentare?|disqus)(?:$|[-_])", re.I)
# image captions: short, else they hold the text of a video or gallery page
_CAPTION_CLASS_RE = re.compile(
    r"(?:^|[-_])(?:caption|captions|img-?caption|image-?caption|wp-caption-text|imagedescription|"
    r"bildunterschrift)(?:$|[-_])|(?:media|image|img|bild|foto|photo)[-_]*(?:description|caption|subline|"
    r"unterschrift)", re.I)
# a quick filter: the words every box name above contains
_BOX_HINT_RE = re.compile(r"autor|author|sabox|toc|contents|inhalts|tag|schlagwort|disclaimer|affiliate|breadcrumb|comment|"
                          r"kommentar|disqus|caption|bild|foto|photo|image|img|media", re.I)
#: A box holding more text than this is a layout container, not a box: kept.
_MAX_BOX_CHARS = 1500
_MAX_CAPTION_CHARS = 250


def _text_len_over(el, limit: float) -> bool:
    """``True`` when ``el`` holds more than ``limit`` characters of text (stops reading there;
    layout containers of a whole page are long)."""
    total = 0
    for piece in el.itertext():
        total += len(piece.strip())
        if total > limit:
            return True
    return False


def _remove_keep_tail(el) -> None:
    """Remove ``el`` from its tree but keep the text after it (lxml drops ``tail`` with it)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _drop_boxes(tree, page_len: int | None = None) -> int:
    """Remove author boxes, comment sections, captions, tables of contents and tag lists
    (``_BOX_CLASS_RE``) before the main-text extraction; returns how many.

    trafilatura keeps many of them as paragraphs of the article (measured on the shared
    real pages). A box must be small (at most ``_MAX_BOX_CHARS``, a fifth of the page text)
    and hold no ``<h1>``, so a layout container named "comments-enabled" keeps the article.
    """
    if page_len is None:
        body = tree.find(".//body")
        page_len = len(_text(body if body is not None else tree))
    page_len = max(1, page_len)
    found: list = []
    found_ids: set[int] = set()
    for el in tree.xpath("//*[@class or @id]"):
        if not isinstance(el.tag, str) or el.tag in ("body", "html", "main", "article", "h1"):
            continue
        names = f"{el.get('class') or ''} {el.get('id') or ''}"
        if not _BOX_HINT_RE.search(names):
            continue  # most elements: one scan of the names, no token checks
        toks = names.split()
        caption = any(_CAPTION_CLASS_RE.search(t) for t in toks)
        if not (caption or any(_BOX_CLASS_RE.search(t) or _COMMENT_CLASS_RE.search(t) for t in toks)):
            continue
        if any(id(a) in found_ids for a in el.iterancestors()):
            continue  # inside a box already removed
        limit = min(_MAX_CAPTION_CHARS if caption else _MAX_BOX_CHARS, 0.2 * page_len)
        if _text_len_over(el, limit) or el.find(".//h1") is not None:
            continue
        found.append(el)
        found_ids.add(id(el))
    # a paragraph that is one link and no sentence: a "read also" line inside the article
    # ("Richtig frühstücken: Die besten Tipps …", "Hier das Einzel-Tableau")
    for par in tree.iter("p"):
        links = par.findall(".//a")
        if len(links) != 1 or any(id(a) in found_ids for a in par.iterancestors()):
            continue
        text, link_text = _text(par), _text(links[0])
        if text and text == link_text and 10 <= len(text) <= 150 and text[-1] not in ".!?:“\"»":
            found.append(par)
            found_ids.add(id(par))
    for el in found:
        _remove_keep_tail(el)
    return len(found)


# trafilatura's block elements; a container of them ("div") is read child by child
_BLOCK_TAGS = frozenset({"p", "head", "list", "table", "quote", "code", "div", "section", "article"})
_CONTAINER_OUT_TAGS = frozenset({"div", "section", "article", "main", "body"})


def _el_blocks(el, depth: int = 0) -> list[list[str]]:
    """Blocks of one trafilatura output element: its lines, or, for a ``<div>`` holding
    paragraphs (trafilatura keeps the wrapper of some pages), one block per child.

    Read as one element, such a wrapper gave the whole article as a single "lead".
    """
    if el.tag in _CONTAINER_OUT_TAGS and depth < 20 and any(c.tag in _BLOCK_TAGS for c in el):
        out: list[list[str]] = []
        if el.text and normalise_line(el.text):
            out.append([normalise_line(el.text)])
        for child in el:
            if child.tag in _BLOCK_TAGS:
                out.extend(_el_blocks(child, depth + 1))
            elif child.tag != "lb":
                text = _text(child)
                if text:
                    out.append([text])
            if child.tail and normalise_line(child.tail):
                out.append([normalise_line(child.tail)])
        return out
    lines = _el_lines(el)
    return [lines] if lines else []


_SOURCE_TAGS = {"cite", "footer", "figcaption"}


def _inline_quote_sources(tree) -> None:
    """Move the source line of a ``<blockquote>`` into its last paragraph.

    ``<blockquote><p>„…“</p><cite>Mara Klein, Klägerin</cite></blockquote>`` (also
    ``<footer>`` inside the blockquote, or ``<figcaption>`` of the enclosing
    ``<figure>``) becomes ``<p>„…“ – Mara Klein, Klägerin</p>``: trafilatura drops
    ``<footer>`` and glues ``<cite>`` to the quote, so the attribution would be lost.
    Only direct children (or a paragraph holding nothing but a ``<cite>``) count,
    so a ``<cite>`` naming a work inside the quote text is left alone.
    """
    for bq in list(tree.iter("blockquote")):
        sources = [c for c in bq if isinstance(c.tag, str) and c.tag in _SOURCE_TAGS]
        sources += [c for c in bq if c.tag == "p" and len(c) == 1 and c[0].tag == "cite"
                    and not (c.text or "").strip() and not (c[0].tail or "").strip()]
        fig = bq.getparent()
        if fig is not None and fig.tag == "figure":
            sources += [c for c in fig if c.tag == "figcaption"]
        if not sources:
            continue
        text = normalise_line(" ".join(" ".join(src.itertext()) for src in sources))
        paras = [p for p in bq.iter("p") if p not in sources]
        for src in sources:
            parent = src.getparent()
            if parent is not None:
                src.tail = None
                parent.remove(src)
        if not text or len(text) > 300:
            continue
        if not text.startswith(("–", "—", "-")):
            text = "– " + text
        target = paras[-1] if paras else bq
        if len(target):
            target[-1].tail = (target[-1].tail or "").rstrip() + " " + text
        else:
            target.text = (target.text or "").rstrip() + " " + text




#: libxml2 drops everything below a depth of about 256 (measured: 100,000 nested <div> gave
#: a tree of 258 elements and no error); such pages lose their layout containers instead of
#: their text. Two real pages of the shared collection count over 250 (unclosed inline tags)
#: and keep 61-71 % of their elements: the fallback needs both signs.
MAX_NESTING = 250
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*?(/?)>")
# void elements, and those whose end tag HTML lets authors leave out (they would pile up)
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr "
                  "p li dt dd tr td th option optgroup tbody thead tfoot colgroup rb rt rp html head body".split())
_CONTAINER_TAG_RE = re.compile(
    r"</?(?:div|span|section|article|main|aside|font|center|b|i|u|em|strong|nav|header|footer|figure)\b[^>]*>",
    re.I)


# the lead paragraph of an article page: an element named like one, after the page's h1.
# Class names are matched per token part ("field--name-field-abstract", "c-page-intro__copy",
# "af-chapo"), so that "leaderboard" or "node--category-lead" on a teaser <article> do not count.
_LEAD_CLASS_RE = re.compile(
    r"(?:^|[-_])(?:abstract|intro|introtext|intro-?text|lead|leadtext|lead-?text|teaser-?text|summary|subline|"
    r"standfirst|header-?text|einleitung|vorspann|chapo|excerpt|article-?excerpt|(?:article|artikel)-?teaser|"
    r"hero-?text|introduction|"
    r"short-?info|description|documentdescription|subtitle)(?:$|[-_])"
    r"|(?:header|teaser|intro|lead)[-_]*text(?:$|[-_])", re.I)
# layout containers and boxes that hold no lead ("site__main--no-sidebar" is a layout flag)
_NOT_LEAD_RE = re.compile(
    r"(?:^|[-_])(?<!no-)(?<!has-)(?<!with-)(?:nav|navbar|navigation|menu|footer|breadcrumbs?|cookies?|"
    r"cookie-?\w+|related|sidebar|teaser-?list|slider|carousel|swiper|credits?|caption|copyright|"
    r"image|img|photo|media|figure|bild|author|login|newsletter|banner|ad|ads|advert\w*)(?:$|[-_])", re.I)
# around a lead, only boxes of other content veto it: "ct-header-small-img" or
# "with-featured-image" on the header that holds it are layout names
_NOT_LEAD_BOX_RE = re.compile(
    r"(?:^|[-_])(?<!no-)(?<!has-)(?<!with-)(?:nav|navbar|navigation|menu|footer|breadcrumbs?|cookies?|"
    r"cookie-?\w+|related|sidebar|teaser-?list|slider|carousel|swiper|login|newsletter|banner|ad|ads|"
    r"advert\w*|teaser\d+|leaderboard|billboard|werbung|anzeige|sponsor\w*)(?:$|[-_])", re.I)
_LEAD_TAGS = {"p", "div", "span", "h2", "h3", "section", "header", "strong", "b"}


def _class_tokens(el) -> list[str]:
    """The class names and the id of ``el``, one token each."""
    return f"{el.get('class') or ''} {el.get('id') or ''}".split()


def _has_class(el, rx: re.Pattern[str]) -> bool:
    return any(rx.search(tok) for tok in _class_tokens(el))


def _date_from_page_text(tree, page_text: str | None = None) -> _dt.date | None:
    """The first ``<time datetime>`` or German calendar date in the page text, when the
    metadata has none ("Datum 25.01.2022", "Pressemitteilung vom 20. Januar 2022").

    Measured on the 60 hand-annotated real pages: 7 have no metadata date; this finds the
    publication date of 5 (htmldate's extensive search: 4, at ~4 s for its first call).
    Dates after today are skipped (announcements).
    """
    today = _dt.date.today()
    for value in tree.xpath("//time/@datetime")[:5]:
        day = to_date(str(value)[:10])
        if day is not None and day <= today:
            return day
    if page_text is None:
        body = tree.find(".//body")
        page_text = _text(body if body is not None else tree)
    text = page_text[:20000]
    return next((d for d in iter_german_dates(text) if 1990 <= d.year and d <= today), None)


def _title_heading(tree):
    """The page's headline element: its first ``<h1>`` that reads as a headline.

    Pages put their logo or a "Navigation" label into an ``<h1>`` too; those are short
    or boilerplate and are skipped. ``None`` when there is no such ``<h1>``.
    """
    for h1 in tree.iter("h1"):
        text = _text(h1)
        if len(text) >= 12 and len(text.split()) >= 2 and not is_boilerplate(text):
            return h1
    return None


def _reads_as_lead(text: str) -> bool:
    """Sentences, not a label or a list of links: long enough and ending like a sentence
    (or long enough not to be a heading)."""
    words = len(text.split())
    if not 60 <= len(text) <= 1200 or words < 8 or is_boilerplate(text):
        return False
    if text.count(" | ") >= 2 or text.count(" » ") >= 2 or "©" in text:
        return False  # breadcrumb, a row of links, a photo credit
    return text.rstrip()[-1] in ".!?“”\"»…" or words >= 14


def _find_lead(tree) -> str | None:
    """Text of the page's lead element (``div.field--name-field-abstract``, ``.teaser-text``,
    ``.intro``, ``.chapo``, ``.excerpt`` …) after the page's headline, when it reads as
    sentences; else ``None``. Without a headline ``<h1>`` the whole page is searched.

    trafilatura drops such header-area leads on many press pages (measured on the shared
    real pages: ministries, unions, associations, magazines), and with them the names they hold.
    """
    h1 = _title_heading(tree)
    after = h1 is None
    for el in tree.iter():
        if el is h1:
            after = True
            continue
        if not after or not isinstance(el.tag, str) or el.tag not in _LEAD_TAGS:
            continue
        if h1 is not None and _is_ancestor(h1, el):
            continue
        if not _has_class(el, _LEAD_CLASS_RE) or _has_class(el, _NOT_LEAD_RE):
            continue
        parent = el.getparent()
        if parent is not None and _has_class(parent, _NOT_LEAD_RE):
            continue  # the text of a figure or an author box
        if any(a.tag in ("nav", "footer", "aside", "figure", "figcaption") or
               (a.tag not in ("body", "html") and _has_class(a, _NOT_LEAD_BOX_RE))
               for a in el.iterancestors()):
            continue
        text = _text(el)
        if _reads_as_lead(text):
            return text
        if len(text) > 1200:
            return None  # a container of the whole article: nothing to rescue
    return _header_sentence(h1) if h1 is not None else None


def _header_sentence(h1) -> str | None:
    """A paragraph or subtitle right after the headline inside the article's header
    (``<header><h1>…</h1><p>…</p></header>``, ``<hgroup>``), when it reads as a lead."""
    parent = h1.getparent()
    if parent is None or not (parent.tag in ("header", "hgroup") or
                              any(re.search(r"(?:^|[-_])head(?:er)?(?:$|[-_])", t, re.I)
                                  for t in _class_tokens(parent))):
        return None
    sib = h1.getnext()
    for _ in range(3):
        if sib is None:
            return None
        if isinstance(sib.tag, str) and sib.tag in ("p", "h2", "div") and not _has_class(sib, _NOT_LEAD_RE) \
                and not _has_class(sib, _NOT_LEAD_BOX_RE):
            text = _text(sib)
            if _reads_as_lead(text):
                return text
        sib = sib.getnext()
    return None


_TITLE_SEP_RE = re.compile(r"\s+[-–—|»·:]\s+")


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _names_site(part: str, site_name: str | None, url: str | None) -> bool:
    k = _key(part)
    if len(k) < 3 or len(part) > 80:
        return False
    names = [_key(site_name)] if site_name else []
    if url:
        host = re.sub(r"^[a-z]+://(www\.)?", "", url.casefold()).split("/", 1)[0]
        names += [_key(host), _key(host.rsplit(".", 1)[0])]
    return any(n and len(n) >= 3 and (k in n or n in k) for n in names)


def strip_site_name(title: str, *, site_name: str | None = None, url: str | None = None) -> str:
    """A page title without the site's name before or after it.

    "Solidarität = Nachbarschaftshilfe - Piratenpartei Hessen" -> "Solidarität =
    Nachbarschaftshilfe" when the site name (trafilatura's ``sitename``) or the URL's
    host names that part. A title that would become shorter than 10 characters is kept.
    """
    for _ in range(2):  # "Titel - Rubrik | Site": the site, then once more
        parts = _TITLE_SEP_RE.split(title)
        if len(parts) < 2:
            break
        seps = _TITLE_SEP_RE.findall(title)
        if _names_site(parts[-1], site_name, url):
            rest = title[: len(title) - len(parts[-1]) - len(seps[-1])]
        elif _names_site(parts[0], site_name, url):
            rest = title[len(parts[0]) + len(seps[0]):]
        else:
            break
        if len(rest.strip()) < 10:
            break
        title = rest.strip()
    return title


def nesting_depth(html: str) -> tuple[int, int]:
    """Deepest element nesting of ``html`` and its number of start tags.

    A tolerant count from the tags alone: an unclosed tag counts until it is closed.
    """
    depth = deepest = n_tags = 0
    for m in _TAG_RE.finditer(html):
        closing, name, self_closing = m.group(1), m.group(2).lower(), m.group(3)
        n_tags += not closing
        if name in _VOID or self_closing:
            continue
        if closing:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest, n_tags


# text modules of an article page ("editorial-module--text", "textmodul", "rte-content"):
# pages built from such blocks put images between them, and trafilatura keeps only one
_TEXT_MODULE_RE = re.compile(r"text|content|body|copy|rte|richtext|paragraph|modul", re.I)
_NOT_MODULE_RE = re.compile(r"post|entry|teaser|card|item|comment|related|sidebar|widget|list|nav|footer", re.I)


def _sibling_modules(tree, blocks: list[list[str]]) -> list[list[str]]:
    """Paragraphs of the text modules beside the one trafilatura kept.

    The element holding the first extracted paragraph is looked up in the page; its
    nearest ancestor named like a text module ("text-text", "textmodul") and that ancestor's
    siblings of the same tag and class are read in page order. Paragraphs not extracted yet
    are returned (appended after the extracted text). Nothing when the first paragraph is
    not found, or the module's siblings are posts, teasers or list items.
    """
    first = next((ln for b in blocks for ln in b if len(ln) >= 80), None)
    if first is None:
        return []
    key = line_key(first)
    start = None
    for p in tree.iter("p"):
        # cheap test first: most paragraphs are of another length
        if not _text_len_over(p, len(first) + 20) and _text_len_over(p, len(first) - 40) \
                and line_key(_text(p)) == key:
            start = p
            break
    if start is None:
        return []
    module = start
    for _ in range(4):
        module = module.getparent()
        if module is None or module.tag in ("body", "html", "main", "article"):
            return []
        cls = (module.get("class") or "").strip()
        if cls and _TEXT_MODULE_RE.search(cls):
            break
    else:
        return []
    if _NOT_MODULE_RE.search(cls):
        return []
    # the same kind of module beside it, or beside one of its (named) wrappers
    # ("single-wrapper > editorial-module > text > text-text")
    kin: list = []
    anc = module
    for _ in range(3):
        parent = anc.getparent()
        acls = (anc.get("class") or "").strip()
        if parent is None or parent.tag in ("body", "html") or not acls or _NOT_MODULE_RE.search(acls):
            break
        same = [x for x in parent.iterchildren(anc.tag) if (x.get("class") or "").strip() == acls]
        if len(same) >= 2:
            kin = [m for x in same for m in x.iter(module.tag) if (m.get("class") or "").strip() == cls]
            break
        anc = parent
    if len(kin) < 2:
        return []
    known = {line_key(ln) for b in blocks for ln in b}
    out: list[list[str]] = []
    for m in kin:
        if m.find(".//h1") is not None:
            return []
        for el in m.iter("p", "h2", "h3", "h4", "li"):
            if any(a.tag in ("figure", "figcaption") for a in el.iterancestors()):
                continue  # the caption of an image between the modules
            text = _text(el)
            k = line_key(text)
            if text and k not in known and not any(k in kk for kk in known if len(kk) > len(k)):
                known.add(k)
                out.append([text])
    return out[:200]


#: An extraction with less body text than this is redone on the page as it was (one real
#: page: its comment boxes were the only text of an <article>) and with favor_recall.
_MIN_BODY_CHARS = 500


def _bare_extraction(tree, url: str | None, options: dict) -> "Document | None":
    """trafilatura's ``bare_extraction`` with the options of this module."""
    import trafilatura

    # without as_dict=True, bare_extraction returns a Document (or None), never a dict
    return cast("Document | None", trafilatura.bare_extraction(
        tree, url=url, with_metadata=True,
        date_extraction_params={**DATE_PARAMS, "max_date": _dt.date.today().isoformat()},
        **options))


def _body_chars(doc: "Document | None") -> int:
    """Characters of the lines in the body of a trafilatura result (0 without one)."""
    if doc is None or doc.body is None:
        return 0
    return sum(len(line) for el in doc.body for line in _el_lines(el))


def extract_html(html: str, *, url: str | None = None) -> HtmlResult:
    """Extract body blocks, metadata and teasers from an HTML page.

    Args:
        html: The page markup (already decoded and size-capped).
        url: The page URL, used to make teaser links absolute (else the page's
            ``<base href>`` / canonical URL when present).

    Returns:
        An :class:`HtmlResult`; problems (unparseable markup, no main text found,
        extraction errors) are listed in ``warnings`` instead of raised.
    """
    # trafilatura and htmldate log each such problem; here they become warnings
    with quiet_loggers(_QUIET):
        return _extract_html(html, url=url)


def _extract_html(html: str, *, url: str | None) -> HtmlResult:
    import trafilatura
    from lxml import etree  # type: ignore[import-untyped]
    from trafilatura.utils import load_html

    res = HtmlResult()
    try:
        tree = load_html(html)
        depth, n_tags = nesting_depth(html)
        if depth > MAX_NESTING and (tree is None or sum(1 for _ in tree.iter()) < n_tags / 4):
            # the parser gave up below its depth limit: most of the page is missing
            html = _CONTAINER_TAG_RE.sub(" ", html)
            res.warnings.append(f"elements nested {depth} deep (the HTML parser stops at about 256): "
                                "layout elements (div, span, section …) removed so that the text is kept")
            tree = load_html(html)
    except (ValueError, TypeError, RecursionError, etree.LxmlError) as exc:
        res.warnings.append(f"HTML could not be parsed: {type(exc).__name__}")
        logger.debug("HTML could not be parsed", exc_info=True)
        return res
    if tree is None:
        res.warnings.append("HTML could not be parsed (empty document tree)")
        return res
    base = url
    try:
        if not base:
            b = tree.xpath("//base/@href|//link[@rel='canonical']/@href|//meta[@property='og:url']/@content")
            base = b[0].strip() if b else None
        for block in _find_teaser_blocks(tree):
            if len(res.teasers) < _MAX_TEASERS:
                known = {line_key(t.title) for t in res.teasers}
                for t in _teasers_from_block(block, base):
                    if line_key(t.title) not in known and len(res.teasers) < _MAX_TEASERS:
                        res.teasers.append(t)
                        known.add(line_key(t.title))
            parent = block.getparent()
            if parent is not None:
                parent.remove(block)
    except (ValueError, TypeError, RecursionError, etree.LxmlError) as exc:
        res.warnings.append(f"teaser blocks could not be read: {type(exc).__name__}")
        logger.debug("teaser blocks could not be read", exc_info=True)
    try:
        _inline_quote_sources(tree)
    except (ValueError, TypeError, RecursionError, etree.LxmlError) as exc:
        res.warnings.append(f"quote sources could not be read: {type(exc).__name__}")
        logger.debug("quote sources could not be read", exc_info=True)
    options = dict(TRAFILATURA_OPTIONS)
    try:
        n_elements = sum(1 for _ in tree.iter())
    except (ValueError, TypeError, RecursionError):
        n_elements = MAX_ELEMENTS_FULL + 1
    if n_elements > MAX_ELEMENTS_FULL:
        # far beyond any real article page (< 11,000 elements measured): trafilatura
        # would take many seconds, so read the paragraph-like elements directly
        res.warnings.append(f"very large page ({n_elements} elements): main-text extraction skipped, "
                            "all paragraph text used")
        titles = tree.xpath("//title/text()")
        res.title = normalise_line(titles[0]) if titles else None
        for el in tree.iter("p", "h1", "h2", "h3", "h4", "li", "blockquote", "td"):
            txt = _text(el) if len(el) < 50 else ""
            if txt:
                res.blocks.append([txt])
            if len(res.blocks) >= 5000:
                break
        return res
    page_text = ""
    try:
        body = tree.find(".//body")
        page_text = _text(body if body is not None else tree)  # read once for both
        page_date = _date_from_page_text(tree, page_text)  # before boxes and trafilatura prune the tree
    except (ValueError, TypeError, RecursionError):
        page_date = None
    dropped = 0
    try:
        dropped = _drop_boxes(tree, len(page_text) or None)
    except (ValueError, TypeError, RecursionError, etree.LxmlError) as exc:
        res.warnings.append(f"author/comment/caption boxes could not be read: {type(exc).__name__}")
        logger.debug("boxes could not be read", exc_info=True)
    try:
        lead = _find_lead(tree)
    except (ValueError, TypeError, RecursionError):
        lead = None
    try:
        doc = _bare_extraction(tree, url, options)
        if _body_chars(doc) < _MIN_BODY_CHARS:
            # little text: without the boxes trafilatura may have chosen an (emptied)
            # container, or its precision cut the article: the page as it was (parsed again:
            # rare, cheaper than a copy of every page's tree), then with favor_recall
            tries = [options] if dropped else []
            tries.append({**options, "favor_recall": True, "favor_precision": False})
            for opts in tries:
                again = _bare_extraction(load_html(html), url, opts)
                if _body_chars(again) > _body_chars(doc):
                    doc = again
                if _body_chars(doc) >= _MIN_BODY_CHARS:
                    break  # enough text: no third run
    except (ValueError, TypeError, RecursionError, AttributeError, IndexError, KeyError,
            etree.LxmlError) as exc:
        res.warnings.append(f"main-text extraction failed: {type(exc).__name__}: {exc}"[:200])
        logger.debug("trafilatura failed", exc_info=True)
        doc = None
    if doc is None or doc.body is None:
        res.warnings.append("trafilatura found no main text; used the page's plain text (baseline)")
        try:
            _, text, _ = trafilatura.baseline(html)
        except (ValueError, TypeError, RecursionError, etree.LxmlError):
            text = ""
        res.blocks = [[ln] for ln in (normalise_line(x) for x in (text or "").split("\n")) if ln]
        if not res.blocks:
            res.warnings.append("no text found in the HTML")
        return res
    res.published = to_date(doc.date) or page_date
    if res.published is not None and doc.date is None:
        res.warnings.append(f"publication date {res.published.isoformat()} taken from the page text "
                            "(no date in the page's metadata)")
    res.author = doc.author or None
    res.site_name = doc.sitename or None
    res.url = doc.url or None
    res.title = strip_site_name(normalise_line(doc.title), site_name=res.site_name,
                                url=url or res.url) if doc.title else None
    for el in doc.body:
        try:
            res.blocks.extend(_el_blocks(el))
        except (ValueError, TypeError, RecursionError):
            continue
    try:
        res.blocks.extend(_sibling_modules(tree, res.blocks))
    except (ValueError, TypeError, RecursionError, etree.LxmlError):
        logger.debug("sibling text modules could not be read", exc_info=True)
    if lead and res.blocks:
        key = line_key(lead)
        # kept by trafilatura already (whole, or a long part of it): not twice
        if not any(key in bk or (len(bk) >= 40 and bk in key)
                   for bk in (line_key(" ".join(b)) for b in res.blocks)):
            res.blocks.insert(0, [lead])
    return res
