"""From a finished training to a fitted estimator: the one place where the
engine's state becomes scikit-learn's fitted attributes, errors and warnings.

An estimator keeps the engine's :class:`~sklearn_mlpreg._engine.TrainingState`
(optimizer moments, best weights, counters, curves) in ``_training`` and the
:class:`~sklearn_mlpreg._spec.ModelSpec` in ``_spec``; every public fitted
attribute is derived from those two by :func:`fitted_attributes`. Adding a
per-epoch curve is one ``state.record`` in the engine and one line there.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._checks import NONFINITE_MESSAGE, divergence_advice
from ._engine import (
    DIVERGED,
    DIVERGED_RESTORED,
    MAX_ITER,
    WORSE_THAN_START,
    TrainingState,
    move,
    namespace,
)
from ._exceptions import FarOffWarning, FitDivergedError
from ._spec import ModelSpec


@dataclass
class FitOutcome:
    """What one network's training left behind.

    Attributes
    ----------
    spec : ModelSpec
    state : TrainingState
        One model's training state.
    params : ndarray of shape (1, P)
        The trained flat parameters.
    stochastic : bool
        Trained by sgd / adam (else L-BFGS).
    early : bool
        Early stopping monitored a validation score.
    has_validation : bool
        A validation set was scored every epoch.
    incremental : bool
        One ``partial_fit`` epoch.
    """

    spec: ModelSpec
    state: TrainingState
    params: np.ndarray
    stochastic: bool = True
    early: bool = False
    has_validation: bool = False
    incremental: bool = False


def network_attributes(spec: ModelSpec, params: np.ndarray) -> dict:
    """What a network needs to predict: its weights and shape, by attribute name."""
    coefs, intercepts = spec.architecture.layout.unpack(params[0, ...])
    attributes = {
        "_spec": spec,
        "coefs_": coefs,
        "intercepts_": intercepts,
        "feature_importances_": input_norms(coefs[0]),
        "n_features_in_": spec.architecture.layer_units[0],
        "n_outputs_": spec.n_outputs,
        "n_layers_": len(spec.architecture.layer_units),
        "out_activation_": spec.architecture.out_activation,
    }
    if spec.targets.classifier:
        attributes["classes_"] = spec.targets.classes
    return attributes


def input_norms(first_coefs) -> np.ndarray:
    """Each input's first-layer L2 norm, ``||coefs_[0][j, :]||_2``, ``(n_features,)``
    (in the weights' namespace): 0 for an input the network does not use."""
    xp = namespace(first_coefs)
    return xp.sqrt(xp.sum(first_coefs * first_coefs, axis=1))


def fitted_attributes(outcome: FitOutcome) -> dict:
    """The fitted attributes of a finished training, by name."""
    state, spec = outcome.state, outcome.spec
    layout = spec.architecture.layout
    loss_curve = state.curve("loss").tolist()
    validation = outcome.has_validation
    return {
        **network_attributes(spec, outcome.params),
        "_training": state,
        "n_iter_": int(state.n_iter[0]),
        "t_": int(state.t[0]),
        "loss_": float(state.last_loss[0]),
        "loss_curve_": loss_curve,
        "best_loss_": None if outcome.early else float(state.best_loss[0]),
        "validation_scores_": (state.curve("validation_score").tolist() if validation
                               else None),
        "best_validation_score_": (float(state.best_validation_score[0])
                                   if outcome.early else None),
        "validation_loss_curve_": (state.curve("validation_loss").tolist() if validation
                                   else None),
        # arrays in the weights' namespace and device (scikit-learn's Array API rule)
        "gradient_norms_": move(_per_layer_curve(state, "gradient_norms", layout.n_layers),
                                outcome.params),
        "saturation_": move(_per_layer_curve(state, "saturation", layout.n_layers - 1),
                            outcome.params),
        # scikit-learn's private names, for code (and its own tests) that reads them
        "_no_improvement_count": int(state.no_improvement_count[0]),
        "_optimizer": state.optimizer,
    }


def _per_layer_curve(state: TrainingState, name: str, n_columns: int) -> np.ndarray:
    """A curve with one value per layer, ``(n_epochs, n_columns)`` (no rows when
    it was not recorded, as for networks trained in a search's stack)."""
    values = state.curve(name)
    return values.reshape(len(values), n_columns)


def set_fitted(estimator, outcome: FitOutcome, feature_names=None) -> None:
    """Make ``estimator`` the fitted network of ``outcome``.

    ``feature_names`` (the ``feature_names_in_`` of the data it was trained
    on) is given when the estimator did not see the data itself (a network
    trained in a stack).
    """
    for name, value in fitted_attributes(outcome).items():
        setattr(estimator, name, value)
    if feature_names is not None:
        estimator.feature_names_in_ = feature_names


def check_outcome(outcome: FitOutcome, *, learning_rate_init: float, max_iter: int) -> None:
    """Raise :class:`FitDivergedError` for a diverged training; warn as
    scikit-learn does for one that did not converge."""
    state = outcome.state
    status, n_iter = state.status[0], int(state.n_iter[0])
    advice = divergence_advice(learning_rate_init)
    if status == DIVERGED:
        step = "epoch" if outcome.stochastic else "iteration"
        # (scikit-learn's sentence first, as its MLPs raise it: drop-in code matches it)
        raise FitDivergedError(
            f"{NONFINITE_MESSAGE} The fit diverged: by {step} {n_iter} the training "
            f"loss of its weights reached {state.last_loss[0]:.3g}, against "
            f"{state.first_loss[0]:.3g} at the start (non-finite, or too many times "
            f"the start's).{advice}")
    data_loss, zero_output = vars(state).pop("off_target", ([np.nan], [np.nan]))
    if (not outcome.incremental and zero_output[0] > 0
            and data_loss[0] > WORSE_THAN_START * zero_output[0]):
        warnings.warn(
            f"The network's predictions are far off its training targets: its loss on "
            f"them is {data_loss[0]:.3g}, over {WORSE_THAN_START:g} times that of "
            f"predicting an all-zero output ({zero_output[0]:.3g}). Scale the features "
            "(StandardScaler) and, for a regressor, the target; large inputs or a large "
            "weight_init make the outputs huge.", FarOffWarning, stacklevel=3)
    if status == DIVERGED_RESTORED:
        warnings.warn(
            f"Training diverged at epoch {n_iter} (non-finite loss or validation score); "
            f"the weights of the best validation epoch are kept.{advice}",
            ConvergenceWarning, stacklevel=3)
    elif status == MAX_ITER and outcome.stochastic and not outcome.incremental:
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({max_iter}) reached and the "
            "optimization hasn't converged yet.", ConvergenceWarning, stacklevel=3)
    elif status == MAX_ITER and not outcome.stochastic:
        warnings.warn(
            f"lbfgs failed to converge after {n_iter} iteration(s) "
            f"{state.messages[0][-1]}. Increase max_iter (now {max_iter}) or max_fun, "
            "or scale the data.", ConvergenceWarning, stacklevel=3)
