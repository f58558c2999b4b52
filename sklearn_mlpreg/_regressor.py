"""MLPRegressor: the drop-in replacement of scikit-learn's, in readable numpy."""

from __future__ import annotations

from numbers import Integral

from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ._arrays import check_same_namespace
from ._base import BaseMLP, if_stochastic, set_init_params
from ._checks import check_finite_output
from ._docs import COMMON_ATTRIBUTES, documented
from ._engine import move, namespace, predict_stochastic, to_numpy
from .callbacks._support import with_callbacks

_SUMMARY = """Multi-layer perceptron regressor trained by backpropagation.

Accepts every parameter of :class:`sklearn.neural_network.MLPRegressor` with
the same meaning and default, plus the lecture's regularization recipe
(``penalty``, ``l1_ratio``, ``dropout``, ``weight_init``,
``restore_best_weights``). It minimizes the half squared error (or half
Poisson deviance) plus ``alpha * R(W) / n``."""

_EXAMPLES = """
Examples
--------
>>> from sklearn.datasets import load_diabetes
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from sklearn_mlpreg import MLPRegressor
>>> X, y = load_diabetes(return_X_y=True)
>>> model = make_pipeline(StandardScaler(), MLPRegressor(
...     hidden_layer_sizes=(30, 15), alpha=10.0, learning_rate_init=0.01,
...     early_stopping=True, max_iter=300, random_state=0))
>>> round(model.fit(X[:300], y[:300]).score(X[300:], y[300:]), 2) > 0.3
True
"""


@documented(_SUMMARY, [COMMON_ATTRIBUTES], _EXAMPLES)
class MLPRegressor(RegressorMixin, BaseMLP):
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
        set_init_params(self, locals())

    @if_stochastic
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
            return self._spec.targets.decode(P)
        P = check_finite_output(self._monte_carlo(X), type(self).__name__,
                                (*self.coefs_, *self.intercepts_))
        xp, decode = namespace(P), self._spec.targets.decode
        return decode(xp.mean(P, axis=0)), decode(xp.std(P, axis=0))

    def _monte_carlo(self, X):
        """``mc_samples`` stochastic forward passes, shape (T, n, n_outputs)."""
        X = self._check_predict_input(X)
        architecture = self._spec.architecture
        if not architecture.has_dropout:
            raise ValueError(
                "predict(X, return_std=True) needs a network trained with dropout: "
                "the spread comes from dropout masks. Refit with dropout > 0, or use "
                "sklearn_mlpreg.studies for the variance over retrainings."
            )
        if hasattr(X, "toarray"):
            X = X.toarray()
        check_same_namespace(self.coefs_[0], X, type(self).__name__, "predict")
        rng = check_random_state(self.random_state)
        # the masks come from a numpy RandomState: drawn and applied on the host
        P = predict_stochastic(to_numpy(X), [to_numpy(W) for W in self.coefs_],
                               [to_numpy(b) for b in self.intercepts_], architecture, rng,
                               self.mc_samples)
        return move(P, X)
