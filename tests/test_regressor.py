"""MLPRegressor specifics: outputs, losses, targets."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_regression
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LinearRegression

from sklearn_mlpreg import MLPRegressor


def test_multi_output_regression():
    X, Y = make_regression(n_samples=200, n_features=6, n_targets=3, random_state=1)
    model = MLPRegressor(hidden_layer_sizes=(30,), solver="lbfgs", max_iter=300,
                         random_state=0).fit(X, Y)
    assert model.predict(X).shape == (200, 3) and model.n_outputs_ == 3
    assert model.score(X, Y) > 0.95


def test_beats_a_linear_model_on_a_nonlinear_target():
    rng = np.random.RandomState(0)
    X = rng.uniform(-3, 3, size=(300, 2))
    y = np.sin(X[:, 0]) * X[:, 1]
    model = MLPRegressor(hidden_layer_sizes=(40, 20), solver="lbfgs", max_iter=500,
                         random_state=0).fit(X[:200], y[:200])
    linear = LinearRegression().fit(X[:200], y[:200])
    assert model.score(X[200:], y[200:]) > 0.9 > linear.score(X[200:], y[200:]) + 0.5


def test_column_target_is_raveled_with_a_warning():
    X, y = make_regression(n_samples=30, n_features=2, random_state=0)
    with pytest.warns(DataConversionWarning):
        model = MLPRegressor(hidden_layer_sizes=(3,), max_iter=5).fit(X, y[:, None])
    assert model.predict(X).shape == (30,)


def test_poisson_rejects_negative_targets_and_predicts_positive():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(100, 2))
    with pytest.raises(ValueError, match="non-negative targets"):
        MLPRegressor(loss="poisson").fit(X, X[:, 0] - 0.5)
    y = rng.poisson(np.exp(X @ [1.0, 0.5]))
    model = MLPRegressor(loss="poisson", hidden_layer_sizes=(5,), solver="lbfgs",
                         random_state=0).fit(X, y)
    assert model.out_activation_ == "exp" and (model.predict(X) > 0).all()


def test_partial_fit_twice_equals_fit_for_two_epochs():
    X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    y = y / y.std()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = MLPRegressor(hidden_layer_sizes=(4,), solver="sgd", max_iter=2,
                              batch_size=50, random_state=0).fit(X, y)
    stepped = MLPRegressor(hidden_layer_sizes=(4,), solver="sgd", batch_size=50,
                           random_state=0)
    stepped.partial_fit(X, y).partial_fit(X, y)
    np.testing.assert_allclose(stepped.coefs_[0], fitted.coefs_[0], rtol=1e-12)
