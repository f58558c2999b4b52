"""Behaviour shared by both estimators: solvers, state, determinism, divergence."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn import neural_network
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_mlpreg import FitDivergedError, MLPClassifier, MLPRegressor

X_REG, Y_REG = make_regression(n_samples=80, n_features=4, noise=3.0, random_state=0)
Y_REG = Y_REG / Y_REG.std()
X_IRIS, Y_IRIS = load_iris(return_X_y=True)
ESTIMATORS = [(MLPRegressor, X_REG, Y_REG), (MLPClassifier, X_IRIS, Y_IRIS)]
IDS = ["regressor", "classifier"]


def quiet_fit(estimator, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **fit_params)


def weights(est):
    return est.coefs_ + est.intercepts_


@pytest.mark.parametrize("Estimator", [MLPRegressor, MLPClassifier])
def test_lbfgs_offers_no_partial_fit(Estimator):
    assert not hasattr(Estimator(solver="lbfgs"), "partial_fit")
    assert hasattr(Estimator(solver="sgd"), "partial_fit")
    assert hasattr(Estimator(solver="adam"), "partial_fit")


def test_scikit_learn_regressor_wrongly_offers_partial_fit_for_lbfgs():
    """The bug not copied: scikit-learn's regressor exposes it for lbfgs."""
    assert hasattr(neural_network.MLPRegressor(solver="lbfgs"), "partial_fit")


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS, ids=IDS)
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_same_random_state_gives_bit_identical_weights(Estimator, X, y, solver):
    params = dict(hidden_layer_sizes=(6,), solver=solver, max_iter=20, batch_size=16,
                  random_state=7)
    a = quiet_fit(Estimator(**params), X, y)
    b = quiet_fit(Estimator(**params), X, y)
    for p, q in zip(weights(a), weights(b)):
        np.testing.assert_array_equal(p, q)
    c = quiet_fit(Estimator(**{**params, "random_state": 8}), X, y)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS, ids=IDS)
def test_pickle_round_trip_then_partial_fit_continues_identically(Estimator, X, y):
    kwargs = {"classes": np.unique(y)} if Estimator is MLPClassifier else {}
    est = Estimator(hidden_layer_sizes=(5,), solver="adam", random_state=0)
    for _ in range(3):
        est.partial_fit(X, y, **kwargs)
    clone = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(clone.predict(X), est.predict(X))
    est.partial_fit(X, y)
    clone.partial_fit(X, y)
    for p, q in zip(weights(est), weights(clone)):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS, ids=IDS)
def test_warm_start_keeps_weights_and_restarts_the_optimizer(Estimator, X, y):
    est = quiet_fit(Estimator(hidden_layer_sizes=(5,), solver="adam", max_iter=5,
                              warm_start=True, random_state=0), X, y)
    before = [w.copy() for w in weights(est)]
    optimizer = est._optimizer
    quiet_fit(est.set_params(max_iter=1), X, y)
    assert est._optimizer is not optimizer and est._optimizer.t == 1
    # One fresh Adam step moves every weight by about learning_rate_init.
    step = np.abs(est.coefs_[0] - before[0])
    assert np.all(step < 2e-3) and np.median(step) > 5e-4
    assert len(est.loss_curve_) == 6 and est.n_iter_ == 1
    cold = quiet_fit(Estimator(hidden_layer_sizes=(5,), solver="adam", max_iter=1,
                               random_state=0), X, y)
    assert not np.allclose(cold.coefs_[0], est.coefs_[0])


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS, ids=IDS)
def test_partial_fit_is_one_epoch_and_keeps_the_optimizer(Estimator, X, y):
    kwargs = {"classes": np.unique(y)} if Estimator is MLPClassifier else {}
    est = Estimator(hidden_layer_sizes=(5,), solver="adam", batch_size=20,
                    random_state=0)
    est.partial_fit(X, y, **kwargs)
    est.partial_fit(X, y)
    assert est.n_iter_ == 1 and len(est.loss_curve_) == 2
    assert est._optimizer.t == 2 * int(np.ceil(len(X) / 20))
    assert est.t_ == 2 * len(X)


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS, ids=IDS)
def test_float32_stays_float32(Estimator, X, y):
    est = quiet_fit(Estimator(hidden_layer_sizes=(5,), max_iter=5, random_state=0),
                    X.astype(np.float32), y)
    assert all(w.dtype == np.float32 for w in weights(est))
    if Estimator is MLPRegressor:
        assert est.predict(X.astype(np.float32)).dtype == np.float32
    else:
        assert est.predict_proba(X.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS, ids=IDS)
