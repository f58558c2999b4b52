"""Gradient-descent optimizers over the flat ``(K, P)`` parameter buffer.

The lecture's update ``w <- w - eta dL/dw`` and its refinements, each applied
to all parameters of K stacked networks with a handful of in-place numpy
calls. The arithmetic follows scikit-learn's ``_stochastic_optimizers`` so
that the same gradients give the same steps:

* :class:`SGD`: ``v <- mu v - eta g``; the step is ``v`` or, with Nesterov's
  momentum, ``mu v - eta g``. Schedules: ``constant``; ``invscaling``
  (``eta_t = eta_0 / (t + 1)^power_t``, ``t`` samples seen); ``adaptive``
  (divide ``eta`` by 5 whenever the stopping criterion fires, stop below 1e-6).
* :class:`Adam`: ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2``,
  step ``-eta sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)``.

L-BFGS (``scipy.optimize``, one network at a time) lives in :mod:`.lbfgs`.

The stochastic optimizers hold one row of state per model; ``select(index)``
keeps the rows of the models still training.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import DTypeLike, NDArray

Array = NDArray[np.floating]


class SGD:
    """Stochastic gradient descent with momentum and learning-rate schedules.

    Parameters
    ----------
    n_models, n_params : int
        Shape of the parameter buffer.
    dtype : dtype
        Dtype of the parameters.
    learning_rate_init : float
        Initial step size ``eta_0``.
    schedule : {"constant", "invscaling", "adaptive"}
    momentum : float
        ``mu`` in [0, 1].
    nesterov : bool
        Use Nesterov's momentum.
    power_t : float
        Exponent of the ``invscaling`` schedule.
    """

    def __init__(
        self,
        n_models: int,
        n_params: int,
        dtype: DTypeLike,
        learning_rate_init: float = 0.1,
        schedule: str = "constant",
        momentum: float = 0.9,
        nesterov: bool = True,
        power_t: float = 0.5,
    ):
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = np.full(n_models, self.learning_rate_init)
        self.schedule = schedule
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.power_t = float(power_t)
        self.velocity = np.zeros((n_models, n_params), dtype=dtype)
        self._scratch: Array | None = None

    def _rate(self, dtype: DTypeLike) -> Array:
        return self.learning_rate.astype(dtype)[:, None]

    def begin_step(self) -> Array:
        """The step size of each model for the step about to be taken, ``(K,)``."""
        return self.learning_rate

    def step(self, params: Array, grads: Array) -> None:
        """Move ``params`` one step against ``grads`` (both ``(K, P)``), in place."""
        lr_g = np.multiply(self._rate(grads.dtype), grads, out=self._buffer(grads))
        v = self.velocity
        v *= self.momentum
        v -= lr_g
        if self.nesterov:
            params += self.momentum * v
            params -= lr_g
        else:
            params += v

    def weight_step_sizes(self, n_weights: int) -> Array:
        """Step size of the last update of the weights: the learning rate, the
        same for every parameter, as a ``(K, 1)`` column (broadcasts over the
        ``n_weights`` weights)."""
        return self.learning_rate[:, None]

    def _buffer(self, like: Array) -> Array:
        if self._scratch is None or self._scratch.shape != like.shape:
            self._scratch = np.empty_like(like)
        return self._scratch

    def iteration_ends(self, samples_seen: Array) -> None:
        """Update the learning rate at the end of an epoch (``invscaling``)."""
        if self.schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (
                np.asarray(samples_seen, dtype=float) + 1
            ) ** self.power_t

    def trigger_stopping(self, models: Array) -> Array:
        """For the models whose criterion fired, return which must stop.

        With the ``adaptive`` schedule, a model whose learning rate is still
        above 1e-6 has it divided by 5 and goes on.
        """
        if self.schedule != "adaptive":
            return np.ones(len(models), dtype=bool)
        stop = self.learning_rate[models] <= 1e-6
        self.learning_rate[models[~stop]] /= 5.0
        return stop

    def select(self, index: Array) -> None:
        """Keep the state of the models at ``index`` only."""
        self.learning_rate = self.learning_rate[index]
        self.velocity = self.velocity[index]
        self._scratch = None


class Adam:
    """Adam (Kingma & Ba, 2014) with scikit-learn's bias correction.

    Parameters
    ----------
    n_models, n_params : int
        Shape of the parameter buffer.
    dtype : dtype
        Dtype of the parameters.
    learning_rate_init : float
        ``eta``.
    beta_1, beta_2 : float
        Decay rates of the first and second moments, in [0, 1).
    epsilon : float
        Added to ``sqrt(v)`` for numerical stability.

    Attributes
    ----------
    ms, vs : ndarray of shape (K, P)
        The first and second moment estimates ``m`` and ``v`` (scikit-learn's
        names).
    t : int
        Steps taken.
    learning_rate : ndarray of shape (K,)
        The bias-corrected step size of the last step.
    """

    def __init__(
        self,
        n_models: int,
        n_params: int,
        dtype: DTypeLike,
        learning_rate_init: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
    ):
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = np.full(n_models, self.learning_rate_init)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.t = 0
        self.ms = np.zeros((n_models, n_params), dtype=dtype)
        self.vs = np.zeros((n_models, n_params), dtype=dtype)
        self._scratch: Array | None = None

    def begin_step(self) -> Array:
        """Count a step and return its bias-corrected step size per model,
        ``eta sqrt(1 - b2^t) / (1 - b1^t)``, ``(K,)``."""
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        self.learning_rate.fill(self.learning_rate_init * math.sqrt(1 - b2**self.t)
                                / (1 - b1**self.t))
        return self.learning_rate

    def step(self, params: Array, grads: Array) -> None:
        """Move ``params`` one Adam step against ``grads``, in place."""
        rate = float(self.begin_step()[0])
        b1, b2 = self.beta_1, self.beta_2
        scratch = self._scratch
        if scratch is None or scratch.shape != grads.shape:
            scratch = self._scratch = np.empty_like(grads)
        m, v = self.ms, self.vs
        m *= b1  # m <- b1 m + (1 - b1) g
        m += np.multiply(grads, 1 - b1, out=scratch)
        v *= b2  # v <- b2 v + (1 - b2) g^2
        np.multiply(grads, grads, out=scratch)
        scratch *= 1 - b2
        v += scratch
        np.sqrt(v, out=scratch)  # params <- params - rate m / (sqrt(v) + eps)
        scratch += self.epsilon
        np.divide(m, scratch, out=scratch)
        scratch *= -rate
        params += scratch

    def weight_step_sizes(self, n_weights: int) -> Array:
        """Per-parameter step size of the last update of the first ``n_weights``
        parameters (the weights), ``eta_t / (sqrt(v) + eps)``, ``(K, n_weights)``."""
        return self.learning_rate[:, None] / (np.sqrt(self.vs[:, :n_weights]) + self.epsilon)

    def iteration_ends(self, samples_seen: Array) -> None:
        """Adam keeps its schedule; nothing to do at the end of an epoch."""

    def trigger_stopping(self, models: Array) -> Array:
        """Adam stops every model whose criterion fired."""
        return np.ones(len(models), dtype=bool)

    def select(self, index: Array) -> None:
        """Keep the state of the models at ``index`` only."""
        self.learning_rate = self.learning_rate[index]
        self.ms = self.ms[index]
        self.vs = self.vs[index]
        self._scratch = None
