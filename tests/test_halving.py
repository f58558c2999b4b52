"""The batched halving searches equal scikit-learn's HalvingGridSearchCV /
HalvingRandomSearchCV over the same estimator (both resources, regressor and
classifier, alone and in a Pipeline), and behave as the batched grid search
does with groups, weights, failures, scoring, refit and warnings."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import Ridge
from sklearn.metrics import make_scorer, mean_absolute_error
from sklearn.model_selection import GroupKFold, HalvingGridSearchCV, HalvingRandomSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlpreg import MLPClassifier, MLPRegressor
from sklearn_mlpreg.model_selection import (
    BatchedHalvingGridSearchCV,
    BatchedHalvingRandomSearchCV,
)

X, y = make_regression(120, 5, noise=5.0, random_state=0)
y = y / y.std()
XC, YC = make_classification(120, 5, random_state=0)
ALPHAS = [1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0]
ATTRIBUTES = ("n_resources_", "n_candidates_", "n_iterations_", "n_possible_iterations_",
              "n_required_iterations_", "min_resources_", "max_resources_",
              "n_remaining_candidates_", "best_params_", "best_index_", "n_splits_")


def quiet(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call()


def assert_same_search(ours, theirs):
    """Every key of scikit-learn's cv_results_ (timings aside) to 1e-8, and the
    halving attributes exactly."""
    for key, expected in theirs.cv_results_.items():
        if key.endswith("_time"):
            continue
        got = ours.cv_results_[key]
        if key == "params" or np.asarray(expected).dtype.kind not in "fiu":
            assert list(got) == list(expected), key
        else:
            np.testing.assert_allclose(np.asarray(got, dtype=float),
                                       np.asarray(expected, dtype=float),
                                       rtol=1e-8, atol=1e-12, err_msg=key)
    for name in ATTRIBUTES:
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.best_score_ == pytest.approx(theirs.best_score_, rel=1e-10)
    np.testing.assert_allclose(ours.predict(X if ours.n_features_in_ == 5 else XC),
                               theirs.predict(X if theirs.n_features_in_ == 5 else XC),
                               rtol=1e-8, atol=1e-10)


def regressor():
    return MLPRegressor(hidden_layer_sizes=(8,), learning_rate_init=0.01, max_iter=30,
                        random_state=0)


def classifier_pipeline():
    return make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(8,),
                                                         max_iter=30, random_state=0))


@pytest.mark.parametrize("resource", ["n_samples", "max_iter"])
@pytest.mark.parametrize("kind", ["regressor", "classifier pipeline"])
def test_halving_grid_equals_scikit_learns(resource, kind):
    if kind == "regressor":
        estimator, data, grid, prefix = regressor(), (X, y), {"alpha": ALPHAS}, ""
    else:
        prefix = "mlpclassifier__"
        estimator, data = classifier_pipeline(), (XC, YC)
        grid = {f"{prefix}alpha": ALPHAS}
    budget = (dict(resource=f"{prefix}max_iter", min_resources=4, max_resources=36)
              if resource == "max_iter" else {})
    settings = dict(cv=3, factor=3, random_state=0, **budget)
    ours = quiet(lambda: BatchedHalvingGridSearchCV(estimator, grid, **settings).fit(*data))
    theirs = quiet(lambda: HalvingGridSearchCV(estimator, grid, **settings).fit(*data))
    assert_same_search(ours, theirs)
    assert len(ours.n_resources_) > 1  # the test saw more than one round
    assert ours.n_iter_.shape == (len(ours.cv_results_["params"]), 3)
    if resource == "max_iter":  # each round trained its budget (no early convergence)
        rounds = np.asarray(ours.cv_results_["iter"])
        np.testing.assert_array_equal(ours.n_iter_.max(axis=1),
                                      np.asarray(ours.n_resources_)[rounds])


@pytest.mark.parametrize("resource", ["n_samples", "max_iter"])
def test_halving_random_search_equals_scikit_learns(resource):
    distributions = {"alpha": ALPHAS, "learning_rate_init": [0.003, 0.01, 0.03]}
    budget = (dict(resource="max_iter", min_resources=3, max_resources=27)
              if resource == "max_iter" else {})
    settings = dict(n_candidates=9, cv=3, factor=3, random_state=0, **budget)
    ours = quiet(lambda: BatchedHalvingRandomSearchCV(regressor(), distributions,
                                                      **settings).fit(X, y))
    theirs = quiet(lambda: HalvingRandomSearchCV(regressor(), distributions,
                                                 **settings).fit(X, y))
    assert_same_search(ours, theirs)


def test_groups_weights_callable_scoring_and_no_refit_as_scikit_learn():
    groups = np.arange(len(y)) % 6
    weight = 1.0 + (np.arange(len(y)) % 3)
    scorer = make_scorer(mean_absolute_error, greater_is_better=False)
    settings = dict(cv=GroupKFold(3), factor=2, scoring=scorer, refit=False,
                    resource="max_iter", min_resources=5, max_resources=20, random_state=0)
    grid = {"alpha": ALPHAS[:4]}
    ours = quiet(lambda: BatchedHalvingGridSearchCV(regressor(), grid, **settings).fit(
        X, y, groups=groups, sample_weight=weight))
    theirs = quiet(lambda: HalvingGridSearchCV(regressor(), grid, **settings).fit(
        X, y, groups=groups, sample_weight=weight))
    for key in ("mean_test_score", "split0_test_score", "n_resources", "iter"):
        np.testing.assert_allclose(ours.cv_results_[key], theirs.cv_results_[key],
                                   rtol=1e-8)
    assert not hasattr(ours, "best_estimator_")


def test_a_failing_candidate_scores_error_score_and_loses():
    grid = {"learning_rate_init": [1e-2, 1e7]}  # the second explodes in its first epoch
    search = BatchedHalvingGridSearchCV(
        MLPRegressor(solver="sgd", hidden_layer_sizes=(8,), max_iter=20, random_state=0),
        grid, cv=3, factor=2, resource="max_iter", min_resources=5, max_resources=10)
    with pytest.warns(FitFailedWarning):
        quiet_convergence(lambda: search.fit(X, y))
    first = np.asarray(search.cv_results_["iter"]) == 0
    assert np.isnan(search.cv_results_["mean_test_score"][first][1])
    assert search.best_params_["learning_rate_init"] == 1e-2
    with pytest.raises(ValueError, match="diverged"):
        quiet(lambda: search.set_params(error_score="raise").fit(X, y))


def quiet_convergence(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)  # scikit-learn's non-finite scores
        return call()


def test_one_aggregated_max_iter_warning():
    search = BatchedHalvingGridSearchCV(regressor(), {"alpha": ALPHAS}, cv=3,
                                        resource="max_iter", min_resources=2,
                                        max_resources=18, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(messages) == 1 and "max_iter" in messages[0]


def test_other_estimators_and_bad_settings_get_scikit_learns_answer():
    with pytest.raises(TypeError, match="HalvingGridSearchCV"):
        BatchedHalvingGridSearchCV(Ridge(), {"alpha": [1.0, 2.0]}).fit(X, y)
    with pytest.raises(ValueError, match="resource can only be 'n_samples'"):
        BatchedHalvingGridSearchCV(regressor(), {"alpha": ALPHAS}, resource="max_iter"
                                   ).fit(X, y)
    with pytest.raises(ValueError, match="part of the searched parameters"):
        BatchedHalvingGridSearchCV(regressor(), {"max_iter": [5, 10]}, resource="max_iter",
                                   max_resources=10).fit(X, y)
    with pytest.raises(ValueError, match="n_samples=4 there is too little data"):
        BatchedHalvingGridSearchCV(regressor(), {"alpha": ALPHAS}, cv=3).fit(X[:4], y[:4])
    with pytest.raises(ValueError, match="factor"):
        BatchedHalvingGridSearchCV(regressor(), {"alpha": ALPHAS}, factor=0).fit(X, y)


def test_a_fitted_halving_search_pickles_and_saves(tmp_path):
    from sklearn_mlpreg import io

    search = quiet(lambda: BatchedHalvingGridSearchCV(
        regressor(), {"alpha": ALPHAS}, cv=3, random_state=0).fit(X, y))
    again = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(again.predict(X), search.predict(X))
    path = tmp_path / "search.skops"
    io.save(search, path)
    np.testing.assert_array_equal(io.load(path).predict(X), search.predict(X))


CONTINUED = {
    "adam": dict(),
    "adam, mini-batches": dict(batch_size=16),
    "sgd constant": dict(solver="sgd"),
    "sgd invscaling": dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.05),
    "sgd adaptive": dict(solver="sgd", learning_rate="adaptive", tol=1e-2,
                         n_iter_no_change=2, batch_size=32),
    "sgd momentum without nesterov": dict(solver="sgd", nesterovs_momentum=False,
                                          momentum=0.5, batch_size=32),
    "early stopping": dict(early_stopping=True, n_iter_no_change=3, batch_size=32),
    "early stopping, last weights": dict(early_stopping=True, restore_best_weights=False),
    "dropout": dict(dropout=0.2, batch_size=32),
    "dropout, full batch": dict(dropout=0.2),
    "l1": dict(penalty="l1", batch_size=32),
    "converging early": dict(tol=1e-2, n_iter_no_change=2),
}


@pytest.fixture
def continued_networks(monkeypatch):
    """Counts the networks each stack trains as continuations."""
    import sklearn_mlpreg._stacks as stacks

    counts = {"continued": 0, "fresh": 0}
    train_stack = stacks.train_stack

    def counting(models, *args, **kwargs):
        for model in models:
            continues = model.resume is not None and model.resume.continues
            counts["continued" if continues else "fresh"] += 1
        return train_stack(models, *args, **kwargs)

    monkeypatch.setattr(stacks, "train_stack", counting)
    return counts


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
@pytest.mark.parametrize("case", list(CONTINUED))
def test_survivors_continue_and_equal_scikit_learns_retraining(case, engine,
                                                               continued_networks,
                                                               monkeypatch):
    """With an epoch budget, each survivor continues from its checkpoint (its
    weights, optimizer, random stream, rows' order, stopping counters and best
    weights) and ends where retraining ends: the same cv_results_."""
    if engine == "numpy":
        monkeypatch.setenv("SKLEARN_MLPREG_ENGINE", "numpy")
    model = MLPRegressor(hidden_layer_sizes=(8,), random_state=0,
                         **{"learning_rate_init": 0.01, **CONTINUED[case]})
    settings = dict(cv=3, factor=3, random_state=0, resource="max_iter", min_resources=4,
                    max_resources=36)
    ours = quiet(lambda: BatchedHalvingGridSearchCV(model, {"alpha": ALPHAS},
                                                    **settings).fit(X, y))
    counts = dict(continued_networks)
    theirs = quiet(lambda: HalvingGridSearchCV(model, {"alpha": ALPHAS}, **settings
                                               ).fit(X, y))
    assert_same_search(ours, theirs)
    assert counts == {"continued": 6, "fresh": 18} or (
        case == "converging early" and counts["continued"] < 6)


@pytest.mark.parametrize("schedule", [dict(learning_rate="cosine"), dict(solver="lbfgs")])
def test_budget_dependent_trainings_retrain_every_round(schedule, continued_networks):
    """The cosine schedule anneals over max_iter, L-BFGS restarts its curvature
    memory: their survivors retrain, as in scikit-learn, with its results."""
    model = MLPRegressor(hidden_layer_sizes=(8,), random_state=0, **schedule)
    settings = dict(cv=3, factor=3, random_state=0, resource="max_iter", min_resources=4,
                    max_resources=36)
    ours = quiet(lambda: BatchedHalvingGridSearchCV(model, {"alpha": ALPHAS},
                                                    **settings).fit(X, y))
    assert continued_networks["continued"] == 0
    theirs = quiet(lambda: HalvingGridSearchCV(model, {"alpha": ALPHAS}, **settings
                                               ).fit(X, y))
    assert_same_search(ours, theirs)


def test_survivors_continue_their_random_streams_in_worker_processes():
    """A process backend trains copies of the networks' random streams: the
    checkpoint carries each stream's state back, so the survivors' shuffles
    and dropout masks go on where they stopped (mini-batches below the fold
    size, dropout), as the retraining's do."""
    from joblib import parallel_backend

    model = MLPRegressor(hidden_layer_sizes=(8,), random_state=0, learning_rate_init=0.01,
                         batch_size=16, dropout=0.2)
    settings = dict(cv=3, factor=3, random_state=0, resource="max_iter", min_resources=4,
                    max_resources=36)
    with parallel_backend("loky", n_jobs=2):
        ours = quiet(lambda: BatchedHalvingGridSearchCV(model, {"alpha": ALPHAS}, n_jobs=2,
                                                        **settings).fit(X, y))
    theirs = quiet(lambda: HalvingGridSearchCV(model, {"alpha": ALPHAS}, **settings
                                               ).fit(X, y))
    assert_same_search(ours, theirs)
