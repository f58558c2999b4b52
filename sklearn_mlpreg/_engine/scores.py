"""Scores of K models at once, from stacked predictions.

One implementation serves early stopping (the validation score of every
epoch) and cross-validation (every (candidate, fold) model scored on its own
rows). Each function takes the targets ``Y`` ``(n, n_outputs)`` (label
indicators for classifiers), the predictions ``P`` ``(K, n, n_outputs)`` and a
per-model weight ``(K, n)`` (a fold's 0/1 mask times the sample weights) or
None, and returns ``(K,)``. The values equal scikit-learn's metrics with the
same sample weights (tested). A model whose predictions on its rows are not
all finite scores NaN, and so does R^2 on fewer than two samples, as in
scikit-learn.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .averages import total_weight, weighted_mean, weighted_sum
from .types import Array


def _per_sample(values: Array) -> Array:
    """Mean over outputs: ``(K, n, o) -> (K, n)``."""
    return values.mean(axis=-1)


def r2(Y: Array, P: Array, weight: Array | None = None, out_activation: str = "identity"
       ) -> Array:
    """Coefficient of determination per model, averaged over outputs.

    ``1 - sum w (y - p)^2 / sum w (y - mean_w(y))^2``; an output with constant
    ``y`` scores 1 if predicted exactly, else 0.
    """
    K, n = P.shape[:2]
    Y = np.broadcast_to(Y, P.shape)
    total = total_weight(weight, K, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = weighted_sum(Y, weight) / total[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        numerator = weighted_sum((Y - P) ** 2, weight)
    denominator = weighted_sum((Y - mean[:, None, :]) ** 2, weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_output = 1 - numerator / denominator
    constant = denominator == 0
    per_output = np.where(constant, np.where(numerator == 0, 1.0, 0.0), per_output)
    score = per_output.mean(axis=1)
    n_used = np.full(K, n) if weight is None else (weight > 0).sum(axis=1)
    score[n_used < 2] = np.nan
    return score


def neg_mean_squared_error(Y: Array, P: Array, weight: Array | None = None,
                           out_activation: str = "identity") -> Array:
    """``-mean_w (y - p)^2``, averaged over outputs."""
    return -weighted_mean(_per_sample((Y - P) ** 2), weight)


def neg_root_mean_squared_error(Y: Array, P: Array, weight: Array | None = None,
                                out_activation: str = "identity") -> Array:
    """``-sqrt(mean_w (y - p)^2)`` per output, averaged over outputs."""
    return -np.sqrt(weighted_mean((Y - P) ** 2, weight)).mean(axis=-1)


def neg_mean_absolute_error(Y: Array, P: Array, weight: Array | None = None,
                            out_activation: str = "identity") -> Array:
    """``-mean_w |y - p|``, averaged over outputs."""
    return -weighted_mean(_per_sample(np.abs(Y - P)), weight)


def accuracy(Y: Array, P: Array, weight: Array | None = None,
             out_activation: str = "logistic") -> Array:
    """Share of samples whose every label is predicted right (exact match).

    ``out_activation`` tells how outputs become labels: the largest of a
    softmax, or each logistic output above 0.5.
    """
    if out_activation == "softmax":
        correct = P.argmax(axis=-1) == Y.argmax(axis=-1)
    else:
        correct = ((P > 0.5) == (Y > 0.5)).all(axis=-1)
    return weighted_mean(correct.astype(float), weight)


def neg_log_loss(Y: Array, P: Array, weight: Array | None = None,
                 out_activation: str = "softmax") -> Array:
    """``-mean_w sum_c y_c log p_c`` with scikit-learn's clipping and row
    normalization; a binary logistic output is its two-column probability."""
    if out_activation == "logistic" and P.shape[-1] == 1:
        P = np.concatenate([1 - P, P], axis=-1)
        Y = np.broadcast_to(np.concatenate([1 - Y, Y], axis=-1), P.shape)
    elif out_activation == "logistic":
        return np.full(P.shape[0], np.nan)  # multilabel: not a scikit-learn log loss
    eps = np.finfo(P.dtype).eps
    P = np.clip(P, eps, 1 - eps)
    P = P / P.sum(axis=-1, keepdims=True)
    return weighted_mean((Y * np.log(P)).sum(axis=-1), weight)


Score = Callable[..., Array]

#: Score name (scikit-learn's scoring name) -> (function, task it applies to).
SCORES: dict[str, tuple[Score, str]] = {
    "r2": (r2, "regression"),
    "neg_mean_squared_error": (neg_mean_squared_error, "regression"),
    "neg_root_mean_squared_error": (neg_root_mean_squared_error, "regression"),
    "neg_mean_absolute_error": (neg_mean_absolute_error, "regression"),
    "accuracy": (accuracy, "classification"),
    "neg_log_loss": (neg_log_loss, "classification"),
}


def score(name: str, Y: Array, P: Array, weight: Array | None = None,
          out_activation: str = "identity") -> Array:
    """The score ``name`` of K models (NaN for non-finite predictions).

    Parameters
    ----------
    name : str
        A key of :data:`SCORES`.
    Y : ndarray of shape (n, n_outputs)
    P : ndarray of shape (K, n, n_outputs)
    weight : ndarray of shape (K, n), default=None
        Each model's weight of each sample (0: not scored).
    out_activation : str
        The networks' output activation (how outputs become labels).

    Returns
    -------
    scores : ndarray of shape (K,)
    """
    finite = np.isfinite(P) if weight is None else np.isfinite(P) | (weight == 0)[..., None]
    with np.errstate(all="ignore"):  # a diverged model scores NaN, silently
        values = SCORES[name][0](Y, P, weight, out_activation)
    values = np.asarray(values, dtype=float)
    values[~finite.all(axis=(1, 2))] = np.nan
    return values
