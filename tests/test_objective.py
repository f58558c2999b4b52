"""Analytic gradients of the engine's objective against central finite differences."""

import numpy as np
import pytest

from sklearn_mlpreg._engine.activations import ACTIVATIONS
from sklearn_mlpreg._engine.initializers import initialize
from sklearn_mlpreg._engine.losses import LOSSES
from sklearn_mlpreg._engine.network import Layout, Workspace
from sklearn_mlpreg._engine.objective import Objective
from sklearn_mlpreg._engine.penalties import Penalty

N_SAMPLES, N_FEATURES, HIDDEN = 7, 3, (4, 3)


def make_problem(loss, n_outputs, rng):
    X = rng.normal(size=(N_SAMPLES, N_FEATURES))
    if loss == "squared_error":
        Y = rng.normal(size=(N_SAMPLES, n_outputs))
    elif loss == "poisson":
        Y = rng.poisson(2.0, size=(N_SAMPLES, n_outputs)).astype(float)
    elif loss == "binary_log_loss":
        Y = (rng.uniform(size=(N_SAMPLES, n_outputs)) > 0.5).astype(float)
    else:
        Y = np.eye(n_outputs)[rng.randint(n_outputs, size=N_SAMPLES)]
    return X, Y


def stacked_params(layout, activation, n_models, rng):
    params = layout.empty(n_models, np.float64)
    for k in range(n_models):
        coefs, intercepts = initialize(list(layout.layer_units), rng, "glorot_uniform",
                                       activation)
        layout.pack([c[None] for c in coefs], [b[None] for b in intercepts], params[k:k + 1])
    return params


def problem_and_params(seed, loss, n_outputs, activation, n_models=2):
    """A batch, a layout with the test's hidden sizes, and K stacked networks."""
    rng = np.random.RandomState(seed)
    X, Y = make_problem(loss, n_outputs, rng)
    layout = Layout([N_FEATURES, *HIDDEN, n_outputs])
    return X, Y, layout, stacked_params(layout, activation, n_models, rng)


def relative_error(numeric, analytic):
    return np.linalg.norm(numeric - analytic) / np.linalg.norm(numeric + analytic)


def check_gradient(objective, X, Y, params, sample_weight, work, eps=1e-6):
    grads = np.empty_like(params)
    objective(X, Y, params, grads, work, sample_weight)
    numeric = np.empty_like(params)
    scratch = np.empty_like(params)
    for j in range(params.shape[1]):
        shifted = params.copy()
        shifted[:, j] += eps
        plus, _ = objective(X, Y, shifted, scratch, work, sample_weight)
        shifted[:, j] -= 2 * eps
        minus, _ = objective(X, Y, shifted, scratch, work, sample_weight)
        numeric[:, j] = (plus - minus) / (2 * eps)
    return max(relative_error(numeric[k], grads[k]) for k in range(params.shape[0]))


# A softmax over one output is constant, so log_loss needs several outputs.
LOSS_OUTPUTS = [(loss, n) for loss in sorted(LOSSES) for n in (1, 3)
                if not (loss == "log_loss" and n == 1)]


@pytest.mark.parametrize("alpha", [0.0, 0.7])
@pytest.mark.parametrize("loss, n_outputs", LOSS_OUTPUTS)
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_gradient_matches_finite_differences(activation, loss, n_outputs, alpha):
    rng = np.random.RandomState(0)
    X, Y = make_problem(loss, n_outputs, rng)
    layout = Layout([N_FEATURES, *HIDDEN, n_outputs])
    n_models = 2
    params = stacked_params(layout, activation, n_models, rng)
    # Per-model sample weights, one sample left out of the second model (a fold).
    sample_weight = rng.uniform(0.5, 2.0, size=(n_models, N_SAMPLES))
    sample_weight[1, 2] = 0.0
    strength = alpha / sample_weight.sum(axis=1)
    objective = Objective(layout, activation, LOSSES[loss].out_activation, loss,
                          Penalty.named("l2", 0.15, strength, layout.n_weights))
    work = Workspace(layout, n_models, N_SAMPLES, np.float64)
    assert check_gradient(objective, X, Y, params, sample_weight, work) < 1e-6


