"""The stochastic training loop of K stacked networks (sgd, adam).

One epoch: reorder each model's training rows (``shuffle``), cut them into
mini-batches, and for every batch run the forward pass, the loss, the
backward pass, the penalty and one optimizer step. At the end of the epoch
record the loss, the gradient norms and (with a validation set) the
validation score and loss, then apply scikit-learn's stopping rule per model:
no improvement by ``tol`` for more than ``n_iter_no_change`` epochs of the
training loss, or of the validation score with early stopping.

The objective of model k is
``L_k = sum_b (n_b / n) [ mean_{i in b} w_i l(y_i, p_i) ] + R(W) / n_k``,
where the data term of a batch is a weighted mean over the batch and the
penalty ``R`` (``alpha ||W||^2 / 2`` for L2) is divided by the weighted size
``n_k`` of the model's whole training set, for every batch size.

Folds and sample weights are the same thing here (see
:class:`~.types.TrainingData`). Models that stop leave the stack; the others
go on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .activations import saturation
from .backend import copy, move, set_rows, take_rows, to_numpy
from .compiled import MaskStreams, train_full_batch
from .jit import plain
from .losses import LOSSES
from .network import Architecture, Workspace, predict
from .rules import final_status, patience_exhausted, stop_message
from .scores import score
from .stack import Stack, TrainingLoss
from .state import (
    CONVERGED,
    DIVERGED,
    DIVERGED_RESTORED,
    MAX_ITER,
    Progress,
    TrainingState,
)
from .types import Array, EpochHooks, TrainingConfig, TrainingData

_patience_exhausted = plain(patience_exhausted)  # on the arrays of K models
_final_status = plain(final_status)


def train(
    arch: Architecture,
    data: TrainingData,
    params: Array,
    state: TrainingState,
    config: TrainingConfig,
    rngs: list[np.random.RandomState],
    log: Callable[[str], None] | None = None,
    hooks: EpochHooks | None = None,
) -> None:
    """Train K networks in place with a stochastic optimizer (sgd or adam).

    Parameters
    ----------
    arch : Architecture
    data : TrainingData
    params : ndarray of shape (K, P)
        Flat parameters (see :class:`~.layout.Layout`); overwritten with the
        final (or best, with early stopping) parameters of every model.
    state : TrainingState
        Progress, updated in place (curves, counters, status); its optimizer
        (SGD or Adam, one row of state per model) takes the steps.
    config : TrainingConfig
    rngs : list of numpy.random.RandomState
        One per model: shuffling and dropout masks.
    log : callable, default=None
        Receives scikit-learn's verbose lines (meant for K = 1).
    hooks : EpochHooks, default=None
        Per-epoch callbacks: ``hooks.epoch_begin()`` before an epoch and
        ``hooks.epoch_end(ids, loss, validation_loss, params)`` after it (the
        models still training, their training and validation losses, their
        parameters); a True return stops every model.
    """
    loop = _Loop(arch, data, params, state, config, rngs, log, hooks)
    if loop.runs_in_compiled_code():
        loop.run_compiled()
    else:
        loop.run_epochs()
    state.flush()
    if config.checkpoint:  # what continuing needs: the last weights, not the best
        state.last_params, state.order = copy(params), loop.stack.final_orders().copy()
        state.model_optimizers = loop.optimizer_rows()
    if loop.early.any():
        _restore_best_weights(state, params, config.restore_best_weights & loop.early,
                              loop.early)
    data_loss, penalty = loop.training_loss.parts(params)
    state.judge_ending(data_loss + penalty, config.incremental)
    # how far the kept weights' predictions are off, against an all-zero output
    # (read once after the call: the lone estimator's warning, see _fitted)
    state.off_target = (data_loss, loop.training_loss.zero_output(params))


class _Loop:
    """One training run: the stack of models still training and their progress."""

    def __init__(self, arch: Architecture, data: TrainingData, params: Array,
                 state: TrainingState, config: TrainingConfig,
                 rngs: list[np.random.RandomState], log: Callable[[str], None] | None,
                 hooks: EpochHooks | None) -> None:
        self.arch, self.data, self.params, self.state = arch, data, params, state
        self.config, self.log, self.hooks = config, log, hooks
        self.optimizer = state.optimizer
        order = getattr(state, "order", None) if config.continues else None
        self.stack = Stack(arch, data, copy(params), rngs, config, order)
        K = params.shape[0]
        # the divergence rule's reference: a fit or warm start judges against its
        # starting point; partial_fit and a continued training keep theirs
        self.training_loss = TrainingLoss.of_stack(arch, data, self.stack, config)
        fresh = (np.isnan(state.first_loss) if config.incremental or config.continues
                 else np.ones(K, bool))
        if fresh.any():
            state.first_loss[fresh] = self.training_loss.reference(params)[fresh]
        self.progress = Progress(state)
        self.kept_rows: dict | None = {} if config.checkpoint else None
        self.validated = data.validation_models(K)  # models with validation rows
        self.early = config.early_stopping & self.validated  # (K,)
        if self.early.any() and state.best_params is None:
            state.best_params = copy(params)

    def runs_in_compiled_code(self) -> bool:
        """Whether the whole training runs in compiled code, model by model: full
        batches with no validation, callback, log or adaptive schedule."""
        stack = self.stack
        return (stack.compiled is not None and stack.full_batch
                and not self.data.has_validation
                and self.hooks is None and self.log is None and not self.config.incremental
                and not np.any(getattr(self.optimizer, "schedule", None) == "adaptive"))

    def run_compiled(self) -> None:
        """Every epoch of every model (see :func:`.compiled.train_full_batch`)."""
        stack = self.stack
        (X, Y, weight, _), = stack.epoch_batches(self.data)  # all rows, or each model's
        masks = MaskStreams(stack.dropout, self.arch.layer_units[1:-1],
                            self.arch.dropout_mode, stack.rngs, stack.params.dtype
                            ) if stack.has_dropout else None
        train_full_batch(stack.compiled, (X, Y, weight), stack.params, self.state,
                         self.config, stack.penalty, guard_explosion=~self.early,
                         masks=masks, n_samples=stack.n_rows)
        self.params[:] = stack.params

    def run_epochs(self) -> None:
        """Every epoch, one at a time for all models (the generators' states in
        compiled code meanwhile when the stack draws from them there, see
        :meth:`.stack.Stack.open_streams`)."""
        epochs = int(self.config.max_iter.max())
        self.stack.open_streams(1 if self.config.incremental else epochs)  # (partial_fit)
        try:
            for _ in range(epochs):
                if not self.epoch():
                    break
            else:
                self.out_of_epochs()
        finally:  # the generators as the reference leaves them, also after an error
            self.stack.close_streams()

    def epoch(self) -> bool:
        """Run one epoch of every model still training; False when none is left."""
        stack, progress, state, config = self.stack, self.progress, self.state, self.config
        ids = stack.ids
        early = self.early[ids]
        if self.hooks is not None:
            self.hooks.epoch_begin()
        loss, norms, saturation = _run_epoch(stack, self.optimizer, self.data, config)
        diverged = progress.end_epoch(loss, stack.n_rows, guard_explosion=~early)
        state.record("loss", ids, loss)
        if config.diagnostics:
            state.record("gradient_norms", ids, norms)
            state.record("saturation", ids, saturation)
        if self.log is not None:
            self.log("Iteration %d, loss = %.8f" % (progress.n_iter[0], loss[0]))
        val_score = val_loss = None
        if self.data.has_validation:
            val_score, val_loss = record_validation(self.arch, self.data, stack.params,
                                                    config, stack.val_weight, state, ids,
                                                    self.validated[ids])
            if self.log is not None and early[0]:
                self.log("Validation score: %f" % val_score[0])
            diverged |= self.validated[ids] & ~np.isfinite(val_score)
        improved = progress.update(loss, val_score, config.tol[ids], early)
        if early.any():
            best = improved & early
            set_rows(state.best_params, ids[best], take_rows(stack.params,
                                                             np.flatnonzero(best)))
        self.optimizer.iteration_ends(progress.t)
        stopping = _apply_stopping_rule(state, ids, progress, self.optimizer, config, early,
                                        self.log)
        if diverged.any():
            stopping |= diverged
            state.status[ids[diverged]] = np.where(early[diverged], DIVERGED_RESTORED,
                                                   DIVERGED)
        done = ~stopping & (progress.n_iter >= config.max_iter[ids])  # its own max_iter
        if done.any():
            stopping |= done
            state.status[ids[done]] = MAX_ITER
        if config.incremental or (self.hooks is not None and self.hooks.epoch_end(
                ids, loss, val_loss, stack.params)):
            stopping[:] = True
        return self._retire(stopping)

    def _retire(self, stopping: NDArray[np.bool_]) -> bool:
        """Models that stop leave the stack; False when none is left."""
        if not stopping.any():
            return True
        stack, ids = self.stack, self.stack.ids
        done = np.flatnonzero(stopping)
        set_rows(self.params, ids[done], take_rows(stack.params, done))
        self.progress.write(self.state, ids[done], done)
        keep = np.flatnonzero(~stopping)
        if len(keep) == 0:
            return False
        stack.select(keep)
        if self.kept_rows is not None:  # the leaving models' optimizer rows
            self.kept_rows.update({ids[j]: self.optimizer.take([j]) for j in done})
        self.optimizer.select(keep)
        self.progress.select(keep)
        return True

    def optimizer_rows(self) -> list:
        """Each model's own optimizer row (:meth:`SGD.take`), as it stopped."""
        rows = dict(self.kept_rows or {})
        rows.update({k: self.optimizer.take([j]) for j, k in enumerate(self.stack.ids)})
        return [rows[k] for k in range(self.params.shape[0])]

    def out_of_epochs(self) -> None:
        """``max_iter`` epochs ran: the models still training end there."""
        ids = self.stack.ids
        set_rows(self.params, ids, self.stack.params)
        self.progress.write(self.state, ids)
        self.state.status[ids] = _final_status(self.state.status[ids])


