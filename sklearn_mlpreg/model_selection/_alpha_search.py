"""The alpha-only batched search that MLPRegressorCV and MLPClassifierCV run.

:class:`_AlphaSearch` is :class:`~._search.BatchedGridSearchCV` over
``{"alpha": alphas}``: its (alpha, fold) networks are planned, trained in
stacks and scored by :func:`~._evaluate.evaluate`, and its results
formatted by the batched searches' formatting (scikit-learn's
``BaseSearchCV``), so the CV estimators' ``cv_results_``, ``best_index_`` and
``best_score_`` are the batched search's. :class:`_BaseMLPCV` is the CV
estimators' ``fit`` around it: validate the data, split, run the search, warn,
choose alpha, refit on all the data.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._arrays import check_same_namespace, trains_on_any_namespace, validated_for_fit
from .._checks import check_enough_samples, clearer_input_errors, divergence_advice
from .._engine import move
from .._exceptions import FitDivergedError, warn
from .._persistence import SavedStateMixin
from .._settings import N_JOBS_CONSTRAINTS, Settings
from .._spec import fit_targets
from ..callbacks._bridge import CallbackBridge
from ..callbacks._support import CallbackSupportMixin, with_callbacks
from ._alpha_rules import ALPHA_RULES, one_standard_error_index, repeat_winners
from ._evaluate import DIVERGED_MESSAGE, SearchData, count_endings, epochs_run, evaluate
from ._fold_networks import FoldNetworks
from ._folds import FOLD_FIXES, check_splits, fold_defect
from ._scoring import SearchScoring
from ._search import BatchedGridSearchCV, warn_about_endings, warn_about_grid_edges

#: The default lambda grid: 1e-4, 1e-3, ..., 100.
DEFAULT_ALPHAS = (0.0001, 0.001, 0.01, 0.1, 1.0, 10.0, 100.0)


class _AlphaSearch(BatchedGridSearchCV):
    """``BatchedGridSearchCV(estimator, {"alpha": alphas})``, run by the CV
    estimators: the evaluation and the results of the batched search's ``fit``;
    the CV estimators warn, raise and refit in their own words."""

    def evaluate(self, X, y, splits, sample_weight=None, hooks=None, device=None):
        """Every (alpha, fold) network trained in stacks and scored.

        ``sample_weight`` weighs the fits, and the scores when the scorer takes
        it (as ``GridSearchCV`` routes it); ``hooks`` follow the first stack's
        epochs; ``device`` is where the networks train. Returns the records,
        tasks and trained networks of :func:`~._evaluate.evaluate`.
        """
        scorers, _ = self._get_scorers()
        fit_params, score_params = {}, {}
        if sample_weight is not None:
            fit_params["sample_weight"] = sample_weight
            with warnings.catch_warnings():  # the CV estimators never warned about it
                warnings.filterwarnings("ignore", "The scoring .* does not support "
                                        "sample_weight", UserWarning)
                if self._check_scorers_accept_sample_weight():
                    score_params["sample_weight"] = sample_weight
        scoring = SearchScoring(self.scoring, scorers, score_params,
                                self.return_train_score, self.error_score)
        return evaluate(self.estimator, list(self._candidates()),
                        SearchData(X, y, splits, fit_params), scoring, n_jobs=self.n_jobs,
                        hooks=hooks, device=device)

    def results(self, records: list, n_splits: int) -> tuple[dict, int]:
        """``cv_results_`` and ``best_index_`` from the records, formatted and
        chosen as the batched search's ``fit`` does."""
        with warnings.catch_warnings():  # failed fits get the CV estimators' warning
            warnings.filterwarnings("ignore", "One or more of the .* scores are "
                                    "non-finite", UserWarning)
            results = self._format_results(list(self._candidates()), n_splits, records)
        return results, int(self._select_best_index(self.refit, "score", results))


