"""The CV estimators' fold networks: intervals and sets equal to MAPIE's, the
fold average as the model (refit=False), the one-standard-error alpha."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import KFold, LeaveOneOut, RepeatedKFold, StratifiedKFold

from sklearn_mlpreg import MLPClassifier, MLPClassifierCV, MLPRegressor, MLPRegressorCV
from sklearn_mlpreg.model_selection._alpha_rules import one_standard_error_index

mapie_regression = pytest.importorskip("mapie.regression")
mapie_classification = pytest.importorskip("mapie.classification")

X, y = make_regression(43, 4, noise=10.0, random_state=0)
y = y / y.std()
X_NEW = np.random.RandomState(1).randn(7, 4)
XC, YC = make_classification(60, 4, n_classes=3, n_informative=3, n_redundant=0,
                             random_state=0)
NET = dict(hidden_layer_sizes=(8,), max_iter=50, learning_rate_init=0.01, random_state=0)
LEVELS = [0.8, 0.9]
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.mark.parametrize("cv", [KFold(5), KFold(4, shuffle=True, random_state=0),
                                LeaveOneOut()], ids=["kfold", "shuffled", "loo"])
def test_intervals_equal_mapies_cv_plus_and_jackknife_plus(cv):
    """The fold networks of the chosen alpha are the networks MAPIE refits on
    the same folds: CV+ (jackknife+ under leave-one-out) to 1e-8."""
    model = MLPRegressorCV(alphas=[0.01, 1.0], cv=cv, scoring="neg_mean_squared_error",
                           **NET).fit(X, y)
    y_pred, intervals = model.predict_interval(X_NEW, confidence_level=LEVELS)
    mapie = mapie_regression.CrossConformalRegressor(
        MLPRegressor(alpha=model.alpha_, **NET), confidence_level=LEVELS, method="plus",
        cv=cv).fit_conformalize(X, y)
    expected_pred, expected = mapie.predict_interval(X_NEW)
    assert intervals.shape == (7, 2, 2)
    np.testing.assert_allclose(y_pred, expected_pred, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(intervals, expected, rtol=1e-8, atol=1e-10)
    assert (intervals[:, 0, 1] <= intervals[:, 0, 0]).all()  # 0.9 is wider than 0.8


def test_sets_equal_mapies_cross_conformal_classifier():
    cv = StratifiedKFold(5)
    model = MLPClassifierCV(alphas=[0.01], cv=cv, **NET).fit(XC, YC)
    y_pred, sets = model.predict_set(X_NEW, confidence_level=LEVELS)
    mapie = mapie_classification.CrossConformalClassifier(
        MLPClassifier(alpha=0.01, **NET), confidence_level=LEVELS, cv=cv
    ).fit_conformalize(XC, YC)
    expected_pred, expected = mapie.predict_set(X_NEW)
    np.testing.assert_array_equal(sets, expected)
    np.testing.assert_array_equal(y_pred, expected_pred)


@pytest.mark.parametrize("seed", [3, 4])
def test_intervals_cover_held_out_rows_near_the_level(seed):
    """On 2000 new rows of the same process, 90% intervals fitted on 300 rows
    cover within three standard errors of 0.9: the coverage given the training
    rows varies with them (sd ~ sqrt(0.09 / 300)) and with the test rows
    (sqrt(0.09 / 2000)). One alpha: no selection on the folds. (On 100 rows
    the fold networks, trained on 80, are visibly conservative: 0.96.)"""
    Xa, ya = make_regression(2300, 4, noise=20.0, random_state=seed)
    ya = ya / ya.std()
    model = MLPRegressorCV(alphas=[1e-3], cv=KFold(10), hidden_layer_sizes=(16,),
                           max_iter=150, learning_rate_init=0.01, random_state=0
                           ).fit(Xa[:300], ya[:300])
    _, intervals = model.predict_interval(Xa[300:], confidence_level=0.9)
    covered = np.mean((ya[300:] >= intervals[:, 0, 0]) & (ya[300:] <= intervals[:, 1, 0]))
    assert abs(covered - 0.9) < 3 * np.sqrt(0.09 / 300 + 0.09 / 2000)


def test_refit_false_predicts_with_the_fold_networks_average():
    model = MLPRegressorCV(alphas=[0.01, 1.0], cv=KFold(4), **NET).fit(X, y)
    model.set_params(refit=False).fit(X, y)  # no refit of the earlier fit stays behind
    assert not hasattr(model, "best_estimator_") and len(model.fold_estimators_) == 4
    weights = np.array([11, 11, 11, 10]) / 43  # the rows each fold held out
    expected = sum(w * e.predict(X_NEW) for w, e in zip(weights, model.fold_estimators_))
    np.testing.assert_allclose(model.predict(X_NEW), expected, rtol=1e-12)
    assert model.score(X, y) > 0.5
    classifier = MLPClassifierCV(alphas=[0.01], cv=StratifiedKFold(3), refit=False,
                                 **NET).fit(XC, YC)
    proba = classifier.predict_proba(X_NEW)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(classifier.predict(X_NEW),
                                  classifier.classes_[np.argmax(proba, axis=1)])
    np.testing.assert_allclose(classifier.predict_log_proba(X_NEW), np.log(proba))
    again = pickle.loads(pickle.dumps(classifier))
    np.testing.assert_array_equal(again.predict_proba(X_NEW), proba)
    with pytest.raises(ValueError, match="return_std needs the network refit"):
        model.predict(X_NEW, return_std=True)


def test_one_standard_error_rule_takes_the_formulas_alpha_and_keeps_the_scores():
    alphas = [1e-4, 1e-2, 1.0, 10.0, 100.0]
    best = MLPRegressorCV(alphas=alphas, cv=KFold(5), **NET).fit(X, y)
    one_se = MLPRegressorCV(alphas=alphas, cv=KFold(5), alpha_rule="1se", **NET).fit(X, y)
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        np.testing.assert_array_equal(one_se.cv_results_[key], best.cv_results_[key])
    expected = alphas[one_standard_error_index(best.cv_results_, alphas, 5)]
    assert one_se.alpha_ == one_se.alpha_1se_ == best.alpha_1se_ == expected
    assert best.alpha_ == best.alpha_best_ == one_se.alpha_best_
    assert one_se.alpha_ >= best.alpha_
    assert one_se.best_score_ == one_se.cv_results_["mean_test_score"][one_se.best_index_]
    assert best.alpha_wins_ is None


def test_a_repeated_splitter_counts_each_alphas_wins_and_refuses_intervals():
    model = MLPRegressorCV(alphas=[0.01, 1.0, 100.0], cv=RepeatedKFold(n_splits=3,
                                                                       n_repeats=4,
                                                                       random_state=0),
                           **NET).fit(X, y)
    assert model.alpha_wins_.sum() == 4 and model.alpha_wins_.shape == (3,)
    with pytest.raises(ValueError, match="hold out every training row exactly once"):
        model.predict_interval(X_NEW)


def test_bad_values_are_refused_with_the_parameter_named():
    model = MLPRegressorCV(alphas=[0.01], cv=KFold(5), **NET).fit(X, y)
    for level in (0, 1.2):
        with pytest.raises(ValueError, match="confidence_level"):
            model.predict_interval(X_NEW, confidence_level=level)
    with pytest.raises(ValueError, match="alpha_rule"):
        MLPRegressorCV(alpha_rule="2se").fit(X, y)
    two = MLPRegressorCV(alphas=[0.01], cv=KFold(5), **NET).fit(X, np.c_[y, y])
    with pytest.raises(ValueError, match="one target"):
        two.predict_interval(X_NEW)


def test_a_model_saved_before_the_fold_networks_says_to_refit():
    model = MLPRegressorCV(alphas=[0.01], cv=KFold(5), **NET).fit(X, y)
    del model._fold_networks  # as a 0.2.0 model loads
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(AttributeError, match="earlier release. Fit it again"):
            model.predict_interval(X_NEW)
