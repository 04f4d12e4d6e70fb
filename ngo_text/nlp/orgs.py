"""``ngo_orgs``: organisations vs. agencies, gazetteer entities, span clean-up.

What the component does, in order:

1. **Gazetteer** (``ngo_text/resources/gazetteer/*.tsv``: name, label AGENCY/ORG,
   org_type, aliases): one :class:`~spacy.matcher.PhraseMatcher` (built once, on
   first use) over all names and aliases *with their German inflected
   forms* ("Internationale Gesellschaft für Menschenrechte" also matches "der
   Internationalen Gesellschaft ...", "Ausschuss für ..." also "des Ausschusses
   für ..."). A match replaces overlapping entities (an NER span that is larger
   and is ORG/AGENCY/MISC/PER/LOC is kept), and is added when the NER missed it.
2. **Boundaries**: ORG/AGENCY spans are extended over a following legal form
   ("e. V.", "gGmbH", "GmbH", "AG", "& Co. KG", optionally after "Deutschland");
   PER spans lose leading role words ("Vorstandsvorsitzender Dietmar Roller"
   -> "Dietmar Roller", the ``[entities]`` list of ``resources/roles.txt``) and date words.
3. **Typing** of every ORG/AGENCY span, first rule that decides wins:
   gazetteer entry (exact, or an entry the span starts with) -> legal-form
   and head-noun rules (``gazetteer/org_rules.tsv``: "Landesamt für ...",
   "-ministerium", "Staatsanwaltschaft X", "Ausschuss für ..." -> AGENCY;
   "Verband", "Stiftung", "e. V." -> ORG/ngo; "GmbH" -> ORG/company ...) ->
   a small char n-gram logistic regression trained on LER
   (``gazetteer/org_type_classifier.npz``, see ``training/train_org_types.py``).
   The label is set to AGENCY or ORG, ``Span._.ngo_org_type`` to one of
   :data:`ngo_text.model.ORG_TYPES` for ORG (``None`` for AGENCY), and
   ``Span._.ngo_canonical`` to the gazetteer name (nominative) or the span text.

The gazetteer, its inflected forms and the classifier live in one
:class:`OrgTyper` per pipeline, owned by the ``ngo_orgs`` component; the other
ngo_text components of the pipeline type names with it (:func:`org_typer`).
``initialize(gazetteer_path=...)`` (``[initialize.components.ngo_orgs]`` in a
config) loads another gazetteer (a ``.tsv`` file or a folder of them) instead
of the bundled one; such a gazetteer is saved with the pipeline
(``to_disk``/``to_bytes``), the bundled one is referenced, so a saved pipeline
follows the gazetteer of the installed ngo_text.
"""
from __future__ import annotations

import functools
import itertools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import srsly  # type: ignore[import-untyped]
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..errors import ModelFormatError
from ..resources import role_words
from . import ensure_extensions

__all__ = ["GazetteerEntry", "load_gazetteer", "OrgTypeClassifier", "OrgTyper", "OrgRecognizer",
           "inflected_forms", "classify_org", "org_typer", "GAZETTEER_DIR"]

#: The classifier types a name AGENCY only at this probability or above. The classifier
#: learnt LER's prior (court decisions, where most names are authorities); on real pages an
#: unknown brand, club or medium ("Lufthansa" 0.71, "Gamestop" 0.64, "Business Insider" 0.53)
#: is seldom one. Tuned on three dev sets (2026-12-02, accurate pipeline): 0.5 -> 0.7 moves
#: real-pages dev AGENCY precision 0.844 -> 0.905 (micro 0.833 -> 0.837), the 188
#: ``real_pages_more`` pages 0.31 -> 0.43 (micro 0.689 -> 0.694), LER dev AGENCY typing
#: 0.995 -> 0.991; 0.8 and above cost LER more (0.980 at 0.8) and gain nothing on real pages.
AGENCY_MIN_PROBABILITY = 0.7
ORG_LABELS = ("ORG", "AGENCY")


