"""The batched searches' best candidate's fold models: CV+ / jackknife+ intervals
and cross-conformal sets equal to MAPIE's from the same folds, with no training
beyond the search's."""

import pickle
import re

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import KFold, LeaveOneOut, ShuffleSplit, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlpreg import (
    MLPClassifier,
    MLPEnsembleRegressor,
    MLPRegressor,
    MLPRegressorCV,
)
from sklearn_mlpreg.model_selection import (
    BatchedGridSearchCV,
    BatchedHalvingGridSearchCV,
    BatchedRandomizedSearchCV,
)

mapie_regression = pytest.importorskip("mapie.regression")
mapie_classification = pytest.importorskip("mapie.classification")

X, y = make_regression(43, 4, noise=10.0, random_state=0)
y = y / y.std()
X_NEW = np.random.RandomState(1).randn(7, 4)
XC, YC = make_classification(60, 4, n_classes=3, n_informative=3, n_redundant=0,
                             random_state=0)
NET = dict(hidden_layer_sizes=(8,), max_iter=50, learning_rate_init=0.01, random_state=0)
LEVELS = [0.8, 0.9]
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning",
                                        "ignore::sklearn_mlpreg.GridEdgeWarning")


def mapies(search, cv, X=X, y=y, X_new=X_NEW):
    """MAPIE's CV+ on the same folds, with the search's best settings."""
    estimator = clone(search.estimator).set_params(**search.best_params_)
    mapie = mapie_regression.CrossConformalRegressor(
        estimator, confidence_level=LEVELS, method="plus", cv=cv).fit_conformalize(X, y)
    return mapie.predict_interval(X_new)


def assert_same(got, expected):
    for ours, theirs in zip(got, expected):
        np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("cv", [KFold(5), KFold(4, shuffle=True, random_state=0),
                                LeaveOneOut()], ids=["kfold", "shuffled", "loo"])
def test_grid_search_intervals_equal_mapies(cv):
    search = BatchedGridSearchCV(MLPRegressor(**NET), {"alpha": [0.01, 1.0],
                                                       "learning_rate_init": [0.01, 0.03]},
                                 cv=cv, scoring="neg_mean_squared_error").fit(X, y)
    y_pred, intervals = search.predict_interval(X_NEW, confidence_level=LEVELS)
    assert intervals.shape == (7, 2, 2) and y_pred.shape == (7,)
    assert len(search.fold_estimators_) == search.n_splits_
    assert_same((y_pred, intervals), mapies(search, cv))
    assert (intervals[:, 0, 1] <= intervals[:, 0, 0]).all()  # 0.9 is wider than 0.8


def test_pipeline_fold_models_are_each_folds_fitted_steps_and_network():
    """MAPIE refits the whole pipeline per fold: the search's fold models are the
    fold's fitted scaler followed by the fold's network."""
    cv = KFold(5, shuffle=True, random_state=1)
    pipe = make_pipeline(StandardScaler(), MLPRegressor(**NET))
    search = BatchedGridSearchCV(pipe, {"mlpregressor__alpha": [0.01, 1.0],
                                        "standardscaler__with_mean": [True, False]},
                                 cv=cv).fit(X * 10 + 3, y)
    got = search.predict_interval(X_NEW * 10 + 3, confidence_level=LEVELS)
    assert_same(got, mapies(search, cv, X * 10 + 3, X_new=X_NEW * 10 + 3))
    scalers = [model[0] for model in search.fold_estimators_]
    assert len({float(s.mean_[0]) for s in scalers}) == 5  # each fold's own scaler


def test_randomized_search_intervals_equal_mapies():
    cv = KFold(4)
    search = BatchedRandomizedSearchCV(
        MLPRegressor(**NET), {"alpha": loguniform(1e-3, 10), "max_iter": [30, 60]},
        n_iter=3, cv=cv, random_state=0).fit(X, y)
    assert_same(search.predict_interval(X_NEW, confidence_level=LEVELS),
                mapies(search, cv))


def test_seed_ensemble_fold_models_give_mapies_intervals():
    cv = KFold(4)
    search = BatchedGridSearchCV(MLPEnsembleRegressor(MLPRegressor(**NET), n_members=2,
                                                      random_state=0),
                                 {"estimator__alpha": [0.01, 1.0]}, cv=cv).fit(X, y)
    assert all(isinstance(e, MLPEnsembleRegressor) for e in search.fold_estimators_)
    assert_same(search.predict_interval(X_NEW, confidence_level=LEVELS),
                mapies(search, cv))


