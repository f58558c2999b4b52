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

The per-model rules (schedules, Adam's bias correction, the stopping and
divergence rules, the proximal L1 step, constants and codes) and the
element-wise formulas (activations and their derivatives, saturation tests,
loss terms and output delta, the SGD and Adam updates) are not copied here:
the kernels call the functions of :mod:`..rules` and :mod:`..formulas` (the
reference calls the same on arrays), and read each model's settings by name
from the records of :mod:`..settings`.

It runs when numba is installed and the batch is dense; sparse input, or the
environment variable ``SKLEARN_MLPREG_ENGINE=numpy``, selects the reference.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import DTypeLike

from ..averages import sample_fractions
from ..dropout import kept_value
from ..jit import njit, plain
from ..network import Architecture
from ..optimizers import SGD, Adam
from ..penalties import Penalty
from ..rules import CONVERGED, TRAINING, final_status, stop_message
from ..settings import (
    Geometry,
    epoch_settings,
    geometry,
    progress_records,
    step_constants,
)
from ..state import TrainingState
from ..types import Array, TrainingConfig
from .kernels import batch_step
from .loop import Curves, Streams, train_epochs
from .streams import draw_stack_masks, read_states, shuffle_rows, write_back

_final_status = plain(final_status)  # on the array of K models

__all__ = ["CompiledStep", "MaskStreams", "StepOutput", "available", "runs",
           "train_full_batch"]

#: How many times the compiled entry points ran in this process (the batch
#: step, the whole-training loop, and the mini-batch loop's shuffles and masks
#: from :class:`MaskStreams`): the tests read them to prove that the compiled
#: path ran where it must, and not where it must not.
runs = {"batch_step": 0, "train_full_batch": 0, "shuffle": 0, "draw_masks": 0}


def available() -> bool:
    """Whether the compiled path may run (numba installed, not switched off)."""
    return njit is not None and os.environ.get("SKLEARN_MLPREG_ENGINE", "") != "numpy"


class _Inputs(NamedTuple):
    """The batch :meth:`CompiledStep.prepare_inputs` last saw (``X``, ``Y``,
    ``weight`` as given) and its ``(X, Y, fractions)`` as the kernels take it."""

    X: Any
    Y: Any
    weight: Any
    batch: tuple | None


class _Constants(NamedTuple):
    """What :meth:`CompiledStep.prepare_constants` last prepared: its ``key``
    (loss name, optimizer, penalty strengths) and ``(geometry, constants, out)``."""

    key: tuple | None
    prepared: tuple | None


class StepOutput(NamedTuple):
    """The columns of the batch step's output rows: each model's ``loss``, data-
    gradient ``norms`` per layer and ``saturation`` per hidden layer (None
    unless recorded)."""

    loss: Array
    norms: Array
    saturation: Array | None


def step_output(out: Array, n_layers: int, record_saturation: bool) -> StepOutput:
    """The named columns of :func:`.kernels.batch_step`'s ``out`` rows: column
    0 the loss, the next ``n_layers`` the norms, the rest the saturation."""
    return StepOutput(out[:, 0], out[:, 1:n_layers + 1],
                      out[:, n_layers + 1:].copy() if record_saturation else None)