@dataclass(frozen=True)
class GazetteerEntry:
    """One organisation or authority: canonical ``name``, ``label``, ``org_type``, aliases."""

    name: str
    label: str
    org_type: str | None
    aliases: tuple[str, ...] = ()


#: The bundled gazetteer: organisation lists (``*.tsv``) and the rule, role and place lists.
GAZETTEER_DIR = Path(__file__).resolve().parent.parent / "resources" / "gazetteer"
_NOT_ENTRIES = ("org_rules.tsv",)


def _gaz_path(name: str) -> Path:
    return GAZETTEER_DIR / name


def _read_lines(name: str | Path) -> list[str]:
    """The lines of a bundled gazetteer file (``name``) or of a path, without blanks and ``#`` comments."""
    path = name if isinstance(name, Path) else _gaz_path(name)
    text = path.read_text(encoding="utf8")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def load_gazetteer(path: str | os.PathLike | None = None) -> tuple[GazetteerEntry, ...]:
    """Gazetteer entries: of ``path`` (a ``.tsv`` file or every ``.tsv`` of a folder), else the bundled ones.

    Each line: name, label (AGENCY/ORG), org_type (``-`` for none), aliases
    separated by ``|``. The bundled gazetteer is read once (cached).

    Raises:
        ModelFormatError: a line does not have that shape.
    """
    if path is None:
        return _bundled_gazetteer()
    path = Path(path)
    files = sorted((p for p in path.iterdir() if p.suffix == ".tsv" and p.name not in _NOT_ENTRIES),
                   key=lambda p: p.name) if path.is_dir() else [path]
    entries = []
    for item in files:
        for i, line in enumerate(_read_lines(item)):
            parts = line.split("\t")
            if len(parts) < 3 or parts[1] not in ORG_LABELS:
                raise ModelFormatError(f"gazetteer/{item.name}: bad line {i + 1}: {line!r} "
                                       "(expected name<TAB>AGENCY|ORG<TAB>org_type<TAB>aliases)")
            org_type = parts[2].strip() if parts[2].strip() not in ("", "-") else None
            aliases = tuple(a.strip() for a in (parts[3] if len(parts) > 3 else "").split("|")
                            if a.strip())
            entries.append(GazetteerEntry(parts[0].strip(), parts[1], org_type, aliases))
    return tuple(entries)


@functools.lru_cache(maxsize=1)
def _bundled_gazetteer() -> tuple[GazetteerEntry, ...]:
    return load_gazetteer(GAZETTEER_DIR)


def _entry_line(e: GazetteerEntry) -> str:
    """``e`` as a gazetteer line (what :func:`load_gazetteer` reads)."""
    return "\t".join([e.name, e.label, e.org_type or "-", "|".join(e.aliases)])


_Rule = tuple[re.Pattern[str], str, str | None]


@functools.lru_cache(maxsize=1)
def _rules() -> tuple[list[_Rule], list[_Rule], list[_Rule], list[_Rule]]:
    """(suffix, first, head, event) rules of ``org_rules.tsv``."""
    kinds: dict[str, list[_Rule]] = {"suffix": [], "first": [], "head": [], "event": []}
    for line in _read_lines("org_rules.tsv"):
        kind, pattern, label, org_type = line.split("\t")
        rx = re.compile(rf"(?:{pattern})\Z", re.S)
        kinds[kind].append((rx, label, None if org_type == "-" else org_type))
    return kinds["suffix"], kinds["first"], kinds["head"], kinds["event"]


def _is_event(text: str, typer: "OrgTyper") -> bool:
    """An ORG/AGENCY span that names an event ("Davis Cup", "Reclaim-Democracy-Kongress",
    "Norddeutschen Meisterschaften"): its last word matches an ``event`` rule and the
    gazetteer does not know the name."""
    last = text.split()[-1].strip("„“\"'(),.")
    return any(rx.match(last) for rx, _, _ in _rules()[3]) and not typer.knows(text, whole=False)


_ADJ_ENDINGS = ("en", "er", "es", "em", "e")


