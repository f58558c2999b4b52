"""BaseMLP: parameters, validation and the shared fit of both estimators.

The estimators are a thin shell around :mod:`sklearn_mlpreg._engine`: this
module validates parameters and data, draws the initial weights, splits off
the early-stopping validation set, hands one network (K = 1) to the engine,
and turns the engine's state into scikit-learn's fitted attributes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, _fit_context, is_regressor
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from ._callbacks import CallbackSupportMixin, EpochHooks, with_callbacks
from ._checks import (
    all_finite,
    check_enough_samples,
    check_finite_output,
    check_validation_fraction,
    check_validation_width,
    check_weights,
    clearer_input_errors,
    dropout_rates,
    given_weights,
    hidden_sizes,
)
from ._docs import FIT_PARAMETERS, method_docstring
from ._engine.dropout import DROPOUT_MODES, predict_weights
from ._engine.initializers import initialize
from ._engine.lbfgs import train_lbfgs
from ._engine.network import Layout, predict
from ._engine.optimizers import SGD, Adam
from ._engine.training import TrainingConfig, TrainingData, train
from ._fit_outcome import store_outcome, training_state
from ._split import validation_split
from ._threads import blas_threads, blas_threads_for

_STOCHASTIC_SOLVERS = ("sgd", "adam")
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
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
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

    #: Validation score monitored by early stopping ("r2" or "accuracy").
    _score_name = "r2"

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        penalty="l2",
        l1_ratio=0.15,
        dropout=0.0,
        weight_init="glorot_uniform",
        restore_best_weights=True,
        dropout_mode="inverted",
    ):
        set_init_params(self, locals())

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None,
            sample_weight_val=None):
        return self._fit(X, y, sample_weight, X_val, y_val, sample_weight_val,
                         incremental=False)

    fit.__doc__ = method_docstring(
        "Fit the network to data matrix X and target(s) y.", FIT_PARAMETERS,
        "self : object\n    The fitted estimator.\n")

    # -- hooks of the subclasses ------------------------------------------
    @abstractmethod
    def _validate_input(self, X, y, incremental, reset):
        """Return validated ``X`` and the 2-D float target matrix ``Y``."""

    @abstractmethod
    def _validation_targets(self, y_val, dtype):
        """Return the 2-D target matrix of an explicit validation set."""

    def _strata(self, Y):
        """Stratum of each sample for the early-stopping split (None: no strata)."""
        return None

    @abstractmethod
    def _output_setup(self):
        """Return ``(out_activation, engine_loss)`` for the fitted targets."""

    # -- parameters ----------------------------------------------------------
    def _hidden_sizes(self) -> list[int]:
        return hidden_sizes(self.hidden_layer_sizes)

    def _dropout_rates(self, n_hidden: int) -> tuple:
        return dropout_rates(self.dropout, n_hidden)

    def _check_solver(self):
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    # -- fit -----------------------------------------------------------------
    def _fit(self, X, y, sample_weight=None, X_val=None, y_val=None,
             sample_weight_val=None, incremental=False):
        X_input, y_input = X, y  # what callbacks see (original labels and names)
        hidden = self._hidden_sizes()
        dropout = self._dropout_rates(len(hidden))
        if any(dropout) and self.solver == "lbfgs":
            raise ValueError(
                "dropout needs a stochastic solver: random masks break L-BFGS's line "
                "search. Use solver='adam' or 'sgd', or set dropout=0."
            )
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        with clearer_input_errors(type(self).__name__, is_regressor(self)):
            X, Y = self._validate_input(X, y, incremental, reset=first_pass)
            sample_weight = self._check_weights(sample_weight, X)
        if not incremental:
            check_enough_samples(X.shape[0], type(self).__name__)
        if sp.issparse(X):
            X = X.tocsr()
        stochastic = self.solver in _STOCHASTIC_SOLVERS
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        validation = self._explicit_validation_set(X_val, y_val, sample_weight_val, X.dtype)
        layer_units = [X.shape[1], *hidden, Y.shape[1]]
        rng = check_random_state(self.random_state)
        if first_pass:
            self._initialize(layer_units, X.dtype, rng)
        else:
            self._check_architecture(layer_units)
        layout = Layout(layer_units)
        params = layout.pack(self.coefs_, self.intercepts_, layout.empty(1, X.dtype))
        early = self.early_stopping and stochastic
        if early and validation is None:
            check_validation_fraction(self.validation_fraction, X.shape[0])
            X, X_v, Y, Y_v, sample_weight, sw_v = validation_split(
                X, Y, sample_weight, validation_fraction=self.validation_fraction,
                rng=rng, strata=self._strata(Y))
            validation = (X_v, Y_v, sw_v)
        state = training_state(self)
        config = self._training_config(early, dropout, incremental)
        data = TrainingData(
            X, Y, None if sample_weight is None else sample_weight[None],
            X_val=None if validation is None else validation[0],
            Y_val=None if validation is None else validation[1],
            val_weight=None if validation is None or validation[2] is None
            else validation[2][None],
        )
        log = print if self.verbose else None
        hooks = self._callback_hooks(X_input, y_input, layout, incremental)
        batch_rows = X.shape[0] if not stochastic or self.batch_size == "auto" else min(
            self.batch_size, X.shape[0])
        with np.errstate(all="ignore"), blas_threads(blas_threads_for(layer_units,
                                                                       batch_rows)):
            if stochastic:
                optimizer = self._optimizer_for(layout, X.dtype, incremental)
                train(data, params, layout, optimizer, state, config, [rng], log, hooks)
            else:
                result = train_lbfgs(data, params, layout, state, config, self.max_fun,
                                     log, hooks)
        if hooks is not None:
            hooks.close()
            hooks.context.call_on_fit_task_end(estimator=self, X=X_input, y=y_input)
        store_outcome(self, state, params, layout, first_pass, early, validation is not None,
                     None if stochastic else result, incremental)
        return self

    def _callback_hooks(self, X, y, layout, incremental):
        """Per-epoch callback hooks, or None when no callback is set (no cost)."""
        if not getattr(self, "_skl_callbacks", None):
            return None
        context = self._init_callback_context(max_subtasks=1 if incremental
                                              else self.max_iter)
        context.call_on_fit_task_begin(estimator=self, X=X, y=y)

        def network_after_epoch(params):
            coefs, intercepts = layout.unpack(params[0])
            return {"coefs_": coefs, "intercepts_": intercepts}

        return EpochHooks(self, context, X, y, reconstruct=network_after_epoch)

    def _check_weights(self, sample_weight, X):
        return check_weights(sample_weight, X)

    def _explicit_validation_set(self, X_val, y_val, sample_weight_val, dtype):
        if X_val is None and y_val is None:
            return None
        if X_val is None or y_val is None:
            raise ValueError("X_val and y_val must be given together.")
        with clearer_input_errors(type(self).__name__, is_regressor(self)):
            check_validation_width(X_val, self.n_features_in_)
            X_val = validate_data(self, X_val, accept_sparse=["csr", "csc"],
                                  dtype=dtype, reset=False)
            check_consistent_length(X_val, y_val)
            Y_val = self._validation_targets(y_val, dtype)
            sw_val = self._check_weights(sample_weight_val, X_val)
        return (X_val.tocsr() if sp.issparse(X_val) else X_val), Y_val, sw_val

    def _initialize(self, layer_units, dtype, rng):
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = layer_units[-1]
        self.n_layers_ = len(layer_units)
        self.out_activation_, _ = self._output_setup()
        if isinstance(self.weight_init, tuple):
            self.coefs_, self.intercepts_ = given_weights(self.weight_init, layer_units,
                                                          dtype)
        else:
            self.coefs_, self.intercepts_ = initialize(
                layer_units, rng, self.weight_init, self.activation, dtype
            )
        self.loss_curve_ = []
        self._no_improvement_count = 0
        for name in ("_best_params", "_optimizer"):
            self.__dict__.pop(name, None)
        self.best_loss_ = None if self.early_stopping else np.inf
        self.validation_scores_ = [] if self.early_stopping else None
        self.best_validation_score_ = -np.inf if self.early_stopping else None
        self.validation_loss_curve_ = None
        self.gradient_norms_ = np.empty((0, len(layer_units) - 1))
        self.saturation_ = np.empty((0, len(layer_units) - 2))

    def _check_architecture(self, layer_units):
        shapes = [tuple(W.shape) for W in self.coefs_]
        expected = list(zip(layer_units[:-1], layer_units[1:]))
        if shapes != expected:
            raise ValueError(
                f"The network has layers {shapes}, but the data and "
                f"hidden_layer_sizes ask for {expected}. Set warm_start=False (or "
                "refit from scratch) to change the architecture."
            )

    def _optimizer_for(self, layout, dtype, incremental):
        kind = SGD if self.solver == "sgd" else Adam
        current = getattr(self, "_optimizer", None)
        if incremental and isinstance(current, kind) and current_shape(current) == (
            1, layout.n_params
        ):
            return current
        self._optimizer = self._new_optimizer(1, layout.n_params, dtype)
        return self._optimizer

    def _new_optimizer(self, n_models, n_params, dtype):
        """A fresh stochastic optimizer for ``n_models`` stacked networks."""
        if self.solver == "sgd":
            return SGD(n_models, n_params, dtype, self.learning_rate_init,
                       self.learning_rate, self.momentum, self.nesterovs_momentum,
                       self.power_t)
        return Adam(n_models, n_params, dtype, self.learning_rate_init, self.beta_1,
                    self.beta_2, self.epsilon)

    def _training_config(self, early, dropout, incremental, alpha=None):
        """Engine settings from the hyper-parameters (``alpha``: one per model)."""
        out_activation, loss = self._output_setup()
        return TrainingConfig(
            activation=self.activation, out_activation=out_activation,
            loss=loss, score=self._score_name,
            alpha=np.array([self.alpha]) if alpha is None else np.asarray(alpha),
            penalty=self.penalty or "none", l1_ratio=self.l1_ratio,
            batch_size=None if self.batch_size == "auto" else self.batch_size,
            shuffle=self.shuffle, max_iter=self.max_iter, tol=self.tol,
            n_iter_no_change=self.n_iter_no_change, early_stopping=early,
            restore_best_weights=self.restore_best_weights, dropout=dropout,
            dropout_mode=self.dropout_mode, incremental=incremental,
        )

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
                                 dtype=(np.float64, np.float32), reset=False)

    def _forward(self, X, check_input=True):
        """Network output, shape (n_samples, n_outputs)."""
        if check_input:
            X = self._check_predict_input(X)
        coefs = self.coefs_
        if self.dropout_mode == "weight_scaling":  # inverted dropout needs nothing
            coefs = predict_weights(coefs, self._dropout_rates(len(coefs) - 1),
                                    self.dropout_mode)
        with np.errstate(all="ignore"):  # overflow is caught just below, not warned
            P = predict(X, coefs, self.intercepts_, self.activation, self.out_activation_)
        return check_finite_output(P, type(self).__name__)

    def _install_network(self, coefs, intercepts, template):
        """Make this estimator predict with the given weights.

        The fitted attributes that prediction needs are copied from
        ``template``, an estimator fitted on the same kind of data (used by
        the cross-validated estimators to score each (alpha, fold) network).
        """
        self.coefs_, self.intercepts_ = coefs, intercepts
        for name in ("n_features_in_", "n_outputs_", "n_layers_", "out_activation_",
                     "classes_", "_label_binarizer"):
            if hasattr(template, name):
                setattr(self, name, getattr(template, name))
        return self

    def __sklearn_is_fitted__(self):
        return hasattr(self, "coefs_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def current_shape(optimizer):
    """Shape of the parameter buffer an optimizer's state belongs to."""
    state = optimizer.velocity if hasattr(optimizer, "velocity") else optimizer.ms
    return state.shape
