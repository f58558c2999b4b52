"""Cross-conformal intervals and sets from CV pieces against MAPIE 1.6 itself.

The pieces (fold models' test predictions, out-of-fold predictions, the fold of
each row) are built by hand from scikit-learn estimators on the very folds MAPIE
is given, so the functions must reproduce MAPIE to 1e-10 with no refit.
"""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (
    KFold,
    LeaveOneOut,
    RepeatedKFold,
    ShuffleSplit,
    StratifiedKFold,
)

from sklearn_mlpreg.model_selection._conformal import (
    check_confidence_level,
    cross_conformal_sets,
    cv_plus_intervals,
    fold_of_row_from_splits,
)

mapie_regression = pytest.importorskip("mapie.regression")
mapie_classification = pytest.importorskip("mapie.classification")

LEVELS = [0.8, 0.9]


def regression_data(n, n_test=7, seed=0, offset=0.0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n + n_test, 3))
    y = X @ [1.5, -2.0, 0.5] + offset + rng.normal(scale=0.7, size=n + n_test)
    return X[:n], y[:n], X[n:]


def regression_pieces(X, y, X_test, cv, estimator=None):
    """What a CV already has: each fold model's test predictions, the out-of-fold
    predictions and the fold holding each row out."""
    estimator = Ridge() if estimator is None else estimator
    splits = list(cv.split(X, y))
    models = [clone(estimator).fit(X[train], y[train]) for train, _ in splits]
    oof = np.empty(len(y))
    for model, (_, test) in zip(models, splits):
        oof[test] = model.predict(X[test])
    fold_of_row = fold_of_row_from_splits([test for _, test in splits], len(y))
    return np.stack([m.predict(X_test) for m in models]), oof, y, fold_of_row


def mapie_intervals(X, y, X_test, cv, levels=LEVELS, **kwargs):
    score = kwargs.pop("conformity_score", "absolute")
    mapie = mapie_regression.CrossConformalRegressor(
        Ridge(), confidence_level=levels, conformity_score=score, method="plus", cv=cv)
    return mapie.fit_conformalize(X, y).predict_interval(X_test, **kwargs)


@pytest.mark.parametrize("cv", [KFold(5), KFold(5, shuffle=True, random_state=3)],
                         ids=["kfold", "shuffled"])
def test_cv_plus_equals_mapie(cv):
    """43 rows in 5 folds (9, 9, 9, 8, 8): MAPIE's default point prediction is the
    mean over the training rows of their fold model's prediction, a mean of the
    fold models weighted by fold size."""
    X, y, X_test = regression_data(43)
    pieces = regression_pieces(X, y, X_test, cv)
    y_pred, intervals = cv_plus_intervals(*pieces, LEVELS)
    expected_pred, expected_intervals = mapie_intervals(X, y, X_test, cv)
    assert intervals.shape == (len(X_test), 2, 2)
    np.testing.assert_allclose(y_pred, expected_pred, rtol=0, atol=1e-10)
    np.testing.assert_allclose(intervals, expected_intervals, rtol=0, atol=1e-10)
    sizes = np.bincount(pieces[3])
    np.testing.assert_allclose(y_pred, sizes @ pieces[0] / len(y), rtol=0, atol=1e-12)
    assert np.all(intervals[:, 0] <= intervals[:, 1])


def test_jackknife_plus_equals_mapie():
    X, y, X_test = regression_data(20, seed=1)
    y_pred, intervals = cv_plus_intervals(*regression_pieces(X, y, X_test, LeaveOneOut()),
                                          LEVELS)
    expected_pred, expected_intervals = mapie_intervals(X, y, X_test, LeaveOneOut())
    np.testing.assert_allclose(y_pred, expected_pred, rtol=0, atol=1e-10)
    np.testing.assert_allclose(intervals, expected_intervals, rtol=0, atol=1e-10)


def test_gamma_score_equals_mapie():
    """The signed relative score, alpha/2 per side, on positive targets."""
    X, y, X_test = regression_data(30, seed=2, offset=20.0)
    pieces = regression_pieces(X, y, X_test, KFold(4))
    y_pred, intervals = cv_plus_intervals(*pieces, LEVELS, conformity_score="gamma")
    expected_pred, expected_intervals = mapie_intervals(X, y, X_test, KFold(4),
                                                        conformity_score="gamma")
    np.testing.assert_allclose(y_pred, expected_pred, rtol=0, atol=1e-10)
    np.testing.assert_allclose(intervals, expected_intervals, rtol=0, atol=1e-10)
    with pytest.raises(ValueError, match="y > 0"):
        cv_plus_intervals(pieces[0], pieces[1], -pieces[2], pieces[3], 0.8,
                          conformity_score="gamma")


