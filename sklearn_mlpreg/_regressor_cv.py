"""MLPRegressorCV: MLPRegressor with lambda chosen by cross-validation."""

from __future__ import annotations

from sklearn.base import RegressorMixin

from ._base import set_init_params
from ._cv import _BaseMLPCV
from ._docs import (
    COMMON_PARAMETERS,
    CV_ATTRIBUTES,
    CV_PARAMETERS,
    estimator_docstring,
    without,
)
from ._regressor import MLPRegressor


class MLPRegressorCV(RegressorMixin, _BaseMLPCV):
    __doc__ = estimator_docstring(
        """MLPRegressor with the penalty strength alpha (lambda) chosen by cross-validation.

Every (alpha, fold) network trains in one batched run: model (alpha, fold)
is the network ``MLPRegressor(alpha=alpha, random_state=random_state)``
trains alone on that fold, so ``cv_results_`` equals ``GridSearchCV``'s over
``{"alpha": alphas}`` with the same ``cv``. The best alpha is then refit on
all the data. With ``solver='lbfgs'`` the networks are fit one by one
(through joblib with ``n_jobs``); L-BFGS cannot share a stack.

Parameters other than ``alphas``, ``cv``, ``scoring`` and ``n_jobs`` are
those of :class:`MLPRegressor`.""",
        first_parameters=CV_PARAMETERS + """
loss : {'squared_error', 'poisson'}, default='squared_error'
    See :class:`MLPRegressor`.

""",
        parameters="""
mc_samples : int, default=100
    See :class:`MLPRegressor`.
""",
        attributes="",
        examples="""
Examples
--------
>>> import pandas as pd
>>> from sklearn.datasets import make_regression
>>> from sklearn_mlpreg import MLPRegressorCV
>>> X, y = make_regression(n_samples=60, n_features=5, noise=10, random_state=0)
>>> model = MLPRegressorCV(hidden_layer_sizes=(20,), alphas=[0.01, 1, 100],
...                        solver="adam", learning_rate_init=0.01, max_iter=300,
...                        random_state=0).fit(X, y / y.std())
>>> table = pd.DataFrame(model.cv_results_)[["param_alpha", "mean_train_score",
...                                          "mean_test_score"]]
>>> model.alpha_ in (0.01, 1.0, 100.0)
True
""",
    ).replace(COMMON_PARAMETERS, without(COMMON_PARAMETERS, "alpha")).replace(
        "Attributes\n----------\n", "Attributes\n----------\n" + CV_ATTRIBUTES + "\n", 1)

    _estimator_class = MLPRegressor
    _parameter_constraints: dict = {
        **{k: v for k, v in MLPRegressor._parameter_constraints.items() if k != "alpha"},
        **_BaseMLPCV._cv_constraints,
    }

    def __init__(
        self,
        *,
        alphas=None,
        cv=None,
        scoring=None,
        n_jobs=None,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        solver="adam",
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
