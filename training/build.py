"""Assemble the shipped pipeline from a trained NER model.

Adds a rule-based ``sentencizer`` (first, so that ``ner`` and the ngo_text components
see sentence boundaries; NER then never crosses a sentence boundary) and a
``lemmatizer`` in ``lookup`` mode whose table is built *now* from spacy-lookups-data's German ``lemma_lookup`` table and saved inside the pipeline
directory, so spacy-lookups-data is only needed at build time, never at run time.

The German lookup table has 355k entries; it is pruned to the entries whose
surface form either occurs in the NER training corpora (GermEval, MobIE,
LER train/dev) or is among the ``--top-words`` most frequent German words of
spacy-lookups-data's ``de_lexeme_prob`` table. Identity entries (lemma == form) are
dropped, because the lookup lemmatizer falls back to the form itself.

Usage::

    python training/build.py --model training/output/wide_ge_extra/model-best \\
        --shared ../shared --out ngo_text/models/de_ngo
"""
from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ngo_text.nlp.evaluate import read_conll, read_germeval  # noqa: E402


def corpus_forms(shared: Path) -> set[str]:
    """All token forms of the training/dev corpora (plus lower/capitalised variants)."""
    ner = shared / "data" / "ner"
    forms: set[str] = set()
    sources = [read_germeval(ner / "germeval2014" / "train.bio"),
               read_germeval(ner / "germeval2014" / "dev.tsv"),
               read_conll(ner / "mobie" / "train.conll2003"),
               read_conll(ner / "mobie" / "dev.conll2003"),
               read_conll(ner / "ler" / "train_reconstructed.conll.gz"),
               read_conll(ner / "ler" / "dev.conll.gz")]
    for src in sources:
        for toks, _ in src:
            forms.update(toks)
    extra = {f.lower() for f in forms} | {f[:1].upper() + f[1:] for f in forms}
    return forms | extra


def pruned_lemma_table(shared: Path, top_words: int) -> tuple[dict[str, str], dict]:
    import spacy_lookups_data

    data = Path(spacy_lookups_data.__file__).parent / "data"
    with gzip.open(data / "de_lemma_lookup.json.gz", "rt", encoding="utf-8") as fh:
        full: dict[str, str] = json.load(fh)
    with gzip.open(data / "de_lexeme_prob.json.gz", "rt", encoding="utf-8") as fh:
        prob: dict[str, float] = json.load(fh)
    frequent = set(sorted(prob, key=prob.get, reverse=True)[:top_words])
    keep = corpus_forms(shared) | frequent
    table = {k: v for k, v in full.items() if k != v and k in keep}
    info = {"source": f"spacy-lookups-data {getattr(spacy_lookups_data, '__version__', '?')} "
                      "de_lemma_lookup", "full_entries": len(full), "kept_entries": len(table),
            "top_words": top_words}
    return table, info


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def prune_strings(out: Path, nlp) -> int:
    """Replace the saved string store (all training-corpus words, ~2 MB) by a minimal one.

    Nothing in the pipeline needs those strings: hash embeddings hash the text itself,
    the NER labels live in ``ner/moves`` and lemma strings are added when assigned.
    Keeps the strings of a blank German pipeline plus the entity labels.
    """
    import spacy

    strings = list(spacy.blank("de").vocab.strings)
    strings += [lab for pipe in nlp.pipe_names if hasattr(nlp.get_pipe(pipe), "labels")
                for lab in nlp.get_pipe(pipe).labels]
    path = out / "vocab" / "strings.json"
    path.write_text(json.dumps(sorted(set(strings)), ensure_ascii=False), encoding="utf-8")
    return len(strings)


def build(model: Path, out: Path, shared: Path, *, top_words: int = 200_000,
          name: str = "de_ngo", version: str = "0.1.0", meta_extra: dict | None = None) -> dict:
    import spacy
    from spacy.lookups import Lookups

    nlp = spacy.load(model)
    for pipe in ("sentencizer", "lemmatizer"):
        if pipe in nlp.pipe_names:
            nlp.remove_pipe(pipe)
    nlp.add_pipe("sentencizer", first=True)
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"}, last=True)
    table, info = pruned_lemma_table(shared, top_words)
    lookups = Lookups()
    lookups.add_table("lemma_lookup", table)
    lemmatizer.initialize(lookups=lookups)
    # the ngo_text components go into the saved config, so spacy.load gives the whole pipeline
    from ngo_text.nlp.pipeline import add_components

    add_components(nlp)
    nlp.meta["name"] = name.removeprefix("de_")
    nlp.meta["version"] = version
    nlp.meta["description"] = ("German NER (PER, ORG, LOC, MISC) for ngo_text: CNN tok2vec + "
                               "transition NER trained on GermEval 2014 (+ MobIE, LER subsets), "
                               "rule sentencizer, pruned lookup lemmatizer. See MODEL_CARD.md.")
    nlp.meta["license"] = "CC BY 4.0"
    nlp.meta["sources"] = [
        {"name": "GermEval 2014 NER", "author": "Benikova et al. 2014", "license": "CC BY 4.0"},
        {"name": "MobIE", "author": "Hennig et al. 2021", "license": "CC BY 4.0"},
        {"name": "German LER", "author": "Leitner et al. 2019", "license": "CC BY 4.0"},
        {"name": "spacy-lookups-data de_lemma_lookup", "license": "MIT"},
    ]
    nlp.meta["lemma_table"] = info
    if meta_extra:
        nlp.meta.update(meta_extra)
    if out.exists():
        shutil.rmtree(out)
    nlp.to_disk(out)
    prune_strings(out, nlp)
    size = dir_size(out)
    print(f"saved {out}: pipeline={nlp.pipe_names} lemma entries={info['kept_entries']} "
          f"size={size / 1e6:.2f} MB", flush=True)
    return {"size_bytes": size, **info}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True, help="trained spaCy pipeline dir")
    ap.add_argument("--out", type=Path, default=ROOT / "ngo_text" / "models" / "de_ngo")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--top-words", type=int, default=200_000)
    args = ap.parse_args(argv)
    build(args.model, args.out, args.shared, top_words=args.top_words)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
