"""Losses: the same values as scikit-learn's for one output, summed over outputs."""

import numpy as np
import pytest
from sklearn.neural_network._base import LOSS_FUNCTIONS as SKLEARN_LOSSES

from sklearn_mlpreg._engine.losses import LOSSES, output_delta

RNG = np.random.RandomState(0)
N = 12


def targets_and_predictions(name, n_outputs):
    if name == "squared_error":
        return RNG.normal(size=(N, n_outputs)), RNG.normal(size=(N, n_outputs))
    if name == "poisson":
        return (RNG.poisson(3.0, size=(N, n_outputs)).astype(float),
                RNG.uniform(0.5, 5, size=(N, n_outputs)))
    if name == "binary_log_loss":
        return ((RNG.uniform(size=(N, n_outputs)) > 0.5).astype(float),
                RNG.uniform(0.01, 0.99, size=(N, n_outputs)))
    P = RNG.dirichlet(np.ones(n_outputs), size=N)
    return np.eye(n_outputs)[RNG.randint(n_outputs, size=N)], P


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("weighted", [False, True])
def test_single_output_values_match_scikit_learn(name, weighted):
    n_outputs = 3 if name == "log_loss" else 1
    Y, P = targets_and_predictions(name, n_outputs)
    w = RNG.uniform(0.1, 2, size=N) if weighted else None
    ours = LOSSES[name].value(Y, P[None], None if w is None else w[None])
    assert ours.shape == (1,)
    np.testing.assert_allclose(ours[0], SKLEARN_LOSSES[name](Y, P, w), rtol=1e-12)


@pytest.mark.parametrize("name", ["squared_error", "poisson", "binary_log_loss"])
def test_outputs_are_summed(name):
    Y, P = targets_and_predictions(name, 3)
    total = LOSSES[name].value(Y, P[None])[0]
    parts = [LOSSES[name].value(Y[:, [j]], P[None, :, [j]])[0] for j in range(3)]
    np.testing.assert_allclose(total, sum(parts))


def test_a_model_whose_batch_has_only_zero_weights_has_zero_loss():
    Y, P = targets_and_predictions("squared_error", 1)
    w = np.ones((2, N))
    w[1] = 0.0
    loss = LOSSES["squared_error"].value(Y, np.stack([P, P]), w)
    assert np.isfinite(loss).all() and loss[1] == 0.0


def test_output_delta_is_prediction_minus_target():
    Y, P = targets_and_predictions("squared_error", 2)
    np.testing.assert_array_equal(output_delta(Y, P), P - Y)
