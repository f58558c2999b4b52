"""The named per-model settings of a stack, as the compiled loop reads them.

Three record arrays, one record per model, built here and nowhere else
(numba reads a record's fields by name, ``s.tol``, with the same loads as a
column of a plain array):

* :func:`step_constants` -- what one optimizer step reads, in the parameters'
  dtype (the reference computes in that dtype too): penalty strengths (L2,
  L1, group), the
  step size, the optimizer's constants, the leaky ReLU slope, the clipping
  epsilon of the probabilistic losses;
* :func:`epoch_settings` -- what the epoch loop reads (float64): ``max_iter``,
  the stopping rule, the schedules;
* :func:`progress_records` -- the counters a training carries from epoch to
  epoch (float64), read from and written back to the :class:`.state.TrainingState`.

:class:`Geometry` is the network's shape as the kernels read it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import DTypeLike, NDArray

from .layout import Layout
from .optimizers import SGD, Adam
from .penalties import Penalty
from .rules import (
    ADAM,
    HIDDEN_CODES,
    LEAKY_RELU_SLOPE,
    LOSS_CODES,
    OUTPUT_CODES,
    SGD_MOMENTUM,
    TRAINING,
)
from .state import TrainingState
from .types import TrainingConfig

#: See :mod:`.jit`: numba compiles this file anew when any compiled source changes.
CACHE_KEY = "f4a963a9338b8588"

STEP_FIELDS = ("l2", "l1", "group", "rate", "beta_1", "beta_2", "epsilon", "one_minus_beta_1",
               "one_minus_beta_2", "momentum", "nesterov", "slope", "clip")
EPOCH_DTYPE = np.dtype([(name, np.float64) for name in (
    "max_iter", "tol", "n_iter_no_change", "guard", "invscaling", "power_t",
    "adam_steps", "rows", "rate_init", "beta_1", "beta_2", "horizon", "epochs_before")])
PROGRESS_DTYPE = np.dtype([(name, np.float64) for name in (
    "t", "best_loss", "count", "n_iter", "status", "first_loss", "last_loss", "rate")])


class Geometry(NamedTuple):
    """A network as the kernels read it: units per layer, where each layer's
    weights, biases and activations start (in the flat parameter row and in a
    model's activation block, in units), and the codes of its activations,
    loss and optimizer (:mod:`.rules`)."""

    units: NDArray[np.int64]
    weight_starts: NDArray[np.int64]
    bias_starts: NDArray[np.int64]
    unit_starts: NDArray[np.int64]
    hidden: int
    output: int
    loss: int
    optimizer: int


def geometry(layout: Layout, activation: str, out_activation: str, loss: str = "squared_error",
             optimizer: SGD | Adam | None = None) -> Geometry:
    """The :class:`Geometry` of a network, its loss and its optimizer."""
    units = np.asarray(layout.layer_units, dtype=np.int64)
    return Geometry(units, np.asarray(layout.coef_starts, dtype=np.int64),
                    np.asarray(layout.intercept_starts, dtype=np.int64),
                    np.concatenate([[0], np.cumsum(units[1:])]).astype(np.int64),
                    HIDDEN_CODES[activation], OUTPUT_CODES[out_activation],
                    LOSS_CODES[loss], ADAM if isinstance(optimizer, Adam) else SGD_MOMENTUM)


def step_constants(optimizer: SGD | Adam, penalty: Penalty, dtype: DTypeLike) -> np.ndarray:
    """One record per model of the :data:`STEP_FIELDS` in ``dtype``; ``rate`` is
    set before every step."""
    dtype = np.dtype(dtype)
    c = np.zeros(penalty.strength.shape[0], np.dtype([(f, dtype) for f in STEP_FIELDS]))
    c["l2"] = (penalty.l2 * penalty.strength)[:, 0]
    c["l1"] = (penalty.l1 * penalty.strength)[:, 0]
    c["group"] = (penalty.group * penalty.strength)[:, 0]
    if isinstance(optimizer, Adam):
        c["beta_1"], c["beta_2"], c["epsilon"] = (optimizer.beta_1, optimizer.beta_2,
                                                  optimizer.epsilon)
        c["one_minus_beta_1"], c["one_minus_beta_2"] = (1 - optimizer.beta_1,
                                                        1 - optimizer.beta_2)
    else:
        c["momentum"], c["nesterov"] = optimizer.momentum, optimizer.nesterov
    c["slope"], c["clip"] = LEAKY_RELU_SLOPE, np.finfo(dtype).eps
    return c


def epoch_settings(config: TrainingConfig, optimizer: SGD | Adam, guard_explosion: NDArray,
                   n_rows: int) -> np.ndarray:
    """One :data:`EPOCH_DTYPE` record per model: its epochs, stopping rule and schedule."""
    s = np.zeros(len(guard_explosion), EPOCH_DTYPE)
    s["max_iter"], s["tol"] = config.max_iter, config.tol
    s["n_iter_no_change"], s["guard"] = config.n_iter_no_change, guard_explosion
    if isinstance(optimizer, Adam):
        s["adam_steps"], s["beta_1"], s["beta_2"] = (optimizer.t, optimizer.beta_1,
                                                     optimizer.beta_2)
    else:
        s["invscaling"] = optimizer.schedule == "invscaling"
        s["power_t"] = optimizer.power_t
    s["rows"], s["rate_init"] = n_rows, optimizer.learning_rate_init
    s["horizon"] = np.where(optimizer.cosine, optimizer.horizon, 0)
    s["epochs_before"] = optimizer.epochs
    return s


def progress_records(state: TrainingState) -> np.ndarray:
    """One :data:`PROGRESS_DTYPE` record per model, from ``state`` (and the
    optimizer's current step size), the divergence rule's reference loss
    included (:func:`.rules.reference_loss`)."""
    p = np.zeros(state.n_models, PROGRESS_DTYPE)
    p["first_loss"] = state.first_loss
    p["t"], p["best_loss"] = state.t, state.best_loss
    p["count"], p["status"] = state.no_improvement_count, TRAINING
    p["rate"] = state.optimizer.learning_rate
    return p
