"""BaseMLP: parameters, validation and the shared fit of both estimators.

The estimators are a thin shell around :mod:`sklearn_mlpreg._engine`: this
module validates parameters and data, builds the model specification
(:mod:`._spec`), draws the initial weights, splits off the early-stopping
validation set, hands one network (K = 1) to the engine, and derives
scikit-learn's fitted attributes from the engine's state (:mod:`._fitted`).
``fit`` and ``partial_fit`` share :meth:`BaseMLP._fit`.
"""

from __future__ import annotations

from abc import ABC
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from ._arrays import check_same_namespace, float_dtypes, validated_for_fit
from ._checks import (
    all_finite,
    check_enough_samples,
    check_finite_output,
    check_validation_fraction,
    check_validation_width,
    check_weights,
    clearer_input_errors,
)
from ._class_weight import sample_factors
from ._class_weight import weighted as class_weighted
from ._docs import FIT_PARAMETERS, method_docstring
from ._engine import (
    DROPOUT_MODES,
    SGD,
    Adam,
    TrainingData,
    TrainingState,
    move,
    predict,
    rows_per_batch,
    to_numpy,
    train,
    train_lbfgs,
)
from ._fitted import FitOutcome, check_outcome, network_attributes, set_fitted
from ._spec import (
    STOCHASTIC_SOLVERS,
    fit_targets,
    initial_params,
    make_optimizer,
    make_spec,
    training_config,
)
from ._split import validation_split
from ._threads import blas_threads, blas_threads_for
from .callbacks._bridge import CallbackBridge
from .callbacks._support import CallbackSupportMixin, with_callbacks

_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))


def set_init_params(estimator, init_locals: dict) -> None:
    """Store an ``__init__``'s arguments as attributes, unchanged (scikit-learn's
    rule: ``__init__`` only records its parameters)."""
    for name, value in init_locals.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


