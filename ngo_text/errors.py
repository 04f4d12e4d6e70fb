"""The exception family for errors a user can cause. Messages say what to do."""
from __future__ import annotations


class NgoTextError(Exception):
    """Base class of every error ngo_text raises on purpose."""


class InputError(NgoTextError, ValueError):
    """The input cannot be read as an article (empty, binary, unreadable path ...)."""


class ModelNotFoundError(NgoTextError, OSError):
    """A named spaCy pipeline or a saved ngo_text model is not installed / not found."""


class ModelFormatError(NgoTextError, ValueError):
    """A saved model or index file is damaged, foreign or of another version."""
