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

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .activations import saturation
from .dropout import draw_masks, predict_weights
from .losses import LOSSES
from .network import Layout, Workspace, predict
from .objective import Objective
from .penalties import Penalty
from .scores import SCORES

Array = NDArray[np.floating]

#: Model status codes after training.
TRAINING, CONVERGED, MAX_ITER, DIVERGED, DIVERGED_RESTORED = range(5)

#: Without early stopping, a loss this many times the first epoch's loss (of the
#: same call) stops a training as diverged while it is still finite, and one that
#: ends over ``WORSE_THAN_START`` times its first epoch's loss has diverged too,
#: whatever stopped it: a blown-up loss can stop on the no-improvement rule and
#: pass for convergence. (With early stopping the best weights are restored
#: anyway, and training goes on as in scikit-learn.)
EXPLOSION_FACTOR = 1e6
WORSE_THAN_START = 10.0


@dataclass
class TrainingData:
    """The samples K models train and validate on.

    ``X`` (``(n, d)`` array or sparse matrix) and ``Y`` (``(n, n_outputs)``)
    are shared; ``sample_weight`` ``(K, n)``, ``rows`` ``(K, n_k)`` and
    ``val_weight`` ``(K, n_val)`` are per model.
    """

    X: Any
    Y: Array
    sample_weight: Optional[Array] = None
    rows: Optional[NDArray[np.intp]] = None
    X_val: Any = None
    Y_val: Optional[Array] = None
    val_weight: Optional[Array] = None


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
    batch_size: Optional[int] = None
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


@dataclass
class TrainingState:
    """Progress of K models, kept between calls (``partial_fit``, warm start)."""

    n_models: int
    validation: bool = False
    n_iter: NDArray[np.intp] = field(init=False)
    t: NDArray[np.intp] = field(init=False)
    best_loss: Array = field(init=False)
    best_validation_score: Array = field(init=False)
    no_improvement_count: NDArray[np.intp] = field(init=False)
    status: NDArray[np.intp] = field(init=False)
    best_params: Optional[Array] = None

    def __post_init__(self):
        K = self.n_models
        self.n_iter = np.zeros(K, dtype=np.intp)
        self.t = np.zeros(K, dtype=np.intp)
        self.best_loss = np.full(K, np.inf)
        self.best_validation_score = np.full(K, -np.inf)
        self.no_improvement_count = np.zeros(K, dtype=np.intp)
        self.status = np.full(K, TRAINING)
        self.loss_curve: list[list[float]] = [[] for _ in range(K)]
        self.gradient_norms: list[list[Array]] = [[] for _ in range(K)]
        self.validation_scores: list[list[float]] = [[] for _ in range(K)]
        self.validation_loss_curve: list[list[float]] = [[] for _ in range(K)]
        self.saturation: list[list[Array]] = [[] for _ in range(K)]
        self.messages: list[list[str]] = [[] for _ in range(K)]
        self._pending: dict[str, list] = {}

    def record(self, name: str, ids: NDArray[np.intp], values: Array) -> None:
        """Buffer one epoch's values of the models ``ids`` for the curve ``name``.

        Appending to K Python lists every epoch costs more than the epoch itself
        for hundreds of tiny models; :meth:`flush` distributes the buffer.
        """
        self._pending.setdefault(name, []).append((ids, np.asarray(values)))

    def flush(self) -> None:
        """Append the buffered epochs to each model's curves."""
        for name, rows in self._pending.items():
            tail = rows[0][1].shape[1:]
            dense = np.zeros((len(rows), self.n_models) + tail)
            present = np.zeros((len(rows), self.n_models), dtype=bool)
            for epoch, (ids, values) in enumerate(rows):
                dense[epoch, ids] = values
                present[epoch, ids] = True
            curves = getattr(self, name)
            for k in np.flatnonzero(present.any(axis=0)):
                column = dense[present[:, k], k]
                curves[k].extend(column.tolist() if not tail else list(column))
        self._pending.clear()


def batch_size_for(batch_size: Optional[int], n_samples: int) -> int:
    """scikit-learn's rule: ``"auto"`` (None) is ``min(200, n)``; clip to [1, n]."""
    if batch_size is None:
        return min(200, n_samples)
    return int(np.clip(batch_size, 1, n_samples))


