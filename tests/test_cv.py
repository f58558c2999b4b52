"""MLPRegressorCV / MLPClassifierCV: the batched run equals GridSearchCV."""

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    LeaveOneOut,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.fixes import parse_version

from sklearn_mlpreg import MLPClassifier, MLPClassifierCV, MLPRegressor, MLPRegressorCV
from sklearn_mlpreg.model_selection import BatchedGridSearchCV

X_REG, Y_REG = make_regression(n_samples=60, n_features=5, noise=10.0, random_state=0)
Y_REG = Y_REG / Y_REG.std()
X_IRIS, Y_IRIS = load_iris(return_X_y=True)
ALPHAS = [1e-3, 0.1, 1.0, 10.0]
KFOLD = KFold(5, shuffle=True, random_state=0)
WEIGHTS = np.random.RandomState(0).uniform(0.5, 2.0, size=60)
# scikit-learn passes sample_weight to GridSearchCV's scorer since 1.9.
SCORES_WEIGHTED = parse_version(sklearn.__version__) >= parse_version("1.9")


def grid_search(estimator, X, y, cv, scoring=None, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GridSearchCV(estimator, {"alpha": ALPHAS}, cv=cv, scoring=scoring,
                            return_train_score=True).fit(X, y, **fit_params)


def assert_same_results(ours, theirs, tol=1e-8):
    for key in ("mean_test_score", "mean_train_score", "std_test_score"):
        np.testing.assert_allclose(ours.cv_results_[key], theirs.cv_results_[key],
                                   rtol=0, atol=tol)
    np.testing.assert_array_equal(ours.cv_results_["rank_test_score"],
                                  theirs.cv_results_["rank_test_score"])
    assert ours.alpha_ == theirs.best_params_["alpha"]
    assert ours.best_score_ == pytest.approx(theirs.best_score_, abs=tol)


PARAMS = dict(hidden_layer_sizes=(10,), max_iter=50, learning_rate_init=0.01,
              random_state=0)


@pytest.mark.parametrize("batch_size", [200, 10], ids=["full_batch", "mini_batches"])
@pytest.mark.parametrize("extra", [
    {}, {"early_stopping": True, "n_iter_no_change": 3, "max_iter": 200},
    {"dropout": 0.2}, {"penalty": "l1"}, {"solver": "sgd", "learning_rate": "adaptive"},
], ids=["plain", "early_stopping", "dropout", "l1", "adaptive_sgd"])
def test_regressor_equals_grid_search(batch_size, extra):
    """Mini-batches too: each model draws its batches from its own fold, with
    its own random stream, exactly as the lone estimator does."""
    params = {**PARAMS, "batch_size": batch_size, **extra}
    ours = MLPRegressorCV(alphas=ALPHAS, cv=KFOLD, **params).fit(X_REG, Y_REG)
    assert_same_results(ours, grid_search(MLPRegressor(**params), X_REG, Y_REG, KFOLD))


@pytest.mark.parametrize("y", [Y_IRIS, Y_IRIS == 1], ids=["multiclass", "binary"])
@pytest.mark.parametrize("extra", [{}, {"batch_size": 16},
                                   {"early_stopping": True, "validation_fraction": 0.2}],
                         ids=["full_batch", "mini_batches", "early_stopping"])
def test_classifier_equals_grid_search(y, extra):
    """The default scoring is the log loss (as LogisticRegressionCV's is moving to);
    accuracy on request."""
    params = {**PARAMS, "hidden_layer_sizes": (8,), **extra}
    ours = MLPClassifierCV(alphas=ALPHAS, cv=5, **params).fit(X_IRIS, y)
    assert_same_results(ours, grid_search(MLPClassifier(**params), X_IRIS, y, 5,
                                          scoring="neg_log_loss"))
    np.testing.assert_array_equal(ours.classes_, np.unique(y))
    ours = MLPClassifierCV(alphas=ALPHAS, cv=5, scoring="accuracy", **params).fit(X_IRIS, y)
    assert_same_results(ours, grid_search(MLPClassifier(**params), X_IRIS, y, 5))


@pytest.mark.skipif(not SCORES_WEIGHTED, reason="older GridSearchCV scores unweighted")
@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error", "explained_variance"])
def test_sample_weights_and_scorers_equal_grid_search(scoring):
    params = {**PARAMS, "batch_size": 10}
    ours = MLPRegressorCV(alphas=ALPHAS, cv=KFOLD, scoring=scoring, **params).fit(
        X_REG, Y_REG, sample_weight=WEIGHTS)
    theirs = grid_search(MLPRegressor(**params), X_REG, Y_REG, KFOLD, scoring,
                         sample_weight=WEIGHTS)
    assert_same_results(ours, theirs)


@pytest.mark.parametrize("scoring", ["neg_log_loss", "balanced_accuracy"])
def test_classifier_scorers_equal_grid_search(scoring):
    ours = MLPClassifierCV(alphas=ALPHAS, cv=3, scoring=scoring, **PARAMS).fit(X_IRIS, Y_IRIS)
    assert_same_results(ours, grid_search(MLPClassifier(**PARAMS), X_IRIS, Y_IRIS, 3,
                                          scoring))


def test_lbfgs_falls_back_to_one_fit_per_model_and_still_equals_grid_search():
    params = {**PARAMS, "solver": "lbfgs"}
    ours = MLPRegressorCV(alphas=ALPHAS, cv=KFOLD, **params).fit(X_REG, Y_REG)
    assert_same_results(ours, grid_search(MLPRegressor(**params), X_REG, Y_REG, KFOLD))


def test_leave_one_out_with_mse_equals_grid_search():
    X, y = X_REG[:23], Y_REG[:23]
    params = {**PARAMS, "hidden_layer_sizes": (30, 15), "batch_size": 23}
    ours = MLPRegressorCV(alphas=ALPHAS, cv=LeaveOneOut(),
                          scoring="neg_mean_squared_error", **params).fit(X, y)
    theirs = grid_search(MLPRegressor(**params), X, y, LeaveOneOut(),
                         "neg_mean_squared_error")
    assert_same_results(ours, theirs)
    assert ours.n_iter_.shape == (len(ALPHAS), 23)


def test_n_jobs_chunks_give_the_same_results():
    params = {**PARAMS, "batch_size": 10}
    one = MLPRegressorCV(alphas=ALPHAS, cv=KFOLD, n_jobs=1, **params).fit(X_REG, Y_REG)
    two = MLPRegressorCV(alphas=ALPHAS, cv=KFOLD, n_jobs=2, **params).fit(X_REG, Y_REG)
    np.testing.assert_array_equal(one.cv_results_["mean_test_score"],
                                  two.cv_results_["mean_test_score"])


def test_results_are_the_lambda_table():
    model = MLPRegressorCV(alphas=ALPHAS, cv=KFOLD, **PARAMS).fit(X_REG, Y_REG)
    table = pd.DataFrame(model.cv_results_)
    assert len(table) == len(ALPHAS)
    expected = {"params", "param_alpha", "mean_test_score", "std_test_score",
                "rank_test_score", "mean_train_score", "std_train_score"}
    expected |= {f"split{k}_{part}_score" for k in range(5) for part in ("test", "train")}
    assert expected <= set(table.columns)
    assert list(table["param_alpha"]) == ALPHAS
    assert model.alpha_ == ALPHAS[int(np.argmax(table["mean_test_score"]))]
    assert model.best_index_ == int(np.argmin(table["rank_test_score"]))
    np.testing.assert_array_equal(model.alphas_, ALPHAS)


def test_results_are_the_batched_search_results():
    """One results formatting: the CV estimator's cv_results_ is the alpha-only
    BatchedGridSearchCV's, key for key (timings aside), and has GridSearchCV's keys."""
    params = {**PARAMS, "batch_size": 10}
    ours = MLPRegressorCV(alphas=ALPHAS, cv=KFOLD, **params).fit(X_REG, Y_REG)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = BatchedGridSearchCV(MLPRegressor(**params), {"alpha": ALPHAS}, cv=KFOLD,
                                     return_train_score=True).fit(X_REG, Y_REG)
    assert list(ours.cv_results_) == list(search.cv_results_)
    assert set(ours.cv_results_) == set(grid_search(MLPRegressor(**params), X_REG, Y_REG,
                                                    KFOLD).cv_results_)
    for key, value in search.cv_results_.items():
        if key.endswith("_time"):
            continue
        if key == "params":
            assert ours.cv_results_[key] == value
        else:
            assert ours.cv_results_[key].dtype == value.dtype, key
            np.testing.assert_array_equal(ours.cv_results_[key], value, err_msg=key)
    assert ours.best_index_ == search.best_index_ and ours.best_score_ == search.best_score_
    assert ours.n_splits_ == search.n_splits_
    assert type(ours.best_index_) is int and type(ours.best_score_) is float
    np.testing.assert_array_equal(ours.n_iter_, search.n_iter_)


@pytest.mark.parametrize("cv_class, estimator_class", [(MLPRegressorCV, MLPRegressor),
                                                       (MLPClassifierCV, MLPClassifier)])
def test_signature_is_the_estimators_minus_alpha_plus_the_search(cv_class, estimator_class):
    """Written out as scikit-learn writes an __init__: alphas, cv, scoring, n_jobs,
    alpha_rule, refit, then every parameter of the estimator but alpha, in its
    order, with its default, all keyword-only; and each argument stored
    unchanged."""
    ours = inspect.signature(cv_class).parameters
    theirs = {name: p for name, p in inspect.signature(estimator_class).parameters.items()
              if name != "alpha"}
    assert list(ours) == ["alphas", "cv", "scoring", "n_jobs", "alpha_rule", "refit",
                          *theirs]
    assert (ours["alpha_rule"].default, ours["refit"].default) == ("best", True)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in ours.values())
    assert ours["alphas"].default == (1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0)
    assert [ours[name].default for name in ("cv", "scoring", "n_jobs")] == [None] * 3
    for name, parameter in theirs.items():
        assert ours[name].default == parameter.default, name
    values = {name: object() for name in ours}  # sentinels: stored, not copied
    model = cv_class(**values)
    assert all(getattr(model, name) is value for name, value in values.items())
    assert model.get_params(deep=False).keys() == values.keys()


