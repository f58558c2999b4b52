"""penalty="group": a group lasso over the inputs' first-layer weights.

The value and its smooth gradient against finite differences, the proximal
step against its formula, the compiled path against the reference (and proof
that it ran), exact zeros of whole inputs, SelectFromModel, the batched
search against GridSearchCV, the refusals, and the study's path.
"""

import os
import warnings

import numpy as np
import pytest
from sklearn.feature_selection import SelectFromModel
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_mlpreg import MLPClassifier, MLPRegressor, MLPRegressorCV
from sklearn_mlpreg._engine import compiled
from sklearn_mlpreg._engine.jit import plain
from sklearn_mlpreg._engine.layout import Layout
from sklearn_mlpreg._engine.penalties import Penalty
from sklearn_mlpreg._engine.rules import group_shrink
from sklearn_mlpreg.model_selection import BatchedGridSearchCV

LAYOUT = Layout([3, 4, 2])  # W1 (3, 4): three inputs of four weights each
STRENGTH = np.array([0.3, 1.7])


def group_penalty(strength=STRENGTH, layout=LAYOUT):
    return Penalty.named("group", 0.15, strength, layout.n_weights, layout.coef_shapes[0])


def formula(params, strength, layout=LAYOUT):
    """``strength (sum_j ||W1[j]|| + ||W_later||^2 / 2)`` of one parameter row."""
    W1 = params[: layout.n_weights][: 12].reshape(3, 4)
    later = params[12: layout.n_weights]
    return strength * (np.linalg.norm(W1, axis=1).sum() + 0.5 * (later ** 2).sum())


