"""Cross-conformal prediction intervals and sets from a cross-validation's own pieces.

CV+ (and jackknife+ when the folds are leave-one-out; Barber, Candès, Ramdas &
Tibshirani, "Predictive inference with the jackknife+", *Ann. Statist.* 49(1),
2021) needs only what a K-fold cross-validation already has: each fold model's
prediction on the test rows, and each training row's out-of-fold prediction.
These functions compute the intervals and the cross-conformal classification
sets from those arrays, without refitting, exactly as MAPIE 1.6 computes them
(``CrossConformalRegressor.predict_interval`` with ``method="plus"`` and
``CrossConformalClassifier.predict_set`` with ``conformity_score="lac"``,
``agg_scores="mean"``), down to its finite-sample corrections and float
expressions.

Every training row must be held out by exactly one fold (a partition: ``KFold``,
``StratifiedKFold``, ``GroupKFold``, ``LeaveOneOut``). Repeated or overlapping
splitters (``RepeatedKFold``, ``ShuffleSplit``) are refused by
:func:`fold_of_row_from_splits`: there is no single out-of-fold model per row.

MAPIE's conventions, reproduced here:

* ``alpha = 1 - confidence_level`` in decimal arithmetic (0.9 gives exactly 0.1).
* Small n: MAPIE raises a ValueError when ``n < max(1/alpha, 1/(1 - alpha))``
  (``n // 2`` for the signed "gamma" score); the regressor can instead return
  infinite bounds where ``ceil((1 - alpha)(n + 1)) > n``
  (``allow_infinite_bounds=True``).
* The regressor's default point prediction (``aggregate_point_predictions=
  "mean"``) is the mean over the n training rows of the prediction of the model
  that held each out: a mean of the fold models weighted by the rows each held
  out (plain mean for equal folds). MAPIE 1.6 ignores "median" (its fitted
  ensemble keeps "mean"); ``None`` needs a model refit on all the data.
* ``minimize_interval_width=False``: each side at ``alpha`` for the symmetric
  absolute score (MAPIE refuses width minimisation for it), ``alpha / 2`` per
  side for "gamma".
* The classifier's point prediction comes from a model refit on all the data.
"""

from __future__ import annotations

import numbers
from decimal import Decimal

import numpy as np

CONFORMITY_SCORES = ("absolute", "gamma")  # the regression scores, as MAPIE names them
#: MAPIE's tolerance in the LAC set test (``mapie._machine_precision.EPSILON``).
_EPSILON = 1e-8


def check_confidence_level(confidence_level) -> np.ndarray:
    """Validate ``confidence_level``: a float, or a non-empty flat sequence of floats,
    each strictly between 0 and 1 (0, 1, 1.2, NaN, booleans, strings, nested or
    empty sequences raise a ValueError naming the parameter).

    Parameters
    ----------
    confidence_level : float or sequence of float

    Returns
    -------
    levels : ndarray of shape (n_levels,)
    """
    items = [confidence_level] if np.ndim(confidence_level) == 0 else confidence_level
    if isinstance(confidence_level, str) or np.ndim(confidence_level) > 1 or not len(items):
        raise ValueError("confidence_level must be a float or a non-empty flat sequence of "
                         f"floats strictly between 0 and 1; got {confidence_level!r}.")
    for level in items:
        if (isinstance(level, bool | np.bool_) or not isinstance(level, numbers.Real)
                or not 0.0 < float(level) < 1.0):
            raise ValueError("confidence_level must hold floats strictly between 0 and 1; "
                             f"got {level!r}.")
    return np.array([float(level) for level in items])


def _risk_levels(confidence_level) -> np.ndarray:
    """``alpha = 1 - confidence_level`` in decimal arithmetic, as MAPIE computes it
    (so that 0.9 gives exactly 0.1: the corrected quantile levels depend on it)."""
    return np.array([float(Decimal(1) - Decimal(str(level)))
                     for level in check_confidence_level(confidence_level)])


