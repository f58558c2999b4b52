"""MLPRegressorCV and MLPClassifierCV: lambda chosen by cross-validation.

Like ``RidgeCV`` for linear models: every (alpha, fold) network trains in
one batched run of the engine (:mod:`._batch`), the best alpha is refit on
all the data, and ``cv_results_`` is laid out as ``GridSearchCV``'s, so
``pandas.DataFrame(model.cv_results_)`` is the lecture's lambda table
(training vs testing score per lambda).

The two classes take every parameter of the estimator they tune (except
``alpha``) plus ``alphas``, ``cv``, ``scoring`` and ``n_jobs``. Their
``__init__`` signatures are derived from the estimators' (see
:func:`init_with_signature`), so a parameter added to ``MLPRegressor`` is
a parameter of ``MLPRegressorCV`` without another edit.
"""

from __future__ import annotations

import inspect
import warnings
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_is_fitted, validate_data

from .._checks import check_enough_samples, check_weights, clearer_input_errors
from .._classifier import MLPClassifier
from .._docs import CLASSIFIER_ATTRIBUTES, CV_ATTRIBUTES, documented, prediction_docstring
from .._engine import DIVERGED, predict
from .._exceptions import FitDivergedError
from .._fitted import FitOutcome, set_fitted
from .._regressor import MLPRegressor
from .._spec import fit_targets, make_spec
from ..callbacks._bridge import CallbackBridge
from ..callbacks._support import CallbackSupportMixin, with_callbacks
from ._batch import fold_models, plan_models, train_models
from ._scoring import scorer_scores, stacked_score_name, stacked_scores

#: The default lambda grid: 1e-4, 1e-3, ..., 100.
DEFAULT_ALPHAS = 10.0 ** np.arange(-4, 3)

_CV_PARAMETERS = [
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None)
    for name in ("alphas", "cv", "scoring", "n_jobs")
]


def init_with_signature(estimator_class: type) -> object:
    """An ``__init__`` taking ``alphas``, ``cv``, ``scoring``, ``n_jobs`` and every
    parameter of ``estimator_class`` but ``alpha``, all keyword-only.

    scikit-learn reads an estimator's parameters off its ``__init__``
    signature; the function carries the full one as ``__signature__``
    (``help`` and ``inspect.signature`` show it), and stores its arguments
    unchanged, as scikit-learn requires.
    """
    own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
           for name, p in inspect.signature(estimator_class).parameters.items()
           if name != "alpha"]
    self_parameter = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    signature = inspect.Signature([self_parameter, *_CV_PARAMETERS, *own])

    def __init__(self, **params):  # noqa: N807 (it is the __init__)
        bound = signature.bind(self, **params)
        bound.apply_defaults()
        for name, value in bound.arguments.items():
            if name != "self":
                setattr(self, name, value)

    __init__.__signature__ = signature
    return __init__


def refit_method(name: str, summary: str, returns: str):
    """A method that calls ``best_estimator_``'s method ``name`` on ``X``."""

    def method(self, X):
        check_is_fitted(self)
        return getattr(self.best_estimator_, name)(X)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = prediction_docstring(summary, returns)
    return method


