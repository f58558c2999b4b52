"""Whole full-batch trainings in compiled code, model by model.

With full batches, no validation set and no per-epoch callback, an epoch is
one step and nothing outside the engine needs to see the models between
epochs. Then :func:`train_epochs` runs every epoch of one model before it
moves to the next: the model's parameters, gradient and optimizer moments
stay in cache for its whole training, and no Python runs per epoch (dropout
masks come from the models' random streams in compiled code, see
:mod:`.streams`). It applies the rules of the reference loop
(:mod:`..training`, :class:`..state.Progress`) -- the same functions of
:mod:`..rules` -- in the same order: count the epoch, the divergence rule,
scikit-learn's patience count on the training loss, the ``invscaling`` or
``cosine`` schedule, and the stop when the count exceeds ``n_iter_no_change``.
The tests compare the two loops to 1e-12.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..jit import jit
from ..rules import (
    ADAM,
    TRAINING,
    adam_step_size,
    cosine_share,
    epoch_status,
    invscaling_rate,
    is_diverged,
    loss_stalled,
    next_count,
    reference_loss,
)
from ..settings import Geometry
from ..types import Array
from .kernels import _model_step, model_rows
from .streams import draw_masks

#: See :mod:`..jit`: numba compiles this file anew when any compiled source changes.
CACHE_KEY = "f4a963a9338b8588"


class Curves(NamedTuple):
    """Where :func:`train_epochs` writes the epochs ``start, start + 1, ...``:
    their losses ``(epochs, K)`` and, if ``record``, gradient norms and
    saturation ``(epochs, K, 2 layers - 1)``."""

    loss: Array
    diagnostics: Array
    start: int
    record: bool


class Streams(NamedTuple):
    """Dropout in compiled code: ``rates`` and ``kept`` (the kept units' value)
    ``(K, hidden layers)`` (``(0, 0)`` without dropout), the hidden layers'
    ``widths``, the random streams ``(keys, positions)`` (see :mod:`.streams`)
    and the ``(1 + n, hidden units)`` matrix a model draws its masks into."""

    rates: Array
    kept: Array
    widths: Array
    keys: Array
    positions: Array
    mask: Array


@jit
def _end_epoch(p: np.void, s: np.void, loss: float) -> bool:
    """The reference loop's bookkeeping after a model's epoch (``p`` its
    progress, ``s`` its settings record): count it, then the divergence rule,
    the patience count and the schedule; True when the model stops."""
    p.n_iter += 1
    p.t += s.rows
    p.last_loss = loss
    if p.n_iter == 1:
        p.first_loss = reference_loss(p.first_loss, loss)
    diverged = is_diverged(loss, p.first_loss, s.guard > 0)
    stalled = loss_stalled(loss, p.best_loss, s.tol)
    p.best_loss = np.fmin(p.best_loss, loss)
    p.count = next_count(p.count, stalled)
    if s.invscaling > 0:
        p.rate = invscaling_rate(s.rate_init, p.t, s.power_t)
    if s.horizon > 0:  # the next epoch's share of eta_0
        p.rate = s.rate_init * cosine_share(s.epochs_before + p.n_iter, s.horizon)
    p.status = epoch_status(diverged, p.count, s.n_iter_no_change)
    return p.status != TRAINING


@jit
def _step_size(p: np.void, s: np.void, kind: int, epoch: int) -> float:
    """The step size of a model's epoch ``epoch``: Adam's bias-corrected one
    (one step per epoch: the step count is the epoch's), SGD's current one."""
    if kind != ADAM:
        return p.rate
    eta = s.rate_init
    if s.horizon > 0:
        eta = s.rate_init * cosine_share(s.epochs_before + epoch, s.horizon)
    return adam_step_size(eta, s.adam_steps + epoch + 1, s.beta_1, s.beta_2)


@jit
def train_epochs(batch: tuple, model: tuple, geometry: tuple, constants: Array,
                 settings: Array, progress: Array, work: Array, curves: Curves,
                 streams: Streams) -> None:
    """Run the epochs ``curves.start, ...`` (as many as ``curves`` holds) of
    every model still training, each model to its end, in place.

    ``batch``, ``model``, ``geometry``, ``constants`` and ``work`` are those of
    :func:`.kernels.batch_step`; ``settings`` and ``progress`` the models'
    :func:`..settings.epoch_settings` and :func:`..settings.progress_records`
    (the progress carries a training from one call to the next). A model with
    dropout draws its masks before each epoch from its stream.
    """
    params, state1, state2 = model
    net = Geometry(*geometry)
    no_mask = streams.mask[:1, :0]
    for k in range(params.shape[0]):
        p, s = progress[k], settings[k]
        if p.status != TRAINING:
            continue
        rows = model_rows(batch, k)
        drops = streams.rates.shape[0] > 0 and streams.rates[k].max() > 0
        masks = streams.mask if drops else no_mask
        for epoch in range(curves.start, min(int(s.max_iter),
                                             curves.start + curves.loss.shape[0])):
            if drops:
                draw_masks(streams.keys, streams.positions, k, streams.rates[k],
                           streams.kept[k], streams.widths, streams.mask)
            # (the step size in the parameters' dtype, as the batch step has it)
            constants[k].rate = _step_size(p, s, net.optimizer, epoch)
            loss = _model_step(rows, masks, (params[k], state1[k], state2[k]), net,
                               constants[k], work,
                               curves.diagnostics[epoch - curves.start, k], curves.record)
            curves.loss[epoch - curves.start, k] = loss
            if _end_epoch(p, s, loss):
                break