def fold_of_row_from_splits(test_indices, n_samples: int) -> np.ndarray:
    """The fold that holds each row out, from the test indices of each split.

    Raises a ValueError if a row is held out by more than one split (repeated or
    overlapping splitters) or by none (``ShuffleSplit``, a train/test split).

    Parameters
    ----------
    test_indices : iterable of array-like of int
        The held-out rows of each split, in fold order.
    n_samples : int

    Returns
    -------
    fold_of_row : ndarray of int of shape (n_samples,)
    """
    fold_of_row = np.full(n_samples, -1, dtype=np.intp)
    counts = np.zeros(n_samples, dtype=np.intp)
    for fold, rows in enumerate(test_indices):
        rows = np.asarray(rows, dtype=np.intp).ravel()
        np.add.at(counts, rows, 1)
        fold_of_row[rows] = fold
    if (counts > 1).any():
        raise ValueError(f"{int((counts > 1).sum())} rows are held out by more than one "
                         "split (a repeated or overlapping splitter): cross-conformal "
                         "prediction needs each row held out by exactly one fold.")
    if (counts == 0).any():
        raise ValueError(f"{int((counts == 0).sum())} rows are held out by no split: "
                         "cross-conformal prediction needs each row held out by exactly "
                         "one fold (use KFold, StratifiedKFold, GroupKFold or LeaveOneOut).")
    return fold_of_row


def _check_fold_of_row(fold_of_row, n_folds: int, n_train: int) -> np.ndarray:
    fold_of_row = np.asarray(fold_of_row)
    if fold_of_row.shape != (n_train,) or fold_of_row.dtype.kind not in "iu":
        raise ValueError(f"fold_of_row must be {n_train} integer fold indices (one per "
                         f"training row); got shape {fold_of_row.shape}, dtype "
                         f"{fold_of_row.dtype}.")
    if n_train and (fold_of_row.min() < 0 or fold_of_row.max() >= n_folds):
        raise ValueError(f"fold_of_row must hold fold indices in [0, {n_folds}).")
    return fold_of_row


def _check_n_samples(alphas: np.ndarray, n: int, hint: str = "") -> None:
    """MAPIE's ``_check_alpha_and_n_samples``: refuse ``n < max(1/alpha, 1/(1-alpha))``."""
    for alpha in alphas:
        if n < max(1 / alpha, 1 / (1 - alpha)):
            raise ValueError(
                f"{n} calibration samples are too few for confidence level {1 - alpha:g}: "
                "MAPIE requires n >= max(1/alpha, 1/(1 - alpha)) with alpha = 1 - level"
                + hint + ".")


def _conformal_quantile(values: np.ndarray, alphas: np.ndarray, reverse: bool,
                        unbounded: bool) -> np.ndarray:
    """MAPIE's ``_compute_regression_quantile`` along axis 1, float for float."""
    n_calib = int(np.min(np.sum(~np.isnan(values), axis=1))) if values.size else 1
    signed = 1 - 2 * reverse
    alpha_ref = (1 - 2 * alphas) * reverse + alphas
    alpha_cor = np.ceil(alpha_ref * (n_calib + 1)) / n_calib
    out = np.empty((values.shape[0], len(alphas)))
    for j, level in enumerate(alpha_cor):
        if level > 1.0:
            if not unbounded:
                raise ValueError(f"{n_calib} calibration samples are too few: the corrected "
                                 f"quantile level {level:.4f} exceeds 1.")
            out[:, j] = signed * np.inf
        else:
            out[:, j] = signed * np.nanquantile(signed * values, level, axis=1,
                                                method="lower")
    return out


def _plus_bounds(per_row: np.ndarray, scores: np.ndarray, alphas: np.ndarray,
                 symmetric: bool, unbounded: bool) -> np.ndarray:
    """MAPIE's ``BaseRegressionScore.get_bounds`` for ``method="plus"``,
    ``(n_test, 2, n_levels)``."""
    if symmetric:
        low, up = per_row + (-1 * scores), per_row + scores
        alpha_low, alpha_up = alphas, 1 - alphas
    else:
        low = up = per_row * (1 + scores)
        alpha_low, alpha_up = alphas / 2, 1 - alphas + alphas / 2
    return np.stack([_conformal_quantile(low, alpha_low, True, unbounded),
                     _conformal_quantile(up, alpha_up, False, unbounded)], axis=1)


