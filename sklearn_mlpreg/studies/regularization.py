"""The regularization path: training and test error as lambda grows.

The lecture's lambda table (training error rising with lambda, testing error
falling then rising again: "select lambda obtaining the best model") is
``regularization_path(estimator, X, y, alphas=...)``. For a plain
``MLPRegressor`` / ``MLPClassifier`` every (lambda, fold) network trains in
one batched run through ``MLPRegressorCV`` / ``MLPClassifierCV``; any other
estimator (a Pipeline, a TransformedTargetRegressor) goes through
``GridSearchCV``, which refits its preprocessing within each fold.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from .._classifier import MLPClassifier
from .._pipeline import mlp_prefix
from .._regressor import MLPRegressor
from ..model_selection import MLPClassifierCV, MLPRegressorCV


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
    penalty : {"l2", "l1", "elasticnet"} or None, default=None
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
    alphas = [float(a) for a in np.ravel(alphas)]
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
