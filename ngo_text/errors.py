"""How ngo_text reports problems: the exception family and the package logger.

Errors a user can cause raise :class:`NgoTextError` (or a subclass) with a
message that says what to do. Modules log through ``logging.getLogger(__name__)``,
i.e. below the ``"ngo_text"`` logger (:data:`logger`), which has only a
``NullHandler``: the application decides what is shown. Problems with one
input that do not stop it end up in ``Article.warnings`` instead.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

__all__ = ["NgoTextError", "InputError", "ModelNotFoundError", "ModelFormatError", "logger",
           "quiet_loggers"]

#: The package logger; module loggers (``ngo_text.parsing.html`` …) are its children.
logger = logging.getLogger("ngo_text")
logger.addHandler(logging.NullHandler())


class NgoTextError(Exception):
    """Base class of every error ngo_text raises on purpose."""


class InputError(NgoTextError, ValueError):
    """The input cannot be read as an article (empty, binary, unreadable path ...)."""


class ModelNotFoundError(NgoTextError, OSError):
    """A named spaCy pipeline or a saved ngo_text model is not installed / not found."""


class ModelFormatError(NgoTextError, ValueError):
    """A saved model or index file is damaged, foreign or of another version."""


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