def test_sparse_input_gives_the_same_network(Estimator, X, y):
    sparse = pytest.importorskip("scipy.sparse")
    params = dict(hidden_layer_sizes=(5,), max_iter=10, batch_size=16, random_state=0)
    dense = quiet_fit(Estimator(**params), X, y)
    for fmt in (sparse.csr_matrix, sparse.csc_array):
        est = quiet_fit(Estimator(**params), fmt(X), y)
        for p, q in zip(weights(dense), weights(est)):
            np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12)
        # Sparse and dense products round differently, by about 1e-15.
        np.testing.assert_allclose(est.predict(fmt(X)), est.predict(X), rtol=1e-12)


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS, ids=IDS)
def test_pandas_input_keeps_feature_names(Estimator, X, y):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    est = quiet_fit(Estimator(hidden_layer_sizes=(5,), max_iter=5, random_state=0,
                              early_stopping=True), frame, pd.Series(y))
    np.testing.assert_array_equal(est.feature_names_in_, frame.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        est.predict(frame)


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS, ids=IDS)
@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_curves_and_gradient_norms(Estimator, X, y, solver):
    est = quiet_fit(Estimator(hidden_layer_sizes=(6, 4), solver=solver, max_iter=15,
                              random_state=0), X, y)
    assert len(est.loss_curve_) == est.n_iter_
    assert est.gradient_norms_.shape == (est.n_iter_, est.n_layers_ - 1)
    assert est.saturation_.shape == (est.n_iter_, est.n_layers_ - 2)
    assert np.all(est.gradient_norms_ > 0)
    assert np.all((est.saturation_ >= 0) & (est.saturation_ <= 1))
    assert est.validation_scores_ is None and est.validation_loss_curve_ is None
    if solver == "lbfgs":
        assert est.loss_curve_[-1] == pytest.approx(est.loss_)
        assert np.all(np.diff(est.loss_curve_) <= 1e-12)  # L-BFGS never goes uphill


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS, ids=IDS)
def test_explicit_validation_set_is_monitored_without_early_stopping(Estimator, X, y):
    rng = np.random.RandomState(0)
    val = rng.rand(len(X)) < 0.3
    est = quiet_fit(Estimator(hidden_layer_sizes=(6,), max_iter=12, random_state=0,
                              n_iter_no_change=100), X[~val], y[~val],
                    X_val=X[val], y_val=y[val])
    assert len(est.validation_scores_) == len(est.validation_loss_curve_) == 12
    assert est.best_validation_score_ is None and est.best_loss_ is not None
    assert est.validation_scores_[-1] == pytest.approx(est.score(X[val], y[val]))


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS, ids=IDS)
def test_explicit_validation_set_drives_early_stopping(Estimator, X, y):
    rng = np.random.RandomState(0)
    val = rng.rand(len(X)) < 0.3
    est = quiet_fit(Estimator(hidden_layer_sizes=(6,), max_iter=300, random_state=0,
                              early_stopping=True, n_iter_no_change=3, tol=1e-3,
                              learning_rate_init=0.01),
                    X[~val], y[~val], X_val=X[val], y_val=y[val])
    assert est.n_iter_ < 300
    assert est.t_ == est.n_iter_ * (~val).sum()  # no internal split: all rows train
    best = int(np.argmax(est.validation_scores_))
    assert est.best_validation_score_ == est.validation_scores_[best]
    assert est.score(X[val], y[val]) == pytest.approx(est.best_validation_score_)


def test_restore_best_weights_false_keeps_the_last_epoch():
    rng = np.random.RandomState(0)
    val = rng.rand(len(X_REG)) < 0.3
    params = dict(hidden_layer_sizes=(30,), max_iter=400, random_state=0,
                  early_stopping=True, n_iter_no_change=5, learning_rate_init=0.05)
    fits = {flag: quiet_fit(MLPRegressor(**params, restore_best_weights=flag),
                            X_REG[~val], Y_REG[~val], X_val=X_REG[val], y_val=Y_REG[val])
            for flag in (True, False)}
    last = fits[False].validation_scores_[-1]
    assert fits[False].score(X_REG[val], Y_REG[val]) == pytest.approx(last)
    assert last < fits[True].best_validation_score_


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS, ids=IDS)
def test_verbose_prints_scikit_learn_lines(Estimator, X, y, capsys):
    quiet_fit(Estimator(hidden_layer_sizes=(3,), max_iter=2, verbose=True,
                        early_stopping=True, random_state=0), X, y)
    out = capsys.readouterr().out
    assert "Iteration 1, loss = " in out and "Iteration 2, loss = " in out
    assert "Validation score: " in out


def test_diverging_fit_raises_with_the_fix_and_leaves_no_weights():
    X = np.random.RandomState(0).normal(size=(30, 3))
    y = X @ [1.0, 2.0, 3.0]
    est = MLPRegressor(hidden_layer_sizes=(10,), solver="sgd", learning_rate_init=1e3,
                       max_iter=50, random_state=0)
    with pytest.raises(ValueError, match="Solver produced non-finite parameter weights"
                       ) as info:
        est.fit(X, y)
    message = str(info.value)
    assert "TransformedTargetRegressor" in message and "learning_rate_init" in message
    assert not hasattr(est, "coefs_")
    with pytest.raises(Exception, match="not fitted"):
        est.predict(X)


