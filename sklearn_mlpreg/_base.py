"""BaseMLP: parameters, validation and the shared fit of both estimators.

The estimators are a thin shell around :mod:`sklearn_mlpreg._engine`: this
module validates parameters (into :class:`~._settings.Settings`) and data,
builds the model specification (:mod:`._spec`), trains the network as a stack
of one in the stacked-training pipeline (:mod:`._plans`, :mod:`._stacks`:
the initial draw, the early-stopping split, the engine), and derives
scikit-learn's fitted attributes from the engine's state (:mod:`._fitted`).
``fit`` and ``partial_fit`` share :meth:`BaseMLP._fit`.
"""

from __future__ import annotations

import copy
from abc import ABC
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._available_if import _AvailableIfDescriptor
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from ._arrays import (
    check_same_namespace,
    float_dtypes,
    trains_on_any_namespace,
    validated_for_fit,
)
from ._checks import (
    all_finite,
    check_enough_samples,
    check_finite_output,
    check_validation_size,
    check_validation_width,
    check_weights,
    clearer_input_errors,
)
from ._docs import FIT_PARAMETERS, method_docstring
from ._engine import DROPOUT_MODES, move, predict, to_numpy
from ._fitted import FitOutcome, check_outcome, network_attributes, set_fitted
from ._migrations import migrate_network
from ._persistence import SavedStateMixin
from ._plans import Block, Resume, plan_model
from ._settings import STOCHASTIC_SOLVERS, WEIGHT_INIT_CONSTRAINTS, Settings
from ._spec import fit_targets, make_spec
from ._stacks import LoneFit, train_stack
from .callbacks._bridge import CallbackBridge
from .callbacks._support import CallbackSupportMixin, with_callbacks

_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))


def set_init_params(estimator, init_locals: dict) -> None:
    """Store an ``__init__``'s arguments as attributes, unchanged (scikit-learn's
    rule: ``__init__`` only records its parameters)."""
    for name, value in init_locals.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


class _IfStochastic(_AvailableIfDescriptor):
    """``partial_fit`` only for the stochastic solvers (``hasattr`` is False for
    L-BFGS), with the reason and the fix in the AttributeError."""

    def _check(self, obj, owner):
        if obj is not None and obj.solver not in STOCHASTIC_SOLVERS:
            raise AttributeError(
                f"This {owner.__name__!r} has no attribute 'partial_fit': partial_fit "
                f"takes one epoch of a stochastic optimizer, and solver={obj.solver!r} is "
                "not stochastic. Use solver='adam' or 'sgd' to train incrementally.")
        return super()._check(obj, owner)


def if_stochastic(method):
    """Make ``method`` (``partial_fit``) available for the stochastic solvers only."""
    return _IfStochastic(method, lambda est: est._check_solver(),
                         attribute_name=method.__name__)


