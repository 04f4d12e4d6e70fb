"""ngo_text is typed (PEP 561 ``py.typed``) and mypy-clean."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_package_is_marked_typed():
    assert (ROOT / "ngo_text" / "py.typed").is_file()


def test_mypy_reports_no_errors(tmp_path):
    pytest.importorskip("mypy", reason="the dev extra installs mypy")
    res = subprocess.run([sys.executable, "-m", "mypy", "ngo_text", "--cache-dir", str(tmp_path / "cache")],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-3000:]
