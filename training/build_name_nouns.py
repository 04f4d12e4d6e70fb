"""Build ``ngo_text/resources/lexicon/name_nouns.txt``: common nouns that are mostly names.

Some words of the common-noun lexicon are, in news text, mostly names: "Christus",
"Stalin", "Madonna", "Engels", "Bad" (Bad Homburg). ``ngo_junk_filter`` must not
drop them as nouns. This script counts, in the GermEval 2014 training split (CC BY 4.0;
only counts leave it, no text), how often each lexicon word is tagged PER or LOC,
and keeps the words tagged so in at least 30% of their occurrences (one is enough:
"Blatter", tagged once and never seen untagged, is a name).

Usage (a developer step): ``python training/build_name_nouns.py --shared ../shared``
"""
from __future__ import annotations

import argparse
import collections
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "ngo_text" / "resources" / "lexicon" / "name_nouns.txt"


def main() -> int:
    import sys

    sys.path.insert(0, str(ROOT))
    from ngo_text.nlp.evaluate import read_germeval, tags_to_spans
    from ngo_text.nlp.lexicon import common_nouns

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--min-count", type=int, default=1)
    ap.add_argument("--min-share", type=float, default=0.3)
    args = ap.parse_args()
    nouns = common_nouns()
    tagged: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    for tokens, tags in read_germeval(args.shared / "data" / "ner" / "germeval2014" / "train.bio"):
        label = ["O"] * len(tokens)
        for s, e, lab in tags_to_spans(tags):
            for i in range(s, e):
                label[i] = lab
        for word, lab in zip(tokens, label):
            if word in nouns:
                total[word] += 1
                tagged[word] += lab in ("PER", "LOC")
    words = sorted(w for w, c in tagged.items()
                   if c >= args.min_count and c / total[w] >= args.min_share)
    header = ["# Common nouns that GermEval 2014 train tags PER or LOC in >= 30% of their occurrences",
              "# (counts only; GermEval 2014, CC BY 4.0). Built by training/build_name_nouns.py."]
    OUT.write_text("\n".join(header + words) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
