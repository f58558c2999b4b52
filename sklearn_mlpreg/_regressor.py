"""MLPRegressor: the drop-in replacement of scikit-learn's, in readable numpy."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array, column_or_1d, validate_data

from ._base import BaseMLP
from ._callbacks import with_callbacks
from ._checks import check_finite_output, check_target_scale
from ._docs import estimator_docstring
from ._engine.dropout import predict_stochastic


class MLPRegressor(RegressorMixin, BaseMLP):
    __doc__ = estimator_docstring(
        """Multi-layer perceptron regressor trained by backpropagation.

Accepts every parameter of :class:`sklearn.neural_network.MLPRegressor` with
the same meaning and default, plus the lecture's regularization recipe
(``penalty``, ``l1_ratio``, ``dropout``, ``weight_init``,
``restore_best_weights``). It minimizes the half squared error (or half
Poisson deviance) plus ``alpha * R(W) / n``.""",
        first_parameters="""\
loss : {'squared_error', 'poisson'}, default='squared_error'
    Half squared error with an identity output, or half Poisson deviance with
    an exponential output (requires ``y >= 0``). With several outputs the
    losses are summed over outputs: scikit-learn reports the mean over
    outputs of the squared error but steps along the gradient of the sum;
    the steps agree, the reported loss here is the objective they minimize.

""",
        parameters="""
mc_samples : int, default=100
    Number of stochastic forward passes of ``predict(X, return_std=True)``
    (Monte-Carlo dropout).
""",
        examples="""
Examples
--------
>>> from sklearn.datasets import load_diabetes
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from sklearn_mlpreg import MLPRegressor
>>> X, y = load_diabetes(return_X_y=True)
>>> model = make_pipeline(StandardScaler(), MLPRegressor(
...     hidden_layer_sizes=(30, 15), solver="lbfgs", alpha=10.0, random_state=0))
>>> round(model.fit(X[:300], y[:300]).score(X[300:], y[300:]), 2) > 0.3
True
""",
    )

    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
        "mc_samples": [Interval(Integral, 2, None, closed="left")],
    }

    def __init__(
        self,
        loss="squared_error",
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
        mc_samples=100,
    ):
        self.loss = loss
        self.mc_samples = mc_samples
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes, activation=activation,
            solver=solver, alpha=alpha, batch_size=batch_size,
            learning_rate=learning_rate, learning_rate_init=learning_rate_init,
            power_t=power_t, max_iter=max_iter, shuffle=shuffle,
            random_state=random_state, tol=tol, verbose=verbose,
            warm_start=warm_start, momentum=momentum,
            nesterovs_momentum=nesterovs_momentum, early_stopping=early_stopping,
            validation_fraction=validation_fraction, beta_1=beta_1, beta_2=beta_2,
            epsilon=epsilon, n_iter_no_change=n_iter_no_change, max_fun=max_fun,
            penalty=penalty, l1_ratio=l1_ratio, dropout=dropout,
            weight_init=weight_init, restore_best_weights=restore_best_weights,
            dropout_mode=dropout_mode,
        )

    @available_if(lambda est: est._check_solver())
    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data.

        The optimizer's state (momentum, Adam's moments, the learning-rate
        schedule) carries over between calls. Not available with
        ``solver='lbfgs'``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X, return_std=False):
        """Predict with the trained network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        return_std : bool, default=False
            Monte-Carlo dropout (Gal & Ghahramani, 2016): average
            ``mc_samples`` forward passes with dropout left on and also
            return their standard deviation, a measure of the model's
            uncertainty. Needs a network trained with ``dropout > 0``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values (the Monte-Carlo mean with ``return_std``).
        y_std : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Standard deviation of the Monte-Carlo passes; only with
            ``return_std=True``.
        """
        if not return_std:
            P = self._forward(X)
            return P.ravel() if P.shape[1] == 1 else P
        P = check_finite_output(self._monte_carlo(X), type(self).__name__)
        mean, std = P.mean(axis=0), P.std(axis=0)
        if mean.shape[1] == 1:
            return mean.ravel(), std.ravel()
        return mean, std

    def _monte_carlo(self, X):
        """``mc_samples`` stochastic forward passes, shape (T, n, n_outputs)."""
        X = self._check_predict_input(X)
        rates = self._dropout_rates(len(self.coefs_) - 1)
        if not any(rates):
            raise ValueError(
                "predict(X, return_std=True) needs a network trained with dropout: "
                "the spread comes from dropout masks. Refit with dropout > 0, or use "
                "sklearn_mlpreg.studies for the variance over retrainings."
            )
        if hasattr(X, "toarray"):
            X = X.toarray()
        rng = check_random_state(self.random_state)
        return predict_stochastic(X, self.coefs_, self.intercepts_, self.activation,
                                  self.out_activation_, rates, rng, self.mc_samples,
                                  self.dropout_mode)

    # -- hooks ---------------------------------------------------------------
    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
            y_numeric=True, dtype=(np.float64, np.float32), reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        Y = self._check_target(y, X.dtype)
        return X, Y

    def _validation_targets(self, y_val, dtype):
        y_val = check_array(y_val, ensure_2d=False, dtype=dtype,
                            input_name="y_val")
        return self._check_target(y_val, dtype)

    def _check_target(self, y, dtype):
        Y = np.asarray(y, dtype=dtype)
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
        if self.loss == "squared_error":
            check_target_scale(Y, type(self).__name__)
        if self.loss == "poisson" and (Y < 0).any():
            raise ValueError(
                "loss='poisson' requires non-negative targets (counts or rates); "
                "use loss='squared_error' for targets that can be negative."
            )
        return Y

    def _output_setup(self):
        if self.loss == "poisson":
            return "exp", "poisson"
        return "identity", "squared_error"
