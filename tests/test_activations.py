"""Activations: values against their formulas, derivatives against finite differences."""

import warnings

import numpy as np
import pytest

from sklearn_mlpreg._engine.activations import (
    ACTIVATIONS,
    OUTPUT_ACTIVATIONS,
    saturation,
)

FORMULAS = {
    "identity": lambda z: z,
    "logistic": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_value_matches_formula(name):
    z = np.linspace(-6, 6, 41).reshape(1, 1, -1)
    np.testing.assert_allclose(ACTIVATIONS[name].value(z.copy()), FORMULAS[name](z),
                               rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_finite_differences(name):
    rng = np.random.RandomState(0)
    z = rng.uniform(-4, 4, size=(2, 5, 3))
    z[np.abs(z) < 1e-3] = 0.5  # keep away from the kinks of relu / leaky_relu
    f = ACTIVATIONS[name].value
    eps = 1e-6
    numeric = (f(z + eps) - f(z - eps)) / (2 * eps)
    delta = np.ones_like(z)
    analytic = ACTIVATIONS[name].derivative(f(z.copy()), delta)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def test_extreme_inputs_neither_overflow_nor_warn():
    z = np.array([[[-1e4, -800.0, 0.0, 800.0, 1e4]]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = ACTIVATIONS["logistic"].value(z.copy())
        s = OUTPUT_ACTIVATIONS["softmax"].value(z.copy())
        t = ACTIVATIONS["tanh"].value(z.copy())
    np.testing.assert_allclose(p[0, 0, [0, 2, 4]], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(s.sum(axis=-1), 1.0)
    assert s[0, 0, -1] == pytest.approx(1.0) and np.isfinite(t).all()


def test_softmax_is_shift_invariant_and_normalized():
    rng = np.random.RandomState(1)
    z = rng.normal(size=(3, 4, 5))
    softmax = OUTPUT_ACTIVATIONS["softmax"].value
    np.testing.assert_allclose(softmax(z.copy()), softmax(z.copy() + 100.0))
    expected = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(softmax(z.copy()), expected)


def test_saturation_counts_dead_and_saturated_units():
    A = np.array([[[0.0, 1.0, 0.0], [0.0, 2.0, 3.0]]])  # unit 0 dead on both samples
    assert saturation("relu", A) == pytest.approx([1 / 3])
    P = np.array([[[0.999, 0.5], [0.001, 0.6]]])  # A(1-A) < 0.0125 at 0.999, 0.001
    assert saturation("logistic", P) == pytest.approx([0.5])
    T = np.array([[[0.999, 0.0]]])
    assert saturation("tanh", T) == pytest.approx([0.5])
    assert saturation("identity", A) == pytest.approx([0.0])
