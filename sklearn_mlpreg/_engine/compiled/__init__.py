"""The compiled fast path: one mini-batch step of K stacked networks (numba).

The numpy modules of the engine (:mod:`.network`, :mod:`.objective`,
:mod:`.penalties`, :mod:`.optimizers`) are the readable reference. This module
computes the same step -- forward pass, loss, backpropagation, gradient norms,
penalty, optimizer update, proximal L1 step, saturation -- model by model, so
that each model's activations, gradient and optimizer rows are used while they
sit in cache: the gradient of a model never leaves it, the penalty and the
optimizer update are one pass over the parameters instead of a dozen, and the
element-wise work is fused into the loops that produce it. The matrix products
go to BLAS (``np.dot``), as numpy's do. Tests hold the two paths to 1e-12.

It runs when numba is installed and the batch is dense; sparse input, or the
environment variable ``SKLEARN_MLPREG_ENGINE=numpy``, selects the reference.
"""

from __future__ import annotations

import os

import numpy as np
from numpy.typing import DTypeLike

from ..averages import sample_fractions
from ..network import Architecture
from ..optimizers import SGD, Adam
from ..penalties import Penalty
from ..types import Array
from .kernels import (
    ADAM,
    HIDDEN_CODES,
    LOSS_CODES,
    OUTPUT_CODES,
    SGD_MOMENTUM,
    batch_step,
    njit,
)

__all__ = ["CompiledStep", "available"]


def available() -> bool:
    """Whether the compiled path may run (numba installed, not switched off)."""
    return njit is not None and os.environ.get("SKLEARN_MLPREG_ENGINE", "") != "numpy"


class CompiledStep:
    """The compiled batch step of one stack: its network's geometry, prepared once.

    Parameters
    ----------
    arch : Architecture
    dtype : dtype
        The parameters' dtype.
    """

    def __init__(self, arch: Architecture, dtype: DTypeLike) -> None:
        layout = arch.layout
        units = np.asarray(layout.layer_units, dtype=np.int64)
        self.n_layers = len(units) - 1
        self.n_units = int(units[1:].sum())
        self.geometry = np.concatenate([
            units, layout.coef_starts, layout.intercept_starts,
            np.concatenate([[0], np.cumsum(units[1:])]),
            [HIDDEN_CODES[arch.activation], OUTPUT_CODES[arch.out_activation], 0, 0],
        ]).astype(np.int64)
        self.dtype = np.dtype(dtype)
        self.n_params = layout.n_params
        self.no_masks = np.zeros((1, 1, 0), dtype=self.dtype)
        self._work: dict[int, Array] = {}
        self._inputs: tuple = (None, None, None, None)
        self._constants: tuple = (None, None)

    def _prepare_inputs(self, X: Array, Y: Array, weight: Array | None) -> tuple:
        """The batch as the kernel takes it (kept while the batch is the same)."""
        cached = self._inputs
        if cached[0] is X and cached[1] is Y and cached[2] is weight:
            return cached[3]
        dtype, n = self.dtype, X.shape[-2]
        X3 = np.ascontiguousarray(X if X.ndim == 3 else X[None], dtype=dtype)
        Y3 = np.ascontiguousarray(Y if Y.ndim == 3 else Y[None], dtype=dtype)
        fractions = (np.full((1, n), 1.0 / n, dtype=dtype) if weight is None
                     else np.ascontiguousarray(sample_fractions(weight), dtype=dtype))
        self._inputs = (X, Y, weight, (X3, Y3, fractions))
        return X3, Y3, fractions

    def _prepare_constants(self, loss_name: str, optimizer: SGD | Adam,
                           penalty: Penalty) -> tuple:
        """Per-model strengths and the optimizer's constants (kept while the stack's
        models and settings are the same)."""
        key = self._constants[0]
        if (key is not None and key[0] == loss_name and key[1] is optimizer
                and key[2] is penalty.strength):
            return self._constants[1]
        key = (loss_name, optimizer, penalty.strength)
        K, dtype = penalty.strength.shape[0], self.dtype
        per_model = np.empty((3, K), dtype=dtype)
        per_model[0] = (penalty.l2 * penalty.strength)[:, 0]
        per_model[1] = (penalty.l1 * penalty.strength)[:, 0]
        if isinstance(optimizer, Adam):
            self.geometry[-1] = ADAM
            hyper = (optimizer.beta_1, optimizer.beta_2, optimizer.epsilon, 0.0, 0.0,
                     1 - optimizer.beta_1, 1 - optimizer.beta_2)
        else:
            self.geometry[-1] = SGD_MOMENTUM
            hyper = (0.0, 0.0, 0.0, optimizer.momentum, float(optimizer.nesterov), 0.0, 0.0)
        self.geometry[-2] = LOSS_CODES[loss_name]
        hyper = np.asarray(hyper + (0.01, np.finfo(dtype).eps), dtype=dtype)  # + leaky slope
        out = np.zeros((K, 1 + self.n_layers + self.n_layers - 1), dtype=np.float64)
        self._constants = (key, (per_model, hyper, out))
        return per_model, hyper, out

    def __call__(self, loss_name: str, X: Array, Y: Array, weight: Array | None,
                 masks: Array | None, params: Array, optimizer: SGD | Adam,
                 penalty: Penalty, record_saturation: bool
                 ) -> tuple[Array, Array, Array]:
        """One step of the K models of ``params`` on the batch ``(X, Y, weight)``.

        Returns the loss (data and penalty) and the data-gradient norms per
        layer of each model, and the saturation of its hidden layers (zeros
        unless ``record_saturation``).
        """
        X3, Y3, fractions = self._prepare_inputs(X, Y, weight)
        per_model, hyper, out = self._prepare_constants(loss_name, optimizer, penalty)
        per_model[2] = optimizer.begin_step()
        n = X3.shape[1]
        if n not in self._work:
            self._work[n] = np.empty(3 * n * self.n_units + self.n_params, self.dtype)
        state1, state2 = ((optimizer.ms, optimizer.vs) if isinstance(optimizer, Adam)
                          else (optimizer.velocity, optimizer.velocity))
        batch_step(X3, Y3, fractions, self.no_masks if masks is None else masks, params,
                   state1, state2, self.geometry, per_model, hyper, self._work[n], out,
                   record_saturation)
        L = self.n_layers  # (the caller consumes the loss and norms before the next step)
        return out[:, 0], out[:, 1:L + 1], out[:, L + 1:].copy() if record_saturation else None
