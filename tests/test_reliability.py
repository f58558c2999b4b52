"""Reliability: every bad input gets a clear error, divergence never yields NaN
predictions, activations never warn, results are deterministic, predict runs
in bounded memory."""

import pickle
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning, NotFittedError

from sklearn_mlpreg import FitDivergedError, MLPClassifier, MLPRegressor, MLPRegressorCV
from sklearn_mlpreg._engine.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from sklearn_mlpreg._engine.losses import LOSSES

RNG = np.random.RandomState(0)
X = RNG.randn(40, 3)
Y = X @ [1.0, -2.0, 0.5] + 0.1 * RNG.randn(40)
LABELS = np.where(Y > 0, "high", "low")
FAST = dict(hidden_layer_sizes=(5,), max_iter=5, random_state=0)


def with_value(array, index, value):
    array = np.array(array, dtype=float)
    array[index] = value
    return array


def fitted_regressor():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MLPRegressor(**FAST).fit(X, Y)


def fit(**params):
    return lambda: MLPRegressor(**{**FAST, **params}).fit(X, Y)


# (case, call, exception, pattern the message must match: the problem, and the fix)
BAD_INPUT = [
    ("NaN in X", lambda: MLPRegressor(**FAST).fit(with_value(X, (0, 0), np.nan), Y),
     ValueError, "Input X contains NaN.*imputer"),
    ("inf in X", lambda: MLPRegressor(**FAST).fit(with_value(X, (0, 0), np.inf), Y),
     ValueError, "infinity.*replace or drop the infinite values"),
    ("NaN in y", lambda: MLPRegressor(**FAST).fit(X, with_value(Y, 0, np.nan)),
     ValueError, "Input y contains NaN.*Drop the samples whose target is missing"),
    ("inf in y", lambda: MLPRegressor(**FAST).fit(X, with_value(Y, 0, -np.inf)),
     ValueError, "infinity.*replace or drop"),
    ("NaN in y (classifier)", lambda: MLPClassifier(**FAST).fit(X, with_value(Y, 0, np.nan)),
     ValueError, "Input y contains NaN.*Drop the samples"),
    ("NaN in sample_weight", lambda: MLPRegressor(**FAST).fit(
        X, Y, sample_weight=with_value(np.ones(40), 3, np.nan)),
     ValueError, "sample_weight contains NaN.*finite, non-negative weight"),
    ("inf in sample_weight", lambda: MLPRegressor(**FAST).fit(
        X, Y, sample_weight=with_value(np.ones(40), 3, np.inf)),
     ValueError, "sample_weight contains infinity.*replace or drop"),
    ("negative sample_weight", lambda: MLPRegressor(**FAST).fit(
        X, Y, sample_weight=-np.ones(40)), ValueError, "Negative values.*sample_weight"),
    ("all-zero sample_weight", lambda: MLPRegressor(**FAST).fit(
        X, Y, sample_weight=np.zeros(40)), ValueError, "at least one non-zero"),
    ("empty data", lambda: MLPRegressor(**FAST).fit(X[:0], Y[:0]),
     ValueError, "0 sample"),
    ("one sample", lambda: MLPRegressor(**FAST).fit(X[:1], Y[:1]),
     ValueError, "at least 2 samples.*n_samples = 1"),
    ("one sample (classifier)", lambda: MLPClassifier(**FAST).fit(X[:1], LABELS[:1]),
     ValueError, "at least 2 samples"),
    ("one sample (CV)", lambda: MLPRegressorCV(**FAST).fit(X[:1], Y[:1]),
     ValueError, "at least 2 samples"),
    ("1-D X", lambda: MLPRegressor(**FAST).fit(X[:, 0], Y),
     ValueError, "Expected 2D array.*reshape"),
    ("3-D X", lambda: MLPRegressor(**FAST).fit(X[:, :, None], Y),
     ValueError, "dim 3"),
    ("X and y lengths differ", lambda: MLPRegressor(**FAST).fit(X, Y[:-1]),
     ValueError, "inconsistent numbers of samples: \\[40, 39\\]"),
    ("sample_weight length differs", lambda: MLPRegressor(**FAST).fit(
        X, Y, sample_weight=np.ones(39)), ValueError, "sample_weight.shape == \\(39,\\)"),
    ("text target for a regressor", lambda: MLPRegressor(**FAST).fit(X, LABELS),
     ValueError, "needs a numeric target.*MLPClassifier"),
    ("text target for MLPRegressorCV", lambda: MLPRegressorCV(**FAST).fit(X, LABELS),
     ValueError, "needs a numeric target"),
    ("complex X", lambda: MLPRegressor(**FAST).fit(X + 1j, Y),
     ValueError, "Complex data not supported"),
    ("predict before fit", lambda: MLPRegressor().predict(X),
     NotFittedError, "not fitted yet.*Call 'fit'"),
    ("predict_proba before fit", lambda: MLPClassifier().predict_proba(X),
     NotFittedError, "not fitted yet"),
    ("CV predict before fit", lambda: MLPRegressorCV().predict(X),
     NotFittedError, "not fitted yet"),
    ("fewer features at predict", lambda: fitted_regressor().predict(X[:, :2]),
     ValueError, "X has 2 features, but MLPRegressor is expecting 3"),
    ("more features at partial_fit", lambda: fitted_regressor().partial_fit(
        np.hstack([X, X]), Y), ValueError, "X has 6 features.*expecting 3"),
    ("NaN at predict", lambda: fitted_regressor().predict(with_value(X, (1, 1), np.nan)),
     ValueError, "Input X contains NaN"),
    ("inf in one row at predict", lambda: fitted_regressor().predict(
        with_value(X[:1], (0, 2), np.inf)), ValueError, "Input X contains infinity"),
    ("NaN in many rows at predict (checked by their sum)", lambda: fitted_regressor().predict(
        with_value(np.tile(X, (50, 1)), (1999, 0), np.nan)), ValueError,
     "Input X contains NaN"),
    ("X_val without y_val", lambda: MLPRegressor(**FAST).fit(X, Y, X_val=X),
     ValueError, "X_val and y_val must be given together"),
    ("y_val without X_val", lambda: MLPRegressor(**FAST).fit(X, Y, y_val=Y),
     ValueError, "X_val and y_val must be given together"),
    ("X_val of the wrong width", lambda: MLPRegressor(**FAST).fit(
        X, Y, X_val=X[:, :2], y_val=Y), ValueError, "X_val has 2 features, but X has 3"),
    ("X_val and y_val lengths differ", lambda: MLPRegressor(**FAST).fit(
        X, Y, X_val=X, y_val=Y[:-1]), ValueError, "inconsistent numbers of samples"),
    ("no validation sample", fit(early_stopping=True, validation_fraction=0.01),
     ValueError, "validation set is too small.*Raise validation_fraction"),
    ("hidden size 0", fit(hidden_layer_sizes=(10, 0)),
     ValueError, "hidden_layer_sizes must be positive integers"),
    ("hidden size negative", fit(hidden_layer_sizes=-3),
     ValueError, "'hidden_layer_sizes' parameter.*int in the range \\[1, inf\\)"),
    ("hidden size not an int", fit(hidden_layer_sizes=(2.5,)),
     ValueError, "hidden_layer_sizes must be positive integers"),
    ("alpha negative", fit(alpha=-1.0), ValueError, "'alpha' parameter.*range \\[0.0, inf\\)"),
    ("alpha NaN", fit(alpha=np.nan), ValueError, "'alpha' parameter"),
    ("alphas negative (CV)", lambda: MLPRegressorCV(alphas=[0.1, -1], **FAST).fit(X, Y),
     ValueError, "alphas must be a non-empty 1-D list of finite values >= 0"),
    ("l1_ratio above 1", fit(l1_ratio=1.5),
     ValueError, "'l1_ratio' parameter.*\\[0.0, 1.0\\]"),
    ("penalty unknown", fit(penalty="l3"), ValueError, "'penalty' parameter"),
    ("dropout rate 1", fit(dropout=1.0), ValueError, "'dropout' parameter.*\\[0.0, 1.0\\)"),
    ("dropout rate negative", fit(dropout=-0.2), ValueError, "'dropout' parameter"),
    ("dropout rates, wrong count", fit(dropout=(0.1, 0.2)),
     ValueError, "one rate or one per hidden layer \\(1\\)"),
    ("dropout rate in a list out of range", fit(dropout=[1.5]),
     ValueError, "dropout rates must be in \\[0, 1\\)"),
    ("dropout without hidden layers", fit(hidden_layer_sizes=(), dropout=0.3),
     ValueError, "hidden_layer_sizes=\\(\\) has none"),
    ("dropout with lbfgs", fit(solver="lbfgs", dropout=0.2),
     ValueError, "dropout needs a stochastic solver"),
    ("weight_init unknown", fit(weight_init="zeros"), ValueError, "'weight_init' parameter"),
    ("weight_init sigma 0", fit(weight_init=0.0), ValueError, "'weight_init' parameter"),
    ("weight_init of the wrong shape", fit(weight_init=([np.ones((2, 5)), np.ones((5, 1))],
                                                        [np.zeros(5), np.zeros(1)])),
     ValueError, "weight_init gives layers"),
    ("learning_rate_init 0", fit(learning_rate_init=0.0),
     ValueError, "'learning_rate_init' parameter.*\\(0.0, inf\\)"),
    ("learning_rate_init inf", fit(learning_rate_init=np.inf),
     ValueError, "'learning_rate_init' parameter"),
    ("learning_rate unknown", fit(solver="sgd", learning_rate="fast"),
     ValueError, "'learning_rate' parameter"),
    ("batch_size 0", fit(batch_size=0), ValueError, "'batch_size' parameter"),
    ("batch_size not an int", fit(batch_size="all"), ValueError, "'batch_size' parameter"),
    ("validation_fraction 1", fit(validation_fraction=1.0),
     ValueError, "'validation_fraction' parameter.*\\[0.0, 1.0\\)"),
    ("n_iter_no_change 0", fit(n_iter_no_change=0), ValueError, "'n_iter_no_change'"),
    ("max_iter 0", fit(max_iter=0), ValueError, "'max_iter' parameter"),
    ("tol negative", fit(tol=-1e-3), ValueError, "'tol' parameter"),
    ("momentum above 1", fit(solver="sgd", momentum=1.5), ValueError, "'momentum'"),
    ("beta_1 equal to 1", fit(beta_1=1.0), ValueError, "'beta_1' parameter"),
    ("epsilon 0", fit(epsilon=0.0), ValueError, "'epsilon' parameter"),
    ("activation unknown", fit(activation="swish"), ValueError, "'activation' parameter"),
    ("solver unknown", fit(solver="rmsprop"), ValueError, "'solver' parameter"),
    ("mc_samples 1", fit(mc_samples=1), ValueError, "'mc_samples' parameter"),
    ("return_std without dropout", lambda: fitted_regressor().predict(X, return_std=True),
     ValueError, "needs a network trained with dropout.*Refit with dropout > 0"),
    ("poisson with negative targets", fit(loss="poisson"),
     ValueError, "non-negative targets"),
    ("classifier partial_fit without classes", lambda: MLPClassifier(**FAST).partial_fit(
        X, LABELS), ValueError, "classes"),
    ("CV with an unknown scoring", lambda: MLPRegressorCV(scoring="nope", **FAST).fit(X, Y),
     ValueError, "scoring"),
]