def inflected_forms(name: str) -> list[str]:
    """German case forms of a multi-word name (nominative first).

    The words before the first lower-case word are the head phrase
    ("Internationale Gesellschaft | für Menschenrechte"); adjectives in it
    take the endings -e/-en/-er/-es/-em together, the last word (the head noun)
    "", "-s", "-es", "-n". Over-generation is harmless: the forms are only
    looked up, never shown.
    """
    words = name.split(" ")
    n_head = next((i for i, w in enumerate(words) if i > 0 and w[:1].islower()), len(words))
    head, rest = words[:n_head], words[n_head:]
    if not head or not head[-1][:1].isupper() or head[-1].isupper() or any(
            ch.isdigit() for ch in head[-1]):
        return [name]
    noun = head[-1]
    noun_forms = [noun, noun + "s", noun + "es"] + ([noun + "n"] if noun.endswith("e") else [])
    if noun.endswith(("s", "ß", "x", "z")):
        noun_forms = [noun, noun + "es"]
    adj_idx = [i for i, w in enumerate(head[:-1])
               if w[:1].isupper() and not w.isupper() and w.endswith(_ADJ_ENDINGS) and len(w) > 4]
    adj_variants: list[list[str]] = [head[:-1]]
    if adj_idx:
        for ending in _ADJ_ENDINGS:
            var = list(head[:-1])
            for i in adj_idx:
                w = var[i]
                stem = next((w[: -len(e)] for e in _ADJ_ENDINGS if w.endswith(e)), w)
                var[i] = stem + ending
            adj_variants.append(var)
    out = []
    for adj, nf in itertools.product(adj_variants, noun_forms):
        form = " ".join([*adj, nf, *rest])
        if form not in out:
            out.append(form)
    return out


class OrgTypeClassifier:
    """Char n-gram logistic regression: organisation name -> AGENCY / company / other.

    Saved as ``.npz`` (``vocab``, ``coef``, ``intercept``, ``classes``, ``meta``
    JSON); loaded with ``allow_pickle=False``. Features: counts of char_wb
    n-grams over the saved vocabulary, l2-normalised (scikit-learn's
    ``CountVectorizer(vocabulary=...)`` and ``normalize``, as in training).
    """

    def __init__(self, vocab: Iterable[str], coef: np.ndarray, intercept: np.ndarray,
                 classes: Iterable[str], *, ngram_range: tuple[int, int] = (2, 5)) -> None:
        self.vocab = {g: i for i, g in enumerate(vocab)}
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.classes = list(classes)
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        from sklearn.feature_extraction.text import CountVectorizer  # type: ignore[import-untyped]

        self.vectorizer = CountVectorizer(analyzer="char_wb", ngram_range=self.ngram_range,
                                          lowercase=False, vocabulary=self.vocab, dtype=np.float32)

    @classmethod
    def load(cls, path=None) -> "OrgTypeClassifier":
        """Load a saved classifier (default: the bundled one)."""
        if path is None:
            path = _gaz_path("org_type_classifier.npz")
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if meta.get("format") != "ngo_text.org_type_classifier" or meta.get("version") != 1:
                    raise ModelFormatError(f"{path}: not an ngo_text org type classifier v1")
                return cls(data["vocab"].tolist(), data["coef"], data["intercept"],
                           data["classes"].tolist(), ngram_range=tuple(meta["ngram_range"]))
        except (OSError, KeyError, ValueError) as exc:
            raise ModelFormatError(f"cannot read org type classifier {path}: {exc}") from exc

    def save(self, path, **meta) -> None:
        """Write the ``.npz`` file (no pickle)."""
        vocab = sorted(self.vocab, key=self.vocab.__getitem__)
        info = {"format": "ngo_text.org_type_classifier", "version": 1,
                "ngram_range": list(self.ngram_range), **meta}
        np.savez_compressed(path, vocab=np.array(vocab, dtype=str), coef=self.coef,
                            intercept=self.intercept, classes=np.array(self.classes, dtype=str),
                            meta=np.array(json.dumps(info, ensure_ascii=False)))

    def decision(self, text: str) -> np.ndarray:
        """The decision function (one logit per class; one for binary models) for one name."""
        from sklearn.preprocessing import normalize  # type: ignore[import-untyped]

        x = normalize(self.vectorizer.transform([text]))
        return self.intercept + np.asarray(x @ self.coef.T).ravel()

    def probability(self, text: str, cls: str) -> float:
        """Softmax probability of class ``cls`` for ``text`` (multi-class models)."""
        scores = self.decision(text)
        if scores.shape[0] == 1:  # binary: one logit for classes[1]
            p1 = float(1 / (1 + np.exp(-scores[0])))
            return p1 if cls == self.classes[1] else 1 - p1
        p = np.exp(scores - scores.max())
        return float(p[self.classes.index(cls)] / p.sum())

    def predict(self, text: str) -> str:
        """The most likely class name for one organisation name."""
        scores = self.decision(text)
        if len(self.classes) == 2 and scores.shape[0] == 1:
            return self.classes[int(scores[0] > 0)]
        return self.classes[int(np.argmax(scores))]


