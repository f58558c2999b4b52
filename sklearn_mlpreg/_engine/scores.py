"""Validation scores of K models at once: R^2 and accuracy.

These are the scores scikit-learn's MLPs monitor for early stopping
(``r2_score`` with uniform averaging over outputs, ``accuracy_score`` with
exact match for multilabel targets), computed from network outputs and
label indicators without leaving numpy. A model whose outputs are not all
finite scores NaN, as in scikit-learn.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


def _weighted_sum(values: Array, sample_weight: Array | None) -> Array:
    """Sum over the samples axis of ``(K, n, ...)``, weighted by ``(K, n)``."""
    if sample_weight is None:
        return values.sum(axis=1)
    return np.einsum("kn...,kn->k...", values, sample_weight)


def r2(Y: Array, P: Array, sample_weight: Array | None = None) -> Array:
    """Coefficient of determination per model, averaged over outputs.

    Parameters
    ----------
    Y : ndarray of shape (n, n_outputs)
        True targets.
    P : ndarray of shape (K, n, n_outputs)
        Predictions of K models.
    sample_weight : ndarray of shape (K, n), default=None

    Returns
    -------
    score : ndarray of shape (K,)
        ``1 - sum w (y - p)^2 / sum w (y - mean_w(y))^2``; an output with
        constant ``y`` scores 1 if predicted exactly, else 0.
    """
    n_models, n_samples = P.shape[:2]
    Y = np.broadcast_to(Y, P.shape)
    if sample_weight is None:
        total = np.full(n_models, n_samples, dtype=float)
    else:
        total = sample_weight.sum(axis=1)
    mean = _weighted_sum(Y, sample_weight) / total[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        numerator = _weighted_sum((Y - P) ** 2, sample_weight)
    denominator = _weighted_sum((Y - mean[:, None, :]) ** 2, sample_weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_output = 1 - numerator / denominator
    constant = denominator == 0
    per_output = np.where(constant, np.where(numerator == 0, 1.0, 0.0), per_output)
    score = per_output.mean(axis=1)
    score[~np.isfinite(P).all(axis=(1, 2))] = np.nan
    return score


def accuracy(
    Y: Array, P: Array, out_activation: str, sample_weight: Array | None = None
) -> Array:
    """Fraction of samples whose every label is predicted right, per model.

    Parameters
    ----------
    Y : ndarray of shape (n, n_outputs)
        Label indicators (one column for binary targets).
    P : ndarray of shape (K, n, n_outputs)
        Predicted probabilities.
    out_activation : {"logistic", "softmax"}
    sample_weight : ndarray of shape (K, n), default=None

    Returns
    -------
    score : ndarray of shape (K,)
    """
    if out_activation == "softmax":
        correct = P.argmax(axis=-1) == np.asarray(Y).argmax(axis=-1)
    else:
        correct = ((P > 0.5) == (np.asarray(Y) > 0.5)).all(axis=-1)
    correct = correct.astype(float)
    if sample_weight is None:
        score = correct.mean(axis=1)
    else:
        score = (correct * sample_weight).sum(axis=1) / sample_weight.sum(axis=1)
    score[~np.isfinite(P).all(axis=(1, 2))] = np.nan
    return score


SCORES = {"r2": r2, "accuracy": accuracy}
