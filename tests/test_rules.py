"""The rules of :mod:`sklearn_mlpreg._engine.rules`: one text, the same numbers
compiled (one model's scalars) and in Python (arrays of K models)."""

import math

import numpy as np
import pytest

from sklearn_mlpreg._engine import rules
from sklearn_mlpreg._engine.jit import in_namespace, njit, plain
from sklearn_mlpreg._engine.optimizers import cosine_factor

RNG = np.random.RandomState(0)


def both(rule, *arrays):
    """The rule on arrays (Python) and model by model (compiled, or Python
    without numba)."""
    vectorized = np.asarray(plain(rule)(*arrays))
    scalar = np.array([rule(*(a[i] for a in arrays)) for i in range(len(arrays[0]))])
    return vectorized, scalar


def test_schedules_and_correction_agree():
    epochs, horizon = np.arange(12.0), np.full(12, 7.0)
    vectorized, scalar = both(rules.cosine_share, epochs, horizon)
    np.testing.assert_array_equal(vectorized, cosine_factor(epochs, horizon))
    np.testing.assert_allclose(scalar, vectorized, rtol=1e-15)
    assert scalar[0] == 1.0 and scalar[-1] == scalar[7]  # stays at the end
    t = RNG.uniform(0, 1e4, 9)
    vectorized, scalar = both(rules.invscaling_rate, np.full(9, 0.1), t, np.full(9, 0.5))
    np.testing.assert_allclose(vectorized, 0.1 / (t + 1) ** 0.5, rtol=1e-15)
    np.testing.assert_allclose(scalar, vectorized, rtol=1e-15)
    for step in (1, 2, 10, 1000):  # Python floats: the C library's pow, as compiled
        expected = 1e-3 * math.sqrt(1 - 0.999**step) / (1 - 0.9**step)
        assert rules.adam_step_size(1e-3, float(step), 0.9, 0.999) == expected
        assert plain(rules.adam_step_size)(1e-3, step, 0.9, 0.999) == expected


def test_stopping_and_divergence_rules_agree():
    loss = np.array([1.0, np.nan, np.inf, 2e7, 2e7, 0.5])
    first = np.full(6, 10.0)
    guard = np.array([True, True, True, True, False, True])
    vectorized, scalar = both(rules.is_diverged, loss, first, guard)
    np.testing.assert_array_equal(vectorized, [False, True, True, True, False, False])
    np.testing.assert_array_equal(scalar.astype(bool), vectorized)
    best, tol = np.array([1.0, 1.0, 1.0]), np.full(3, 1e-4)
    vectorized, scalar = both(rules.loss_stalled, np.array([0.5, 0.99995, 2.0]), best, tol)
    np.testing.assert_array_equal(vectorized, [False, True, True])
    np.testing.assert_array_equal(scalar.astype(bool), vectorized)
    vectorized, scalar = both(rules.score_stalled, np.array([0.5, np.nan, 2.0]), best, tol)
    np.testing.assert_array_equal(vectorized, [True, False, False])  # NaN compares False
    np.testing.assert_array_equal(scalar.astype(bool), vectorized)
    vectorized, scalar = both(rules.next_count, np.array([3, 3]), np.array([True, False]))
    np.testing.assert_array_equal(vectorized, [4, 0])
    np.testing.assert_array_equal(scalar, vectorized)
    assert rules.epoch_status(True, 99.0, 2.0) == rules.DIVERGED
    assert rules.epoch_status(False, 3.0, 2.0) == rules.CONVERGED
    assert rules.epoch_status(False, 2.0, 2.0) == rules.TRAINING


def test_reference_loss_is_the_trainings_first_loss():
    """A partial_fit call keeps the training's first loss (finite); a fit, a warm
    start or the first call carries NaN and takes the first epoch's |loss|."""
    carried, loss = np.array([np.nan, 2.5, np.nan]), np.array([-3.0, 7.0, np.inf])
    scalar = np.array([rules.reference_loss(c, v) for c, v in zip(carried, loss)])
    np.testing.assert_array_equal(scalar, [3.0, 2.5, np.inf])


