"""Weighted averages over the samples axis, one per model.

Losses and scores of K stacked models reduce ``(K, n, ...)`` values over the
samples (axis 1) with a per-model weight ``(K, n)`` or None (every sample
weighs 1). A fold is a 0/1 weight; sample weights multiply it. This is the
one implementation of those reductions.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


def weighted_sum(values: Array, weight: Array | None) -> Array:
    """``sum_i w_ki v_ki...``: ``(K, n, ...) -> (K, ...)``."""
    if weight is None:
        return values.sum(axis=1)
    return np.einsum("kn...,kn->k...", values, weight)


def total_weight(weight: Array | None, n_models: int, n_samples: int) -> Array:
    """The weighted number of samples of each model, ``(K,)``."""
    if weight is None:
        return np.full(n_models, float(n_samples))
    return weight.sum(axis=1)


def weighted_mean(values: Array, weight: Array | None) -> Array:
    """Weighted mean over the samples axis, ``(K, n, ...) -> (K, ...)``.

    A model whose weights are all zero gets 0, not 0 / 0: a mini-batch may
    hold none of a model's samples, and then contributes nothing.
    """
    if weight is None:
        return values.mean(axis=1)
    total = weight.sum(axis=1)
    total = np.where(total > 0, total, 1).reshape(total.shape + (1,) * (values.ndim - 2))
    return weighted_sum(values, weight) / total


def sample_fractions(weight: Array) -> Array:
    """``w / sum(w)`` per model: each sample's share of a weighted mean (the factor
    of its gradient), with a model of zero total weight left at zero."""
    total = weight.sum(axis=1, keepdims=True)
    return weight / np.where(total > 0, total, 1)
