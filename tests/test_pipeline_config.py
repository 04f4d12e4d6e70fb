"""The ngo_text components as spaCy config: ``spacy.load`` of a bundled pipeline equals
``ngo_text.load()``, pipelines saved with ``nlp.to_disk`` reload with the same results
in a fresh process, one org typer per pipeline, a configurable gazetteer saved with the
pipeline, prefixed extension names, and the classifier's features from scikit-learn.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import spacy

import ngo_text
from ngo_text.nlp import DOC_EXTENSIONS, EXTENSIONS, ensure_extensions
from ngo_text.nlp.orgs import OrgTypeClassifier, load_gazetteer, org_typer
from ngo_text.nlp.pipeline import (ACCURATE_MODEL, BUNDLED_MODEL, COMPONENTS, accurate_available,
                                   add_components)

REPO = Path(__file__).resolve().parents[1]
SENTENCE = ("Das Bundeskriminalamt (BKA) und die Internationale Gesellschaft für Menschenrechte e. V. "
            "trafen am 5. Mai 2021 Dietmar Roller von World Vision Deutschland. Roller sagte, das BKA "
            "und die Froschfreunde Nordheide (FFN) prüften das Tierschutzgesetz.")
CUSTOM_ORG = "Froschfreunde Nordheide"


def _texts() -> list[str]:
    arts = sorted((REPO / "data" / "articles").glob("pr0[1-3].txt"))
    return [SENTENCE] + [p.read_text(encoding="utf-8") for p in arts]


# run in a fresh interpreter: only spaCy is imported by the script, the ngo_text
# factories come from the package's spacy_factories entry points
_SCRIPT = r"""
import json, sys, spacy
nlp = spacy.load(sys.argv[1])
texts = json.load(sys.stdin)
out = {"pipe_names": nlp.pipe_names, "ents": []}
for doc in nlp.pipe(texts):
    out["ents"].append([[e.start_char, e.end_char, e.label_, e._.ngo_canonical, e._.ngo_org_type,
                         e._.ngo_value] for e in doc.ents])
