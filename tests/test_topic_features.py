"""The topic features after the copies were merged: char n-grams from scikit-learn's char_wb
analyzer give the same matrices as the hand-written slicing they replaced."""
from __future__ import annotations

import numpy as np

from ngo_text.topics.features import TOKEN_RE, CharNgramVectorizer, char_preprocess, german_stem, strip_ending

TEXTS = ["Die Organisation fordert mehr Schutz für Kinder und Jugendliche 2021.",
         "Klima-Schutz: Der Verband fordert erneuerbare Energie, ä ö ü ß, a b c.",
         "Ein x y z Text mit kurzen Wörtern und Klimaschutz-Kampagnen der NGOs.",
         "Kinder brauchen Schutz; Jugendliche auch. Energie! Klima? 1999"]


def _old_grams(word: str, lo: int, hi: int) -> list[str]:
    w = f" {word} "
    return [w[i:i + k] for k in range(lo, hi + 1) for i in range(len(w) - k + 1)]


def test_char_ngrams_are_sklearn_char_wb_and_unchanged() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    for lo, hi in ((3, 5), (2, 4), (3, 3)):
        vec = CharNgramVectorizer(lo, hi, min_df=1, max_df=1.0)
        for w in {w for t in TEXTS for w in TOKEN_RE.findall(char_preprocess(t))}:
            assert vec._grams(w) == _old_grams(w, lo, hi)  # words have >= 1 char: padded >= 3 >= lo
        X = vec.fit_transform(TEXTS)
        ref = TfidfVectorizer(analyzer="char_wb", ngram_range=(lo, hi), sublinear_tf=True,
                              preprocessor=lambda t: " ".join(TOKEN_RE.findall(char_preprocess(t))))
        R = ref.fit_transform(TEXTS)
        order = [ref.vocabulary_[g] for g in sorted(vec.vocabulary_, key=vec.vocabulary_.get)]
        assert set(vec.vocabulary_) == set(ref.vocabulary_)
        assert np.allclose(X.toarray(), R[:, order].toarray(), atol=1e-6)
        assert np.allclose(vec.transform(TEXTS[::-1]).toarray(), X.toarray()[::-1], atol=1e-6)


def test_stemmers_share_strip_ending() -> None:
    assert german_stem("Organisationen") == "organisation" and german_stem("2021") == "0000"
    assert german_stem("Straßen") == "strass" and german_stem("Kind") == "kind"
    assert strip_ending("kinder", ("er", "n"), min_stem=3) == "kind"
    assert strip_ending("ober", ("er",), min_stem=3) == "ober"
