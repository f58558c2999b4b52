"""Every per-model rule of a training, once: constants, codes, schedules, Adam's
bias correction, the stopping and divergence rules, the proximal L1 and group steps.

Each rule is one small function compiled with :func:`.jit.jit`. The compiled
loop (:mod:`.compiled`) calls it on one model's scalars; the reference
(:mod:`.optimizers`, :mod:`.state`, :mod:`.penalties`, :mod:`.training`)
calls the same text through :func:`.jit.plain` on whole arrays (one value per
model) or on Python floats: the formulas are written with operators and
numpy functions that mean the same on a scalar and on an array. A rule that
acts on the parameters themselves (:func:`soft_threshold`) names its array
functions through ``xp``, which :func:`.jit.in_namespace` binds to the
arrays' Array API namespace (numpy here and in compiled code). Changing a
rule here changes it for every execution (after ``python
scripts/refresh_cache_key.py``, which makes numba's disk cache compile the
kernels that inline it anew; see :mod:`.jit`).

The element-wise formulas (activations, derivatives, losses, the optimizers'
update of one parameter) live beside, in :mod:`.formulas`.
"""

from __future__ import annotations

import math

import numpy as np

from .jit import jit

#: See :mod:`.jit`: numba compiles this file anew when any compiled source changes.
CACHE_KEY = "f4a963a9338b8588"

xp = np  # the array namespace of the rules written for any (see jit.in_namespace)

# -- codes and constants --------------------------------------------------------

#: Model status codes after training.
TRAINING, CONVERGED, MAX_ITER, DIVERGED, DIVERGED_RESTORED = range(5)

#: Without early stopping, a loss this many times the training's reference loss
#: (:func:`reference_loss`: the loss of its starting point, or of an all-zero
#: output when larger; a ``partial_fit`` sequence keeps its first call's) stops
#: a training as diverged while it is still finite. A training that ends with
#: weights that trained at over ``WORSE_THAN_START`` times the reference has
#: diverged too, whatever stopped it: a blown-up loss can stop on the
#: no-improvement rule and pass for convergence, and early stopping would
#: restore the best of epochs that all exploded.
EXPLOSION_FACTOR = 1e6
WORSE_THAN_START = 10.0

#: Slope of ``leaky_relu`` for negative inputs.
LEAKY_RELU_SLOPE = 0.01
#: A unit is saturated on a sample when ``f'(z)`` is below 5% of its maximum:
#: ``A (1 - A) < 0.05 / 4`` (logistic), ``1 - A^2 < 0.05`` (tanh).
LOGISTIC_SATURATION = 0.0125
TANH_SATURATION = 0.05

#: Hidden activations, output activations, losses and optimizers as the compiled
#: kernels name them.
IDENTITY, LOGISTIC, TANH, RELU, LEAKY_RELU = range(5)
HIDDEN_CODES = {"identity": IDENTITY, "logistic": LOGISTIC, "tanh": TANH, "relu": RELU,
                "leaky_relu": LEAKY_RELU}
OUT_IDENTITY, OUT_LOGISTIC, OUT_SOFTMAX, OUT_EXP = range(4)
OUTPUT_CODES = {"identity": OUT_IDENTITY, "logistic": OUT_LOGISTIC,
                "softmax": OUT_SOFTMAX, "exp": OUT_EXP}
SQUARED_ERROR, POISSON, BINARY_LOG_LOSS, LOG_LOSS = range(4)
LOSS_CODES = {"squared_error": SQUARED_ERROR, "poisson": POISSON,
              "binary_log_loss": BINARY_LOG_LOSS, "log_loss": LOG_LOSS}
ADAM, SGD_MOMENTUM = 0, 1


# -- step-size schedules ----------------------------------------------------------

@jit
def cosine_share(epoch: float, horizon: float) -> float:
    """The cosine schedule's share of ``eta_0`` during epoch ``e`` (0-based) of
    ``T``: ``(1 + cos(pi min(e, T) / T)) / 2``."""
    return 0.5 * (1.0 + np.cos(np.pi * np.minimum(epoch, horizon) / horizon))


@jit
def invscaling_rate(eta_0: float, t: float, power_t: float) -> float:
    """SGD's ``invscaling`` step size after ``t`` samples: ``eta_0 / (t + 1)^power_t``."""
    return eta_0 / (t + 1.0) ** power_t


@jit
def adam_step_size(eta: float, t: float, beta_1: float, beta_2: float) -> float:
    """Adam's bias-corrected step size of step ``t`` (1-based), scikit-learn's
    ``eta sqrt(1 - b2^t) / (1 - b1^t)``.

    Called with Python floats, ``**`` is the C library's ``pow``, as in the
    compiled code (numpy's vectorized power may differ in the last bit);
    ``eta`` may be an array.
    """
    return eta * math.sqrt(1.0 - beta_2**t) / (1.0 - beta_1**t)


