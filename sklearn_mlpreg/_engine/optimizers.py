"""Gradient-descent optimizers over the flat ``(K, P)`` parameter buffer.

The lecture's update ``w <- w - eta dL/dw`` and its refinements, each applied
to all parameters of K stacked networks with a handful of in-place numpy
calls. The arithmetic follows scikit-learn's ``_stochastic_optimizers`` so
that the same gradients give the same steps:

* :class:`SGD`: ``v <- mu v - eta g``; the step is ``v`` or, with Nesterov's
  momentum, ``mu v - eta g``. Schedules: ``constant``; ``invscaling``
  (``eta_t = eta_0 / (t + 1)^power_t``, ``t`` samples seen); ``adaptive``
  (divide ``eta`` by 5 whenever the stopping criterion fires, stop below 1e-6);
  ``cosine`` (below).
* :class:`Adam`: ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2``,
  step ``-eta sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)``. Of the
  schedules it honours ``cosine`` only (as scikit-learn's Adam ignores the
  others).

The ``cosine`` schedule (both solvers) anneals the base step size over the
``T = max_iter`` epochs: during epoch ``e = 0, 1, ...`` it is
``eta_0 (1 + cos(pi min(e, T) / T)) / 2`` -- ``eta_0`` in the first epoch,
half of it at mid-training, towards 0 at the end (:func:`cosine_factor`).

The schedules and Adam's bias correction are the functions of :mod:`.rules`,
the updates of one parameter those of :mod:`.formulas`: the compiled loop
calls the same functions on one model's scalars and one parameter. One step
serves numpy and every other Array API namespace.

L-BFGS (``scipy.optimize``, one network at a time) lives in :mod:`.lbfgs`.

The stochastic optimizers hold one row of state per model; ``select(index)``
keeps the rows of the models still training.
"""

from __future__ import annotations

import copy

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from . import formulas
from .backend import like, namespace, take_rows, zeros
from .jit import in_namespace, plain
from .rules import adam_step_size, cosine_share, invscaling_rate

#: The rules on whole arrays (one value per model) or Python floats.
_cosine_shares = plain(cosine_share)
_invscaling_rates = plain(invscaling_rate)
_adam_step_sizes = plain(adam_step_size)

Array = NDArray[np.floating]


def per_model(value: ArrayLike, n_models: int, dtype: DTypeLike = float) -> NDArray:
    """A setting as one value per model (a scalar is repeated)."""
    return np.broadcast_to(np.asarray(value, dtype=dtype), (n_models,)).copy()


def cosine_factor(epoch: ArrayLike, horizon: ArrayLike) -> NDArray:
    """:func:`.rules.cosine_share` of each model, ``(1 + cos(pi min(e, T) / T)) / 2``:
    the cosine schedule's share of ``eta_0`` during epoch ``e`` (0-based) of ``T``."""
    return _cosine_shares(np.asarray(epoch, dtype=float), np.asarray(horizon, dtype=float))


class _Annealing:
    """The cosine schedule's bookkeeping, shared by both optimizers: which models
    anneal, over how many epochs, how many epochs each has run, and the share
    of ``eta_0`` for the current epoch (``scale``, 1 for the others)."""

    def _init_rates(self, learning_rate_init: ArrayLike, schedule: ArrayLike,
                    horizon: ArrayLike, K: int) -> None:
        """Each model's ``eta_0``, its current rate and its schedule."""
        self.learning_rate_init = per_model(learning_rate_init, K)
        self.learning_rate = self.learning_rate_init.copy()
        self.schedule = per_model(schedule, K, dtype=object)
        self.cosine = self.schedule == "cosine"
        self.horizon = per_model(horizon, K)
        self.epochs = np.zeros(K, dtype=np.int64)
        self.scale = np.ones(K)

    def _count_epoch(self, epochs: int | NDArray[np.int64] = 1) -> None:
        """``epochs`` more epochs for every model; the cosine models' next share."""
        self.epochs += epochs
        if self.cosine.any():
            self.scale = np.where(self.cosine, cosine_factor(self.epochs, self.horizon),
                                  1.0)

    #: One value per model (host arrays), and one row per model (``(K, P)``
    #: state in the parameters' namespace), named by each optimizer.
    _PER_MODEL: tuple[str, ...] = ("schedule", "cosine", "horizon", "epochs", "scale")
    _ROWS: tuple[str, ...] = ()

    def select(self, index: Array) -> None:
        """Keep the state of the models at ``index`` only."""
        for name in self._PER_MODEL:
            setattr(self, name, getattr(self, name)[index])
        for name in self._ROWS:
            setattr(self, name, take_rows(getattr(self, name), index))
        self._forget_buffers()

    def _forget_buffers(self) -> None:
        """Drop the caches shaped for the old number of models."""

    def take(self, index: Array) -> _Annealing:
        """A copy holding the state of the models at ``index`` only (this
        optimizer unchanged): a stopped round's models, kept to continue."""
        part = copy.copy(self)
        part.select(np.asarray(index))
        return part

    @classmethod
    def concat(cls, parts: list) -> _Annealing:
        """One optimizer for the models of ``parts`` (one after the other), each
        continuing where it stopped; they must have taken the same number of
        steps when that count is shared."""
        whole = copy.copy(parts[0])
        for name in whole._PER_MODEL:
            setattr(whole, name, np.concatenate([getattr(p, name) for p in parts]))
        for name in whole._ROWS:
            rows = [getattr(p, name) for p in parts]
            setattr(whole, name, namespace(rows[0]).concat(rows, axis=0))
        whole._forget_buffers()
        return whole