@pytest.mark.parametrize("call, exception, pattern",
                         [case[1:] for case in BAD_INPUT],
                         ids=[case[0] for case in BAD_INPUT])
def test_bad_input_gets_a_clear_error(call, exception, pattern):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(exception, match=f"(?s){pattern}"):
            call()


# -- divergence -----------------------------------------------------------------


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_target_on_a_huge_scale_is_refused_with_the_fix(solver, early_stopping):
    model = MLPRegressor(solver=solver, early_stopping=early_stopping, **FAST)
    with pytest.raises(ValueError,
                       match="(?s)reaches [0-9.]+e\\+30.*TransformedTargetRegressor"):
        model.fit(X, Y * 1e30)
    assert not hasattr(model, "coefs_")


def test_the_same_target_scaled_fits():
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import StandardScaler

    model = TransformedTargetRegressor(
        regressor=MLPRegressor(hidden_layer_sizes=(10,), max_iter=500, random_state=0),
        transformer=StandardScaler()).fit(X, Y * 1e30)
    assert model.score(X, Y * 1e30) > 0.9


@pytest.mark.parametrize("Estimator, y", [(MLPRegressor, Y), (MLPClassifier, LABELS)])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_a_learning_rate_far_too_large_raises_with_the_fix(Estimator, y, solver):
    model = Estimator(solver=solver, learning_rate_init=1e4, **{**FAST, "max_iter": 50})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # nothing numpy-level leaks out
        with pytest.raises(ValueError, match="(?s)diverged.*lower learning_rate_init"):
            model.fit(X, y)
    assert not hasattr(model, "coefs_")