@functools.lru_cache(maxsize=1)
def _default_classifier() -> OrgTypeClassifier | None:
    try:
        return OrgTypeClassifier.load()
    except (ModelFormatError, FileNotFoundError):
        return None


def _norm_key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip()).strip(" ,;:")


class OrgTyper:
    """Decides AGENCY vs ORG (+ org_type) for a name: gazetteer, rules, classifier.

    Holds the gazetteer's index of inflected forms (:attr:`by_form`), built
    once; ``ngo_orgs`` matches those forms in the text and the other
    components look names up in it (:func:`org_typer`).

    Args:
        entries: the gazetteer (default: the bundled one).
        classifier: ``True`` for the bundled classifier, a loaded
            :class:`OrgTypeClassifier`, or ``False``/``None`` for none.
    """

    def __init__(self, entries: Iterable[GazetteerEntry] | None = None, *,
                 classifier: OrgTypeClassifier | None | bool = True) -> None:
        self.entries = tuple(entries) if entries is not None else load_gazetteer()
        self.by_form: dict[str, GazetteerEntry] = {}
        for e in self.entries:
            for surface in (e.name, *e.aliases):
                for form in inflected_forms(surface):
                    self.by_form.setdefault(form, e)
        self.classifier = _default_classifier() if classifier is True else (classifier or None)
        self._cache: dict[str, tuple[str, str | None, str]] = {}

    def knows(self, text: str, *, whole: bool = True) -> bool:
        """``text`` is a gazetteer name or alias in some case form (``whole=False``: or starts with one)."""
        return text in self.by_form if whole else self.classify(text)[2] == "gazetteer"

    def classify(self, text: str) -> tuple[str, str | None, str]:
        """(label, org_type, how) for an organisation name; how in gazetteer/rule/classifier/default."""
        key = _norm_key(text)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        result = self._classify(key)
        if len(self._cache) < 50000:
            self._cache[key] = result
        return result

    def _classify(self, key: str) -> tuple[str, str | None, str]:
        e = self.by_form.get(key)
        if e is not None:
            return e.label, e.org_type, "gazetteer"
        words = key.split(" ")
        for k in range(len(words) - 1, 0, -1):  # longest gazetteer prefix ("Amnesty International Deutschland e. V.")
            e = self.by_form.get(" ".join(words[:k]))
            if e is not None:
                return e.label, e.org_type, "gazetteer"
        suffix_rules, first_rules, head_rules, _ = _rules()
        for rx, label, org_type in suffix_rules:
            if rx.match(key):
                return label, org_type, "rule"
        first, _, rest = key.partition(" ")
        if rest and _starts_with_place(rest):
            for rx, label, org_type in first_rules:
                if rx.match(first):
                    return label, org_type, "rule"
        for w in re.split(r"[\s/]+", key):
            w = w.strip("„“\"'(),")
            for rx, label, org_type in head_rules:
                if rx.match(w):
                    return label, org_type, "rule"
        if self.classifier is not None:
            cls = self.classifier.predict(key)
            if cls == "AGENCY" and self.classifier.probability(key, "AGENCY") >= AGENCY_MIN_PROBABILITY:
                return "AGENCY", None, "classifier"
            if cls == "AGENCY":
                return "ORG", "other", "classifier"
            return "ORG", cls if cls in ("company",) else "other", "classifier"
        return "ORG", "other", "default"

    def canonical(self, text: str) -> str:
        """Nominative gazetteer name (plus any legal-form rest) or the normalised text."""
        key = _norm_key(text)
        entry = self.by_form.get(key)
        if entry is not None:
            return entry.name
        words = key.split(" ")
        for k in range(len(words) - 1, 0, -1):
            entry = self.by_form.get(" ".join(words[:k]))
            if entry is not None:
                # keep the surface words of an alias ("Amnesty International Deutschland")
                surface = " ".join(words[:k])
                base = (entry.name if surface in inflected_forms(entry.name)
                        else self._nominative(surface, entry.name))
                return " ".join([base, *words[k:]])
        return key

    def _nominative(self, surface: str, name: str) -> str:
        """The nominative of an inflected alias form (the first form that generates it)."""
        for e in self.entries:
            if e.name == name:
                for alias in e.aliases:
                    if surface in inflected_forms(alias):
                        return alias
        return surface


