"""Full-batch training of one network with L-BFGS-B (``scipy.optimize``).

The objective and its gradient are those of :class:`~.objective.Objective`
on the whole training set, with the flat parameter buffer as the
optimizer's vector, exactly as scikit-learn's ``solver="lbfgs"`` packs it
(``gtol = tol``, ``maxiter = max_iter``, ``maxfun = max_fun``). After every
iteration the loss, the data-gradient norms and, given a validation set, the
validation score and loss are recorded.
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np
import scipy.optimize
from numpy.typing import NDArray

from .network import Layout, Workspace
from .objective import Objective
from .training import TrainingConfig, TrainingData, TrainingState, record_validation

Array = NDArray[np.floating]


def train_lbfgs(
    data: TrainingData,
    params: Array,
    layout: Layout,
    state: TrainingState,
    config: TrainingConfig,
    max_fun: int,
    log: Optional[Callable[[str], None]] = None,
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

    Returns
    -------
    result : scipy.optimize.OptimizeResult
    """
    sw = data.sample_weight
    total = float(data.X.shape[0]) if sw is None else float(sw.sum())
    strength = (np.asarray(config.alpha, dtype=float).reshape(1, 1) / total).astype(
        params.dtype
    )
    objective = Objective(layout, config.activation, config.out_activation,
                          config.loss, config.penalty, strength, config.l1_ratio)
    work = Workspace(layout, 1, data.X.shape[0], params.dtype)
    grads = np.empty_like(params)
    last = {}

    def loss_and_grad(x):
        params[0] = x
        loss, norms = objective(data.X, data.Y, params, grads, work, sw)
        last.update(x=x.copy(), norms=norms[0])
        return float(loss[0]), grads[0].astype(np.float64)

    def callback(intermediate_result):
        x = intermediate_result.x
        if not np.array_equal(x, last["x"]):
            loss_and_grad(x)
        state.loss_curve[0].append(float(intermediate_result.fun))
        state.gradient_norms[0].append(last["norms"].copy())
        if data.X_val is not None:
            params[0] = x
            record_validation(data, layout.coefs(params), layout.intercepts(params),
                              config, data.val_weight, state, [0])
        if log is not None:
            log("Iteration %d, loss = %.8f" % (len(state.loss_curve[0]),
                                               intermediate_result.fun))

    result = scipy.optimize.minimize(
        loss_and_grad,
        params[0].astype(np.float64),
        method="L-BFGS-B",
        jac=True,
        callback=callback,
        options={"maxfun": max_fun, "maxiter": config.max_iter, "gtol": config.tol},
    )
    params[0] = result.x
    state.n_iter[0] = min(result.nit, config.max_iter)
    return result