def test_both_executions_start_the_divergence_rule_from_the_carried_loss():
    """Both read the state's reference (set when a fit starts, kept by
    partial_fit); a NaN one takes the first epoch's |loss|."""
    from sklearn_mlpreg._engine.settings import progress_records
    from sklearn_mlpreg._engine.state import Progress, TrainingState

    state = TrainingState(2)
    state.first_loss[:] = [2.0, np.nan]
    progress = Progress(state)
    diverged = progress.end_epoch(np.array([-1.0, 4.0]), 10, guard_explosion=True)
    np.testing.assert_array_equal(progress.first_loss, [2.0, 4.0])
    assert not diverged.any()
    state.optimizer = type("Optimizer", (), {"learning_rate": np.full(2, 0.1)})()
    np.testing.assert_array_equal(progress_records(state)["first_loss"], [2.0, np.nan])


def test_the_kept_weights_are_judged_against_the_reference():
    """fit: over WORSE_THAN_START times the reference, or non-finite, is
    diverged (also after early stopping restored its best); partial_fit: over
    EXPLOSION_FACTOR times. A model diverged in an epoch keeps its loss."""
    from sklearn_mlpreg._engine.state import TrainingState

    kept = np.array([5.0, 50.0, np.inf, 50.0, 1e9])
    for incremental, expected in ((False, [rules.CONVERGED, rules.DIVERGED, rules.DIVERGED,
                                           rules.DIVERGED, rules.DIVERGED]),
                                  (True, [rules.CONVERGED, rules.MAX_ITER, rules.DIVERGED,
                                          rules.DIVERGED_RESTORED, rules.DIVERGED])):
        state = TrainingState(5)
        state.first_loss[:] = 1.0 if not incremental else [1.0, 1.0, 1.0, 1.0, 1e-3]
        state.status[:] = [rules.CONVERGED, rules.MAX_ITER, rules.CONVERGED,
                           rules.DIVERGED_RESTORED, rules.DIVERGED]
        state.last_loss[:] = 7.0
        state.judge_ending(kept, incremental)
        np.testing.assert_array_equal(state.status, expected)
        np.testing.assert_array_equal(state.last_loss[state.status == rules.DIVERGED][:-1],
                                      kept[state.status == rules.DIVERGED][:-1])
        assert state.last_loss[-1] == 7.0


def test_final_status():
    statuses = np.array([rules.TRAINING, rules.CONVERGED, rules.MAX_ITER, rules.DIVERGED,
                         rules.DIVERGED_RESTORED])
    vectorized, scalar = both(rules.final_status, statuses)
    expected = [rules.MAX_ITER, rules.CONVERGED, rules.MAX_ITER, rules.DIVERGED,
                rules.DIVERGED_RESTORED]
    np.testing.assert_array_equal(vectorized, expected)
    np.testing.assert_array_equal(scalar, expected)


def test_stop_message():
    assert rules.stop_message(False, 1e-4, 10, " Stopping.") == (
        "Training loss did not improve more than tol=0.000100 for 10 consecutive epochs."
        " Stopping.")
    assert rules.stop_message(True, 0.0, 3, "").startswith("Validation score")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_soft_threshold_agrees_in_every_namespace(dtype):
    w = np.array([-2.0, -0.3, -0.0, 0.0, 0.05, 0.3, 2.0, np.inf, -np.inf, np.nan],
                 dtype=dtype)
    threshold = np.full_like(w, 0.1)
    vectorized, scalar = both(rules.soft_threshold, w, threshold)
    expected = np.copysign(np.maximum(np.abs(w) - threshold, 0), w)
    assert vectorized.dtype == dtype
    np.testing.assert_array_equal(vectorized, expected)
    np.testing.assert_array_equal(np.signbit(vectorized), np.signbit(expected))
    np.testing.assert_array_equal(scalar.astype(dtype), expected)
    xp = pytest.importorskip("array_api_strict")
    strict = in_namespace(rules.soft_threshold, xp)(xp.asarray(w), xp.asarray(threshold))
    np.testing.assert_array_equal(np.asarray(strict), expected)
    assert in_namespace(rules.soft_threshold, np) is plain(rules.soft_threshold)


