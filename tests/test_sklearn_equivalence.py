"""Same weights, same data: the same steps as scikit-learn's MLPs.

With the same ``random_state`` both libraries draw the same initial weights,
the same early-stopping split and the same shuffles, so after a few epochs the
weights must agree to rounding. Mini-batches are compared with ``alpha = 0``
because scikit-learn divides the penalty by the batch size (see the
``alpha`` docstring); full batches are compared with ``alpha > 0``.
"""

import warnings

import numpy as np
import pytest
from sklearn import neural_network
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlpreg import MLPClassifier, MLPRegressor

X_REG, Y_REG = make_regression(n_samples=60, n_features=5, noise=5.0, random_state=0)
Y_REG = Y_REG / Y_REG.std()
X_CLF, Y_CLF = load_iris(return_X_y=True)

CASES = [
    # solver, batch_size, alpha
    ("sgd", "auto", 0.5),
    ("adam", "auto", 0.5),
    ("sgd", 16, 0.0),
    ("adam", 16, 0.0),
    ("lbfgs", "auto", 0.5),
]


def fit_both(ours, theirs, params, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = ours(**params).fit(X, y, **fit_params)
        b = theirs(**params).fit(X, y, **fit_params)
    return a, b


def max_weight_difference(a, b):
    return max(np.abs(p - q).max() for p, q in
               zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_))


@pytest.mark.parametrize("solver, batch_size, alpha", CASES)
@pytest.mark.parametrize("estimators, data", [
    ((MLPRegressor, neural_network.MLPRegressor), (X_REG, Y_REG)),
    ((MLPClassifier, neural_network.MLPClassifier), (X_CLF, Y_CLF)),
    ((MLPClassifier, neural_network.MLPClassifier), (X_CLF, Y_CLF == 2)),
], ids=["regression", "multiclass", "binary"])
def test_three_epochs_take_the_same_steps(estimators, data, solver, batch_size, alpha):
    params = dict(hidden_layer_sizes=(7, 4), solver=solver, alpha=alpha,
                  batch_size=batch_size, max_iter=3, learning_rate_init=0.01,
                  random_state=0)
    a, b = fit_both(*estimators, params, *data)
    assert a.n_iter_ == b.n_iter_ == 3
    assert max_weight_difference(a, b) < 1e-10
    np.testing.assert_allclose(a.loss_, b.loss_, rtol=1e-10)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_sample_weights_take_the_same_steps(solver):
    sample_weight = np.random.RandomState(0).uniform(0.2, 3.0, size=len(Y_REG))
    params = dict(hidden_layer_sizes=(6,), solver=solver, alpha=0.3,
                  batch_size=len(Y_REG), max_iter=3, learning_rate_init=0.01,
                  random_state=1)
    a, b = fit_both(MLPRegressor, neural_network.MLPRegressor, params, X_REG, Y_REG,
                    sample_weight=sample_weight)
    assert max_weight_difference(a, b) < 1e-10


@pytest.mark.parametrize("learning_rate", ["invscaling", "adaptive"])
def test_sgd_schedules_take_the_same_steps(learning_rate):
    params = dict(hidden_layer_sizes=(5,), solver="sgd", learning_rate=learning_rate,
                  max_iter=40, tol=0.05, n_iter_no_change=2, random_state=0,
                  learning_rate_init=0.05, batch_size=20, alpha=0.0)
    a, b = fit_both(MLPRegressor, neural_network.MLPRegressor, params, X_REG, Y_REG)
    assert a.n_iter_ == b.n_iter_
    assert max_weight_difference(a, b) < 1e-10
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-9)


@pytest.mark.parametrize("estimators, data", [
    ((MLPRegressor, neural_network.MLPRegressor), (X_REG, Y_REG)),
    ((MLPClassifier, neural_network.MLPClassifier), (X_CLF, Y_CLF == 2)),
], ids=["regression", "binary"])
def test_early_stopping_matches(estimators, data):
    """Same split, same validation scores, same stopping epoch, same best weights."""
    params = dict(hidden_layer_sizes=(8,), solver="adam", early_stopping=True,
                  validation_fraction=0.2, n_iter_no_change=3, tol=1e-3,
                  learning_rate_init=0.05, max_iter=200, alpha=0.0, random_state=3)
    a, b = fit_both(*estimators, params, *data)
    assert a.n_iter_ == b.n_iter_ < 200
    np.testing.assert_allclose(a.validation_scores_, b.validation_scores_, rtol=1e-9)
    assert a.best_validation_score_ == pytest.approx(b.best_validation_score_, rel=1e-9)
    assert max_weight_difference(a, b) < 1e-10


def test_multioutput_regression_steps_agree_and_the_loss_sums_outputs():
    X, Y = make_regression(n_samples=40, n_features=4, n_targets=3, random_state=0)
    Y = Y / Y.std(axis=0)
    params = dict(hidden_layer_sizes=(6,), solver="sgd", alpha=0.0, max_iter=3,
                  learning_rate_init=0.01, random_state=0)
    a, b = fit_both(MLPRegressor, neural_network.MLPRegressor, params, X, Y)
    assert max_weight_difference(a, b) < 1e-10
    # scikit-learn reports the mean over outputs; the objective here sums them.
    np.testing.assert_allclose(a.loss_curve_, 3 * np.array(b.loss_curve_), rtol=1e-10)


def test_partial_fit_from_given_weights_matches():
    """Weights set by hand (as scikit-learn's worked example does) are honoured."""
    start = neural_network.MLPRegressor(hidden_layer_sizes=(5,), random_state=0,
                                        max_iter=1, solver="sgd")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start.fit(X_REG, Y_REG)
    a = MLPRegressor(hidden_layer_sizes=(5,), solver="sgd", random_state=0).partial_fit(
        X_REG, Y_REG)
    b = neural_network.MLPRegressor(hidden_layer_sizes=(5,), solver="sgd",
                                    random_state=0).partial_fit(X_REG, Y_REG)
    for est in (a, b):
        est.coefs_ = [c.copy() for c in start.coefs_]
        est.intercepts_ = [i.copy() for i in start.intercepts_]
    for _ in range(3):
        a.partial_fit(X_REG, Y_REG)
        b.partial_fit(X_REG, Y_REG)
    assert max_weight_difference(a, b) < 1e-10
