"""Tests of ngo_text.topics: taxonomy, tagger, TopicClassifier, labelled CSV reader."""
from __future__ import annotations

import csv
import io
import json
import pickle
import random
import zipfile
from pathlib import Path

import numpy as np
import pytest
import spacy

from ngo_text.errors import InputError, ModelFormatError, ModelNotFoundError
from ngo_text.model import Article, Topic
from ngo_text.parsing import parse
from ngo_text.topics import (
    Taxonomy,
    TaxonomyTagger,
    TopicClassifier,
    default_tagger,
    german_stem,
    read_labeled_csv,
)

LABELS = [
    "Kinderschutz", "Menschenhandel & Ausbeutung", "Menschenrechte", "Strafverfolgung & Justiz",
    "Politik & Advocacy", "Humanitäre Hilfe", "Flucht & Migration", "Klima & Umwelt",
    "Gesundheit & Pflege", "Armut & Soziales", "Tierschutz", "Arbeit & Beschäftigte", "Digitales",
    "Spenden & Engagement", "Forschung & Studien",
]


# ---------------------------------------------------------------------------
# Taxonomy
# ---------------------------------------------------------------------------
def test_default_taxonomy_has_the_contract_labels_and_enough_terms():
    tax = Taxonomy.default()
    assert tax.labels == LABELS
    assert tax.version and tax.language == "de"
    for topic in tax.topics:
        assert topic.description, topic.label
        assert 20 <= len(topic.terms) <= 45, (topic.label, len(topic.terms))


def test_from_file_broken_json_and_missing_keys(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": "1", "topics": [', encoding="utf-8")
    with pytest.raises(ModelFormatError, match="not valid"):
        Taxonomy.from_file(bad)
    bad.write_text(json.dumps({"topics": [{"label": "X", "terms": ["a"]}]}), encoding="utf-8")
    with pytest.raises(ModelFormatError, match="version"):
        Taxonomy.from_file(bad)
    bad.write_text(json.dumps({"version": "1", "topics": [{"label": "X"}]}), encoding="utf-8")
    with pytest.raises(ModelFormatError, match="terms"):
        Taxonomy.from_file(bad)
    bad.write_text(json.dumps({"version": "1", "topics": [{"terms": ["a"]}]}), encoding="utf-8")
    with pytest.raises(ModelFormatError, match="label"):
        Taxonomy.from_file(bad)
    bad.write_bytes(b"\x80\x04\x95binary")
    with pytest.raises(ModelFormatError):
        Taxonomy.from_file(bad)
    with pytest.raises(ModelNotFoundError):
        Taxonomy.from_file(tmp_path / "missing.json")


def _user_taxonomy(tmp_path: Path) -> Path:
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({
        "version": "2024.1", "language": "de",
        "topics": [
            {"label": "Bienen", "description": "Bienen und Imkerei",
             "terms": ["Biene", "Imker", "Honig", {"term": "Bestäubung", "weight": 2}]},
            {"label": "Tierschutz", "terms": ["Bienensterben"]},
        ],
    }), encoding="utf-8")
    return path


def test_user_taxonomy_replaces_or_extends_default(tmp_path):
    path = _user_taxonomy(tmp_path)
    text = "Imkerinnen warnen: Das Bienensterben bedroht die Bestäubung, die Honigernte sinkt."
    only = TaxonomyTagger(path, min_score=0.1)
    labels = [t.label for t in only.tag(text)]
    assert labels[0] == "Bienen"
    assert set(labels) <= {"Bienen", "Tierschutz"}

    merged = Taxonomy.default().extend(path)
    assert merged.labels[: len(LABELS)] == LABELS and merged.labels[-1] == "Bienen"
    assert "Bienensterben" in merged["Tierschutz"].terms and "Tierheim" in merged["Tierschutz"].terms
    assert "Bienen" not in Taxonomy.default().labels  # extend() returns a new taxonomy
    tagged = {t.label for t in TaxonomyTagger(merged, min_score=0.1, max_topics=None).tag(text)}
    assert {"Bienen", "Tierschutz"} <= tagged
    again = Taxonomy.from_dict(merged.to_dict())
    assert again.labels == merged.labels and again["Bienen"].terms["Bestäubung"] == 2.0


