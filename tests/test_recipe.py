"""The lecture's claims, shown with fixed seeds.

* Each remedy of the "recipe of deep learning" (L2, L1, dropout, early
  stopping) narrows the gap between training and test error of a network
  that overfits.
* L1 at a large lambda leaves many weights exactly zero.
* Deep sigmoid networks suffer vanishing gradients; ReLU networks do not.
"""

import numpy as np
import pytest

from sklearn_mlpreg import MLPRegressor

SEEDS = range(5)
BASE = dict(hidden_layer_sizes=(64, 64), solver="adam", batch_size=30, max_iter=1000,
            learning_rate_init=0.01, tol=0.0, n_iter_no_change=np.inf, alpha=0.0)
REMEDIES = {
    "l2": dict(alpha=0.3),
    "l1": dict(penalty="l1", alpha=0.03),
    "dropout": dict(dropout=0.3),
    "early_stopping": dict(early_stopping=True, validation_fraction=0.2,
                           n_iter_no_change=50),
}


def overfitting_problem(seed):
    """30 noisy samples of a smooth function, 200 more to test on."""
    rng = np.random.RandomState(seed)
    x = rng.uniform(-3, 3, size=(230, 1))
    y = np.sin(x[:, 0]) + 0.3 * rng.normal(size=230)
    return x[:30], y[:30], x[30:], y[30:]


def train_test_mse(params, seed):
    X, y, X_test, y_test = overfitting_problem(seed)
    model = MLPRegressor(**{**BASE, **params, "random_state": seed}).fit(X, y)
    return (np.mean((model.predict(X) - y) ** 2),
            np.mean((model.predict(X_test) - y_test) ** 2), model)


@pytest.fixture(scope="module")
def unregularized():
    return [train_test_mse({}, seed) for seed in SEEDS]


def test_the_wide_network_overfits(unregularized):
    train, test = np.median([(r[0], r[1]) for r in unregularized], axis=0)
    assert train < 0.05 < 0.09 < test  # noise variance is 0.09
    assert test > 3 * train


@pytest.mark.parametrize("remedy", sorted(REMEDIES))
def test_each_remedy_narrows_the_train_test_gap(unregularized, remedy):
    gap_without = np.median([test - train for train, test, _ in unregularized])
    results = [train_test_mse(REMEDIES[remedy], seed) for seed in SEEDS]
    gap_with = np.median([test - train for train, test, _ in results])
    assert gap_with < 0.8 * gap_without
    test_without = np.median([r[1] for r in unregularized])
    test_with = np.median([r[1] for r in results])
    if remedy == "early_stopping":  # trains on 24 of the 30 samples: about even
        assert test_with < 1.05 * test_without
    else:  # the penalties and dropout also generalize clearly better
        assert test_with < 0.9 * test_without


def test_large_l1_on_the_overfitting_net_leaves_many_exact_zeros():
    *_, model = train_test_mse(dict(penalty="l1", alpha=1.0), seed=0)
    zeros = np.mean(np.concatenate([W.ravel() for W in model.coefs_]) == 0)
    assert zeros > 0.8


def test_early_stopping_stops_well_before_max_iter():
    stopped = [train_test_mse(REMEDIES["early_stopping"], seed)[2].n_iter_ for seed in SEEDS]
    assert max(stopped) < BASE["max_iter"] / 2


def first_epoch_gradient_ratio(activation, seed):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5))
    y = np.sin(X[:, 0]) + X[:, 1]
    model = MLPRegressor(hidden_layer_sizes=(30,) * 6, activation=activation, max_iter=1,
                         batch_size=200, random_state=seed).fit(X, y)
    norms = model.gradient_norms_[0]
    return norms[0] / norms[-1]


@pytest.mark.parametrize("seed", range(3))
def test_deep_sigmoid_gradients_vanish_relu_gradients_do_not(seed):
    """First-layer vs last-layer gradient norm in the first epoch (6 hidden layers)."""
    assert first_epoch_gradient_ratio("logistic", seed) < 1e-3
    assert first_epoch_gradient_ratio("relu", seed) > 1e-1


def test_saturation_shows_dead_relu_units():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3))
    model = MLPRegressor(hidden_layer_sizes=(20, 20), max_iter=3, random_state=0)
    model.fit(X, X[:, 0])
    assert model.saturation_.shape == (3, 2)
    model.intercepts_[0][:10] = -100.0  # ten units of the first layer can never fire
    model.set_params(warm_start=True, max_iter=1).fit(X, X[:, 0])
    assert model.saturation_[-1, 0] >= 0.5
    sigmoid = MLPRegressor(hidden_layer_sizes=(20,), activation="logistic", max_iter=1,
                           random_state=0).fit(100 * X, X[:, 0])
    assert sigmoid.saturation_[0, 0] > 0.5  # huge inputs saturate the sigmoid
