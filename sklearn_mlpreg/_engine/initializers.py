"""Initial weights and biases.

Each initializer draws one layer's ``(W, b)`` from a ``numpy.random.RandomState``
and consumes it in a fixed order (weights, then biases), so that the same
seed gives the same network as scikit-learn's MLP for ``glorot_uniform``.

* ``glorot_uniform``: ``U(-r, r)`` with ``r = sqrt(6 / (fan_in + fan_out))``,
  or ``sqrt(2 / (fan_in + fan_out))`` for a logistic hidden layer
  (Glorot & Bengio, 2010; scikit-learn's choice); biases from the same law.
* ``he_normal``: ``N(0, 2 / fan_in)`` weights and zero biases (He et al., 2015),
  suited to ReLU.
* a float ``sigma``: every weight and bias from ``N(0, sigma^2)``, the
  lecture's "small initial weights" regularization (sigma = 0.002).
"""

from __future__ import annotations

from itertools import pairwise
from numbers import Real

import numpy as np
from numpy.typing import DTypeLike, NDArray

Array = NDArray[np.floating]
Scheme = str | float


def glorot_uniform(
    rng: np.random.RandomState, fan_in: int, fan_out: int, activation: str = "relu"
) -> tuple[Array, Array]:
    """Glorot uniform draw of one layer (scikit-learn's bound and order)."""
    factor = 2.0 if activation == "logistic" else 6.0
    bound = np.sqrt(factor / (fan_in + fan_out))
    W = rng.uniform(-bound, bound, (fan_in, fan_out))
    b = rng.uniform(-bound, bound, fan_out)
    return W, b


def he_normal(
    rng: np.random.RandomState, fan_in: int, fan_out: int, activation: str = "relu"
) -> tuple[Array, Array]:
    """He normal draw: ``W ~ N(0, 2 / fan_in)``, ``b = 0``."""
    W = rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out))
    return W, np.zeros(fan_out)


def normal(
    rng: np.random.RandomState, fan_in: int, fan_out: int, sigma: float
) -> tuple[Array, Array]:
    """Every weight and bias from ``N(0, sigma^2)``."""
    W = rng.normal(0.0, sigma, (fan_in, fan_out))
    b = rng.normal(0.0, sigma, fan_out)
    return W, b


INITIALIZERS = {"glorot_uniform": glorot_uniform, "he_normal": he_normal}


def initialize(
    layer_units: list[int],
    rng: np.random.RandomState,
    scheme: Scheme = "glorot_uniform",
    activation: str = "relu",
    dtype: DTypeLike = np.float64,
) -> tuple[list[Array], list[Array]]:
    """Draw the weights and biases of every layer.

    Parameters
    ----------
    layer_units : list of int
        Units per layer, input and output included.
    rng : numpy.random.RandomState
        The source of randomness; consumed layer by layer, weights first.
    scheme : {"glorot_uniform", "he_normal"} or float
        The initializer, or the standard deviation of a normal draw.
    activation : str
        Hidden activation (selects Glorot's factor for ``"logistic"``).
    dtype : dtype
        Dtype of the returned arrays.

    Returns
    -------
    coefs, intercepts : lists of ndarray
        ``coefs[i]`` has shape ``(layer_units[i], layer_units[i + 1])``.
    """
    coefs, intercepts = [], []
    for fan_in, fan_out in pairwise(layer_units):
        if isinstance(scheme, Real) and not isinstance(scheme, bool):
            W, b = normal(rng, fan_in, fan_out, float(scheme))
        else:
            W, b = INITIALIZERS[scheme](rng, fan_in, fan_out, activation)
        coefs.append(W.astype(dtype, copy=False))
        intercepts.append(b.astype(dtype, copy=False))
    return coefs, intercepts
