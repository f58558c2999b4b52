"""Validation scores of K models against scikit-learn's metrics."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, r2_score

from sklearn_mlpreg._engine.scores import SCORES, accuracy, r2, score

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
    assert np.isnan(score("r2", Y, P)[2])
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
    ours = accuracy(Y, P, w, out)
    for k in range(2):
        assert ours[k] == pytest.approx(accuracy_score(Y, predicted[k], sample_weight=w[k]))


def sklearn_scorer_value(name, Y, p, w, out_activation):
    """scikit-learn's value of the scorer ``name`` on one model's predictions."""
    from sklearn import metrics

    if name == "neg_log_loss":
        proba = np.column_stack([1 - p[:, 0], p[:, 0]]) if p.shape[1] == 1 else p
        labels = Y[:, 0] if Y.shape[1] == 1 else Y.argmax(axis=1)
        return -metrics.log_loss(labels, proba, sample_weight=w, labels=range(proba.shape[1]))
    if name == "accuracy":
        predicted = (p > 0.5).astype(float) if out_activation == "logistic" else np.eye(
            p.shape[1])[p.argmax(axis=1)]
        return metrics.accuracy_score(Y, predicted, sample_weight=w)
    function = {"r2": metrics.r2_score, "neg_mean_squared_error": metrics.mean_squared_error,
                "neg_root_mean_squared_error": metrics.root_mean_squared_error,
                "neg_mean_absolute_error": metrics.mean_absolute_error}[name]
    value = function(Y, p, sample_weight=w)
    return value if name == "r2" else -value


@pytest.mark.parametrize("name", sorted(SCORES))
def test_every_stacked_score_equals_scikit_learn_on_each_models_rows(name):
    """One implementation for early stopping and cross-validation: model k is
    scored on the rows its weight selects (a fold), with those weights."""
    rng = np.random.RandomState(1)
    n, K = 30, 3
    if SCORES[name][1] == "regression":
        Y, out = rng.normal(size=(n, 2)), "identity"
        P = Y + rng.normal(scale=0.7, size=(K, n, 2))
    else:
        Y, out = np.eye(3)[rng.randint(3, size=n)], "softmax"
        P = rng.dirichlet(np.ones(3), size=(K, n))
    weight = rng.uniform(0.5, 2.0, size=(K, n)) * (rng.uniform(size=(K, n)) > 0.3)
    ours = score(name, Y, P, weight, out)
    for k in range(K):
        rows = weight[k] > 0
        expected = sklearn_scorer_value(name, Y[rows], P[k, rows], weight[k, rows], out)
        assert ours[k] == pytest.approx(expected, rel=1e-10)


def test_r2_of_one_sample_is_nan_as_in_scikit_learn():
    Y = np.arange(4.0)[:, None]
    weight = np.array([[1.0, 0, 0, 0], [1.0, 1.0, 0, 0]])
    values = score("r2", Y, np.zeros((2, 4, 1)), weight)
    assert np.isnan(values[0]) and np.isfinite(values[1])
