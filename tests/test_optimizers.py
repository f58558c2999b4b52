"""SGD and Adam on the flat buffer take scikit-learn's steps."""

import numpy as np
import pytest
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from sklearn_mlpreg._engine.optimizers import SGD, Adam

SHAPES = [(3, 4), (4,)]


def sequences(seed=0, steps=5):
    rng = np.random.RandomState(seed)
    params = [rng.normal(size=s) for s in SHAPES]
    grads = [[rng.normal(size=s) for s in SHAPES] for _ in range(steps)]
    return params, grads


def flat(arrays):
    return np.concatenate([a.ravel() for a in arrays])[None]


@pytest.mark.parametrize("nesterov", [True, False])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_matches_scikit_learn(momentum, nesterov):
    params, grads = sequences()
    ours = flat(params)
    theirs = [p.copy() for p in params]
    sk = SGDOptimizer(theirs, 0.1, "constant", momentum, nesterov)
    opt = SGD(1, ours.shape[1], np.float64, 0.1, "constant", momentum, nesterov)
    for g in grads:
        sk.update_params(theirs, g)
        opt.step(ours, flat(g))
    np.testing.assert_allclose(ours, flat(theirs), rtol=1e-13)


def test_adam_matches_scikit_learn():
    params, grads = sequences()
    ours = flat(params)
    theirs = [p.copy() for p in params]
    sk = AdamOptimizer(theirs, 0.01)
    opt = Adam(1, ours.shape[1], np.float64, 0.01)
    for g in grads:
        sk.update_params(theirs, g)
        opt.step(ours, flat(g))
    np.testing.assert_allclose(ours, flat(theirs), rtol=1e-13)
    assert opt.learning_rate[0] == pytest.approx(sk.learning_rate)
    # the moments are scikit-learn's m and v themselves, not rescaled copies
    np.testing.assert_allclose(opt.ms, flat(sk.ms), rtol=1e-13)
    np.testing.assert_allclose(opt.vs, flat(sk.vs), rtol=1e-13)


def test_invscaling_schedule():
    opt = SGD(2, 3, np.float64, 0.5, "invscaling", power_t=0.25)
    opt.iteration_ends(np.array([8, 80]))
    np.testing.assert_allclose(opt.learning_rate, [0.5 / 9**0.25, 0.5 / 81**0.25])


def test_adaptive_divides_by_five_then_stops():
    opt = SGD(2, 3, np.float64, 1e-5, "adaptive")
    np.testing.assert_array_equal(opt.trigger_stopping(np.array([0])), [False])
    np.testing.assert_allclose(opt.learning_rate, [2e-6, 1e-5])
    assert not opt.trigger_stopping(np.array([0]))[0]  # 2e-6 -> 4e-7
    assert opt.trigger_stopping(np.array([0]))[0]  # 4e-7 <= 1e-6: stop
    assert Adam(1, 3, np.float64).trigger_stopping(np.array([0]))[0]


@pytest.mark.parametrize("make", [lambda: SGD(3, 4, np.float64, 0.1),
                                  lambda: Adam(3, 4, np.float64, 0.1)])
def test_select_keeps_the_state_of_the_remaining_models(make):
    rng = np.random.RandomState(0)
    grads = rng.normal(size=(3, 4))
    full, part = make(), make()
    p_full, p_part = np.zeros((3, 4)), np.zeros((3, 4))
    full.step(p_full, grads)
    part.step(p_part, grads)
    part.select(np.array([0, 2]))
    p_part = p_part[[0, 2]]
    full.step(p_full, grads)
    part.step(p_part, grads[[0, 2]])
    np.testing.assert_allclose(p_part, p_full[[0, 2]])
