"""Progress of K stacked networks: status, curves, the stopping and divergence rules.

:class:`TrainingState` is what a training leaves behind and what a later
``partial_fit`` or warm start resumes from: the optimizer (its moments and
schedule), the best weights of early stopping, per-model counters and the
per-epoch curves. It is the one owner of that state; an estimator keeps it in
one private attribute and derives its fitted attributes from it.

:class:`Progress` keeps the same counters for the models still training,
aligned with the stack, so that the per-epoch bookkeeping is a few vectorized
operations without fancy indexing; it writes them back to the state when
models stop.

The stopping and divergence rules are the functions of :mod:`.rules` (which
the compiled loop calls too), applied here to the arrays of K models: the
shell reads ``status`` and never decides divergence itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .backend import copy
from .jit import plain
from .rules import (
    CONVERGED,
    DIVERGED,
    DIVERGED_RESTORED,
    EXPLOSION_FACTOR,
    MAX_ITER,
    TRAINING,
    WORSE_THAN_START,
    is_diverged,
    loss_stalled,
    next_count,
    reference_loss,
    score_stalled,
)
from .types import Array

__all__ = ["CONVERGED", "DIVERGED", "DIVERGED_RESTORED", "EXPLOSION_FACTOR", "MAX_ITER",
           "Progress", "TRAINING", "TrainingState", "WORSE_THAN_START", "diverged"]

#: The rules on the arrays of K models.
_diverged, _next_count = plain(is_diverged), plain(next_count)
_loss_stalled, _score_stalled = plain(loss_stalled), plain(score_stalled)
_reference_loss = np.vectorize(plain(reference_loss), otypes=[float])


def diverged(loss: Array, first_loss: Array, guard_explosion: bool | NDArray[np.bool_]
             ) -> NDArray[np.bool_]:
    """:func:`.rules.is_diverged` of each model: a non-finite loss, or, for the
    models with ``guard_explosion`` (those without early stopping), a loss over
    ``EXPLOSION_FACTOR`` times the reference ``first_loss``
    (:func:`.rules.reference_loss`)."""
    return _diverged(loss, first_loss, np.asarray(guard_explosion, dtype=bool))


class TrainingState:
    """Progress of K models, kept between calls (``partial_fit``, warm start).

    Parameters
    ----------
    n_models : int
    optimizer : SGD, Adam or None
        The stochastic optimizer (None for L-BFGS); its state is part of the
        training's.

    Attributes
    ----------
    n_iter : ndarray of shape (K,)
        Epochs (iterations) of the last call.
    t : ndarray of shape (K,)
        Training samples seen by the stochastic solver, over all calls.
    best_loss, best_validation_score : ndarray of shape (K,)
        Best training loss and validation score so far.
    no_improvement_count : ndarray of shape (K,)
        scikit-learn's patience counter.
    first_loss : ndarray of shape (K,)
        The divergence rule's reference (:func:`.rules.reference_loss`): set
        when a ``fit`` or warm start begins (:meth:`.stack.TrainingLoss.reference`),
        kept by the ``partial_fit`` calls that follow (NaN before any training).
    last_loss : ndarray of shape (K,)
        Loss of the last epoch of the last call (of the kept weights, for a
        model :meth:`judge_ending` finds diverged).
    status : ndarray of shape (K,)
        ``CONVERGED``, ``MAX_ITER``, ``DIVERGED`` or ``DIVERGED_RESTORED``.
    best_params : ndarray of shape (K, P) or None
        Parameters of the best validation epoch (early stopping).
    last_params, order : ndarray of shape (K, P) and (K, n_rows), or None
        The last weights (before early stopping restores the best) and each
        model's order of its rows after its last shuffle: what continuing the
        training needs, kept when it ran with ``TrainingConfig.checkpoint``
        (with ``model_optimizers``, each model's optimizer row as it stopped).
    messages : list of list of str
        What the stopping rule (or L-BFGS) said, per model.
    """

    def __init__(self, n_models: int, optimizer: Any = None):
        K = self.n_models = n_models
        self.optimizer = optimizer
        self.n_iter = np.zeros(K, dtype=np.intp)
        self.t = np.zeros(K, dtype=np.intp)
        self.best_loss = np.full(K, np.inf)
        self.best_validation_score = np.full(K, -np.inf)
        self.no_improvement_count = np.zeros(K, dtype=np.intp)
        self.first_loss = np.full(K, np.nan)
        self.last_loss = np.full(K, np.nan)
        self.status = np.full(K, TRAINING)
        self.best_params: Array | None = None
        self.messages: list[list[str]] = [[] for _ in range(K)]
        self._curves: dict[str, list[list[Array]]] = {}  # name -> per model: blocks
        self._pending: dict[str, list] = {}
        # kept by a training with TrainingConfig.checkpoint (see select_model)
        self.last_params: Array | None = None
        self.order: NDArray[np.intp] | None = None
        self.model_optimizers: list | None = None  # one optimizer row per model

    def record(self, name: str, ids: NDArray[np.intp], values: Array) -> None:
        """Buffer one epoch's values of the models ``ids`` for the curve ``name``.

        Any name starts a new curve. Appending to K Python lists every epoch
        costs more than the epoch itself for hundreds of tiny models;
        :meth:`flush` distributes the buffer.
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
            curves = self._curves.setdefault(name, [[] for _ in range(self.n_models)])
            for k in np.flatnonzero(present.any(axis=0)):
                curves[k].append(dense[present[:, k], k])
        self._pending.clear()

    def extend(self, name: str, k: int, values: Array) -> None:
        """Append several epochs of model k's curve ``name`` at once."""
        self.flush()
        curves = self._curves.setdefault(name, [[] for _ in range(self.n_models)])
        curves[k].append(np.array(values, dtype=float))

    def curve(self, name: str, k: int = 0) -> Array:
        """Model k's values of the curve ``name``, one row per epoch (empty if none).

        Curves are kept as blocks of epochs (one per flush or extend), joined here.
        """
        self.flush()
        blocks = self._curves.get(name, [[]] * self.n_models)[k]
        if len(blocks) > 1:
            blocks[:] = [np.concatenate(blocks)]  # joined once, not at every read
        return blocks[0].copy() if blocks else np.empty(0)

    #: The counters, one value per model.
    _COUNTERS = ("n_iter", "t", "best_loss", "best_validation_score",
                 "no_improvement_count", "first_loss", "last_loss", "status")

    def select_model(self, k: int, checkpoint: bool = False) -> TrainingState:
        """A one-model state holding model k's counters and curves; with
        ``checkpoint``, also what continuing it needs (:meth:`concat`): its
        optimizer's row, its last weights and its rows' order (kept by a
        training that ran with ``TrainingConfig.checkpoint``)."""
        self.flush()
        one = TrainingState(1)
        for name in self._COUNTERS:
            getattr(one, name)[0] = getattr(self, name)[k]
        one.messages = [list(self.messages[k])]
        one._curves = {name: [list(curves[k])] for name, curves in self._curves.items()}
        if self.best_params is not None:
            one.best_params = copy(self.best_params[k:k + 1, ...])
        if checkpoint:
            one.optimizer = self.model_optimizers[k]
            one.last_params = copy(self.last_params[k:k + 1, ...])
            one.order = None if self.order is None else self.order[k:k + 1].copy()
        return one

    @classmethod
    def concat(cls, states: list[TrainingState]) -> TrainingState:
        """One state for the models of ``states`` (checkpoints of
        :meth:`select_model`), each continuing where it stopped: counters,
        curves, messages, best weights, optimizer and rows' order joined."""
        for state in states:
            state.flush()
        whole = TrainingState(sum(s.n_models for s in states))
        for name in cls._COUNTERS:
            setattr(whole, name, np.concatenate([getattr(s, name) for s in states]))
        whole.messages = [list(m) for s in states for m in s.messages]
        names = {name for s in states for name in s._curves}
        whole._curves = {name: [list(blocks) for s in states for blocks in s._curves.get(
            name, [[]] * s.n_models)] for name in names}
        kept = [s.best_params for s in states]
        if any(p is not None for p in kept):
            whole.best_params = np.concatenate([
                p if p is not None else s.last_params for p, s in zip(kept, states)])
        optimizers = [s.optimizer for s in states]
        if all(o is not None for o in optimizers):
            whole.optimizer = type(optimizers[0]).concat(optimizers)
        orders = [s.order for s in states]
        if all(o is not None for o in orders):
            whole.order = np.concatenate(orders)
        return whole

    def judge_ending(self, kept_loss: NDArray[np.floating], incremental: bool) -> None:
        """The end of the divergence rule, on the loss ``kept_loss`` of the
        weights a call keeps (measured after it: the last step may have
        exploded them, and early stopping's best of epochs that all exploded is
        garbage too). A ``fit`` or warm start whose kept weights have a loss
        over ``WORSE_THAN_START`` times the reference (``first_loss``), or not
        finite, has diverged, whatever stopped it (a blown-up loss can stop on
        the no-improvement rule and pass for convergence); a ``partial_fit``
        call, one whose kept loss is diverged by the epochs' rule
        (:func:`diverged`)."""
        kept = np.asarray(kept_loss, dtype=float)
        if incremental:
            bad = diverged(kept, self.first_loss, True)
        else:
            with np.errstate(invalid="ignore"):
                bad = ~np.isfinite(kept) | (kept > WORSE_THAN_START * self.first_loss)
        bad &= self.status != DIVERGED
        self.status[bad] = DIVERGED
        self.last_loss[bad] = kept[bad]  # what the error reports


class Progress:
    """Counters of the models still training, aligned with the stack.

    Parameters
    ----------
    state : TrainingState
        Where the counters start from and are written back to, the divergence
        rule's reference loss included (``first_loss``).
    """

    def __init__(self, state: TrainingState):
        ids = np.arange(state.n_models)
        self.n_iter = np.zeros(len(ids), dtype=np.intp)  # epochs of this call
        self.t = state.t[ids].copy()
        self.best_loss = state.best_loss[ids].copy()
        self.best_score = state.best_validation_score[ids].copy()
        self.count = state.no_improvement_count[ids].copy()
        self.first_loss = state.first_loss[ids].copy()
        self.last_loss = np.full(len(ids), np.nan)

    def select(self, keep: NDArray[np.intp]) -> None:
        """Keep the models at positions ``keep``."""
        for name in ("n_iter", "t", "best_loss", "best_score", "count", "first_loss",
                     "last_loss"):
            setattr(self, name, getattr(self, name)[keep])

    def write(self, state: TrainingState, ids: NDArray[np.intp],
              local: slice | NDArray[np.intp] = slice(None)) -> None:
        """Copy the counters of positions ``local`` (models ``ids``) to ``state``."""
        state.n_iter[ids] = self.n_iter[local]
        state.t[ids] = self.t[local]
        state.best_loss[ids] = self.best_loss[local]
        state.best_validation_score[ids] = self.best_score[local]
        state.no_improvement_count[ids] = self.count[local]
        state.first_loss[ids] = self.first_loss[local]
        state.last_loss[ids] = self.last_loss[local]

    def end_epoch(self, loss: Array, n_rows: int,
                  guard_explosion: bool | NDArray[np.bool_]) -> Array:
        """Count the epoch; return which models diverged (:func:`diverged`)."""
        self.n_iter += 1
        self.t += n_rows
        self.last_loss = loss
        if self.n_iter[0] == 1:  # the call's first epoch (all models start together)
            self.first_loss = _reference_loss(self.first_loss, np.asarray(loss, dtype=float))
        return diverged(loss, self.first_loss, guard_explosion)

    def update(self, loss: Array, score: Array | None, tol: Array,
               early: NDArray[np.bool_]) -> Array:
        """scikit-learn's patience count, on the validation score for the models
        with early stopping (``early``), on the training loss for the others.

        Returns which models improved on their best.
        """
        if early.all():
            worse = _score_stalled(score, self.best_score, tol)  # NaN compares False
            improved = score > self.best_score
            np.fmax(self.best_score, score, out=self.best_score)
        elif not early.any():
            worse = _loss_stalled(loss, self.best_loss, tol)
            improved = loss < self.best_loss
            np.fmin(self.best_loss, loss, out=self.best_loss)
        else:
            worse = np.where(early, _score_stalled(score, self.best_score, tol),
                             _loss_stalled(loss, self.best_loss, tol))
            improved = np.where(early, score > self.best_score, loss < self.best_loss)
            self.best_score = np.where(early, np.fmax(self.best_score, score),
                                       self.best_score)
            self.best_loss = np.where(early, self.best_loss, np.fmin(self.best_loss, loss))
        self.count = _next_count(self.count, worse)
        return improved