def _run_epoch(stack: Stack, optimizer: Any, data: TrainingData, config: TrainingConfig
               ) -> tuple[Array, Array, Array | None]:
    """One pass over the training rows; returns the loss, the gradient norms
    (averaged over the batches) and the saturation on the last batch."""
    penalty, compiled = stack.penalty, stack.compiled
    total_loss, norms, saturation = 0.0, 0.0, None
    for b, (Xb, Yb, wb, n_b) in enumerate(stack.epoch_batches(data)):
        work = stack.workspace(Xb.shape[-2])  # all rows when folds are 0/1 weights
        if work.mask_matrix is not None:
            stack.draw_masks(work)
            # drawn on the host, used on the params' device (numpy: the same arrays)
            work.masks = [None if m is None else move(m, stack.params)
                          for m in work.host_masks]
        record = config.diagnostics and b == stack.n_batches - 1
        if compiled is not None:
            loss, batch_norms, batch_saturation = compiled(
                config.loss, (Xb, Yb, wb), work.mask_matrix, stack.params, optimizer,
                penalty, record)
            saturation = batch_saturation if record else saturation
            if stack.n_batches == 1:  # one batch: the epoch's loss and norms are its own
                return loss.copy(), batch_norms.copy(), saturation
        else:
            loss, batch_norms = stack.objective(Xb, Yb, stack.params, stack.grads, work, wb)
            optimizer.step(stack.params, stack.grads)
            if penalty.has_proximal:  # the L1 and group parts
                loss = loss + penalty.proximal_value(stack.params)
                steps = optimizer.step_sizes()[:, :penalty.n_weights]  # (K, 1) stays
                penalty.proximal_step(stack.params, steps)
            if record:
                saturation = _saturation(stack.arch.activation, work)
        total_loss = total_loss + loss * n_b
        norms = norms + batch_norms
    # K numbers to the host once per epoch (on a GPU, the one wait for the device)
    return to_numpy(total_loss) / stack.n_rows, norms / stack.n_batches, saturation


