"""Activation functions and their derivatives, in place.

Every activation ``f`` comes as a pair (value, derivative):

* ``value(Z)`` overwrites the pre-activation ``Z = A_prev @ W + b`` with
  ``f(Z)`` and returns it;
* ``derivative(A, delta)`` multiplies the back-propagated error ``delta``
  (the gradient with respect to the layer's *output* ``A``) in place by
  ``f'(Z)``, written as a function of the output ``A = f(Z)`` so the forward
  pass need not keep ``Z`` (the chain-rule factor ``dn_7/dz`` of the lecture's
  backpropagation slide).

Arrays may carry any leading axes (``(K, n, units)`` for K stacked networks).
Nothing here overflows or warns: the logistic uses ``scipy.special.expit``
and the softmax subtracts the row maximum before exponentiating.

numpy arrays are overwritten in place; arrays of another Array API namespace
(:mod:`.backend`) get the same values as new arrays: use the returned array.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from .backend import namespace
from .rules import LEAKY_RELU_SLOPE, LOGISTIC_SATURATION, TANH_SATURATION

Array = NDArray[np.floating]


class Activation(NamedTuple):
    """An activation function: in-place value and in-place derivative."""

    value: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array]


def identity(Z: Array) -> Array:
    """Identity, ``f(z) = z``."""
    return Z


def identity_derivative(A: Array, delta: Array) -> Array:
    """``f'(z) = 1``: leave ``delta`` unchanged."""
    return delta


def logistic(Z: Array) -> Array:
    """Logistic sigmoid, ``f(z) = 1 / (1 + exp(-z))``, computed without overflow."""
    xp = np if type(Z) is np.ndarray else namespace(Z)
    if xp is np:
        return expit(Z, out=Z)
    # exp(-z) overflows to inf for z << 0, and 1 / (1 + inf) is the limit 0
    return 1.0 / (1.0 + xp.exp(-Z))


def logistic_derivative(A: Array, delta: Array) -> Array:
    """``f'(z) = f(z) (1 - f(z)) = A (1 - A)``; at most 1/4, hence vanishing gradients."""
    delta *= A
    delta *= 1 - A
    return delta


def tanh(Z: Array) -> Array:
    """Hyperbolic tangent, ``f(z) = tanh(z)``."""
    xp = np if type(Z) is np.ndarray else namespace(Z)
    return np.tanh(Z, out=Z) if xp is np else xp.tanh(Z)


def tanh_derivative(A: Array, delta: Array) -> Array:
    """``f'(z) = 1 - tanh(z)^2 = 1 - A^2``."""
    delta *= 1 - A * A
    return delta


def relu(Z: Array) -> Array:
    """Rectified linear unit, ``f(z) = max(0, z)``."""
    xp = np if type(Z) is np.ndarray else namespace(Z)
    if xp is np:
        return np.maximum(Z, 0, out=Z)
    return xp.clip(Z, min=0.0)


def _step(A: Array, low: float, dtype: object) -> Array:
    """``1 where A > 0 else low``, in ``dtype``."""
    xp = np if type(A) is np.ndarray else namespace(A)
    if xp is np:
        return np.where(A > 0, 1.0, low).astype(dtype)
    return xp.astype(A > 0, dtype) * (1.0 - low) + low  # (exact for both values)


def relu_derivative(A: Array, delta: Array) -> Array:
    """``f'(z) = 1 if z > 0 else 0``, i.e. ``1 where A > 0``."""
    if type(A) is np.ndarray or namespace(A) is np:
        delta *= A > 0
    else:
        delta *= namespace(A).astype(A > 0, delta.dtype)
    return delta


def leaky_relu(Z: Array) -> Array:
    """Leaky ReLU, ``f(z) = z if z > 0 else 0.01 z``."""
    if type(Z) is np.ndarray or namespace(Z) is np:
        return np.multiply(Z, _step(Z, LEAKY_RELU_SLOPE, Z.dtype), out=Z)
    return Z * _step(Z, LEAKY_RELU_SLOPE, Z.dtype)


