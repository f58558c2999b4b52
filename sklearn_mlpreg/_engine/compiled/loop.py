"""Whole full-batch trainings in compiled code, model by model.

With full batches, no dropout, no validation set and no per-epoch callback,
an epoch is one step and nothing outside the engine needs to see the models
between epochs. Then :func:`train_epochs` runs every epoch of one model
before it moves to the next: the model's parameters, gradient and optimizer
moments stay in cache for its whole training, and no Python runs per epoch.
It applies the rules of the reference loop (:mod:`..training`,
:class:`..state.Progress`) in the same order: count the epoch, the divergence
rule (a non-finite loss, or one over ``EXPLOSION_FACTOR`` times the first
epoch's), scikit-learn's patience count on the training loss, the
``invscaling`` schedule, and the stop when the count exceeds
``n_iter_no_change``. The tests compare the two loops to 1e-12.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..state import CONVERGED, DIVERGED, EXPLOSION_FACTOR, TRAINING
from ..types import Array
from .kernels import ADAM, _jit, _model_step
from .streams import draw_masks

Ints = NDArray[np.int64]

#: Rows of the ``counters`` array of :func:`train_epochs` (one column per model).
T, BEST, COUNT, N_ITER, STATUS, FIRST, LAST, RATE = range(8)


@_jit
def _cosine(epoch: float, horizon: float) -> float:
    """The cosine schedule's share of ``eta_0`` in ``epoch`` (see ..optimizers)."""
    return 0.5 * (1.0 + np.cos(np.pi * min(epoch, horizon) / horizon))


@_jit
def _end_epoch(counters: Array, k: int, loss: float, row: Array) -> bool:
    """The reference loop's bookkeeping after model ``k``'s epoch (``row`` its
    settings): count it, then the divergence rule, the patience count and the
    invscaling step size; True when the model stops (its status set)."""
    tol, patience, guard = row[1], row[2], row[3] > 0
    counters[N_ITER, k] += 1
    counters[T, k] += row[7]
    counters[LAST, k] = loss
    if counters[N_ITER, k] == 1:
        counters[FIRST, k] = abs(loss)
    diverged = not np.isfinite(loss) or (
        guard and loss > EXPLOSION_FACTOR * counters[FIRST, k])
    worse = loss > counters[BEST, k] - tol
    if loss < counters[BEST, k]:
        counters[BEST, k] = loss
    counters[COUNT, k] = counters[COUNT, k] + 1 if worse else 0
    if row[4] > 0:  # invscaling
        counters[RATE, k] = row[8] / (counters[T, k] + 1) ** row[5]
    if row[11] > 0:  # cosine: the next epoch's share of eta_0
        counters[RATE, k] = row[8] * _cosine(row[12] + counters[N_ITER, k], row[11])
    if diverged:
        counters[STATUS, k] = DIVERGED
    elif counters[COUNT, k] > patience:
        counters[STATUS, k] = CONVERGED
    return counters[STATUS, k] != TRAINING


@_jit
def train_epochs(X: Array, Y: Array, fractions: Array, no_mask: Array, params: Array,
                 state1: Array, state2: Array, geometry: Ints, per_model: Array,
                 hyper: Array, work: Array, settings: Array, counters: Array,
                 loss_curve: Array, diagnostics: Array, start: int, record: bool,
                 dropout: Array, widths: Ints, keys: Array, positions: Array,
                 mask: Array) -> None:
    """Run the epochs ``start .. start + len(loss_curve) - 1`` of every model still
    training, each model to its end, in place.

    ``settings`` has a row per model: (max_iter, tol, n_iter_no_change, guard the
    explosion (0/1), invscaling (0/1), power_t, Adam steps before this call, rows
    per epoch, learning_rate_init, Adam's beta_1 and beta_2, the cosine
    schedule's horizon (0: none), epochs before this call). ``counters`` (8, K)
    holds, per model, the samples seen, best loss, patience count, epochs,
    status, first and last epoch's loss, and SGD's current step size; its
    columns carry a training from one call to the next. The epochs' losses go
    to ``loss_curve`` and their gradient norms and saturation to
    ``diagnostics`` (indexed from ``start``). ``dropout`` is ``(2, K, hidden
    layers)`` (drop rates and kept-unit values) or ``(2, 0, 0)`` without
    dropout, ``widths`` the hidden layers' units; a model with dropout draws
    its masks into ``mask`` (``(1 + n, hidden units)``) before each epoch from
    its stream ``(keys[k], positions[k])`` (see :mod:`.streams`); ``no_mask``
    (``(1, 0)``) stands for no masks.
    """
    kind = geometry[geometry.shape[0] - 1]
    for k in range(params.shape[0]):
        if counters[STATUS, k] != TRAINING:
            continue
        row = settings[k]
        steps_before, rate_init, beta_1, beta_2 = row[6], row[8], row[9], row[10]
        x, y = X[k if X.shape[0] > 1 else 0], Y[k if Y.shape[0] > 1 else 0]
        f = fractions[k if fractions.shape[0] > 1 else 0]
        drops = dropout.shape[1] > 0 and dropout[0, k].max() > 0
        masks = mask if drops else no_mask
        for epoch in range(start, min(int(row[0]), start + loss_curve.shape[0])):
            if drops:
                draw_masks(keys, positions, k, dropout[0, k], dropout[1, k], widths, mask)
            if kind == ADAM:  # one step per epoch: the step count is the epoch's
                t = steps_before + epoch + 1
                eta = rate_init if row[11] == 0 else rate_init * _cosine(row[12] + epoch,
                                                                         row[11])
                per_model[2, k] = eta * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
            else:
                per_model[2, k] = counters[RATE, k]
            # (the step size in the parameters' dtype, as the batch step has it)
            loss = _model_step(x, y, f, masks, params[k], state1[k], state2[k],
                               geometry, per_model[0, k], per_model[1, k], per_model[2, k],
                               hyper[k], work, diagnostics[epoch - start, k], record)
            loss_curve[epoch - start, k] = loss
            if _end_epoch(counters, k, loss, row):
                break
