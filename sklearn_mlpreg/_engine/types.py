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

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

Array = NDArray[np.floating]
#: A batch of input rows: a dense array or a scipy sparse matrix.
Inputs = NDArray[np.floating] | sp.spmatrix | sp.sparray


@dataclass
class TrainingConfig:
    """How K stacked networks train.

    Attributes
    ----------
    loss : str
        Key of :data:`~.losses.LOSSES`.
    score : str
        Validation score monitored by early stopping, a key of
        :data:`~.scores.SCORES` (``"r2"`` or ``"accuracy"``).
    alpha : ndarray of shape (K,)
        Penalty strength lambda of each model.
    penalty : {"l2", "l1", "elasticnet", "none"}
    l1_ratio : float
        Share of L1 in the elastic net.
    batch_size : int or None
        Rows per mini-batch; None is scikit-learn's ``"auto"``.
    shuffle : bool
        Reorder the rows before every epoch.
    max_iter : int
        Epochs (L-BFGS: iterations).
    tol : float
        Improvement below which an epoch counts as no improvement (L-BFGS:
        the gradient tolerance).
    n_iter_no_change : float
        Epochs without improvement tolerated before stopping.
    early_stopping : bool
        Monitor the validation score (needs a validation set).
    restore_best_weights : bool
        With early stopping, end with the best validation epoch's weights.
    incremental : bool
        One epoch only (``partial_fit``).
    diagnostics : bool
        Record the per-epoch gradient norms and saturation.
    max_fun : int
        L-BFGS: maximum number of objective evaluations.
    """

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
    incremental: bool = False
    diagnostics: bool = True
    max_fun: int = 15000


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

    @property
    def has_validation(self) -> bool:
        """Whether a validation set is given."""
        return self.X_val is not None


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
