"""The training loop: K stacked models are K independent trainings."""

import numpy as np
import pytest

from sklearn_mlpreg._engine.initializers import initialize
from sklearn_mlpreg._engine.network import Architecture
from sklearn_mlpreg._engine.optimizers import SGD, Adam
from sklearn_mlpreg._engine.state import CONVERGED, DIVERGED, MAX_ITER, TrainingState
from sklearn_mlpreg._engine.training import train
from sklearn_mlpreg._engine.types import TrainingConfig, TrainingData

RNG = np.random.RandomState(0)
X = RNG.normal(size=(40, 3))
Y = (np.sin(X[:, :1]) + 0.1 * RNG.normal(size=(40, 1)))
UNITS = [3, 8, 1]
ARCH = Architecture(tuple(UNITS), "tanh", "identity")
LAYOUT = ARCH.layout


def start(seed):
    coefs, intercepts = initialize(UNITS, np.random.RandomState(seed))
    return LAYOUT.pack(coefs, intercepts, LAYOUT.empty(1, np.float64))


def config(alpha, **kwargs):
    base = dict(loss="squared_error", score="r2",
                alpha=np.atleast_1d(alpha).astype(float), max_iter=30,
                tol=0.0, n_iter_no_change=np.inf)
    base.update(kwargs)
    return TrainingConfig(**base)


def run(data, params, cfg, seeds, optimizer=None):
    K = params.shape[0]
    optimizer = optimizer or Adam(K, LAYOUT.n_params, np.float64, 0.01)
    state = TrainingState(K, optimizer)
    rngs = [np.random.RandomState(s) for s in seeds]
    train(ARCH, data, params, state, cfg, rngs)
    return params, state


FOLDS = [np.arange(40) % 4 != k for k in range(4)]  # 4 folds, 30 training rows each
ALPHAS = np.array([0.0, 1.0, 10.0, 100.0])


@pytest.mark.parametrize("batch_size", [None, 7])
def test_stacked_models_equal_models_trained_alone(batch_size):
    """Model k (its own alpha, fold and random stream) is the network trained alone."""
    params = np.concatenate([start(k) for k in range(4)])
    if batch_size is None:  # full batch: folds as per-model sample weights
        data = TrainingData(X, Y, sample_weight=np.array(FOLDS, dtype=float))
    else:  # mini-batches: each model draws its batches from its own rows
        data = TrainingData(X, Y, rows=np.array([np.flatnonzero(f) for f in FOLDS]))
    stacked, state = run(data, params, config(ALPHAS, batch_size=batch_size),
                         seeds=range(10, 14))
    for k, fold in enumerate(FOLDS):
        alone, solo_state = run(TrainingData(X[fold], Y[fold]), start(k),
                                config(ALPHAS[k], batch_size=batch_size), seeds=[10 + k])
        np.testing.assert_allclose(stacked[k], alone[0], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(state.curve("loss", k), solo_state.curve("loss"),
                                   rtol=1e-10)
    assert (state.status == MAX_ITER).all() and (state.n_iter == 30).all()


def test_each_model_stops_on_its_own_and_keeps_its_best_weights():
    val = np.arange(40) % 5 == 0
    params = np.concatenate([start(k) for k in range(3)])
    cfg = config(np.array([0.0, 0.0, 0.0]), early_stopping=True, tol=1e-4,
                 n_iter_no_change=2, max_iter=300, batch_size=None)
    learning_rates = [0.2, 0.05, 0.01]
    optimizer = SGD(3, LAYOUT.n_params, np.float64, 0.1, momentum=0.0)
    optimizer.learning_rate = np.array(learning_rates)
    data = TrainingData(X[~val], Y[~val], X_val=X[val], Y_val=Y[val])
    stacked, state = run(data, params, cfg, seeds=[1, 2, 3], optimizer=optimizer)
    assert len(set(state.n_iter)) > 1, "the models should stop at different epochs"
    assert (state.status == CONVERGED).all()
    for k in range(3):
        opt = SGD(1, LAYOUT.n_params, np.float64, learning_rates[k], momentum=0.0)
        alone, solo = run(TrainingData(X[~val], Y[~val], X_val=X[val], Y_val=Y[val]),
                          start(k), config(0.0, early_stopping=True, tol=1e-4,
                                           n_iter_no_change=2, max_iter=300),
                          seeds=[k + 1], optimizer=opt)
        assert solo.n_iter[0] == state.n_iter[k]
        np.testing.assert_allclose(state.curve("validation_score", k),
                                   solo.curve("validation_score"), rtol=1e-10)
        np.testing.assert_allclose(stacked[k], alone[0], rtol=1e-10, atol=1e-12)
        assert state.best_validation_score[k] == max(state.curve("validation_score", k))


def test_a_diverging_model_does_not_disturb_the_others():
    params = np.concatenate([start(0), start(1)])
    optimizer = SGD(2, LAYOUT.n_params, np.float64, 0.05, momentum=0.0)
    optimizer.learning_rate = np.array([0.05, 1e6])
    with np.errstate(all="ignore"):
        stacked, state = run(TrainingData(X, Y), params, config(np.zeros(2), max_iter=60),
                             seeds=[0, 1], optimizer=optimizer)
    assert state.status[1] == DIVERGED and state.status[0] == MAX_ITER
    curve = state.curve("loss", 1)
    assert state.n_iter[1] < 60
    assert not np.isfinite(curve[-1]) or curve[-1] > 1e6 * curve[0]
    alone, _ = run(TrainingData(X, Y), start(0), config(0.0, max_iter=60), seeds=[0],
                   optimizer=SGD(1, LAYOUT.n_params, np.float64, 0.05, momentum=0.0))
    np.testing.assert_allclose(stacked[0], alone[0], rtol=1e-12)


def test_a_loss_that_ends_far_above_its_start_is_divergence_not_convergence():
    """Weight decay overshoots (eta alpha / n = 2.5 > 2): the loss grows for ten
    epochs yet stays finite, and the no-improvement rule would stop the
    training and call it converged."""
    optimizer = SGD(1, LAYOUT.n_params, np.float64, 0.01, momentum=0.0)
    defaults = dict(max_iter=200, n_iter_no_change=10, tol=1e-4)
    with np.errstate(all="ignore"):
        _, state = run(TrainingData(X, Y), start(0), config(1e4, **defaults), seeds=[0],
                       optimizer=optimizer)
    curve = state.curve("loss")
    assert state.status[0] == DIVERGED and state.n_iter[0] < 200
    assert np.isfinite(curve[-1]) and curve[-1] > 10 * curve[0]
    optimizer = SGD(1, LAYOUT.n_params, np.float64, 0.01, momentum=0.0)
    _, healthy = run(TrainingData(X, Y), start(0), config(1e3, **defaults), seeds=[0],
                     optimizer=optimizer)
    assert healthy.status[0] == CONVERGED  # strong decay, but a stable step


def test_no_improvement_rule_counts_like_scikit_learn():
    """Stops when the loss has not improved by tol for more than n_iter_no_change epochs.

    The first epoch always improves on the initial best (infinity), so with a
    huge tol the count reaches n_iter_no_change + 1 at epoch n_iter_no_change + 2.
    """
    _, state = run(TrainingData(X, Y), start(0),
                   config(0.0, tol=1e9, n_iter_no_change=4, max_iter=100), seeds=[0])
    assert state.n_iter[0] == 6 and state.no_improvement_count[0] == 5
    assert state.status[0] == CONVERGED
    assert "did not improve more than tol" in state.messages[0][-1]
