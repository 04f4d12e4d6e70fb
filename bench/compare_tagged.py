"""Compare the tagged records of the sample corpus between two versions of ngo_text.

Each version is checked out from git into a temporary folder (``git archive``) and runs
``ngo-text tag data/articles`` there, in its own process, with the package of that folder
(not the editable install of this checkout). Prints, per record field, how many of the
records differ and a few examples; exit status 1 when any record differs. Use it around
a refactoring: the outputs must stay the same.

    python bench/compare_tagged.py eb74f71            # that commit vs the working tree
    python bench/compare_tagged.py HEAD~3 HEAD --model accurate
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# runs ngo_text's CLI from the folder given first, whatever else is installed
_RUNNER = """
import sys
tree = sys.argv[1]
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()
                    and "editable" not in getattr(f, "__name__", "").lower()]
sys.path.insert(0, tree)
from ngo_text.cli import main
raise SystemExit(main(sys.argv[2:]))
"""


def tag(tree: Path, out: Path, model: str) -> list[dict]:
    """Tag ``data/articles`` with the package in ``tree``; the records by id."""
    cmd = [sys.executable, "-c", _RUNNER, str(tree), "tag", str(tree / "data" / "articles"), "-o", str(out),
           "--model", model, "-q"]
    subprocess.run(cmd, check=True, cwd=tree)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]


def checkout(rev: str, into: Path) -> Path:
    """``rev`` of this repository as plain files in ``into`` ('WORKTREE': the files as they are)."""
    if rev == "WORKTREE":
        return ROOT
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", help="git revision")
    ap.add_argument("after", nargs="?", default="WORKTREE", help="git revision (default: the working tree)")
    ap.add_argument("--model", default="fast", help="pipeline for both runs (default: fast)")
    ap.add_argument("--examples", type=int, default=3, help="examples printed per differing field")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        for name in ("before", "after"):
            rev = getattr(args, name)
            tree = checkout(rev, Path(tmp) / name)
            runs.append({r.get("id") or r.get("source"): r
                         for r in tag(tree, Path(tmp) / f"{name}.jsonl", args.model)})
    before, after = runs
    if set(before) != set(after):
        print(f"records only before: {sorted(set(before) - set(after))}; only after: {sorted(set(after) - set(before))}")
    diff: Counter[str] = Counter()
    shown: Counter[str] = Counter()
    volatile = {"source"}  # absolute paths of the two checkouts
    for key in sorted(set(before) & set(after)):
        a, b = before[key], after[key]
        for field in sorted(set(a) | set(b)):
            if field in volatile or a.get(field) == b.get(field):
                continue
            diff[field] += 1
            if shown[field] < args.examples:
                shown[field] += 1
                print(f"{key} {field}:\n  before {json.dumps(a.get(field), ensure_ascii=False)[:300]}\n"
                      f"  after  {json.dumps(b.get(field), ensure_ascii=False)[:300]}")
    n = len(set(before) & set(after))
    print(f"\n{args.before} vs {args.after}, model {args.model}: {n} records compared")
    if not diff and set(before) == set(after):
        print("identical in every field")
        return 0
    for field, k in diff.most_common():
        print(f"  {field:<16} differs in {k} records")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
