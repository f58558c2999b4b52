"""The chosen alpha's fold networks, kept by the CV estimators.

The cross-validation already trained one network per fold at every alpha. The
CV estimators keep those of the chosen alpha (only those: memory stays that of
``n_splits`` networks) with each training row's out-of-fold prediction. They
answer, without any fit beyond the CV's:

* ``refit=False``: predict with the fold networks' average instead of a network
  refit on all rows (scikit-learn's ``LogisticRegressionCV(refit=False)``
  averages its folds' coefficients the same way; RealMLP bags its CV folds);
* ``predict_interval``: CV+ intervals, jackknife+ under leave-one-out (Barber
  et al., 2021), as MAPIE's ``CrossConformalRegressor(method="plus")`` computes
  them from the same networks (:mod:`._conformal`);
* ``predict_set``: cross-conformal prediction sets, as MAPIE's
  ``CrossConformalClassifier``.

The batched searches keep their best candidate's fold models the same way
(:mod:`._search_intervals`).
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _num_samples

from .._stacks import fitted_network
from ._conformal import cross_conformal_sets, cv_plus_intervals, fold_of_row_from_splits


class FoldNetworks:
    """One fitted network per split, at one alpha, and their out-of-fold outputs.

    Parameters
    ----------
    estimators : list of fitted estimators
        The split's network (an MLP; for a batched search also a seed ensemble,
        or a pipeline of the split's fitted steps ending in either), trained on
        its training rows.
    test_rows : list of ndarray of int
        Each split's held-out rows.
    oof : ndarray of shape (n_samples,) or (n_samples, n_outputs_or_classes)
        Each row's prediction (probabilities for a classifier) by the network of
        the split that held it out last (NaN for a row no split holds out).
    classes : ndarray or None
        A classifier's classes (the probabilities' columns); None for a regressor.

    Attributes
    ----------
    targets : ndarray
        The training targets conformal prediction calibrates on (class indices
        for a classifier), set by the CV estimator's fit.
    """

    def __init__(self, estimators: list, test_rows: list, oof: np.ndarray,
                 classes: np.ndarray | None = None) -> None:
        self.estimators, self.test_rows, self.oof = estimators, test_rows, oof
        self.classes = classes
        self.targets: np.ndarray | None = None

    def outputs(self, estimator, X) -> np.ndarray:
        """One network's predictions, or its probabilities over all the classes
        (0 for a class its fold never saw, as MAPIE pads them)."""
        if self.classes is None:
            return np.asarray(estimator.predict(X), dtype=float)
        own = np.asarray(estimator.predict_proba(X), dtype=float)
        if own.shape[1] != len(estimator.classes_):  # scikit-learn's one class: 2 columns
            own = np.ones((own.shape[0], 1))
        if own.shape[1] == len(self.classes):
            return own
        padded = np.zeros((own.shape[0], len(self.classes)))
        padded[:, np.searchsorted(self.classes, estimator.classes_)] = own
        return padded

    @classmethod
    def from_search(cls, template, tasks: list, trained: dict, candidate: int, X,
                    classes=None, feature_names=None) -> FoldNetworks:
        """The networks of ``candidate`` (one per split, alpha-major ``tasks``) as
        plain fitted estimators, and their out-of-fold outputs on ``X``
        (probabilities over ``classes`` for a classifier)."""
        own = [t for t in tasks if t.candidate == candidate]
        estimators = [fitted_network(template, t.members[0], trained[t.members[0].key],
                                     feature_names) for t in own]
        return cls.from_estimators(estimators, [t.fold.test for t in own], X, classes)

    @classmethod
    def from_estimators(cls, estimators: list, test_rows: list, X,
                        classes=None) -> FoldNetworks:
        """Fitted fold models (networks, seed ensembles, pipelines ending in
        either), each split's held-out rows, and their out-of-fold outputs on
        ``X`` (probabilities over ``classes`` for a classifier)."""
        test_rows = [np.asarray(rows) for rows in test_rows]
        networks = cls(estimators, test_rows, None, classes)
        oof = None
        for estimator, rows in zip(estimators, test_rows):
            part = networks.outputs(estimator, _safe_indexing(X, rows))
            if oof is None:
                oof = np.full((_num_samples(X),) + part.shape[1:], np.nan)
            oof[rows] = part
        networks.oof = oof
        return networks

    def _weights(self) -> np.ndarray:
        """Each network's share: the rows it held out (MAPIE's aggregation; the
        plain mean for equal folds)."""
        counts = np.array([len(rows) for rows in self.test_rows], dtype=float)
        return counts / counts.sum()

    def average(self, X) -> np.ndarray:
        """The networks' predictions (a classifier's probabilities) on ``X``,
        averaged, each weighted by the rows it held out (:meth:`_weights`)."""
        outputs = np.stack([self.outputs(e, X) for e in self.estimators])
        return np.tensordot(self._weights(), outputs, axes=1)

    def fold_of_row(self, name: str) -> np.ndarray:
        """The split holding out each training row, checked: conformal prediction
        needs every row held out exactly once."""
        try:
            return fold_of_row_from_splits(self.test_rows, len(self.oof))
        except ValueError as error:
            raise ValueError(
                f"{name} needs a cv whose splits hold out every training row exactly "
                f"once (KFold, StratifiedKFold, GroupKFold, LeaveOneOut): {error}"
            ) from None

    def intervals(self, X, y, confidence_level, name: str):
        """CV+ intervals of ``X`` (:func:`._conformal.cv_plus_intervals`)."""
        fold_of_row = self.fold_of_row(name)
        predictions = np.stack([self.outputs(e, X) for e in self.estimators])
        return cv_plus_intervals(predictions, self.oof, y, fold_of_row, confidence_level)

    def sets(self, X, y_encoded, confidence_level, name: str, y_pred=None):
        """Cross-conformal sets of ``X`` (:func:`._conformal.cross_conformal_sets`)."""
        fold_of_row = self.fold_of_row(name)
        probas = np.stack([self.outputs(e, X) for e in self.estimators])
        return cross_conformal_sets(probas, self.oof, y_encoded, fold_of_row,
                                    confidence_level, y_pred=y_pred)