# ---------------------------------------------------------------------------
# Tagger
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("text,label,term", [
    ("Die Polizei nahm den Menschenhändlern die Opfer ab.", "Menschenhandel & Ausbeutung", "Menschenhändler"),
    ("Die Kinderschutzorganisation warnt vor Gewalt.", "Kinderschutz", "Kinderschutz"),
    ("Frauen wurden zur Prostitution gezwungen; die Zwangsprostitutionsfälle steigen.",
     "Menschenhandel & Ausbeutung", "Zwangsprostitution"),
    ("Das Bundeskinderschutzgesetz muss reformiert werden.", "Kinderschutz", "Kinderschutz"),
    ("Die Klimaschutzbewegung demonstriert erneut.", "Klima & Umwelt", "Klimaschutz"),
    ("Mehrere Asylbewerberinnen warten seit Monaten.", "Flucht & Migration", "Asylbewerber"),
    ("Online-Ausbeutung nimmt zu.", "Menschenhandel & Ausbeutung", "Ausbeutung"),
])
def test_tagger_matches_inflected_and_compound_forms(text, label, term):
    topics = TaxonomyTagger(min_score=0.0, max_topics=None, relative=0.0).tag(text)
    by_label = {t.label: t for t in topics}
    assert label in by_label, topics
    assert term in by_label[label].terms
    assert by_label[label].source == "taxonomy"


def test_tagger_negative_terms_and_no_short_suffix_matches():
    tagger = TaxonomyTagger(min_score=0.0, max_topics=None, relative=0.0)
    labels = {t.label for t in tagger.tag("Die Zusammenarbeit mit den Soldaten und Kandidaten war gut.")}
    assert "Arbeit & Beschäftigte" not in labels  # 'Zusammenarbeit' is a negative term
    assert "Digitales" not in labels  # 'Daten' is not a suffix match of 'Soldaten'


def test_tagger_scores_sorted_bounded_and_thresholds():
    text = ("Menschenhandel und Zwangsarbeit: Die Ausbeutung von Arbeitern in Fabriken nimmt zu. "
            "Opfer von Menschenhandel brauchen Schutz. Sklaverei ist nicht vorbei.")
    tagger = TaxonomyTagger(min_score=0.0, max_topics=None, relative=0.0)
    topics = tagger.tag(text)
    assert topics[0].label == "Menschenhandel & Ausbeutung"
    scores = [t.score for t in topics]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    assert len(TaxonomyTagger(max_topics=1, min_score=0.0).tag(text)) == 1
    assert TaxonomyTagger(min_score=0.999).tag(text) == []
    assert tagger.tag("") == [] and tagger.tag("Das Wetter ist schön.") == []
    with pytest.raises(InputError):
        tagger.tag(42)


def test_tagger_on_spacy_doc_uses_lemmas():
    from spacy.tokens import Doc

    nlp = spacy.blank("de")
    words = ["Sie", "wurden", "zu", "Sklavinnen", "gemacht", "und", "ausgebeutet", "."]
    lemmas = ["sie", "werden", "zu", "Sklave", "machen", "und", "ausbeuten", "."]
    doc = Doc(nlp.vocab, words=words, lemmas=lemmas)
    topics = TaxonomyTagger(min_score=0.0).tag(doc)
    assert topics and topics[0].label == "Menschenhandel & Ausbeutung"
    assert "Sklave" in topics[0].terms


def test_tagger_article_title_counts_more():
    body = "Es gibt neue Zahlen. Die Klimakrise verschärft die Lage, Pflegekräfte fehlen."
    title_klima = Article(title="Klimaschutz jetzt", paragraphs=[body])
    title_pflege = Article(title="Pflege am Limit", paragraphs=[body])
    tagger = TaxonomyTagger(min_score=0.0)
    assert tagger.tag(title_klima)[0].label == "Klima & Umwelt"
    assert tagger.tag(title_pflege)[0].label == "Gesundheit & Pflege"


