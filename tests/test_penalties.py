"""Penalties: formulas, the proximal L1 step, and L1's exact zeros."""

import numpy as np
import pytest

from sklearn_mlpreg import MLPClassifier, MLPRegressor
from sklearn_mlpreg._engine.network import Layout, Workspace
from sklearn_mlpreg._engine.objective import Objective
from sklearn_mlpreg._engine.penalties import PENALTY_NAMES, Penalty

W = np.array([[0.5, -2.0, 0.0, 3.0], [1.0, 1.0, -1.0, 0.0]])
STRENGTH = np.array([[0.1], [2.0]])
RATIO = 0.3
FORMULAS = {
    "l2": (lambda w, s: s * (w ** 2).sum() / 2, lambda w, s: s * w),
    "l1": (lambda w, s: s * np.abs(w).sum(), lambda w, s: s * np.sign(w)),
    "elasticnet": (
        lambda w, s: s * (RATIO * np.abs(w).sum() + (1 - RATIO) * (w ** 2).sum() / 2),
        lambda w, s: s * (RATIO * np.sign(w) + (1 - RATIO) * w)),
    "none": (lambda w, s: 0.0, lambda w, s: 0 * w),
}


BIASES = np.array([[7.0, -3.0], [0.5, 2.0]])  # never penalized
PARAMS = np.hstack([W, BIASES])


@pytest.mark.parametrize("name", PENALTY_NAMES)
def test_value_and_gradient_formulas(name):
    """The penalty training runs (on the whole parameter buffer) against the formulas."""
    penalty = Penalty.named(name, RATIO, STRENGTH[:, 0], n_weights=W.shape[1])
    value, gradient = FORMULAS[name]
    ours = penalty.value(PARAMS)
    grads = np.ones_like(PARAMS)
    added = penalty.add_gradient(PARAMS, grads)
    np.testing.assert_allclose(added, ours)
    for k in range(2):
        assert ours[k] == pytest.approx(value(W[k], STRENGTH[k, 0]))
        np.testing.assert_allclose(grads[k, :4] - 1, gradient(W[k], STRENGTH[k, 0]),
                                   atol=1e-15)
    np.testing.assert_array_equal(grads[:, 4:], 1.0)  # biases untouched
    smooth = np.zeros_like(PARAMS)
    penalty.add_gradient(PARAMS, smooth, include_l1=False)
    np.testing.assert_allclose(smooth[:, :4], penalty.l2 * STRENGTH * W)
    np.testing.assert_allclose(penalty.value(PARAMS, include_l1=False)
                               + penalty.l1_value(PARAMS), ours)


def test_shares_may_differ_per_model():
    mixed = Penalty([1.0, 0.0], [0.0, 1.0], STRENGTH[:, 0], n_weights=4)
    l2 = Penalty.named("l2", RATIO, STRENGTH[:, 0], 4).value(PARAMS)
    l1 = Penalty.named("l1", RATIO, STRENGTH[:, 0], 4).value(PARAMS)
    np.testing.assert_allclose(mixed.value(PARAMS), [l2[0], l1[1]])


def test_proximal_step_shrinks_by_the_step_and_stops_at_zero():
    """The slide's w - eta lambda sgn(w), except that no weight crosses zero."""
    params = np.array([[0.5, -0.2, 0.05, -0.04, 0.0, 9.0],
                       [0.5, -0.2, 0.05, -0.04, 0.0, 9.0]])
    step = np.array([[1.0], [0.0]])
    Penalty.named("l1", RATIO, [0.1, 0.1], n_weights=5).proximal_step(params, step)
    np.testing.assert_allclose(params[0], [0.4, -0.1, 0.0, 0.0, 0.0, 9.0])
    np.testing.assert_allclose(params[1], [0.5, -0.2, 0.05, -0.04, 0.0, 9.0])


def test_proximal_step_of_the_elastic_net_uses_its_l1_share():
    params = np.array([[1.0, -1.0]])
    Penalty.named("elasticnet", 0.25, [0.4], n_weights=2).proximal_step(
        params, np.array([[2.0]]))
    np.testing.assert_allclose(params, [[0.8, -0.8]])