def _regression_scores(oof: np.ndarray, y: np.ndarray, per_row: np.ndarray,
                       conformity_score: str) -> np.ndarray:
    if conformity_score not in CONFORMITY_SCORES:
        raise ValueError(f"conformity_score must be one of {CONFORMITY_SCORES}; got "
                         f"{conformity_score!r}.")
    if conformity_score == "absolute":
        return np.abs(y - oof)
    for name, values in (("y", y), ("oof_predictions", oof),
                         ("fold_predictions_test", per_row)):
        if np.any(values <= 0):
            raise ValueError(f"The gamma conformity score needs {name} > 0.")
    return (y - oof) / oof


def cv_plus_intervals(fold_predictions_test, oof_predictions, y, fold_of_row,
                      confidence_level, *, conformity_score="absolute",
                      allow_infinite_bounds=False):
    r"""CV+ / jackknife+ intervals (Barber et al., 2021), as MAPIE 1.6's
    ``CrossConformalRegressor(method="plus").predict_interval`` returns them.

    With :math:`k(i)` the fold holding out row :math:`i` of :math:`n`, the
    absolute score :math:`R_i = |y_i - \hat\mu_{k(i)}(x_i)|` and
    :math:`m = \lceil(1-\alpha)(n+1)\rceil`, the interval of :math:`x` is
    [the :math:`m`-th largest of :math:`\hat\mu_{k(i)}(x) - R_i`, the :math:`m`-th
    smallest of :math:`\hat\mu_{k(i)}(x) + R_i`] (MAPIE: ``np.nanquantile`` at
    :math:`m/n`, ``method="lower"``). "gamma": :math:`R_i = (y_i - \hat\mu_{k(i)}
    (x_i)) / \hat\mu_{k(i)}(x_i)`, bounds from :math:`\hat\mu_{k(i)}(x)(1 + R_i)`
    at :math:`\alpha/2` per side. See the module docstring for small n.

    Parameters
    ----------
    fold_predictions_test : array-like of shape (n_folds, n_test)
        Each fold model's prediction on the test rows.
    oof_predictions : array-like of shape (n_train,)
        Each training row's prediction by the model of the fold that held it out.
    y : array-like of shape (n_train,)
    fold_of_row : array-like of int of shape (n_train,)
        The fold holding each row out (:func:`fold_of_row_from_splits`).
    confidence_level : float or sequence of float in (0, 1)
    conformity_score : {"absolute", "gamma"}, default="absolute"
    allow_infinite_bounds : bool, default=False
        False: too few rows raise a ValueError, as in MAPIE. True: infinite bounds.

    Returns
    -------
    y_pred : ndarray of shape (n_test,)
        MAPIE's default point prediction, :math:`\sum_k (n_k/n)\hat\mu_k(x)`.
    y_intervals : ndarray of shape (n_test, 2, n_levels)
        Lower (``[:, 0]``) and upper (``[:, 1]``) bounds, one column per level.
    """
    alphas = _risk_levels(confidence_level)
    fold_predictions = np.asarray(fold_predictions_test, dtype=float)
    oof = np.asarray(oof_predictions, dtype=float)
    y = np.asarray(y, dtype=float)
    if fold_predictions.ndim != 2 or oof.ndim != 1 or y.shape != oof.shape:
        raise ValueError("fold_predictions_test must be (n_folds, n_test), and "
                         "oof_predictions and y both (n_train,).")
    fold_of_row = _check_fold_of_row(fold_of_row, len(fold_predictions), len(y))
    # (n_test, n_train): the prediction of the model that held out each training row
    per_row = fold_predictions[fold_of_row].T
    scores = _regression_scores(oof, y, per_row, conformity_score)
    symmetric = conformity_score == "absolute"
    if not allow_infinite_bounds:
        _check_n_samples(alphas, len(y) if symmetric else len(y) // 2,
                         " (or pass allow_infinite_bounds=True for infinite bounds)")
    y_pred = np.nanmean(per_row, axis=1)
    return y_pred, _plus_bounds(per_row, scores, alphas, symmetric, allow_infinite_bounds)


