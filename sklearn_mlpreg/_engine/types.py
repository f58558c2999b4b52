"""The engine's shared types: what a training is given and what it calls.

* :class:`TrainingConfig` -- how K stacked networks train (the estimator's
  hyper-parameters, ``alpha`` one per model);
* :class:`TrainingData` -- the samples they train and validate on (folds and
  sample weights are the same thing: a per-model weight on each sample);
* :class:`EpochHooks` -- what the loops call around every epoch (the bridge to
  scikit-learn's callbacks);
* :func:`rows_per_batch` -- the one rule for the mini-batch size.

Both loops, :func:`~.training.train` (sgd, adam) and
:func:`~.lbfgs.train_lbfgs`, take these types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .backend import move

Array = NDArray[np.floating]
#: A batch of input rows: a dense array or a scipy sparse matrix.
Inputs = NDArray[np.floating] | sp.spmatrix | sp.sparray


@dataclass
class TrainingConfig:
    """How K stacked networks train.

    Every setting that may differ between the models of a stack is an array
    with one value per model; a scalar given for it is broadcast to the K
    models (K is the length of ``alpha``).

    Attributes
    ----------
    loss : str
        Key of :data:`~.losses.LOSSES`.
    score : str
        Validation score monitored by early stopping, a key of
        :data:`~.scores.SCORES` (``"r2"`` or ``"accuracy"``).
    alpha : ndarray of shape (K,)
        Penalty strength lambda of each model.
    penalty : str or sequence of str
        ``"l2"``, ``"l1"``, ``"elasticnet"`` or ``"none"``, per model.
    l1_ratio : float or ndarray of shape (K,)
        Share of L1 in the elastic net.
    max_iter : int or ndarray of shape (K,)
        Epochs (L-BFGS: iterations) of each model.
    tol : float or ndarray of shape (K,)
        Improvement below which an epoch counts as no improvement (L-BFGS:
        the gradient tolerance).
    n_iter_no_change : float or ndarray of shape (K,)
        Epochs without improvement tolerated before stopping.
    early_stopping : bool or ndarray of shape (K,)
        Monitor the validation score (needs validation rows).
    restore_best_weights : bool or ndarray of shape (K,)
        With early stopping, end with the best validation epoch's weights.
    shuffle : bool or ndarray of shape (K,)
        Reorder the rows before every epoch.
    dropout : ndarray of shape (K, n_hidden) or None
        Drop rate of each model's hidden layers (None: the architecture's).
    batch_size : int or None
        Rows per mini-batch, shared by the stack; None is scikit-learn's ``"auto"``.
    incremental : bool
        One epoch only (``partial_fit``).
    continues : bool
        The models continue trainings that stopped at an epoch budget (a
        halving search's survivors): their state holds the divergence rule's
        reference and each model's order of its rows, and ``max_iter`` counts
        the epochs still to run.
    checkpoint : bool
        Keep in the state what continuing needs: the last weights (before early
        stopping restores the best) and each model's order of its rows.
    diagnostics : bool
        Record the per-epoch gradient norms and saturation.
    max_fun : int
        L-BFGS: maximum number of objective evaluations.
    """

    loss: str
    score: str
    alpha: Array
    penalty: str | Sequence[str] = "l2"
    l1_ratio: float | Array = 0.15
    max_iter: int | NDArray[np.intp] = 200
    tol: float | Array = 1e-4
    n_iter_no_change: float | Array = 10
    early_stopping: bool | NDArray[np.bool_] = False
    restore_best_weights: bool | NDArray[np.bool_] = True
    shuffle: bool | NDArray[np.bool_] = True
    dropout: Array | None = None
    batch_size: int | None = None
    incremental: bool = False
    continues: bool = False
    checkpoint: bool = False
    diagnostics: bool = True
    max_fun: int = 15000

    def __post_init__(self) -> None:
        self.alpha = np.atleast_1d(np.asarray(self.alpha, dtype=float))
        K = self.n_models
        per_model = {"max_iter": np.intp, "tol": float, "n_iter_no_change": float,
                     "early_stopping": bool, "restore_best_weights": bool, "shuffle": bool,
                     "l1_ratio": float}
        for name, dtype in per_model.items():
            value = np.asarray(getattr(self, name), dtype=dtype)
            setattr(self, name, np.broadcast_to(value, (K,)).copy())
        names = [self.penalty] * K if isinstance(self.penalty, str) else list(self.penalty)
        self.penalty = names
        if self.dropout is not None:
            self.dropout = np.asarray(self.dropout, dtype=float).reshape(K, -1)

    @property
    def n_models(self) -> int:
        """K, the number of models the settings are for."""
        return self.alpha.shape[0]


@dataclass
class TrainingData:
    """The samples K models train and validate on.

    ``X`` (``(n, d)`` array or sparse matrix) and ``Y`` (``(n, n_outputs)``)
    are shared; ``sample_weight`` ``(K, n)``, ``rows`` ``(K, n_k)`` and
    ``val_weight`` ``(K, n_val)`` are per model. ``rows`` lists each model's
    training rows when mini-batches must be drawn from them; a weight of 0
    leaves a sample out.
    """

    X: Inputs
    Y: Array
    sample_weight: Array | None = None
    rows: NDArray[np.intp] | None = None
    X_val: Inputs | None = None
    Y_val: Array | None = None
    val_weight: Array | None = None

    def on_device(self, reference: Array | None) -> TrainingData:
        """The data the network computes with in ``reference``'s namespace and on
        its device (unchanged for numpy): ``X``, ``Y``, ``sample_weight`` and
        ``X_val``. The row indices and the validation targets and weights stay
        on the host, where validation scores are computed."""
        if reference is None:
            return self
        return replace(self, X=move(self.X, reference), Y=move(self.Y, reference),
                       sample_weight=move(self.sample_weight, reference),
                       X_val=move(self.X_val, reference))

    @property
    def has_validation(self) -> bool:
        """Whether a validation set is given."""
        return self.X_val is not None

    def validation_models(self, n_models: int) -> NDArray[np.bool_]:
        """Which of the K models have validation rows (a positive validation weight)."""
        if self.X_val is None:
            return np.zeros(n_models, dtype=bool)
        if self.val_weight is None:
            return np.ones(n_models, dtype=bool)
        return self.val_weight.sum(axis=1) > 0


class EpochHooks(Protocol):
    """What the training loops call around every epoch (the callback bridge)."""

    def epoch_begin(self) -> None:
        """An epoch starts."""

    def epoch_end(self, ids: NDArray[np.intp], loss: Array, validation_loss: Array | None,
                  params: Array) -> bool:
        """An epoch ended for the models ``ids``; return True to stop them all."""

    def close(self) -> None:
        """The training ended (an epoch begun but never run is closed)."""


def rows_per_batch(batch_size: int | None, n_samples: int) -> int:
    """scikit-learn's rule: ``"auto"`` (None) is ``min(200, n)``; clip to [1, n]."""
    if batch_size is None:
        return min(200, n_samples)
    return int(np.clip(batch_size, 1, n_samples))