def test_gradient_with_per_model_inputs_and_no_weights():
    """Mini-batches of K models stack their own rows: X of shape (K, n, d)."""
    rng = np.random.RandomState(1)
    layout = Layout([N_FEATURES, 5, 2])
    params = stacked_params(layout, "tanh", 3, rng)
    X = rng.normal(size=(3, N_SAMPLES, N_FEATURES))
    Y = rng.normal(size=(3, N_SAMPLES, 2))
    objective = Objective(layout, "tanh", "identity", "squared_error",
                          Penalty.named("l2", 0.15, np.full(3, 0.1), layout.n_weights))
    work = Workspace(layout, 3, N_SAMPLES, np.float64)
    assert check_gradient(objective, X, Y, params, None, work) < 1e-6


def test_biases_are_not_penalized():
    rng = np.random.RandomState(2)
    layout = Layout([N_FEATURES, 4, 1])
    params = stacked_params(layout, "relu", 1, rng)
    X, Y = make_problem("squared_error", 1, rng)
    work = Workspace(layout, 1, N_SAMPLES, np.float64)
    grads_0, grads_1 = np.empty_like(params), np.empty_like(params)
    make = lambda s: Objective(layout, "relu", "identity", "squared_error",  # noqa: E731
                               Penalty.named("l2", 0.15, [s], layout.n_weights))
    loss_0, _ = make(0.0)(X, Y, params, grads_0, work)
    loss_1, _ = make(0.5)(X, Y, params, grads_1, work)
    W = layout.weights(params)
    np.testing.assert_allclose(loss_1 - loss_0, 0.25 * np.sum(W * W))
    bias = slice(layout.n_weights, None)
    np.testing.assert_array_equal(grads_0[:, bias], grads_1[:, bias])
    np.testing.assert_allclose(layout.weights(grads_1 - grads_0), 0.5 * W)


def test_gradient_norms_exclude_the_penalty():
    rng = np.random.RandomState(3)
    layout = Layout([N_FEATURES, 4, 4, 1])
    params = stacked_params(layout, "relu", 1, rng)
    X, Y = make_problem("squared_error", 1, rng)
    work = Workspace(layout, 1, N_SAMPLES, np.float64)
    grads = np.empty_like(params)
    objective = Objective(layout, "relu", "identity", "squared_error",
                          Penalty.named("l2", 0.15, [0.0], layout.n_weights))
    _, norms = objective(X, Y, params, grads, work)
    expected = [np.linalg.norm(g) for g in layout.coefs(grads)]
    np.testing.assert_allclose(norms[0], expected)
    _, norms_penalized = Objective(layout, "relu", "identity", "squared_error",
                                   Penalty.named("l2", 0.15, [10.0], layout.n_weights))(
        X, Y, params, grads, work)
    np.testing.assert_allclose(norms_penalized, norms)


@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_l1_and_elastic_net_gradients_away_from_zero(activation, penalty):
    X, Y, layout, params = problem_and_params(4, "squared_error", 2, activation)
    weights = layout.weights(params)
    assert np.abs(weights).min() > 1e-4  # finite differences never straddle a kink
    objective = Objective(layout, activation, "identity", "squared_error",
                          Penalty.named(penalty, 0.4, [0.3, 1.1], layout.n_weights))
    work = Workspace(layout, 2, N_SAMPLES, np.float64)
    assert check_gradient(objective, X, Y, params, None, work) < 1e-6


@pytest.mark.parametrize("mode", ["inverted", "weight_scaling"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_dropout_gradient_with_a_fixed_mask(activation, mode):
    from sklearn_mlpreg._engine.dropout import draw_masks

    X, Y, layout, params = problem_and_params(5, "binary_log_loss", 2, activation)
    work = Workspace(layout, 2, N_SAMPLES, np.float64, dropout=(0.5, 0.2))
    draw_masks(work, [np.random.RandomState(0), np.random.RandomState(1)], mode)
    assert all(0 < (m == 0).mean() < 1 for m in work.masks)  # some units dropped
    objective = Objective(layout, activation, "logistic", "binary_log_loss",
                          Penalty.named("l2", 0.15, [0.2, 0.0], layout.n_weights))
    assert check_gradient(objective, X, Y, params, None, work) < 1e-6