def test_default_tagger_is_cached_and_fast():
    import time

    assert default_tagger() is default_tagger()
    text = "Die Kinderschutzorganisation fordert von der Bundesregierung mehr Hilfe. " * 200
    t0 = time.perf_counter()
    for _ in range(5):
        default_tagger().tag(text)
    assert (time.perf_counter() - t0) / 5 < 0.5


def test_ijm_top_three(shared_dir):
    path = shared_dir / "data/pressreleases/ijm-boystown.txt"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    expected = {"Menschenhandel & Ausbeutung", "Kinderschutz", "Strafverfolgung & Justiz"}
    raw = path.read_text("utf-8")
    assert {t.label for t in default_tagger().scores(raw)[:3]} == expected
    assert {t.label for t in default_tagger().scores(parse(path))[:3]} == expected


def test_ijm_top_three_on_spacy_doc(shared_dir, nlp):
    """analyze() tags the Doc of Article.text: lemmas + title detection give the same top 3."""
    path = shared_dir / "data/pressreleases/ijm-boystown.txt"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    doc = nlp(parse(path).text)
    top = {t.label for t in default_tagger().scores(doc)[:3]}
    assert top == {"Menschenhandel & Ausbeutung", "Kinderschutz", "Strafverfolgung & Justiz"}


def test_sample_corpus_micro_f1_floor(sample_dir):
    rows = list(csv.DictReader(open(sample_dir / "metadata.csv", encoding="utf-8")))
    tp = fp = fn = 0
    for row in rows:
        pred = {t.label for t in default_tagger().tag(parse(sample_dir / row["file"]))}
        gold = {g for g in row["topics"].split(";") if g}
        assert gold <= set(LABELS), gold
        tp, fp, fn = tp + len(pred & gold), fp + len(pred - gold), fn + len(gold - pred)
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.75, f"micro F1 {f1:.3f} on {len(rows)} sample articles"


# ---------------------------------------------------------------------------
# Classifier
# ---------------------------------------------------------------------------
POOLS = {
    "Sport": "Fußball Tor Mannschaft Trainer Spiel Liga Meisterschaft Stürmer Verteidiger Niederlage Sieg Stadion".split(),
    "Wirtschaft": "Unternehmen Aktie Umsatz Gewinn Börse Markt Konzern Bank Investition Zinsen Inflation Export".split(),
    "Kultur": "Theater Roman Ausstellung Museum Konzert Künstlerin Bühne Film Festival Oper Schriftsteller Galerie".split(),
}
FILLER = "der die das und mit von für auf ist war hat wird ein eine nicht auch sich im".split()


def _synthetic(n_per_class: int, seed: int = 0, multilabel: bool = False):
    rng = random.Random(seed)
    texts, labels = [], []
    classes = sorted(POOLS)
    for i in range(n_per_class * len(classes)):
        if multilabel and i % 3 == 0:
            labs = rng.sample(classes, 2)
        else:
            labs = [classes[i % len(classes)]]
        words = []
        for lab in labs:
            words += rng.sample(POOLS[lab], 5)
        words += rng.choices(FILLER, k=12)
        rng.shuffle(words)
        # inflect some words so stemming/char n-grams matter
        words = [w + rng.choice(["", "", "en", "s", "es"]) for w in words]
        texts.append(" ".join(words) + ".")
        labels.append(sorted(labs) if multilabel else labs[0])
    return texts, labels


@pytest.fixture(scope="module")
def single_model():
    X, y = _synthetic(20)
    return TopicClassifier(min_df=1).fit(X, y), X, y


def test_stemmer():
    assert german_stem("Kindern") == german_stem("Kinder") == "kind"
    assert german_stem("Straße") == german_stem("Strasse")
    assert german_stem("2021") == german_stem("1999") == "0000"


