"""Dropout: the two conventions, the expectation at predict time, Monte-Carlo dropout."""

import numpy as np
import pytest

from sklearn_mlpreg import MLPClassifier, MLPRegressor
from sklearn_mlpreg._engine.dropout import draw_masks, predict_stochastic
from sklearn_mlpreg._engine.initializers import initialize
from sklearn_mlpreg._engine.network import Architecture, Layout, Workspace, predict
from sklearn_mlpreg._engine.objective import Objective
from sklearn_mlpreg._engine.penalties import Penalty

RATES = (0.5, 0.2)
UNITS = [3, 16, 8, 1]
RNG = np.random.RandomState(0)
X = RNG.normal(size=(40, 3))
Y = np.sin(X[:, :1]) + X[:, 1:2] ** 2


def net(activation, mode="inverted", rates=RATES):
    return Architecture(tuple(UNITS), activation, "identity", rates, mode)


def no_dropout(activation):
    return Architecture(tuple(UNITS), activation, "identity")


def sgd_with_dropout(params, mode, learning_rates, steps=200, seed=0):
    """Plain SGD (no momentum, no penalty) on full batches with fresh masks."""
    layout = Layout(UNITS)
    work = Workspace(layout, 1, len(X), np.float64, dropout=RATES)
    objective = Objective(layout, "tanh", "identity", "squared_error",
                          Penalty.named("none", 0.15, [0.0], layout.n_weights))
    grads = np.empty_like(params)
    rng = np.random.RandomState(seed)
    for _ in range(steps):
        draw_masks(work, [rng], mode)
        objective(X, Y, params, grads, work)
        params -= learning_rates * grads
    return layout.unpack(params[0])


def test_weight_scaling_and_inverted_dropout_are_the_same_network():
    """The exact relation between the two conventions.

    A weight-scaling net whose weights leaving a dropout layer are
    ``w / (1 - p)`` computes exactly what the inverted net with ``w`` computes,
    on every mask, while the gradient of those weights is ``(1 - p)`` times the
    inverted one. Plain SGD therefore keeps the two in step when those weights
    take the learning rate ``eta / (1 - p)^2`` (and every other parameter
    ``eta``): with the same masks, the final predictions agree to rounding.
    """
    layout = Layout(UNITS)
    coefs, intercepts = initialize(UNITS, np.random.RandomState(1), activation="tanh")
    inverted = layout.pack(coefs, intercepts, layout.empty(1, np.float64))
    scaled_coefs = [coefs[0]] + [c / (1 - p) for c, p in zip(coefs[1:], RATES)]
    scaling = layout.pack(scaled_coefs, intercepts, layout.empty(1, np.float64))

    eta = 0.01
    rates_inverted = np.full(layout.n_params, eta)
    rates_scaling = rates_inverted.copy()
    for i, p in enumerate(RATES):
        start, stop = layout.coef_starts[i + 1], layout.coef_starts[i + 2]
        rates_scaling[start:stop] = eta / (1 - p) ** 2

    c_inv, b_inv = sgd_with_dropout(inverted, "inverted", rates_inverted)
    c_ws, b_ws = sgd_with_dropout(scaling, "weight_scaling", rates_scaling)
    predicted_inv = predict(X, c_inv, b_inv, net("tanh", "inverted"))
    predicted_ws = predict(X, c_ws, b_ws, net("tanh", "weight_scaling"))
    np.testing.assert_allclose(predicted_ws, predicted_inv, rtol=1e-10, atol=1e-12)
    unscaled = predict(X, coefs, intercepts, no_dropout("tanh"))
    assert np.abs(predicted_inv - unscaled).max() > 0.1


