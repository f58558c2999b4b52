"""BatchedGridSearchCV / BatchedRandomizedSearchCV equal scikit-learn's searches.

Each test runs scikit-learn's search and the batched one with the same
estimator, grid, folds and random_state and compares every ``cv_results_``
entry but the timings (to 1e-8), the best candidate and the refit predictions.
"""

import warnings

import numpy as np
import pytest
import sklearn
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.datasets import (
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    RandomizedSearchCV,
    cross_validate,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlpreg import GridEdgeWarning, MLPClassifier, MLPRegressor, MLPRegressorCV
from sklearn_mlpreg._stacks import stack_key
from sklearn_mlpreg.model_selection import BatchedGridSearchCV, BatchedRandomizedSearchCV
from sklearn_mlpreg.model_selection._evaluate import plan_tasks

RNG = np.random.RandomState(0)
X = RNG.randn(72, 5)
X[RNG.rand(*X.shape) < 0.05] = np.nan  # for the imputer of the pipelines
X_FULL = np.nan_to_num(X)
Y = np.sin(X_FULL[:, 0]) + X_FULL[:, 1] - 0.5 * X_FULL[:, 2] ** 2 + 0.1 * RNG.randn(72)
X_CLS, Y_CLS = make_classification(90, 5, n_informative=3, n_redundant=0, n_classes=3,
                                   random_state=0)
X_ML, Y_ML = make_multilabel_classification(80, 5, n_classes=3, random_state=0)
WEIGHTS = RNG.uniform(0.5, 2.0, size=72)
FOLDS = KFold(3, shuffle=True, random_state=0)
FAST = dict(hidden_layer_sizes=(6,), max_iter=25, learning_rate_init=0.01, random_state=0)
SCORES_WEIGHTED = sklearn.__version__ >= "1.9"

GRIDS = {
    "steps": {"alpha": [1e-3, 1.0], "learning_rate_init": [1e-3, 1e-2],
              "solver": ["adam", "sgd"], "momentum": [0.5, 0.9]},
    "stopping": {"early_stopping": [False, True], "n_iter_no_change": [2, 5],
                 "tol": [1e-4, 1e-2], "validation_fraction": [0.1, 0.25],
                 "restore_best_weights": [True, False]},
    "dropout_batches": {"dropout": [0.0, 0.2, (0.3,)], "batch_size": [16, "auto"],
                        "shuffle": [True, False]},
    "penalties": {"penalty": ["l2", "l1", "elasticnet"], "l1_ratio": [0.2, 0.8],
                  "alpha": [0.1, 3.0]},
    "schedules": {"solver": ["sgd"], "learning_rate": ["constant", "invscaling",
                                                       "adaptive"],
                  "nesterovs_momentum": [True, False], "power_t": [0.25, 0.5],
                  "batch_size": [24]},
    "shapes": {"hidden_layer_sizes": [(4,), (5, 3)], "activation": ["relu", "tanh"],
               "weight_init": ["glorot_uniform", 0.05], "random_state": [0, 1]},
    "adam": {"beta_1": [0.8, 0.9], "beta_2": [0.99, 0.999], "epsilon": [1e-8, 1e-6],
             "max_iter": [10, 25]},
}


def quietly(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def assert_same_search(ours, theirs, X_pred, tol=1e-8):
    """Every cv_results_ entry but the timings, the best candidate, the refit."""
    assert set(ours.cv_results_) == set(theirs.cv_results_)
    for key, expected in theirs.cv_results_.items():
        got = ours.cv_results_[key]
        if "time" in key:
            assert np.all(np.asarray(got) >= 0)
        elif key == "params":
            assert got == expected
        elif key.startswith("param_"):
            assert list(got) == list(expected) and np.array_equal(got.mask, expected.mask)
        elif key.startswith("rank_"):
            np.testing.assert_array_equal(got, expected)
        else:
            np.testing.assert_allclose(got, expected, rtol=0, atol=tol, err_msg=key)
    for name in ("best_index_", "best_params_", "n_splits_", "multimetric_"):
        if hasattr(theirs, name):
            assert getattr(ours, name) == getattr(theirs, name), name
    if hasattr(theirs, "best_score_"):
        assert ours.best_score_ == pytest.approx(theirs.best_score_, abs=tol, nan_ok=True)
    if hasattr(theirs, "best_estimator_"):
        ours_pred, theirs_pred = ours.predict(X_pred), theirs.predict(X_pred)
        if ours_pred.dtype.kind == "f":
            np.testing.assert_allclose(ours_pred, theirs_pred, atol=1e-10)
        else:
            np.testing.assert_array_equal(ours_pred, theirs_pred)
    if isinstance(theirs.scorer_, dict):
        assert ours.scorer_.keys() == theirs.scorer_.keys()
    else:
        assert repr(ours.scorer_) == repr(theirs.scorer_)


def both(search, estimator, grid, X, y, **kwargs):
    """scikit-learn's search and ours, fitted with the same arguments."""
    fit_params = kwargs.pop("fit_params", {})
    batched = {GridSearchCV: BatchedGridSearchCV,
               RandomizedSearchCV: BatchedRandomizedSearchCV}[search]
    theirs = quietly(search(estimator, grid, **kwargs).fit, X, y, **fit_params)
    ours = quietly(batched(estimator, grid, **kwargs).fit, X, y, **fit_params)
    return ours, theirs


def prefixed(grid, step):
    return {f"{step}__{name}": values for name, values in grid.items()}


@pytest.mark.parametrize("grid", GRIDS.values(), ids=GRIDS.keys())
def test_regressor_equals_grid_search(grid):
    ours, theirs = both(GridSearchCV, MLPRegressor(**FAST), grid, X_FULL, Y, cv=FOLDS,
                        return_train_score=True)
    assert_same_search(ours, theirs, X_FULL)


@pytest.mark.parametrize("grid", ["steps", "stopping", "dropout_batches", "shapes"])
def test_regressor_in_a_pipeline_equals_grid_search(grid):
    pipe = make_pipeline(SimpleImputer(), StandardScaler(), MLPRegressor(**FAST))
    param_grid = {**prefixed(GRIDS[grid], "mlpregressor"),
                  "simpleimputer__strategy": ["mean", "median"]}
    ours, theirs = both(GridSearchCV, pipe, param_grid, X, Y, cv=FOLDS,
                        return_train_score=True)
    assert_same_search(ours, theirs, X)


CLASSIFICATION = {
    "binary": (X_CLS, Y_CLS == 1), "multiclass": (X_CLS, Y_CLS),
    "text_labels": (X_CLS, np.array(["low", "mid", "high"])[Y_CLS]),
    "multilabel": (X_ML, Y_ML),
}


@pytest.mark.parametrize("data", CLASSIFICATION.values(), ids=CLASSIFICATION.keys())
@pytest.mark.parametrize("pipeline", [False, True], ids=["alone", "pipeline"])
def test_classifier_equals_grid_search(data, pipeline):
    X_c, y_c = data
    grid = {"alpha": [1e-3, 1.0], "dropout": [0.0, 0.2], "early_stopping": [False, True],
            "batch_size": [32, "auto"]}
    estimator = MLPClassifier(**FAST)
    if pipeline:
        estimator, grid = make_pipeline(StandardScaler(), estimator), prefixed(
            grid, "mlpclassifier")
    ours, theirs = both(GridSearchCV, estimator, grid, X_c, y_c, cv=3,
                        return_train_score=True)
    assert_same_search(ours, theirs, X_c)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    np.testing.assert_allclose(ours.predict_proba(X_c), theirs.predict_proba(X_c),
                               atol=1e-10)


@pytest.mark.parametrize("refit", ["neg_log_loss", "accuracy"])
def test_multi_metric_scoring_with_a_refit_name(refit):
    scoring = ["accuracy", "neg_log_loss", "f1_macro"]
    ours, theirs = both(GridSearchCV, MLPClassifier(**FAST), {"alpha": [1e-3, 0.1, 10.0]},
                        X_CLS, Y_CLS, cv=3, scoring=scoring, refit=refit,
                        return_train_score=True)
    assert_same_search(ours, theirs, X_CLS)
    assert ours.multimetric_ and set(ours.scorer_) == set(scoring)


def test_multi_metric_scoring_with_a_callable_refit_and_a_dict_scoring():
    def simplest_within_one_std(results):
        """The largest alpha whose accuracy is within one std of the best."""
        means, stds = results["mean_test_acc"], results["std_test_acc"]
        good = np.flatnonzero(means >= means.max() - stds[np.argmax(means)])
        return int(good[np.argmax(np.asarray(results["param_alpha"])[good])])

    scoring = {"acc": "accuracy", "loss": "neg_log_loss"}
    ours, theirs = both(GridSearchCV, MLPClassifier(**FAST), {"alpha": [1e-3, 0.1, 10.0]},
                        X_CLS, Y_CLS, cv=3, scoring=scoring, refit=simplest_within_one_std)
    assert_same_search(ours, theirs, X_CLS)
    assert not hasattr(ours, "best_score_")


def test_callable_scoring_returning_a_dict_equals_grid_search():
    def two_scores(estimator, X_s, y_s):
        error = estimator.predict(X_s) - y_s
        return {"mae": -np.abs(error).mean(), "max": -np.abs(error).max()}

    ours, theirs = both(GridSearchCV, MLPRegressor(**FAST), {"alpha": [1e-3, 1.0]},
                        X_FULL, Y, cv=FOLDS, scoring=two_scores, refit="mae")
    assert_same_search(ours, theirs, X_FULL)


def test_refit_false_keeps_results_only():
    ours, theirs = both(GridSearchCV, MLPRegressor(**FAST), {"alpha": [1e-3, 1.0]},
                        X_FULL, Y, cv=FOLDS, refit=False)
    assert_same_search(ours, theirs, X_FULL)
    assert not hasattr(ours, "best_estimator_") and not hasattr(ours, "refit_time_")


DIVERGING = dict(FAST, solver="sgd", momentum=0.0, max_iter=200)


@pytest.mark.parametrize("error_score", [np.nan, -1e6])
def test_diverging_fits_score_error_score_with_a_fit_failed_warning(error_score):
    """Weight decay overshoots (|1 - eta alpha / n| > 1) for the huge alpha only."""
    grid = {"alpha": [0.1, 1e5]}
    with pytest.warns(FitFailedWarning, match="3 fits failed out of a total of 6"):
        ours = BatchedGridSearchCV(MLPRegressor(**DIVERGING), grid, cv=FOLDS,
                                   error_score=error_score).fit(X_FULL, Y)
    with pytest.warns(FitFailedWarning, match="3 fits failed out of a total of 6"):
        theirs = GridSearchCV(MLPRegressor(**DIVERGING), grid, cv=FOLDS,
                              error_score=error_score).fit(X_FULL, Y)
    assert_same_search(ours, theirs, X_FULL)
    assert ours.best_params_ == {"alpha": 0.1}


def test_error_score_raise_raises_the_divergence():
    search = BatchedGridSearchCV(MLPRegressor(**DIVERGING), {"alpha": [0.1, 1e5]},
                                 cv=FOLDS, error_score="raise")
    with pytest.raises(ValueError, match="diverged"):
        quietly(search.fit, X_FULL, Y)


def test_a_setting_the_mlp_refuses_is_a_failed_fit_as_in_grid_search():
    grid = {"alpha": [0.1, -1.0]}
    ours, theirs = both(GridSearchCV, MLPRegressor(**FAST), grid, X_FULL, Y, cv=FOLDS)
    assert_same_search(ours, theirs, X_FULL)
    assert np.isnan(ours.cv_results_["mean_test_score"][1])


def test_group_splitters_receive_groups():
    groups = np.arange(72) % 8
    ours, theirs = both(GridSearchCV, MLPRegressor(**FAST), {"alpha": [1e-3, 1.0]},
                        X_FULL, Y, cv=GroupKFold(4), fit_params={"groups": groups})
    assert_same_search(ours, theirs, X_FULL)


@pytest.mark.skipif(not SCORES_WEIGHTED, reason="older GridSearchCV scores unweighted")
@pytest.mark.parametrize("batch_size", ["auto", 16])
def test_sample_weight_is_routed_as_grid_search_routes_it(batch_size):
    estimator = MLPRegressor(**FAST, batch_size=batch_size)
    ours, theirs = both(GridSearchCV, estimator, {"alpha": [1e-3, 1.0]}, X_FULL, Y,
                        cv=FOLDS, return_train_score=True,
                        fit_params={"sample_weight": WEIGHTS})
    assert_same_search(ours, theirs, X_FULL)
    pipe = make_pipeline(SimpleImputer(), estimator)
    ours, theirs = both(GridSearchCV, pipe, {"mlpregressor__alpha": [1e-3, 1.0]}, X, Y,
                        cv=FOLDS, fit_params={"mlpregressor__sample_weight": WEIGHTS})
    assert_same_search(ours, theirs, X)


def test_sample_weight_with_metadata_routing_enabled():
    with sklearn.config_context(enable_metadata_routing=True):
        mlp = MLPRegressor(**FAST).set_fit_request(sample_weight=True).set_score_request(
            sample_weight=True)
        pipe = make_pipeline(StandardScaler().set_fit_request(sample_weight=True), mlp)
        ours, theirs = both(GridSearchCV, pipe, {"mlpregressor__alpha": [1e-3, 1.0]},
                            X_FULL, Y, cv=FOLDS, fit_params={"sample_weight": WEIGHTS})
        assert_same_search(ours, theirs, X_FULL)
        ignored = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            MLPRegressor(**FAST).set_fit_request(sample_weight=False).set_score_request(
                sample_weight=True))
        unweighted = quietly(BatchedGridSearchCV(
            ignored, {"mlpregressor__alpha": [1e-3, 1.0]}, cv=FOLDS).fit, X_FULL, Y,
            sample_weight=WEIGHTS)
    assert not np.allclose(unweighted.cv_results_["mean_test_score"],
                           ours.cv_results_["mean_test_score"])


def test_randomized_search_equals_scikit_learn():
    distributions = {"alpha": loguniform(1e-4, 10), "dropout": [0.0, 0.1, 0.3],
                     "learning_rate_init": loguniform(1e-3, 3e-2)}
    ours, theirs = both(RandomizedSearchCV, MLPRegressor(**FAST), distributions, X_FULL, Y,
                        n_iter=6, cv=FOLDS, random_state=3, return_train_score=True)
    assert_same_search(ours, theirs, X_FULL)


def test_n_jobs_give_the_same_results():
    grid = {"alpha": [1e-3, 1.0], "dropout": [0.0, 0.2], "batch_size": [16, "auto"]}
    one = quietly(BatchedGridSearchCV(MLPRegressor(**FAST), grid, cv=FOLDS).fit, X_FULL, Y)
    two = quietly(BatchedGridSearchCV(MLPRegressor(**FAST), grid, cv=FOLDS, n_jobs=2).fit,
                  X_FULL, Y)
    np.testing.assert_array_equal(one.cv_results_["mean_test_score"],
                                  two.cv_results_["mean_test_score"])


def test_nested_cross_validation_equals_grid_search_inside():
    outer = KFold(3, shuffle=True, random_state=1)
    grid = {"alpha": [1e-3, 1.0], "learning_rate_init": [1e-3, 1e-2]}
    ours = quietly(cross_validate, BatchedGridSearchCV(MLPRegressor(**FAST), grid, cv=3),
                   X_FULL, Y, cv=outer, return_estimator=True)
    theirs = quietly(cross_validate, GridSearchCV(MLPRegressor(**FAST), grid, cv=3),
                     X_FULL, Y, cv=outer, return_estimator=True)
    np.testing.assert_allclose(ours["test_score"], theirs["test_score"], atol=1e-10)
    assert [s.best_params_ for s in ours["estimator"]] == [
        s.best_params_ for s in theirs["estimator"]]


def test_other_estimators_get_an_error_that_says_to_use_grid_search():
    for estimator in (Ridge(), make_pipeline(StandardScaler(), Ridge())):
        with pytest.raises(TypeError, match="Use sklearn.model_selection.GridSearchCV"):
            BatchedGridSearchCV(estimator, {"alpha": [1.0]}).fit(X_FULL, Y)


def test_fit_parameters_other_than_sample_weight_get_a_clear_error():
    search = BatchedGridSearchCV(MLPRegressor(**FAST), {"alpha": [1.0]}, cv=FOLDS)
    with pytest.raises(TypeError, match="only sample_weight.*X_val.*GridSearchCV"):
        search.fit(X_FULL, Y, X_val=X_FULL[:10], y_val=Y[:10])


def test_bad_data_gets_the_estimators_clear_error():
    search = BatchedGridSearchCV(MLPRegressor(**FAST), {"alpha": [1.0]}, cv=FOLDS)
    with pytest.raises(ValueError, match="NaN"):
        search.fit(X, Y)  # NaN without an imputer
    with pytest.raises(ValueError, match="needs a numeric target"):
        search.fit(X_FULL, np.array(["a", "b"] * 36))


SCALER_FITS = []


class CountingScaler(TransformerMixin, BaseEstimator):
    """StandardScaler that counts its fits in SCALER_FITS."""

    def __init__(self, with_mean=True):
        self.with_mean = with_mean

    def fit(self, X_fit, y=None):
        SCALER_FITS.append(len(X_fit))
        self.scaler_ = StandardScaler(with_mean=self.with_mean).fit(X_fit)
        return self

    def transform(self, X_t):
        return self.scaler_.transform(X_t)


def test_pipeline_steps_before_the_mlp_are_fitted_once_per_fold_and_setting():
    SCALER_FITS.clear()
    pipe = Pipeline([("scale", CountingScaler()), ("mlp", MLPRegressor(**FAST))])
    grid = {"mlp__alpha": [1e-3, 0.1, 1.0], "mlp__dropout": [0.0, 0.2],
            "scale__with_mean": [True, False]}
    search = quietly(BatchedGridSearchCV(pipe, grid, cv=FOLDS).fit, X_FULL, Y)
    assert len(SCALER_FITS) == 3 * 2 + 1  # folds x with_mean settings, and the refit
    theirs = quietly(GridSearchCV(pipe, grid, cv=FOLDS).fit, X_FULL, Y)
    assert_same_search(search, theirs, X_FULL)


def test_networks_that_differ_only_in_training_settings_share_one_stack():
    grid = [{**GRIDS["steps"], "dropout": [0.0, 0.3], "early_stopping": [False, True],
             "penalty": ["l2", "l1"], "max_iter": [10, 25]}]
    candidates = list(sklearn.model_selection.ParameterGrid(grid))
    tasks = plan_tasks(MLPRegressor(**FAST, batch_size=16), X_FULL, Y, candidates,
                       list(FOLDS.split(X_FULL)), {}, np.nan)
    keys = {stack_key(m) for t in tasks for m in t.members}
    # adam and sgd cannot share one; mini-batch stacks group by rows and batch size
    # (the early-stopping split leaves fewer rows)
    assert len(keys) == 2 * 2
    shapes = plan_tasks(MLPRegressor(**FAST), X_FULL, Y, list(
        sklearn.model_selection.ParameterGrid(GRIDS["shapes"])), list(FOLDS.split(X_FULL)),
        {}, np.nan)
    # one stack per (layer sizes, activation)
    assert len({stack_key(m) for t in shapes for m in t.members}) == 4


def test_fits_that_reach_max_iter_warn_once_per_search():
    grid = {"alpha": [1e-3, 1.0], "max_iter": [3, 2000], "tol": [1e-1]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        BatchedGridSearchCV(MLPRegressor(**{**FAST, "max_iter": 3}), grid, cv=FOLDS).fit(
            X_FULL, Y)
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    # the warning points at the user's call, through the decorators
    assert {w.filename for w in caught if w.category is ConvergenceWarning} == {__file__}
    assert messages == ["6 of 12 (candidate, fold) fits reached max_iter without "
                        "converging. Raise max_iter, raise learning_rate_init, or scale "
                        "the features (StandardScaler)."]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MLPRegressorCV(alphas=[1e-3, 1.0], cv=FOLDS, **{**FAST, "max_iter": 3}).fit(X_FULL, Y)
    assert [str(w.message).split(" (")[0] for w in caught
            if w.category is ConvergenceWarning] == ["6 of 6"]


def test_a_best_value_at_the_edge_of_a_numeric_axis_warns_once():
    grid = {"alpha": [100.0, 1e3, 1e4], "dropout": [0.0, 0.1]}  # too much decay
    with pytest.warns(GridEdgeWarning, match=r"edge of the grid for alpha=100.0 \(smallest "
                      r"of \[100.0, 1000.0, 10000.0\]\)"):
        quietly_search = BatchedGridSearchCV(MLPRegressor(**FAST), grid, cv=FOLDS)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            quietly_search.fit(X_FULL, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridEdgeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = BatchedGridSearchCV(MLPRegressor(**FAST), {"alpha": [1e-3, 1e3]}, cv=FOLDS)
        search.fit(X_FULL, Y)  # two values have no inside: no warning


def test_default_grid_of_the_cv_estimators_is_in_the_signature():
    assert MLPRegressorCV().alphas == (1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0)
    assert MLPRegressorCV().get_params()["alphas"] == MLPRegressorCV().alphas


def test_n_iter_records_each_networks_epochs():
    grid = {"alpha": [1e-3], "max_iter": [4, 9]}
    search = quietly(BatchedGridSearchCV(MLPRegressor(**FAST), grid, cv=FOLDS).fit,
                     X_FULL, Y)
    np.testing.assert_array_equal(search.n_iter_, [[4, 4, 4], [9, 9, 9]])


def test_invscaling_counts_each_folds_rows_in_a_shared_full_batch_stack():
    """Folds as 0/1 weights over the shared rows: invscaling's samples seen are
    the fold's training rows, as in the lone fit (the compiled stack counted
    every row of X, and its scores differed from GridSearchCV's by 0.02)."""
    from sklearn.model_selection import GridSearchCV

    X, y = make_regression(120, 5, noise=5.0, random_state=0)
    model = MLPRegressor(hidden_layer_sizes=(8,), solver="sgd", learning_rate="invscaling",
                         learning_rate_init=0.05, max_iter=12, random_state=0)
    grid = {"alpha": [1e-3, 1.0]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = BatchedGridSearchCV(model, grid, cv=3).fit(X, y / y.std())
        theirs = GridSearchCV(model, grid, cv=3).fit(X, y / y.std())
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               theirs.cv_results_["mean_test_score"], rtol=1e-8)
