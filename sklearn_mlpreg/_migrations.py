"""Fitted networks saved by earlier releases, brought up to date on load.

Release 0.1.0 (before commit 2329af3) kept a fitted MLP's weights, settings,
classes and counters as attributes but no model specification (``_spec``) or
training state (``_training``); later 0.1.0 commits kept both. Either way the
saved state holds what a fit needs -- the weights, the settings, the classes
(or the regressor's outputs) and the number of features -- so
:func:`migrate_network` rebuilds what today's estimator reads from them, and
refuses (naming the saving version and the fix) a state that lacks them or
whose weights do not fit its settings.
"""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import LabelBinarizer

from ._engine import MAX_ITER, Adam, TrainingState
from ._fitted import input_norms
from ._persistence import cannot_load, fill_parameters
from ._settings import Settings
from ._spec import ModelSpec, make_optimizer, make_spec
from ._targets import ClassificationTargets, RegressionTargets

#: The per-epoch curves a fitted state keeps, by their engine names.
_CURVES = {"loss_curve_": "loss", "validation_scores_": "validation_score",
           "validation_loss_curve_": "validation_loss",
           "gradient_norms_": "gradient_norms", "saturation_": "saturation"}


def migrate_network(cls: type, state: dict, saved: str) -> dict:
    """The saved state of a fitted (or unfitted) MLP of class ``cls`` in
    today's layout; see the module docstring."""
    fill_parameters(cls, state)
    if "coefs_" not in state:  # never fitted: its parameters are all it has
        return state
    settings = _settings(cls, state, saved)
    if "feature_importances_" not in state:  # (added in 0.3.0)
        state["feature_importances_"] = input_norms(state["coefs_"][0])
    # Before the model specification (commit 2329af3), Adam kept its moments
    # scaled: m / (1 - beta_1) and v / (1 - beta_2).
    scaled_moments = "_spec" not in state
    if "_spec" not in state:
        state["_spec"] = _spec(cls, state, settings, saved)
        state.pop("_label_binarizer", None)  # (in the spec's targets now)
    if "_training" not in state:
        state["_training"] = _training_state(state)
    training = state["_training"]
    training.optimizer = _current_optimizer(state.get("_optimizer", training.optimizer),
                                            settings, state["_spec"], state["coefs_"])
    if scaled_moments and isinstance(training.optimizer, Adam):
        optimizer = training.optimizer
        optimizer.ms = optimizer.ms * (1 - optimizer.beta_1[:, None])
        optimizer.vs = optimizer.vs * (1 - optimizer.beta_2[:, None])
    state["_optimizer"] = training.optimizer
    return state


def _settings(cls: type, state: dict, saved: str) -> Settings:
    try:
        return Settings.parse(state)
    except (KeyError, TypeError, ValueError) as error:
        raise cannot_load(cls.__name__, saved,
                          f"its settings cannot be read ({error}).") from None


def _spec(cls: type, state: dict, settings: Settings, saved: str) -> ModelSpec:
    """The model specification of the saved weights, settings and classes."""
    name = cls.__name__
    if "n_features_in_" not in state:
        raise cannot_load(name, saved, "it does not record its number of features.")
    if cls._is_classifier:
        binarizer = state.get("_label_binarizer")
        if binarizer is None and "classes_" in state:
            binarizer = LabelBinarizer().fit(state["classes_"])
        if binarizer is None:
            raise cannot_load(name, saved, "it does not record its classes.")
        targets = ClassificationTargets(binarizer)
    else:
        if "n_outputs_" not in state:
            raise cannot_load(name, saved, "it does not record its number of outputs.")
        targets = RegressionTargets(settings.loss, int(state["n_outputs_"]))
    spec = make_spec(settings, int(state["n_features_in_"]), targets)
    shapes = [tuple(np.shape(W)) for W in state["coefs_"]]
    if shapes != list(spec.architecture.layout.coef_shapes):
        raise cannot_load(name, saved, f"its weights have the layers {shapes}, but its "
                          f"settings describe {list(spec.architecture.layout.coef_shapes)}.")
    return spec


def _training_state(state: dict) -> TrainingState:
    """The one-network training state of the saved counters and curves."""
    training = TrainingState(1)
    training.n_iter[0] = state.get("n_iter_", 0)
    training.t[0] = state.get("t_", 0)
    for field, attribute, missing in (("best_loss", "best_loss_", np.inf),
                                      ("best_validation_score", "best_validation_score_",
                                       -np.inf),
                                      ("last_loss", "loss_", np.nan)):
        value = state.get(attribute)
        getattr(training, field)[0] = missing if value is None else value
    training.no_improvement_count[0] = state.get("_no_improvement_count", 0)
    training.status[0] = MAX_ITER
    for attribute, curve in _CURVES.items():
        values = state.get(attribute)
        if values is not None and len(values):
            training.extend(curve, 0, np.asarray(values, dtype=float))
    if len(state.get("loss_curve_") or ()):
        training.first_loss[0] = abs(state["loss_curve_"][0])
    return training


def _current_optimizer(saved, settings: Settings, spec: ModelSpec, coefs):
    """Today's optimizer carrying the saved one's state (its moments, step count
    and step size), so that ``partial_fit`` goes on as it would have; None for
    L-BFGS."""
    if not settings.stochastic:
        return None
    fresh = make_optimizer([settings], spec.architecture.layout.n_params,
                           np.asarray(coefs[0]).dtype)
    if saved is None or type(saved) is not type(fresh):
        return fresh
    for name, value in vars(saved).items():
        current = vars(fresh).get(name, _ABSENT)
        if current is not _ABSENT and np.shape(current) == np.shape(value):
            setattr(fresh, name, value)
    return fresh


_ABSENT = object()
