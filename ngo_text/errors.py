"""How ngo_text reports problems: the exception family and the package logger.

Every error ngo_text raises on purpose is an :class:`NgoTextError`, and each
subclass is also the built-in (or scikit-learn) exception that Python code
expects for its kind of problem, so ``except ValueError`` keeps working:

* :class:`ParameterError` (a ``ValueError``): an invalid setting, such as
  ``RelatedIndex(half_life_days=0)``. Plain classes check their arguments in
  the constructor; scikit-learn estimators (:class:`~ngo_text.topics.TopicClassifier`)
  check them in ``fit``, as scikit-learn requires.
* :class:`InputError` (a ``ValueError``): the data given cannot be used: an
  empty or unreadable article, a labelled CSV without a label column, an
  unknown article id.
* :class:`NotFittedError` (scikit-learn's ``NotFittedError``, itself a
  ``ValueError`` and ``AttributeError``): a model or index is used before
  ``fit`` or ``load``; raised by ``TopicClassifier`` and ``RelatedIndex`` alike.
* :class:`ModelNotFoundError` (an ``OSError``) and :class:`ModelFormatError`
  (a ``ValueError``): a pipeline, model or index file is missing, or damaged,
  foreign or of another version.

Messages say what to do. Modules log through ``logging.getLogger(__name__)``,
i.e. below the ``"ngo_text"`` logger (:data:`logger`), which has only a
``NullHandler``: the application decides what is shown. Problems with one
input that do not stop it end up in ``Article.warnings`` instead.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

__all__ = ["NgoTextError", "ParameterError", "InputError", "NotFittedError", "ModelNotFoundError",
           "ModelFormatError", "logger", "quiet_loggers"]

#: The package logger; module loggers (``ngo_text.parsing.html`` …) are its children.
logger = logging.getLogger("ngo_text")
logger.addHandler(logging.NullHandler())


class NgoTextError(Exception):
    """Base class of every error ngo_text raises on purpose."""


class ParameterError(NgoTextError, ValueError):
    """An invalid setting: a constructor argument or estimator parameter out of its range."""


class InputError(NgoTextError, ValueError):
    """The data given cannot be used (empty, binary or unreadable article, bad labelled CSV ...)."""


class ModelNotFoundError(NgoTextError, OSError):
    """A named spaCy pipeline or a saved ngo_text model is not installed / not found."""


class ModelFormatError(NgoTextError, ValueError):
    """A saved model or index file is damaged, foreign or of another version."""


_lazy_lock = threading.Lock()

if TYPE_CHECKING:
    from sklearn.exceptions import NotFittedError as _SklearnNotFittedError  # type: ignore[import-untyped]

    class NotFittedError(NgoTextError, _SklearnNotFittedError):
        """A model or index is used before ``fit`` (or ``load``)."""
else:
    def __getattr__(name: str) -> Any:
        # NotFittedError subclasses scikit-learn's, so sklearn's own checks and
        # ``except sklearn.exceptions.NotFittedError`` catch it. It is made on first
        # use: importing scikit-learn here would add ~0.5 s to ``import ngo_text``.
        if name == "NotFittedError":
            from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

            with _lazy_lock:  # one class, also when two threads ask first
                if name not in globals():
                    class NotFittedError(NgoTextError, _SklearnNotFittedError):
                        """A model or index is used before ``fit`` (or ``load``)."""

                    NotFittedError.__qualname__ = name  # (picklable as ngo_text.errors.NotFittedError)
                    globals()[name] = NotFittedError
            return globals()[name]
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_quiet_lock = threading.Lock()
_quiet_held: dict[str, tuple[int, int]] = {}  # logger name -> (open blocks, level before the first)


@contextmanager
def quiet_loggers(levels: Mapping[str, int]) -> Iterator[None]:
    """Raise other libraries' loggers to ``levels`` (``{"trafilatura": logging.CRITICAL}``) for a block.

    For libraries that log every problem of a page (trafilatura, htmldate,
    pypdf) which ngo_text reports in ``Article.warnings`` itself. The levels
    are restored when the block ends, so the application's logging setup is
    left as it was. Blocks may nest and run in several threads at once: the
    last one to end restores the level from before the first one began.
    """
    with _quiet_lock:
        for name, level in levels.items():
            lg = logging.getLogger(name)
            count, before = _quiet_held.get(name, (0, lg.level))
            if count == 0:
                lg.setLevel(max(level, lg.level))
            _quiet_held[name] = (count + 1, before)
    try:
        yield
    finally:
        with _quiet_lock:
            for name in levels:
                count, before = _quiet_held.pop(name)
                if count > 1:
                    _quiet_held[name] = (count - 1, before)
                else:
                    logging.getLogger(name).setLevel(before)
