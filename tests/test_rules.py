"""The rules of :mod:`sklearn_mlpreg._engine.rules`: one text, the same numbers
compiled (one model's scalars) and in Python (arrays of K models)."""

import math

import numpy as np
import pytest

from sklearn_mlpreg._engine import rules
from sklearn_mlpreg._engine.jit import in_namespace, njit, plain
from sklearn_mlpreg._engine.optimizers import cosine_factor

RNG = np.random.RandomState(0)


def both(rule, *arrays):
    """The rule on arrays (Python) and model by model (compiled, or Python
    without numba)."""
    vectorized = np.asarray(plain(rule)(*arrays))
    scalar = np.array([rule(*(a[i] for a in arrays)) for i in range(len(arrays[0]))])
    return vectorized, scalar


def test_schedules_and_correction_agree():
    epochs, horizon = np.arange(12.0), np.full(12, 7.0)
    vectorized, scalar = both(rules.cosine_share, epochs, horizon)
    np.testing.assert_array_equal(vectorized, cosine_factor(epochs, horizon))
    np.testing.assert_allclose(scalar, vectorized, rtol=1e-15)
    assert scalar[0] == 1.0 and scalar[-1] == scalar[7]  # stays at the end
    t = RNG.uniform(0, 1e4, 9)
    vectorized, scalar = both(rules.invscaling_rate, np.full(9, 0.1), t, np.full(9, 0.5))
    np.testing.assert_allclose(vectorized, 0.1 / (t + 1) ** 0.5, rtol=1e-15)
    np.testing.assert_allclose(scalar, vectorized, rtol=1e-15)
    for step in (1, 2, 10, 1000):  # Python floats: the C library's pow, as compiled
        expected = 1e-3 * math.sqrt(1 - 0.999**step) / (1 - 0.9**step)
        assert rules.adam_step_size(1e-3, float(step), 0.9, 0.999) == expected
        assert plain(rules.adam_step_size)(1e-3, step, 0.9, 0.999) == expected


def test_stopping_and_divergence_rules_agree():
    loss = np.array([1.0, np.nan, np.inf, 2e7, 2e7, 0.5])
    first = np.full(6, 10.0)
    guard = np.array([True, True, True, True, False, True])
    vectorized, scalar = both(rules.is_diverged, loss, first, guard)
    np.testing.assert_array_equal(vectorized, [False, True, True, True, False, False])
    np.testing.assert_array_equal(scalar.astype(bool), vectorized)
    best, tol = np.array([1.0, 1.0, 1.0]), np.full(3, 1e-4)
    vectorized, scalar = both(rules.loss_stalled, np.array([0.5, 0.99995, 2.0]), best, tol)
    np.testing.assert_array_equal(vectorized, [False, True, True])
    np.testing.assert_array_equal(scalar.astype(bool), vectorized)
    vectorized, scalar = both(rules.score_stalled, np.array([0.5, np.nan, 2.0]), best, tol)
    np.testing.assert_array_equal(vectorized, [True, False, False])  # NaN compares False
    np.testing.assert_array_equal(scalar.astype(bool), vectorized)
    vectorized, scalar = both(rules.next_count, np.array([3, 3]), np.array([True, False]))
    np.testing.assert_array_equal(vectorized, [4, 0])
    np.testing.assert_array_equal(scalar, vectorized)
    assert rules.epoch_status(True, 99.0, 2.0) == rules.DIVERGED
    assert rules.epoch_status(False, 3.0, 2.0) == rules.CONVERGED
    assert rules.epoch_status(False, 2.0, 2.0) == rules.TRAINING


def test_stop_message():
    assert rules.stop_message(False, 1e-4, 10, " Stopping.") == (
        "Training loss did not improve more than tol=0.000100 for 10 consecutive epochs."
        " Stopping.")
    assert rules.stop_message(True, 0.0, 3, "").startswith("Validation score")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_soft_threshold_agrees_in_every_namespace(dtype):
    w = np.array([-2.0, -0.3, -0.0, 0.0, 0.05, 0.3, 2.0, np.inf, -np.inf, np.nan],
                 dtype=dtype)
    threshold = np.full_like(w, 0.1)
    vectorized, scalar = both(rules.soft_threshold, w, threshold)
    expected = np.copysign(np.maximum(np.abs(w) - threshold, 0), w)
    assert vectorized.dtype == dtype
    np.testing.assert_array_equal(vectorized, expected)
    np.testing.assert_array_equal(np.signbit(vectorized), np.signbit(expected))
    np.testing.assert_array_equal(scalar.astype(dtype), expected)
    xp = pytest.importorskip("array_api_strict")
    strict = in_namespace(rules.soft_threshold, xp)(xp.asarray(w), xp.asarray(threshold))
    np.testing.assert_array_equal(np.asarray(strict), expected)
    assert in_namespace(rules.soft_threshold, np) is plain(rules.soft_threshold)


def test_constants_and_codes_are_the_ones_the_engine_uses():
    from sklearn_mlpreg._engine import activations, state

    assert activations.LEAKY_RELU_SLOPE is rules.LEAKY_RELU_SLOPE
    assert state.EXPLOSION_FACTOR is rules.EXPLOSION_FACTOR
    assert set(rules.HIDDEN_CODES) == set(activations.ACTIVATIONS)
    assert set(rules.OUTPUT_CODES) == set(activations.OUTPUT_ACTIVATIONS)
    assert len(set(rules.HIDDEN_CODES.values())) == len(rules.HIDDEN_CODES)
    A = np.array([[[0.01, 0.5], [0.995, 0.5]]])  # logistic outputs
    assert activations.saturation("logistic", A)[0] == 0.5
    if njit is not None:
        assert hasattr(rules.cosine_share, "py_func")  # compiled where numba is
