"""Execute the notebooks in this folder with nbclient and report cell errors.

Usage::

    python notebooks/run_notebooks.py                 # all notebooks, outputs discarded
    python notebooks/run_notebooks.py --inplace       # write the executed outputs back
    python notebooks/run_notebooks.py analysis.ipynb --timeout 600

Exit code 1 if any cell raises. Each notebook runs with its own folder as the
working directory (so ``../data`` is the sample corpus) in the ``python3``
kernel of the current environment.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def execute_notebook(path: str | Path, *, timeout: int = 300, kernel_name: str = "python3"):
    """Execute ``path`` and return the executed :class:`nbformat.NotebookNode`.

    Raises:
        nbclient.exceptions.CellExecutionError: a cell raised (message names the cell).
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return nb


def image_outputs(nb) -> int:
    """Number of ``image/png`` outputs in an executed notebook."""
    return sum(1 for cell in nb.cells if cell.cell_type == "code"
               for out in cell.get("outputs", []) if "image/png" in out.get("data", {}))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", type=Path, help="default: every *.ipynb here")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    ap.add_argument("--inplace", action="store_true", help="save the executed notebook")
    args = ap.parse_args(argv)
    import nbformat
    from nbclient.exceptions import CellExecutionError

    paths = [p if p.is_absolute() or p.exists() else HERE / p for p in args.notebooks] \
        or sorted(HERE.glob("*.ipynb"))
    failed = 0
    for path in paths:
        t0 = time.perf_counter()
        try:
            nb = execute_notebook(path, timeout=args.timeout)
        except CellExecutionError as exc:
            failed += 1
            print(f"FAIL {path.name}: {str(exc).splitlines()[0] if str(exc) else exc}", file=sys.stderr)
            print(exc, file=sys.stderr)
            continue
        if args.inplace:
            nbformat.write(nb, path)
        print(f"ok   {path.name}: {len(nb.cells)} cells, {image_outputs(nb)} images, "
              f"{time.perf_counter() - t0:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
