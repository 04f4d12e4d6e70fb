"""Taxonomies: versioned sets of topics with weighted seed terms (JSON files)."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from ..errors import ModelFormatError, ModelNotFoundError

__all__ = ["TAXONOMY_FORMAT", "Taxonomy", "TaxonomyTopic"]

TAXONOMY_FORMAT = "ngo_text.taxonomy"


def norm_word(word: str) -> str:
    """Lowercase, ß -> ss: the form terms and words are compared in."""
    return word.lower().replace("ß", "ss")




@dataclass
class TaxonomyTopic:
    """One topic of a :class:`Taxonomy`.

    ``terms`` maps each seed term (as written in the file) to its weight.
    ``negative_terms`` are lowercase substrings: a word form containing one
    of them is no evidence for this topic ("zusammenarbeit" for *Arbeit*).
    """

    label: str
    description: str = ""
    terms: dict[str, float] = field(default_factory=dict)
    negative_terms: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        terms: list[Any] = [t if w == 1.0 else {"term": t, "weight": w} for t, w in self.terms.items()]
        return {"label": self.label, "description": self.description, "terms": terms,
                "negative_terms": list(self.negative_terms)}


class Taxonomy:
    """A versioned set of topics with seed terms.

    File format (JSON)::

        {"version": "1.0", "language": "de",
         "topics": [{"label": "...", "description": "...",
                     "terms": ["Menschenhandel", {"term": "Kind", "weight": 0.5}, ...],
                     "negative_terms": ["zusammenarbeit"]}]}

    ``label`` and ``terms`` are required per topic, ``version`` and ``topics``
    at the top level. Use :meth:`extend` to add your own topics/terms to the
    default taxonomy, or :meth:`from_file` alone to replace it.
    """

    def __init__(self, topics: Iterable[TaxonomyTopic], *, version: str = "1.0",
                 language: str = "de", name: str = "custom") -> None:
        self.topics: list[TaxonomyTopic] = list(topics)
        self.version = str(version)
        self.language = language
        self.name = name

    def __repr__(self) -> str:
        return f"Taxonomy(name={self.name!r}, version={self.version!r}, topics={len(self.topics)})"

    def __len__(self) -> int:
        return len(self.topics)

    @property
    def labels(self) -> list[str]:
        """The topic labels in file order."""
        return [t.label for t in self.topics]

    def __getitem__(self, label: str) -> TaxonomyTopic:
        for topic in self.topics:
            if topic.label == label:
                return topic
        raise KeyError(label)

    # -- construction ---------------------------------------------------
    @classmethod
    def default(cls) -> "Taxonomy":
        """The bundled taxonomy (15 topics of German NGO press releases)."""
        text = resources.files("ngo_text").joinpath("resources/taxonomy.json").read_text("utf-8")
        return cls.from_dict(json.loads(text), name="default")

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> "Taxonomy":
        """Read a taxonomy JSON file.

        Raises:
            ModelNotFoundError: the file does not exist.
            ModelFormatError: the file is not valid JSON or lacks required keys.
        """
        p = Path(path)
        if not p.is_file():
            raise ModelNotFoundError(f"taxonomy file not found: {p}")
        try:
            data = json.loads(p.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelFormatError(f"taxonomy file {p} is not valid UTF-8 JSON: {exc}") from exc
        return cls.from_dict(data, name=str(p))

    @classmethod
    def from_dict(cls, data: Any, *, name: str = "custom") -> "Taxonomy":
        """Build from the parsed JSON structure (see the class docstring)."""
        where = f"taxonomy {name}"
        if not isinstance(data, dict):
            raise ModelFormatError(f"{where}: expected a JSON object with 'version' and 'topics'")
        if data.get("format", TAXONOMY_FORMAT) != TAXONOMY_FORMAT:
            raise ModelFormatError(f"{where}: format is {data.get('format')!r}, expected {TAXONOMY_FORMAT!r}")
        for key in ("version", "topics"):
            if key not in data:
                raise ModelFormatError(f"{where}: missing required key {key!r}")
        if not isinstance(data["topics"], list) or not data["topics"]:
            raise ModelFormatError(f"{where}: 'topics' must be a non-empty list")
        topics = []
        seen: set[str] = set()
        for i, item in enumerate(data["topics"]):
            if not isinstance(item, dict) or not isinstance(item.get("label"), str) or not item["label"].strip():
                raise ModelFormatError(f"{where}: topic #{i} needs a non-empty string 'label'")
            label = item["label"]
            if label in seen:
                raise ModelFormatError(f"{where}: duplicate topic label {label!r}")
            seen.add(label)
            raw_terms = item.get("terms")
            if not isinstance(raw_terms, list) or not raw_terms:
                raise ModelFormatError(f"{where}: topic {label!r} needs a non-empty list 'terms'")
            terms: dict[str, float] = {}
            for t in raw_terms:
                if isinstance(t, str) and t.strip():
                    terms[t.strip()] = 1.0
                elif isinstance(t, dict) and isinstance(t.get("term"), str) and t["term"].strip():
                    try:
                        terms[t["term"].strip()] = float(t.get("weight", 1.0))
                    except (TypeError, ValueError) as exc:
                        raise ModelFormatError(f"{where}: bad weight for term {t['term']!r} in {label!r}") from exc
                else:
                    raise ModelFormatError(f"{where}: bad term {t!r} in topic {label!r} (string or {{'term', 'weight'}})")
            neg = item.get("negative_terms") or []
            if not isinstance(neg, list) or not all(isinstance(n, str) for n in neg):
                raise ModelFormatError(f"{where}: 'negative_terms' of {label!r} must be a list of strings")
            topics.append(TaxonomyTopic(label, str(item.get("description", "")), terms,
                                        [norm_word(n) for n in neg if n.strip()]))
        return cls(topics, version=str(data["version"]), language=str(data.get("language", "de")), name=name)

    def to_dict(self) -> dict[str, Any]:
        """The JSON structure :meth:`from_dict` reads."""
        return {"format": TAXONOMY_FORMAT, "version": self.version, "language": self.language,
                "topics": [t.to_dict() for t in self.topics]}

    def extend(self, other: "Taxonomy | str | os.PathLike[str]") -> "Taxonomy":
        """A new taxonomy: this one plus ``other`` (a Taxonomy or a file path).

        Topics of ``other`` with a new label are appended; for an existing
        label its terms are added (``other``'s weight wins), its negative
        terms are added, and a non-empty description replaces the old one.
        ``self`` is not changed.
        """
        if not isinstance(other, Taxonomy):
            other = Taxonomy.from_file(other)
        merged = {t.label: TaxonomyTopic(t.label, t.description, dict(t.terms), list(t.negative_terms))
                  for t in self.topics}
        for t in other.topics:
            if t.label in merged:
                m = merged[t.label]
                m.terms.update(t.terms)
                m.negative_terms.extend(n for n in t.negative_terms if n not in m.negative_terms)
                if t.description:
                    m.description = t.description
            else:
                merged[t.label] = TaxonomyTopic(t.label, t.description, dict(t.terms), list(t.negative_terms))
        return Taxonomy(merged.values(), version=f"{self.version}+{other.version}",
                        language=self.language, name=f"{self.name}+{other.name}")

    merge = extend