def classify_org(text: str) -> tuple[str, str | None]:
    """(label, org_type) for an organisation name with the bundled resources."""
    label, org_type, _ = _default_typer().classify(text)
    return label, org_type


@functools.lru_cache(maxsize=1)
def _default_typer() -> OrgTyper:
    return OrgTyper()


def org_typer(nlp: Language | None) -> OrgTyper:
    """The :class:`OrgTyper` of ``nlp``'s ``ngo_orgs`` component (the bundled one where it has none)."""
    if nlp is not None:
        for _, proc in nlp.pipeline:
            if isinstance(proc, OrgRecognizer):
                return proc.typer
    return _default_typer()


_LEGAL = [["e.", "V."], ["e.V."], ["e.", "V"], ["eV"], ["gGmbH"], ["GmbH"], ["gUG"], ["AG"], ["SE"],
          ["KG"], ["UG"], ["Inc."], ["Ltd."], ["GmbH", "&", "Co.", "KG"]]
_COUNTRY = {"Deutschland", "Germany", "Schweiz", "Österreich", "International"}
_ARTICLES = {"der", "die", "das", "des", "dem", "den", "ein", "eine", "einer", "und", "sowie"}
_DATE_WORDS = {"januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
               "oktober", "november", "dezember", "montag", "dienstag", "mittwoch", "donnerstag",
               "freitag", "samstag", "sonntag", "heute", "gestern", "morgen"}


@functools.lru_cache(maxsize=1)
def places() -> frozenset[str]:
    """Country and region names (``gazetteer/places.txt``, CLDR via babel) and their genitives."""
    names = set(_read_lines("places.txt"))
    return frozenset(names | {n + "s" for n in names if not n.endswith(("s", "z", "x", "ß"))})


def _starts_with_place(text: str) -> bool:
    """The first word of ``text`` is a place name ("Köln", "Frankfurt am Main", "Berlin-Brandenburg"):
    a court or authority abbreviation before it is one ("LG Köln"), before other words seldom
    ("LG Nord", "LG Stadtwerke München" are running clubs, "AG Energy" a company)."""
    from .lexicon import toponyms

    def known(w: str) -> bool:
        return w in toponyms() or w in places()

    word = text.split(" ")[0].rstrip(",")
    return known(word) or all(known(part) for part in word.split("-"))


def _is_place(text: str, typer: OrgTyper) -> bool:
    """A country or region, or one word that is a place name ("Münster", "Wien"), not in the gazetteer."""
    from .lexicon import toponyms

    key = " ".join(text.split())
    return (key in places() or " " not in key and key in toponyms()) and key not in typer.by_form


_NAME_GLUE = {"für", "und", "der", "des", "von", "e.", "V.", "&", "-"}


