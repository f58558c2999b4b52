"""MLPRegressorCV and MLPClassifierCV: lambda chosen by cross-validation.

Like ``RidgeCV`` for linear models: every (alpha, fold) network trains in
one batched run of the engine (:mod:`._cv_batch`), the best alpha is refit
on all the data, and ``cv_results_`` is laid out as ``GridSearchCV``'s, so
``pandas.DataFrame(model.cv_results_)`` is the lecture's lambda table
(training vs testing score per lambda).
"""

from __future__ import annotations

import inspect
import warnings
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import FitFailedWarning
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_is_fitted, validate_data

from ._callbacks import CallbackSupportMixin, EpochHooks, with_callbacks
from ._checks import check_enough_samples, clearer_input_errors
from ._cv_batch import plan_models, train_models
from ._cv_scoring import fast_score_name, stacked_scores
from ._engine.dropout import predict_weights
from ._engine.network import Layout, predict
from ._engine.state import DIVERGED

#: The default lambda grid: 1e-4, 1e-3, ..., 100.
DEFAULT_ALPHAS = 10.0 ** np.arange(-4, 3)


class _BaseMLPCV(CallbackSupportMixin, BaseEstimator):
    """Shared machinery of the cross-validated estimators."""

    _estimator_class: type
    _cv_constraints = {
        "alphas": ["array-like", None],
        "cv": ["cv_object"],
        "scoring": [str, callable, HasMethods(["__call__"]), None],
        "n_jobs": [Integral, None],
    }

    def _estimator(self, alpha):
        """A plain estimator with this object's parameters and ``alpha``."""
        names = self._estimator_class._get_param_names()
        params = {name: getattr(self, name) for name in names if name != "alpha"}
        return self._estimator_class(alpha=alpha, **params)

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
        regressor = not isinstance(self, ClassifierMixin)
        proto = self._estimator(alphas[0])
        with clearer_input_errors(type(self).__name__, regressor):
            X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"],
                                 multi_output=True, dtype=(np.float64, np.float32),
                                 y_numeric=regressor)
            X, Y = proto._validate_input(X, y, incremental=False, reset=True)
            sample_weight = proto._check_weights(sample_weight, X)
        check_enough_samples(X.shape[0], type(self).__name__)
        if sp.issparse(X):
            X = X.tocsr()
        splits = list(check_cv(self.cv, y, classifier=isinstance(self, ClassifierMixin))
                      .split(X, y, groups))
        hidden = proto._hidden_sizes()
        dropout = proto._dropout_rates(len(hidden))
        layout = Layout([X.shape[1], *hidden, Y.shape[1]])
        proto.out_activation_ = proto._output_setup()[0]
        proto.n_outputs_, proto.n_layers_ = Y.shape[1], len(layout.layer_units)
        if proto.solver == "lbfgs":
            scores = self._fit_one_by_one(proto, alphas, splits, X, y, sample_weight)
        else:
            scores = self._fit_batched(proto, alphas, splits, X, y, Y, sample_weight,
                                       layout, dropout)
        self._store_results(alphas, splits, *scores)
        if np.isnan(self.cv_results_["mean_test_score"]).all():
            raise ValueError(
                "Every (alpha, fold) fit diverged or scored NaN, so no alpha can be "
                "chosen. Scale the features (StandardScaler) and, for a regressor, the "
                "target (TransformedTargetRegressor), or lower learning_rate_init; "
                "with leave-one-out, use a scoring defined on one sample, such as "
                "'neg_mean_squared_error' (R^2 is not).")
        self.alpha_ = float(alphas[self.best_index_])
        self.alphas_ = alphas
        self.best_estimator_ = self._estimator(self.alpha_).fit(
            X_input, y_input, sample_weight=sample_weight)
        if hasattr(self.best_estimator_, "classes_"):
            self.classes_ = self.best_estimator_.classes_
        return self

    # -- the two ways of training the (alpha, fold) networks ------------------
    def _fit_batched(self, proto, alphas, splits, X, y, Y, sample_weight, layout,
                     dropout):
        early = proto.early_stopping
        models = plan_models(proto, Y, splits, alphas, layout, X.dtype, dropout, early)
        config = proto._training_config(early, dropout, incremental=False,
                                        alpha=np.zeros(len(models)))
        hooks = None
        if getattr(self, "_skl_callbacks", None):  # progress follows the first stack
            context = self._init_callback_context(max_subtasks=proto.max_iter)
            context.call_on_fit_task_begin(estimator=self, X=X, y=y)
            hooks = EpochHooks(self, context, X, y)
        trained = train_models(proto, models, X, Y, sample_weight, layout, config,
                               self.n_jobs, hooks)
        if hooks is not None:
            hooks.close()
            hooks.context.call_on_fit_task_end(estimator=self, X=X, y=y)
        failed = np.array([t.status == DIVERGED for t in trained])
        params = np.stack([t.params for t in trained])
        name = fast_score_name(self.scoring, proto._score_name,
                               isinstance(self, ClassifierMixin),
                               getattr(proto, "_label_binarizer", None) is not None
                               and proto._label_binarizer.y_type_.startswith("multilabel"))
        if name is not None:
            coefs = predict_weights(layout.coefs(params), dropout, proto.dropout_mode)
            P = predict(X, coefs, layout.intercepts(params), proto.activation,
                        proto.out_activation_)
            test, train = (stacked_scores(name, Y, P, [getattr(m, part) for m in models],
                                          sample_weight, proto.out_activation_)
                           for part in ("test", "train"))
        else:
            estimators = [self._estimator(m.alpha)._install_network(
                *layout.unpack(params[k]), proto) for k, m in enumerate(models)]
            test, train = self._scorer_scores(estimators, models, X, y, sample_weight)
        self.n_iter_ = np.array([t.n_iter for t in trained]).reshape(len(alphas), -1)
        test[failed], train[failed] = np.nan, np.nan
        self._warn_failed(failed, models)
        return test, train

    def _fit_one_by_one(self, proto, alphas, splits, X, y, sample_weight):
        """L-BFGS is full batch and sequential: one plain fit per model."""
        models = [_Rows(float(alpha), train_rows, test_rows) for alpha in alphas
                  for train_rows, test_rows in splits]
        fitted = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_or_none)(self._estimator(m.alpha), X[m.train], y[m.train],
                                  None if sample_weight is None else sample_weight[m.train])
            for m in models)
        failed = np.array([est is None for est in fitted])
        test, train = self._scorer_scores(fitted, models, X, y, sample_weight)
        self.n_iter_ = np.array([0 if est is None else est.n_iter_ for est in fitted]
                                ).reshape(len(alphas), -1)
        self._warn_failed(failed, models)
        return test, train

    # -- scoring -------------------------------------------------------------
    def _scorer_scores(self, estimators, models, X, y, sample_weight):
        test = np.full(len(models), np.nan)
        train = np.full(len(models), np.nan)
        for k, (est, m) in enumerate(zip(estimators, models)):
            if est is None:
                continue
            scorer = check_scoring(est, scoring=self.scoring)
            weighted = sample_weight is not None and _accepts_sample_weight(scorer)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # e.g. R^2 of one sample
                for out, rows in ((test, m.test), (train, m.train)):
                    kwargs = {"sample_weight": sample_weight[rows]} if weighted else {}
                    out[k] = scorer(est, X[rows], y[rows], **kwargs)
        return test, train

    def _warn_failed(self, failed, models):
        if failed.any():
            alphas = sorted({m.alpha for m, f in zip(models, failed) if f})
            warnings.warn(
                f"{failed.sum()} of {len(failed)} fits diverged (the loss exploded or "
                f"became non-finite) and score NaN, for alphas {alphas}. Scale the "
                "features and the target, or lower learning_rate_init (a large alpha "
                "also needs a small step: weight decay overshoots when "
                "learning_rate_init * alpha / n_samples > 2).", FitFailedWarning, stacklevel=2)

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
    def predict(self, X):
        """Predict with the estimator refit at ``alpha_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions of ``best_estimator_``.
        """
        check_is_fitted(self)
        return self.best_estimator_.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class _Rows:
    """The alpha and the training / test rows of one (alpha, fold) model."""

    def __init__(self, alpha, train, test):
        self.alpha, self.train, self.test = alpha, train, test


def _accepts_sample_weight(scorer) -> bool:
    """Whether a scorer takes ``sample_weight`` (GridSearchCV's test)."""
    if hasattr(scorer, "_accept_sample_weight"):
        return scorer._accept_sample_weight()
    return "sample_weight" in inspect.signature(scorer).parameters


def _fit_or_none(estimator, X, y, sample_weight):
    """Fit, or None when the fit diverges (scored NaN, as GridSearchCV does)."""
    try:
        return estimator.fit(X, y, sample_weight=sample_weight)
    except ValueError as error:
        if "non-finite" in str(error):
            return None
        raise
