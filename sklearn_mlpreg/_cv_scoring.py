"""Fold scores of K stacked networks at once.

Calling a scikit-learn scorer once per (alpha, fold) model and per train /
test set costs more than training the whole stack on small data (about 0.7
ms a call, mostly input checking). The common scores are therefore computed
from the stacked predictions ``P`` (``(K, n, n_outputs)``) for all models
together, each model seeing only its rows through a 0/1 mask; the values
equal scikit-learn's scorers (tested), including their sample weighting and
R^2's NaN for fewer than two samples. Other scorers go through scikit-learn.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


def _weighted_mean(values: Array, mask: Array) -> Array:
    """Per-model weighted mean over samples of ``(K, n)`` values."""
    return (values * mask).sum(axis=1) / mask.sum(axis=1)


def neg_mean_squared_error(Y, P, mask, out_activation):
    """``-mean_w (y - p)^2``, averaged over outputs."""
    return -_weighted_mean(((Y - P) ** 2).mean(axis=-1), mask)


def neg_root_mean_squared_error(Y, P, mask, out_activation):
    """``-sqrt(mean_w (y - p)^2)`` per output, averaged over outputs."""
    per_output = ((Y - P) ** 2 * mask[..., None]).sum(axis=1) / mask.sum(axis=1)[:, None]
    return -np.sqrt(per_output).mean(axis=-1)


def neg_mean_absolute_error(Y, P, mask, out_activation):
    """``-mean_w |y - p|``, averaged over outputs."""
    return -_weighted_mean(np.abs(Y - P).mean(axis=-1), mask)


def r2(Y, P, mask, out_activation):
    """R^2 per output (averaged); NaN below two samples, as scikit-learn."""
    total = mask.sum(axis=1)[:, None]
    mean = (Y[None] * mask[..., None]).sum(axis=1) / total
    numerator = ((Y - P) ** 2 * mask[..., None]).sum(axis=1)
    denominator = ((Y[None] - mean[:, None, :]) ** 2 * mask[..., None]).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_output = 1 - numerator / denominator
    per_output = np.where(denominator == 0, np.where(numerator == 0, 1.0, 0.0),
                          per_output)
    score = per_output.mean(axis=1)
    score[(mask > 0).sum(axis=1) < 2] = np.nan
    return score


def _correct(Y, P, out_activation):
    if out_activation == "softmax":
        return (P.argmax(axis=-1) == Y.argmax(axis=-1)).astype(float)
    return ((P > 0.5) == (Y > 0.5)).all(axis=-1).astype(float)


def accuracy(Y, P, mask, out_activation):
    """Share of samples with every label right."""
    return _weighted_mean(_correct(Y, P, out_activation), mask)


def neg_log_loss(Y, P, mask, out_activation):
    """``-mean_w sum_c y_c log p_c`` with scikit-learn's clipping."""
    if out_activation == "logistic" and P.shape[-1] == 1:
        P = np.concatenate([1 - P, P], axis=-1)
        Y = np.concatenate([1 - Y, Y], axis=-1)
    elif out_activation == "logistic":
        return np.full(P.shape[0], np.nan)  # multilabel: not a scikit-learn log loss
    eps = np.finfo(P.dtype).eps
    P = np.clip(P, eps, 1 - eps)
    P = P / P.sum(axis=-1, keepdims=True)
    return _weighted_mean((Y * np.log(P)).sum(axis=-1), mask)


#: scoring name -> (function, task it applies to).
FAST_SCORES = {
    "neg_mean_squared_error": (neg_mean_squared_error, "regression"),
    "neg_root_mean_squared_error": (neg_root_mean_squared_error, "regression"),
    "neg_mean_absolute_error": (neg_mean_absolute_error, "regression"),
    "r2": (r2, "regression"),
    "accuracy": (accuracy, "classification"),
    "neg_log_loss": (neg_log_loss, "classification"),
}


def fast_score_name(scoring, default: str, classifier: bool, multilabel: bool = False):
    """The name of the vectorized score to use for ``scoring``, or None."""
    name = default if scoring is None else scoring
    if not isinstance(name, str) or name not in FAST_SCORES:
        return None
    if (FAST_SCORES[name][1] == "classification") != classifier:
        return None
    if multilabel and name == "neg_log_loss":
        return None
    return name


def stacked_scores(name, Y, P, rows, sample_weight, out_activation):
    """Score of every model on its own rows.

    Parameters
    ----------
    name : str
        A key of :data:`FAST_SCORES`.
    Y : ndarray of shape (n, n_outputs)
        Targets (label indicators for classifiers).
    P : ndarray of shape (K, n, n_outputs)
        Outputs of the K models on all rows.
    rows : list of K index arrays
        The rows each model is scored on.
    sample_weight : ndarray of shape (n,) or None
    out_activation : str

    Returns
    -------
    scores : ndarray of shape (K,)
    """
    mask = np.zeros(P.shape[:2])
    for k, r in enumerate(rows):
        mask[k, r] = 1.0 if sample_weight is None else sample_weight[r]
    with np.errstate(all="ignore"):  # a diverged model scores NaN, silently
        return FAST_SCORES[name][0](Y, P, mask, out_activation)
