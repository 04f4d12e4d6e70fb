"""``ngo_dates``: German date expressions as ``DATE`` entities with ISO values.

What counts as a date, and how missing years and weekdays are resolved, is the date
core's business (:mod:`ngo_text.parsing.dates`, shared with datelines and page dates);
this module puts its matches into a Doc. The reference date is ``doc._.ngo_published``
(a ``datetime.date``/``datetime``/ISO string; :func:`ngo_text.analyze` sets it from
``Article.published``).

Entities (the ``ngo_dates`` component): each match becomes a ``DATE`` span in
``doc.ents``, except, by default, bare weekdays and deictic words, which
``find_dates`` still finds and values ("Mittwoch, 5. Mai" becomes "5. Mai"):
ngo_text's annotation conventions count calendar expressions only. An overlapping
entity of another label is replaced, unless it is a PER/ORG/AGENCY/LOC/MISC
entity that reaches beyond the date on some side ("August Bebel",
"Gesetz vom 5. Mai"), in which case the date is dropped.
"""
from __future__ import annotations

from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..parsing.dates import DateMatch, find_dates, reference_date, split_ranges

from . import ensure_extensions

__all__ = ["DateRecognizer", "find_dates", "split_ranges", "DateMatch", "reference_date"]


_KEEP_OVER_DATE = {"PER", "ORG", "AGENCY", "LOC", "MISC"}


def _split_trailing_dots(doc: Doc, matches: list[DateMatch]) -> None:
    """Split "2019." (the German tokenizer's sentence-final year) into "2019" + "."."""
    to_split = []
    for m in matches:
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None:
            continue
        tok = span[-1]
        if tok.idx < m.end < tok.idx + len(tok.text) and doc.text[m.end:tok.idx + len(tok.text)] == ".":
            to_split.append(tok)
    if not to_split:
        return
    with doc.retokenize() as retok:
        for tok in to_split:
            retok.split(tok, [tok.text[:-1], "."], heads=[(tok, 0), (tok, 0)])


def add_date_ents(doc: Doc, matches: Iterable[DateMatch], *, label: str = "DATE") -> list[Span]:
    """Put date matches into ``doc.ents`` (see the module docstring for overlaps)."""
    ensure_extensions()
    matches = list(matches)
    _split_trailing_dots(doc, matches)
    new: list[tuple[Span, DateMatch]] = []
    for m in matches:
        span = doc.char_span(m.start, m.end, label=label, alignment_mode="expand")
        if span is None or not span.text.strip():
            continue
        new.append((span, m))
    ents = list(doc.ents)
    kept_dates: list[tuple[Span, DateMatch]] = []
    for span, m in new:
        blocked = False
        for e in ents:
            if e.start < span.end and span.start < e.end and e.label_ != label:
                if e.label_ in _KEEP_OVER_DATE and (e.start < span.start or e.end > span.end):
                    blocked = True
                    break
        if not blocked:
            kept_dates.append((span, m))
    date_spans = [s for s, _ in kept_dates]
    others = [e for e in ents if not any(e.start < d.end and d.start < e.end for d in date_spans)]
    doc.ents = filter_spans(others + date_spans)
    final = {(e.start, e.end): e for e in doc.ents}
    out = []
    for span, m in kept_dates:
        ent = final.get((span.start, span.end))
        if ent is None:
            continue
        ent._.ngo_value = m.value
        ent._.ngo_canonical = m.value or ent.text
        out.append(ent)
    return out


class DateRecognizer:
    """The ``ngo_dates`` pipeline component (see the module docstring)."""

    def __init__(self, nlp: Language, name: str = "ngo_dates", *, label: str = "DATE",
                 bare_years: bool = True, weekdays: bool = False, deictic: bool = False,
                 ranges: bool = True) -> None:
        ensure_extensions()
        self.ranges = ranges
        self.name = name
        self.label = label
        self.bare_years = bare_years
        self.weekdays = weekdays
        self.deictic = deictic

    def __call__(self, doc: Doc) -> Doc:
        ref = doc._.ngo_published if Doc.has_extension("ngo_published") else None
        matches = find_dates(doc.text, ref)
        if not self.bare_years:
            matches = [m for m in matches if m.kind != "year"]
        if not self.deictic:
            matches = [m for m in matches if m.kind != "deictic"]
        if not self.weekdays:
            # "Mittwoch, 5. Mai 2021" -> "5. Mai 2021": the calendar date is the entity
            matches = [DateMatch(m.parts["core_start"], m.end, m.kind, m.value, m.parts)
                       if "core_start" in m.parts else m
                       for m in matches if m.kind != "weekday"]
        if not self.ranges:
            matches = split_ranges(matches)
        add_date_ents(doc, matches, label=self.label)
        return doc


@Language.factory(
    "ngo_dates",
    default_config={"label": "DATE", "bare_years": True, "weekdays": False, "deictic": False,
                    "ranges": True},
)
def make_ngo_dates(nlp: Language, name: str, label: str, bare_years: bool,
                   weekdays: bool, deictic: bool, ranges: bool) -> DateRecognizer:
    """Factory of the ``ngo_dates`` component.

    Config: ``label`` (entity label, "DATE"), ``bare_years`` (tag "2021" alone),
    ``weekdays`` (tag "Mittwoch" alone and keep it in "Mittwoch, 5. Mai"),
    ``deictic`` (tag "heute", "gestern" ...), ``ranges`` (one span per range; False
    emits the two end points as separate dates, as MobIE annotates them).
    Weekdays and deictic words are off by default: ngo_text's annotation
    conventions count calendar expressions only (MobIE counts both: the
    dates bench turns them on).
    """
    return DateRecognizer(nlp, name, label=label, bare_years=bare_years, weekdays=weekdays,
                          deictic=deictic, ranges=ranges)