def test_small_n_refused_like_mapie_or_infinite_bounds():
    """8 rows: 0.9 needs n >= 1/0.1 = 10, so MAPIE's default raises; with infinite
    bounds allowed, ceil(0.9 * 9) = 9 > 8 gives (-inf, inf), 0.8 stays finite."""
    X, y, X_test = regression_data(8, seed=4)
    pieces = regression_pieces(X, y, X_test, KFold(4))
    with pytest.raises(ValueError, match="too low"):
        mapie_intervals(X, y, X_test, KFold(4))
    with pytest.raises(ValueError, match="too few"):
        cv_plus_intervals(*pieces, LEVELS)
    y_pred, intervals = cv_plus_intervals(*pieces, LEVELS, allow_infinite_bounds=True)
    expected_pred, expected_intervals = mapie_intervals(X, y, X_test, KFold(4),
                                                        allow_infinite_bounds=True)
    np.testing.assert_allclose(y_pred, expected_pred, rtol=0, atol=1e-10)
    np.testing.assert_allclose(intervals, expected_intervals, rtol=0, atol=1e-10)
    assert np.all(np.isinf(intervals[:, :, 1])) and np.all(np.isfinite(intervals[:, :, 0]))


def classification_pieces(X, y, X_test, cv):
    classes, y_encoded = np.unique(y, return_inverse=True)
    splits = list(cv.split(X, y))
    models = [LogisticRegression().fit(X[train], y_encoded[train]) for train, _ in splits]
    oof = np.empty((len(y), len(classes)))
    for model, (_, test) in zip(models, splits):
        oof[test] = model.predict_proba(X[test])
    fold_of_row = fold_of_row_from_splits([test for _, test in splits], len(y))
    refit = LogisticRegression().fit(X, y)
    y_pred = classes[np.argmax(refit.predict_proba(X_test), axis=1)]
    fold_probas = np.stack([m.predict_proba(X_test) for m in models])
    return (fold_probas, oof, y_encoded, fold_of_row), y_pred


@pytest.mark.parametrize("cv", [KFold(5, shuffle=True, random_state=0), StratifiedKFold(4)],
                         ids=["kfold", "stratified"])
def test_cross_conformal_sets_equal_mapie(cv):
    rng = np.random.RandomState(5)
    X = rng.normal(size=(75, 2))
    y = np.array(["a", "b", "c"])[np.argmax(X @ rng.normal(size=(2, 3))
                                            + rng.normal(size=(75, 3)), axis=1)]
    X, X_test, y = X[:60], X[60:], y[:60]
    pieces, refit_pred = classification_pieces(X, y, X_test, cv)
    y_pred, sets = cross_conformal_sets(*pieces, LEVELS, y_pred=refit_pred)
    mapie = mapie_classification.CrossConformalClassifier(
        LogisticRegression(), confidence_level=LEVELS, cv=cv).fit_conformalize(X, y)
    expected_pred, expected_sets = mapie.predict_set(X_test)
    np.testing.assert_array_equal(y_pred, expected_pred)
    np.testing.assert_array_equal(sets, expected_sets)
    assert sets.shape == (15, 3, 2)
    assert np.all(sets[:, :, 0] <= sets[:, :, 1])  # the 0.9 sets hold the 0.8 sets
    fallback, _ = cross_conformal_sets(*pieces, LEVELS)
    np.testing.assert_array_equal(fallback, np.argmax(pieces[0].mean(axis=0), axis=1))


def test_cross_conformal_sets_refuse_small_n_like_mapie():
    rng = np.random.RandomState(6)
    X, y = rng.normal(size=(12, 2)), np.tile([0, 1], 6)
    pieces, _ = classification_pieces(X[:8], y[:8], X[8:], KFold(4))
    with pytest.raises(ValueError, match="too low"):
        mapie_classification.CrossConformalClassifier(
            LogisticRegression(), confidence_level=0.9, cv=KFold(4)
        ).fit_conformalize(X[:8], y[:8]).predict_set(X[8:])
    with pytest.raises(ValueError, match="too few"):
        cross_conformal_sets(*pieces, 0.9)


@pytest.mark.parametrize("level", [0, 0.0, 1.0, 1.2, -0.1, float("nan"), True, "0.9", [],
                                   [0.9, 1.0], [[0.9]], None])
def test_bad_confidence_levels_refused(level):
    with pytest.raises(ValueError, match="confidence_level"):
        check_confidence_level(level)
    X, y, X_test = regression_data(20)
    with pytest.raises(ValueError, match="confidence_level"):
        cv_plus_intervals(*regression_pieces(X, y, X_test, KFold(2)), level)


def test_good_confidence_levels_accepted():
    np.testing.assert_array_equal(check_confidence_level(0.9), [0.9])
    np.testing.assert_array_equal(check_confidence_level(np.array([0.5, 0.95])), [0.5, 0.95])


def test_each_row_must_be_held_out_exactly_once():
    X = np.zeros((10, 1))
    with pytest.raises(ValueError, match="more than one split"):
        fold_of_row_from_splits([t for _, t in RepeatedKFold(n_splits=2, n_repeats=2,
                                                             random_state=0).split(X)], 10)
    with pytest.raises(ValueError, match="no split"):
        fold_of_row_from_splits([t for _, t in ShuffleSplit(1, random_state=0).split(X)],
                                10)
    X, y, X_test = regression_data(20)
    fold_predictions, oof, y, fold_of_row = regression_pieces(X, y, X_test, KFold(4))
    for bad in (fold_of_row[:-1], fold_of_row + 1, fold_of_row.astype(float)):
        with pytest.raises(ValueError, match="fold_of_row"):
            cv_plus_intervals(fold_predictions, oof, y, bad, 0.8)