def test_classifier_single_label(single_model):
    clf, X, y = single_model
    Xt, yt = _synthetic(10, seed=1)
    assert list(clf.classes_) == ["Kultur", "Sport", "Wirtschaft"]
    assert clf.score(Xt, yt) >= 0.9
    pred = clf.predict(["Die Mannschaft gewann das Spiel im Stadion, der Trainer jubelte."])
    assert list(pred) == ["Sport"]
    proba = clf.predict_proba(Xt[:5])
    assert proba.shape == (5, 3) and np.allclose(proba.sum(1), 1.0)
    assert (np.argmax(proba, 1) == np.argmax(clf.decision_function(Xt[:5]), 1)).all()
    # Articles work as input (their .text)
    art = Article(title="Börse im Minus", paragraphs=["Der Konzern meldet weniger Umsatz und Gewinn."])
    assert clf.predict([art])[0] == "Wirtschaft"
    topics = clf.predict_topics([art])
    assert len(topics) == 1 and topics[0][0].label == "Wirtschaft" and topics[0][0].source == "classifier"
    assert 0 < topics[0][0].score <= 1 and topics[0][0].terms


def test_classifier_explain(single_model):
    clf, _, _ = single_model
    text = "Das Museum zeigt eine Ausstellung, die Künstlerin spricht im Theater."
    expl = clf.explain(text, top_n=3)
    assert list(expl) == ["Kultur"]
    words = [w for w, _ in expl["Kultur"]]
    assert 1 <= len(words) <= 3 and set(words) <= set(text.replace(",", "").replace(".", "").split())
    assert set(words) & {"Museum", "Ausstellung", "Künstlerin", "Theater"}
    weights = [w for _, w in expl["Kultur"]]
    assert weights == sorted(weights, reverse=True) and weights[0] > 0
    assert set(clf.explain(text, labels=["Sport", "Kultur"])) == {"Sport", "Kultur"}
    with pytest.raises(InputError):
        clf.explain(text, labels=["Unbekannt"])
    # predict_topics explains from the batch's feature rows: the same terms as explain()
    other = "Der Verein gewinnt das Spiel im Stadion."
    topics = clf.predict_topics([text, other])
    for t, (topic,) in zip([text, other], topics):
        assert topic.terms == [w for w, _ in clf.explain(t, top_n=5, labels=[topic.label])[topic.label]]