class CompiledStep:
    """The compiled batch step of one stack: its network's geometry, prepared once.

    Parameters
    ----------
    arch : Architecture
    dtype : dtype
        The parameters' dtype.
    """

    def __init__(self, arch: Architecture, dtype: DTypeLike) -> None:
        self.arch = arch
        self.net: Geometry = geometry(arch.layout, arch.activation, arch.out_activation)
        self.n_layers = len(self.net.units) - 1
        self.n_units = int(self.net.units[1:].sum())
        self.dtype = np.dtype(dtype)
        self.n_params = arch.layout.n_params
        self.no_masks = np.zeros((1, 1, 0), dtype=self.dtype)
        self._work: dict[int, Array] = {}
        self._inputs = _Inputs(None, None, None, None)
        self._constants = _Constants(None, None)
        self._rates: Array | None = None

    def prepare_inputs(self, X: Array, Y: Array, weight: Array | None) -> tuple:
        """The batch ``(X, Y, fractions)`` as the kernels take it (kept while
        the batch is the same)."""
        cached = self._inputs
        if cached.X is X and cached.Y is Y and cached.weight is weight:
            return cached.batch
        dtype, n = self.dtype, X.shape[-2]
        X3 = np.ascontiguousarray(X if X.ndim == 3 else X[None], dtype=dtype)
        Y3 = np.ascontiguousarray(Y if Y.ndim == 3 else Y[None], dtype=dtype)
        fractions = (np.full((1, n), 1.0 / n, dtype=dtype) if weight is None
                     else np.ascontiguousarray(sample_fractions(weight), dtype=dtype))
        self._inputs = _Inputs(X, Y, weight, (X3, Y3, fractions))
        return X3, Y3, fractions

    def prepare_constants(self, loss_name: str, optimizer: SGD | Adam,
                          penalty: Penalty) -> tuple:
        """The geometry with the loss and optimizer codes (a plain tuple), the models'
        :func:`..settings.step_constants` and the output rows (kept while the
        stack's models and settings are the same)."""
        key = self._constants.key
        if (key is not None and key[0] == loss_name and key[1] is optimizer
                and key[2] is penalty.strength):
            return self._constants.prepared
        key = (loss_name, optimizer, penalty.strength)
        arch = self.arch
        net = geometry(arch.layout, arch.activation, arch.out_activation, loss_name,
                       optimizer)
        constants = step_constants(optimizer, penalty, self.dtype)
        out = np.zeros((len(constants), 2 * self.n_layers), dtype=np.float64)
        self._rates = constants["rate"]  # writing a field by name costs microseconds
        self._constants = _Constants(key, (tuple(net), constants, out))  # (see batch_step)
        return self._constants.prepared

    def workspace(self, n: int) -> Array:
        """The scratch memory of a batch of ``n`` rows (kept)."""
        if n not in self._work:
            self._work[n] = np.empty(3 * n * self.n_units + self.n_params, self.dtype)
        return self._work[n]

    def __call__(self, loss_name: str, batch: tuple, masks: Array | None, params: Array,
                 optimizer: SGD | Adam, penalty: Penalty, record_saturation: bool
                 ) -> StepOutput:
        """One step of the K models of ``params`` on ``batch = (X, Y, weight)``.

        Returns the :class:`StepOutput`: the loss (data and penalty) and the
        data-gradient norms per layer of each model, and the saturation of its
        hidden layers if ``record_saturation`` (else None).
        """
        X3, Y3, fractions = self.prepare_inputs(*batch)
        net, constants, out = self.prepare_constants(loss_name, optimizer, penalty)
        self._rates[:] = optimizer.begin_step()  # (a view of the records' field)
        runs["batch_step"] += 1
        batch_step((X3, Y3, fractions), self.no_masks if masks is None else masks,
                   (params, *optimizer_state(optimizer)), net, constants,
                   self.workspace(X3.shape[1]), out, record_saturation)
        # (the caller consumes the loss and norms before the next step)
        return step_output(out, self.n_layers, record_saturation)


def optimizer_state(optimizer: SGD | Adam) -> tuple[Array, Array]:
    """The two state rows the kernels update: Adam's m and v, or SGD's velocity
    twice."""
    if isinstance(optimizer, Adam):
        return optimizer.ms, optimizer.vs
    return optimizer.velocity, optimizer.velocity


#: Values of the curves kept per call of the compiled loop (epochs x models x
#: (1 + layers + hidden layers)); longer trainings run in blocks of epochs.
CURVE_BLOCK = 1 << 21