@pytest.mark.parametrize("Estimator, y", [(MLPRegressor, Y), (MLPClassifier, LABELS)])
def test_divergence_raises_the_librarys_own_error_type(Estimator, y):
    """FitDivergedError, a ValueError: code catching ValueError keeps working."""
    assert issubclass(FitDivergedError, ValueError)
    model = Estimator(solver="sgd", learning_rate_init=1e4, **{**FAST, "max_iter": 50})
    with pytest.raises(FitDivergedError, match="(?s)non-finite.*lower learning_rate_init"):
        model.fit(X, y)
    with pytest.raises(FitDivergedError, match="diverged"):  # within a few epochs
        for _ in range(50):
            model.partial_fit(X, y, **({"classes": np.unique(y)} if y is LABELS else {}))


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
@pytest.mark.parametrize("Estimator, y", [(MLPRegressor, Y), (MLPClassifier, LABELS)])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_divergence_is_judged_against_the_first_calls_loss(
        engine, Estimator, y, solver, monkeypatch):
    """The divergence rule's reference is the training's first one, not each
    call's: a second call on inputs a million (classifier: 1e10) times larger
    explodes against it and raises, leaving the estimator as it was (judged
    against its own start it would pass). (The log loss grows with the
    logits, the squared error with their square.)"""
    if engine == "numpy":
        monkeypatch.setenv("SKLEARN_MLPREG_ENGINE", "numpy")
    else:
        pytest.importorskip("numba")
        monkeypatch.delenv("SKLEARN_MLPREG_ENGINE", raising=False)
    if Estimator is MLPClassifier and solver == "adam":
        pytest.skip("Adam's steps stay learning_rate_init-sized and the clipped log "
                    "loss saturates at -log(eps) a sample: nothing explodes")
    extra = {"classes": np.unique(y)} if y is LABELS else {}
    scale = 1e10 if Estimator is MLPClassifier else 1e6
    model = Estimator(solver=solver, **FAST)
    model.partial_fit(X, y, **extra)
    before = pickle.dumps(model)
    with pytest.raises(FitDivergedError, match="diverged"):
        model.partial_fit(X * scale, y, **extra)
    assert pickle.dumps(model) == before


