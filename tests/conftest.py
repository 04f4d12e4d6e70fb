"""Shared pytest fixtures: ``shared_dir`` (the read-only data beside the repo) and ``nlp``."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import ngo_text

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``$NGO_TEXT_SHARED`` or ``../shared`` next to the repo; skips when absent."""
    path = Path(os.environ.get("NGO_TEXT_SHARED") or REPO_ROOT.parent / "shared")
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path} (set NGO_TEXT_SHARED)")
    return path


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The sample corpus folder ``data/`` (articles/ + metadata.csv); skips when absent."""
    path = REPO_ROOT / "data"
    if not (path / "metadata.csv").is_file() or not (path / "articles").is_dir():
        pytest.skip("sample corpus data/ (metadata.csv + articles/) not present")
    return path


@pytest.fixture(scope="session")
def nlp():
    """The bundled pipeline (it ships with the package), loaded once per test session."""
    return ngo_text.load()
