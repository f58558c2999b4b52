"""Progress of K stacked networks: status, curves, and the stopping rule.

:class:`TrainingState` is what a training leaves behind (and what a later
``partial_fit`` or warm start resumes from): per-model counters, best values
and curves. :class:`Progress` keeps the same counters for the models still
training, aligned with the stack, so that the per-epoch bookkeeping is a few
vectorized operations without fancy indexing; it writes them back to the
state when models stop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

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
    best_params: Array | None = None

    def __post_init__(self):
        K = self.n_models
        self.n_iter = np.zeros(K, dtype=np.intp)
        self.t = np.zeros(K, dtype=np.intp)
        self.best_loss = np.full(K, np.inf)
        self.best_validation_score = np.full(K, -np.inf)
        self.no_improvement_count = np.zeros(K, dtype=np.intp)
        self.first_loss = np.full(K, np.nan)
        self.last_loss = np.full(K, np.nan)
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


class Progress:
    """Counters of the models still training, aligned with the stack.

    Parameters
    ----------
    state : TrainingState
        Where the counters start from and are written back to.
    """

    def __init__(self, state: TrainingState):
        ids = np.arange(state.n_models)
        self.n_iter = np.zeros(len(ids), dtype=np.intp)  # epochs of this call
        self.t = state.t[ids].copy()
        self.best_loss = state.best_loss[ids].copy()
        self.best_score = state.best_validation_score[ids].copy()
        self.count = state.no_improvement_count[ids].copy()
        self.first_loss: Array | None = None
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

    def end_epoch(self, loss: Array, n_rows: int, guard_explosion: bool) -> Array:
        """Count the epoch; return which models diverged (NaN / exploding loss)."""
        self.n_iter += 1
        self.t += n_rows
        self.last_loss = loss
        if self.first_loss is None:
            self.first_loss = np.abs(loss)
        diverged = ~np.isfinite(loss)
        if guard_explosion:
            diverged |= loss > EXPLOSION_FACTOR * self.first_loss
        return diverged

    def update(self, loss: Array, score: Array | None, tol: float) -> Array:
        """scikit-learn's patience count on the loss (or the validation score).

        Returns which models improved on their best (validation score with
        early stopping, else training loss).
        """
        if score is not None:
            worse = score < self.best_score + tol  # NaN compares False
            improved = score > self.best_score
            np.fmax(self.best_score, score, out=self.best_score)
        else:
            worse = loss > self.best_loss - tol
            improved = loss < self.best_loss
            np.fmin(self.best_loss, loss, out=self.best_loss)
        self.count = np.where(worse, self.count + 1, 0)
        return improved