class _BaseMLPCV(SavedStateMixin, CallbackSupportMixin, BaseEstimator):
    """Shared machinery of the cross-validated estimators."""

    _fitted_needs = ("alpha_", "best_estimator_", "cv_results_")

    def _needs_of(self, state: dict) -> tuple[str, ...]:
        """``refit=False`` predicts with the fold networks, not ``best_estimator_``."""
        if state.get("refit", True):
            return self._fitted_needs
        return ("alpha_", "_fold_networks", "cv_results_")

    _estimator_class: type
    _cv_constraints = {
        "alphas": ["array-like", None],
        "cv": ["cv_object"],
        "scoring": [str, callable, HasMethods(["__call__"]), None],
        "n_jobs": N_JOBS_CONSTRAINTS,
        "alpha_rule": [StrOptions(set(ALPHA_RULES))],
        "refit": ["boolean"],
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

    def _batched_search(self, alphas, classifier: bool) -> _AlphaSearch:
        """The batched search over ``alphas``; scored by ``scoring``, or by default
        R^2 for a regressor and the log loss for a classifier."""
        scoring = self.scoring if self.scoring is not None or not classifier \
            else "neg_log_loss"
        return _AlphaSearch(self._estimator_class(**self._estimator_params(alphas[0])),
                            {"alpha": [float(a) for a in alphas]}, scoring=scoring,
                            n_jobs=self.n_jobs, refit=False, error_score=np.nan,
                            return_train_score=True)

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
        splits = check_splits(check_cv(self.cv, y, classifier=classifier).split(
            X, y, groups), X.shape[0])  # (a splitter without a seed splits once)
        Settings.validated(self._estimator_class(**self._estimator_params(alphas[0])))
        cv = check_cv(self.cv, y, classifier=classifier)
        errors, tasks, trained = self._cross_validate(alphas, X, y, sample_weight, splits,
                                                      device)
        if np.isnan(self.cv_results_["mean_test_score"]).all():
            defects = [fold_defect(train, test, y, sample_weight, classifier=classifier,
                                   scoring=self.scoring) for train, test in splits]
            scores = np.column_stack([self.cv_results_[f"split{i}_test_score"]
                                      for i in range(len(splits))]).ravel()
            _raise_nothing_to_choose(errors, scores, defects, self.learning_rate_init)
        self._choose_alpha(alphas, cv)
        self.alphas_ = alphas
        warn_about_grid_edges({"alpha": list(alphas)}, {"alpha": self.alpha_best_})
        template = self._estimator_class(**self._estimator_params(self.alpha_))
        classes = self._keep_fold_networks(template, tasks, trained, X, y, classifier)
        if not self.refit:  # (a refit of an earlier fit would predict for another alpha)
            vars(self).pop("best_estimator_", None)
        else:
            with warnings.catch_warnings():  # the fits' endings were reported above
                warnings.simplefilter("ignore", ConvergenceWarning)
                self.best_estimator_ = clone(template).fit(X_input, y_input,
                                                           sample_weight=sample_weight)
        if classifier:
            self.classes_ = self.best_estimator_.classes_ if self.refit else classes
        if device is not None:  # array attributes in X's namespace, on its device
            self.alphas_, self.n_iter_ = move(self.alphas_, device), move(self.n_iter_,
                                                                          device)
        return self

    def _validated(self, X, y, sample_weight, classifier):
        """The data on the host, and X itself when it is of another Array API
        namespace (the networks then train on its device), else None."""
        name = type(self).__name__
        with clearer_input_errors(name, not classifier, X, y):
            X, y, sample_weight, device = validated_for_fit(
                self, X, y, sample_weight, solver=self.solver, classifier=classifier)
            if classifier:  # labels a stratified split can sort
                fit_targets(y, classifier=True)
        check_enough_samples(X.shape[0], name)
        return X, y, sample_weight, device

    def _keep_fold_networks(self, template, tasks, trained, X, y, classifier):
        """Keep ``alpha_``'s fold networks, their out-of-fold outputs and the
        targets conformal prediction calibrates on; return the classes (None
        for a regressor)."""
        if classifier and y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()  # (a column of labels: one label per sample)
        classes = (None if not classifier else np.unique(y) if y.ndim == 1
                   else np.arange(y.shape[1]))
        networks = FoldNetworks.from_search(template, tasks, trained, self.best_index_, X,
                                            classes, getattr(self, "feature_names_in_",
                                                             None))
        networks.targets = (y if classes is None or y.ndim > 1
                            else np.searchsorted(classes, y))
        self._fold_networks, self.fold_estimators_ = networks, networks.estimators
        return classes

    def _choose_alpha(self, alphas, cv) -> None:
        """``alpha_`` by ``alpha_rule``, and what each rule gives: ``alpha_best_``,
        ``alpha_1se_``, ``alpha_wins_``; ``best_index_`` and ``best_score_``
        follow ``alpha_`` (``cv_results_`` stays the search's)."""
        n_splits = self.n_splits_
        self.alpha_best_ = float(alphas[self.best_index_])
        one_se = one_standard_error_index(self.cv_results_, alphas, n_splits)
        self.alpha_1se_ = float(alphas[one_se])
        self.alpha_wins_ = repeat_winners(self.cv_results_, alphas, cv, n_splits)
        if self.alpha_rule == "1se":
            self.best_index_ = one_se
            self.best_score_ = float(self.cv_results_["mean_test_score"][one_se])
        self.alpha_ = float(alphas[self.best_index_])

    def _cross_validate(self, alphas, X, y, sample_weight, splits, device=None):
        """Run the alpha-only batched search; set ``cv_results_``, ``best_index_``,
        ``best_score_``, ``n_splits_`` and ``n_iter_`` from it, and warn (once
        each) about failed fits and fits that ran out of epochs. Returns each
        (alpha, fold) fit's error (its traceback, or None; alpha-major), the
        tasks and the trained networks."""
        search = self._batched_search(alphas, isinstance(self, ClassifierMixin))
        bridge = self._callback_bridge(X, y)
        records, tasks, trained = search.evaluate(X, y, splits, sample_weight, bridge,
                                                  device)
        if bridge is not None:
            bridge.finish()
        errors = [r["fit_error"] for r in records]
        self._warn_failed(errors, alphas, len(splits))
        warn_about_endings(count_endings(tasks, trained))
        self.n_iter_ = epochs_run(tasks, trained).reshape(len(alphas), -1)
        self.cv_results_, self.best_index_ = search.results(records, len(splits))
        self.best_score_ = float(self.cv_results_["mean_test_score"][self.best_index_])
        self.n_splits_ = len(splits)
        return errors, tasks, trained

    def _warn_failed(self, errors, alphas, n_splits):
        """One warning for the fits that diverged, one for those that failed
        otherwise (with the first one's cause)."""
        diverged = [i for i, e in enumerate(errors) if e is not None and _diverged(e)]
        other = [i for i, e in enumerate(errors) if e is not None and not _diverged(e)]
        if diverged:
            bad = sorted({float(alphas[i // n_splits]) for i in diverged})
            warn(
                f"{len(diverged)} of {len(errors)} fits diverged (the loss exploded or "
                f"became non-finite) and score NaN, for alphas {bad}. Scale the "
                "features and the target, or lower learning_rate_init (a large alpha "
                "also needs a small step: weight decay overshoots when "
                "learning_rate_init * alpha / n_samples > 2).", FitFailedWarning)
        if other:
            bad = sorted({float(alphas[i // n_splits]) for i in other})
            warn(f"{len(other)} of {len(errors)} fits failed and score NaN, for alphas "
                 f"{bad}: {fit_error_cause(errors[other[0]])}", FitFailedWarning)

    # -- prediction: the refit estimator's, or the fold networks' average -------
    def _refit_estimator(self, method: str, X, **options):
        """``best_estimator_``'s ``method`` on ``X`` (of the namespace fit saw), or
        with ``refit=False`` the fold networks' average (predictions, or a
        classifier's probabilities)."""
        check_is_fitted(self)
        if not self.refit:
            if options.get("return_std"):
                raise ValueError("return_std needs the network refit on all rows "
                                 "(refit=True); with refit=False, predict_interval "
                                 "gives the spread the fold networks show.")
            average = self._fold_networks.average(X)
            if method == "predict_log_proba":
                with np.errstate(divide="ignore"):
                    return np.log(average)
            return average
        check_same_namespace(self.best_estimator_.coefs_[0], X, type(self).__name__,
                             method)
        return getattr(self.best_estimator_, method)(X, **options)

    def _fold_networks_of(self, method: str) -> FoldNetworks:
        """The fold networks, for ``method``; a model saved before 0.3.0 has none."""
        check_is_fitted(self)
        if not hasattr(self, "_fold_networks"):
            raise AttributeError(
                f"{method} needs the fold networks that sklearn_mlpreg 0.3.0 and later "
                f"keep; this {type(self).__name__} was fitted by an earlier release. "
                "Fit it again to use it.")
        return self._fold_networks

    def predict(self, X):
        """Predict with the estimator refit at ``alpha_`` (``refit=False``: the
        average of the fold networks at ``alpha_``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions of ``best_estimator_`` (``refit=False``: the fold
            networks' average).
        """
        return self._refit_estimator("predict", X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = trains_on_any_namespace(self.solver)
        return tags


def fit_error_cause(error: str) -> str:
    """What a failed fit's traceback (a record's ``fit_error``) says, without the
    exception's class path."""
    last = error.strip().splitlines()[-1]
    name, _, message = last.partition(": ")
    return message if message and " " not in name else last


def _diverged(error: str) -> bool:
    return DIVERGED_MESSAGE in error


def _raise_nothing_to_choose(errors: list, scores: np.ndarray, defects: list,
                             learning_rate_init: float) -> None:
    """Every alpha scored NaN on some fold: say which (alpha, fold) fits scored
    NaN and why (``errors`` and ``scores`` alpha-major, ``defects`` by fold, of
    :func:`~._folds.fold_defect`), and the fixes."""
    failed = [e for e in errors if e is not None]
    if failed and len(failed) == len(errors) and not any(_diverged(e) for e in failed):
        raise ValueError(f"Every (alpha, fold) fit failed, so no alpha can be chosen: "
                         f"{fit_error_cause(failed[0])}")
    untrained, unscored, nan, diverged, other = {}, {}, [], [], []
    for k, (error, score) in enumerate(zip(errors, scores)):
        fold = k % len(defects)
        defect = defects[fold]
        if error is None and not np.isnan(score):
            continue
        if defect is not None and (error is None or _diverged(error)):
            # (a fold whose training rows weigh 0 "diverges": its loss is 0 / 0)
            group = untrained if defect[1].startswith("training") else unscored
            group.setdefault(defect, []).append(fold)
        elif error is None:
            nan.append(k)
        else:
            (diverged if _diverged(error) else other).append(error)
    said, fixes = [], []
    for group, verb in ((untrained, "did not train"),
                        (unscored, "scored NaN without diverging")):
        if group:
            causes = "; ".join(f"{_folds(folds)}: {what}" for (_, what), folds in
                               group.items())
            said.append(f"{sum(map(len, group.values()))} {verb} ({causes})")
            fixes += [FOLD_FIXES[kind] for kind, _ in group]
    if nan:
        said.append(f"{len(nan)} trained but scored NaN (the scoring returned NaN or "
                    "failed on their test rows)")
        fixes.append("Check the scoring on the test folds (see its warnings).")
    if other:
        said.append(f"{len(other)} failed: {fit_error_cause(other[0])}")
    if diverged:
        said.append(f"{len(diverged)} diverged (the training loss exploded or became "
                    "non-finite)")
        fixes.append(divergence_advice(learning_rate_init).strip())
    only_diverged = diverged and not (untrained or unscored or nan or other)
    raise (FitDivergedError if only_diverged else ValueError)(
        "Every alpha scored NaN on at least one fold, so no alpha can be chosen. Of the "
        f"{len(errors)} (alpha, fold) fits, {'; '.join(said)}. "
        f"{' '.join(dict.fromkeys(fixes))}")


def _folds(folds: list) -> str:
    """``"fold 2"``, ``"folds 0, 1"`` or ``"folds 0, 1, 2, ... (40 folds)"``."""
    folds = sorted(set(folds))
    if len(folds) == 1:
        return f"fold {folds[0]}"
    shown = ", ".join(map(str, folds[:3]))
    return f"folds {shown}" + (f", ... ({len(folds)} folds)" if len(folds) > 3 else "")