def test_lbfgs_divergence_is_a_fit_diverged_error_and_a_nan_score_in_the_cv():
    """L-BFGS fits one network at a time; the CV reads the error's type."""
    row = 1e200 * np.ones((1, X.shape[1]))  # overflows every product
    huge, target = np.vstack([row, X, row]), np.concatenate([[0.0], Y, [0.0]])
    with pytest.raises(FitDivergedError, match="iteration"):
        MLPRegressor(solver="lbfgs", **FAST).fit(huge, target)
    with pytest.warns(FitFailedWarning, match="2 of 2 fits diverged"):
        with pytest.raises(FitDivergedError, match="no alpha can be chosen"):
            MLPRegressorCV(alphas=[0.1], cv=2, solver="lbfgs", **FAST).fit(huge, target)


def test_cv_estimator_with_every_fit_diverging_raises():
    model = MLPRegressorCV(alphas=[0.1, 1.0], cv=2, solver="sgd", learning_rate_init=1e4,
                           hidden_layer_sizes=(5,), max_iter=30, random_state=0)
    with pytest.warns(FitFailedWarning, match="4 of 4 fits diverged"):
        with pytest.raises(FitDivergedError, match="no alpha can be chosen"):
            model.fit(X, Y)


@pytest.mark.parametrize("size", [10, 10_000])  # below and above SMALL_ARRAY
def test_all_finite_tells_overflowing_sums_from_infinite_values(size):
    from sklearn_mlpreg._checks import SMALL_ARRAY, all_finite

    assert (size > SMALL_ARRAY) == (size == 10_000)
    huge = np.full(size, 1e308)  # finite values whose sum overflows
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert all_finite(huge)
        assert not all_finite(with_value(huge, size - 1, np.inf))
        assert not all_finite(with_value(np.zeros(size), 0, np.nan))
        assert all_finite(np.zeros(size, dtype=np.float32))


