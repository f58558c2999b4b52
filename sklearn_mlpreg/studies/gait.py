"""The gait study: TUG, BBS, y1 and y2 predicted from the walk, lambda by CV.

For each target an outer resampling holds samples out; inside each outer
training set a pipeline (median imputation of the two missing ``px`` cells,
standardization, and for the regressions a standardized target) fits
``MLPRegressorCV`` / ``MLPClassifierCV``, which chooses lambda by an inner
cross-validation. The same outer folds score the baselines: a dummy model,
``RidgeCV`` / ``LogisticRegressionCV``, and, when asked
(``sklearn_baseline=True``, ``--sklearn-baseline``), scikit-learn's MLP with
its own ``GridSearchCV`` over alpha (same grid, same inner folds): it gives
the same scores at 23 times the fitting time (:data:`SKLEARN_BASELINE`).

Outer resampling:

* TUG and BBS (regression): leave-one-out, every adult predicted by a model
  that never saw them; R^2 and MAE on the 23 pooled predictions, with a
  bootstrap spread for R^2 and the spread of the absolute errors for MAE.
* y1 and y2 (6 and 7 positives of 23): repeated stratified 3-fold (5
  repeats). Leave-one-out would leave one sample per test fold, where ROC AUC
  is undefined; 3 stratified folds keep at least two of each class in every
  test fold, and the repeats average over the split. ROC AUC and balanced
  accuracy per fold, mean and spread.

Speed: every matrix here is tiny (23 rows), so the study runs with one BLAS
thread. With OpenBLAS's default two threads on 2 cores, scipy's L-BFGS-B
(``LogisticRegressionCV``) spent 2.7-3.8 s a fit instead of 0.12-0.2 s
(scipy issue 22438); the study's results are unchanged to the last bit.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.compose import TransformedTargetRegressor
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegressionCV, RidgeCV
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    LeaveOneOut,
    RepeatedStratifiedKFold,
    StratifiedKFold,
)
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .._exceptions import GridEdgeWarning
from .._pipeline import final_step
from .._threads import blas_threads
from ..datasets import load_gait
from ..model_selection import MLPClassifierCV, MLPRegressorCV
from .gait_folds import (
    REGRESSION_TARGETS,
    FoldResult,
    fit_fold,
    pooled_intervals,
    score_folds,
)

CLASSIFICATION_TARGETS = ("y1", "y2")
BASELINE_NAME = "scikit-learn MLP + GridSearchCV"
BASELINE_COMMAND = "python -m sklearn_mlpreg gait --sklearn-baseline"

#: What scikit-learn's MLP + GridSearchCV gave with the default settings when
#: last measured (``BASELINE_COMMAND``, against the table without it): the
#: default table, which skips it, prints this. ``fit_seconds``: the outer
#: folds' fits of this library's MLP and of scikit-learn's, summed (one
#: process, 2 runs: 6.44 / 6.46 s and 146.1 / 146.1 s); ``run_seconds``: the
#: whole command without and with the flag, wall time with the figures
#: (medians of 4 runs, 12.4-21.0 s, and of 3 runs, 149-257 s, interleaved).
SKLEARN_BASELINE = {
    "date": "2026-12-04",
    "machine": "2 cores shared with other work",
    "scores": {"TUG": ("R^2", 0.961), "BBS": ("R^2", 0.591),
               "y1": ("ROC AUC", 0.971), "y2": ("ROC AUC", 0.757)},
    "largest_difference": 8.9e-16,  # of any score or lambda, against this library's MLP
    "fit_seconds": {"sklearn_mlpreg": 6.45, "scikit-learn": 146.1},
    "run_seconds": {"default": 16, "with the baseline": 198},
}


@dataclass
class GaitStudyConfig:
    """Settings of the study (the command line's options).

    Attributes
    ----------
    targets : tuple of str
        The targets studied: regression ``TUG``, ``BBS`` and classification
        ``y1``, ``y2``.
    hidden_layer_sizes : tuple of int
        The network of every MLP in the study.
    alphas : tuple of float
        The lambda grid the nested cross-validation searches.
    learning_rate_init : float
        Adam's step size.
    max_iter : int
        Epochs per network.
    seed : int
        Seeds the networks and the splits.
    n_repeats : int
        Repetitions of the stratified 3-fold split for the classification targets.
    sklearn_baseline : bool
        Also fit scikit-learn's MLP with the same settings and its own
        ``GridSearchCV``, side by side (off by default: the same scores at
        23 times the fitting time, see :data:`SKLEARN_BASELINE`).
    n_jobs : int or None
        Processes for the outer folds (-1: every core); the searches inside a
        fold run in its process, on one core. The default, 1, was the
        fastest measured on 2 cores shared with other work: two processes
        took 16.0 s against 10.3 s for the default study (their start-up and
        imports cost about 5 s) and 78 / 62 s against 63 / 59 s for BBS with
        the scikit-learn baseline; threads inside ``MLPRegressorCV``
        (``n_jobs=-1``, the former default) took 10.7 s against 6.3 s for the
        study's MLP fits. The results do not depend on it.
    class_weight : {"balanced"} or None
        ``class_weight`` of the classification MLP and of
        ``LogisticRegressionCV`` (scikit-learn's MLP has none). Measured with
        the default settings, ``"balanced"`` moved y1's balanced accuracy from
        0.906 to 0.922 and y2's from 0.566 to 0.549 (ROC AUC 0.971 -> 0.976,
        0.757 -> 0.709): no consistent gain, so the default is None.
    """

    targets: tuple = REGRESSION_TARGETS + CLASSIFICATION_TARGETS
    hidden_layer_sizes: tuple = (30, 15)
    alphas: tuple = tuple(10.0 ** np.arange(-2, 5))
    learning_rate_init: float = 0.005
    max_iter: int = 500
    seed: int = 0
    n_repeats: int = 5
    sklearn_baseline: bool = False
    n_jobs: int | None = 1
    class_weight: str | None = None

    @classmethod
    def quick(cls, **changes):
        """Small settings for a smoke test: fewer alphas, epochs and repeats.

        Parameters
        ----------
        **changes : dict
            Settings that override the quick ones.

        Returns
        -------
        config : GaitStudyConfig
            The quick settings.
        """
        base = dict(alphas=(1e-2, 1.0, 100.0), max_iter=60, n_repeats=1)
        return cls(**{**base, **changes})


@dataclass
class GaitStudyResults:
    """What the study measured.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (target, model): the scores with their spread.
    predictions : dict
        ``(target, model) -> out-of-fold predictions`` (or scores for ROC).
    lambda_tables : dict
        ``target -> cv_results_`` frame of the lambda search.
    truth : dict
        ``target -> y`` the predictions are compared with.
    intervals : dict
        ``target -> (n, 2)``: the MLP's jackknife+ bounds of each adult, from
        the outer fold that held them out (regressions).
    """

    table: pd.DataFrame
    predictions: dict = field(default_factory=dict)  # (target, model) -> out-of-fold
    lambda_tables: dict = field(default_factory=dict)  # target -> cv_results_ frame
    truth: dict = field(default_factory=dict)  # target -> y
    intervals: dict = field(default_factory=dict)  # target -> (n, 2) jackknife+ bounds


def _mlp_settings(config):
    return dict(hidden_layer_sizes=config.hidden_layer_sizes, solver="adam",
                learning_rate_init=config.learning_rate_init, max_iter=config.max_iter,
                random_state=config.seed)


def _regressor(model):
    pipe = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), model)
    return TransformedTargetRegressor(regressor=pipe, transformer=StandardScaler())


def _classifier(model):
    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), model)


def models_for(target: str, config: GaitStudyConfig) -> dict:
    """The competing models of one target, each a full pipeline."""
    mlp = _mlp_settings(config)
    alphas = list(config.alphas)
    if target in REGRESSION_TARGETS:
        inner = KFold(5, shuffle=True, random_state=config.seed)
        models = {
            "sklearn_mlpreg MLP (lambda by CV)": _regressor(MLPRegressorCV(
                alphas=alphas, cv=inner, scoring="neg_mean_squared_error", **mlp)),
            "RidgeCV": _regressor(RidgeCV(alphas=np.logspace(-3, 3, 13))),
            "Dummy (mean)": _regressor(DummyRegressor()),
        }
        if config.sklearn_baseline:
            models[BASELINE_NAME] = _regressor(GridSearchCV(
                SkMLPRegressor(**mlp), {"alpha": alphas}, cv=inner,
                scoring="neg_mean_squared_error"))
        return models
    inner = StratifiedKFold(3, shuffle=True, random_state=config.seed)
    models = {
        "sklearn_mlpreg MLP (lambda by CV)": _classifier(MLPClassifierCV(
            alphas=alphas, cv=inner, scoring="neg_log_loss",
            class_weight=config.class_weight, **mlp)),
        "LogisticRegressionCV": _classifier(LogisticRegressionCV(
            Cs=10, cv=inner, scoring="neg_log_loss", class_weight=config.class_weight)),
        "Dummy (prior)": _classifier(DummyClassifier(strategy="prior")),
    }
    if config.sklearn_baseline:
        models[BASELINE_NAME] = _classifier(GridSearchCV(
            SkMLPClassifier(**mlp), {"alpha": alphas}, cv=inner, scoring="neg_log_loss"))
    return models


def outer_splits(target: str, y, config: GaitStudyConfig) -> list:
    """Leave-one-out for the regressions, repeated stratified 3-fold otherwise."""
    if target in REGRESSION_TARGETS:
        return list(LeaveOneOut().split(y))
    splitter = RepeatedStratifiedKFold(n_splits=3, n_repeats=config.n_repeats,
                                       random_state=config.seed)
    return list(splitter.split(np.zeros(len(y)), y))


def lambda_table(target, X, y, config) -> pd.DataFrame:
    """The lecture's lambda table on all the data: train / test error per lambda.

    Its ``attrs`` hold the lambda of each rule (``alpha_best``, ``alpha_1se``:
    the largest lambda within one standard error of the best), the number of
    splits, and for a regression the gait measures the group penalty keeps
    (``kept_measures``, :func:`kept_measures`).
    """
    model = models_for(target, config)["sklearn_mlpreg MLP (lambda by CV)"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", GridEdgeWarning)  # the table shows the grid
        model.fit(X, y)
    search = final_step(model)
    results = pd.DataFrame(search.cv_results_)
    table = pd.DataFrame({"lambda": results["param_alpha"].astype(float),
                          "train_error": -results["mean_train_score"],
                          "test_error": -results["mean_test_score"],
                          "test_error_std": results["std_test_score"]})
    table.attrs.update(alpha_best=search.alpha_best_, alpha_1se=search.alpha_1se_,
                       n_splits=search.n_splits_)
    if target in REGRESSION_TARGETS:
        table.attrs["kept_measures"] = kept_measures(target, X, y, config)
    return table


def kept_measures(target, X, y, config) -> list[str]:
    """The gait measures a group-penalized MLP keeps (a nonzero first-layer
    norm) at the lambda its cross-validation chose, on all the data."""
    model = models_for(target, config)["sklearn_mlpreg MLP (lambda by CV)"]
    model.set_params(regressor__mlpregressorcv__penalty="group")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", GridEdgeWarning)
        model.fit(X, y)
    norms = final_step(model).best_estimator_.feature_importances_
    names = load_gait(target=target).feature_names
    return [str(name) for name, norm in zip(names, norms) if norm > 0]


def _task(kind, target, name, model, X, y, train, test):
    """One unit of the study's parallel work: a fold (see :func:`fit_fold`), or
    the lambda table of a target (see :func:`lambda_table`; ``model`` is then
    the config)."""
    with blas_threads(1):  # tiny matrices: see the module docstring
        if kind == "fold":
            return fit_fold(target, name, model, X, y, train, test)
        return lambda_table(target, X, y, model)


def run_gait_study(config: GaitStudyConfig | None = None,
                   progress: Callable[[int], Callable[[dict], None]] | None = None
                   ) -> GaitStudyResults:
    """Run the study for every target of ``config``.

    Every (target, model, outer fold) fit and every lambda table is one task;
    ``config.n_jobs`` processes run them (the searches inside run on one), in
    the order the table lists them. The folds, networks and seeds do not
    depend on ``n_jobs``, so neither do the results.

    Parameters
    ----------
    config : GaitStudyConfig, default=None
        The settings; None means the defaults.
    progress : callable, default=None
        ``progress(total)`` returns a function called once per fitted fold,
        with the fit's status (losses, CV score).

    Returns
    -------
    results : GaitStudyResults
        The table (one row per target and model), out-of-fold predictions,
        the lambda tables and the measured targets.
    """
    config = config or GaitStudyConfig()
    plan, data = [], {}
    for target in config.targets:
        X, y = load_gait(target=target, return_X_y=True)
        data[target] = X, y
        splits = outer_splits(target, y, config)
        for name, model in models_for(target, config).items():
            plan.append((target, name, model, splits))
    tasks = [("fold", target, name, model, *data[target], train, test)
             for target, name, model, splits in plan for train, test in splits]
    tasks += [("lambda", target, None, config, *data[target], None, None)
              for target in config.targets]
    tick = progress(sum(len(p[-1]) for p in plan)) if progress else (lambda status: None)
    outputs = []
    with blas_threads(1):  # one process (n_jobs=1) runs the tasks here
        for output in Parallel(n_jobs=config.n_jobs, return_as="generator")(
                delayed(_task)(*task) for task in tasks):
            outputs.append(output)
            if isinstance(output, FoldResult):
                tick(output.status)
    results = GaitStudyResults(table=pd.DataFrame())
    rows, done = [], 0
    for target, name, _, splits in plan:
        folds = outputs[done:done + len(splits)]
        done += len(splits)
        row, predicted = score_folds(target, name, data[target][1], folds, config)
        rows.append(row)
        bounds = pooled_intervals(data[target][1], folds)
        if bounds is not None:
            results.intervals[target] = bounds
        results.predictions[(target, name)] = predicted
        results.truth[target] = data[target][1]
    for target, table in zip(config.targets, outputs[done:]):
        results.lambda_tables[target] = table
    results.table = pd.DataFrame(rows)
    return results
