"""Initial weights: scikit-learn's draws for Glorot, the stated laws otherwise."""

import numpy as np
import pytest
from sklearn.neural_network import MLPRegressor as SkMLPRegressor

from sklearn_mlpreg._engine.initializers import glorot_uniform, initialize


@pytest.mark.parametrize("activation", ["relu", "logistic"])
def test_glorot_uniform_draws_what_scikit_learn_draws(activation):
    sk = SkMLPRegressor(activation=activation)
    sk._random_state = np.random.RandomState(3)
    expected = [sk._init_coef(a, b, np.float64) for a, b in [(4, 6), (6, 1)]]
    coefs, intercepts = initialize([4, 6, 1], np.random.RandomState(3), activation=activation)
    for (W, b), W_ours, b_ours in zip(expected, coefs, intercepts):
        np.testing.assert_array_equal(W, W_ours)
        np.testing.assert_array_equal(b, b_ours)


@pytest.mark.parametrize("activation, factor", [("relu", 6.0), ("logistic", 2.0)])
def test_glorot_bound(activation, factor):
    W, b = glorot_uniform(np.random.RandomState(0), 50, 30, activation)
    bound = np.sqrt(factor / 80)
    assert np.abs(W).max() <= bound and np.abs(W).max() > 0.95 * bound
    assert np.abs(b).max() <= bound


def test_dtype_and_shapes():
    coefs, intercepts = initialize([3, 5, 2], np.random.RandomState(0), "he_normal",
                                   dtype=np.float32)
    assert [c.shape for c in coefs] == [(3, 5), (5, 2)]
    assert [b.shape for b in intercepts] == [(5,), (2,)]
    assert all(a.dtype == np.float32 for a in coefs + intercepts)


def test_normal_sigma_draws_weights_and_biases():
    coefs, intercepts = initialize([200, 300, 1], np.random.RandomState(0), 0.002)
    assert coefs[0].std() == pytest.approx(0.002, rel=0.02)
    assert intercepts[0].std() == pytest.approx(0.002, rel=0.2)
    assert abs(coefs[0].mean()) < 1e-4
