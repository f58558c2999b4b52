"""The training objective of K networks on one batch: value and gradient.

``L_k(theta) = mean_w l(y, p) + R(W) / n_k``: the weighted mean over the
batch of the data loss plus the weight penalty divided by the weighted size
``n_k`` of model k's training set (``alpha ||W||^2 / (2 n_k)`` for L2, the
lecture's ``L'(theta) = L(theta) + lambda/2 ||theta||_2``). This one function
serves the stochastic loop, L-BFGS and the finite-difference gradient checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from numpy.typing import NDArray

from .losses import LOSSES
from .network import Layout, Workspace, backward, forward
from .penalties import Penalty

Array = NDArray[np.floating]


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
    penalty : str
        A name of :data:`~.penalties.PENALTY_NAMES`.
    strength : ndarray of shape (K, 1)
        ``alpha / n_k`` per model.
    l1_ratio : float
        Mix of L1 in the elastic net.
    include_l1 : bool
        Include the penalty's L1 part (value and subgradient). Gradient
        descent leaves it out and takes a proximal step instead; L-BFGS
        replaces it by a smooth change of variables.
    """

    layout: Layout
    activation: str
    out_activation: str
    loss: str
    penalty: str
    strength: Array
    l1_ratio: float = 0.15
    include_l1: bool = True

    def __post_init__(self):
        self.penalty_terms = Penalty(self.penalty, self.l1_ratio)

    def __call__(
        self,
        X,
        Y: Array,
        params: Array,
        grads: Array,
        work: Workspace,
        sample_weight: Optional[Array] = None,
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
        layout = self.layout
        coefs = layout.coefs(params)
        P = forward(X, coefs, layout.intercepts(params), self.activation,
                    self.out_activation, work)
        loss = LOSSES[self.loss].value(Y, P, sample_weight)
        backward(X, Y, coefs, self.activation, work, layout.coefs(grads),
                 layout.intercepts(grads), sample_weight)
        if sample_weight is None:
            grads /= X.shape[-2]
        else:
            total = sample_weight.sum(axis=1)
            grads /= np.where(total > 0, total, 1)[:, None]
        W, grad_W = layout.weights(params), layout.weights(grads)
        norms = np.sqrt(layout.layer_sq_norms(grad_W))
        loss = loss + self.penalty_terms.value(W, self.strength, self.include_l1)
        self.penalty_terms.add_gradient(W, self.strength, grad_W, self.include_l1)
        return loss, norms