def test_diverging_fit_with_early_stopping_keeps_the_best_weights():
    """scikit-learn's behaviour: a non-finite score recorded, warning, best
    weights kept (here the best epoch's R^2 is about 0.47)."""
    X = StandardScaler().fit_transform(X_IRIS)
    est = MLPRegressor(hidden_layer_sizes=20, activation="identity", solver="sgd",
                       learning_rate_init=0.15, max_iter=300, early_stopping=True,
                       random_state=0)
    with pytest.warns(ConvergenceWarning, match="diverged.*best validation epoch"):
        est.fit(X, Y_IRIS)
    assert not np.isfinite(est.validation_scores_[-1])
    assert all(np.isfinite(w).all() for w in weights(est))
    assert est.score(X, Y_IRIS) > 0.3


def test_early_stopping_over_epochs_that_all_exploded_is_a_divergence():
    """The best of validation epochs that all exploded is garbage: its weights
    train at 1.6e5 against 0.8 at the start, and the fit raises instead of
    keeping them."""
    est = MLPRegressor(hidden_layer_sizes=100, activation="identity", solver="sgd",
                       learning_rate_init=1, max_iter=20, early_stopping=True,
                       random_state=0)
    with pytest.raises(FitDivergedError,
                       match="reached 1.6.e\\+05, against 0.815 at the start"):
        est.fit(X_IRIS, Y_IRIS)
    assert not hasattr(est, "coefs_")


def initial_weights(scheme, n_features=400, n_hidden=300):
    """First-layer weights and biases after one negligible SGD step."""
    X = np.random.RandomState(0).normal(size=(10, n_features))
    est = MLPRegressor(hidden_layer_sizes=(n_hidden,), weight_init=scheme, max_iter=1,
                       solver="sgd", learning_rate_init=1e-12, momentum=0.0,
                       random_state=0)
    quiet_fit(est, X, np.zeros(10))
    return est.coefs_[0], est.intercepts_[0]


def test_he_normal_init():
    W, b = initial_weights("he_normal")
    assert W.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    np.testing.assert_allclose(b, 0.0, atol=1e-9)


def test_small_normal_init():
    W, b = initial_weights(0.002)
    assert W.std() == pytest.approx(0.002, rel=0.02)
    assert b.std() == pytest.approx(0.002, rel=0.2)


def test_unknown_weight_init_is_rejected():
    with pytest.raises(ValueError, match="weight_init"):
        MLPRegressor(weight_init="zeros").fit(X_REG, Y_REG)


@pytest.mark.parametrize("Estimator, X, y", ESTIMATORS, ids=IDS)
def test_zero_sample_weight_equals_leaving_samples_out(Estimator, X, y):
    params = dict(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=30, alpha=1.0,
                  random_state=0)
    keep = np.arange(len(X)) % 4 != 0
    weighted = quiet_fit(Estimator(**params), X, y, sample_weight=keep.astype(float))
    dropped = quiet_fit(Estimator(**params), X[keep], y[keep])
    for p, q in zip(weights(weighted), weights(dropped)):
        np.testing.assert_allclose(p, q, rtol=1e-7, atol=1e-9)


def test_integer_sample_weight_equals_repeating_samples():
    params = dict(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=30, alpha=1.0,
                  random_state=0)
    counts = np.arange(len(X_REG)) % 3 + 1
    weighted = quiet_fit(MLPRegressor(**params), X_REG, Y_REG, sample_weight=counts)
    repeated = quiet_fit(MLPRegressor(**params), np.repeat(X_REG, counts, axis=0),
                         np.repeat(Y_REG, counts))
    for p, q in zip(weights(weighted), weights(repeated)):
        np.testing.assert_allclose(p, q, rtol=1e-7, atol=1e-9)


def test_an_exploding_but_finite_loss_raises_instead_of_passing_for_convergence():
    """scikit-learn stops this fit on its no-improvement rule and returns
    predictions of about 1e138; here it is reported as the divergence it is."""
    est = MLPRegressor(alpha=1e4, hidden_layer_sizes=(10,), solver="sgd", momentum=0.0,
                       learning_rate_init=0.01, max_iter=200, random_state=0)
    with pytest.raises(ValueError, match="diverged"):
        est.fit(X_REG[:40], Y_REG[:40])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = neural_network.MLPRegressor(
            alpha=1e4, hidden_layer_sizes=(10,), solver="sgd", momentum=0.0,
            learning_rate_init=0.01, max_iter=200, random_state=0).fit(X_REG[:40],
                                                                      Y_REG[:40])
    assert np.abs(theirs.predict(X_REG[:3])).max() > 1e6
