"""Between an estimator and the engine: the training state a fit resumes from,
and the fitted attributes (or the error, or the warning) a fit ends with."""

from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import OptimizeResult
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning

from ._checks import NONFINITE_MESSAGE, divergence_advice
from ._engine.network import Layout
from ._engine.state import DIVERGED, DIVERGED_RESTORED, MAX_ITER, TrainingState


def training_state(estimator: BaseEstimator) -> TrainingState:
    """The engine's view of this network's progress so far."""
    state = TrainingState(1)
    state.t[0] = getattr(estimator, "t_", 0)
    state.loss_curve[0] = list(getattr(estimator, "loss_curve_", None) or [])
    norms = getattr(estimator, "gradient_norms_", None)
    state.gradient_norms[0] = [] if norms is None else list(norms)
    best_loss = getattr(estimator, "best_loss_", None)
    state.best_loss[0] = np.inf if best_loss is None else best_loss
    best_score = getattr(estimator, "best_validation_score_", None)
    state.best_validation_score[0] = -np.inf if best_score is None else best_score
    state.validation_scores[0] = list(getattr(estimator, "validation_scores_", None) or [])
    state.validation_loss_curve[0] = list(
        getattr(estimator, "validation_loss_curve_", None) or [])
    saturation = getattr(estimator, "saturation_", None)
    state.saturation[0] = [] if saturation is None else list(saturation)
    state.no_improvement_count[0] = getattr(estimator, "_no_improvement_count", 0)
    state.best_params = getattr(estimator, "_best_params", None)
    return state


def store_outcome(estimator: BaseEstimator, state: TrainingState, params: np.ndarray,
                  layout: Layout, first_pass: bool, early: bool, has_val: bool,
                  result: OptimizeResult | None, incremental: bool) -> None:
    """Check the outcome, then store the fitted attributes."""
    status = state.status[0]
    loss = state.loss_curve[0][-1] if result is None else result.fun
    finite = np.isfinite(params).all() and np.isfinite(loss)
    if status == DIVERGED or (status != DIVERGED_RESTORED and not finite):
        if first_pass:
            for name in ("coefs_", "intercepts_"):
                estimator.__dict__.pop(name, None)
        epoch = state.n_iter[0]
        raise ValueError(
            f"{NONFINITE_MESSAGE} The fit diverged: the training loss became "
            f"{loss:.3g} at {'epoch' if result is None else 'iteration'} {epoch} "
            "(non-finite, or over a million times the first epoch's)."
            f"{divergence_advice(estimator.learning_rate_init)}"
        )
    estimator.coefs_, estimator.intercepts_ = layout.unpack(params[0])
    estimator.n_iter_ = int(state.n_iter[0])
    estimator.t_ = int(state.t[0])
    estimator.loss_ = float(loss)
    estimator.loss_curve_ = state.loss_curve[0]
    estimator.gradient_norms_ = np.asarray(state.gradient_norms[0]).reshape(
        -1, layout.n_layers)
    estimator.saturation_ = np.asarray(state.saturation[0]).reshape(
        len(estimator.loss_curve_), layout.n_layers - 1)  # no column without hidden layers
    estimator._no_improvement_count = int(state.no_improvement_count[0])
    estimator.best_loss_ = None if early else float(
        state.best_loss[0] if result is None else min(estimator.loss_curve_ or [loss]))
    estimator.best_validation_score_ = (
        float(state.best_validation_score[0]) if early else None)
    estimator.validation_scores_ = state.validation_scores[0] if has_val else None
    estimator.validation_loss_curve_ = state.validation_loss_curve[0] if has_val else None
    if early:
        estimator._best_params = state.best_params
    if status == DIVERGED_RESTORED:
        warnings.warn(
            f"Training diverged at epoch {estimator.n_iter_} (non-finite loss or "
            "validation score); the weights of the best validation epoch are "
            f"kept.{divergence_advice(estimator.learning_rate_init)}",
            ConvergenceWarning,
            stacklevel=2,
        )
    elif result is None and status == MAX_ITER and not incremental:
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({estimator.max_iter}) reached "
            "and the optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=2,
        )
    elif result is not None and result.status != 0:
        warnings.warn(
            f"lbfgs failed to converge after {estimator.n_iter_} iteration(s) "
            f"(status={result.status}): {result.message}. Increase max_iter "
            f"(now {estimator.max_iter}) or max_fun, or scale the data.",
            ConvergenceWarning,
            stacklevel=2,
        )