def sparse_problem():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 8))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=60)  # 6 useless features
    return X, y


@pytest.mark.parametrize("solver, learning_rate_init, max_iter", [
    ("sgd", 0.05, 1000), ("adam", 0.01, 300), ("lbfgs", 0.001, 300)])
def test_large_l1_gives_many_exact_zeros_and_biases_survive(solver, learning_rate_init,
                                                            max_iter):
    X, y = sparse_problem()
    kwargs = dict(hidden_layer_sizes=(20,), solver=solver, max_iter=max_iter,
                  random_state=0, learning_rate_init=learning_rate_init, tol=0.0,
                  n_iter_no_change=np.inf)
    plain = MLPRegressor(penalty="l2", alpha=1e-4, **kwargs).fit(X, y)
    sparse = MLPRegressor(penalty="l1", alpha=3.0, **kwargs).fit(X, y)
    zeros = np.mean([np.mean(W == 0) for W in sparse.coefs_])
    assert zeros > 0.5
    assert np.mean(plain.coefs_[0] == 0) == 0
    assert np.count_nonzero(sparse.intercepts_[0]) > 0
    # the useful inputs keep their weights; the useless ones lose most
    assert (sparse.coefs_[0][:2] != 0).mean() > (sparse.coefs_[0][2:] != 0).mean()


def test_lbfgs_l1_solution_satisfies_the_optimality_conditions():
    """At an L1-penalized minimum: |g_i| <= lambda where w_i = 0, and
    g_i + lambda sgn(w_i) = 0 elsewhere (g the gradient of the smooth part)."""
    X, y = sparse_problem()
    alpha = 2.0
    model = MLPRegressor(hidden_layer_sizes=(6,), solver="lbfgs", penalty="l1",
                         alpha=alpha, tol=1e-10, max_iter=5000, max_fun=50000,
                         activation="tanh", random_state=0).fit(X, y)
    layout = Layout([8, 6, 1])
    params = layout.pack(model.coefs_, model.intercepts_, layout.empty(1, np.float64))
    grads = np.empty_like(params)
    smooth = Objective(layout, "tanh", "identity", "squared_error",
                       Penalty.named("none", 0.15, [0.0], layout.n_weights))  # data term
    smooth(X, y[:, None], params, grads, Workspace(layout, 1, 60, np.float64))
    lam = alpha / len(X)
    w, g = layout.weights(params)[0], layout.weights(grads)[0]
    zero = w == 0
    assert zero.mean() > 0.3
    assert np.all(np.abs(g[zero]) <= lam * (1 + 1e-3))
    # L-BFGS-B stops on its relative-decrease test first: residuals of ~1e-4 lambda.
    np.testing.assert_allclose(g[~zero] + lam * np.sign(w[~zero]), 0, atol=1e-3 * lam)
    np.testing.assert_allclose(grads[0, layout.n_weights:], 0, atol=1e-3 * lam)


def test_elasticnet_sits_between_l1_and_l2():
    X, y = sparse_problem()
    kwargs = dict(hidden_layer_sizes=(20,), solver="lbfgs", alpha=3.0, max_iter=500,
                  random_state=0)
    zeros = {ratio: np.mean(MLPRegressor(penalty="elasticnet", l1_ratio=ratio, **kwargs)
                            .fit(X, y).coefs_[0] == 0) for ratio in (0.0, 0.5, 1.0)}
    assert zeros[0.0] == 0 and zeros[0.5] > 0 and zeros[1.0] >= zeros[0.5]


def test_penalties_work_for_the_classifier():
    X, y = sparse_problem()
    clf = MLPClassifier(hidden_layer_sizes=(10,), penalty="l1", alpha=1.0, max_iter=200,
                        random_state=0).fit(X, y > 0)
    assert clf.score(X, y > 0) >= 0.85 and np.mean(clf.coefs_[0] == 0) > 0.2