def test_constants_and_codes_are_the_ones_the_engine_uses():
    from sklearn_mlpreg._engine import activations, state

    assert activations.LEAKY_RELU_SLOPE is rules.LEAKY_RELU_SLOPE
    assert state.EXPLOSION_FACTOR is rules.EXPLOSION_FACTOR
    assert set(rules.HIDDEN_CODES) == set(activations.ACTIVATIONS)
    assert set(rules.OUTPUT_CODES) == set(activations.OUTPUT_ACTIVATIONS)
    assert len(set(rules.HIDDEN_CODES.values())) == len(rules.HIDDEN_CODES)
    A = np.array([[[0.01, 0.5], [0.995, 0.5]]])  # logistic outputs
    assert activations.saturation("logistic", A)[0] == 0.5
    if njit is not None:
        assert hasattr(rules.cosine_share, "py_func")  # compiled where numba is


# -- the element-wise formulas of formulas.py ------------------------------------------

A_VALUES = np.array([-800.0, -3.0, -0.5, -0.0, 0.0, 1e-300, 0.25, 0.5, 0.99, 3.0, 800.0])
B_VALUES = np.linspace(-2.0, 2.0, A_VALUES.size)
FORMULA_ARGS = {
    "logistic": lambda a, b: (a,), "tanh": lambda a, b: (a,), "relu": lambda a, b: (a,),
    "exp": lambda a, b: (np.clip(a, -50, 50),),
    "leaky_relu": lambda a, b: (a, rules.LEAKY_RELU_SLOPE),
    "relu_backprop": lambda a, b: (a, b), "tanh_backprop": lambda a, b: (a, b),
    "logistic_backprop": lambda a, b: (a, b),
    "leaky_relu_backprop": lambda a, b: (a, b, rules.LEAKY_RELU_SLOPE),
    "logistic_saturated": lambda a, b: (np.abs(a) % 1, rules.LOGISTIC_SATURATION),
    "tanh_saturated": lambda a, b: (np.tanh(a), rules.TANH_SATURATION),
    "half_squared_error": lambda a, b: (a, b), "output_delta": lambda a, b: (a, b),
    "poisson_deviance": lambda a, b: (np.exp(B_VALUES), np.abs(np.round(a, 0)) % 5),
    "binary_cross_entropy": lambda a, b: (np.abs(a) % 1, (a > 0) * 1.0, 2.0**-52),
    "cross_entropy": lambda a, b: (np.abs(a) % 1, (a > 0) * 1.0, 2.0**-52),
    "sgd_velocity": lambda a, b: (b, a * 1e-3, 0.9),
    "nesterov_position": lambda a, b: (a, b, a * 1e-3, 0.9),
    "adam_first_moment": lambda a, b: (b, a, 0.9, 0.1),
    "adam_second_moment": lambda a, b: (np.abs(b), a, 0.999, 1 - 0.999),
    "adam_step_size": lambda a, b: (np.abs(b), 1e-3, 1e-8),
    "adam_step": lambda a, b: (a, np.abs(b), 1e-3, 1e-8),
}


def test_every_formula_is_tested():
    from sklearn_mlpreg._engine import formulas

    defined = {name for name, value in vars(formulas).items()
               if hasattr(value, "py_func") or (callable(value) and
                                                getattr(value, "__module__", "") ==
                                                formulas.__name__)}
    assert defined == set(FORMULA_ARGS)


@pytest.mark.parametrize("name", sorted(FORMULA_ARGS))
def test_formula_is_the_same_compiled_on_scalars_and_on_arrays(name):
    """One text: compiled on one element (the kernels' loops), on numpy arrays and
    on array_api_strict arrays (the reference), the same numbers (to the last
    bit but for exp, log and tanh, whose libm and numpy's SIMD versions may
    differ by an ulp)."""
    from sklearn_mlpreg._engine import formulas

    formula = getattr(formulas, name)
    args = FORMULA_ARGS[name](A_VALUES, B_VALUES)
    arrays = [np.broadcast_to(np.asarray(x, dtype=float), A_VALUES.shape) for x in args]
    with np.errstate(all="ignore"):
        on_arrays = np.asarray(plain(formula)(*args), dtype=float)
        on_scalars = np.array([formula(*(float(x[i]) for x in arrays))
                               for i in range(A_VALUES.size)], dtype=float)
    np.testing.assert_allclose(on_scalars, on_arrays, rtol=1e-15, atol=0)
    xp = pytest.importorskip("array_api_strict")
    with np.errstate(all="ignore"):
        strict = in_namespace(formula, xp)(
            *(xp.asarray(x) if isinstance(x, np.ndarray) else x for x in args))
    np.testing.assert_array_equal(np.asarray(strict, dtype=float), on_arrays)
