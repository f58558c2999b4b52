"""Conformal prediction from a batched search's best candidate.

The search already trained the best candidate once per split. Its fit keeps
those fold models (only the best candidate's: ``n_splits`` of them, each the
split's fitted pipeline steps followed by its network or seed ensemble) with
each row's out-of-fold output, in a :class:`._fold_networks.FoldNetworks`, and
answers without training anything more:

* ``predict_interval`` (a regressor search): CV+ / jackknife+ intervals, as
  MAPIE's ``CrossConformalRegressor(method="plus")`` computes them from the
  same fold models, exactly as ``MLPRegressorCV.predict_interval``;
* ``predict_set`` (a classifier search): cross-conformal sets, as
  ``MLPClassifierCV.predict_set`` and MAPIE's ``CrossConformalClassifier``.

Each method exists only for the searches of its kind (``available_if``, as
scikit-learn's searches expose ``predict_proba``), and not for the halving
searches (the missing attribute's error is caused by their reason).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import is_classifier, is_regressor
from sklearn.utils._available_if import available_if
from sklearn.utils.validation import check_is_fitted

from .._arrays import dispatched
from .._engine import to_numpy
from .._version import __version__
from ._fold_networks import FoldNetworks
from ._scoring import fitted_estimator


def _keeps_fold_networks(search) -> None:
    """Raise the reason a search keeps no fold models (the halving searches):
    ``available_if`` then reports the method missing, caused by that reason."""
    if search._fold_networks_refusal is not None:
        raise AttributeError(f"{type(search).__name__}: {search._fold_networks_refusal}")


def _regressor_search(search) -> bool:
    _keeps_fold_networks(search)
    return is_regressor(search.estimator)


def _classifier_search(search) -> bool:
    _keeps_fold_networks(search)
    return is_classifier(search.estimator)


def _on_host(values):
    return values if values is None or dispatched(values) is None else to_numpy(values)


class _SearchIntervalsMixin:
    """The best candidate's fold models, and the conformal methods they give."""

    #: Why a search keeps no fold models (the halving searches say why), or None.
    _fold_networks_refusal: str | None = None

    def _keep_fold_networks(self, tasks: list, trained: dict, X, y) -> None:
        """Keep ``best_index_``'s fold models, their out-of-fold outputs on ``X``
        and the targets conformal prediction calibrates on (none without a
        best candidate; None when one of its fits failed)."""
        for name in ("_fold_networks", "fold_estimators_"):
            vars(self).pop(name, None)  # (those of an earlier fit)
        if not (self.refit or not self.multimetric_):
            return  # multi-metric without refit: no best candidate
        own = [t for t in tasks if t.candidate == self.best_index_]
        if any(t.error is not None for t in own):
            self._fold_networks = None
            return
        X, y = _on_host(X), np.asarray(_on_host(y))
        classifier = is_classifier(self.estimator)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()  # (a column: one target or label per sample, as the MLPs)
        classes = (None if not classifier else np.unique(y) if y.ndim == 1
                   else np.arange(y.shape[1]))
        networks = FoldNetworks.from_estimators(
            [fitted_estimator(self.estimator, t, trained) for t in own],
            [t.fold.test for t in own], X, classes)
        networks.targets = (y.astype(float) if classes is None
                            else y if y.ndim > 1 else np.searchsorted(classes, y))
        self._fold_networks, self.fold_estimators_ = networks, networks.estimators

    def _search_fold_networks(self, method: str) -> FoldNetworks:
        """The best candidate's fold models, for ``method``, or the reason there
        are none."""
        check_is_fitted(self)
        name = type(self).__name__
        if self.multimetric_ and not self.refit:
            raise ValueError(
                f"{method} uses the best candidate's fold networks, and this {name} "
                "scored several metrics with refit=False, so it chose no candidate. "
                "Set refit to the metric that chooses it (refit='<metric name>') and "
                "fit again.")
        if not hasattr(self, "_fold_networks"):
            raise AttributeError(
                f"{method} needs the best candidate's fold networks, which searches "
                f"fitted by sklearn_mlpreg {__version__} keep; this {name} was fitted by "
                "an earlier release (or an earlier build of this one). Fit it again with "
                f"sklearn_mlpreg {__version__} to use it.")
        if self._fold_networks is None:
            raise ValueError(
                f"{method} needs the best candidate's network on every split, and the "
                f"fit of candidate {self.best_index_} failed on some splits (see "
                "cv_results_ and the search's warnings).")
        return self._fold_networks

    @available_if(_regressor_search)
    def predict_interval(self, X, confidence_level=0.9):
        """Prediction intervals from the best candidate's fold models: CV+
        (jackknife+ when ``cv`` is leave-one-out; Barber et al., 2021).

        The search trained the best candidate (``best_index_``) once per split;
        its fit keeps those fold models (``fold_estimators_``: for a pipeline,
        the split's fitted steps followed by its network, so ``X`` goes through
        each split's own preprocessing) and each training row's out-of-fold
        prediction. Each row's residual ``R_i = |y_i - mu_k(i)(x_i)|``
        (``mu_k(i)`` the model of the split that held row ``i`` out) and each
        fold model's prediction on ``X`` give the interval
        ``[q_lo(mu_k(i)(x) - R_i), q_hi(mu_k(i)(x) + R_i)]``, equal to MAPIE's
        ``CrossConformalRegressor(<the estimator with best_params_>,
        method="plus", cv=<the same folds>)``, with no fit beyond the search's,
        as :meth:`sklearn_mlpreg.MLPRegressorCV.predict_interval` computes
        them. With fixed settings, CV+ covers a new row with probability at
        least ``1 - 2 (1 - confidence_level)`` (in practice near
        ``confidence_level``). Here the candidate was chosen on the same
        folds, which makes the residuals optimistic, the more so the more
        candidates were searched: on small tables expect coverage under the
        level. Sample weights do not enter the intervals. ``cv`` must hold out
        every row exactly once (KFold, GroupKFold, LeaveOneOut); with several
        metrics, ``refit`` must name the one that chose the candidate. The
        halving searches do not have it: their last round trains on a subsample
        of the rows (or continues networks over rounds), so the rows are not
        each held out once by the best candidate's final networks.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        confidence_level : float or list of float, default=0.9
            Levels strictly between 0 and 1.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The fold models' average, each weighted by the rows it held out
            (MAPIE's aggregated prediction, as ``MLPRegressorCV`` returns),
            not ``best_estimator_``'s prediction.
        y_intervals : ndarray of shape (n_samples, 2, n_levels)
            Lower (``[:, 0, :]``) and upper (``[:, 1, :]``) bounds per level.
        """
        networks = self._search_fold_networks("predict_interval")
        if np.ndim(networks.targets) > 1:
            raise ValueError(
                f"predict_interval supports one target; this {type(self).__name__} was "
                f"fitted on {np.shape(networks.targets)[1]}. Search one output at a "
                "time for intervals.")
        return networks.intervals(X, networks.targets, confidence_level,
                                  "predict_interval")

    @available_if(_classifier_search)
    def predict_set(self, X, confidence_level=0.9):
        """Cross-conformal prediction sets from the best candidate's fold models.

        Each training row's out-of-fold score ``1 - p_k(i)(y_i | x_i)`` by the
        fold model (``fold_estimators_``) that held it out calibrates the sets:
        a class is in the set of ``x`` when one minus its mean fold probability
        is within the scores' corrected quantile, as MAPIE's
        ``CrossConformalClassifier(<the estimator with best_params_>,
        cv=<the same folds>).predict_set`` and
        :meth:`sklearn_mlpreg.MLPClassifierCV.predict_set` compute them, with
        no fit beyond the search's. The candidate was chosen on the same
        folds, which makes the scores optimistic (sets a little small on small
        tables). ``cv`` must hold out every row exactly once; with several
        metrics, ``refit`` must name one. The halving searches do not have it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        confidence_level : float or list of float, default=0.9
            Levels strictly between 0 and 1.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            ``best_estimator_``'s predicted labels (MAPIE's); with
            ``refit=False``, the label of the highest probability of the fold
            models' average.
        y_pred_sets : ndarray of bool of shape (n_samples, n_classes, n_levels)
            Whether each class (``classes_`` order) is in each level's set.
        """
        networks = self._search_fold_networks("predict_set")
        if np.ndim(networks.targets) > 1:
            raise ValueError(f"predict_set supports one label per sample; this "
                             f"{type(self).__name__} was fitted on multilabel targets.")
        y_pred = (self.predict(X) if self.refit
                  else networks.classes[np.argmax(networks.average(X), axis=1)])
        return networks.sets(X, networks.targets, confidence_level, "predict_set",
                             y_pred=y_pred)