def quietly(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def test_value_and_gradient_against_finite_differences():
    rng = np.random.RandomState(0)
    params = rng.normal(size=(2, LAYOUT.n_params))
    penalty = group_penalty()
    value = penalty.value(params)
    np.testing.assert_allclose(value, [formula(params[k], STRENGTH[k]) for k in range(2)],
                               rtol=1e-14)
    grads = np.zeros_like(params)
    np.testing.assert_allclose(penalty.add_gradient(params, grads), value, rtol=1e-14)
    smooth = np.zeros_like(params)
    smooth_value = penalty.add_gradient(params, smooth, include_l1=False)
    h = 1e-6
    for k in range(2):
        for p in range(LAYOUT.n_params):
            up, down = params.copy(), params.copy()
            up[k, p] += h
            down[k, p] -= h
            numeric = (penalty.value(up)[k] - penalty.value(down)[k]) / (2 * h)
            assert grads[k, p] == pytest.approx(numeric, abs=1e-8)
            numeric = (penalty.value(up, include_l1=False)[k]
                       - penalty.value(down, include_l1=False)[k]) / (2 * h)
            assert smooth[k, p] == pytest.approx(numeric, abs=1e-8)
    # the smooth (L2) part: none on the first layer and the biases, strength W later
    assert np.all(smooth[:, :12] == 0) and np.all(smooth[:, LAYOUT.n_weights:] == 0)
    np.testing.assert_allclose(smooth[:, 12:LAYOUT.n_weights],
                               STRENGTH[:, None] * params[:, 12:LAYOUT.n_weights])
    later = params[:, 12:LAYOUT.n_weights]
    np.testing.assert_allclose(smooth_value, 0.5 * STRENGTH * (later ** 2).sum(axis=1))


def test_the_shrink_rule_compiled_and_on_arrays():
    norms = np.array([5.0, 0.5, 0.0, 0.0, 2.0])
    thresholds = np.array([1.0, 1.0, 1.0, 0.0, 0.0])
    expected = [0.8, 0.0, 0.0, 0.0, 1.0]
    np.testing.assert_array_equal(plain(group_shrink)(norms, thresholds), expected)
    assert [group_shrink(n, t) for n, t in zip(norms, thresholds)] == expected


def hand_made():
    """W1 rows of norm 5, 0.5 and 0; the later weights and biases ones."""
    row = np.concatenate([[3.0, 4.0, 0.0, 0.0], [0.3, 0.0, -0.4, 0.0], np.zeros(4),
                          np.ones(LAYOUT.n_params - 12)])
    return np.tile(row, (2, 1))


def test_the_proximal_step_on_a_hand_made_matrix():
    """``W1[j] <- W1[j] max(0, 1 - step strength / ||W1[j]||)``, rows as wholes."""
    params = hand_made()
    penalty = group_penalty(np.array([0.5, 0.1]))
    penalty.proximal_step(params, np.array([[2.0], [1.0]]))  # SGD: one rate per model
    # model 0: threshold 1: 5 -> 4 (factor 0.8), 0.5 -> 0; model 1: 0.1: 0.98, 0.8
    np.testing.assert_allclose(params[0, :12], [2.4, 3.2, 0, 0] + [0.0] * 8, rtol=1e-15)
    np.testing.assert_allclose(params[1, :12], [2.94, 3.92, 0, 0, 0.24, 0, -0.32, 0]
                               + [0.0] * 4, rtol=1e-14)
    assert np.all(params[:, 12:] == 1.0)  # later weights and biases untouched
    assert np.all(params[0, 4:8] == 0.0)  # exact zeros


def test_adams_group_step_is_the_harmonic_mean_of_its_steps():
    params = hand_made()[:1]
    steps = np.ones((1, LAYOUT.n_weights))
    steps[0, :4] = [1.0, 2.0, 4.0, 4.0]  # harmonic mean 2: 4 / (1 + 1/2 + 1/4 + 1/4)
    steps[0, 4:8] = 1e9  # a huge step (v = 0) is not what the group takes
    group_penalty(np.array([0.5])).proximal_step(params, steps)
    np.testing.assert_allclose(params[0, :4], [2.4, 3.2, 0, 0], rtol=1e-15)  # step 2
    # row 1: steps (1e9,) x 4 -> harmonic mean 1e9: zero; row 2 stays zero
    assert np.all(params[0, 4:12] == 0.0)


def test_the_array_api_reference_takes_the_same_step():
    torch = pytest.importorskip("torch")
    rng = np.random.RandomState(1)
    params = rng.normal(size=(2, LAYOUT.n_params))
    params[1, 4:8] = 0.0
    steps = rng.uniform(0.5, 2.0, size=(2, LAYOUT.n_weights))
    expected = params.copy()
    group_penalty().proximal_step(expected, steps)
    tensor = torch.asarray(params.copy())
    group_penalty().proximal_step(tensor, torch.asarray(steps))
    np.testing.assert_allclose(tensor.numpy(), expected, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(group_penalty().value(torch.asarray(params)).numpy(),
                               group_penalty().value(params), rtol=1e-14)


# -- training ---------------------------------------------------------------------------

RNG = np.random.RandomState(0)
X = RNG.normal(size=(200, 10))
Y = 2 * X[:, 0] - 1.5 * X[:, 1] + X[:, 2] + 0.1 * RNG.normal(size=200)  # 3 of 10 inputs
RELEVANT = np.arange(10) < 3
LONG = dict(hidden_layer_sizes=(16,), activation="tanh", penalty="group", tol=0,
            n_iter_no_change=np.inf, random_state=0)


def fit_both(make, monkeypatch):
    """The compiled fit (with the calls of the compiled entry points) and the
    numpy reference's."""
    pytest.importorskip("numba")
    counts = dict.fromkeys(compiled.runs, 0)
    monkeypatch.setattr(compiled, "runs", counts)
    monkeypatch.delenv("SKLEARN_MLPREG_ENGINE", raising=False)
    fast = quietly(make().fit, X, Y)
    after_fast = dict(counts)
    ran = {name: counts[name] for name in ("batch_step", "train_full_batch")}
    monkeypatch.setenv("SKLEARN_MLPREG_ENGINE", "numpy")
    reference = quietly(make().fit, X, Y)
    assert counts == after_fast  # the reference ran no compiled code
    return fast, reference, ran


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("batch_size", ["auto", 32], ids=["full_batch", "mini_batches"])
def test_compiled_path_equals_the_reference(solver, batch_size, monkeypatch):
    make = lambda: MLPRegressor(solver=solver, batch_size=batch_size, alpha=40.0,  # noqa: E731
                                learning_rate_init=0.05 if solver == "sgd" else 0.01,
                                max_iter=60, **LONG)
    fast, reference, ran = fit_both(make, monkeypatch)
    if batch_size == "auto":
        assert ran == {"batch_step": 0, "train_full_batch": 1}
    else:
        assert ran == {"batch_step": 60 * 7, "train_full_batch": 0}  # 7 batches
    for a, b in zip(fast.coefs_ + fast.intercepts_, reference.coefs_ + reference.intercepts_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast.loss_curve_, reference.loss_curve_, rtol=1e-12)
    # the same inputs at exactly zero (the trainings are long enough to zero some)
    zero = reference.feature_importances_ == 0
    np.testing.assert_array_equal(fast.feature_importances_ == 0, zero)
    if solver == "adam":
        assert zero.sum() >= 3


@pytest.mark.parametrize("settings", [
    dict(solver="adam", learning_rate_init=0.01, alpha=40.0, max_iter=500),
    dict(solver="adam", learning_rate_init=0.01, alpha=40.0, max_iter=300, batch_size=20),
    dict(solver="sgd", learning_rate_init=0.05, alpha=80.0, max_iter=1000),
], ids=["adam", "adam_mini_batches", "sgd"])
def test_irrelevant_inputs_reach_exact_zeros(settings):
    model = quietly(MLPRegressor(**{**LONG, **settings}).fit, X, Y)
    rows = np.linalg.norm(model.coefs_[0], axis=1)
    np.testing.assert_array_equal(rows, model.feature_importances_)
    assert np.all(model.coefs_[0][~RELEVANT] == 0)  # whole rows: every weight exactly 0
    assert np.all(rows[RELEVANT] > 0.2)
    assert model.score(X, Y) > 0.95
    plain = quietly(MLPRegressor(**{**LONG, **settings, "penalty": "l2"}).fit, X, Y)
    assert np.all(plain.feature_importances_ > 0)  # L2 zeroes no input


def test_select_from_model_keeps_the_relevant_inputs():
    mlp = MLPRegressor(**{**LONG, "alpha": 40.0, "max_iter": 500, "learning_rate_init": 0.01})
    selector = quietly(SelectFromModel(mlp, threshold=1e-12).fit, X, Y)
    np.testing.assert_array_equal(selector.get_support(), RELEVANT)
    assert selector.transform(X).shape == (200, 3)
    # the default threshold (the mean importance) works with any penalty too
    l2 = quietly(SelectFromModel(MLPRegressor(**{**LONG, "penalty": "l2", "max_iter": 300}))
                 .fit, X, Y)
    assert l2.get_support()[RELEVANT].all()
    clf = quietly(SelectFromModel(MLPClassifier(**{**LONG, "alpha": 20.0, "max_iter": 300}),
                                  threshold=1e-12).fit, X, Y > 0)
    assert clf.get_support()[:2].all() and clf.get_support().sum() < 10


@pytest.mark.parametrize("batch_size", ["auto", 50], ids=["full_batch", "mini_batches"])
def test_batched_search_over_alpha_and_penalty_equals_grid_search(batch_size):
    """Group and L2 models in one stack: cv_results_ equal GridSearchCV's."""
    mlp = MLPRegressor(hidden_layer_sizes=(6,), max_iter=30, learning_rate_init=0.01,
                       batch_size=batch_size, random_state=0)
    grid = {"alpha": [0.1, 10.0, 60.0], "penalty": ["group", "l2"],
            "solver": ["adam", "sgd"]}
    folds = KFold(3, shuffle=True, random_state=0)
    ours = quietly(BatchedGridSearchCV(mlp, grid, cv=folds, return_train_score=True).fit,
                   X, Y)
    theirs = quietly(GridSearchCV(mlp, grid, cv=folds, return_train_score=True).fit, X, Y)
    for key in ("mean_test_score", "mean_train_score", "split0_test_score",
                "split2_train_score"):
        np.testing.assert_allclose(ours.cv_results_[key], theirs.cv_results_[key],
                                   rtol=0, atol=1e-8, err_msg=key)
    assert ours.best_params_ == theirs.best_params_
    np.testing.assert_allclose(ours.best_estimator_.feature_importances_,
                               theirs.best_estimator_.feature_importances_, atol=1e-10)


def test_regressor_cv_over_alpha_with_the_group_penalty():
    search = quietly(MLPRegressorCV(alphas=[1.0, 40.0], cv=3, penalty="group",
                                    hidden_layer_sizes=(8,), max_iter=40,
                                    random_state=0).fit, X, Y)
    theirs = quietly(GridSearchCV(MLPRegressor(penalty="group", hidden_layer_sizes=(8,),
                                               max_iter=40, random_state=0),
                                  {"alpha": [1.0, 40.0]}, cv=3).fit, X, Y)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               theirs.cv_results_["mean_test_score"], atol=1e-8)


def test_bad_combinations_are_refused_with_the_fix():
    with pytest.raises(ValueError, match="solver='adam' or solver='sgd'"):
        MLPRegressor(penalty="group", solver="lbfgs").fit(X, Y)
    with pytest.raises(ValueError, match="no hidden layer"):
        MLPRegressor(penalty="group", hidden_layer_sizes=()).fit(X, Y)
    with pytest.raises(ValueError, match="solver='adam' or solver='sgd'"):
        MLPRegressorCV(alphas=[1.0], penalty="group", solver="lbfgs").fit(X, Y)
    with pytest.raises(ValueError, match="penalty"):
        MLPRegressor(penalty="groups").fit(X, Y)


def test_the_engine_refuses_lbfgs_too():
    from sklearn_mlpreg._engine import lbfgs
    from sklearn_mlpreg._engine.penalties import GROUP_NEEDS_GRADIENT_DESCENT

    assert "solver='adam'" in GROUP_NEEDS_GRADIENT_DESCENT
    assert "GROUP_NEEDS_GRADIENT_DESCENT" in open(lbfgs.__file__).read()


def test_feature_importances_of_every_penalty_and_after_loading(tmp_path):
    import pickle

    for penalty in ("l2", "l1", None):
        model = quietly(MLPRegressor(hidden_layer_sizes=(5,), penalty=penalty, max_iter=20,
                                     random_state=0).fit, X, Y)
        np.testing.assert_allclose(model.feature_importances_,
                                   np.sqrt((model.coefs_[0] ** 2).sum(axis=1)))
        loaded = pickle.loads(pickle.dumps(model))
        np.testing.assert_array_equal(loaded.feature_importances_,
                                      model.feature_importances_)


def test_group_path_keeps_fewer_inputs_as_lambda_grows():
    from sklearn_mlpreg.studies import group_path

    mlp = MLPRegressor(hidden_layer_sizes=(16,), activation="tanh", max_iter=500,
                       learning_rate_init=0.01, tol=0, n_iter_no_change=np.inf)
    path = quietly(group_path, mlp, X, Y, alphas=[0.01, 40.0, 1e4], random_state=0)
    assert list(path.norms.index) == [0.01, 40.0, 1e4]
    assert list(path.norms.columns) == [f"x{j}" for j in range(10)]
    np.testing.assert_array_equal(path.kept, path.norms != 0)
    assert list(path.n_kept) == [10, 3, 0]
    np.testing.assert_array_equal(path.kept.loc[40.0], RELEVANT)


def test_plot_group_path(tmp_path):
    pytest.importorskip("matplotlib")
    import pandas as pd

    from sklearn_mlpreg.studies import GroupPath, plot_group_path

    norms = pd.DataFrame({"a": [1.0, 0.5, 0.0], "b": [0.3, 0.0, 0.0]},
                         index=pd.Index([0.1, 1.0, 10.0], name="alpha"))
    ax = plot_group_path(GroupPath(norms, norms != 0, (norms != 0).sum(axis=1)))
    assert ax.has_data() and len(ax.lines) == 2 and ax.get_xscale() == "log"
    assert "kept at 2" in ax.get_legend().get_texts()[0].get_text()
    ax.figure.savefig(os.path.join(tmp_path, "group.png"))


@pytest.mark.parametrize("alphas, message", [
    ([], "non-empty"), ([[0.1, 1.0]], "non-empty"), ([0.1, -1.0], "finite and >= 0"),
    ([0.1, np.nan], "finite and >= 0"), (["a lot"], "must be numbers"),
])
@pytest.mark.parametrize("function", ["group_path", "regularization_path"])
def test_the_paths_refuse_a_bad_lambda_grid(function, alphas, message):
    from sklearn_mlpreg import studies

    with pytest.raises(ValueError, match=f"{function}: .*{message}"):
        getattr(studies, function)(MLPRegressor(max_iter=5), X, Y, alphas=alphas)