def _name_like(doc: Doc, idx: list[int]) -> bool:
    """The tokens ``idx`` can extend a name: name words, glue words, legal forms.

    "Unicef [Deutschland]", "Ausschuss ... [des Bundestages]" can; "[Menschenhandel
    des] Bundeskriminalamts", "Europarat [zur Bekämpfung ...]", "Bundesamt für
    Naturschutz [Fördermittel]" cannot: there the NER ran over the name's edge.
    """
    from .lexicon import is_common_noun, is_noun_compound

    for i in idx:
        t = doc[i]
        if t.text in _NAME_GLUE or t.is_punct:
            continue
        if not t.text[:1].isupper() or is_common_noun(t.text) or is_noun_compound(t.text, min_head=4):
            return False
    return True


def _legal_suffix_len(doc: Doc, i: int) -> int:
    """Number of tokens from ``i`` that form "[Deutschland] e. V." etc. (0 if none)."""
    best = 0
    for start in (i, i + 1):
        if start == i + 1 and (i >= len(doc) or doc[i].text not in _COUNTRY):
            continue
        for form in _LEGAL:
            end = start + len(form)
            if end <= len(doc) and [t.text for t in doc[start:end]] == form:
                best = max(best, end - i)
    return best


def _ends_with_legal_form(doc: Doc, start: int, end: int) -> bool:
    words = [t.text for t in doc[max(start, end - 4):end]]
    return any(words[-len(form):] == form for form in _LEGAL if len(form) <= len(words))


def _is_role(word: str) -> bool:
    return role_words("entities").matches(word)


