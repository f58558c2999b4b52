"""The stochastic training loop of K stacked networks.

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

Folds and sample weights are the same thing here: ``sample_weight`` of shape
``(K, n)`` gives each model its own weight per sample (0 leaves it out), and
``rows`` of shape ``(K, n_k)`` lists each model's training rows when
mini-batches must be drawn from them. Models that stop leave the stack; the
others go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .activations import saturation
from .dropout import draw_masks, predict_weights
from .losses import LOSSES
from .network import Inputs, Layout, Workspace, predict
from .objective import Objective
from .optimizers import SGD, Adam
from .penalties import Penalty
from .scores import SCORES
from .state import (
    CONVERGED,
    DIVERGED,
    DIVERGED_RESTORED,
    MAX_ITER,
    WORSE_THAN_START,
    Progress,
    TrainingState,
)

Array = NDArray[np.floating]
Batch = tuple[Inputs, Array, Array | None, int]  # rows, targets, weights, count


class EpochHooks(Protocol):
    """What :func:`train` calls around every epoch (the callback bridge)."""

    def epoch_begin(self) -> None:
        """An epoch starts."""

    def epoch_end(self, ids: NDArray[np.intp], loss: Array, validation_loss: Array | None,
                  params: Array) -> bool:
        """An epoch ended for the models ``ids``; return True to stop them all."""

@dataclass
class TrainingData:
    """The samples K models train and validate on.

    ``X`` (``(n, d)`` array or sparse matrix) and ``Y`` (``(n, n_outputs)``)
    are shared; ``sample_weight`` ``(K, n)``, ``rows`` ``(K, n_k)`` and
    ``val_weight`` ``(K, n_val)`` are per model.
    """

    X: Inputs
    Y: Array
    sample_weight: Array | None = None
    rows: NDArray[np.intp] | None = None
    X_val: Inputs | None = None
    Y_val: Array | None = None
    val_weight: Array | None = None


@dataclass
class TrainingConfig:
    """Settings of a training run (the estimator's hyper-parameters)."""

    activation: str
    out_activation: str
    loss: str
    score: str
    alpha: Array
    penalty: str = "l2"
    l1_ratio: float = 0.15
    batch_size: int | None = None
    shuffle: bool = True
    max_iter: int = 200
    tol: float = 1e-4
    n_iter_no_change: float = 10
    early_stopping: bool = False
    restore_best_weights: bool = True
    dropout: tuple = ()
    dropout_mode: str = "inverted"
    incremental: bool = False
    diagnostics: bool = True  # record gradient norms and saturation per epoch


def batch_size_for(batch_size: int | None, n_samples: int) -> int:
    """scikit-learn's rule: ``"auto"`` (None) is ``min(200, n)``; clip to [1, n]."""
    if batch_size is None:
        return min(200, n_samples)
    return int(np.clip(batch_size, 1, n_samples))


class _Stack:
    """The per-model arrays of the models still training, in one place."""

    def __init__(self, data: TrainingData, params: Array, rngs: list[np.random.RandomState],
                 config: TrainingConfig, layout: Layout) -> None:
        K = params.shape[0]
        self.ids = np.arange(K)
        self.params = params
        self.rngs = list(rngs)
        self.alpha = np.asarray(config.alpha, dtype=float).reshape(K)
        n = data.X.shape[0]
        self.n_rows = n if data.rows is None else data.rows.shape[1]
        self.batch_size = batch_size_for(config.batch_size, self.n_rows)
        self.full_batch = self.batch_size >= self.n_rows
        sw, rows = data.sample_weight, data.rows
        # Full batches of all rows with 0/1 weights are cheaper than gathering each
        # model's rows, unless dropout must draw its masks on the model's own rows.
        if rows is not None and self.full_batch and not any(config.dropout):
            mask = np.zeros((K, n), dtype=params.dtype)
            mask[np.arange(K)[:, None], rows] = 1
            sw, rows = (mask if sw is None else sw * mask), None
        self.sample_weight, self.rows = sw, rows
        self.val_weight = data.val_weight
        if sw is None:
            total = np.full(K, float(self.n_rows))
        elif rows is None:
            total = sw.sum(axis=1)
        else:
            total = np.take_along_axis(sw, rows, axis=1).sum(axis=1)
        self.strength = (self.alpha / total)[:, None].astype(params.dtype)
        self.order = np.tile(np.arange(self.n_rows), (K, 1))
        self.layout = layout
        self._refresh()

    def _refresh(self) -> None:
        self.grads = np.empty_like(self.params)
        self._gathered = None
        self.coefs = self.layout.coefs(self.params)
        self.intercepts = self.layout.intercepts(self.params)
        self.grad_coefs = self.layout.coefs(self.grads)
        self.grad_intercepts = self.layout.intercepts(self.grads)
        self.workspaces: dict[int, Workspace] = {}

    def select(self, keep: NDArray[np.intp]) -> None:
        self.ids = self.ids[keep]
        self.params = self.params[keep]
        self.rngs = [self.rngs[i] for i in keep]
        self.alpha, self.strength = self.alpha[keep], self.strength[keep]
        self.order = self.order[keep]
        for name in ("sample_weight", "rows", "val_weight"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, value[keep])
        self._refresh()

    def _gather(self, X: Inputs, Y: Array, sw: Array | None, index: NDArray[np.intp],
                shared: bool = False) -> tuple[Inputs, Array, Array | None]:
        """The rows ``index`` (``(K, m)``) of X, Y and the weights, per model.

        One model (or one order shared by all) gives a shared 2-D batch.
        """
        if len(self.ids) == 1 or shared:
            index = index[0]
            return X[index], Y[index], None if sw is None else sw[:, index]
        Xs = np.stack([X[i].toarray() for i in index]) if sp.issparse(X) else X[index]
        ws = None if sw is None else np.take_along_axis(sw, index, axis=1)
        return Xs, Y[index], ws

    def workspace(self, n_batch: int, dtype: np.dtype, dropout: tuple) -> Workspace:
        if n_batch not in self.workspaces:
            self.workspaces[n_batch] = Workspace(
                self.layout, len(self.ids), n_batch, dtype, dropout
            )
        return self.workspaces[n_batch]

    def epoch_batches(self, data: TrainingData, shuffle: bool) -> Iterable[Batch]:
        """The ``(X_b, Y_b, w_b, n_b)`` batches of one epoch."""
        X, Y, sw = data.X, data.Y, self.sample_weight
        if self.full_batch and self.rows is None:
            return ((X, Y, sw, self.n_rows),)
        if self.full_batch:  # each model's own rows, gathered once
            if self._gathered is None:
                self._gathered = self._gather(X, Y, sw, self.rows)
            return ((*self._gathered, self.n_rows),)
        return self._mini_batches(X, Y, sw, shuffle)

    def _mini_batches(self, X: Inputs, Y: Array, sw: Array | None, shuffle: bool
                      ) -> Iterator[Batch]:
        """Reorder the rows (composing permutations, as scikit-learn does) and cut."""
        if shuffle:
            for k, rng in enumerate(self.rngs):
                permutation = np.arange(self.n_rows)
                rng.shuffle(permutation)
                self.order[k] = self.order[k][permutation]
        index = self.order if self.rows is None else np.take_along_axis(
            self.rows, self.order, axis=1
        )
        Xs, Ys, ws = self._gather(X, Y, sw, index, shared=self.rows is None and not shuffle)
        for start in range(0, self.n_rows, self.batch_size):
            stop = min(start + self.batch_size, self.n_rows)
            yield (
                Xs[..., start:stop, :] if not sp.issparse(Xs) else Xs[start:stop],
                Ys[..., start:stop, :],
                None if ws is None else ws[:, start:stop],
                stop - start,
            )


def train(
    data: TrainingData,
    params: Array,
    layout: Layout,
    optimizer: SGD | Adam,
    state: TrainingState,
    config: TrainingConfig,
    rngs: list[np.random.RandomState],
    log: Callable[[str], None] | None = None,
    hooks: EpochHooks | None = None,
) -> None:
    """Train K networks in place with a stochastic optimizer (sgd or adam).

    Parameters
    ----------
    data : TrainingData
    params : ndarray of shape (K, P)
        Flat parameters (see :class:`~.network.Layout`); overwritten with the
        final (or best, with early stopping) parameters of every model.
    layout : Layout
    optimizer : SGD or Adam
        Holds one row of state per model.
    state : TrainingState
        Progress, updated in place (curves, counters, status).
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
    stack = _Stack(data, params.copy(), rngs, config, layout)
    progress = Progress(state)
    penalty = Penalty(config.penalty, config.l1_ratio)
    has_val = data.X_val is not None
    early = config.early_stopping and has_val
    if early and state.best_params is None:
        state.best_params = params.copy()
    objective = None
    for _ in range(config.max_iter):
        ids = stack.ids
        if objective is None or objective.strength.shape[0] != len(ids):
            objective = Objective(layout, config.activation, config.out_activation,
                                  config.loss, config.penalty, stack.strength,
                                  config.l1_ratio, include_l1=False,
                                  norms=config.diagnostics)
        if hooks is not None:
            hooks.epoch_begin()
        epoch_loss, norms, work = _run_epoch(stack, objective, optimizer, penalty,
                                              data, config)
        diverged = progress.end_epoch(epoch_loss, stack.n_rows, guard_explosion=not early)
        state.record("loss_curve", ids, epoch_loss)
        if config.diagnostics:
            state.record("gradient_norms", ids, norms)
            state.record("saturation", ids, _saturation(config.activation, work))
        if log is not None:
            log("Iteration %d, loss = %.8f" % (progress.n_iter[0], epoch_loss[0]))
        val_score = val_loss = None
        if has_val:
            val_score, val_loss = record_validation(data, stack.coefs, stack.intercepts,
                                                    config, stack.val_weight, state, ids)
            if log is not None and early:
                log("Validation score: %f" % val_score[0])
            diverged |= ~np.isfinite(val_score)
        improved = progress.update(epoch_loss, val_score if early else None, config.tol)
        if early and improved.any():
            state.best_params[ids[improved]] = stack.params[improved]
        optimizer.iteration_ends(progress.t)
        stopping = _apply_stopping_rule(state, ids, progress, optimizer, config, early,
                                        log)
        if diverged.any():
            stopping |= diverged
            state.status[ids[diverged]] = DIVERGED_RESTORED if early else DIVERGED
        if config.incremental:
            stopping[:] = True
        if hooks is not None and hooks.epoch_end(ids, epoch_loss, val_loss, stack.params):
            stopping[:] = True
        if stopping.any():
            done = np.flatnonzero(stopping)
            params[ids[done]] = stack.params[done]
            progress.write(state, ids[done], done)
            keep = np.flatnonzero(~stopping)
            if len(keep) == 0:
                break
            stack.select(keep)
            optimizer.select(keep)
            progress.select(keep)
    else:
        params[stack.ids] = stack.params
        progress.write(state, stack.ids)
        state.status[stack.ids] = MAX_ITER
    state.flush()
    _judge_the_ending(state, params, config, early)


def _run_epoch(stack: _Stack, objective: Objective, optimizer: SGD | Adam, penalty: Penalty,
               data: TrainingData, config: TrainingConfig
               ) -> tuple[Array, Array, Workspace]:
    """One pass over the training rows; returns the loss, norms and last workspace."""
    layout = stack.layout
    total_loss, norms, n_batches = 0.0, 0.0, 0
    for Xb, Yb, wb, n_b in stack.epoch_batches(data, config.shuffle):
        work = stack.workspace(n_b, stack.params.dtype, config.dropout)
        draw_masks(work, stack.rngs, config.dropout_mode)
        loss, batch_norms = objective(Xb, Yb, stack.params, stack.grads, work, wb)
        if penalty.l1:
            loss = loss + penalty.l1_value(layout.weights(stack.params), stack.strength)
        optimizer.step(stack.params, stack.grads)
        if penalty.l1:
            penalty.proximal_step(layout.weights(stack.params),
                                  optimizer.step_sizes(layout.n_weights), stack.strength)
        total_loss = total_loss + loss * n_b
        norms = norms + batch_norms
        n_batches += 1
    return total_loss / stack.n_rows, norms / n_batches, work


def _saturation(activation: str, work: Workspace) -> Array:
    """Dead / saturated share of each hidden layer on the epoch's last batch."""
    hidden = work.outputs[:-1]
    shares = np.empty((work.outputs[0].shape[0], len(hidden)))
    for i, A in enumerate(hidden):  # unmasked outputs: dropout does not count
        shares[:, i] = saturation(activation, A)
    return shares


def _judge_the_ending(state: TrainingState, params: Array, config: TrainingConfig,
                      early: bool) -> None:
    """Divergence that passed for an ending, and early stopping's best weights."""
    if not early and not config.incremental:
        worse = state.last_loss > WORSE_THAN_START * state.first_loss
        ended = (state.status == CONVERGED) | (state.status == MAX_ITER)
        state.status[ended & worse] = DIVERGED
    if early:
        restore = state.status == DIVERGED_RESTORED
        if config.restore_best_weights:
            restore |= state.status != DIVERGED
        params[restore] = state.best_params[restore]


def record_validation(data: TrainingData, coefs: Sequence[Array],
                      intercepts: Sequence[Array], config: TrainingConfig,
                      val_weight: Array | None, state: TrainingState,
                      ids: NDArray[np.intp]) -> tuple[Array, Array]:
    """Score the models ``ids`` on the validation set and append to their curves.

    Returns the validation scores (R^2 or accuracy; NaN for a model whose
    predictions are not finite) and losses, each of shape ``(len(ids),)``.
    """
    coefs = predict_weights(coefs, config.dropout, config.dropout_mode)
    P = predict(data.X_val, coefs, intercepts, config.activation, config.out_activation)
    args = () if config.score == "r2" else (config.out_activation,)
    score = SCORES[config.score](data.Y_val, P, *args, val_weight)
    loss = LOSSES[config.loss].value(data.Y_val, P, val_weight)
    state.record("validation_scores", ids, score)
    state.record("validation_loss_curve", ids, loss)
    return score, loss


def _apply_stopping_rule(state: TrainingState, ids: NDArray[np.intp], progress: Progress,
                         optimizer: SGD | Adam, config: TrainingConfig, early: bool,
                         log: Callable[[str], None] | None) -> NDArray[np.bool_]:
    """Which models stop after this epoch; adaptive SGD lowers its rate instead."""
    fired = progress.count > config.n_iter_no_change
    stopping = np.zeros(len(ids), dtype=bool)
    if not fired.any():
        return stopping
    local = np.flatnonzero(fired)
    what = "Validation score" if early else "Training loss"
    msg = "%s did not improve more than tol=%f for %d consecutive epochs." % (
        what, config.tol, config.n_iter_no_change)
    adaptive = getattr(optimizer, "schedule", None) == "adaptive"
    stop = optimizer.trigger_stopping(local)
    for j, stops in zip(local, stop):
        k = ids[j]
        if stops:
            state.status[k] = CONVERGED
            stopping[j] = True
            suffix = " Learning rate too small. Stopping." if adaptive else " Stopping."
        else:
            progress.count[j] = 0
            suffix = " Setting learning rate to %f" % optimizer.learning_rate[j]
        state.messages[k].append(msg + suffix)
        if log is not None:
            log(msg + suffix)
    return stopping