class BaseMLP(SavedStateMixin, CallbackSupportMixin, BaseEstimator, ABC):
    """Shared machinery of :class:`MLPRegressor` and :class:`MLPClassifier`.

    Do not use directly.
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu", "leaky_relu"})],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive", "cosine"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "penalty": [StrOptions({"l2", "l1", "elasticnet", "group"}), None],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "weight_init": [StrOptions({"glorot_uniform", "he_normal"}),
                        *WEIGHT_INIT_CONSTRAINTS],
        "restore_best_weights": ["boolean"],
        "dropout_mode": [StrOptions(set(DROPOUT_MODES))],
    }

    #: Whether the targets are class labels (set by MLPClassifier).
    _is_classifier = False

    @classmethod
    def _migrate_state(cls, state, saved):
        return migrate_network(cls, state, saved)

    def _check_loaded_state(self, state):
        arrays = [*state.get("coefs_", ()), *state.get("intercepts_", ())]
        if not all(np.isfinite(to_numpy(a)).all() for a in arrays):
            raise ValueError(
                f"The saved {type(self).__name__}'s weights hold NaN or inf: the file is "
                "damaged (changed after it was saved). Load an undamaged copy, or refit "
                "the model.")

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None,
            sample_weight_val=None):
        return self._fit(X, y, sample_weight, X_val, y_val, sample_weight_val)

    fit.__doc__ = method_docstring(
        "Fit the network to data matrix X and target(s) y.", FIT_PARAMETERS,
        "self : object\n    The fitted estimator.\n")

    def _check_solver(self):
        if self.solver not in STOCHASTIC_SOLVERS:
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True


    # -- fit -----------------------------------------------------------------
    def _fit(self, X, y, sample_weight=None, X_val=None, y_val=None,
             sample_weight_val=None, incremental=False, classes=None):
        """The shared fit, a stack of one in the stacked-training pipeline
        (:mod:`._stacks`): ``incremental`` is one ``partial_fit`` epoch."""
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        resume = None
        if hasattr(self, "coefs_") and (incremental or self.warm_start):
            resume = "partial_fit" if incremental else "warm_start"
        X_input, y_input = X, y  # what callbacks see (original labels and names)
        settings = Settings.of(self)
        X, Y, targets, sample_weight, device_reference = self._validated(
            X, y, sample_weight, settings, resume, classes, incremental)
        spec = make_spec(settings, X.shape[1], targets)
        X = X.tocsr() if sp.issparse(X) else X
        block = Block(X, Y, np.arange(X.shape[0]), sample_weight, targets, whole=True,
                      validation=self._explicit_validation_set(X_val, y_val,
                                                               sample_weight_val, targets,
                                                               X.dtype))
        model = plan_model(0, settings, spec, block, incremental=incremental,
                           rng=check_random_state(self.random_state),
                           resume=self._resume(resume, spec, X.dtype))
        bridge = self._callback_bridge(X_input, y_input, spec, incremental)
        lone = LoneFit(print if self.verbose else None, incremental)
        trained, = train_stack([model], bridge, diagnostics=True, device=device_reference,
                               lone=lone)
        if bridge is not None:
            bridge.finish()
        outcome = FitOutcome(spec, trained.state, move(trained.params[None], device_reference),
                             settings.stochastic, settings.early, model.has_validation,
                             incremental)
        check_outcome(outcome, learning_rate_init=self.learning_rate_init,
                      max_iter=self.max_iter)
        set_fitted(self, outcome)
        return self

    def _validated(self, X, y, sample_weight, settings, resume, classes, incremental):
        """The validated data on the host, its target encoding, the fit's sample
        weights and the array of another namespace the network trains beside
        (or None)."""
        name = type(self).__name__
        with clearer_input_errors(name, not self._is_classifier, X, y):
            if resume is not None:  # the fitted weights must be in X's namespace
                check_same_namespace(self.coefs_[0], X, name,
                                     "partial_fit" if incremental else "fit")
            # Another Array API namespace (array_api_dispatch=True): labels, weights
            # and the split are prepared on the host; the network trains on X's device.
            X, y, sample_weight, device_reference = validated_for_fit(
                self, X, y, sample_weight, solver=self.solver,
                classifier=self._is_classifier, reset=resume is None)
            previous = getattr(self, "_spec", None)
            targets = fit_targets(y, classifier=self._is_classifier, loss=settings.loss,
                                  previous=None if previous is None else previous.targets,
                                  resume=resume, classes=classes)
            Y = targets.encode(y, X.dtype, name)
        if not incremental:
            check_enough_samples(X.shape[0], name)
        return X, Y, targets, sample_weight, device_reference

    def _resume(self, resume, spec, dtype) -> Resume | None:
        """Where this fit continues the fitted network (None: a fresh start):
        ``partial_fit`` keeps the optimizer, a warm start gets a fresh one."""
        if resume is None:
            return None
        # A copy of the training state: a call that raises (a diverged training)
        # leaves the estimator as it was.
        state = getattr(self, "_training", None)
        return Resume(self._current_params(spec, dtype)[0],
                      None if state is None else copy.deepcopy(state),
                      keep_optimizer=resume == "partial_fit")

    def _current_params(self, spec, dtype):
        """The flat parameters of the current weights (warm start, partial_fit)."""
        layout = spec.architecture.layout
        shapes = [tuple(np.shape(W)) for W in self.coefs_]
        if shapes != layout.coef_shapes:
            raise ValueError(
                f"The network has layers {shapes}, but the data and "
                f"hidden_layer_sizes ask for {layout.coef_shapes}. Set warm_start=False "
                "(or refit from scratch) to change the architecture.")
        return layout.pack([to_numpy(W) for W in self.coefs_],
                           [to_numpy(b) for b in self.intercepts_], layout.empty(1, dtype))

    def _explicit_validation_set(self, X_val, y_val, sample_weight_val, targets, dtype):
        """The validated ``(X_val, Y_val, sample_weight_val)``, or None."""
        if X_val is None and y_val is None:
            if sample_weight_val is not None:
                raise ValueError("sample_weight_val weighs the samples of X_val: pass X_val "
                                 "and y_val with it, or leave it out.")
            return None
        if X_val is None or y_val is None:
            raise ValueError("X_val and y_val must be given together.")
        name = type(self).__name__
        with clearer_input_errors(name, not self._is_classifier, X_val, y_val,
                                  names=("X_val", "y_val")):
            check_validation_width(X_val, self.n_features_in_)
            X_val = validate_data(self, X_val, accept_sparse=["csr", "csc"],
                                  dtype=float_dtypes(X_val), reset=False)
            X_val = to_numpy(X_val).astype(dtype, copy=False)
            check_consistent_length(X_val, y_val)
            Y_val = targets.encode_validation(y_val, dtype, name)
            sw_val = check_weights(to_numpy(sample_weight_val), X_val, "sample_weight_val")
        check_validation_size(Y_val, targets)
        return (X_val.tocsr() if sp.issparse(X_val) else X_val), Y_val, sw_val

    def _callback_bridge(self, X, y, spec, incremental):
        """Per-epoch callback hooks, or None when no callback is set (no cost)."""
        if not getattr(self, "_skl_callbacks", None):
            return None
        context = self._init_callback_context(max_subtasks=1 if incremental
                                              else self.max_iter)
        context.call_on_fit_task_begin(estimator=self, X=X, y=y)
        return CallbackBridge(self, context, X, y,
                              reconstruct=lambda params: network_attributes(spec, params))

    # -- predict -------------------------------------------------------------
    def _check_predict_input(self, X):
        if "coefs_" not in vars(self):  # scikit-learn's check costs 7 us; only on failure
            check_is_fitted(self)
        # Fast path: a plain float array of the right width, no feature names to
        # match. scikit-learn's full validation costs 80 us, eight times a
        # one-row forward pass; anything else still goes through it.
        if (type(X) is np.ndarray and X.ndim == 2 and X.dtype in _FLOATS
                and X.shape[0] > 0 and X.shape[1] == self.n_features_in_
                and not hasattr(self, "feature_names_in_")
                and all_finite(X)):
            return X
        with clearer_input_errors(type(self).__name__, X=X):
            return validate_data(self, X, accept_sparse=["csr", "csc"],
                                 dtype=float_dtypes(X), reset=False)

    def _forward(self, X, method="predict"):
        """Network output, shape (n_samples, n_outputs), checked finite, in X's
        namespace and on its device (that of the fitted weights)."""
        X = self._check_predict_input(X)
        check_same_namespace(self.coefs_[0], X, type(self).__name__, method)
        with np.errstate(all="ignore"):  # overflow is caught just below, not warned
            P = predict(X, self.coefs_, self.intercepts_, self._spec.architecture)
        return check_finite_output(P, type(self).__name__, (*self.coefs_, *self.intercepts_))

    def __sklearn_is_fitted__(self):
        return hasattr(self, "coefs_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = trains_on_any_namespace(self.solver)
        return tags

