"""Weighted averages over the samples axis, one per model.

Losses and scores of K stacked models reduce ``(K, n, ...)`` values over the
samples (axis 1) with a per-model weight ``(K, n)`` or None (every sample
weighs 1). A fold is a 0/1 weight; sample weights multiply it. This is the
one implementation of those reductions.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .backend import like, namespace

Array = NDArray[np.floating]


def weighted_sum(values: Array, weight: Array | None) -> Array:
    """``sum_i w_ki v_ki...``: ``(K, n, ...) -> (K, ...)``."""
    xp = namespace(values)
    if weight is None:
        return xp.sum(values, axis=1)
    # the standard's vecdot: 0.7 us on (1, 200) in numpy, einsum 1.4, a product and sum 3
    weight = xp.reshape(weight, tuple(weight.shape) + (1,) * (values.ndim - 2))
    return xp.vecdot(values, weight, axis=1 - values.ndim)  # (the samples axis)


def total_weight(weight: Array | None, n_models: int, n_samples: int) -> Array:
    """The weighted number of samples of each model, ``(K,)``."""
    if weight is None:
        return np.full(n_models, float(n_samples))
    return namespace(weight).sum(weight, axis=1)


def _positive(total: Array) -> Array:
    """``total`` with its zeros replaced by 1 (a model without weight divides by 1)."""
    return namespace(total).where(total > 0, total, like(1.0, total))


def weighted_mean(values: Array, weight: Array | None) -> Array:
    """Weighted mean over the samples axis, ``(K, n, ...) -> (K, ...)``.

    A model whose weights are all zero gets 0, not 0 / 0: a mini-batch may
    hold none of a model's samples, and then contributes nothing.
    """
    xp = namespace(values)
    if weight is None:
        return xp.mean(values, axis=1)
    total = _positive(xp.sum(weight, axis=1))
    total = xp.reshape(total, tuple(total.shape) + (1,) * (values.ndim - 2))
    return weighted_sum(values, weight) / total


def sample_fractions(weight: Array) -> Array:
    """``w / sum(w)`` per model: each sample's share of a weighted mean (the factor
    of its gradient), with a model of zero total weight left at zero."""
    return weight / _positive(namespace(weight).sum(weight, axis=1, keepdims=True))