def _column(values: ArrayLike, reference: Array) -> Array:
    """Per-model values as a ``(K, 1)`` column in ``reference``'s namespace, dtype
    and device."""
    return like(np.asarray(values, dtype=float)[:, None], reference)


def _state(n_models: int, n_params: int, dtype: DTypeLike, reference: Array | None
           ) -> Array:
    """A zero ``(K, P)`` optimizer state: numpy, or ``reference``'s namespace."""
    if reference is None:
        return np.zeros((n_models, n_params), dtype=dtype)
    return zeros((n_models, n_params), reference)


def _formula(formula: object, reference: Array) -> object:
    """A formula of :mod:`.formulas` on arrays of ``reference``'s namespace."""
    return in_namespace(formula, namespace(reference))


class SGD(_Annealing):
    """Stochastic gradient descent with momentum and learning-rate schedules.

    Every setting may differ from model to model (one value per row).

    Parameters
    ----------
    n_models, n_params : int
        Shape of the parameter buffer.
    dtype : dtype
        Dtype of the parameters.
    learning_rate_init : float or array-like of shape (K,)
        Initial step size ``eta_0``.
    schedule : {"constant", "invscaling", "adaptive", "cosine"} or array-like of them
    momentum : float or array-like of shape (K,)
        ``mu`` in [0, 1].
    nesterov : bool or array-like of shape (K,)
        Use Nesterov's momentum.
    power_t : float or array-like of shape (K,)
        Exponent of the ``invscaling`` schedule.
    horizon : int or array-like of shape (K,)
        Epochs the ``cosine`` schedule anneals over (``max_iter``).
    reference : array, default=None
        An array of another Array API namespace: the state lives in its
        namespace, dtype and device (None: numpy).
    """

    _PER_MODEL = _Annealing._PER_MODEL + ("learning_rate_init", "learning_rate",
                                          "momentum", "nesterov", "power_t")
    _ROWS = ("velocity",)

    def __init__(
        self,
        n_models: int,
        n_params: int,
        dtype: DTypeLike,
        learning_rate_init: ArrayLike = 0.1,
        schedule: ArrayLike = "constant",
        momentum: ArrayLike = 0.9,
        nesterov: ArrayLike = True,
        power_t: ArrayLike = 0.5,
        horizon: ArrayLike = 200,
        reference: Array | None = None,
    ):
        K = n_models
        self._init_rates(learning_rate_init, schedule, horizon, K)
        self.momentum = per_model(momentum, K)
        self.nesterov = per_model(nesterov, K, dtype=bool)
        self.power_t = per_model(power_t, K)
        self.velocity = _state(n_models, n_params, dtype, reference)

    def begin_step(self) -> Array:
        """The step size of each model for the step about to be taken, ``(K,)``."""
        return self.learning_rate

    def step(self, params: Array, grads: Array) -> None:
        """Move ``params`` one step against ``grads`` (both ``(K, P)``), in place:
        :func:`.formulas.sgd_velocity`, then :func:`.formulas.nesterov_position`
        or ``w + v``."""
        step_g = _column(self.learning_rate, grads) * grads
        momentum = _column(self.momentum, grads)
        v = self.velocity = _formula(formulas.sgd_velocity, grads)(
            self.velocity, step_g, momentum)
        if not self.nesterov.any():
            params += v
            return
        ahead = _formula(formulas.nesterov_position, v)(params, v, step_g, momentum)
        if not self.nesterov.all():  # some models with Nesterov's momentum, some without
            ahead = namespace(v).where(_column(self.nesterov, v) > 0, ahead, params + v)
        params[...] = ahead

    def step_sizes(self) -> Array:
        """Step size of the last update of the parameters: the learning rate, the
        same for every parameter, as a ``(K, 1)`` column (it broadcasts)."""
        return _column(self.learning_rate, self.velocity)

    def iteration_ends(self, samples_seen: Array, epochs: int | NDArray[np.int64] = 1
                       ) -> None:
        """Update the learning rate at the end of an epoch (``invscaling``
        models, after ``samples_seen`` samples, and ``cosine`` models), or of
        ``epochs`` epochs per model."""
        self._count_epoch(epochs)
        if self.cosine.any():
            self.learning_rate = np.where(self.cosine, self.learning_rate_init * self.scale,
                                          self.learning_rate)
        scaling = self.schedule == "invscaling"
        if scaling.any():
            seen = np.asarray(samples_seen, dtype=float)
            self.learning_rate = np.where(
                scaling, _invscaling_rates(self.learning_rate_init, seen, self.power_t),
                self.learning_rate)

    def ran_epochs(self, n_epochs: NDArray[np.int64], samples_seen: Array) -> None:
        """The compiled loop ran ``n_epochs`` full-batch epochs (one step each)
        of each model: the schedules' rates after them."""
        self.iteration_ends(samples_seen, n_epochs)

    def trigger_stopping(self, models: Array) -> Array:
        """For the models whose criterion fired, return which must stop.

        With the ``adaptive`` schedule, a model whose learning rate is still
        above 1e-6 has it divided by 5 and goes on.
        """
        adaptive = self.schedule[models] == "adaptive"
        stop = ~adaptive | (self.learning_rate[models] <= 1e-6)
        self.learning_rate[models[~stop]] /= 5.0
        return stop



