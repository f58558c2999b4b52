"""Bias and variance of prediction error (the lecture's last part).

:func:`bias_variance_decomposition` draws ``n_rounds`` bootstrap samples of the
training set, fits a clone of the estimator on each and predicts the test
set. For the squared error, with ``p_r`` the prediction of round r and
``p_bar`` their mean (the lecture's "blue curve, the average of the f*"),

    expected loss = mean_r mean_i (p_ri - y_i)^2
                  = mean_i (p_bar_i - y_i)^2        (bias^2)
                  + mean_r mean_i (p_ri - p_bar_i)^2 (variance),

the same definitions and bootstrap draws as mlxtend's ``bias_variance_decomp``
(so the two agree exactly for a deterministic estimator). For the 0-1 loss the
main prediction is the majority vote, bias its error rate and variance the
rate of disagreeing with it; then loss != bias + variance in general.

:func:`prediction_error_distribution` is the lecture's practice "variance of
predicting error": retrain many times and collect the test error.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone, is_classifier
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_consistent_length

from .._engine import initialize
from .._pipeline import fitted_mlp, mlp_prefix


@dataclass
class BiasVariance:
    """Result of :func:`bias_variance_decomposition`.

    Attributes
    ----------
    expected_loss, bias, variance : float
        Averages over the test samples; ``bias`` is the squared bias for the
        squared error.
    loss : str
        The loss decomposed: ``"squared_error"`` or ``"0-1"``.
    predictions : ndarray of shape (n_rounds, n_test)
        Every round's predictions of the test set.
    """

    expected_loss: float
    bias: float
    variance: float
    loss: str
    predictions: np.ndarray

    def as_dict(self) -> dict:
        """The three numbers, by name."""
        return {"expected_loss": self.expected_loss, "bias": self.bias,
                "variance": self.variance}


def _fit(estimator, X, y):
    return estimator.fit(X, y)


def _fit_predict(estimator, X, y, X_test):
    return estimator.fit(X, y).predict(X_test)


@validate_params(
    {"estimator": [object], "X_train": ["array-like"], "y_train": ["array-like"],
     "X_test": ["array-like"], "y_test": ["array-like"],
     "loss": [StrOptions({"squared_error", "0-1"})],
     "n_rounds": [Interval(Integral, 2, None, closed="left")],
     "vary": [StrOptions({"data", "seed", "both"})],
     "random_state": ["random_state"], "n_jobs": [Integral, None]},
    prefer_skip_nested_validation=True,
)
def bias_variance_decomposition(estimator, X_train, y_train, X_test, y_test, *,
                                loss="squared_error", n_rounds=200, vary="data",
                                random_state=None, n_jobs=None):
    """Decompose the expected test loss into bias and variance.

    Parameters
    ----------
    estimator : estimator
        Any scikit-learn estimator; cloned for every round.
    X_train, y_train : array-like
        The training set the rounds resample.
    X_test, y_test : array-like
        The test set the loss is measured on.
    loss : {"squared_error", "0-1"}, default="squared_error"
        Squared error (regression) or 0-1 loss (classification).
    n_rounds : int, default=200
        Number of fits.
    vary : {"data", "seed", "both"}, default="data"
        What changes between rounds: ``"data"`` draws a bootstrap sample of
        the training set (mlxtend's procedure; the estimator's own
        ``random_state`` is kept); ``"seed"`` keeps the training set and
        gives each round another ``random_state`` (initial weights,
        shuffles), isolating the variance of initialization; ``"both"`` does
        both.
    random_state : int, RandomState instance or None, default=None
        Seeds the bootstrap draws and the per-round seeds.
    n_jobs : int, default=None
        Fits run in parallel through joblib.

    Returns
    -------
    result : BiasVariance
        ``expected_loss``, ``bias``, ``variance`` and the predictions.
    """
    X_train, y_train = np.asarray(X_train), np.asarray(y_train)
    X_test, y_test = np.asarray(X_test), np.asarray(y_test)
    check_consistent_length(X_train, y_train)
    check_consistent_length(X_test, y_test)
    if loss == "0-1" and not is_classifier(estimator):
        raise ValueError("loss='0-1' needs a classifier; use loss='squared_error'.")
    rng = np.random.RandomState(random_state) if not isinstance(
        random_state, np.random.RandomState) else random_state
    tasks = _rounds(estimator, X_train.shape[0], n_rounds, vary, rng)
    predictions = np.asarray(Parallel(n_jobs=n_jobs)(
        delayed(_fit_predict)(est, X_train[rows], y_train[rows], X_test)
        for est, rows in tasks))
    return _decompose(predictions, y_test, loss)


def _rounds(estimator, n: int, n_rounds: int, vary: str, rng) -> list:
    """``(estimator, training rows)`` of every round: a bootstrap draw of the rows
    (mlxtend's), another seed, or both."""
    tasks = []
    for _ in range(n_rounds):
        rows = rng.choice(np.arange(n), size=n, replace=True) if vary != "seed" \
            else np.arange(n)
        est = clone(estimator)
        if vary != "data":
            est = _with_seed(est, int(rng.randint(np.iinfo(np.int32).max)))
        tasks.append((est, rows))
    return tasks


def _decompose(predictions, y_test, loss: str) -> BiasVariance:
    """Expected loss, bias and variance of the rounds' test predictions."""
    n_rounds = predictions.shape[0]
    if loss == "squared_error":
        predictions = predictions.astype(float).reshape(n_rounds, -1)
        y = y_test.astype(float).ravel()
        main = predictions.mean(axis=0)
        expected = float(np.mean((predictions - y) ** 2))
        bias = float(np.mean((main - y) ** 2))
        variance = float(np.mean((predictions - main) ** 2))
    else:
        main = _majority_vote(predictions)
        expected = float(np.mean(predictions != y_test))
        bias = float(np.mean(main != y_test))
        variance = float(np.mean(predictions != main))
    return BiasVariance(expected, bias, variance, loss, predictions)


def _majority_vote(predictions):
    """Most frequent prediction per test sample (ties: the smallest label)."""
    labels, codes = np.unique(predictions, return_inverse=True)
    codes = codes.reshape(predictions.shape)
    counts = np.apply_along_axis(np.bincount, 0, codes, minlength=len(labels))
    return labels[counts.argmax(axis=0)]


def _with_seed(estimator, seed):
    """``estimator`` with the random_state of its MLP (or its own) set to seed."""
    prefix = mlp_prefix(estimator)
    key = f"{prefix}random_state" if prefix is not None else "random_state"
    if key in estimator.get_params(deep=True):
        estimator.set_params(**{key: seed})
    return estimator


@validate_params(
    {"estimator": [object], "X": ["array-like"], "y": ["array-like"],
     "n_rounds": [Interval(Integral, 1, None, closed="left")],
     "same_initial_weights": ["boolean"],
     "test_size": [Interval(Real, 0, 1, closed="neither")],
     "random_state": [Interval(Integral, 0, None, closed="left")],
     "n_jobs": [Integral, None]},
    prefer_skip_nested_validation=True,
)
def prediction_error_distribution(estimator, X, y, *, n_rounds=300,
                                  same_initial_weights=True, test_size=0.2,
                                  random_state=0, n_jobs=None):
    """Retrain ``n_rounds`` times and collect the train and test errors.

    The lecture's practice: split once (``test_size``, ``random_state``, as
    in the notebooks), then retrain the network ``n_rounds`` times. With
    ``same_initial_weights=True`` every round starts from the same initial
    weights (the lecture restores them before each training), so the spread
    comes only from the training's own randomness: mini-batch order and
    dropout masks, which take a new seed every round. With full batches and
    no dropout that training is deterministic, and every round gives the same
    error. With ``same_initial_weights=False`` each round also draws new
    initial weights.

    Parameters
    ----------
    estimator : estimator
        An MLP estimator, or a Pipeline / TransformedTargetRegressor ending in
        one.
    X, y : array-like
        The data, split once into train and test.
    n_rounds : int, default=300
    same_initial_weights : bool, default=True
    test_size : float, default=0.2
    random_state : int, default=0
        Seeds the split, the initial weights and the round seeds.
    n_jobs : int, default=None

    Returns
    -------
    errors : pandas.DataFrame
        One row per round: ``round``, ``seed``, ``train_error``,
        ``test_error`` (mean squared error, or error rate for a classifier).
    """
    X_train, X_test, y_train, y_test = train_test_split(
        np.asarray(X), np.asarray(y), test_size=test_size, random_state=random_state)
    prefix = mlp_prefix(estimator)
    if prefix is None:
        raise TypeError("prediction_error_distribution needs an MLP estimator, or a "
                        "Pipeline / TransformedTargetRegressor ending in one.")
    seeds = np.random.RandomState(random_state).randint(np.iinfo(np.int32).max,
                                                        size=n_rounds)
    tasks = _same_start_rounds(estimator, prefix, X_train, y_train, seeds,
                               random_state if same_initial_weights else None)
    fitted = Parallel(n_jobs=n_jobs)(delayed(_fit)(est, X_train, y_train) for est in tasks)
    classifier = is_classifier(estimator)

    def error(model, X_, y_):
        predicted = model.predict(X_)
        return float(np.mean(predicted != y_) if classifier
                     else np.mean((predicted - y_) ** 2))

    return pd.DataFrame({
        "round": np.arange(len(seeds)), "seed": seeds,
        "train_error": [error(m, X_train, y_train) for m in fitted],
        "test_error": [error(m, X_test, y_test) for m in fitted],
    })


def _same_start_rounds(estimator, prefix: str, X_train, y_train, seeds, start_seed):
    """One clone per round, with explicit initial weights: drawn from
    ``start_seed`` for every round (the same start), or from the round's own
    seed when ``start_seed`` is None; the round's seed drives the rest."""
    probe = fitted_mlp(clone(estimator).set_params(**{f"{prefix}max_iter": 1})
                       .fit(X_train, y_train))
    units = [probe.coefs_[0].shape[0]] + [b.shape[0] for b in probe.intercepts_]
    mlp = estimator.get_params(deep=True)[prefix[:-2]] if prefix else estimator
    scheme = "glorot_uniform" if isinstance(mlp.weight_init, tuple) else mlp.weight_init
    tasks = []
    for seed in seeds:
        first = int(seed) if start_seed is None else start_seed
        weights = initialize(units, np.random.RandomState(first), scheme,
                             mlp.activation, probe.coefs_[0].dtype)
        tasks.append(clone(estimator).set_params(**{f"{prefix}weight_init": weights,
                                                    f"{prefix}random_state": int(seed)}))
    return tasks