# -- the stopping and divergence rules ----------------------------------------------

@jit
def reference_loss(carried: float, loss: float) -> float:
    """The loss the divergence rule compares with, fixed at a call's first epoch
    (``loss``): the reference ``carried`` in the training state when it is
    finite -- a fresh ``fit`` or warm start sets it to its starting loss
    (:meth:`.stack.TrainingLoss.reference`), ``partial_fit`` calls keep their
    first call's -- else ``|loss|`` (a start whose loss already overflowed).
    (One model's scalars; the reference maps it over its models once per call.)"""
    if np.isfinite(carried):
        return carried
    return abs(loss)


@jit
def is_diverged(loss: float, first_loss: float, guard: bool) -> bool:
    """The divergence rule of one epoch: a non-finite loss, or, with ``guard``
    (no early stopping), a loss over ``EXPLOSION_FACTOR`` times the training's
    first loss (:func:`reference_loss`)."""
    return np.logical_not(np.isfinite(loss)) | (guard & (loss > EXPLOSION_FACTOR * first_loss))


@jit
def loss_stalled(loss: float, best_loss: float, tol: float) -> bool:
    """scikit-learn's test on the training loss: no improvement by ``tol``."""
    return loss > best_loss - tol


@jit
def score_stalled(score: float, best_score: float, tol: float) -> bool:
    """scikit-learn's test on the validation score: no improvement by ``tol``
    (a NaN score compares False)."""
    return score < best_score + tol


@jit
def next_count(count: float, stalled: bool) -> float:
    """The patience count after an epoch: one more if it ``stalled``, else 0."""
    return (count + 1) * stalled


@jit
def patience_exhausted(count: float, n_iter_no_change: float) -> bool:
    """The stopping criterion fires when the count exceeds ``n_iter_no_change``."""
    return count > n_iter_no_change


@jit
def epoch_status(diverged: bool, count: float, n_iter_no_change: float) -> int:
    """A model's status after an epoch without the ``adaptive`` schedule:
    divergence first, then the patience count."""
    if diverged:
        return DIVERGED
    if patience_exhausted(count, n_iter_no_change):
        return CONVERGED
    return TRAINING


@jit
def final_status(status: int) -> int:
    """A model's status when its epochs ran out: one still ``TRAINING`` ends at
    ``MAX_ITER``; any other keeps its own. (Arithmetic, so that it reads the
    same on one model's code and on an array of them.)"""
    return status + (MAX_ITER - TRAINING) * (status == TRAINING)


def stop_message(early: bool, tol: float, n_iter_no_change: int, ending: str) -> str:
    """What the stopping rule says when it fires; ``ending`` is " Stopping.",
    " Learning rate too small. Stopping." or the adaptive schedule's new rate."""
    return "%s did not improve more than tol=%f for %d consecutive epochs.%s" % (
        "Validation score" if early else "Training loss", tol, n_iter_no_change, ending)


# -- the proximal L1 step ---------------------------------------------------------

@jit
def soft_threshold(w: float, threshold: float) -> float:
    """``sgn(w) max(|w| - threshold, 0)``: the proximal step of ``threshold |w|``
    (a weight it would carry across zero stops at zero).

    ``max(s, 0)`` is written ``(s + |s|) / 2`` (exact in floating point), which
    compiles to a branch-free loop and needs no namespace function.
    """
    shrunk = abs(w) - threshold
    return xp.copysign((shrunk + abs(shrunk)) * 0.5, w)


# -- the proximal group step ---------------------------------------------------------

@jit
def group_shrink(norm: float, threshold: float) -> float:
    """``max(0, 1 - threshold / norm)``: the factor of the proximal step of
    ``threshold ||w||_2`` on a group ``w`` of weights whose L2 norm is ``norm``
    (group soft thresholding, ``w <- w max(0, 1 - threshold / ||w||)``): the
    group shrinks towards zero as one vector, and a group the step would carry
    past zero becomes exactly zero as a whole.

    Written ``max(norm - threshold, 0) / norm`` (``max(s, 0)`` as ``(s + |s|)
    / 2``, as in :func:`soft_threshold`); a group already at zero keeps the
    factor 0 (no division by zero: ``xp.where`` puts 1 in the denominator).
    """
    shrunk = norm - threshold
    return (shrunk + abs(shrunk)) * 0.5 / xp.where(norm > 0, norm, 1.0)