class OrgRecognizer:
    """The ``ngo_orgs`` pipeline component (see the module docstring).

    The gazetteer (and its matcher) is set up on first use, by
    :meth:`initialize` or by :meth:`from_disk`; the bundled one unless
    ``initialize`` got a ``gazetteer_path``.
    """

    def __init__(self, nlp: Language, name: str = "ngo_orgs", *, gazetteer: bool = True,
                 classifier: bool = True, fix_boundaries: bool = True) -> None:
        ensure_extensions()
        self.name = name
        self.use_gazetteer = gazetteer
        self.use_classifier = classifier
        self.fix_boundaries = fix_boundaries
        self._tokenizer: Callable[[str], Doc] = nlp.tokenizer
        self.vocab = nlp.vocab
        #: the entries of a gazetteer other than the bundled one (saved with the pipeline)
        self.custom_entries: tuple[GazetteerEntry, ...] | None = None
        self._typer: OrgTyper | None = None
        self._matcher: PhraseMatcher | None = None

    @property
    def typer(self) -> OrgTyper:
        """The pipeline's :class:`OrgTyper` (built on first use)."""
        if self._typer is None:
            self._typer = OrgTyper(self.custom_entries, classifier=self.use_classifier)
        return self._typer

    @property
    def matcher(self) -> PhraseMatcher:
        """A :class:`~spacy.matcher.PhraseMatcher` over every inflected gazetteer form (built on first use)."""
        if self._matcher is None:
            matcher = PhraseMatcher(self.vocab, attr="ORTH")
            if self.use_gazetteer:
                texts = list(self.typer.by_form)
                # Language.tokenizer is typed as a plain Callable; the default Tokenizer has .pipe
                for doc in self._tokenizer.pipe(texts):  # type: ignore[attr-defined]
                    matcher.add("GAZ", [doc])
            self._matcher = matcher
        return self._matcher

    def set_gazetteer(self, entries: Iterable[GazetteerEntry] | None) -> None:
        """Use ``entries`` as the gazetteer (``None``: the bundled one)."""
        self.custom_entries = tuple(entries) if entries is not None else None
        self._typer = None
        self._matcher = None

    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, *,
                   nlp: Language | None = None, gazetteer_path: str | None = None) -> None:
        """Load the gazetteer (spaCy's ``nlp.initialize``, ``[initialize.components.ngo_orgs]``).

        Args:
            gazetteer_path: a ``.tsv`` file or a folder of them (see
                :func:`load_gazetteer`); ``None``: the bundled gazetteer.
        """
        self.set_gazetteer(load_gazetteer(gazetteer_path) if gazetteer_path else None)
        _ = self.matcher

    # -- persistence: a custom gazetteer is saved, the bundled one referenced
    def to_disk(self, path: str | os.PathLike, *, exclude: Iterable[str] = ()) -> None:
        """Save the gazetteer (``cfg``; ``gazetteer.tsv`` when it is not the bundled one)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        custom = self.custom_entries is not None
        srsly.write_json(path / "cfg", {"gazetteer": "gazetteer.tsv" if custom else "bundled"})
        if self.custom_entries is not None:
            (path / "gazetteer.tsv").write_text(
                "".join(_entry_line(e) + "\n" for e in self.custom_entries), encoding="utf8")

    def from_disk(self, path: str | os.PathLike, *, exclude: Iterable[str] = ()) -> "OrgRecognizer":
        """Load what :meth:`to_disk` saved (no folder: the bundled gazetteer)."""
        cfg_path = Path(path) / "cfg"
        cfg = srsly.read_json(cfg_path) if cfg_path.exists() else {}
        source = cfg.get("gazetteer", "bundled")
        self.set_gazetteer(None if source == "bundled" else load_gazetteer(Path(path) / source))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """The gazetteer as bytes (``None`` for the bundled one)."""
        entries = None if self.custom_entries is None else [_entry_line(e) for e in self.custom_entries]
        return srsly.msgpack_dumps({"gazetteer": entries})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "OrgRecognizer":
        """Load what :meth:`to_bytes` gave."""
        lines = srsly.msgpack_loads(data).get("gazetteer")
        if lines is None:
            self.set_gazetteer(None)
        else:
            entries = []
            for line in lines:
                name, label, org_type, aliases = line.split("\t")
                entries.append(GazetteerEntry(name, label, None if org_type == "-" else org_type,
                                              tuple(a for a in aliases.split("|") if a)))
            self.set_gazetteer(entries)
        return self

    # -- gazetteer ---------------------------------------------------------
    def _gazetteer_spans(self, doc: Doc) -> list[tuple[Span, GazetteerEntry]]:
        by_form = self.typer.by_form
        spans = []
        for _, s, e in self.matcher(doc):
            span = doc[s:e]
            entry = by_form.get(span.text)
            if entry is None:
                continue
            spans.append(Span(doc, s, e, label=entry.label))
        kept = filter_spans(spans)
        return [(sp, by_form[sp.text]) for sp in kept]

    def __call__(self, doc: Doc) -> Doc:
        typer = self.typer
        ents = list(doc.ents)
        gaz = self._gazetteer_spans(doc) if self.use_gazetteer else []
        for g, entry in gaz:
            overlapping = [e for e in ents if e.start < g.end and g.start < e.end]
            if any(e.start <= g.start and e.end >= g.end and (e.end - e.start) > (g.end - g.start)
                   and _name_like(doc, [*range(e.start, g.start), *range(g.end, e.end)])
                   for e in overlapping):
                continue  # a larger name contains the match ("Unicef Deutschland"): keep it, typed below
            ents = [e for e in ents if e not in overlapping]
            ents.append(g)
        new_ents: list[Span] = []
        for e in ents:
            if self.fix_boundaries:
                fixed = self._fix(doc, e)
                if fixed is None:
                    continue
                e = fixed
            new_ents.append(e)
        new_ents = filter_spans(new_ents)
        typed: list[tuple[Span, str | None]] = []
        final: list[Span] = []
        for e in new_ents:
            if e.label_ in ORG_LABELS and _is_place(e.text, typer):
                e = Span(doc, e.start, e.end, label="LOC")  # "Tschad" ORG, "Nigeria" AGENCY
            elif e.label_ in ORG_LABELS and _is_event(e.text, typer):
                e = Span(doc, e.start, e.end, label="MISC")  # "Davis Cup" ORG
            if e.label_ in ORG_LABELS:
                label, org_type, _ = typer.classify(e.text)
                if e.label_ != label:
                    e = Span(doc, e.start, e.end, label=label)
                typed.append((e, org_type))
            final.append(e)
        doc.ents = sorted(final, key=lambda s: s.start)
        by_pos = {(x.start, x.end): x for x in doc.ents}  # one lookup per entity, not a scan
        for e, org_type in typed:
            span = by_pos.get((e.start, e.end))
            if span is None:
                continue
            span._.ngo_org_type = org_type if span.label_ == "ORG" else None
            if span._.ngo_canonical is None:
                span._.ngo_canonical = typer.canonical(span.text)
        return doc

    def _fix(self, doc: Doc, e: Span) -> Span | None:
        start, end, label = e.start, e.end, e.label_
        # no entity crosses a line break (title + lead, paragraphs): keep the
        # longest piece, the last one on ties ("Online-Plattformen\n\nKinderhilfe Horizont e. V.")
        breaks = [i for i in range(start, end) if doc[i].is_space and "\n" in doc[i].text]
        if breaks:
            pieces = [(a, b) for a, b in zip([start, *(i + 1 for i in breaks)], [*breaks, end]) if b > a]
            if not pieces:
                return None
            start, end = max(reversed(pieces), key=lambda ab: ab[1] - ab[0])
        if label in ORG_LABELS or label in ("LOC", "MISC"):
            if end < len(doc) and doc[end - 1].text == "e." and doc[end].text in ("V.", "V"):
                end += 1  # "[LSVD e.] V.": the NER stopped inside the legal form
            n = _legal_suffix_len(doc, end)
            if n:
                end += n
            if label not in ORG_LABELS and _ends_with_legal_form(doc, start, end):
                label = "ORG"  # "Rheinland e. V." is no place
                # "Der Flüchtlingsrat [Rheinland e. V.]": the NER cut the name; take in the
                # capitalised words before it (not descriptors like "Hilfsorganisation")
                k = 0
                while (start > 0 and k < 4 and doc[start - 1].is_title and doc[start - 1].is_alpha
                       and doc[start - 1].lower_ not in _ARTICLES and not doc[start - 1].is_sent_start
                       and not _is_role(doc[start - 1].text)
                       and not doc[start - 1].lower_.endswith(("organisation", "organization"))):
                    start -= 1
                    k += 1
            while end - start > 1 and (doc[end - 1].lower_ in _ARTICLES or doc[end - 1].is_space):
                end -= 1  # "KlimaRecht Initiative e. V. Die" (NER ran over a sentence end)
        elif label == "PER":
            while start < end and (_is_role(doc[start].text) or doc[start].lower_ in _DATE_WORDS
                                   or doc[start].is_punct):
                start += 1
            while end > start and (doc[end - 1].lower_ in _DATE_WORDS or doc[end - 1].is_punct):
                end -= 1
            if end == start:
                return None
            if end + 1 < len(doc) and doc[end].text == "Kardinal" and doc[end + 1].is_title:
                end += 2  # "Pietro Kardinal Parolin": the title stands inside the name
        if (start, end) == (e.start, e.end):
            return e
        return Span(doc, start, end, label=label)


@Language.factory(
    "ngo_orgs",
    default_config={"gazetteer": True, "classifier": True, "fix_boundaries": True},
)
def make_ngo_orgs(nlp: Language, name: str, gazetteer: bool, classifier: bool,
                  fix_boundaries: bool) -> OrgRecognizer:
    """Factory of the ``ngo_orgs`` component.

    Config: ``gazetteer`` (add/retype gazetteer matches), ``classifier`` (use
    the LER-trained classifier for names no gazetteer entry or rule decides),
    ``fix_boundaries`` (legal forms into ORG, role words out of PER). Which
    gazetteer: ``initialize(gazetteer_path=...)`` (default: the bundled one).
    """
    return OrgRecognizer(nlp, name, gazetteer=gazetteer, classifier=classifier,
                         fix_boundaries=fix_boundaries)