def test_classifier_multilabel():
    X, y = _synthetic(20, multilabel=True)
    clf = TopicClassifier(min_df=1).fit(X, y)
    assert clf.multilabel_
    pred = clf.predict(["Die Mannschaft und der Trainer feiern den Sieg. Der Konzern meldet Umsatz und Gewinn an der Börse.",
                        "Das Museum zeigt eine Ausstellung."])
    # scikit-learn's multi-label output: an indicator matrix, columns in classes_ order
    assert pred.shape == (2, 3) and set(np.unique(pred)) <= {0, 1}
    assert set(clf.classes_[pred[0] == 1]) == {"Sport", "Wirtschaft"}
    assert list(clf.classes_[pred[1] == 1]) == ["Kultur"]
    assert (pred.sum(1) >= 1).all()  # at least the best label
    assert [[t.label for t in ts] for ts in clf.predict_topics(X[:10])] == \
        [sorted(clf.classes_[row == 1], key=lambda l: -d[list(clf.classes_).index(l)])
         for row, d in zip(clf.predict(X[:10]), clf.decision_function(X[:10]))]
    with pytest.raises(InputError, match="label lists"):
        TopicClassifier(min_df=1).fit(X, np.array([[1, 0], [0, 1]] * (len(X) // 2)))
    Xt, yt = _synthetic(10, seed=3, multilabel=True)
    assert clf.score(Xt, yt) >= 0.8
    proba = clf.predict_proba(Xt[:4])
    assert proba.shape == (4, 3) and ((proba > 0) & (proba < 1)).all()
    topics = clf.predict_topics(Xt[:4])
    assert len(topics) == 4 and all(t and all(isinstance(x, Topic) for x in t) for t in topics)


def test_classifier_sklearn_compatible():
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    X, y = _synthetic(10)
    clf = TopicClassifier(C=0.5, min_df=1)
    assert clone(clf).get_params()["C"] == 0.5
    scores = cross_val_score(clf, X, y, cv=3)
    assert scores.mean() >= 0.8


def test_classifier_passes_check_estimator():
    """scikit-learn's checks: those that feed numeric matrices are skipped through the tags (text input)."""
    import warnings

    from sklearn.utils import estimator_checks as ec
    from sklearn.utils import get_tags

    tags = get_tags(TopicClassifier())
    assert tags.input_tags.string and not tags.input_tags.two_d_array and tags.classifier_tags.multi_label
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ec.SkipTestWarning)
        results = ec.check_estimator(TopicClassifier(), on_fail=None)
    assert results and all(r["status"] == "passed" for r in results), results
    # the API checks that need no numeric matrix, run directly
    for name in ["check_estimator_tags_renamed", "check_valid_tag_types", "check_estimator_repr",
                 "check_no_attributes_set_in_init", "check_estimators_unfitted",
                 "check_do_not_raise_errors_in_init_or_set_params", "check_mixin_order",
                 "check_parameters_default_constructible", "check_get_params_invariance", "check_set_params"]:
        getattr(ec, name)("TopicClassifier", TopicClassifier())


def test_classifier_sklearn_contract_on_texts(tmp_path):
    """What scikit-learn's matrix checks assert, on texts: fit returns self and leaves the
    parameters alone, is idempotent, sets no n_features_in_; predictions do not depend on
    the batch (order, subsets)."""
    from sklearn.base import clone

    X, y = _synthetic(6)
    clf = TopicClassifier(min_df=1)
    params = clone(clf).get_params()
    assert clf.fit(X, y) is clf
    assert clf.get_params() == params
    assert not hasattr(clf, "n_features_in_")
    assert not hasattr(TopicClassifier.load(clf.save(tmp_path / "m.zip")), "n_features_in_")
    D = clf.decision_function(X)
    # LinearSVC's dual solver shuffles with numpy's global RNG: a refit differs in the 5th decimal
    assert np.allclose(clf.fit(X, y).decision_function(X), D, atol=1e-3)
    D = clf.decision_function(X)
    order = np.random.default_rng(0).permutation(len(X))
    assert np.allclose(clf.decision_function([X[i] for i in order]), D[order])
    assert np.allclose(clf.decision_function(X[:3]), D[:3])
    assert isinstance(clf.score(X, y), float)


def test_classifier_input_errors():
    with pytest.raises(InputError):
        TopicClassifier().fit(["a b c", "d e f"], ["x", "x"])
    with pytest.raises(InputError):
        TopicClassifier().fit(["a"], ["x", "y"])
    with pytest.raises(InputError):
        TopicClassifier().fit("nur ein Text", ["x"])
    from sklearn.exceptions import NotFittedError

    for method in ("predict", "predict_proba", "decision_function", "predict_topics"):
        with pytest.raises(NotFittedError, match="not fitted"):
            getattr(TopicClassifier(), method)(["text"])
    with pytest.raises(NotFittedError):
        TopicClassifier().save("never-written.zip")


def test_save_load_round_trip(single_model, tmp_path):
    clf, X, _ = single_model
    path = clf.save(tmp_path / "model.zip")
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["arrays.npz", "model.json"]
        meta = json.loads(z.read("model.json"))
    assert meta["format"] == "ngo_text.topic_classifier" and meta["version"] == 3
    loaded = TopicClassifier.load(path)
    assert list(loaded.predict(X)) == list(clf.predict(X))
    assert np.allclose(loaded.decision_function(X), clf.decision_function(X), atol=1e-5)
    assert loaded.get_params() == clf.get_params()
    text = X[0]
    assert [w for w, _ in loaded.explain(text)[clf.predict([text])[0]]] == \
        [w for w, _ in clf.explain(text)[clf.predict([text])[0]]]


def _rewrite(path: Path, out: Path, *, meta_fn=None, npz_bytes=None, drop=None):
    with zipfile.ZipFile(path) as z:
        meta = z.read("model.json").decode("utf-8")
        npz = z.read("arrays.npz")
    with zipfile.ZipFile(out, "w") as z:
        if drop != "model.json":
            z.writestr("model.json", meta_fn(meta) if meta_fn else meta)
        if drop != "arrays.npz":
            z.writestr("arrays.npz", npz if npz_bytes is None else npz_bytes)
    return out


def _setkey(key, value):
    """A ``meta_fn`` for :func:`_rewrite` that sets one key of model.json."""
    def fn(meta):
        d = json.loads(meta)
        d[key] = value
        return json.dumps(d)
    return fn


def _setparam(key, value):
    """A ``meta_fn`` for :func:`_rewrite` that sets one of the saved parameters."""
    def fn(meta):
        d = json.loads(meta)
        d["params"][key] = value
        return json.dumps(d)
    return fn


def _npz(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("arrays.npz")


class _Evil:
    def __reduce__(self):
        import os

        return (os.mkdir, (str(_Evil.marker),))


def test_load_rejects_damaged_foreign_and_other_versions(single_model, tmp_path):
    clf, _, _ = single_model
    good = clf.save(tmp_path / "good.zip")

    cases = {
        "broken json": _rewrite(good, tmp_path / "a.zip", meta_fn=lambda m: m[: len(m) // 2]),
        "wrong format": _rewrite(good, tmp_path / "b.zip", meta_fn=_setkey("format", "sklearn.pickle")),
        "newer version": _rewrite(good, tmp_path / "c.zip", meta_fn=_setkey("version", 99)),
        "vocab tampered": _rewrite(good, tmp_path / "d.zip", meta_fn=lambda m: json.dumps(
            {**json.loads(m), "vocabularies": [v[:-3] for v in json.loads(m)["vocabularies"]]})),
        "classes tampered": _rewrite(good, tmp_path / "e.zip", meta_fn=_setkey("classes", ["A"])),
        "npz truncated": _rewrite(good, tmp_path / "f.zip", npz_bytes=_npz(good)[:200]),
        "npz missing": _rewrite(good, tmp_path / "g.zip", drop="arrays.npz"),
        "unknown encoder": _rewrite(good, tmp_path / "k.zip", meta_fn=_setparam("encoder", "os.system")),
        "encoder without its weights": _rewrite(good, tmp_path / "l.zip",
                                                meta_fn=_setparam("encoder", "use-multilingual")),
    }
    raw = good.read_bytes()
    (tmp_path / "h.zip").write_bytes(raw[: len(raw) // 2])
    cases["zip truncated"] = tmp_path / "h.zip"
    (tmp_path / "i.zip").write_text("not a model at all", encoding="utf-8")
    cases["text file"] = tmp_path / "i.zip"
    # a pickled numpy object array inside the npz must not be unpickled
    _Evil.marker = tmp_path / "pwned_npz"
    buf = io.BytesIO()
    np.savez(buf, coef=np.array([_Evil()], dtype=object), intercept=np.zeros(3))
    cases["object npz"] = _rewrite(good, tmp_path / "j.zip", npz_bytes=buf.getvalue())
    with np.load(io.BytesIO(_npz(good))) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["coef"] = np.full_like(arrays["coef"], np.nan)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    cases["nan coefficients"] = _rewrite(good, tmp_path / "m.zip", npz_bytes=buf.getvalue())
    flipped = bytearray(raw)
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("arrays.npz")
    # a byte in the middle of the compressed member (local header: 30 bytes + name + extra)
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
    flipped[at] ^= 0xFF
    (tmp_path / "n.zip").write_bytes(bytes(flipped))
    cases["flipped compressed byte"] = tmp_path / "n.zip"
    for name, path in cases.items():
        with pytest.raises(ModelFormatError):
            TopicClassifier.load(path)
    assert not (tmp_path / "pwned_npz").exists()

    # a pickle file renamed to .zip: rejected, and its payload never runs
    _Evil.marker = tmp_path / "pwned_pickle"
    evil = tmp_path / "model_evil.zip"
    evil.write_bytes(pickle.dumps(_Evil()))
    with pytest.raises(ModelFormatError):
        TopicClassifier.load(evil)
    assert not (tmp_path / "pwned_pickle").exists()
    with pytest.raises(ModelNotFoundError):
        TopicClassifier.load(tmp_path / "nope.zip")


def test_load_refuses_members_too_large_to_unpack(single_model, tmp_path, monkeypatch):
    clf, _, _ = single_model
    good = clf.save(tmp_path / "good.zip")
    with zipfile.ZipFile(good) as z:
        size = max(z.getinfo("arrays.npz").file_size, z.getinfo("model.json").file_size)
    monkeypatch.setattr("ngo_text.topics.classifier.MAX_MEMBER_BYTES", size - 1)
    with pytest.raises(ModelFormatError, match="would unpack to"):
        TopicClassifier.load(good)
    monkeypatch.setattr("ngo_text.topics.classifier.MAX_MEMBER_BYTES", size)
    assert TopicClassifier.load(good).classes_.tolist() == clf.classes_.tolist()


def test_version_1_files_still_load(single_model, tmp_path):
    clf, X, _ = single_model
    old = _rewrite(clf.save(tmp_path / "v2.zip"), tmp_path / "v1.zip", meta_fn=lambda m: json.dumps(
        {**json.loads(m), "version": 1,
         "params": {k: v for k, v in json.loads(m)["params"].items() if not k.startswith("encoder")}}))
    loaded = TopicClassifier.load(old)
    assert loaded.encoder is None
    assert np.allclose(loaded.decision_function(X[:5]), clf.decision_function(X[:5]), atol=1e-5)


# ---------------------------------------------------------------------------
# Labelled CSV
# ---------------------------------------------------------------------------
def test_read_labeled_csv(tmp_path):
    p = tmp_path / "train.csv"
    p.write_text('text,label\n"Ein Text, mit Komma",Sport\nZweiter Text,Kultur\n', encoding="utf-8")
    assert read_labeled_csv(p) == (["Ein Text, mit Komma", "Zweiter Text"], ["Sport", "Kultur"])
    p.write_text('label;text\nSport;Erster\n"Sport; Kultur";Zweiter\n', encoding="utf-8")
    texts, labels = read_labeled_csv(p)
    assert texts == ["Erster", "Zweiter"] and labels == [["Sport"], ["Sport", "Kultur"]]
    p.write_text("titel,kategorie\nx,y\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        read_labeled_csv(p)
    p.write_text("text,label\nEin Text,\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        read_labeled_csv(p)
    p.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        read_labeled_csv(p)
    with pytest.raises(InputError, match="not found"):
        read_labeled_csv(tmp_path / "nope.csv")


# ---------------------------------------------------------------------------
# Entity features
# ---------------------------------------------------------------------------
def _with_entities(texts, labels):
    """Articles whose entities name the actor typical of their label (no NER involved)."""
    from ngo_text.model import Entity

    actors = {lab: (f"Akteur {i}", "AGENCY" if i % 2 else "ORG") for i, lab in enumerate(sorted(set(labels)))}
    out = []
    for text, lab in zip(texts, labels):
        name, kind = actors[lab]
        ents = [Entity(text=name, label=kind, start=0, end=len(name), canonical=name),
                Entity(text="2024", label="DATE", start=0, end=4, value="2024")]
        out.append(Article(title=name, paragraphs=[text], entities=ents))
    return out, actors


def test_classifier_entity_features(tmp_path):
    X, y = _synthetic(8)
    arts, actors = _with_entities(X, y)
    plain = TopicClassifier(min_df=1).fit(arts, y)
    clf = TopicClassifier(min_df=1, entities=True, entity_weight=1.0).fit(arts, y)
    vocab = clf.vectorizers_[-1].vocabulary_
    assert set(vocab) == {f"{kind}:{name}" for name, kind in actors.values()}  # dates left out
    assert clf.coef_.shape[1] == plain.coef_.shape[1] + len(vocab)
    # the actor is among the strongest reasons, named by its canonical form
    lab = y[0]
    top = [w for w, _ in clf.explain(arts[0], labels=[lab], top_n=5)[lab]]
    assert actors[lab][0] in top
    # an entity alone (text of another class) moves the decision towards its label
    other = next(i for i, l in enumerate(y) if l != lab)
    swapped = Article(title="x", paragraphs=[X[other]], entities=arts[0].entities)
    d_plain = clf.decision_function([Article(title="x", paragraphs=[X[other]], entities=arts[other].entities)])
    d_swap = clf.decision_function([swapped])
    k = list(clf.classes_).index(lab)
    assert d_swap[0, k] > d_plain[0, k]
    loaded = TopicClassifier.load(clf.save(tmp_path / "ent.zip"))
    assert loaded.entities and np.allclose(loaded.decision_function(arts[:5]), clf.decision_function(arts[:5]))


def test_classifier_entity_features_from_plain_texts(nlp):
    texts = [
        "Das Bundeskriminalamt (BKA) und Europol haben in Berlin einen Schleuserring zerschlagen.",
        "Europol und das BKA ermitteln gegen eine Bande von Menschenhändlern in Hamburg.",
        "Die Deutsche Kinderhilfe fordert in München mehr Schutz für Kinder im Netz.",
        "Unicef und die Deutsche Kinderhilfe warnen vor Kinderarmut in Deutschland.",
    ]
    y = ["Strafverfolgung", "Strafverfolgung", "Kinderschutz", "Kinderschutz"]
    clf = TopicClassifier(min_df=1, entities=True).fit(texts, y)
    vocab = set(clf.vectorizers_[-1].vocabulary_)
    assert "ORG:Europol" in vocab or "AGENCY:Europol" in vocab, vocab
    assert any(t.endswith(":Bundeskriminalamt") for t in vocab), vocab  # BKA -> its long form
    assert list(clf.predict(["Europol warnt vor neuen Schleuserrouten."])) == ["Strafverfolgung"]
    with pytest.raises(InputError, match="no words"):
        TopicClassifier().fit(["", " "], ["a", "b"])
    with pytest.raises(InputError, match="no named entity"):
        TopicClassifier(min_df=1, entities=True).fit(["eins zwei drei", "vier fünf sechs"], ["a", "b"])


def test_analyze_gives_a_classifier_the_entities_it_found(nlp):
    import ngo_text

    def no_second_ner(texts):
        raise AssertionError("entities were extracted twice")

    X, y = _synthetic(8)
    arts, _ = _with_entities(X, y)
    clf = TopicClassifier(min_df=1, entities=True, entity_extractor=no_second_ner).fit(arts, y)
    article = ngo_text.analyze("Europol warnt\n\nDas BKA und Europol ermitteln in Berlin.", nlp=nlp, topics=clf)
    assert article.entities and article.topics and article.topics[0].source == "classifier"


def test_classifier_takes_an_entity_extractor_for_plain_texts(tmp_path):
    from ngo_text.model import Entity

    def capitalised(texts):  # a stand-in NER: capitalised words are organisations
        return [[Entity(text=w, label="ORG", start=0, end=len(w)) for w in t.split() if w[:1].isupper()]
                for t in texts]

    X, y = _synthetic(8)
    texts = [f"{'Alpha' if l == y[0] else 'Beta'} {x}" for x, l in zip(X, y)]
    clf = TopicClassifier(min_df=1, entities=True, entity_extractor=capitalised).fit(texts, y)
    assert {"ORG:Alpha", "ORG:Beta"} <= set(clf.vectorizers_[-1].vocabulary_)
    path = clf.save(tmp_path / "m.zip")
    with zipfile.ZipFile(path) as z:
        assert "entity_extractor" not in json.loads(z.read("model.json"))["params"]  # code is not saved
    loaded = TopicClassifier.load(path, entity_extractor=capitalised)
    assert loaded.entity_extractor is capitalised
    assert np.allclose(loaded.decision_function(texts[:4]), clf.decision_function(texts[:4]))
