"""The error story of ngo_text.errors: one family, each member also the exception Python code expects."""
from __future__ import annotations

import pickle
import subprocess
import sys

import pytest
import sklearn.exceptions

import ngo_text
from ngo_text.errors import InputError, NgoTextError, NotFittedError, ParameterError
from ngo_text.related import RelatedIndex
from ngo_text.topics import TopicClassifier


def test_family() -> None:
    assert issubclass(ParameterError, NgoTextError) and issubclass(ParameterError, ValueError)
    assert issubclass(InputError, NgoTextError) and issubclass(InputError, ValueError)
    assert issubclass(NotFittedError, NgoTextError)
    assert issubclass(NotFittedError, sklearn.exceptions.NotFittedError)
    assert NotFittedError is ngo_text.errors.NotFittedError  # made once
    err = pickle.loads(pickle.dumps(NotFittedError("x")))
    assert type(err) is NotFittedError and str(err) == "x"


def test_unfitted_index_and_classifier_raise_the_same_error() -> None:
    with pytest.raises(NotFittedError, match="call fit"):
        RelatedIndex().related("x")
    with pytest.raises(NotFittedError, match="call fit"):
        TopicClassifier().predict(["text"])


def test_invalid_settings_raise_parameter_error() -> None:
    with pytest.raises(ParameterError, match="half_life_days"):
        RelatedIndex(half_life_days=0)
    with pytest.raises(ParameterError, match="encoder_tokens"):
        RelatedIndex(encoder_tokens=2)
    with pytest.raises(ParameterError, match="unknown encoder"):
        RelatedIndex(encoder="nope")
    # scikit-learn estimators check their parameters in fit
    clf = TopicClassifier(encoder="nope")
    with pytest.raises(ParameterError, match="unknown encoder"):
        clf.fit(["a b", "c d"], ["x", "y"])


def test_import_ngo_text_does_not_import_sklearn() -> None:
    code = "import sys, ngo_text, ngo_text.errors; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