def test_best_estimator_is_a_plain_refit_estimator():
    model = MLPRegressorCV(alphas=ALPHAS, cv=KFOLD, **PARAMS).fit(X_REG, Y_REG)
    assert type(model.best_estimator_) is MLPRegressor
    refit = MLPRegressor(alpha=model.alpha_, **PARAMS).fit(X_REG, Y_REG)
    np.testing.assert_array_equal(model.predict(X_REG), refit.predict(X_REG))
    assert model.score(X_REG, Y_REG) == refit.score(X_REG, Y_REG)


def test_classifier_probabilities_come_from_the_refit_estimator():
    model = MLPClassifierCV(alphas=ALPHAS, cv=3, **PARAMS).fit(X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(model.predict_proba(X_IRIS),
                                  model.best_estimator_.predict_proba(X_IRIS))
    np.testing.assert_allclose(model.predict_log_proba(X_IRIS),
                               np.log(model.predict_proba(X_IRIS)))


def test_works_in_a_pipeline_and_in_nested_cross_validation():
    pipe = make_pipeline(StandardScaler(), MLPRegressorCV(alphas=[0.01, 1.0], cv=3,
                                                          **PARAMS))
    scores = cross_val_score(pipe, X_REG, Y_REG, cv=KFold(3))
    assert scores.shape == (3,) and np.all(scores > 0.5)


def test_group_splitters_receive_groups():
    groups = np.arange(60) % 6
    model = MLPRegressorCV(alphas=[0.1], cv=GroupKFold(3), **PARAMS).fit(
        X_REG, Y_REG, groups=groups)
    assert model.n_splits_ == 3


def test_a_diverging_alpha_scores_nan_with_a_warning_and_is_not_chosen():
    """Weight decay overshoots (|1 - eta alpha / n| > 1) for the huge alpha only."""
    params = {**PARAMS, "solver": "sgd", "momentum": 0.0, "max_iter": 200}
    with pytest.warns(FitFailedWarning, match=r"3 of 6 fits diverged.*10000"):
        model = MLPRegressorCV(alphas=[0.1, 1e4], cv=3, **params).fit(X_REG, Y_REG)
    scores = model.cv_results_["mean_test_score"]
    assert np.isfinite(scores[0]) and np.isnan(scores[1])
    np.testing.assert_array_equal(model.cv_results_["rank_test_score"], [1, 2])
    assert model.alpha_ == 0.1 and np.isfinite(model.predict(X_REG)).all()


def test_when_every_fit_diverges_the_error_says_what_to_do():
    params = {**PARAMS, "solver": "sgd", "learning_rate_init": 1e3}
    with pytest.warns(FitFailedWarning), pytest.raises(ValueError, match="no alpha can be"):
        MLPRegressorCV(alphas=[0.1, 1.0], cv=3, **params).fit(X_REG, Y_REG)


@pytest.mark.parametrize("alphas", [[], [-1.0], [np.nan], [[0.1, 1.0]]])
def test_bad_alphas_are_rejected(alphas):
    with pytest.raises(ValueError, match="alphas must be"):
        MLPRegressorCV(alphas=alphas, cv=3, **PARAMS).fit(X_REG, Y_REG)


def test_default_grid_and_folds():
    model = MLPRegressorCV(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(
        X_REG, Y_REG)
    np.testing.assert_array_equal(model.alphas_, 10.0 ** np.arange(-4, 3))
    assert model.n_splits_ == 5 and "split4_test_score" in model.cv_results_
