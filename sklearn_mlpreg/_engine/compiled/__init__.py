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
from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

from ..averages import sample_fractions
from ..network import Architecture
from ..optimizers import SGD, Adam, cosine_factor
from ..penalties import Penalty
from ..state import CONVERGED, MAX_ITER, TRAINING, TrainingState
from ..types import Array, TrainingConfig
from .kernels import (
    ADAM,
    HIDDEN_CODES,
    LOSS_CODES,
    OUTPUT_CODES,
    SGD_MOMENTUM,
    batch_step,
    njit,
)
from .loop import BEST, COUNT, FIRST, LAST, N_ITER, RATE, STATUS, T, train_epochs
from .streams import read_states, write_back

__all__ = ["CompiledStep", "MaskStreams", "available", "train_full_batch"]


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
        hyper = np.zeros((K, 9))
        if isinstance(optimizer, Adam):
            self.geometry[-1] = ADAM
            hyper[:, 0], hyper[:, 1], hyper[:, 2] = (optimizer.beta_1, optimizer.beta_2,
                                                     optimizer.epsilon)
            hyper[:, 5], hyper[:, 6] = 1 - optimizer.beta_1, 1 - optimizer.beta_2
        else:
            self.geometry[-1] = SGD_MOMENTUM
            hyper[:, 3], hyper[:, 4] = optimizer.momentum, optimizer.nesterov
        hyper[:, 7], hyper[:, 8] = 0.01, np.finfo(dtype).eps  # leaky ReLU slope, clipping
        self.geometry[-2] = LOSS_CODES[loss_name]
        hyper = hyper.astype(dtype)
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


#: Values of the curves kept per call of the compiled loop (epochs x models x
#: (1 + layers + hidden layers)); longer trainings run in blocks of epochs.
CURVE_BLOCK = 1 << 21


