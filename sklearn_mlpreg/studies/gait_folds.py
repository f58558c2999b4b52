"""The gait study's outer folds: one model fitted, its test rows predicted,
and the table's row scored from its folds.

The study's MLP on TUG and BBS also gives each held-out adult a jackknife+
interval: at the lambda its inner 5-fold CV chose, a leave-one-out
``MLPRegressorCV`` over the fold's 22 training rows (one alpha, no refit:
22 networks) calibrates the interval (``MLPRegressorCV.predict_interval``),
so the leave-one-out coverage of the intervals is measured on adults their
fit never saw.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (
    balanced_accuracy_score,
    mean_absolute_error,
    r2_score,
    roc_auc_score,
)
from sklearn.model_selection import LeaveOneOut

from .._exceptions import GridEdgeWarning
from .._pipeline import final_step
from ..model_selection import MLPRegressorCV
from .intervals import interval_of

REGRESSION_TARGETS = ("TUG", "BBS")
#: The level of the jackknife+ intervals the study reports.
INTERVAL_LEVEL = 0.9


def chosen_alpha(model) -> float | None:
    """The lambda an (outer-fold) model chose, if it chose one."""
    last = final_step(model)
    if hasattr(last, "alpha_") and hasattr(last, "cv_results_"):
        return float(last.alpha_)
    if hasattr(last, "best_params_"):
        return float(last.best_params_["alpha"])
    return None


def fit_status(target: str, name: str, model) -> dict:
    """What the progress bar shows after a fold: the network's losses and CV score."""
    status = {"target": target, "model": name}
    last = final_step(model)
    network = getattr(last, "best_estimator_", last)
    if hasattr(network, "loss_"):
        status["loss"] = f"{network.loss_:.4g}"
    if getattr(network, "validation_loss_curve_", None):
        status["val_loss"] = f"{network.validation_loss_curve_[-1]:.4g}"
    if hasattr(last, "best_score_"):
        status["cv_score"] = f"{last.best_score_:.3g}"
    return status


def _bootstrap_r2_spread(y, prediction, seed, n_boot=2000):
    """Spread of R^2 over ``n_boot`` resamples of the pooled predictions.

    ``r2_score``'s formula on every resample at once (one ``r2_score`` call
    per resample took 0.8 s of the default run for each regression model);
    resamples with a constant ``y`` are left out, as before.
    """
    rng = np.random.RandomState(seed)
    index = rng.randint(len(y), size=(n_boot, len(y)))
    y, prediction = np.asarray(y, dtype=float), np.asarray(prediction, dtype=float)
    truth, predicted = y[index], prediction[index]
    kept = np.ptp(truth, axis=1) > 0
    truth, predicted = truth[kept], predicted[kept]
    numerator = ((truth - predicted) ** 2).sum(axis=1)
    denominator = ((truth - truth.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    return float(np.std(1 - numerator / denominator))


@dataclass
class FoldResult:
    """One outer fold of one model: its test predictions and what it chose."""

    test: np.ndarray
    prediction: np.ndarray  # regression: predictions; classification: P(class 1)
    labels: np.ndarray | None  # classification: the predicted classes
    alpha: float | None
    status: dict
    interval: np.ndarray | None = None  # (n_test, 2): the MLP's jackknife+ bounds


def fit_fold(target, name, model, X, y, train, test) -> FoldResult:
    """Fit one outer fold's model on its training rows, predict its test rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # the table reports the lambdas chosen (median, min, max) itself
        warnings.simplefilter("ignore", GridEdgeWarning)
        # LogisticRegressionCV announces changes of its defaults in 1.10
        warnings.simplefilter("ignore", FutureWarning)
        fitted = clone(model).fit(X[train], y[train])
    interval = None
    if target in REGRESSION_TARGETS:
        prediction, labels = fitted.predict(X[test]), None
        interval = jackknife_interval(fitted, X[train], y[train], X[test])
    else:
        prediction, labels = fitted.predict_proba(X[test])[:, 1], fitted.predict(X[test])
    return FoldResult(test, prediction, labels, chosen_alpha(fitted),
                      fit_status(target, name, fitted), interval)


def jackknife_interval(fitted, X_train, y_train, X_test):
    """The jackknife+ bounds of the test rows at the lambda a fitted
    ``MLPRegressorCV`` (inside its pipeline) chose; None for another model."""
    search = final_step(fitted)
    if not isinstance(search, MLPRegressorCV):
        return None
    jackknife = clone(search).set_params(alphas=[search.alpha_], cv=LeaveOneOut(),
                                         refit=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        bounds, _ = interval_of(jackknife, X_train, y_train, X_test, INTERVAL_LEVEL)
    return bounds


def score_folds(target, name, y, folds: list[FoldResult], config):
    """The table's row and the out-of-fold predictions of one model's folds."""
    regression = target in REGRESSION_TARGETS
    n_rounds = 1 if regression else config.n_repeats
    predictions = np.full((n_rounds, len(y)), np.nan)
    fold_scores = []
    for k, fold in enumerate(folds):
        predictions[k * n_rounds // len(folds), fold.test] = fold.prediction
        if not regression:
            fold_scores.append((roc_auc_score(y[fold.test], fold.prediction),
                                balanced_accuracy_score(y[fold.test], fold.labels)))
    row = {"target": target, "model": name}
    if regression:
        p = predictions[0]
        errors = np.abs(y - p)
        row.update(R2=r2_score(y, p), R2_spread=_bootstrap_r2_spread(y, p, config.seed),
                   MAE=mean_absolute_error(y, p), MAE_spread=float(np.std(errors)))
        bounds = pooled_intervals(y, folds)
        if bounds is not None:
            covered = (y >= bounds[:, 0]) & (y <= bounds[:, 1])
            row.update(interval_coverage=float(covered.mean()),
                       interval_width=float(np.median(bounds[:, 1] - bounds[:, 0])))
    else:
        aucs, bas = np.array(fold_scores).T
        row.update(ROC_AUC=aucs.mean(), ROC_AUC_spread=aucs.std(),
                   balanced_accuracy=bas.mean(), balanced_accuracy_spread=bas.std())
    chosen = [f.alpha for f in folds if f.alpha is not None]
    if chosen:
        row.update(lambda_median=float(np.median(chosen)), lambda_min=min(chosen),
                   lambda_max=max(chosen))
    return row, predictions.mean(axis=0)


def pooled_intervals(y, folds: list[FoldResult]):
    """Every row's interval from the fold that held it out, ``(n, 2)``, or None."""
    if any(f.interval is None for f in folds):
        return None
    bounds = np.full((len(y), 2), np.nan)
    for fold in folds:
        bounds[fold.test] = fold.interval
    return bounds
