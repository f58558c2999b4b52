"""MLPClassifier specifics: label types, probabilities, partial_fit classes."""

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_multilabel_classification

from sklearn_mlpreg import MLPClassifier

X_IRIS, Y_IRIS = load_iris(return_X_y=True)


def test_string_labels_round_trip():
    names = np.array(["setosa", "versicolor", "virginica"])[Y_IRIS]
    clf = MLPClassifier(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=300,
                        random_state=0).fit(X_IRIS, names)
    assert list(clf.classes_) == ["setosa", "versicolor", "virginica"]
    assert clf.predict(X_IRIS).dtype.kind == "U"
    assert clf.score(X_IRIS, names) > 0.95


@pytest.mark.parametrize("y", [Y_IRIS, Y_IRIS == 1], ids=["multiclass", "binary"])
def test_probabilities_sum_to_one_and_log_proba_agrees(y):
    clf = MLPClassifier(hidden_layer_sizes=(6,), solver="lbfgs", max_iter=200,
                        random_state=0).fit(X_IRIS, y)
    proba = clf.predict_proba(X_IRIS)
    assert proba.shape == (len(y), len(clf.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(clf.predict_log_proba(X_IRIS), np.log(proba))
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X_IRIS))


def test_multilabel_outputs_are_independent_probabilities():
    X, Y = make_multilabel_classification(n_samples=60, n_classes=4, random_state=0)
    clf = MLPClassifier(hidden_layer_sizes=(20,), solver="lbfgs", max_iter=300,
                        random_state=0).fit(X, Y)
    proba = clf.predict_proba(X)
    assert clf.out_activation_ == "logistic" and proba.shape == Y.shape
    np.testing.assert_array_equal(clf.predict(X), proba > 0.5)
    assert np.abs(proba.sum(axis=1) - 1).max() > 0.1
    clf_es = MLPClassifier(hidden_layer_sizes=(20,), early_stopping=True,
                           validation_fraction=0.2, max_iter=20, random_state=0)
    assert clf_es.fit(X, Y).predict(X).shape == Y.shape


def test_partial_fit_needs_classes_first_and_rejects_unknown_labels():
    clf = MLPClassifier(hidden_layer_sizes=(4,))
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X_IRIS, Y_IRIS)
    clf.partial_fit(X_IRIS[:10], Y_IRIS[:10], classes=[0, 1, 2])
    clf.partial_fit(X_IRIS[100:], Y_IRIS[100:])
    with pytest.raises(ValueError, match="classes not in"):
        clf.partial_fit(X_IRIS[:3], [0, 1, 5])


def test_validation_labels_must_be_known():
    with pytest.raises(ValueError, match="y_val has classes"):
        MLPClassifier(max_iter=2).fit(X_IRIS, Y_IRIS, X_val=X_IRIS[:3], y_val=[0, 1, 7])
