"""Property-based tests (hypothesis): whatever the shapes, network, activation,
penalty, dropout and dtype, a fit gives finite predictions of the right shape
and dtype, probabilities that sum to 1, and partial_fit steps that equal fit's
epochs where scikit-learn promises it."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlpreg import MLPClassifier, MLPRegressor

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True)


@st.composite
def problems(draw, classification=False):
    """Random data and hyper-parameters (a network small enough to fit fast)."""
    n_samples = draw(st.integers(2, 40))
    n_features = draw(st.integers(1, 5))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.RandomState(seed)
    X = rng.uniform(-3, 3, size=(n_samples, n_features)).astype(dtype)
    hidden = tuple(draw(st.lists(st.integers(1, 8), min_size=0, max_size=3)))
    solver = draw(st.sampled_from(["adam", "sgd", "lbfgs"]))
    dropout = 0.0 if solver == "lbfgs" or not hidden else draw(
        st.sampled_from([0.0, 0.1, 0.5]))
    params = dict(
        hidden_layer_sizes=hidden,
        activation=draw(st.sampled_from(["identity", "logistic", "tanh", "relu",
                                         "leaky_relu"])),
        solver=solver,
        penalty=draw(st.sampled_from(["l2", "l1", "elasticnet", None])),
        alpha=draw(st.sampled_from([0.0, 1e-4, 0.1, 10.0])),
        dropout=dropout,
        batch_size=draw(st.sampled_from(["auto", 1, 7])),
        max_iter=draw(st.integers(1, 15)),
        random_state=seed,
    )
    if classification:
        n_classes = draw(st.integers(2, min(4, n_samples)))
        y = np.arange(n_samples) % n_classes  # every class present
        rng.shuffle(y)
    else:
        n_outputs = draw(st.integers(1, 3))
        y = rng.uniform(-1, 1, size=(n_samples, n_outputs))
        y = y[:, 0] if n_outputs == 1 else y
    return X, y, params


def quietly(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return call()


@SETTINGS
@given(problems())
def test_regressor_predictions_are_finite_with_the_right_shape_and_dtype(problem):
    X, y, params = problem
    model = quietly(lambda: MLPRegressor(**params).fit(X, y))
    predicted = model.predict(X)
    assert predicted.shape == y.shape
    assert predicted.dtype == X.dtype
    assert np.isfinite(predicted).all()
    assert all(W.dtype == X.dtype for W in model.coefs_)


@SETTINGS
@given(problems(classification=True))
def test_classifier_probabilities_are_finite_and_sum_to_one(problem):
    X, y, params = problem
    model = quietly(lambda: MLPClassifier(**params).fit(X, y))
    proba = model.predict_proba(X)
    assert proba.shape == (len(y), len(np.unique(y)))
    assert np.isfinite(proba).all() and (proba >= 0).all() and (proba <= 1).all()
    tolerance = 1e-5 if X.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=tolerance)
    assert set(model.predict(X)) <= set(y)


@SETTINGS
@given(problems(), st.booleans())
def test_partial_fit_twice_equals_fit_for_two_epochs(problem, shuffle):
    """scikit-learn's promise holds when the epochs see the same batches in the same
    order: full batches, or no shuffling (and no dropout masks to draw)."""
    X, y, params = problem
    params.update(solver="adam" if params["solver"] == "lbfgs" else params["solver"],
                  dropout=0.0, max_iter=2, shuffle=shuffle, tol=0.0,
                  n_iter_no_change=np.inf)
    if shuffle:
        params["batch_size"] = len(X)
    fitted = quietly(lambda: MLPRegressor(**params).fit(X, y))
    stepped = MLPRegressor(**params).partial_fit(X, y).partial_fit(X, y)
    for W_fit, W_step in zip(fitted.coefs_, stepped.coefs_):
        np.testing.assert_array_equal(W_step, W_fit)
    np.testing.assert_array_equal(stepped.predict(X), fitted.predict(X))
    assert stepped.loss_curve_ == fitted.loss_curve_ and len(fitted.loss_curve_) == 2
    assert stepped.t_ == fitted.t_
