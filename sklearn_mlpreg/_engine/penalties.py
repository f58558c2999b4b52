"""Weight penalties (regularization terms), over weights only: biases are never
penalized (the lecture: "usually not consider biases").

Each penalty acts on the weight block ``W`` of the flat parameter buffer,
shape ``(K, n_weights)``, with a per-model ``strength = alpha / n`` of shape
``(K, 1)``, where ``n`` is the (weighted) size of the model's training set,
and the elastic-net mix ``l1_ratio`` (ignored by the others).

* ``l2``: ``strength * ||W||_2^2 / 2``, gradient ``strength * W`` (weight
  decay: the slide's ``w <- (1 - eta lambda) w - eta dL/dw``).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


def l2_value(W: Array, strength: Array, l1_ratio: float = 0.0) -> Array:
    """``strength * sum(w^2) / 2`` per model, shape ``(K,)``."""
    return 0.5 * strength[:, 0] * np.einsum("kp,kp->k", W, W)


def l2_add_gradient(
    W: Array, strength: Array, grad_W: Array, l1_ratio: float = 0.0
) -> Array:
    """``grad_W += strength * W`` in place."""
    grad_W += strength * W
    return grad_W


def none_value(W: Array, strength: Array, l1_ratio: float = 0.0) -> Array:
    """No penalty: 0 per model."""
    return np.zeros(W.shape[0], dtype=W.dtype)


def none_add_gradient(
    W: Array, strength: Array, grad_W: Array, l1_ratio: float = 0.0
) -> Array:
    """No penalty: leave the gradient unchanged."""
    return grad_W


class Penalty(NamedTuple):
    """A weight penalty: its value and the in-place addition of its gradient."""

    value: Callable[[Array, Array, float], Array]
    add_gradient: Callable[[Array, Array, Array, float], Array]


#: Penalty name -> (value, add_gradient).
PENALTIES: dict[str, Penalty] = {
    "l2": Penalty(l2_value, l2_add_gradient),
    "none": Penalty(none_value, none_add_gradient),
}