def train_full_batch(step: CompiledStep, batch: tuple, params: Array, state: TrainingState,
                     config: TrainingConfig, penalty: Penalty, guard_explosion: np.ndarray,
                     masks: MaskStreams | None = None, n_samples: int | None = None) -> None:
    """Every epoch of a full-batch training of the K models of ``params``, in place.

    The compiled counterpart of the reference loop for the trainings it covers
    (full batches of ``batch = (X, Y, weight)``; no validation set, callback or
    log; a constant, invscaling or cosine schedule): ``state`` receives the
    counters, status, curves and messages the reference records, its optimizer
    the moments and the steps. ``masks`` draws the dropout masks of the models
    that drop units. ``n_samples`` is the rows an epoch counts per model (the
    ``invscaling`` schedule's samples seen; by default the batch's rows).
    """
    optimizer = state.optimizer
    inputs = step.prepare_inputs(*batch)
    net, constants, _ = step.prepare_constants(config.loss, optimizer, penalty)
    K, n_layers, n = params.shape[0], step.n_layers, inputs[0].shape[1]
    # the samples an epoch counts (invscaling's t): each model's training rows, not
    # the batch's when folds are 0/1 weights over shared rows
    settings = epoch_settings(config, optimizer, guard_explosion,
                              n if n_samples is None else n_samples)
    progress = progress_records(state)
    max_iter = int(config.max_iter.max())
    block = max(1, min(max_iter, CURVE_BLOCK // (K * 2 * n_layers)))
    curves = Curves(np.empty((block, K)), np.zeros((block, K, 2 * n_layers - 1)), 0,
                    config.diagnostics)
    model = (params, *optimizer_state(optimizer))
    done = np.zeros(K, dtype=np.intp)
    masks = masks or MaskStreams.none(step.dtype)
    streams = masks.streams(n)
    runs["train_full_batch"] += 1
    for start in range(0, max_iter, block):
        train_epochs(inputs, model, net, constants, settings, progress, step.workspace(n),
                     curves._replace(start=start), streams)
        _record_curves(state, progress["n_iter"].astype(np.intp), done, curves, n_layers)
        if (progress["status"] != TRAINING).all():
            break
    _record_ending(state, progress, config)
    masks.finish()


class MaskStreams:
    """The random streams of a stack in compiled code: each model's drop rate
    and kept-unit value per hidden layer, and the states of the streams of the
    models that draw from their generators during the training (those that drop
    units, and the ``drawing`` ones: mini-batch shuffles), copied out of their
    generators once and put back by :meth:`finish`.

    The full-batch loop draws its masks from them (:meth:`streams`), the
    mini-batch loop its shuffles (:meth:`shuffle`) and each batch's masks
    (:meth:`draw`): each stream is consumed in the reference's order, so the
    masks, the orders and the generators' final states are the reference's bit
    for bit. The mask rule (``random_sample >= p``) is
    :func:`.streams.draw_masks`'s, the kept value :func:`..dropout.kept_value`.

    Parameters
    ----------
    rates : ndarray of shape (K, hidden layers)
    widths : sequence of int
        The hidden layers' units.
    mode : {"inverted", "weight_scaling"}
    rngs : list of numpy.random.RandomState
    dtype : dtype
    drawing : ndarray of shape (K,) of bool, default=None
        Models that draw from their streams without dropout.
    """

    def __init__(self, rates: Array, widths: Sequence[int], mode: str,
                 rngs: list[np.random.RandomState], dtype: DTypeLike,
                 drawing: Array | None = None) -> None:
        # compared with the float64 random_sample as the reference compares them
        self.rates = np.asarray(rates, dtype=np.float64)
        self.kept = kept_value(self.rates, mode).astype(dtype)
        self.widths = np.asarray(widths, dtype=np.int64)
        self.rngs = rngs
        draws = self.rates.max(axis=1) > 0 if self.rates.size else np.zeros(len(rngs), bool)
        self.models = np.flatnonzero(draws if drawing is None else draws | drawing)
        self.keys = np.zeros((max(1, len(rngs)), 624), dtype=np.uint32)
        self.positions = np.zeros(max(1, len(rngs)), dtype=np.int64)
        if len(self.models):
            self.keys[self.models], self.positions[self.models] = read_states(
                [rngs[k] for k in self.models])

    def streams(self, n: int) -> Streams:
        """The :class:`.loop.Streams` of the compiled loop for batches of ``n`` rows."""
        width = max(1, int(self.widths.sum()))
        return Streams(self.rates, self.kept, self.widths, self.keys, self.positions,
                       np.ones((1 + n, width), dtype=self.kept.dtype))

    def shuffle(self, order: Array, ids: Array, shuffle: Array) -> None:
        """Shuffle the rows of ``order`` (model ``ids[j]``'s row order) whose
        ``shuffle`` is set, as ``RandomState.shuffle`` of a permutation composed
        with the row (:meth:`..stack.Stack.epoch_batches`), in place."""
        runs["shuffle"] += 1
        shuffle_rows(self.keys, self.positions, ids, shuffle, order)

    def draw(self, masks: Array, ids: Array) -> None:
        """One batch's masks of the stack's models ``ids`` into their rows of the
        ``(K, 1 + n, hidden units)`` ``masks`` (:attr:`..network.Workspace.mask_matrix`),
        as :func:`..dropout.draw_masks` draws them."""
        runs["draw_masks"] += 1
        draw_stack_masks(self.keys, self.positions, ids, self.rates, self.kept,
                         self.widths, masks)

    @classmethod
    def none(cls, dtype: DTypeLike) -> MaskStreams:
        """No dropout."""
        return cls(np.zeros((0, 0)), (), "inverted", [], dtype)

    def finish(self) -> None:
        """Put the advanced streams back into the models' generators."""
        if len(self.models):
            write_back(self.rngs, self.keys, self.positions, self.models)


def _record_curves(state: TrainingState, n_iter: np.ndarray, done: np.ndarray,
                   curves: Curves, n_layers: int) -> None:
    """Append each model's epochs of this block to its curves."""
    for k in np.flatnonzero(n_iter > done):
        new = slice(0, n_iter[k] - done[k])
        state.extend("loss", k, curves.loss[new, k])
        if curves.record:
            state.extend("gradient_norms", k, curves.diagnostics[new, k, :n_layers])
            state.extend("saturation", k, curves.diagnostics[new, k, n_layers:])
    done[:] = n_iter


def _record_ending(state: TrainingState, progress: np.ndarray, config: TrainingConfig
                   ) -> None:
    """Counters, status and messages into the state; the epochs run into the
    optimizer (which advances its own schedule and step count)."""
    n_iter = progress["n_iter"].astype(np.int64)
    state.t[:] = progress["t"]
    state.best_loss[:] = progress["best_loss"]
    state.no_improvement_count[:] = progress["count"]
    state.n_iter[:] = n_iter
    state.first_loss[:], state.last_loss[:] = progress["first_loss"], progress["last_loss"]
    status = progress["status"].astype(np.intp)
    state.status[:] = _final_status(status)
    for k in np.flatnonzero(state.status == CONVERGED):
        state.messages[k].append(stop_message(False, config.tol[k],
                                              config.n_iter_no_change[k], " Stopping."))
    state.optimizer.ran_epochs(n_iter, state.t)