def leaky_relu_derivative(A: Array, delta: Array) -> Array:
    """``f'(z) = 1 if z > 0 else 0.01``; ``A`` has the sign of ``z``."""
    delta *= _step(A, LEAKY_RELU_SLOPE, delta.dtype)
    return delta


def exp(Z: Array) -> Array:
    """Exponential, ``f(z) = exp(z)``: the inverse log link of the Poisson loss.

    Overflow gives ``inf`` without a warning; the training loop reports a
    non-finite loss as divergence.
    """
    xp = np if type(Z) is np.ndarray else namespace(Z)
    if xp is not np:
        return xp.exp(Z)
    with np.errstate(over="ignore"):
        return np.exp(Z, out=Z)


def softmax(Z: Array) -> Array:
    """Softmax over the last axis, ``f(z)_j = exp(z_j) / sum_k exp(z_k)``.

    The row maximum is subtracted first, so ``exp`` never overflows; a
    difference beyond the float range becomes ``-inf`` (``exp`` gives 0, the
    right limit) without a warning.
    """
    xp = np if type(Z) is np.ndarray else namespace(Z)
    if xp is not np:
        E = xp.exp(Z - xp.max(Z, axis=-1, keepdims=True))
        return E / xp.sum(E, axis=-1, keepdims=True)
    with np.errstate(over="ignore"):
        Z -= Z.max(axis=-1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=-1, keepdims=True)
    return Z


def _no_derivative(A: Array, delta: Array) -> Array:  # pragma: no cover - guard
    raise TypeError("output activations are paired with their loss; see losses.py")


#: Hidden-layer activations: name -> (value, derivative).
ACTIVATIONS: dict[str, Activation] = {
    "identity": Activation(identity, identity_derivative),
    "logistic": Activation(logistic, logistic_derivative),
    "tanh": Activation(tanh, tanh_derivative),
    "relu": Activation(relu, relu_derivative),
    "leaky_relu": Activation(leaky_relu, leaky_relu_derivative),
}

#: Output activations. Their derivative is folded into the loss's output delta
#: (canonical link), so only the value is used.
OUTPUT_ACTIVATIONS: dict[str, Activation] = {
    "identity": Activation(identity, identity_derivative),
    "logistic": Activation(logistic, _no_derivative),
    "softmax": Activation(softmax, _no_derivative),
    "exp": Activation(exp, _no_derivative),
}


def saturation(name: str, A: Array) -> Array:
    """Fraction of units per layer that pass (almost) no gradient.

    For ``relu`` a unit is *dead* when it outputs 0 for every sample of ``A``;
    for ``logistic`` and ``tanh`` a unit is *saturated* on a sample when
    ``f'(z)`` is below 5% of its maximum (``A (1 - A) < 0.0125`` or
    ``1 - A^2 < 0.05``, :mod:`.rules`), and the fraction is averaged over samples and units.

    Parameters
    ----------
    name : str
        Activation name.
    A : ndarray of shape (..., n_samples, n_units)
        Layer outputs.

    Returns
    -------
    fraction : ndarray of shape (...)
        One value per leading index (per model).
    """
    # plain ufunc reductions: np.mean / count_nonzero cost more than the
    # arithmetic on small layers
    if name == "relu":
        return np.add.reduce(A.max(axis=-2) <= 0, axis=-1, dtype=float) / A.shape[-1]
    if name == "logistic":
        flags = A * (1 - A) < LOGISTIC_SATURATION
    elif name == "tanh":
        flags = 1 - A * A < TANH_SATURATION
    else:
        return np.zeros(A.shape[:-2])
    return np.add.reduce(flags.reshape(flags.shape[:-2] + (-1,)), axis=-1,
                         dtype=float) / (A.shape[-2] * A.shape[-1])