def train_full_batch(step: CompiledStep, X: Array, Y: Array, weight: Array | None,
                     params: Array, state: TrainingState, config: TrainingConfig,
                     penalty: Penalty, guard_explosion: np.ndarray,
                     masks: MaskStreams | None = None) -> None:
    """Every epoch of a full-batch training of the K models of ``params``, in place.

    The compiled counterpart of the reference loop for the trainings it covers
    (full batches; no validation set, callback or log; a constant or
    invscaling schedule): ``state`` receives the counters, status, curves and
    messages the reference records, its optimizer the moments and step count.
    ``masks`` draws the dropout masks of the models that drop units.
    """
    optimizer = state.optimizer
    X3, Y3, fractions = step._prepare_inputs(X, Y, weight)
    per_model, hyper, _ = step._prepare_constants(config.loss, optimizer, penalty)
    K, n_layers = params.shape[0], step.n_layers
    adam = isinstance(optimizer, Adam)
    counters = np.zeros((8, K))
    counters[T], counters[BEST] = state.t, state.best_loss
    counters[COUNT], counters[STATUS] = state.no_improvement_count, TRAINING
    counters[RATE] = optimizer.learning_rate
    settings = np.zeros((K, 13))
    settings[:, 0], settings[:, 1] = config.max_iter, config.tol
    settings[:, 2], settings[:, 3] = config.n_iter_no_change, guard_explosion
    if not adam:
        settings[:, 4], settings[:, 5] = optimizer.schedule == "invscaling", optimizer.power_t
    settings[:, 6], settings[:, 7] = optimizer.t if adam else 0, X3.shape[1]
    settings[:, 8] = optimizer.learning_rate_init
    if adam:
        settings[:, 9], settings[:, 10] = optimizer.beta_1, optimizer.beta_2
    settings[:, 11] = np.where(optimizer.cosine, optimizer.horizon, 0)
    settings[:, 12] = optimizer.epochs
    max_iter = int(config.max_iter.max())
    width = 1 + 2 * n_layers - 1
    block = max(1, min(max_iter, CURVE_BLOCK // (K * width)))
    loss_curve = np.empty((block, K))
    diagnostics = np.zeros((block, K, 2 * n_layers - 1))
    state1, state2 = ((optimizer.ms, optimizer.vs) if adam
                      else (optimizer.velocity, optimizer.velocity))
    n = X3.shape[1]
    if n not in step._work:
        step._work[n] = np.empty(3 * n * step.n_units + step.n_params, step.dtype)
    done = np.zeros(K, dtype=np.intp)
    masks = masks or MaskStreams.none(step.dtype)
    mask = np.ones((1 + n, max(1, int(masks.widths.sum()))), dtype=step.dtype)
    for start in range(0, max_iter, block):
        train_epochs(X3, Y3, fractions, step.no_masks[0], params, state1, state2,
                     step.geometry, per_model, hyper, step._work[n], settings, counters,
                     loss_curve, diagnostics, start, config.diagnostics, masks.dropout,
                     masks.widths, masks.keys, masks.positions, mask)
        _record_curves(state, counters[N_ITER].astype(np.intp), done, loss_curve,
                       diagnostics, n_layers, config.diagnostics)
        if (counters[STATUS] != TRAINING).all():
            break
    _record_ending(state, counters, optimizer, config)
    masks.finish()


class MaskStreams:
    """The dropout of a stack for the compiled loop: each model's drop rate and
    kept-unit value per hidden layer, and the states of the random streams of
    the models that drop units (copied out of their generators, and put back
    by :meth:`finish`).

    Parameters
    ----------
    rates : ndarray of shape (K, hidden layers)
    widths : sequence of int
        The hidden layers' units.
    mode : {"inverted", "weight_scaling"}
    rngs : list of numpy.random.RandomState
    dtype : dtype
    """

    def __init__(self, rates: Array, widths: Sequence[int], mode: str,
                 rngs: list[np.random.RandomState], dtype: DTypeLike) -> None:
        rates = np.asarray(rates, dtype=np.float64)
        scale = np.where(rates > 0, 1.0 / (1.0 - rates) if mode == "inverted" else 1.0,
                         1.0) if rates.size else rates
        self.dropout = np.stack([rates, scale]).astype(dtype)
        self.widths = np.asarray(widths, dtype=np.int64)
        self.rngs = rngs
        self.models = np.flatnonzero(rates.max(axis=1) > 0) if rates.size else rates
        self.keys, self.positions = read_states(rngs) if len(self.models) else (
            np.zeros((1, 624), dtype=np.uint32), np.zeros(1, dtype=np.int64))

    @classmethod
    def none(cls, dtype: DTypeLike) -> MaskStreams:
        """No dropout."""
        return cls(np.zeros((0, 0)), (), "inverted", [], dtype)

    def finish(self) -> None:
        """Put the advanced streams back into the models' generators."""
        if len(self.models):
            write_back(self.rngs, self.keys, self.positions, self.models)


def _record_curves(state: TrainingState, n_iter: np.ndarray, done: np.ndarray,
                   loss_curve: Array, diagnostics: Array, n_layers: int,
                   record: bool) -> None:
    """Append each model's epochs of this block to its curves."""
    for k in np.flatnonzero(n_iter > done):
        new = slice(0, n_iter[k] - done[k])
        state.extend("loss", k, loss_curve[new, k])
        if record:
            state.extend("gradient_norms", k, diagnostics[new, k, :n_layers])
            state.extend("saturation", k, diagnostics[new, k, n_layers:])
    done[:] = n_iter


def _record_ending(state: TrainingState, counters: Array, optimizer: SGD | Adam,
                   config: TrainingConfig) -> None:
    """Counters, status and messages into the state; step count into the optimizer."""
    state.t[:] = counters[T]
    state.best_loss[:] = counters[BEST]
    state.no_improvement_count[:] = counters[COUNT]
    state.n_iter[:] = counters[N_ITER]
    state.first_loss[:], state.last_loss[:] = counters[FIRST], counters[LAST]
    status = counters[STATUS].astype(np.intp)
    state.status[:] = np.where(status == TRAINING, MAX_ITER, status)
    for k in np.flatnonzero(state.status == CONVERGED):
        state.messages[k].append(
            "Training loss did not improve more than tol=%f for %d consecutive epochs."
            " Stopping." % (config.tol[k], config.n_iter_no_change[k]))
    optimizer.epochs += counters[N_ITER].astype(np.int64)
    if optimizer.cosine.any():
        optimizer.scale = np.where(optimizer.cosine,
                                   cosine_factor(optimizer.epochs, optimizer.horizon), 1.0)
    if isinstance(optimizer, Adam):
        optimizer.t += int(counters[N_ITER].max())
        last = np.where(optimizer.cosine,  # the share of the last step taken
                        cosine_factor(optimizer.epochs - 1, optimizer.horizon), 1.0)
        optimizer.learning_rate[:] = optimizer.learning_rate_init * last * np.sqrt(
            1 - optimizer.beta_2**optimizer.t) / (1 - optimizer.beta_1**optimizer.t)
    else:
        optimizer.learning_rate = counters[RATE].copy()