class _Stack:
    """The per-model arrays of the models still training, in one place."""

    def __init__(self, data, params, rngs, config, layout):
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

    def _refresh(self):
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

    def _gather(self, X, Y, sw, index, shared=False):
        """The rows ``index`` (``(K, m)``) of X, Y and the weights, per model.

        One model (or one order shared by all) gives a shared 2-D batch.
        """
        if len(self.ids) == 1 or shared:
            index = index[0]
            return X[index], Y[index], None if sw is None else sw[:, index]
        Xs = np.stack([X[i].toarray() for i in index]) if sp.issparse(X) else X[index]
        ws = None if sw is None else np.take_along_axis(sw, index, axis=1)
        return Xs, Y[index], ws

    def workspace(self, n_batch: int, dtype, dropout) -> Workspace:
        if n_batch not in self.workspaces:
            self.workspaces[n_batch] = Workspace(
                self.layout, len(self.ids), n_batch, dtype, dropout
            )
        return self.workspaces[n_batch]

    def epoch_batches(self, data: TrainingData, shuffle: bool):
        """Yield ``(X_b, Y_b, w_b, n_b)`` for one epoch."""
        X, Y, sw = data.X, data.Y, self.sample_weight
        if self.full_batch and self.rows is None:
            yield X, Y, sw, self.n_rows
            return
        if self.full_batch:  # each model's own rows, gathered once
            if self._gathered is None:
                self._gathered = self._gather(X, Y, sw, self.rows)
            yield (*self._gathered, self.n_rows)
            return
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
    optimizer,
    state: TrainingState,
    config: TrainingConfig,
    rngs: list,
    log: Optional[Callable[[str], None]] = None,
    on_epoch_end: Optional[Callable[..., None]] = None,
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
    on_epoch_end : callable, default=None
        Called as ``on_epoch_end(ids, loss, validation_score)`` after every
        epoch: the models still training, their training losses and their
        validation scores (None without a validation set).
    """
    dtype = params.dtype
    stack = _Stack(data, params.copy(), rngs, config, layout)
    penalty = Penalty(config.penalty, config.l1_ratio)
    has_val = data.X_val is not None
    early = config.early_stopping and has_val
    if early and state.best_params is None:
        state.best_params = params.copy()
    first_loss = None  # per original model, set after the first epoch
    last_loss = np.full(params.shape[0], np.nan)
    objective = None
    for _ in range(config.max_iter):
        ids = stack.ids
        if objective is None or objective.strength.shape[0] != len(ids):
            objective = Objective(layout, config.activation, config.out_activation,
                                  config.loss, config.penalty, stack.strength,
                                  config.l1_ratio, include_l1=False,
                                  norms=config.diagnostics)
        total_loss = np.zeros(len(ids))
        norms = np.zeros((len(ids), layout.n_layers))
        n_batches = 0
        for Xb, Yb, wb, n_b in stack.epoch_batches(data, config.shuffle):
            work = stack.workspace(n_b, dtype, config.dropout)
            draw_masks(work, stack.rngs, config.dropout_mode)
            loss, batch_norms = objective(Xb, Yb, stack.params, stack.grads, work, wb)
            if penalty.l1:
                loss = loss + penalty.l1_value(layout.weights(stack.params),
                                               stack.strength)
            optimizer.step(stack.params, stack.grads)
            if penalty.l1:
                penalty.proximal_step(layout.weights(stack.params),
                                      optimizer.step_sizes(layout.n_weights),
                                      stack.strength)
            total_loss += loss * n_b
            norms += batch_norms
            n_batches += 1
        epoch_loss = total_loss / stack.n_rows
        state.n_iter[ids] += 1
        state.t[ids] += stack.n_rows
        state.record("loss_curve", ids, epoch_loss)
        if config.diagnostics:
            state.record("gradient_norms", ids, norms / n_batches)
            # Dead / saturated hidden units on the epoch's last batch (unmasked).
            state.record("saturation", ids, np.stack(
                [saturation(config.activation, A) for A in work.outputs[:-1]]
                or [np.zeros(len(ids))], axis=-1)[:, : layout.n_layers - 1])
        if log is not None:
            log("Iteration %d, loss = %.8f" % (state.n_iter[ids[0]], epoch_loss[0]))
        if first_loss is None:
            first_loss = np.full(params.shape[0], np.inf)
            first_loss[ids] = np.abs(epoch_loss)
        last_loss[ids] = epoch_loss
        diverged = ~np.isfinite(epoch_loss)
        if not early:
            with np.errstate(invalid="ignore"):
                diverged |= epoch_loss > EXPLOSION_FACTOR * first_loss[ids]
        if has_val:
            val_score = record_validation(data, stack.coefs, stack.intercepts,
                                          config, stack.val_weight, state, ids)
            if log is not None and early:
                log("Validation score: %f" % val_score[0])
            diverged |= ~np.isfinite(val_score)
        _update_no_improvement(state, ids, stack, epoch_loss,
                               val_score if early else None, config.tol)
        optimizer.iteration_ends(state.t[ids])
        stopping = _apply_stopping_rule(state, ids, optimizer, config, early, log)
        stopping |= diverged
        state.status[ids[diverged]] = DIVERGED_RESTORED if early else DIVERGED
        if config.incremental:
            stopping[:] = True
        if on_epoch_end is not None:
            on_epoch_end(ids, epoch_loss, val_score if has_val else None)
        if stopping.any():
            params[ids[stopping]] = stack.params[stopping]
            keep = np.flatnonzero(~stopping)
            if len(keep) == 0:
                break
            stack.select(keep)
            optimizer.select(keep)
    else:
        params[stack.ids] = stack.params
        state.status[stack.ids] = MAX_ITER
    state.flush()
    if not early and first_loss is not None and not config.incremental:
        with np.errstate(invalid="ignore"):
            worse = last_loss > WORSE_THAN_START * first_loss
        ended = (state.status == CONVERGED) | (state.status == MAX_ITER)
        state.status[ended & worse] = DIVERGED
    if early:
        restore = state.status == DIVERGED_RESTORED
        if config.restore_best_weights:
            restore |= state.status != DIVERGED
        params[restore] = state.best_params[restore]


def record_validation(data, coefs, intercepts, config, val_weight, state, ids):
    """Score the models ``ids`` on the validation set and append to their curves.

    Returns the validation scores (R^2 or accuracy; NaN for a model whose
    predictions are not finite), shape ``(len(ids),)``.
    """
    coefs = predict_weights(coefs, config.dropout, config.dropout_mode)
    P = predict(data.X_val, coefs, intercepts, config.activation, config.out_activation)
    args = () if config.score == "r2" else (config.out_activation,)
    score = SCORES[config.score](data.Y_val, P, *args, val_weight)
    loss = LOSSES[config.loss].value(data.Y_val, P, val_weight)
    state.record("validation_scores", ids, score)
    state.record("validation_loss_curve", ids, loss)
    return score


def _update_no_improvement(state, ids, stack, epoch_loss, val_score, tol):
    """scikit-learn's bookkeeping of the best loss / score and the patience count."""
    count = state.no_improvement_count
    if val_score is not None:
        best = state.best_validation_score[ids]
        with np.errstate(invalid="ignore"):
            worse = val_score < best + tol
            improved = val_score > best
        state.best_validation_score[ids[improved]] = val_score[improved]
        state.best_params[ids[improved]] = stack.params[improved]
    else:
        best = state.best_loss[ids]
        with np.errstate(invalid="ignore"):
            worse = epoch_loss > best - tol
            improved = epoch_loss < best
        state.best_loss[ids[improved]] = epoch_loss[improved]
    count[ids] = np.where(worse, count[ids] + 1, 0)


def _apply_stopping_rule(state, ids, optimizer, config, early, log):
    """Which models stop after this epoch; adaptive SGD lowers its rate instead."""
    fired = state.no_improvement_count[ids] > config.n_iter_no_change
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
            state.no_improvement_count[k] = 0
            suffix = " Setting learning rate to %f" % optimizer.learning_rate[j]
        state.messages[k].append(msg + suffix)
        if log is not None:
            log(msg + suffix)
    return stopping