class Adam(_Annealing):
    """Adam (Kingma & Ba, 2014) with scikit-learn's bias correction.

    Every setting may differ from model to model (one value per row).

    Parameters
    ----------
    n_models, n_params : int
        Shape of the parameter buffer.
    dtype : dtype
        Dtype of the parameters.
    learning_rate_init : float or array-like of shape (K,)
        ``eta``.
    beta_1, beta_2 : float or array-like of shape (K,)
        Decay rates of the first and second moments, in [0, 1).
    epsilon : float or array-like of shape (K,)
        Added to ``sqrt(v)`` for numerical stability.
    schedule : str or array-like of str, default="constant"
        ``"cosine"`` anneals ``eta`` (any other value keeps it constant).
    horizon : int or array-like of shape (K,)
        Epochs the ``cosine`` schedule anneals over (``max_iter``).
    reference : array, default=None
        An array of another Array API namespace: the moments live in its
        namespace, dtype and device (None: numpy).

    Attributes
    ----------
    ms, vs : ndarray of shape (K, P)
        The first and second moment estimates ``m`` and ``v`` (scikit-learn's
        names).
    t : int
        Steps taken (by every model of the stack).
    learning_rate : ndarray of shape (K,)
        The bias-corrected step size of the last step.
    """

    _PER_MODEL = _Annealing._PER_MODEL + ("learning_rate_init", "learning_rate",
                                          "beta_1", "beta_2", "epsilon")
    _ROWS = ("ms", "vs")

    def __init__(
        self,
        n_models: int,
        n_params: int,
        dtype: DTypeLike,
        learning_rate_init: ArrayLike = 0.001,
        beta_1: ArrayLike = 0.9,
        beta_2: ArrayLike = 0.999,
        epsilon: ArrayLike = 1e-8,
        schedule: ArrayLike = "constant",
        horizon: ArrayLike = 200,
        reference: Array | None = None,
    ):
        K = n_models
        self._init_rates(learning_rate_init, schedule, horizon, K)
        self.beta_1 = per_model(beta_1, K)
        self.beta_2 = per_model(beta_2, K)
        self.epsilon = per_model(epsilon, K)
        self.t = 0
        self.ms = _state(n_models, n_params, dtype, reference)
        self.vs = _state(n_models, n_params, dtype, reference)
        self._constants: list | None = None  # the columns of the betas and epsilon

    def begin_step(self) -> Array:
        """Count a step and return its bias-corrected step size per model,
        ``eta sqrt(1 - b2^t) / (1 - b1^t)``, ``(K,)`` (``eta`` annealed by the
        cosine schedule)."""
        self.t += 1
        t = self.t
        # Python's float power (the C library's pow, as the compiled path uses), not
        # numpy's vectorized one, which may differ in the last bit: the betas go
        # to the rule as Python floats (once when every model shares them).
        if (not self.cosine.any() and (self.beta_1 == self.beta_1[0]).all()
                and (self.beta_2 == self.beta_2[0]).all()):
            self.learning_rate[:] = _adam_step_sizes(
                self.learning_rate_init, t, float(self.beta_1[0]), float(self.beta_2[0]))
        else:  # eta annealed first, then the correction (the compiled path's order)
            self.learning_rate[:] = [
                _adam_step_sizes(rate * scale, t, b1, b2) for rate, scale, b1, b2 in zip(
                    self.learning_rate_init.tolist(), self.scale.tolist(),
                    self.beta_1.tolist(), self.beta_2.tolist())]
        return self.learning_rate

    def step(self, params: Array, grads: Array) -> None:
        """Move ``params`` one Adam step against ``grads``, in place:
        :func:`.formulas.adam_first_moment`, :func:`.formulas.adam_second_moment`,
        :func:`.formulas.adam_step`."""
        rate = _column(self.begin_step(), grads)
        if getattr(self, "_constants", None) is None:  # once, not every step
            self._constants = [_column(c, grads) for c in (
                self.beta_1, 1 - self.beta_1, self.beta_2, 1 - self.beta_2, self.epsilon)]
        b1, one_minus_b1, b2, one_minus_b2, eps = self._constants
        if type(grads) is np.ndarray and type(self.ms) is np.ndarray:
            # numpy in place, the same operations in the same order as the formulas:
            # 184 vs 223 us a step on (1, 46k) parameters, 3.5% of the reference's
            # medium epoch (benchmarks, numpy engine)
            return self._step_in_place(params, grads, rate)
        m = self.ms = _formula(formulas.adam_first_moment, grads)(
            self.ms, grads, b1, one_minus_b1)
        v = self.vs = _formula(formulas.adam_second_moment, grads)(
            self.vs, grads, b2, one_minus_b2)
        params += _formula(formulas.adam_step, grads)(m, v, rate, eps)

    def _step_in_place(self, params: Array, grads: Array, rate: Array) -> None:
        """:meth:`step` on numpy arrays without temporaries: the formulas
        :func:`.formulas.adam_first_moment`, :func:`~.formulas.adam_second_moment` and
        :func:`~.formulas.adam_step`, written in place."""
        b1, one_minus_b1, b2, one_minus_b2, eps = self._constants
        scratch = getattr(self, "_scratch", None)
        if scratch is None or scratch.shape != grads.shape or scratch.dtype != grads.dtype:
            scratch = self._scratch = np.empty_like(grads)
        m, v = self.ms, self.vs
        m *= b1
        m += np.multiply(grads, one_minus_b1, out=scratch)
        v *= b2
        np.multiply(grads, grads, out=scratch)
        scratch *= one_minus_b2
        v += scratch
        np.sqrt(v, out=scratch)
        scratch += eps
        np.divide(m, scratch, out=scratch)
        scratch *= -rate
        params += scratch

    def step_sizes(self) -> Array:
        """Per-parameter step size of the last update, ``eta_t / (sqrt(v) + eps)``,
        ``(K, P)`` (:func:`.formulas.adam_step_size`)."""
        return _formula(formulas.adam_step_size, self.vs)(
            self.vs, _column(self.learning_rate, self.vs), _column(self.epsilon, self.vs))

    def iteration_ends(self, samples_seen: Array | None = None) -> None:
        """Count the epoch (the cosine schedule's clock). ``samples_seen`` is
        ignored: SGD's invscaling needs it, Adam shares the call."""
        self._count_epoch()

    def ran_epochs(self, n_epochs: NDArray[np.int64], samples_seen: Array | None = None
                   ) -> None:
        """The compiled loop ran ``n_epochs`` full-batch epochs (one step each)
        of each model: count the steps and epochs, and the last step's size."""
        self.t += int(np.max(n_epochs, initial=0))
        self._count_epoch(n_epochs)
        last = np.where(self.cosine,  # the share of the last step taken
                        cosine_factor(self.epochs - 1, self.horizon), 1.0)
        self.learning_rate[:] = [
            _adam_step_sizes(eta, self.t, b1, b2) for eta, b1, b2 in zip(
                (self.learning_rate_init * last).tolist(), self.beta_1.tolist(),
                self.beta_2.tolist())]

    def trigger_stopping(self, models: Array) -> Array:
        """Adam stops every model whose criterion fired."""
        return np.ones(len(models), dtype=bool)

    def _forget_buffers(self) -> None:
        self._constants = None
        self._scratch = None

    @classmethod
    def concat(cls, parts: list) -> Adam:
        if len({p.t for p in parts}) > 1:  # one step count (bias correction) per stack
            raise ValueError("Adam states that took different numbers of steps cannot "
                             "continue in one stack.")
        return super().concat(parts)
