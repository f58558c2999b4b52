"""Full-batch training of one network with L-BFGS-B (``scipy.optimize``).

The objective and its gradient are those of :class:`~.objective.Objective`
on the whole training set, with the flat parameter buffer as the optimizer's
vector, exactly as scikit-learn's ``solver="lbfgs"`` packs it (``gtol = tol``,
``maxiter = max_iter``, ``maxfun = max_fun``).

An L1 term is not differentiable at zero, which breaks L-BFGS's line search
and never yields exact zeros. With ``penalty="l1"`` or ``"elasticnet"`` each
weight is therefore split as ``w = u - v`` with ``u, v >= 0``: the L1 term
``lambda sum(u + v)`` is linear, the problem smooth with bounds, and
L-BFGS-B's projection puts weights exactly at zero. At a solution at most
one of ``u``, ``v`` is positive, so ``|w| = u + v`` and the minimum is the
L1-penalized one. ``penalty="group"`` has no such split (a norm of a group is
not a linear function of bounded halves): it is refused, with the fix (adam
or sgd, which take it as a proximal step).

After every iteration the loss, the data-gradient norms and, given a
validation set, the validation score and loss are recorded.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.optimize
from numpy.typing import NDArray

from .activations import saturation
from .layout import Layout
from .network import Architecture, Workspace
from .objective import Objective
from .penalties import GROUP_NEEDS_GRADIENT_DESCENT
from .stack import TrainingLoss, make_penalty
from .state import CONVERGED, DIVERGED, MAX_ITER, TrainingState, diverged
from .training import record_validation
from .types import Array, EpochHooks, TrainingConfig, TrainingData


class _SplitL1:
    """Change of variables ``w = u - v`` (``u, v >= 0``) for the L1 part."""

    def __init__(self, layout: Layout, l1_strength: float):
        self.n_weights = layout.n_weights
        self.l1_strength = l1_strength

    def to_split(self, params: Array) -> Array:
        W = params[: self.n_weights]
        return np.concatenate([np.maximum(W, 0), np.maximum(-W, 0),
                               params[self.n_weights:]])

    def from_split(self, z: Array) -> Array:
        n = self.n_weights
        return np.concatenate([z[:n] - z[n:2 * n], z[2 * n:]])

    def bounds(self, n_params: int) -> list:
        n_biases = n_params - self.n_weights
        return [(0, None)] * (2 * self.n_weights) + [(None, None)] * n_biases

    def loss_and_grad(self, z: Array, loss: float, grad: Array) -> tuple[float, Array]:
        """Add the linear L1 term to a loss / gradient computed at ``w = u - v``."""
        n = self.n_weights
        loss += self.l1_strength * z[: 2 * n].sum()
        g_w = grad[:n]
        return loss, np.concatenate([g_w + self.l1_strength, -g_w + self.l1_strength,
                                     grad[n:]])


def train_lbfgs(
    arch: Architecture,
    data: TrainingData,
    params: Array,
    state: TrainingState,
    config: TrainingConfig,
    log: Callable[[str], None] | None = None,
    hooks: EpochHooks | None = None,
) -> None:
    """Minimize the objective of one network (``params`` of shape ``(1, P)``).

    Parameters
    ----------
    arch : Architecture
        Without dropout (random masks break the line search).
    data : TrainingData
        ``sample_weight`` of shape ``(1, n)`` or None; no ``rows``.
    params : ndarray of shape (1, P)
        Starting point, overwritten with the solution.
    state : TrainingState
        Receives ``n_iter``, ``status`` (``MAX_ITER`` with L-BFGS's message
        when it stopped short of convergence, ``DIVERGED`` for a non-finite
        solution), the loss (the full objective, L1 term included), the
        loss curve, gradient norms and, with a validation set, validation
        scores and losses per iteration.
    config : TrainingConfig
        ``max_iter``, ``tol`` and ``max_fun`` bound the minimization;
        stochastic settings are ignored.
    log : callable, default=None
        Receives one line per iteration (verbose mode).
    hooks : EpochHooks, default=None
        Per-iteration callbacks, as :func:`~.training.train`'s (an iteration
        plays the part of an epoch).
    """
    layout = arch.layout
    problem = _Problem(arch, data, params, state, config, log, hooks)
    start = params[0].astype(np.float64)
    if hooks is not None:
        hooks.epoch_begin()
    split = problem.split
    result = scipy.optimize.minimize(
        problem.loss_and_grad,
        start if split is None else split.to_split(start),
        method="L-BFGS-B",
        jac=True,
        bounds=None if split is None else split.bounds(layout.n_params),
        callback=problem.callback,
        options={"maxfun": config.max_fun, "maxiter": int(config.max_iter[0]),
                 "gtol": float(config.tol[0])},
    )
    params[0] = result.x if split is None else split.from_split(result.x)
    _record_outcome(state, result, params, int(config.max_iter[0]))
    meter = TrainingLoss(arch, data, config, data.sample_weight, 1)  # see training.train
    state.off_target = (meter.parts(params)[0], meter.zero_output(params))


class _Problem:
    """The objective L-BFGS minimizes, and what is recorded after each iteration."""

    def __init__(self, arch: Architecture, data: TrainingData, params: Array,
                 state: TrainingState, config: TrainingConfig,
                 log: Callable[[str], None] | None, hooks: EpochHooks | None) -> None:
        self.arch, self.data, self.params, self.state = arch, data, params, state
        self.config, self.log, self.hooks = config, log, hooks
        layout = arch.layout
        if "group" in config.penalty:
            raise ValueError(GROUP_NEEDS_GRADIENT_DESCENT)
        penalty = make_penalty(config, data, 1, layout.n_weights)
        self.split = None
        if penalty.has_l1:  # the L1 part becomes the split's linear term
            self.split = _SplitL1(layout, float(penalty.l1[0, 0] * penalty.strength[0, 0]))
        self.objective = Objective(layout, arch.activation, arch.out_activation,
                                   config.loss, penalty, include_l1=self.split is None)
        self.work = Workspace(layout, 1, data.X.shape[0], params.dtype)
        self.grads = np.empty_like(params)
        self.last_z: NDArray[np.float64] | None = None
        self.iterations = len(state.curve("loss"))  # over every call (warm starts)
        self.last_norms: Array | None = None

    def _set(self, z: NDArray[np.float64]) -> None:
        self.params[0] = z if self.split is None else self.split.from_split(z)

    def loss_and_grad(self, z: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        """The objective and its gradient at ``z`` (L1 split variables if any)."""
        self._set(z)
        loss, norms = self.objective(self.data.X, self.data.Y, self.params, self.grads,
                                     self.work, self.data.sample_weight)
        self.last_z, self.last_norms = z.copy(), norms[0]
        loss, grad = float(loss[0]), self.grads[0].astype(np.float64)
        return (loss, grad) if self.split is None else self.split.loss_and_grad(
            z, loss, grad)

    def callback(self, intermediate_result: scipy.optimize.OptimizeResult) -> None:
        """Record one iteration: loss, gradient norms, saturation, validation."""
        z, fun = intermediate_result.x, intermediate_result.fun
        if not np.array_equal(z, self.last_z):
            self.loss_and_grad(z)
        state, ids = self.state, np.array([0])
        state.record("loss", ids, [fun])
        state.record("gradient_norms", ids, self.last_norms[None])
        state.record("saturation", ids, np.array(
            [[saturation(self.arch.activation, A)[0] for A in self.work.outputs[:-1]]]))
        self._set(z)
        val_loss = None
        if self.data.has_validation:
            _, val_loss = record_validation(self.arch, self.data, self.params, self.config,
                                            self.data.val_weight, state, ids)
        self.iterations += 1
        n_iter = self.iterations
        if self.log is not None:
            self.log("Iteration %d, loss = %.8f" % (n_iter, fun))
        if self.hooks is not None:
            if self.hooks.epoch_end(ids, np.array([fun]), val_loss, self.params):
                raise StopIteration  # scipy >= 1.11 ends the minimization
            if n_iter < self.config.max_iter[0]:  # another iteration follows
                self.hooks.epoch_begin()


def _record_outcome(state: TrainingState, result: scipy.optimize.OptimizeResult,
                    params: Array, max_iter: int) -> None:
    """Counters and status of a finished minimization (one model)."""
    curve = state.curve("loss")
    state.n_iter[0] = min(result.nit, max_iter)
    state.last_loss[0] = result.fun
    state.first_loss[0] = abs(curve[0]) if len(curve) else abs(result.fun)
    state.best_loss[0] = curve.min() if len(curve) else result.fun
    bad = diverged(np.array([result.fun]), state.first_loss, guard_explosion=False)
    if bad[0] or not np.isfinite(params).all():
        state.status[0] = DIVERGED
    elif result.status == 0:
        state.status[0] = CONVERGED
    else:
        state.status[0] = MAX_ITER
        state.messages[0].append(f"(status={result.status}): {result.message}")
