"""Seed ensembles: members equal lone fits, averaged predictions, searches."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlpreg import (
    FitDivergedError,
    MLPClassifier,
    MLPEnsembleClassifier,
    MLPEnsembleRegressor,
    MLPRegressor,
)
from sklearn_mlpreg.model_selection import BatchedGridSearchCV

RNG = np.random.RandomState(0)
X = RNG.randn(60, 4)
Y = X[:, 0] - X[:, 1] ** 2 + 0.1 * RNG.randn(60)
X_C, Y_C = make_classification(80, 4, n_informative=3, n_redundant=0, n_classes=3,
                               random_state=0)
X_ML, Y_ML = make_multilabel_classification(60, 4, n_classes=3, random_state=0)
FAST = dict(hidden_layer_sizes=(6,), max_iter=30, learning_rate_init=0.01)


def quietly(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def lone_fit(ensemble, i, X_fit, y_fit, sample_weight=None):
    """Member i fitted alone: the template with its seed (and bootstrap weights)."""
    weight = sample_weight
    if ensemble.bootstrap_counts_ is not None:
        counts = ensemble.bootstrap_counts_[i]
        weight = counts if weight is None else weight * counts
    member = clone(ensemble.estimator).set_params(random_state=int(ensemble.seeds_[i]))
    return quietly(member.fit, X_fit, y_fit, sample_weight=weight)


def assert_same_network(a, b, tol=1e-10):
    for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_allclose(u, v, rtol=0, atol=tol)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=tol)
    assert a.n_iter_ == b.n_iter_ and a.best_loss_ == b.best_loss_
    assert a.validation_scores_ == pytest.approx(b.validation_scores_, abs=tol) \
        if b.validation_scores_ is not None else a.validation_scores_ is None
    np.testing.assert_allclose(a.gradient_norms_, b.gradient_norms_, rtol=1e-8)


SETTINGS = [{}, {"batch_size": 16}, {"early_stopping": True}, {"dropout": 0.2},
            {"solver": "lbfgs"}, {"solver": "sgd", "learning_rate": "cosine"}]


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: ",".join(s) or "default")
@pytest.mark.parametrize("bootstrap", [False, True])
def test_each_regressor_member_equals_fitting_it_alone(settings, bootstrap):
    ensemble = quietly(MLPEnsembleRegressor(MLPRegressor(**FAST, **settings), n_members=4,
                                            bootstrap=bootstrap, random_state=0).fit, X, Y)
    assert len(set(ensemble.seeds_)) == 4
    for i, member in enumerate(ensemble.estimators_):
        assert type(member) is MLPRegressor
        assert member.random_state == ensemble.seeds_[i]
        assert_same_network(member, lone_fit(ensemble, i, X, Y))


@pytest.mark.parametrize("data", [(X_C, Y_C), (X_C, Y_C == 1), (X_ML, Y_ML)],
                         ids=["multiclass", "binary", "multilabel"])
def test_each_classifier_member_equals_fitting_it_alone(data):
    X_c, y_c = data
    ensemble = quietly(MLPEnsembleClassifier(MLPClassifier(**FAST, class_weight="balanced"),
                                             n_members=3, bootstrap=True,
                                             random_state=1).fit, X_c, y_c)
    for i, member in enumerate(ensemble.estimators_):
        assert_same_network(member, lone_fit(ensemble, i, X_c, y_c))
    proba = np.mean([m.predict_proba(X_c) for m in ensemble.estimators_], axis=0)
    np.testing.assert_allclose(ensemble.predict_proba(X_c), proba, atol=1e-12)
    np.testing.assert_array_equal(ensemble.classes_, ensemble.estimators_[0].classes_)
    if np.ndim(y_c) == 1:
        np.testing.assert_array_equal(ensemble.predict(X_c),
                                      ensemble.classes_[proba.argmax(axis=1)])
    else:
        np.testing.assert_array_equal(ensemble.predict(X_c), (proba > 0.5).astype(int))


def test_predict_is_the_members_mean_and_return_std_their_spread():
    ensemble = quietly(MLPEnsembleRegressor(MLPRegressor(**FAST), n_members=5,
                                            random_state=0).fit, X, Y)
    members = np.array([m.predict(X) for m in ensemble.estimators_])
    mean, std = ensemble.predict(X, return_std=True)
    np.testing.assert_allclose(mean, members.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(std, members.std(axis=0), atol=1e-12)
    np.testing.assert_allclose(ensemble.predict(X), mean)
    assert np.all(std > 0)
    Y2 = np.column_stack([Y, -Y])
    two = quietly(MLPEnsembleRegressor(MLPRegressor(**FAST), n_members=3,
                                       random_state=0).fit, X, Y2)
    mean2, std2 = two.predict(X, return_std=True)
    assert mean2.shape == std2.shape == (60, 2)


def test_the_ensemble_beats_its_average_member_out_of_sample():
    X_all = RNG.uniform(-2, 2, size=(200, 2))
    y_all = np.sin(2 * X_all[:, 0]) * X_all[:, 1] + 0.3 * RNG.randn(200)
    train, test = slice(0, 60), slice(60, None)
    ensemble = quietly(MLPEnsembleRegressor(
        MLPRegressor(hidden_layer_sizes=(50,), learning_rate_init=0.01, max_iter=400),
        n_members=10, random_state=0).fit, X_all[train], y_all[train])
    members = [m.score(X_all[test], y_all[test]) for m in ensemble.estimators_]
    assert ensemble.score(X_all[test], y_all[test]) > np.mean(members)


def test_seeds_and_bootstrap_follow_random_state():
    a, b, c = (quietly(MLPEnsembleRegressor(MLPRegressor(**FAST), n_members=3, bootstrap=True,
                                            random_state=seed).fit, X, Y)
               for seed in (3, 3, 4))
    np.testing.assert_array_equal(a.seeds_, b.seeds_)
    np.testing.assert_array_equal(a.bootstrap_counts_, b.bootstrap_counts_)
    assert not np.array_equal(a.seeds_, c.seeds_)
    assert a.bootstrap_counts_.shape == (3, 60)
    np.testing.assert_array_equal(a.bootstrap_counts_.sum(axis=1), 60)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_works_in_a_pipeline_cross_validation_and_grid_search_alike():
    ensemble = MLPEnsembleRegressor(MLPRegressor(**FAST), n_members=3, random_state=0)
    pipe = make_pipeline(StandardScaler(), ensemble)
    folds = KFold(3, shuffle=True, random_state=0)
    scores = quietly(cross_val_score, pipe, X, Y, cv=folds)
    assert scores.shape == (3,) and np.all(np.isfinite(scores))
    grid = {"mlpensembleregressor__estimator__alpha": [1e-3, 1.0],
            "mlpensembleregressor__bootstrap": [False, True],
            "mlpensembleregressor__n_members": [2, 3]}
    theirs = quietly(GridSearchCV(pipe, grid, cv=folds, return_train_score=True).fit, X, Y)
    ours = quietly(BatchedGridSearchCV(pipe, grid, cv=folds, return_train_score=True).fit,
                   X, Y)
    for key in ("mean_test_score", "std_test_score", "mean_train_score"):
        np.testing.assert_allclose(ours.cv_results_[key], theirs.cv_results_[key],
                                   atol=1e-10)
    assert ours.best_params_ == theirs.best_params_
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), atol=1e-10)
    assert ours.n_iter_.shape == (8, 3)


@pytest.mark.parametrize("scoring", [None, "neg_log_loss", "f1_macro"])
def test_classifier_ensembles_in_the_batched_search_equal_grid_search(scoring):
    ensemble = MLPEnsembleClassifier(MLPClassifier(**FAST), n_members=3, random_state=0)
    grid = {"estimator__alpha": [1e-3, 1.0], "n_members": [1, 3]}
    theirs = quietly(GridSearchCV(ensemble, grid, cv=3, scoring=scoring).fit, X_C, Y_C)
    ours = quietly(BatchedGridSearchCV(ensemble, grid, cv=3, scoring=scoring).fit, X_C, Y_C)
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               theirs.cv_results_["mean_test_score"], atol=1e-10)


def test_feature_names_sample_weight_and_pickle():
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    weights = RNG.uniform(0.5, 2, size=60)
    ensemble = quietly(MLPEnsembleRegressor(MLPRegressor(**FAST), n_members=2,
                                            random_state=0).fit, frame, Y,
                       sample_weight=weights)
    np.testing.assert_array_equal(ensemble.feature_names_in_, ["a", "b", "c", "d"])
    assert list(ensemble.estimators_[0].feature_names_in_) == ["a", "b", "c", "d"]
    assert_same_network(ensemble.estimators_[1], lone_fit(ensemble, 1, frame, Y, weights))
    again = pickle.loads(pickle.dumps(ensemble))
    np.testing.assert_array_equal(again.predict(frame), ensemble.predict(frame))


def test_bad_settings_get_clear_errors():
    with pytest.raises(ValueError, match="n_members"):
        MLPEnsembleRegressor(n_members=0).fit(X, Y)
    with pytest.raises(TypeError, match="averages networks of MLPRegressor.*MLPClassifier"):
        MLPEnsembleRegressor(MLPClassifier()).fit(X, Y > 0)
    with pytest.raises(TypeError, match="Pipeline around the ensemble"):
        MLPEnsembleClassifier(make_pipeline(StandardScaler(), MLPClassifier())).fit(X, Y > 0)
    with pytest.raises(ValueError, match="NaN"):
        MLPEnsembleRegressor(MLPRegressor(**FAST), n_members=2).fit(
            np.where(X > 2, np.nan, X), Y)


def test_a_diverging_member_raises_and_max_iter_warns_once():
    diverging = MLPRegressor(**{**FAST, "solver": "sgd", "learning_rate_init": 1e3})
    with pytest.raises(FitDivergedError, match="Members .* diverged"):
        quietly(MLPEnsembleRegressor(diverging, n_members=2, random_state=0).fit, X, Y * 1e3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MLPEnsembleRegressor(MLPRegressor(**{**FAST, "max_iter": 2}), n_members=4,
                             random_state=0).fit(X, Y)
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    assert messages == ["4 of 4 ensemble members reached max_iter=2 without converging. "
                        "Raise max_iter or learning_rate_init."]


@pytest.mark.parametrize("early_stopping", [False, True])
def test_members_do_not_depend_on_n_jobs(early_stopping):
    """How joblib chunks the members into stacks (n_jobs) changes nothing: a
    member trained in a stack of one is the member trained beside others, its
    predictions and what it keeps (no optimizer: a lone fit's partial_fit
    continues its own) alike."""
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3)
    y = X[:, 0]
    fitted = []
    for n_jobs in (1, 3):
        template = MLPRegressor(hidden_layer_sizes=(5,), max_iter=20, random_state=0,
                                early_stopping=early_stopping)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fitted.append(MLPEnsembleRegressor(template, n_members=3, bootstrap=True,
                                               n_jobs=n_jobs, random_state=0).fit(X, y))
    np.testing.assert_array_equal(fitted[0].predict(X), fitted[1].predict(X))
    for one, three in zip(fitted[0].estimators_, fitted[1].estimators_):
        assert one._training.optimizer is None and three._training.optimizer is None
        np.testing.assert_array_equal(one.predict(X), three.predict(X))
