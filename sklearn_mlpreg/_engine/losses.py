"""Data losses, each paired with its output activation (canonical link).

For every pair used here (identity + squared error, exp + Poisson deviance,
logistic + binary cross entropy, softmax + categorical cross entropy) the
gradient of the loss with respect to the output pre-activation ``z`` is
``p - y`` (the first factor ``de/dy_1 * dy_1/dz`` of the lecture's
backpropagation), which is what :func:`output_delta` returns.

Shapes: predictions ``P`` are ``(K, n, n_outputs)`` (K stacked models), the
targets ``Y`` are ``(n, n_outputs)`` shared by all models or ``(K, n,
n_outputs)``, and ``sample_weight`` is ``None`` or ``(K, n)``. Every loss is a
weighted mean over samples and a *sum* over outputs and returns one value per
model, shape ``(K,)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from . import formulas
from .averages import weighted_mean
from .backend import namespace, numpy_dtype
from .jit import in_namespace

Array = NDArray[np.floating]


def _mean_over_samples(values: Array, sample_weight: Array | None) -> Array:
    """Sum over outputs, weighted mean over samples: ``(K, n, o) -> (K,)``."""
    return weighted_mean(namespace(values).sum(values, axis=-1), sample_weight)


def _terms(formula: Callable, Y: Array, P: Array, *eps: float) -> Array:
    """``formula`` of :mod:`.formulas` on every sample and output, in ``P``'s
    namespace (``0 log 0`` silently 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return in_namespace(formula, namespace(P))(P, Y, *eps)


def _eps(P: Array) -> float:
    """The clip of probabilities, scikit-learn's: the machine epsilon of ``P``'s dtype."""
    return float(np.finfo(numpy_dtype(P)).eps)


def squared_error(Y: Array, P: Array, sample_weight: Array | None = None) -> Array:
    """Half squared error, ``L = mean_n sum_o (y - p)^2 / 2``
    (:func:`.formulas.half_squared_error`).

    scikit-learn reports the mean over outputs instead of the sum, while its
    gradient is that of the sum; here value and gradient agree. For one output
    the two are the same.
    """
    return _mean_over_samples(_terms(formulas.half_squared_error, Y, P), sample_weight)


def squared_error_from_residual(R: Array, sample_weight: Array | None = None) -> Array:
    """The half squared error from the residual ``R = p - y``, shape ``(K,)``.

    One reduction instead of subtract, square, sum and mean: the training loop
    has the residual already (it is the output delta).
    """
    xp = namespace(R)
    if sample_weight is None:  # one dot product per model
        flat = xp.reshape(R, (R.shape[0], -1))
        return 0.5 * xp.vecdot(flat, flat) / R.shape[-2]
    return 0.5 * weighted_mean(xp.vecdot(R, R), sample_weight)


def poisson(Y: Array, P: Array, sample_weight: Array | None = None) -> Array:
    """Half Poisson deviance, ``L = mean_n sum_o [y log(y / p) - y + p]``
    (:func:`.formulas.poisson_deviance`)."""
    return _mean_over_samples(_terms(formulas.poisson_deviance, Y, P), sample_weight)


def binary_log_loss(Y: Array, P: Array, sample_weight: Array | None = None) -> Array:
    """Binary cross entropy per output, ``L = -mean_n sum_o [y log p + (1-y) log(1-p)]``
    (:func:`.formulas.binary_cross_entropy`).

    ``p`` is clipped to ``[eps, 1 - eps]`` as scikit-learn does.
    """
    return _mean_over_samples(_terms(formulas.binary_cross_entropy, Y, P, _eps(P)),
                              sample_weight)


def log_loss(Y: Array, P: Array, sample_weight: Array | None = None) -> Array:
    """Categorical cross entropy, ``L = -mean_n sum_c y_c log p_c`` (softmax output;
    :func:`.formulas.cross_entropy`)."""
    return _mean_over_samples(_terms(formulas.cross_entropy, Y, P, _eps(P)), sample_weight)


def output_delta(Y: Array, P: Array) -> Array:
    """Gradient of any canonical loss above with respect to ``z``: ``p - y``
    (:func:`.formulas.output_delta`)."""
    return in_namespace(formulas.output_delta, namespace(P))(P, Y)


class Loss(NamedTuple):
    """A data loss and the output activation it is paired with."""

    value: Callable[..., Array]
    out_activation: str


#: Loss name -> (value function, output activation).
LOSSES: dict[str, Loss] = {
    "squared_error": Loss(squared_error, "identity"),
    "poisson": Loss(poisson, "exp"),
    "binary_log_loss": Loss(binary_log_loss, "logistic"),
    "log_loss": Loss(log_loss, "softmax"),
}