print(json.dumps(out))
"""


def _fresh_load(path: Path, texts: list[str]) -> dict:
    # outside the repo: a stale ngo_text.egg-info in its root would hide the installed entry points
    proc = subprocess.run([sys.executable, "-c", _SCRIPT, str(path)], input=json.dumps(texts),
                          capture_output=True, text=True, cwd=path.parent, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _ents(nlp, texts: list[str]) -> list[list[list]]:
    return [[[e.start_char, e.end_char, e.label_, e._.ngo_canonical, e._.ngo_org_type, e._.ngo_value]
             for e in doc.ents] for doc in nlp.pipe(texts)]


def _bundled(key: str) -> Path:
    if key == "accurate":
        reason = accurate_available()
        if reason is not None:
            pytest.skip(f"accurate pipeline cannot run here: {reason}")
        return ACCURATE_MODEL
    return BUNDLED_MODEL


@pytest.mark.parametrize("key", ["fast", "accurate"])
def test_spacy_load_of_bundled_pipeline_equals_ngo_text_load(key):
    path = _bundled(key)
    texts = _texts()
    nlp = ngo_text.load(key)
    fresh = _fresh_load(path, texts)
    assert fresh["pipe_names"] == nlp.pipe_names
    assert [n for n in nlp.pipe_names if n.startswith("ngo_") and n != "ngo_e5_ner"] == list(COMPONENTS)
    assert fresh["ents"] == _ents(nlp, texts)
    assert any(e[2] == "AGENCY" and e[3] == "Bundeskriminalamt" for e in fresh["ents"][0])
    # the config declares the components with their settings
    config = spacy.util.load_config(path / "config.cfg")
    assert [c for c in config["nlp"]["pipeline"] if c in COMPONENTS] == list(COMPONENTS)
    assert config["components"]["ngo_orgs"]["factory"] == "ngo_orgs"
    assert "gazetteer_path" in config["initialize"]["components"]["ngo_orgs"]


@pytest.mark.parametrize("key", ["fast", "accurate"])
def test_bundled_pipeline_saved_with_to_disk_reloads_the_same(key, tmp_path):
    _bundled(key)
    texts = _texts()
    nlp = ngo_text.load(key)
    nlp.to_disk(tmp_path / "saved")
    fresh = _fresh_load(tmp_path / "saved", texts)
    assert fresh["pipe_names"] == nlp.pipe_names
    assert fresh["ents"] == _ents(nlp, texts)


def test_components_added_to_another_pipeline_survive_to_disk(tmp_path):
    """A German pipeline without the components + add_components, saved and loaded in a fresh process."""
    texts = _texts()
    nlp = spacy.load(BUNDLED_MODEL, exclude=list(COMPONENTS))
    assert not set(COMPONENTS) & set(nlp.pipe_names)
    add_components(nlp)
    assert nlp.pipe_names == ngo_text.load("fast").pipe_names
    expected = _ents(nlp, texts)
    assert expected == _ents(ngo_text.load("fast"), texts)
    nlp.to_disk(tmp_path / "pipe")
    assert json.loads((tmp_path / "pipe" / "ngo_orgs" / "cfg").read_text()) == {"gazetteer": "bundled"}
    fresh = _fresh_load(tmp_path / "pipe", texts)
    assert fresh["pipe_names"] == nlp.pipe_names
    assert fresh["ents"] == expected


def test_blank_pipeline_with_components(tmp_path):
    """Rules only (no NER): dates, gazetteer names, laws; the same after to_disk in a fresh process."""
    nlp = add_components(spacy.blank("de"))
    doc = nlp(SENTENCE)
    got = {(e.text, e.label_) for e in doc.ents}
    assert {("Bundeskriminalamt", "AGENCY"), ("5. Mai 2021", "DATE"), ("Tierschutzgesetz", "MISC")} <= got
    nlp.to_disk(tmp_path / "blank")
    fresh = _fresh_load(tmp_path / "blank", [SENTENCE])
    assert fresh["ents"] == _ents(nlp, [SENTENCE])


def _custom_gazetteer(tmp_path: Path) -> Path:
    path = tmp_path / "gaz"
    path.mkdir()
    (path / "mine.tsv").write_text(f"# my organisations\n{CUSTOM_ORG}\tORG\tngo\tFroschfreunde\n",
                                   encoding="utf-8")
    return path


def test_custom_gazetteer_is_one_typer_and_saved_with_the_pipeline(tmp_path):
    gaz = _custom_gazetteer(tmp_path)
    nlp = spacy.load(BUNDLED_MODEL)
    orgs = nlp.get_pipe("ngo_orgs")
    # initialize loads the data: [initialize.components.ngo_orgs] gazetteer_path
    orgs.initialize(gazetteer_path=str(gaz))
    assert [e.name for e in orgs.typer.entries] == [CUSTOM_ORG]
    # every component of the pipeline types names with that one typer
    assert org_typer(nlp) is orgs.typer
    assert org_typer(spacy.blank("de")) is not orgs.typer  # no ngo_orgs: the bundled one
    ents = _ents(nlp, [SENTENCE])[0]
    frosch = [e for e in ents if SENTENCE[e[0]:e[1]] == CUSTOM_ORG]
    assert frosch and frosch[0][2:5] == ["ORG", CUSTOM_ORG, "ngo"]
    # the short form follows the long form, typed by the same gazetteer
    ffn = [e for e in ents if SENTENCE[e[0]:e[1]] == "FFN"]
    assert ffn and ffn[0][3] == CUSTOM_ORG
    # the bundled gazetteer is not used: "Bundeskriminalamt" is typed by the rules, not by its entry
    assert not org_typer(nlp).knows("Bundeskriminalamt")
    nlp.to_disk(tmp_path / "pipe")
    assert (tmp_path / "pipe" / "ngo_orgs" / "gazetteer.tsv").is_file()
    assert load_gazetteer(tmp_path / "pipe" / "ngo_orgs" / "gazetteer.tsv") == orgs.typer.entries
    fresh = _fresh_load(tmp_path / "pipe", [SENTENCE])
    assert fresh["ents"] == [ents]
    # to_bytes / from_bytes keep it as well
    other = spacy.load(BUNDLED_MODEL)
    other.get_pipe("ngo_orgs").from_bytes(orgs.to_bytes())
    assert other.get_pipe("ngo_orgs").typer.entries == orgs.typer.entries
    assert _ents(other, [SENTENCE]) == [ents]
    # and back to the bundled one
    orgs.initialize()
    assert org_typer(nlp).knows("Bundeskriminalamt") and orgs.custom_entries is None


def test_ngo_orgs_settings_reach_the_other_components():
    """ngo_abbreviations types long forms with ngo_orgs' typer, so its ``classifier`` setting counts."""
    nlp = spacy.load(BUNDLED_MODEL, exclude=list(COMPONENTS))
    nlp.add_pipe("ngo_orgs", after="ner", config={"classifier": False})
    add_components(nlp)
    assert org_typer(nlp).classifier is None
    assert nlp.get_pipe("ngo_abbreviations")._get_typer() is org_typer(nlp)