@pytest.mark.parametrize("mode", ["inverted", "weight_scaling"])
def test_predict_time_output_is_the_expected_training_output_of_a_linear_net(mode):
    """Law of large numbers: for a linear network the average of many training
    (dropout) passes converges to the predict-time output."""
    coefs, intercepts = initialize(UNITS, np.random.RandomState(2), activation="identity")
    deterministic = predict(X, coefs, intercepts, net("identity", mode))
    passes = predict_stochastic(X, coefs, intercepts, net("identity", mode),
                                np.random.RandomState(3), n_passes=20000)
    standard_error = passes.std(axis=0) / np.sqrt(passes.shape[0])
    assert np.all(np.abs(passes.mean(axis=0) - deterministic) < 5 * standard_error)
    assert standard_error.max() < 0.05 * np.abs(deterministic).max()


def test_nonlinear_net_is_only_approximately_its_average():
    coefs, intercepts = initialize(UNITS, np.random.RandomState(2), activation="relu")
    deterministic = predict(X, coefs, intercepts, no_dropout("relu"))
    passes = predict_stochastic(X, coefs, intercepts, net("relu"),
                                np.random.RandomState(3), n_passes=2000)
    assert np.abs(passes.mean(axis=0) - deterministic).max() > 0  # not exact


def fit(**params):
    defaults = dict(hidden_layer_sizes=(32, 16), dropout=RATES, max_iter=60,
                    batch_size=8, learning_rate_init=0.01, random_state=0)
    return MLPRegressor(**{**defaults, **params}).fit(X, Y.ravel())


def test_masks_follow_random_state_and_change_the_training():
    a, b, c = fit(), fit(), fit(random_state=1)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert not np.allclose(a.coefs_[0], c.coefs_[0])
    without = fit(dropout=0.0)
    assert not np.allclose(a.coefs_[1], without.coefs_[1])


def test_no_dropout_at_predict_time():
    model = fit()
    np.testing.assert_array_equal(model.predict(X), model.predict(X))
    expected = predict(X, model.coefs_, model.intercepts_, no_dropout("relu"))
    np.testing.assert_allclose(model.predict(X), expected.ravel())


def test_weight_scaling_predicts_with_outgoing_weights_times_keep_rate():
    model = fit(dropout_mode="weight_scaling")
    scaled = [model.coefs_[0]] + [c * (1 - p) for c, p in zip(model.coefs_[1:], RATES)]
    expected = predict(X, scaled, model.intercepts_, no_dropout("relu"))
    np.testing.assert_allclose(model.predict(X), expected.ravel())


def test_monte_carlo_dropout_returns_mean_and_spread():
    model = fit(mc_samples=400)
    mean, std = model.predict(X, return_std=True)
    assert mean.shape == std.shape == (len(X),)
    assert np.all(std > 0) and np.isfinite(mean).all()
    assert np.abs(mean - model.predict(X)).mean() < std.mean()
    again, _ = model.predict(X, return_std=True)
    np.testing.assert_array_equal(mean, again)  # reproducible with an int random_state
    far = np.full((1, 3), 6.0)  # outside the training data: more uncertain
    assert model.predict(far, return_std=True)[1][0] > np.median(std)


def test_monte_carlo_dropout_without_dropout_says_it_cannot():
    model = fit(dropout=0.0)
    with pytest.raises(ValueError, match="needs a network trained with dropout"):
        model.predict(X, return_std=True)


def test_dropout_rate_count_must_match_the_hidden_layers():
    with pytest.raises(ValueError, match="one rate or one per hidden layer"):
        fit(dropout=(0.5, 0.2, 0.1))
    with pytest.raises(ValueError, match=r"in \[0, 1\)"):
        fit(dropout=(0.5, 1.0))


def test_dropout_is_refused_with_lbfgs():
    with pytest.raises(ValueError, match="dropout needs a stochastic solver"):
        fit(solver="lbfgs")


def test_classifier_trains_with_per_layer_dropout():
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    clf = MLPClassifier(hidden_layer_sizes=(32, 16), dropout=(0.5, 0.2), max_iter=300,
                        random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.9
