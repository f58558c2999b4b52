"""Shared set-up of the lecture's practices (the notebooks' conventions)."""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

#: The notebooks train a fixed number of full-batch Adam epochs at rate 0.005:
#: tol=0 and an infinite patience switch scikit-learn's stopping rule off.
LECTURE_TRAINING = dict(solver="adam", learning_rate_init=0.005, tol=0.0,
                        n_iter_no_change=np.inf)



def quietly(main):
    """Run a practice without ConvergenceWarning lines: the lecture's trainings
    run a fixed number of epochs on purpose. The filter is scoped to the call;
    importing the examples changes no warning filter."""

    @functools.wraps(main)
    def run_quietly(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return main(*args, **kwargs)

    return run_quietly


def lecture_split(X, y):
    """The notebooks' split: 20% test, random_state=0."""
    return train_test_split(X, y, test_size=0.20, random_state=0)


def scaled(regressor):
    """The recommended pipeline: standardize x, and y (TransformedTargetRegressor)."""
    return TransformedTargetRegressor(
        regressor=make_pipeline(StandardScaler(), regressor), transformer=StandardScaler())


def report(name, model, X_train, y_train, X_test, y_test) -> dict:
    """Print and return train / test MSE (and test R^2) of a fitted regressor."""
    scores = {"train_mse": mean_squared_error(y_train, model.predict(X_train)),
              "test_mse": mean_squared_error(y_test, model.predict(X_test)),
              "test_r2": r2_score(y_test, model.predict(X_test))}
    print(f"  {name:40s} train MSE {scores['train_mse']:12.4g}   test MSE "
          f"{scores['test_mse']:12.4g}   test R^2 {scores['test_r2']:7.3f}")
    return scores


def evaluate(name, make_model, X, y, n_splits=10) -> dict:
    """Fit ``make_model()`` on the lecture's split and on ``n_splits - 1`` more.

    With 8 test points one split is a noisy judge (the lecture's happens to be
    easy), so the claims are read off the median over ``n_splits`` random
    80/20 splits; split 0 is the lecture's (random_state=0). Prints one line and
    returns the numbers, with the model fitted on the lecture's split.
    """
    scores = []
    for seed in range(n_splits):
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.20,
                                                            random_state=seed)
        model = make_model().fit(X_train, y_train)
        scores.append((mean_squared_error(y_train, model.predict(X_train)),
                       mean_squared_error(y_test, model.predict(X_test))))
        if seed == 0:
            first = model
    scores = np.asarray(scores)
    train, test = np.median(scores, axis=0)
    print(f"  {name:34s} lecture split: train {scores[0, 0]:8.1f} test {scores[0, 1]:8.1f}"
          f"   median of {n_splits}: train {train:8.1f} test {test:8.1f} "
          f"gap {test - train:7.1f}")
    return {"lecture_train_mse": scores[0, 0], "lecture_test_mse": scores[0, 1],
            "median_train_mse": train, "median_test_mse": test, "median_gap": test - train,
            "model": first}


def figure_path(out, name) -> Path:
    """Where a practice saves its figure."""
    return Path(out) / f"{name}.png"
