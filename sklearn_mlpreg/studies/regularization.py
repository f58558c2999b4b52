"""The regularization path: training and test error as lambda grows.

The lecture's lambda table (training error rising with lambda, testing error
falling then rising again: "select lambda obtaining the best model") is
``regularization_path(estimator, X, y, alphas=...)``. For a plain
``MLPRegressor`` / ``MLPClassifier`` every (lambda, fold) network trains in
one batched run through ``MLPRegressorCV`` / ``MLPClassifierCV``; any other
estimator (a Pipeline, a TransformedTargetRegressor) goes through
``GridSearchCV``, which refits its preprocessing within each fold.

Which inputs the network uses: ``group_path(estimator, X, y, alphas=...)``
fits ``penalty="group"`` (a group lasso over the inputs' first-layer weights)
at each lambda and returns each input's first-layer norm and the inputs kept
(exact nonzero norms); :func:`plot_group_path` draws the norms against lambda.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from .._classifier import MLPClassifier
from .._pipeline import fitted_mlp, mlp_prefix
from .._regressor import MLPRegressor
from ..model_selection import MLPClassifierCV, MLPRegressorCV


def lambda_grid(alphas, function: str) -> list[float]:
    """``alphas`` as a list of floats, checked: a non-empty sequence of finite
    numbers >= 0 (a clear error instead of an empty table or a failed fit)."""
    try:
        grid = np.asarray(alphas, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{function}: alphas must be numbers (a list or 1-D array "
                         f"of lambdas >= 0); got {alphas!r}.") from None
    if grid.ndim > 1 or grid.size == 0:
        raise ValueError(f"{function}: alphas must be a non-empty list or 1-D array "
                         f"of lambdas >= 0, e.g. np.logspace(-3, 2, 6); got {alphas!r}.")
    if not np.all(np.isfinite(grid)) or np.any(grid < 0):
        raise ValueError(f"{function}: every alpha must be finite and >= 0; got "
                         f"{grid.tolist()}.")
    return [float(a) for a in np.ravel(grid)]


def regularization_path(estimator, X, y, *, alphas, cv=5, penalty=None,
                        random_state=None, n_jobs=None) -> pd.DataFrame:
    """Training and test error of ``estimator`` for each lambda.

    Parameters
    ----------
    estimator : estimator
        An MLP estimator, or a Pipeline / TransformedTargetRegressor ending in
        one (its ``alpha`` is the lambda varied).
    X, y : array-like
        The data.
    alphas : array-like of float
        The lambda grid.
    cv : int, cross-validation generator or iterable, default=5
    penalty : {"l2", "l1", "elasticnet", "group"} or None, default=None
        Override the estimator's penalty; None keeps it.
    random_state : int or None, default=None
        Override the MLP's random_state; None keeps it.
    n_jobs : int, default=None

    Returns
    -------
    path : pandas.DataFrame indexed by ``alpha``
        ``train_error``, ``train_error_std``, ``test_error``,
        ``test_error_std``: mean squared error (regressors) or log loss
        (classifiers), mean and standard deviation over the folds.
    """
    prefix = mlp_prefix(estimator)
    if prefix is None:
        raise TypeError("regularization_path needs an MLP estimator, or a Pipeline / "
                        "TransformedTargetRegressor ending in one.")
    estimator = clone(estimator)
    changes = {}
    if penalty is not None:
        changes[f"{prefix}penalty"] = penalty
    if random_state is not None:
        changes[f"{prefix}random_state"] = random_state
    estimator.set_params(**changes)
    alphas = lambda_grid(alphas, "regularization_path")
    classifier = is_classifier(estimator)
    scoring = "neg_log_loss" if classifier else "neg_mean_squared_error"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if type(estimator) in (MLPRegressor, MLPClassifier):
            cv_class = MLPClassifierCV if classifier else MLPRegressorCV
            settings = {k: v for k, v in estimator.get_params().items() if k != "alpha"}
            search = cv_class(alphas=alphas, cv=cv, scoring=scoring, n_jobs=n_jobs,
                              **settings).fit(X, y)
        else:
            search = GridSearchCV(estimator, {f"{prefix}alpha": alphas}, cv=cv,
                                  scoring=scoring, return_train_score=True,
                                  n_jobs=n_jobs).fit(X, y)
    results = search.cv_results_
    return pd.DataFrame({
        "train_error": -np.asarray(results["mean_train_score"]),
        "train_error_std": np.asarray(results["std_train_score"]),
        "test_error": -np.asarray(results["mean_test_score"]),
        "test_error_std": np.asarray(results["std_test_score"]),
    }, index=pd.Index(alphas, name="alpha"))


@dataclass
class GroupPath:
    """Which inputs a group-penalized network uses, along lambda.

    Attributes
    ----------
    norms : pandas.DataFrame
        Indexed by ``alpha``, one column per input: its first-layer L2 norm
        (``feature_importances_``) after the fit with that lambda.
    kept : pandas.DataFrame of bool
        The same shape: the input's norm is not exactly zero (the network uses
        it).
    n_kept : pandas.Series
        The number of inputs kept per ``alpha``.
    """

    norms: pd.DataFrame
    kept: pd.DataFrame
    n_kept: pd.Series


def group_path(estimator, X, y, *, alphas, random_state=None) -> GroupPath:
    """Fit ``penalty="group"`` at each lambda and report the inputs kept.

    The group penalty (``alpha / n`` times the sum over inputs of the L2 norm
    of each input's first-layer weights, L2 on the later layers) zeroes whole
    inputs; as lambda grows, fewer inputs keep a nonzero norm.

    Parameters
    ----------
    estimator : estimator
        An MLP estimator with ``solver="adam"`` or ``"sgd"`` and a hidden
        layer, or a Pipeline / TransformedTargetRegressor ending in one (its
        ``alpha`` is the lambda varied, its penalty set to ``"group"``).
    X, y : array-like
        The data (the whole set: one fit per lambda, no cross-validation).
    alphas : array-like of float
        The lambda grid.
    random_state : int or None, default=None
        Override the MLP's random_state; None keeps it.

    Returns
    -------
    path : GroupPath
        Per ``alpha``, each input's first-layer norm and whether it is kept.
        Columns are the MLP's ``feature_names_in_`` when it has them, else
        ``x0, x1, ...``.
    """
    prefix = mlp_prefix(estimator)
    if prefix is None:
        raise TypeError("group_path needs an MLP estimator, or a Pipeline / "
                        "TransformedTargetRegressor ending in one.")
    estimator = clone(estimator)
    changes = {f"{prefix}penalty": "group"}
    if random_state is not None:
        changes[f"{prefix}random_state"] = random_state
    estimator.set_params(**changes)
    alphas = lambda_grid(alphas, "group_path")
    rows, names = [], None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for alpha in alphas:
            fitted = clone(estimator).set_params(**{f"{prefix}alpha": alpha}).fit(X, y)
            mlp = fitted_mlp(fitted)
            rows.append(np.asarray(mlp.feature_importances_, dtype=float))
            names = getattr(mlp, "feature_names_in_", None)
    columns = (list(names) if names is not None
               else [f"x{j}" for j in range(len(rows[0]))])
    norms = pd.DataFrame(np.array(rows), index=pd.Index(alphas, name="alpha"),
                         columns=columns)
    kept = norms != 0
    return GroupPath(norms, kept, kept.sum(axis=1).rename("n_kept"))


def plot_group_path(path: GroupPath, *, ax=None, title=None):
    """Each input's first-layer norm against lambda (log scale), one line per
    input; the legend names the inputs and the number of lambdas that keep
    each, and the dropped inputs fall to the bottom of the axes.

    Parameters
    ----------
    path : GroupPath
        The result of :func:`group_path`.
    ax : matplotlib Axes, default=None
    title : str

    Returns
    -------
    ax : matplotlib Axes
    """
    from ..plotting import _axes

    ax = _axes(ax)
    alphas = np.asarray(path.norms.index, dtype=float)
    x = np.where(alphas > 0, alphas, np.nan)
    styles = ["-", "--", ":", "-."]
    for i, name in enumerate(path.norms.columns):
        ax.plot(x, path.norms[name], marker="o", ms=3, ls=styles[(i // 10) % 4],
                label=f"{name} (kept at {int(path.kept[name].sum())})")
    ax.set_xscale("log")
    ax.set_xlabel("lambda (alpha)")
    ax.set_ylabel("first-layer norm of the input")
    ax.set_title(title or "")
    ax.legend(fontsize=6, ncol=2)
    return ax
