"""The 'cosine' learning-rate schedule of both stochastic solvers."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler

from sklearn_mlpreg import MLPClassifier, MLPRegressor
from sklearn_mlpreg._engine import SGD, Adam
from sklearn_mlpreg._engine.optimizers import cosine_factor

RNG = np.random.RandomState(0)
X = RNG.randn(40, 4)
Y = X[:, 0] - X[:, 1] ** 2 + 0.1 * RNG.randn(40)


def formula(eta_0, epoch, horizon):
    """The documented rate of epoch ``epoch`` (0-based) of ``horizon``."""
    return eta_0 * (1 + np.cos(np.pi * min(epoch, horizon) / horizon)) / 2


def test_the_factor_runs_from_one_to_zero():
    assert cosine_factor(0, 10) == 1.0
    assert cosine_factor(5, 10) == pytest.approx(0.5)
    assert cosine_factor(10, 10) == pytest.approx(0.0, abs=1e-15)
    assert cosine_factor(25, 10) == cosine_factor(10, 10)  # stays at the end


def test_sgd_rate_at_every_epoch_is_the_formula():
    optimizer = SGD(2, 3, np.float64, learning_rate_init=[0.1, 0.1],
                    schedule=["cosine", "constant"], horizon=[7, 7])
    for epoch in range(10):
        assert optimizer.begin_step()[0] == pytest.approx(formula(0.1, epoch, 7), abs=1e-16)
        assert optimizer.begin_step()[1] == 0.1  # the other model keeps its rate
        optimizer.iteration_ends(samples_seen=np.full(2, 40 * (epoch + 1)))


def test_adam_anneals_its_eta_at_every_epoch():
    optimizer = Adam(1, 3, np.float64, learning_rate_init=0.01, schedule="cosine", horizon=5)
    for epoch in range(7):
        t = epoch + 1  # one step per epoch
        expected = formula(0.01, epoch, 5) * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        assert optimizer.begin_step()[0] == pytest.approx(expected, rel=1e-14, abs=1e-18)
        optimizer.iteration_ends(samples_seen=np.array([40.0]))


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_a_fit_takes_the_schedules_rate_in_every_epoch(solver):
    """partial_fit runs one epoch per call: the optimizer's rate before each call is the
    formula's for that epoch (Adam's eta: its bias-corrected step over the correction)."""
    model = MLPRegressor(hidden_layer_sizes=(5,), solver=solver, learning_rate="cosine",
                         learning_rate_init=0.02, max_iter=6, random_state=0)
    for epoch in range(8):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.partial_fit(X, Y)
        optimizer = model._optimizer
        rate = optimizer.learning_rate[0]
        if solver == "adam":
            t = optimizer.t
            rate = rate / (np.sqrt(1 - 0.999**t) / (1 - 0.9**t))
            epoch_of_last_step = epoch
        else:  # SGD holds the next epoch's rate
            epoch_of_last_step = epoch + 1
        assert rate == pytest.approx(formula(0.02, epoch_of_last_step, 6), abs=1e-15)


def test_the_first_epoch_equals_the_constant_rate():
    constant, cosine = (MLPRegressor(hidden_layer_sizes=(5,), max_iter=1, random_state=0,
                                     learning_rate=schedule).fit(X, Y)
                        for schedule in ("constant", "cosine"))
    for a, b in zip(constant.coefs_, cosine.coefs_):
        np.testing.assert_array_equal(a, b)


def test_lbfgs_refuses_the_schedule_with_what_to_do():
    with pytest.raises(ValueError, match="learning_rate='cosine'.*L-BFGS takes no step"):
        MLPRegressor(solver="lbfgs", learning_rate="cosine").fit(X, Y)
    with pytest.raises(ValueError, match="L-BFGS"):
        MLPClassifier(solver="lbfgs", learning_rate="cosine").fit(X, Y > 0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cosine_beats_the_constant_rate_at_equal_epochs(seed):
    """Adam at a rate too large to settle (0.03, batches of 32, 100 epochs on the
    diabetes data): the constant rate keeps bouncing, the annealed one settles to a
    training loss less than half as large."""
    X_d, y_d = load_diabetes(return_X_y=True)
    X_d = StandardScaler().fit_transform(X_d)
    y_d = (y_d - y_d.mean()) / y_d.std()
    losses = {}
    for schedule in ("constant", "cosine"):
        model = MLPRegressor(hidden_layer_sizes=(64,), learning_rate=schedule,
                             learning_rate_init=0.03, batch_size=32, max_iter=100, tol=0,
                             n_iter_no_change=1000, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            losses[schedule] = model.fit(X_d[:300], y_d[:300]).loss_
    assert losses["cosine"] < 0.6 * losses["constant"]
