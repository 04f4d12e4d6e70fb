"""The installed version of ngo_text, read from the package metadata (``pyproject.toml``).

A leaf module, so that modules inside the package can ask for the version
without importing the package ``__init__`` (whose lazy API table points back
at them).
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__: str = version("ngo_text")
except PackageNotFoundError:  # a source tree on sys.path that was never installed
    __version__ = "0+unknown"