class BaseMLP(CallbackSupportMixin, BaseEstimator, ABC):
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
        "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "weight_init": [
            StrOptions({"glorot_uniform", "he_normal"}),
            Interval(Real, 0, None, closed="neither"),
            tuple,
        ],
        "restore_best_weights": ["boolean"],
        "dropout_mode": [StrOptions(set(DROPOUT_MODES))],
    }

    #: Whether the targets are class labels (set by MLPClassifier).
    _is_classifier = False

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
        """The shared fit: ``incremental`` is one ``partial_fit`` epoch."""
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        resume = None
        if hasattr(self, "coefs_") and (incremental or self.warm_start):
            resume = "partial_fit" if incremental else "warm_start"
        X_input, y_input = X, y  # what callbacks see (original labels and names)
        settings = self.get_params(deep=False)
        X, Y, targets, sample_weight, class_weights, device_reference = self._validated(
            X, y, sample_weight, settings, resume, classes, incremental)
        spec = make_spec(settings, X.shape[1], targets)
        X = X.tocsr() if sp.issparse(X) else X
        validation = self._explicit_validation_set(X_val, y_val, sample_weight_val,
                                                   targets, X.dtype, class_weights)
        rng = check_random_state(self.random_state)
        params = (initial_params(settings, spec, rng, X.dtype) if resume is None
                  else self._current_params(spec, X.dtype))
        stochastic = self.solver in STOCHASTIC_SOLVERS
        early = self.early_stopping and stochastic
        if early and validation is None:
            check_validation_fraction(self.validation_fraction, X.shape[0])
            X, X_v, Y, Y_v, sample_weight, sw_v = validation_split(
                X, Y, sample_weight, validation_fraction=self.validation_fraction,
                rng=rng, strata=targets.strata(Y))
            validation = (X_v, Y_v, sw_v)
        params = move(params, device_reference)
        state = self._training_state(resume, settings, spec, X.dtype, params)
        config = training_config(settings, spec, early=early, incremental=incremental)
        data = _training_data(X, Y, sample_weight, validation).on_device(device_reference)
        bridge = self._callback_bridge(X_input, y_input, spec, incremental)
        log = print if self.verbose else None
        rows = rows_per_batch(config.batch_size, X.shape[0]) if stochastic else X.shape[0]
        with np.errstate(all="ignore"), blas_threads(
                blas_threads_for(spec.architecture.layer_units, rows)):
            if stochastic:
                train(spec.architecture, data, params, state, config, [rng], log, bridge)
            else:
                train_lbfgs(spec.architecture, data, params, state, config, log, bridge)
        if bridge is not None:
            bridge.finish()
        outcome = FitOutcome(spec, state, params, stochastic, early, validation is not None,
                             incremental)
        check_outcome(outcome, learning_rate_init=self.learning_rate_init,
                      max_iter=self.max_iter)
        set_fitted(self, outcome)
        return self

    def _validated(self, X, y, sample_weight, settings, resume, classes, incremental):
        """The validated data on the host, its target encoding, the fit's sample
        weights (``class_weight`` applied; its resolved weights, or None) and the
        array of another namespace the network trains beside (or None)."""
        name = type(self).__name__
        with clearer_input_errors(name, not self._is_classifier):
            if resume is not None:  # the fitted weights must be in X's namespace
                check_same_namespace(self.coefs_[0], X, name,
                                     "partial_fit" if incremental else "fit")
            # Another Array API namespace (array_api_dispatch=True): labels, weights
            # and the split are prepared on the host; the network trains on X's device.
            X, y, sample_weight, device_reference = validated_for_fit(
                self, X, y, sample_weight, solver=self.solver,
                classifier=self._is_classifier, reset=resume is None)
            previous = getattr(self, "_spec", None)
            targets = fit_targets(settings, y, classifier=self._is_classifier,
                                  previous=None if previous is None else previous.targets,
                                  resume=resume, classes=classes)
            Y = targets.encode(y, X.dtype, name)
        sample_weight, class_weights = class_weighted(
            settings.get("class_weight"), Y, targets, sample_weight,
            incremental=incremental)
        if not incremental:
            check_enough_samples(X.shape[0], name)
        return X, Y, targets, sample_weight, class_weights, device_reference

    def _training_state(self, resume, settings, spec, dtype, params):
        """The engine state this fit continues (or a new one), with its optimizer
        (in ``params``' namespace): ``partial_fit`` keeps the optimizer, a warm
        start gets a fresh one."""
        previous = getattr(self, "_training", None) if resume else None
        state = previous if previous is not None else TrainingState(1)
        n_params = spec.architecture.layout.n_params
        if self.solver not in STOCHASTIC_SOLVERS:
            state.optimizer = None
            return state
        kind = SGD if self.solver == "sgd" else Adam
        current = state.optimizer
        keep = (resume == "partial_fit" and isinstance(current, kind)
                and _optimizer_shape(current) == (1, n_params))
        if not keep:
            state.optimizer = make_optimizer(settings, 1, n_params, dtype,
                                             reference=params)
        return state

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

    def _explicit_validation_set(self, X_val, y_val, sample_weight_val, targets, dtype,
                                 class_weights=None):
        if X_val is None and y_val is None:
            return None
        if X_val is None or y_val is None:
            raise ValueError("X_val and y_val must be given together.")
        name = type(self).__name__
        with clearer_input_errors(name, not self._is_classifier):
            check_validation_width(X_val, self.n_features_in_)
            X_val = validate_data(self, X_val, accept_sparse=["csr", "csc"],
                                  dtype=float_dtypes(X_val), reset=False)
            X_val = to_numpy(X_val).astype(dtype, copy=False)
            check_consistent_length(X_val, y_val)
            Y_val = targets.encode_validation(y_val, dtype, name)
            sw_val = check_weights(to_numpy(sample_weight_val), X_val)
        if class_weights is not None:  # the training set's class weights
            factors = sample_factors(class_weights, Y_val, targets).astype(dtype)
            sw_val = factors if sw_val is None else sw_val * factors
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
        with clearer_input_errors(type(self).__name__):
            return validate_data(self, X, accept_sparse=["csr", "csc"],
                                 dtype=float_dtypes(X), reset=False)

    def _forward(self, X, method="predict"):
        """Network output, shape (n_samples, n_outputs), checked finite, in X's
        namespace and on its device (that of the fitted weights)."""
        X = self._check_predict_input(X)
        check_same_namespace(self.coefs_[0], X, type(self).__name__, method)
        with np.errstate(all="ignore"):  # overflow is caught just below, not warned
            P = predict(X, self.coefs_, self.intercepts_, self._spec.architecture)
        return check_finite_output(P, type(self).__name__)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "coefs_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = self.solver != "lbfgs"  # lbfgs runs through scipy
        return tags


def _training_data(X, Y, sample_weight, validation) -> TrainingData:
    """One model's training data (weights as a ``(1, n)`` row) and validation set."""
    X_val, Y_val, sw_val = validation if validation is not None else (None, None, None)
    return TrainingData(X, Y, None if sample_weight is None else sample_weight[None],
                        X_val=X_val, Y_val=Y_val,
                        val_weight=None if sw_val is None else sw_val[None])


def _optimizer_shape(optimizer):
    """Shape of the parameter buffer an optimizer's state belongs to."""
    return (optimizer.velocity if isinstance(optimizer, SGD) else optimizer.ms).shape
