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
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_is_fitted

from .._arrays import check_same_namespace, validated_for_fit
from .._checks import check_enough_samples, clearer_input_errors
from .._classifier import MLPClassifier
from .._docs import CLASSIFIER_ATTRIBUTES, CV_ATTRIBUTES, documented, prediction_docstring
from .._engine import move
from .._exceptions import FitDivergedError, warn
from .._regressor import MLPRegressor
from ..callbacks._bridge import CallbackBridge
from ..callbacks._support import CallbackSupportMixin, with_callbacks
from ._evaluate import count_endings, epochs_run, evaluate_candidates
from ._scoring import accepts_sample_weight
from ._search import warn_about_endings, warn_about_grid_edges

#: The default lambda grid: 1e-4, 1e-3, ..., 100.
DEFAULT_ALPHAS = (0.0001, 0.001, 0.01, 0.1, 1.0, 10.0, 100.0)

_CV_PARAMETERS = [
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
    for name, default in (("alphas", DEFAULT_ALPHAS), ("cv", None), ("scoring", None),
                          ("n_jobs", None))
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
        check_same_namespace(self.best_estimator_.coefs_[0], X, type(self).__name__, name)
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
        alphas = np.asarray(DEFAULT_ALPHAS if self.alphas is None else self.alphas, float)
        if alphas.ndim != 1 or alphas.size == 0 or not np.all(np.isfinite(alphas)) \
                or np.any(alphas < 0):
            raise ValueError(f"alphas must be a non-empty 1-D list of finite values >= 0, "
                             f"got {self.alphas!r}.")
        return alphas

    def _callback_bridge(self, X, y):
        """Progress of the first stack's epochs for the callbacks (None without any)."""
        if not getattr(self, "_skl_callbacks", None):
            return None
        context = self._init_callback_context(max_subtasks=self.max_iter)
        context.call_on_fit_task_begin(estimator=self, X=X, y=y)
        return CallbackBridge(self, context, X, y)

    def _scoring(self, classifier: bool):
        """The scoring used: ``scoring``, or the default (log loss for classifiers)."""
        return self.scoring if self.scoring is not None or not classifier else "neg_log_loss"

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
        X, y, sample_weight, device = self._validated(X, y, sample_weight, classifier)
        splits = list(check_cv(self.cv, y, classifier=classifier).split(X, y, groups))
        test, train, failed = self._cross_validate(alphas, X, y, sample_weight, splits,
                                                   device)
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
        warn_about_grid_edges({"alpha": list(alphas)}, {"alpha": self.alpha_})
        with warnings.catch_warnings():  # the fits' endings were reported above
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.best_estimator_ = self._estimator_class(
                **self._estimator_params(self.alpha_)).fit(X_input, y_input,
                                                           sample_weight=sample_weight)
        if classifier:
            self.classes_ = self.best_estimator_.classes_
        if device is not None:  # array attributes in X's namespace, on its device
            self.alphas_, self.n_iter_ = move(self.alphas_, device), move(self.n_iter_,
                                                                          device)
        return self

    def _validated(self, X, y, sample_weight, classifier):
        """The data on the host, and X itself when it is of another Array API
        namespace (the networks then train on its device), else None."""
        name = type(self).__name__
        with clearer_input_errors(name, not classifier):
            X, y, sample_weight, device = validated_for_fit(
                self, X, y, sample_weight, solver=self.solver, classifier=classifier)
        check_enough_samples(X.shape[0], name)
        return X, y, sample_weight, device

    def _cross_validate(self, alphas, X, y, sample_weight, splits, device=None):
        """Every (alpha, fold) network trained in stacks and scored; sets ``n_iter_``
        and warns (once each) about failed fits and fits that ran out of epochs.
        Returns the test and train scores (alpha-major) and which fits failed."""
        classifier = isinstance(self, ClassifierMixin)
        estimator = self._estimator_class(**self._estimator_params(alphas[0]))
        scoring = self._scoring(classifier)
        scorer = check_scoring(estimator, scoring=scoring)
        weighted = sample_weight is not None
        bridge = self._callback_bridge(X, y)
        records, tasks, trained = evaluate_candidates(
            estimator, X, y, [{"alpha": float(a)} for a in alphas], splits, scoring=scoring,
            scorers=scorer, fit_params={"sample_weight": sample_weight} if weighted else {},
            score_params={"sample_weight": sample_weight}
            if weighted and accepts_sample_weight(scorer) else {},
            return_train_score=True, error_score=np.nan, n_jobs=self.n_jobs, hooks=bridge,
            device=device)
        if bridge is not None:
            bridge.finish()
        failed = np.array([r["fit_error"] is not None for r in records])
        self._warn_failed(failed, alphas, len(splits))
        warn_about_endings(count_endings(tasks, trained))
        self.n_iter_ = epochs_run(tasks, trained).reshape(len(alphas), -1)
        test, train = (np.array([r[key] for r in records], dtype=float)
                       for key in ("test_scores", "train_scores"))
        return test, train, failed

    def _warn_failed(self, failed, alphas, n_splits):
        if failed.any():
            bad = sorted({float(alphas[i // n_splits]) for i in np.flatnonzero(failed)})
            warn(
                f"{failed.sum()} of {len(failed)} fits diverged (the loss exploded or "
                f"became non-finite) and score NaN, for alphas {bad}. Scale the "
                "features and the target, or lower learning_rate_init (a large alpha "
                "also needs a small step: weight decay overshoots when "
                "learning_rate_init * alpha / n_samples > 2).", FitFailedWarning)

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
        tags.array_api_support = self.solver != "lbfgs"  # lbfgs runs through scipy
        return tags


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
default), each network sized for the classes of its own training fold. By
default alpha is chosen by log loss. The best alpha is then refit on all
the data. With ``solver='lbfgs'`` the
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