def _saturation(activation: str, work: Workspace) -> Array:
    """Dead / saturated share of each hidden layer on the epoch's last batch."""
    hidden = work.outputs[:-1]
    shares = np.empty((work.outputs[0].shape[0], len(hidden)))
    for i, A in enumerate(hidden):  # unmasked outputs: dropout does not count
        shares[:, i] = saturation(activation, to_numpy(A))
    return shares


def _restore_best_weights(state: TrainingState, params: Array, restore: NDArray[np.bool_],
                          early: NDArray[np.bool_]) -> None:
    """Early stopping ends at the best validation epoch's weights (or, with
    ``restore_best_weights=False``, the last ones unless the training diverged)."""
    status = state.status
    back = np.flatnonzero(early & ((status == DIVERGED_RESTORED)
                                   | (restore & (status != DIVERGED))))
    set_rows(params, back, take_rows(state.best_params, back))


def record_validation(arch: Architecture, data: TrainingData, params: Array,
                      config: TrainingConfig, val_weight: Array | None,
                      state: TrainingState, ids: NDArray[np.intp],
                      validated: NDArray[np.bool_] | None = None) -> tuple[Array, Array]:
    """Score the models ``ids`` on the validation set and append to the curves of
    those with validation rows (``validated``; default all).

    Returns the validation scores (R^2 or accuracy; NaN for a model whose
    predictions are not finite) and losses, each of shape ``(len(ids),)``.
    """
    layout = arch.layout
    P = predict(data.X_val, layout.coefs(params), layout.intercepts(params), arch)
    # scored on the host (K numbers come back; one implementation of each score)
    P, Y_val, val_weight = to_numpy(P), to_numpy(data.Y_val), to_numpy(val_weight)
    values = score(config.score, Y_val, P, val_weight, arch.out_activation)
    loss = LOSSES[config.loss].value(Y_val, P, val_weight)
    keep = slice(None) if validated is None or validated.all() else validated
    state.record("validation_score", ids[keep], values[keep])
    state.record("validation_loss", ids[keep], loss[keep])
    return values, loss


def _apply_stopping_rule(state: TrainingState, ids: NDArray[np.intp], progress: Progress,
                         optimizer: Any, config: TrainingConfig, early: NDArray[np.bool_],
                         log: Callable[[str], None] | None) -> NDArray[np.bool_]:
    """Which models stop after this epoch; adaptive SGD lowers its rate instead."""
    patience = config.n_iter_no_change[ids]
    fired = _patience_exhausted(progress.count, patience)
    stopping = np.zeros(len(ids), dtype=bool)
    if not fired.any():
        return stopping
    local = np.flatnonzero(fired)
    schedule = getattr(optimizer, "schedule", None)
    stop = optimizer.trigger_stopping(local)
    for j, stops in zip(local, stop):
        k = ids[j]
        if stops:
            state.status[k] = CONVERGED
            stopping[j] = True
            adaptive = schedule is not None and schedule[j] == "adaptive"
            ending = " Learning rate too small. Stopping." if adaptive else " Stopping."
        else:
            progress.count[j] = 0
            ending = " Setting learning rate to %f" % optimizer.learning_rate[j]
        message = stop_message(early[j], config.tol[k], patience[j], ending)
        state.messages[k].append(message)
        if log is not None:
            log(message)
    return stopping