def test_extension_names_are_prefixed():
    from spacy.tokens import Doc, Span

    ensure_extensions()
    assert all(name.startswith("ngo_") for name in (*EXTENSIONS, *DOC_EXTENSIONS))
    assert all(Span.has_extension(n) for n in EXTENSIONS)
    assert all(Doc.has_extension(n) for n in DOC_EXTENSIONS)
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "ngo_text").rglob("*.py"))
    assert not re.findall(r"\._\.(?:canonical|org_type|value|published)\b", source)


def _reference_decision(clf: OrgTypeClassifier, text: str) -> np.ndarray:
    """The hand-written feature lookup the classifier used before scikit-learn's CountVectorizer."""
    grams: list[str] = []
    lo, hi = clf.ngram_range
    for w in re.sub(r"\s\s+", " ", text).split():
        w = f" {w} "
        for n in range(lo, hi + 1):
            offset = 0
            grams.append(w[offset:offset + n])
            while offset + n < len(w):
                offset += 1
                grams.append(w[offset:offset + n])
            if offset == 0:
                break
    counts: dict[int, int] = {}
    for g in grams:
        j = clf.vocab.get(g)
        if j is not None:
            counts[j] = counts.get(j, 0) + 1
    scores = clf.intercept.copy()
    if counts:
        idx = np.fromiter(counts.keys(), dtype=np.int64)
        val = np.fromiter(counts.values(), dtype=np.float32)
        val /= np.sqrt((val ** 2).sum())
        scores = scores + clf.coef[:, idx] @ val
    return scores


def test_org_type_classifier_features_equal_the_hand_written_lookup():
    clf = OrgTypeClassifier.load()
    typer = org_typer(None)
    names = sorted(typer.by_form)[::3] + ["Kurzgesagt", "Rega", "Landesamt  für Umwelt", "xyz", "",
                                          "Bundesamt für  Justiz", "ÄÖÜ-Stiftung gGmbH"]
    for name in names:
        ref = _reference_decision(clf, name)
        got = clf.decision(name)
        np.testing.assert_allclose(got, ref, atol=1e-4, err_msg=name)
        assert clf.classes[int(np.argmax(got))] == clf.classes[int(np.argmax(ref))], name


def test_initialize_reads_the_gazetteer_path_of_the_config(tmp_path):
    """``[initialize.components.ngo_orgs] gazetteer_path`` is what ``nlp.initialize()`` loads."""
    gaz = _custom_gazetteer(tmp_path)
    nlp = add_components(spacy.blank("de"))
    assert nlp.config["initialize"]["components"]["ngo_orgs"] == {"gazetteer_path": None}
    config = nlp.config.copy()
    config["initialize"]["components"]["ngo_orgs"]["gazetteer_path"] = str(gaz)
    nlp = spacy.blank("de", config=config)
    assert nlp.pipe_names == list(COMPONENTS)
    nlp.initialize()
    assert [e.name for e in org_typer(nlp).entries] == [CUSTOM_ORG]
    assert any(e.text == CUSTOM_ORG and e.label_ == "ORG" for e in nlp(SENTENCE).ents)
