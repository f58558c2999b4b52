"""The numba kernels of the penalty's non-smooth parts: the proximal L1 and group
steps of one model's weights (see :mod:`.kernels`, whose update calls them),
and the vectorized sums they and the update measure norms with.

The steps call the rules of :mod:`..rules` (:func:`..rules.soft_threshold`,
:func:`..rules.group_shrink`) that the reference (:mod:`..penalties`) calls
on arrays.
"""

from __future__ import annotations

import numpy as np

from .. import formulas as f
from ..jit import jit
from ..rules import group_shrink, soft_threshold
from ..types import Array

#: See :mod:`..jit`: numba compiles this file anew when any compiled source changes.
CACHE_KEY = "f4a963a9338b8588"

_jit = jit


def _sum_of_products(a: Array, b: Array) -> float:
    """``sum(a * b)``, vectorized: the order of the additions is free."""
    total = 0.0
    for i in range(a.shape[0]):
        total += a[i] * b[i]
    return total


_sum_of_products = _jit(_sum_of_products, fastmath={"reassoc"})


def _sum_of_abs(a: Array) -> float:
    """``sum(|a|)``, vectorized: the order of the additions is free."""
    total = 0.0
    for i in range(a.shape[0]):
        total += abs(a[i])
    return total


_sum_of_abs = _jit(_sum_of_abs, fastmath={"reassoc"})


@_jit
def _proximal_l1(weights: Array, v: Array, rate: float, l1: float, epsilon: float,
                 adam: bool) -> float:
    """The proximal L1 step on the weights (:func:`..rules.soft_threshold`) with
    the threshold ``step * l1``, ``step`` the step size each weight took
    (``rate`` for SGD, ``rate / (sqrt(v) + eps)`` for Adam); returns
    ``||W||_1`` before the step."""
    l1_norm = _sum_of_abs(weights)
    if adam:
        for p in range(weights.shape[0]):
            weights[p] = soft_threshold(weights[p], f.adam_step_size(v[p], rate, epsilon) * l1)
    else:
        threshold = rate * l1
        for p in range(weights.shape[0]):
            weights[p] = soft_threshold(weights[p], threshold)
    return l1_norm


@_jit
def _proximal_group(first: Array, units: int, v: Array, rate: float, group: float,
                    epsilon: float, adam: bool) -> float:
    """The proximal group step on the first layer's weights ``first`` (one row
    of ``units`` weights per input, contiguous): each row times
    :func:`..rules.group_shrink` of its norm and the threshold ``step *
    group``, ``step`` the row's step size (``rate`` for SGD; for Adam the
    harmonic mean of its weights' ``rate / (sqrt(v) + eps)``, see
    :meth:`..penalties.Penalty.proximal_step`); returns ``sum_j ||W1[j]||``
    before the step."""
    total = 0.0
    for j in range(first.shape[0] // units):
        row = first[j * units:(j + 1) * units]
        norm = np.sqrt(_sum_of_products(row, row))
        total += norm
        step = rate
        if adam:
            inverse = 0.0
            for p in range(units):
                inverse += 1.0 / f.adam_step_size(v[j * units + p], rate, epsilon)
            step = units / inverse
        factor = group_shrink(norm, step * group)
        for p in range(units):
            row[p] *= factor
    return total
