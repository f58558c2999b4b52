"""Validation scores of K models against scikit-learn's metrics."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, r2_score

from sklearn_mlpreg._engine.scores import accuracy, r2

RNG = np.random.RandomState(0)


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_r2_matches_scikit_learn(n_outputs, weighted):
    Y = RNG.normal(size=(20, n_outputs))
    P = Y + RNG.normal(scale=0.5, size=(2, 20, n_outputs))
    w = RNG.uniform(0.1, 2, size=(2, 20)) if weighted else None
    ours = r2(Y, P, w)
    for k in range(2):
        expected = r2_score(Y, P[k], sample_weight=None if w is None else w[k])
        assert ours[k] == pytest.approx(expected, rel=1e-12)


def test_r2_of_a_constant_target_and_of_non_finite_predictions():
    Y = np.ones((5, 1))
    P = np.stack([np.ones((5, 1)), np.zeros((5, 1)), np.full((5, 1), np.nan)])
    np.testing.assert_array_equal(r2(Y, P)[:2], [1.0, 0.0])
    assert np.isnan(r2(Y, P)[2])
    assert r2_score(Y, P[0]) == 1.0 and r2_score(Y, P[1]) == 0.0


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_accuracy_matches_scikit_learn(kind):
    n = 30
    if kind == "binary":
        Y = RNG.randint(2, size=(n, 1)).astype(float)
        P = RNG.uniform(size=(2, n, 1))
        predicted = (P > 0.5).astype(float)
        out = "logistic"
    elif kind == "multiclass":
        Y = np.eye(4)[RNG.randint(4, size=n)]
        P = RNG.dirichlet(np.ones(4), size=(2, n))
        predicted = np.eye(4)[P.argmax(axis=-1)]
        out = "softmax"
    else:
        Y = RNG.randint(2, size=(n, 3)).astype(float)
        P = RNG.uniform(size=(2, n, 3))
        predicted = (P > 0.5).astype(float)
        out = "logistic"
    w = RNG.uniform(size=(2, n))
    ours = accuracy(Y, P, out, w)
    for k in range(2):
        assert ours[k] == pytest.approx(accuracy_score(Y, predicted[k], sample_weight=w[k]))