@pytest.mark.parametrize("n_rows", [3, 9000])  # small outputs and summed large ones
def test_predictions_that_overflow_raise_instead_of_returning_inf(n_rows):
    model = fitted_regressor()
    extreme = X[np.arange(n_rows) % len(X)].copy()
    extreme[[0, n_rows // 2, -1]] = 1e308
    model.coefs_[0][:] = 10.0  # a network whose first layer overflows on such rows
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="overflowed.*3 row"):
            model.predict(extreme)
    assert np.isfinite(model.predict(X)).all()


EXTREMES = np.array([[-1e308, -1e30, -745.0, -1.0, 0.0, 1.0, 710.0, 1e30, 1e308]])


@pytest.mark.parametrize("name", sorted(set(ACTIVATIONS) | set(OUTPUT_ACTIVATIONS)))
def test_activations_are_stable_and_never_warn(name):
    table = OUTPUT_ACTIVATIONS if name in OUTPUT_ACTIVATIONS else ACTIVATIONS
    # numpy's warnings (overflow, invalid, divide) become errors; underflow to 0 is exact
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        if name == "exp":  # Poisson's inverse link may overflow, silently, to inf
            with np.errstate(over="ignore"):
                value = table[name].value(EXTREMES.copy())
            assert value[0, -1] == np.inf and value[0, 0] == 0.0
            return
        value = table[name].value(EXTREMES.copy())
        if name not in ("identity", "relu", "leaky_relu"):
            assert np.isfinite(value).all()
        if name in ACTIVATIONS:
            ACTIVATIONS[name].derivative(value.copy(), np.ones_like(value))
    if name in ("logistic", "softmax", "tanh"):
        assert (value >= -1).all() and (value <= 1).all()
    if name == "softmax":
        assert value.sum() == pytest.approx(1.0) and value[0, -1] == 1.0


@pytest.mark.parametrize("loss", ["log_loss", "binary_log_loss"])
def test_log_losses_of_certain_wrong_predictions_are_finite_and_silent(loss):
    Y_true = np.array([[[1.0, 0.0]]])
    P = np.array([[[0.0, 1.0]]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = LOSSES[loss].value(Y_true, P)
    assert np.isfinite(value).all() and value[0] > 10


# -- determinism ----------------------------------------------------------------

DETERMINISM = [
    ("adam", MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=3), Y),
    ("sgd-minibatch-dropout", MLPRegressor(hidden_layer_sizes=(8,), solver="sgd",
                                           batch_size=8, dropout=0.2, max_iter=30,
                                           random_state=3), Y),
    ("lbfgs-l1", MLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs", penalty="l1",
                              max_iter=30, random_state=3), Y),
    ("early-stopping-classifier", MLPClassifier(hidden_layer_sizes=(8,), max_iter=30,
                                                early_stopping=True, random_state=3),
     LABELS),
    ("cv", MLPRegressorCV(alphas=[0.01, 1.0], cv=3, hidden_layer_sizes=(8,), max_iter=30,
                          random_state=3), Y),
]


def fit_and_predict(model, X_fit, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = clone(model).fit(X_fit, y)
    X_pred = X_fit  # the training data's type and dtype
    output = (model.predict_proba(X_pred) if hasattr(model, "predict_proba")
              else model.predict(X_pred))
    network = getattr(model, "best_estimator_", model)
    return network.coefs_, output


@pytest.mark.parametrize("model, y", [case[1:] for case in DETERMINISM],
                         ids=[case[0] for case in DETERMINISM])
def test_same_random_state_gives_bit_identical_results(model, y):
    coefs, output = fit_and_predict(model, X, y)
    again_coefs, again = fit_and_predict(model, X, y)
    for W, W_again in zip(coefs, again_coefs):
        np.testing.assert_array_equal(W, W_again)
    np.testing.assert_array_equal(output, again)
    # pickled before fitting, and after
    from_pickle = fit_and_predict(pickle.loads(pickle.dumps(model)), X, y)[1]
    np.testing.assert_array_equal(from_pickle, output)
    # a DataFrame gives the same bits as the array
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    np.testing.assert_array_equal(fit_and_predict(model, frame, y)[1], output)
    # float32 data: the same up to float32 rounding
    single = fit_and_predict(model, X.astype(np.float32), y)[1]
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, output, rtol=2e-3, atol=2e-3 * np.abs(output).max())


@pytest.mark.parametrize("model, y", [case[1:] for case in DETERMINISM[:2]],
                         ids=[case[0] for case in DETERMINISM[:2]])
def test_a_clone_in_another_process_gives_the_same_result(model, y):
    here = fit_and_predict(model, X, y)[1]
    there = Parallel(n_jobs=2, backend="loky")(
        delayed(fit_and_predict)(model, X, y) for _ in range(2))
    for _, output in there:
        np.testing.assert_array_equal(output, here)


# -- memory -----------------------------------------------------------------------


def test_predict_on_ten_million_float32_rows_runs_in_bounded_memory():
    data = np.random.default_rng(0).standard_normal((2000, 4), dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPRegressor(hidden_layer_sizes=(100,), max_iter=5, random_state=0).fit(
            data, data.sum(axis=1))
    rows = np.random.default_rng(1).standard_normal((10_000_000, 4), dtype=np.float32)
    tracemalloc.start()
    try:
        predicted = model.predict(rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert predicted.shape == (10_000_000,) and predicted.dtype == np.float32
    # the output is 38 MiB; all-at-once hidden activations would be 3.8 GiB
    assert peak - predicted.nbytes < 16 * 2**20
    np.testing.assert_allclose(predicted[:1000], model.predict(rows[:1000]), rtol=1e-6)