class _BaseMLPCV(CallbackSupportMixin, BaseEstimator):
    """Shared machinery of the cross-validated estimators."""

    _estimator_class: type
    _cv_constraints = {
        "alphas": ["array-like", None],
        "cv": ["cv_object"],
        "scoring": [str, callable, HasMethods(["__call__"]), None],
        "n_jobs": [Integral, None],
    }

    def _estimator_params(self, alpha) -> dict:
        """The tuned estimator's parameters, with ``alpha``."""
        names = self._estimator_class().get_params(deep=False)
        return {**{name: getattr(self, name) for name in names if name != "alpha"},
                "alpha": alpha}

    def _alphas(self):
        alphas = DEFAULT_ALPHAS if self.alphas is None else np.asarray(self.alphas, float)
        if alphas.ndim != 1 or alphas.size == 0 or not np.all(np.isfinite(alphas)) \
                or np.any(alphas < 0):
            raise ValueError(f"alphas must be a non-empty 1-D list of finite values >= 0, "
                             f"got {self.alphas!r}.")
        return alphas

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, groups=None):
        """Train every (alpha, fold) network, pick alpha, refit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values (class labels for classification).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights, used in training and, when the
            scorer accepts them, in scoring (as ``GridSearchCV`` does since
            scikit-learn 1.9).
        groups : array-like of shape (n_samples,), default=None
            Group labels for group-aware splitters such as ``GroupKFold``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        alphas = self._alphas()
        X_input, y_input = X, y
        classifier = isinstance(self, ClassifierMixin)
        settings = self._estimator_params(alphas[0])
        name = type(self).__name__
        with clearer_input_errors(name, not classifier):
            X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"],
                                 multi_output=True, dtype=(np.float64, np.float32),
                                 y_numeric=not classifier)
            targets = fit_targets(settings, y, classifier=classifier)
            Y = targets.encode(y, X.dtype, name)
            sample_weight = check_weights(sample_weight, X)
        check_enough_samples(X.shape[0], name)
        spec = make_spec(settings, X.shape[1], targets)
        X = X.tocsr() if sp.issparse(X) else X
        splits = list(check_cv(self.cv, y, classifier=classifier).split(X, y, groups))
        if self.solver == "lbfgs":
            test, train, failed = self._fit_one_by_one(alphas, splits, X, y,
                                                       sample_weight)
        else:
            test, train, failed = self._fit_batched(settings, spec, alphas, splits, X, y,
                                                    Y, sample_weight)
        self._store_results(alphas, splits, test, train)
        if np.isnan(self.cv_results_["mean_test_score"]).all():
            error = FitDivergedError if failed.all() else ValueError
            raise error(
                "Every (alpha, fold) fit diverged or scored NaN, so no alpha can be "
                "chosen. Scale the features (StandardScaler) and, for a regressor, the "
                "target (TransformedTargetRegressor), or lower learning_rate_init; "
                "with leave-one-out, use a scoring defined on one sample, such as "
                "'neg_mean_squared_error' (R^2 is not).")
        self.alpha_ = float(alphas[self.best_index_])
        self.alphas_ = alphas
        self.best_estimator_ = self._estimator_class(
            **self._estimator_params(self.alpha_)).fit(X_input, y_input,
                                                       sample_weight=sample_weight)
        if classifier:
            self.classes_ = self.best_estimator_.classes_
        return self

    # -- the two ways of training the (alpha, fold) networks ------------------
    def _fit_batched(self, settings, spec, alphas, splits, X, y, Y, sample_weight):
        models = plan_models(settings, spec, Y, splits, alphas, X.dtype)
        bridge = None
        if getattr(self, "_skl_callbacks", None):  # progress follows the first stack
            context = self._init_callback_context(max_subtasks=self.max_iter)
            context.call_on_fit_task_begin(estimator=self, X=X, y=y)
            bridge = CallbackBridge(self, context, X, y)
        trained = train_models(settings, spec, models, X, Y, sample_weight, self.n_jobs,
                               bridge)
        if bridge is not None:
            bridge.finish()
        failed = np.array([t.state.status[0] == DIVERGED for t in trained])
        params = np.stack([t.params for t in trained])
        arch = spec.architecture
        name = stacked_score_name(self.scoring, spec.targets.score,
                                  spec.targets.classifier,
                                  getattr(spec.targets, "multilabel", False))
        if name is not None:
            P = predict(X, arch.layout.coefs(params), arch.layout.intercepts(params), arch)
            test, train = (stacked_scores(name, Y, P, [getattr(m, part) for m in models],
                                          sample_weight, arch.out_activation)
                           for part in ("test", "train"))
        else:
            feature_names = getattr(self, "feature_names_in_", None)
            estimators = []
            for m, t in zip(models, trained):
                estimator = self._estimator_class(**self._estimator_params(m.alpha))
                set_fitted(estimator, FitOutcome(spec, t.state, t.params[None]),
                           feature_names)
                estimators.append(estimator)
            test, train = scorer_scores(self.scoring, estimators, models, X, y,
                                        sample_weight)
        self.n_iter_ = np.array([t.state.n_iter[0] for t in trained]).reshape(
            len(alphas), -1)
        test[failed], train[failed] = np.nan, np.nan
        self._warn_failed(failed, models)
        return test, train, failed

    def _fit_one_by_one(self, alphas, splits, X, y, sample_weight):
        """L-BFGS is full batch and sequential: one plain fit per model."""
        models = fold_models(alphas, splits)
        fitted = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_or_none)(self._estimator_class(**self._estimator_params(m.alpha)),
                                  X[m.train], y[m.train],
                                  None if sample_weight is None else sample_weight[m.train])
            for m in models)
        failed = np.array([est is None for est in fitted])
        test, train = scorer_scores(self.scoring, fitted, models, X, y, sample_weight)
        self.n_iter_ = np.array([0 if est is None else est.n_iter_ for est in fitted]
                                ).reshape(len(alphas), -1)
        self._warn_failed(failed, models)
        return test, train, failed

    def _warn_failed(self, failed, models):
        if failed.any():
            alphas = sorted({m.alpha for m, f in zip(models, failed) if f})
            warnings.warn(
                f"{failed.sum()} of {len(failed)} fits diverged (the loss exploded or "
                f"became non-finite) and score NaN, for alphas {alphas}. Scale the "
                "features and the target, or lower learning_rate_init (a large alpha "
                "also needs a small step: weight decay overshoots when "
                "learning_rate_init * alpha / n_samples > 2).", FitFailedWarning,
                stacklevel=3)

    # -- results ---------------------------------------------------------------
    def _store_results(self, alphas, splits, test, train):
        n_alphas, n_splits = len(alphas), len(splits)
        results = {"params": [{"alpha": float(a)} for a in alphas],
                   "param_alpha": np.ma.MaskedArray(alphas, mask=False)}
        for name, scores in (("test_score", test), ("train_score", train)):
            table = scores.reshape(n_alphas, n_splits)
            for i in range(n_splits):
                results[f"split{i}_{name}"] = table[:, i]
            results[f"mean_{name}"] = table.mean(axis=1)
            results[f"std_{name}"] = table.std(axis=1)
        means = results["mean_test_score"]
        if np.isnan(means).all():
            rank = np.ones(n_alphas, dtype=np.int32)
        else:
            filled = np.where(np.isnan(means), np.nanmin(means) - 1, means)
            rank = rankdata(-filled, method="min").astype(np.int32)
        results["rank_test_score"] = rank
        self.cv_results_ = results
        self.best_index_ = int(np.flatnonzero(rank == 1)[0])
        self.best_score_ = float(means[self.best_index_])
        self.n_splits_ = n_splits

    # -- prediction is the refit estimator's ---------------------------------
    predict = refit_method(
        "predict", "Predict with the estimator refit at ``alpha_``.",
        "y : ndarray of shape (n_samples,) or (n_samples, n_outputs)\n"
        "    Predictions of ``best_estimator_``.\n")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _fit_or_none(estimator, X, y, sample_weight):
    """Fit, or None when the fit diverges (scored NaN, as GridSearchCV does)."""
    try:
        return estimator.fit(X, y, sample_weight=sample_weight)
    except FitDivergedError:
        return None


_REGRESSOR_SUMMARY = """MLPRegressor with the penalty strength alpha (lambda) chosen by CV.

