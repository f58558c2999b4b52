"""The training objective of K networks on one batch: value and gradient.

``L_k(theta) = mean_w l(y, p) + R(W) / n_k``: the weighted mean over the
batch of the data loss plus the weight penalty divided by the weighted size
``n_k`` of model k's training set (``alpha ||W||^2 / (2 n_k)`` for L2, the
lecture's ``L'(theta) = L(theta) + lambda/2 ||theta||_2``). This one function
serves the stochastic loop, L-BFGS and the finite-difference gradient checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .averages import sample_fractions
from .backend import is_numpy
from .layout import Layout
from .losses import LOSSES, output_delta, squared_error_from_residual
from .network import Workspace, backward, forward
from .penalties import Penalty
from .types import Array, Inputs


@dataclass
class Objective:
    """What defines the objective besides the data and the parameters.

    Parameters
    ----------
    layout : Layout
    activation, out_activation : str
        Hidden and output activations.
    loss : str
        Key of :data:`~.losses.LOSSES`.
    penalty : Penalty
        The weight penalty with each model's strength ``alpha / n_k``.
    include_l1 : bool
        Include the penalty's L1 part (value and subgradient). Gradient
        descent leaves it out and takes a proximal step instead; L-BFGS
        replaces it by a smooth change of variables.
    norms : bool
        Compute the per-layer gradient norms (else they are returned as 0).
    """

    layout: Layout
    activation: str
    out_activation: str
    loss: str
    penalty: Penalty
    include_l1: bool = True
    norms: bool = True

    def __post_init__(self):
        self._bound = None  # (params, grads) whose per-layer views are cached

    def __call__(
        self,
        X: Inputs,
        Y: Array,
        params: Array,
        grads: Array,
        work: Workspace,
        sample_weight: Array | None = None,
    ) -> tuple[Array, Array]:
        """Loss per model and gradient (written into ``grads``, shape ``(K, P)``).

        Parameters
        ----------
        X, Y : the batch (``X`` shared ``(n, d)`` or per model ``(K, n, d)``).
        params, grads : ndarray of shape (K, P)
        work : Workspace
            Buffers for this batch size (and its dropout masks, already drawn).
        sample_weight : ndarray of shape (K, n), default=None

        Returns
        -------
        loss : ndarray of shape (K,)
            Data loss plus penalty (without its L1 part if ``include_l1`` is
            False).
        data_grad_norms : ndarray of shape (K, n_layers)
            Norm of each layer's weight gradient of the data loss alone
            (penalty excluded): the quantity that vanishes in deep sigmoid nets.
        """
        layout, numpy = self.layout, is_numpy(params)
        coefs, intercepts, grad_coefs, grad_intercepts = self._views(params, grads)
        P = forward(X, coefs, intercepts, self.activation, self.out_activation, work)
        # The residual p - y is the output delta of every loss here; the squared
        # error is read off it, the others need p and y.
        residual = work.deltas[-1] = output_delta(Y, P)
        if self.loss == "squared_error":
            loss = squared_error_from_residual(residual, sample_weight)
        else:
            loss = LOSSES[self.loss].value(Y, P, sample_weight)
        # The data term is a weighted mean: scale the output delta by w / sum(w),
        # and every gradient, linear in it, comes out already divided.
        if sample_weight is None:
            delta_weight = 1.0 / X.shape[-2]
        else:
            delta_weight = sample_fractions(sample_weight)
        backward(X, Y, coefs, self.activation, work, grad_coefs, grad_intercepts,
                 delta_weight, residual_ready=True)
        # numpy: backward wrote into views of grads; concatenating and copying
        # instead costs 6.5 us a step on the tiny network (22 x 20, (30, 15)), 5%
        # of its epoch, 8 us on the small one
        if not numpy:  # another namespace: backward filled lists, not views
            grads[...] = layout.flat(grad_coefs, grad_intercepts)
        if self.norms:
            norms = np.sqrt(layout.layer_sq_norms(layout.weights(grads)))
        else:
            norms = np.zeros((params.shape[0], layout.n_layers))
        loss = loss + self.penalty.add_gradient(params, grads, self.include_l1)
        return loss, norms

    def _views(self, params: Array, grads: Array) -> tuple[list, list, list, list]:
        """Per-layer weights and biases of ``params``, and where backward puts the
        gradient: views of ``grads`` (numpy, cached per buffer), or, for another
        Array API namespace, empty lists that backward fills with new arrays."""
        layout = self.layout
        if not is_numpy(params):
            empty = [None] * layout.n_layers
            return layout.coefs(params), layout.intercepts(params), empty, list(empty)
        if self._bound is None or self._bound[0] is not params or self._bound[1] is not grads:
            self._bound = (params, grads, layout.coefs(params), layout.intercepts(params),
                           layout.coefs(grads), layout.intercepts(grads))
        return self._bound[2:]