def test_an_alpha_only_search_gives_mlpregressorcvs_intervals():
    alphas = [0.01, 1.0, 10.0]
    cv = KFold(5)
    model = MLPRegressorCV(alphas=alphas, cv=cv, **NET).fit(X, y)
    search = BatchedGridSearchCV(MLPRegressor(**NET), {"alpha": alphas}, cv=cv).fit(X, y)
    assert search.best_params_["alpha"] == model.alpha_
    for ours, theirs in zip(search.predict_interval(X_NEW, LEVELS),
                            model.predict_interval(X_NEW, LEVELS)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_only_regressor_searches_have_intervals_and_classifier_searches_sets():
    cv = StratifiedKFold(5)
    search = BatchedGridSearchCV(MLPClassifier(**NET), {"alpha": [0.01, 1.0]},
                                 cv=cv).fit(XC, YC)
    assert not hasattr(search, "predict_interval") and hasattr(search, "predict_set")
    y_pred, sets = search.predict_set(X_NEW, confidence_level=LEVELS)
    mapie = mapie_classification.CrossConformalClassifier(
        MLPClassifier(**NET).set_params(**search.best_params_), confidence_level=LEVELS,
        cv=cv).fit_conformalize(XC, YC)
    expected_pred, expected = mapie.predict_set(X_NEW)
    np.testing.assert_array_equal(sets, expected)
    np.testing.assert_array_equal(y_pred, expected_pred)
    regressor = BatchedGridSearchCV(MLPRegressor(**NET), {"alpha": [0.01]}, cv=3)
    assert hasattr(regressor, "predict_interval") and not hasattr(regressor, "predict_set")


@pytest.fixture(scope="module")
def search():
    return BatchedGridSearchCV(MLPRegressor(**NET), {"alpha": [0.01, 1.0]},
                               cv=KFold(5)).fit(X, y)


@pytest.mark.parametrize("level", [0, 1, 1.2, -0.1, float("nan"), "0.9", [], [0.9, 1.0],
                                   True])
def test_bad_confidence_levels_are_refused(search, level):
    with pytest.raises(ValueError, match="confidence_level"):
        search.predict_interval(X_NEW, confidence_level=level)


def test_splits_that_do_not_hold_every_row_out_once_are_refused():
    search = BatchedGridSearchCV(MLPRegressor(**NET), {"alpha": [0.01]},
                                 cv=ShuffleSplit(3, test_size=0.3, random_state=0)
                                 ).fit(X, y)
    with pytest.raises(ValueError, match="hold out every training row exactly once"):
        search.predict_interval(X_NEW)


def test_several_targets_are_refused(search):
    two = clone(search).fit(X, np.c_[y, y])
    with pytest.raises(ValueError, match="one target"):
        two.predict_interval(X_NEW)


def test_a_pickled_search_predicts_the_same_intervals(search):
    expected = search.predict_interval(X_NEW, LEVELS)
    again = pickle.loads(pickle.dumps(search))
    for ours, theirs in zip(again.predict_interval(X_NEW, LEVELS), expected):
        np.testing.assert_array_equal(ours, theirs)


def test_a_pipeline_search_saved_by_io_predicts_the_same_intervals(tmp_path):
    pytest.importorskip("skops.io")
    from sklearn_mlpreg import io

    pipe = make_pipeline(StandardScaler(), MLPRegressor(**NET))
    search = BatchedGridSearchCV(pipe, {"mlpregressor__alpha": [0.01, 1.0]},
                                 cv=KFold(4)).fit(X, y)
    io.save(search, tmp_path / "search.skops")
    again = io.load(str(tmp_path / "search.skops"))
    for ours, theirs in zip(again.predict_interval(X_NEW, LEVELS),
                            search.predict_interval(X_NEW, LEVELS)):
        np.testing.assert_array_equal(ours, theirs)


def test_a_search_fitted_before_the_fold_networks_says_to_refit(search):
    old = pickle.loads(pickle.dumps(search))
    del old._fold_networks, old.fold_estimators_  # as a search saved before loads
    with pytest.raises(AttributeError, match="earlier release .*Fit it again"):
        old.predict_interval(X_NEW)


def test_multi_metric_searches_use_the_refit_metrics_candidate():
    scoring = {"r2": "r2", "mse": "neg_mean_squared_error"}
    grid = {"alpha": [0.01, 1.0, 100.0]}
    cv = KFold(5)
    chosen = BatchedGridSearchCV(MLPRegressor(**NET), grid, cv=cv, scoring=scoring,
                                 refit="mse").fit(X, y)
    assert_same(chosen.predict_interval(X_NEW, LEVELS), mapies(chosen, cv))
    unchosen = clone(chosen).set_params(refit=False).fit(X, y)
    assert not hasattr(unchosen, "fold_estimators_")
    with pytest.raises(ValueError, match="Set refit to the metric"):
        unchosen.predict_interval(X_NEW)
    callable_refit = clone(chosen).set_params(
        refit=lambda results: int(np.argmax(results["mean_test_r2"]))).fit(X, y)
    assert_same(callable_refit.predict_interval(X_NEW, LEVELS), mapies(callable_refit, cv))


def test_refit_false_keeps_the_fold_models(search):
    unrefit = clone(search).set_params(refit=False).fit(X, y)
    assert not hasattr(unrefit, "best_estimator_")
    for ours, theirs in zip(unrefit.predict_interval(X_NEW, LEVELS),
                            search.predict_interval(X_NEW, LEVELS)):
        np.testing.assert_array_equal(ours, theirs)


def test_halving_searches_refuse_with_the_reason_and_the_fix():
    halving = BatchedHalvingGridSearchCV(MLPRegressor(**NET), {"alpha": [0.01, 1.0]},
                                         cv=KFold(3), min_resources=20, random_state=0
                                         ).fit(X, y)
    assert not hasattr(halving, "predict_interval")
    with pytest.raises(AttributeError, match="has no attribute 'predict_interval'") as info:
        halving.predict_interval(X_NEW)
    assert re.search("subsample.*BatchedGridSearchCV", str(info.value.__cause__))
    assert not hasattr(halving, "fold_estimators_")
    assert "fold_estimators_" not in BatchedHalvingGridSearchCV.__doc__
    for cls in (BatchedGridSearchCV, BatchedRandomizedSearchCV):
        assert "    fold_estimators_ : list of estimators" in cls.__doc__
