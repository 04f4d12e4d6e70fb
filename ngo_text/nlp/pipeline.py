"""Loading the spaCy pipeline that :func:`ngo_text.analyze` runs.

``load()`` = the bundled pipeline ``ngo_text/models/de_ngo`` (NER trained by
``training/``) + the ngo_text components ``ngo_dates``, ``ngo_orgs`` and
``ngo_abbreviations``, added right after ``ner`` (or at the end when the
pipeline has no ``ner``). ``load("de_core_news_sm")`` or ``load("/path/to/pipeline")``
does the same on any other German spaCy pipeline. Results are cached per
model name/path: the second call returns the same object.
"""
from __future__ import annotations

import functools
import os
import warnings
from pathlib import Path

import spacy
from spacy.language import Language

from ..errors import ModelNotFoundError, NgoTextError
from . import ensure_extensions
from . import abbreviations as _abbreviations  # noqa: F401  (registers the factory)
from . import dates as _dates  # noqa: F401
from . import orgs as _orgs  # noqa: F401

__all__ = ["load", "add_components", "BUNDLED_MODEL", "COMPONENTS"]

#: Where the bundled pipeline lives (spaCy ``nlp.to_disk`` format).
BUNDLED_MODEL = Path(__file__).resolve().parent.parent / "models" / "de_ngo"
#: The ngo_text components, in pipeline order.
COMPONENTS = ("ngo_dates", "ngo_orgs", "ngo_abbreviations")


def add_components(nlp: Language) -> Language:
    """Add the ngo_text components to ``nlp`` in place (after ``ner``; idempotent).

    Warns (``UserWarning``) when ``nlp`` is not a German pipeline: the
    components would run but their patterns and gazetteers are German.
    """
    ensure_extensions()
    if nlp.lang != "de":
        warnings.warn(
            f"ngo_text components are built for German, but this pipeline's language is "
            f"{nlp.lang!r}; dates, organisation types and abbreviations will be unreliable.",
            UserWarning, stacklevel=2)
    anchor = "ner" if "ner" in nlp.pipe_names else None
    for name in COMPONENTS:
        if name in nlp.pipe_names:
            anchor = name
            continue
        if anchor is None:
            nlp.add_pipe(name)
        else:
            nlp.add_pipe(name, after=anchor)
        anchor = name
    return nlp


def _key(model: str | os.PathLike | None) -> str:
    if model is None:
        return "<bundled>"
    if isinstance(model, os.PathLike) or os.sep in str(model) or Path(str(model)).exists():
        return str(Path(model).expanduser().resolve())
    return str(model)


def load(model: str | os.PathLike | None = None) -> Language:
    """The spaCy pipeline with the ngo_text components (cached per model).

    Args:
        model: ``None`` for the bundled pipeline ``ngo_text/models/de_ngo``;
            else the name of an installed spaCy pipeline (``"de_core_news_sm"``)
            or the path of a pipeline directory.

    Returns:
        A :class:`spacy.Language`; calling ``load`` again with the same model
        returns the same object.

    Raises:
        ModelNotFoundError: the pipeline is not installed / the path does not
            exist; the message says how to install it.
    """
    return _load_cached(_key(model))


@functools.lru_cache(maxsize=8)
def _load_cached(key: str) -> Language:
    if key == "<bundled>":
        if not (BUNDLED_MODEL / "config.cfg").exists():
            raise ModelNotFoundError(
                f"the bundled pipeline is missing at {BUNDLED_MODEL} (incomplete installation?). "
                "Reinstall ngo_text, rebuild it with the recipe in training/, or pass the name of "
                "an installed German spaCy pipeline: ngo_text.load('de_core_news_sm').")
        target: str | Path = BUNDLED_MODEL
    else:
        target = key
    try:
        nlp = spacy.load(target)
    except OSError as exc:
        raise ModelNotFoundError(
            f"spaCy pipeline {key!r} not found. Install it, e.g. "
            f"`pip install {key}-<version>-py3-none-any.whl` (wheel from the spaCy models "
            f"release page) or `python -m spacy download {key}` where internet is available, "
            "or pass the path of a pipeline directory. load() without an argument uses the "
            f"bundled pipeline ngo_text/models/de_ngo. ({exc})") from exc
    except (ValueError, KeyError) as exc:
        raise NgoTextError(f"cannot load spaCy pipeline {key!r}: {exc}") from exc
    return add_components(nlp)
