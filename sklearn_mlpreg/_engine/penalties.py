"""Weight penalties (regularization terms), over weights only: biases are never
penalized (the lecture: "usually not consider biases").

A penalty acts on the weight block ``W`` of the flat parameter buffer, shape
``(K, n_weights)``, with a per-model ``strength = alpha / n`` of shape
``(K, 1)``, ``n`` the (weighted) size of the model's training set. Every
penalty is a mix of two terms, ``R(W) = l2 ||W||_2^2 / 2 + l1 ||W||_1``:

* ``l2`` (``l2 = 1``): gradient ``strength W``, weight decay, the slide's
  ``w <- (1 - eta lambda) w - eta dL/dw``;
* ``l1`` (``l1 = 1``): gradient ``strength sgn(w)``, the slide's
  ``w <- w - eta dL/dw - eta lambda sgn(w)`` ("always delete");
* ``elasticnet``: ``l1 = l1_ratio`` and ``l2 = 1 - l1_ratio``, as in
  scikit-learn's ``SGDRegressor``;
* ``none``: no penalty.

A gradient step on the L1 term jumps across zero instead of landing on it.
Gradient-descent training therefore takes the L1 part as a proximal step
after each update of the rest (:meth:`Penalty.proximal_step`): the slide's
``- eta lambda sgn(w)``, except that a weight it would carry across zero stops
at exactly zero (soft thresholding; the truncated gradient of Langford et al.,
2009). A weight then stays at zero as long as the data gradient's pull is
weaker than lambda, the optimality condition of an L1-penalized minimum.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]

PENALTY_NAMES = ("l2", "l1", "elasticnet", "none")


class Penalty:
    """``R(W) = l2 ||W||^2 / 2 + l1 ||W||_1``, scaled by each model's strength.

    Parameters
    ----------
    name : {"l2", "l1", "elasticnet", "none"}
    l1_ratio : float, default=0.15
        Share of L1 in ``"elasticnet"``.
    """

    def __init__(self, name: str, l1_ratio: float = 0.15):
        shares = {"l2": (1.0, 0.0), "l1": (0.0, 1.0), "none": (0.0, 0.0),
                  "elasticnet": (1.0 - l1_ratio, l1_ratio)}
        self.name = name
        self.l2, self.l1 = shares[name]

    def value(self, W: Array, strength: Array, include_l1: bool = True) -> Array:
        """``strength * R(W)`` per model, shape ``(K,)`` (without the L1 part if
        ``include_l1=False``)."""
        total = np.zeros(W.shape[0], dtype=W.dtype)
        if self.l2:
            total += 0.5 * self.l2 * np.einsum("kp,kp->k", W, W)
        if self.l1 and include_l1:
            total += self.l1 * np.abs(W).sum(axis=1)
        return strength[:, 0] * total

    def l1_value(self, W: Array, strength: Array) -> Array:
        """The L1 part alone, ``strength * l1 ||W||_1`` per model."""
        return strength[:, 0] * (self.l1 * np.abs(W).sum(axis=1))

    def add_gradient(self, W: Array, strength: Array, grad_W: Array,
                     include_l1: bool = True) -> Array:
        """``grad_W += strength * (l2 W + l1 sgn(W))`` in place.

        With ``include_l1=False`` only the smooth (L2) part is added: the L1
        part is then taken by :meth:`proximal_step` (gradient descent) or by
        a change of variables (L-BFGS).
        """
        if self.l2:
            grad_W += (self.l2 * strength) * W
        if self.l1 and include_l1:
            grad_W += (self.l1 * strength) * np.sign(W)
        return grad_W

    def proximal_step(self, W: Array, step: Array, strength: Array) -> Array:
        """Soft thresholding, ``w <- sgn(w) max(|w| - step l1 strength, 0)``, in place.

        Parameters
        ----------
        W : ndarray of shape (K, n_weights)
            Weights right after the optimizer's step on the smooth part.
        step : ndarray broadcastable to ``W``
            The step size each weight just took (``eta`` for SGD,
            ``eta_t / (sqrt(v) + eps)`` per weight for Adam).
        strength : ndarray of shape (K, 1)
        """
        threshold = step * (self.l1 * strength)
        shrunk = np.abs(W) - threshold
        np.maximum(shrunk, 0, out=shrunk)
        np.copysign(shrunk, W, out=W)
        return W
