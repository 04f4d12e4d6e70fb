"""Build ``ngo_text/resources/lexicon/common_nouns_de.txt.gz`` from the ``german-nouns`` package.

``german-nouns`` 1.2.5 (PyPI; data from the German Wiktionary, licence CC BY-SA 4.0,
by Gregor Weichbrodt) lists ~100,000 German nouns with all their case forms and their
kind (Substantiv, Nachname, Vorname, Toponym ...). The lexicon keeps every inflected form of
every common noun, except forms that are also a surname, first name or place name
("Keller", "Essen", "Halle" stay out): those are evidence for nothing. It is used by
``ngo_junk_filter`` to tell "Fieber" (a noun tagged PER) from "Weber" (a surname).

The output is a derived work under CC BY-SA 4.0 (see the lexicon's README.md).

Usage (a developer step, never run in CI or at install time)::

    pip download german-nouns==1.2.5 --no-deps -d /tmp/gn
    python training/build_noun_lexicon.py /tmp/gn/german_nouns-1.2.5-py3-none-any.whl
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "ngo_text" / "resources" / "lexicon" / "common_nouns_de.txt.gz"
NAMES_OUT = OUT.with_name("names_de.txt.gz")
CASES = ("nominativ", "genitiv", "dativ", "akkusativ")
NAMES = ("Nachname", "Vorname", "Toponym")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("wheel", type=Path, help="german_nouns-1.2.5-py3-none-any.whl")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    with zipfile.ZipFile(args.wheel) as zf:
        rows = list(csv.DictReader(io.TextIOWrapper(zf.open("german_nouns/nouns.csv"), "utf-8")))
    cols = [c for c in rows[0] if c.startswith(CASES)]
    names: set[str] = set()
    toponyms: set[str] = set()
    common: set[str] = set()
    for r in rows:
        forms = {r["lemma"], *(r[c] for c in cols if r[c])}
        if "Toponym" in r["pos"]:
            toponyms |= forms
        if any(k in r["pos"] for k in NAMES):
            names |= forms
        elif "Substantiv" in r["pos"] and "Abkürzung" not in r["pos"] and "Wortverbindung" not in r["pos"]:
            common |= {f for f in forms if f[:1].isupper() and " " not in f}
    words = sorted(common - names)
    source = ["# Derived from german-nouns 1.2.5 (German Wiktionary), CC BY-SA 4.0; built by",
              "# training/build_noun_lexicon.py."]
    write(args.out, ["# German common nouns, all case forms, one per line; not surnames, first names or "
                     "places."] + source + words)
    name_words = sorted(n for n in names if n[:1].isupper() and " " not in n)
    write(args.out.with_name(NAMES_OUT.name),
          ["# German Wiktionary surnames, first names and place names, all case forms."] + source + name_words)
    place_words = sorted(n for n in toponyms if n[:1].isupper() and " " not in n)
    write(args.out.with_name("toponyms_de.txt.gz"),
          ["# German Wiktionary place names (Toponym), all case forms."] + source + place_words)
    print(f"{len(words)} noun forms, {len(name_words)} name forms, {len(place_words)} place forms "
          f"-> {args.out.parent}")
    return 0


def write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(path, "wb", mtime=0) as fh:  # mtime=0: the same bytes on every build
        fh.write(("\n".join(lines) + "\n").encode("utf-8"))


if __name__ == "__main__":
    raise SystemExit(main())