def _classification_inputs(fold_probas_test, oof_probas, y_encoded, fold_of_row):
    probas = np.asarray(fold_probas_test, dtype=float)
    oof = np.asarray(oof_probas, dtype=float)
    y_encoded = np.asarray(y_encoded)
    if probas.ndim != 3 or oof.ndim != 2 or oof.shape[1] != probas.shape[2]:
        raise ValueError("fold_probas_test must be (n_folds, n_test, n_classes) and "
                         "oof_probas (n_train, n_classes), with the same classes.")
    n, n_classes = oof.shape
    if (y_encoded.shape != (n,) or y_encoded.dtype.kind not in "iu"
            or (n and (y_encoded.min() < 0 or y_encoded.max() >= n_classes))):
        raise ValueError(f"y_encoded must be {n} class indices in [0, {n_classes}).")
    _check_fold_of_row(fold_of_row, len(probas), n)
    return probas, oof, y_encoded


def cross_conformal_sets(fold_probas_test, oof_probas, y_encoded, fold_of_row,
                         confidence_level, *, y_pred=None):
    r"""Cross-conformal sets, as MAPIE 1.6's ``CrossConformalClassifier`` (default
    ``conformity_score="lac"``) ``predict_set`` (default ``agg_scores="mean"``).

    LAC scores :math:`s_i = 1 - \hat p_{k(i)}(y_i \mid x_i)` (out of fold);
    :math:`\hat q_\alpha` is the :math:`\lceil(n+1)(1-\alpha)\rceil`-th smallest
    (``np.quantile`` at that rank over :math:`n`, ``method="lower"``). Class
    :math:`c` is in the set of :math:`x` when :math:`1 - \bar p(c \mid x) - \hat
    q_\alpha \le 10^{-8}`, :math:`\bar p` the plain (unweighted) mean of the fold
    models' probabilities. Too few rows raise a ValueError, as in MAPIE.

    Parameters
    ----------
    fold_probas_test : array-like of shape (n_folds, n_test, n_classes)
        Each fold model's probabilities on the test rows, over all the classes
        (0 for a class a fold model never saw, as MAPIE pads them).
    oof_probas : array-like of shape (n_train, n_classes)
        Each training row's probabilities by the model of the fold that held it out.
    y_encoded : array-like of int of shape (n_train,)
        Class indices in ``[0, n_classes)`` (sorted classes, ``LabelEncoder``).
    fold_of_row : array-like of int of shape (n_train,)
    confidence_level : float or sequence of float in (0, 1)
    y_pred : array-like of shape (n_test,), default=None
        MAPIE's point prediction is the label of the highest probability of a
        model refit on all the data, not of the fold models: pass those labels to
        get MAPIE's pair. None returns the class index of the highest mean fold
        probability instead (not MAPIE's).

    Returns
    -------
    y_pred : ndarray of shape (n_test,)
    y_pred_sets : ndarray of bool of shape (n_test, n_classes, n_levels)
    """
    alphas = _risk_levels(confidence_level)
    probas, oof, y_encoded = _classification_inputs(fold_probas_test, oof_probas,
                                                    y_encoded, fold_of_row)
    n = len(oof)
    scores = 1 - oof[np.arange(n), y_encoded]
    _check_n_samples(alphas, n)
    quantiles = np.stack([np.quantile(scores, np.ceil((n + 1) * (1 - alpha)) / n,
                                      method="lower") for alpha in alphas])
    mean_probas = np.mean(probas, axis=0)
    sets = np.less_equal((1 - mean_probas)[:, :, np.newaxis] - quantiles, _EPSILON)
    if y_pred is None:
        y_pred = np.argmax(mean_probas, axis=1)
    return np.asarray(y_pred), sets
