"""Fold scores of many trained networks.

Calling a scikit-learn scorer once per (candidate, fold) model and per train /
test set costs more than training the whole stack on small data (about 0.7
ms a call, mostly input checking). The common scores are therefore computed
by the engine (:func:`sklearn_mlpreg._engine.score`) from the stacked
predictions for all models together, each model seeing only its rows through
a 0/1 mask times the sample weights; the values equal scikit-learn's scorers
(tested), including their sample weighting and R^2's NaN for fewer than two
samples. Other scorers go through scikit-learn, one fitted estimator per
model.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np
from sklearn.metrics import check_scoring

from .._engine import SCORES, score


def stacked_score_name(scoring, default: str, classifier: bool, multilabel: bool = False):
    """The engine's score for ``scoring``, or None when scikit-learn must score."""
    name = default if scoring is None else scoring
    if not isinstance(name, str) or name not in SCORES:
        return None
    if (SCORES[name][1] == "classification") != classifier:
        return None
    if multilabel and name == "neg_log_loss":
        return None
    return name


def stacked_scores(name: str, Y: np.ndarray, P: np.ndarray, rows: list, sample_weight,
                   out_activation: str) -> np.ndarray:
    """Score of every model on its own rows.

    Parameters
    ----------
    name : str
        A key of the engine's ``SCORES``.
    Y : ndarray of shape (n, n_outputs)
        Targets (label indicators for classifiers).
    P : ndarray of shape (K, n, n_outputs)
        Outputs of the K models on all rows.
    rows : list of K index arrays
        The rows each model is scored on.
    sample_weight : ndarray of shape (n,) or None
    out_activation : str

    Returns
    -------
    scores : ndarray of shape (K,)
    """
    weight = np.zeros(P.shape[:2])
    for k, r in enumerate(rows):
        weight[k, r] = 1.0 if sample_weight is None else sample_weight[r]
    return score(name, Y, P, weight, out_activation)


def accepts_sample_weight(scorer) -> bool:
    """Whether a scorer takes ``sample_weight``: the test GridSearchCV makes (through
    the scorer's own method, when it has one)."""
    if hasattr(scorer, "_accept_sample_weight"):
        return scorer._accept_sample_weight()
    return "sample_weight" in inspect.signature(scorer).parameters


def scorer_scores(scoring, estimators, models, X, y, sample_weight
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Test and train scores of fitted estimators through scikit-learn's scorer.

    ``estimators[k]`` (None for a failed fit, scored NaN) is scored on
    ``models[k].test`` and ``models[k].train``.
    """
    test = np.full(len(models), np.nan)
    train = np.full(len(models), np.nan)
    for k, (est, m) in enumerate(zip(estimators, models)):
        if est is None:
            continue
        scorer = check_scoring(est, scoring=scoring)
        weighted = sample_weight is not None and accepts_sample_weight(scorer)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # e.g. R^2 of one sample
            for out, rows in ((test, m.test), (train, m.train)):
                kwargs = {"sample_weight": sample_weight[rows]} if weighted else {}
                out[k] = scorer(est, X[rows], y[rows], **kwargs)
    return test, train
