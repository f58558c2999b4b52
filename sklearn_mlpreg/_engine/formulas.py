"""Every element-wise formula of a training, once: the activations' values and
derivatives, the saturation tests, the losses' terms and output delta, and the
optimizers' updates of one parameter.

Each formula is one small function compiled with :func:`.jit.jit`. The
compiled kernels (:mod:`.compiled.kernels`) call it on one element inside
their loops (numba inlines it, and the loops still vectorize); the reference
(:mod:`.activations`, :mod:`.losses`, :mod:`.optimizers`) calls the same text
on whole arrays through :func:`.jit.plain` (numpy) or :func:`.jit.in_namespace`
(another Array API namespace). The formulas use operators and the functions
of the array namespace ``xp`` only: compiled, ``xp`` is :mod:`.scalar` (the
standard's names on one float); on arrays, it is the arrays' namespace. Only
``where`` selects, with at most one Python scalar (as the standard allows).
Changing a formula here changes it for every execution.

Per-model rules (schedules, stopping, Adam's correction, the proximal step)
live in :mod:`.rules`.
"""

from __future__ import annotations

from . import scalar
from .jit import jit
from .types import Array

#: See :mod:`.jit`: numba compiles this file anew when any compiled source changes.
CACHE_KEY = "f4a963a9338b8588"

xp = scalar  # the namespace of one element (see jit.in_namespace for arrays)

Value = float | Array  # one element (compiled) or an array (the reference)


# -- hidden and output activations: f(z) ----------------------------------------

@jit
def logistic(z: Value) -> Value:
    """Logistic sigmoid, ``1 / (1 + exp(-z))`` (``exp(-z)`` overflows to inf for
    ``z << 0``, and ``1 / (1 + inf)`` is the limit 0; scipy's ``expit``)."""
    return 1.0 / (1.0 + xp.exp(-z))


@jit
def tanh(z: Value) -> Value:
    """Hyperbolic tangent, ``tanh(z)``."""
    return xp.tanh(z)


@jit
def relu(z: Value) -> Value:
    """Rectified linear unit, ``max(z, 0)`` (NaN stays NaN)."""
    return xp.where(z <= 0, 0.0, z)


@jit
def leaky_relu(z: Value, slope: float) -> Value:
    """Leaky ReLU, ``z if z > 0 else slope z``."""
    return xp.where(z > 0, z, z * slope)


@jit
def exp(z: Value) -> Value:
    """Exponential, ``exp(z)``: the Poisson loss's inverse log link."""
    return xp.exp(z)


# -- derivatives: the back-propagated delta d times f'(z), written with a = f(z) ----

@jit
def relu_backprop(a: Value, d: Value) -> Value:
    """``d f'(z)``, ``f'(z) = 1 if a > 0 else 0`` (``d 0``, so that inf gives NaN
    as a product does)."""
    return xp.where(a > 0, d, d * 0.0)


@jit
def leaky_relu_backprop(a: Value, d: Value, slope: float) -> Value:
    """``d f'(z)``, ``f'(z) = 1 if a > 0 else slope`` (``a`` has the sign of ``z``)."""
    return xp.where(a > 0, d, d * slope)


@jit
def tanh_backprop(a: Value, d: Value) -> Value:
    """``d f'(z)``, ``f'(z) = 1 - tanh(z)^2 = 1 - a^2``."""
    return d * (1 - a * a)


@jit
def logistic_backprop(a: Value, d: Value) -> Value:
    """``d f'(z)``, ``f'(z) = a (1 - a)`` (at most 1/4: vanishing gradients);
    ``(d a) (1 - a)``, scikit-learn's order."""
    return (d * a) * (1 - a)


# -- saturation: f'(z) below 5% of its maximum (thresholds in rules) ----------------

@jit
def logistic_saturated(a: Value, threshold: float) -> Value:
    """Whether a logistic unit passes almost no gradient: ``a (1 - a) < threshold``."""
    return a * (1 - a) < threshold


@jit
def tanh_saturated(a: Value, threshold: float) -> Value:
    """Whether a tanh unit passes almost no gradient: ``1 - a^2 < threshold``."""
    return 1 - a * a < threshold


# -- losses: one term per sample and output, and the output delta ---------------------

@jit
def half_squared_error(p: Value, y: Value) -> Value:
    """``(p - y)^2 / 2``."""
    return 0.5 * (p - y) * (p - y)


@jit
def poisson_deviance(p: Value, y: Value) -> Value:
    """Half Poisson deviance, ``y log(y / p) - y + p`` (``0 log 0 = 0``)."""
    return xp.where(y == 0, 0.0, y * xp.log(y / p)) - y + p


@jit
def binary_cross_entropy(p: Value, y: Value, eps: float) -> Value:
    """``-[y log q + (1 - y) log(1 - q)]``, ``q = p`` clipped to ``[eps, 1 - eps]``
    (scikit-learn's clip; ``0 log q = 0``)."""
    q = xp.clip(p, eps, 1 - eps)
    return -(xp.where(y == 0, 0.0, y * xp.log(q))
             + xp.where(1 - y == 0, 0.0, (1 - y) * xp.log(1 - q)))


@jit
def cross_entropy(p: Value, y: Value, eps: float) -> Value:
    """One class's ``-y log q``, ``q = p`` clipped to ``[eps, 1 - eps]``."""
    return -xp.where(y == 0, 0.0, y * xp.log(xp.clip(p, eps, 1 - eps)))


@jit
def output_delta(p: Value, y: Value) -> Value:
    """The gradient of each loss above with respect to the output pre-activation
    (canonical link): ``p - y``."""
    return p - y


# -- the optimizers' update of one parameter --------------------------------------------

@jit
def sgd_velocity(v: Value, step_g: Value, momentum: float) -> Value:
    """SGD's velocity, ``mu v - eta g`` (``step_g = eta g``)."""
    return v * momentum - step_g


@jit
def nesterov_position(w: Value, v: Value, step_g: Value, momentum: float) -> Value:
    """The parameter after a step with Nesterov's momentum, ``(w + mu v) - eta g``
    (``v`` the new velocity)."""
    return (w + momentum * v) - step_g


@jit
def adam_first_moment(m: Value, g: Value, beta_1: float, one_minus_beta_1: float
                      ) -> Value:
    """Adam's first moment, ``b1 m + (1 - b1) g``."""
    return m * beta_1 + g * one_minus_beta_1


@jit
def adam_second_moment(v: Value, g: Value, beta_2: float, one_minus_beta_2: float
                       ) -> Value:
    """Adam's second moment, ``b2 v + (1 - b2) g^2``."""
    return v * beta_2 + (g * g) * one_minus_beta_2


@jit
def adam_step_size(v: Value, rate: float, epsilon: float) -> Value:
    """The step size of one parameter, ``eta_t / (sqrt(v) + eps)`` (``eta_t`` the
    bias-corrected rate of :func:`.rules.adam_step_size`)."""
    return rate / (xp.sqrt(v) + epsilon)


@jit
def adam_step(m: Value, v: Value, rate: float, epsilon: float) -> Value:
    """Adam's step of one parameter, ``-eta_t m / (sqrt(v) + eps)``."""
    return (m / (xp.sqrt(v) + epsilon)) * -rate