Every (alpha, fold) network trains in one batched run: model (alpha, fold)
is the network ``MLPRegressor(alpha=alpha, random_state=random_state)``
trains alone on that fold, so ``cv_results_`` equals ``GridSearchCV``'s over
``{"alpha": alphas}`` with the same ``cv``. The best alpha is then refit on
all the data. With ``solver='lbfgs'`` the networks are fit one by one
(through joblib with ``n_jobs``); L-BFGS cannot share a stack.

Parameters other than ``alphas``, ``cv``, ``scoring`` and ``n_jobs`` are
those of :class:`MLPRegressor`."""

_REGRESSOR_EXAMPLES = """
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
"""


@documented(_REGRESSOR_SUMMARY, [CV_ATTRIBUTES], _REGRESSOR_EXAMPLES)
class MLPRegressorCV(RegressorMixin, _BaseMLPCV):
    _estimator_class = MLPRegressor
    _parameter_constraints: dict = {
        **{k: v for k, v in MLPRegressor._parameter_constraints.items() if k != "alpha"},
        **_BaseMLPCV._cv_constraints,
    }
    __init__ = init_with_signature(MLPRegressor)


_CLASSIFIER_SUMMARY = """MLPClassifier with the penalty strength alpha (lambda) chosen by CV.

Every (alpha, fold) network trains in one batched run: model (alpha, fold)
is the network ``MLPClassifier(alpha=alpha, random_state=random_state)``
trains alone on that fold, so ``cv_results_`` equals ``GridSearchCV``'s over
``{"alpha": alphas}`` with the same ``cv`` (folds are stratified by
default). The output layer is sized for the classes of all of ``y``. The
best alpha is then refit on all the data. With ``solver='lbfgs'`` the
networks are fit one by one.

Parameters other than ``alphas``, ``cv``, ``scoring`` and ``n_jobs`` are
those of :class:`MLPClassifier`."""


@documented(_CLASSIFIER_SUMMARY, [CV_ATTRIBUTES, CLASSIFIER_ATTRIBUTES])
class MLPClassifierCV(ClassifierMixin, _BaseMLPCV):
    _estimator_class = MLPClassifier
    _parameter_constraints: dict = {
        **{k: v for k, v in MLPClassifier._parameter_constraints.items() if k != "alpha"},
        **_BaseMLPCV._cv_constraints,
    }
    __init__ = init_with_signature(MLPClassifier)

    predict_proba = refit_method(
        "predict_proba", "Class probabilities of the estimator refit at ``alpha_``.",
        "proba : ndarray of shape (n_samples, n_classes)\n"
        "    Probabilities in the order of ``classes_``.\n")
    predict_log_proba = refit_method(
        "predict_log_proba", "Log of the class probabilities of the estimator refit at "
        "``alpha_``.", "log_proba : ndarray of shape (n_samples, n_classes)\n"
        "    ``log(predict_proba(X))``.\n")
