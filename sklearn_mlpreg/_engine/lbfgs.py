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
L1-penalized one.

After every iteration the loss, the data-gradient norms and, given a
validation set, the validation score and loss are recorded.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.optimize
from numpy.typing import NDArray

from .activations import saturation
from .network import Layout, Workspace
from .objective import Objective
from .penalties import Penalty
from .state import TrainingState
from .training import EpochHooks, TrainingConfig, TrainingData, record_validation

Array = NDArray[np.floating]


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
    data: TrainingData,
    params: Array,
    layout: Layout,
    state: TrainingState,
    config: TrainingConfig,
    max_fun: int,
    log: Callable[[str], None] | None = None,
    hooks: EpochHooks | None = None,
) -> scipy.optimize.OptimizeResult:
    """Minimize the objective of one network (``params`` of shape ``(1, P)``).

    Parameters
    ----------
    data : TrainingData
        ``sample_weight`` of shape ``(1, n)`` or None; no ``rows``.
    params : ndarray of shape (1, P)
        Starting point, overwritten with the solution.
    layout : Layout
    state : TrainingState
        Receives ``n_iter``, the loss curve, gradient norms and, with a
        validation set, validation scores and losses per iteration.
    config : TrainingConfig
        ``max_iter`` and ``tol`` bound the iterations; stochastic settings are
        ignored.
    max_fun : int
        Maximum number of objective evaluations.
    log : callable, default=None
        Receives one line per iteration (verbose mode).
    hooks : EpochHooks, default=None
        Per-iteration callbacks, as :func:`~.training.train`'s (an iteration
        plays the part of an epoch).

    Returns
    -------
    result : scipy.optimize.OptimizeResult
        ``fun`` is the full objective, L1 term included.
    """
    sw = data.sample_weight
    total = float(data.X.shape[0]) if sw is None else float(sw.sum())
    strength = float(np.asarray(config.alpha, dtype=float).reshape(-1)[0]) / total
    l1_share = Penalty(config.penalty, config.l1_ratio).l1
    split = _SplitL1(layout, strength * l1_share) if l1_share else None
    # The L1 part, if any, is the split's linear term; the objective keeps the rest.
    objective = Objective(layout, config.activation, config.out_activation, config.loss,
                          config.penalty, np.array([[strength]], dtype=params.dtype),
                          config.l1_ratio, include_l1=split is None)
    work = Workspace(layout, 1, data.X.shape[0], params.dtype)
    grads = np.empty_like(params)
    last = {}

    def loss_and_grad(z: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        params[0] = z if split is None else split.from_split(z)
        loss, norms = objective(data.X, data.Y, params, grads, work, sw)
        last.update(z=z.copy(), norms=norms[0])
        loss, grad = float(loss[0]), grads[0].astype(np.float64)
        return (loss, grad) if split is None else split.loss_and_grad(z, loss, grad)

    def callback(intermediate_result: scipy.optimize.OptimizeResult) -> None:
        z = intermediate_result.x
        if not np.array_equal(z, last["z"]):
            loss_and_grad(z)
        state.loss_curve[0].append(float(intermediate_result.fun))
        state.gradient_norms[0].append(last["norms"].copy())
        state.saturation[0].append(np.array(
            [saturation(config.activation, A)[0] for A in work.outputs[:-1]]))
        params[0] = z if split is None else split.from_split(z)
        val_loss = None
        if data.X_val is not None:
            _, val_loss = record_validation(data, layout.coefs(params),
                                            layout.intercepts(params), config,
                                            data.val_weight, state, np.array([0]))
            state.flush()
        if log is not None:
            log("Iteration %d, loss = %.8f" % (len(state.loss_curve[0]),
                                               intermediate_result.fun))
        if hooks is not None:
            stop = hooks.epoch_end(np.array([0]), np.array([intermediate_result.fun]),
                                   val_loss, params)
            if stop:
                raise StopIteration  # scipy >= 1.11 ends the minimization
            if len(state.loss_curve[0]) < config.max_iter:  # another iteration follows
                hooks.epoch_begin()

    start = params[0].astype(np.float64)
    if hooks is not None:
        hooks.epoch_begin()
    result = scipy.optimize.minimize(
        loss_and_grad,
        start if split is None else split.to_split(start),
        method="L-BFGS-B",
        jac=True,
        bounds=None if split is None else split.bounds(layout.n_params),
        callback=callback,
        options={"maxfun": max_fun, "maxiter": config.max_iter, "gtol": config.tol},
    )
    if hooks is not None:
        hooks.close()
    params[0] = result.x if split is None else split.from_split(result.x)
    state.n_iter[0] = min(result.nit, config.max_iter)
    return result
