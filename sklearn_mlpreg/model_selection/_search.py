"""BatchedGridSearchCV and BatchedRandomizedSearchCV: GridSearchCV and
RandomizedSearchCV whose (candidate, fold) networks train in stacks.

They are scikit-learn's search classes with one method replaced: ``fit``
plans every (candidate, fold) of the search, trains the networks together
(:mod:`._evaluate`, :mod:`.._stacks`) and formats the results with scikit-learn's
own code, so that ``cv_results_``, ``best_*``, ``refit``, multi-metric scoring,
``error_score``, ``groups`` and ``sample_weight`` behave exactly as in
``GridSearchCV``. Everything else (``predict``, ``score``, ``classes_``,
``get_params``, ...) is inherited unchanged.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from numbers import Real
from typing import NamedTuple

import numpy as np
from sklearn.base import _fit_context, clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import (
    GridSearchCV,
    ParameterGrid,
    ParameterSampler,
    RandomizedSearchCV,
    check_cv,
)
from sklearn.model_selection._validation import (
    _insert_error_scores,
    _warn_or_raise_about_fit_failures,
)
from sklearn.utils.validation import (
    _check_method_params,
    _num_samples,
    column_or_1d,
    indexable,
)

from .._arrays import dispatched
from .._checks import clearer_input_errors
from .._engine import move
from .._exceptions import GridEdgeWarning, warn
from .._persistence import SavedStateMixin
from .._pipeline import searched_mlp
from .._spec import fit_targets
from ._evaluate import SearchData, count_endings, epochs_run, evaluate
from ._folds import check_splits
from ._scoring import SearchScoring
from ._search_intervals import _SearchIntervalsMixin
from ._task_tree import _SearchCallbacks


def warn_about_endings(endings: dict) -> None:
    """One warning per search for fits that ran out of epochs or diverged (where
    GridSearchCV warns once per fit)."""
    if endings["max_iter"]:
        warn(
            f"{endings['max_iter']} of {endings['fits']} (candidate, fold) fits reached "
            "max_iter without converging. Raise max_iter, raise learning_rate_init, or "
            "scale the features (StandardScaler).", ConvergenceWarning)
    if endings["restored"]:
        warn(
            f"{endings['restored']} of {endings['fits']} (candidate, fold) fits diverged; "
            "they keep the weights of their best validation epoch. Lower "
            "learning_rate_init, or scale the features and the target.",
            ConvergenceWarning)


def _is_number(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _axis_values(grids: list, name: str) -> list:
    """The values of axis ``name`` over the grids, or [] unless they are all numbers."""
    values = []
    for grid in grids:
        axis = grid.get(name, ())
        axis = [axis] if isinstance(axis, (str, bytes)) or not hasattr(axis, "__iter__") \
            else list(axis)
        if not all(_is_number(v) for v in axis):
            return []
        values += [float(v) for v in axis]
    return values


def warn_about_grid_edges(grid, best_params: Mapping) -> None:
    """Warn once when the best value of a numeric axis (3 values or more) is the
    smallest or largest searched: the best may lie beyond the grid."""
    grids = [grid] if isinstance(grid, Mapping) else list(grid)
    edges, alpha = [], False
    for name, best in best_params.items():
        values = sorted(set(_axis_values(grids, name)))
        if not (_is_number(best) and len(values) >= 3):
            continue
        if best == values[-1] or (best == values[0] and best != 0):  # (0: a bound)
            edges.append(f"{name}={best!r} ({'smallest' if best == values[0] else 'largest'}"
                         f" of {values})")
            alpha |= name == "alpha" or name.endswith("__alpha")
    if edges:
        warn(
            "The best value is at the edge of the grid for " + "; ".join(edges) + ": the "
            "best setting may lie beyond it. Extend the grid in that direction"
            + (" (lambda is divided by the number of samples, so large data sets need "
               "larger alphas)." if alpha else "."), GridEdgeWarning)


class _PreparedFit(NamedTuple):
    """A search's checked data, routed parameters, scorers and callback tree."""

    X: object
    y: object
    routed: object
    scorers: object
    refit_metric: object
    callbacks: _SearchCallbacks


class _BatchedSearchMixin(_SearchIntervalsMixin, SavedStateMixin):
    """``fit`` for the batched searches (see the module docstring)."""

    _fitted_needs = ("cv_results_",)
    #: The scikit-learn search to use for estimators a batched search cannot train.
    _sklearn_search = "sklearn.model_selection.GridSearchCV (or RandomizedSearchCV)"

    def _candidates(self):  # pragma: no cover - defined by each search
        raise NotImplementedError

    def _grid(self):
        """The numeric axes to check for edges (lists of values only)."""
        return {}

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **params):
        """Run fit with all sets of parameters, the networks trained in stacks.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training vectors.
        y : array-like of shape (n_samples, n_output) or (n_samples,)
            Targets.
        **params : dict of str -> object
            Parameters for the estimator's ``fit`` (``sample_weight``, or
            ``<step>__sample_weight`` for a pipeline), the scorer and the
            splitter (``groups``), routed as ``GridSearchCV`` routes them.

        Returns
        -------
        self : object
            Instance of fitted estimator.
        """
        prepared = self._prepare_fit(X, y, params)
        X, y, routed, callbacks = prepared.X, prepared.y, prepared.routed, prepared.callbacks
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        self.n_splits_ = cv.get_n_splits(X, y, **routed.splitter.split)
        candidates = list(self._candidates())
        records, tasks, trained = self._evaluate_round(prepared, candidates, cv)
        warn_about_endings(count_endings(tasks, trained))
        results = self._format_results(candidates, self.n_splits_, records)
        self._finish_fit(prepared, results, records)
        self._keep_fold_networks(tasks, trained, X, y)  # (no training: they exist)
        # an array attribute: in X's namespace and on its device (array_api_dispatch)
        self.n_iter_ = move(epochs_run(tasks, trained).reshape(len(candidates),
                                                                self.n_splits_), dispatched(X))
        callbacks.finish()
        return self

    def _prepare_fit(self, X, y, params) -> _PreparedFit:
        """Check the estimator, the scorers and the data; route the parameters."""
        _, final = searched_mlp(self.estimator, instead=self._sklearn_search)
        scorers, refit_metric = self._get_scorers()
        X, y = indexable(X, y)
        if is_classifier(self.estimator) and y is not None:  # labels a split can sort
            with clearer_input_errors(type(final).__name__, False, X, y):
                fit_targets(column_or_1d(y, warn=False) if np.ndim(y) == 1
                            else np.asarray(y), classifier=True)
        fit_params = _check_method_params(X, params=params)
        routed = self._get_routed_params_for_fit(fit_params)
        return _PreparedFit(X, y, routed, scorers, refit_metric,
                            _SearchCallbacks(self, X, y, fit_params))

    def _evaluate_round(self, prepared: _PreparedFit, candidates: list, cv,
                        parent_context=None, checkpoints=None) -> tuple[list, list, dict]:
        """Train and score every (candidate, fold) of ``cv`` in stacks: the
        records of ``_fit_and_score``, failures warned (or raised) as
        ``GridSearchCV`` does. ``parent_context`` is the callback task the
        evaluations belong to (by default a ``search`` task of their own);
        ``checkpoints`` continues a halving search's last round."""
        X, y, routed = prepared.X, prepared.y, prepared.routed
        splits = check_splits(cv.split(X, y, **routed.splitter.split), _num_samples(X))
        if len(splits) != self.n_splits_:
            raise ValueError(f"cv.split and cv.get_n_splits return inconsistent results. "
                             f"Expected {self.n_splits_} splits, got {len(splits)}")
        if not candidates or not splits:
            raise ValueError("No fits were performed. Was the CV iterator empty? "
                             "Were there no candidates?")
        if self.verbose > 0:
            print(f"Fitting {self.n_splits_} folds for each of {len(candidates)} "
                  f"candidates, totalling {len(candidates) * self.n_splits_} fits")
        records, tasks, trained = evaluate(
            self.estimator, candidates, SearchData(X, y, splits, routed.estimator.fit),
            SearchScoring(self.scoring, prepared.scorers, routed.scorer.score,
                          self.return_train_score, self.error_score),
            n_jobs=self.n_jobs, callbacks=prepared.callbacks.under(parent_context),
            checkpoints=checkpoints)
        _warn_or_raise_about_fit_failures(records, self.error_score)
        if callable(self.scoring):
            _insert_error_scores(records, self.error_score)
        return records, tasks, trained

    def _finish_fit(self, prepared: _PreparedFit, results: dict, records: list) -> None:
        """``multimetric_``, the best candidate, the refit, ``scorer_`` and
        ``cv_results_``, as ``GridSearchCV.fit`` sets them."""
        refit_metric = prepared.refit_metric
        self.multimetric_ = isinstance(records[0]["test_scores"], dict)
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(records[0]["test_scores"])
            refit_metric = self.refit
        self._store_best(results, refit_metric, prepared.X, prepared.y,
                         prepared.routed.estimator.fit, prepared.callbacks)
        scorers = prepared.scorers
        self.scorer_ = getattr(scorers, "_scorers", scorers)
        self.cv_results_ = results

    def _store_best(self, results, refit_metric, X, y, fit_params, callbacks) -> None:
        """The best candidate and, with ``refit``, its estimator fitted on all data."""
        if self.refit or not self.multimetric_:
            self.best_index_ = self._select_best_index(self.refit, refit_metric, results)
            if not callable(self.refit):
                self.best_score_ = results[f"mean_test_{refit_metric}"][self.best_index_]
            self.best_params_ = results["params"][self.best_index_]
            warn_about_grid_edges(self._grid(), self.best_params_)
        if self.refit:
            self.best_estimator_ = clone(clone(self.estimator)).set_params(
                **clone(self.best_params_, safe=False))
            with callbacks.refit(self.best_estimator_), warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)  # warned above
                start = time.time()
                self.best_estimator_.fit(X, y, **fit_params)
                self.refit_time_ = time.time() - start
            if hasattr(self.best_estimator_, "feature_names_in_"):
                self.feature_names_in_ = self.best_estimator_.feature_names_in_


def _inherited_sections(search: type, fold_estimators: bool = False) -> str:
    """The Parameters and Attributes sections of scikit-learn's ``search``, with
    the batched search's own attributes ``n_iter_`` (and ``fold_estimators_``)."""
    doc = search.__doc__
    sections = doc[doc.index("    Parameters\n"):doc.index("    See Also\n")]
    return sections + (
        "    n_iter_ : ndarray of shape (n_candidates, n_splits)\n"
        "        Epochs (L-BFGS iterations) each (candidate, fold) network ran.\n\n"
    ) + (_FOLD_ESTIMATORS if fold_estimators else "")


_FOLD_ESTIMATORS = """    fold_estimators_ : list of estimators
        The best candidate's model of each split, trained on the split's
        training rows by the search itself (a pipeline: the split's fitted
        steps followed by its network); ``predict_interval`` (a regressor) or
        ``predict_set`` (a classifier) calibrate on their out-of-fold
        predictions. Not set with several metrics and ``refit=False``.

"""


_TIMING = """
    The timing keys of ``cv_results_`` (``mean_fit_time``, ...) are each
    (candidate, fold) network's share of its stack's training time (the stack's
    time divided by its networks) and its share of the scoring time: they add
    up to the search's time, but are not the time one network takes alone.
    Steps before the MLP in a pipeline are fitted once per fold and distinct
    setting of their own parameters, never once per candidate.

    Networks train together when they share the architecture (hidden layer
    sizes, activation, output and loss), the solver and the dropout mode (and,
    with ``'weight_scaling'``, the dropout rates), and, with mini-batches or
    dropout, the number of training rows and the rows per batch. Everything
    else may differ inside a stack: alpha, penalty, l1_ratio, dropout rates,
    learning_rate_init, learning_rate, power_t, momentum, nesterovs_momentum,
    beta_1, beta_2, epsilon, weight_init, random_state, max_iter, tol,
    n_iter_no_change, early_stopping, validation_fraction,
    restore_best_weights, shuffle. ``solver='lbfgs'`` fits one network at a time.
    ``pre_dispatch`` is accepted for compatibility: the stacks are the jobs.

"""


class BatchedGridSearchCV(_BatchedSearchMixin, GridSearchCV):
    __doc__ = """Exhaustive search over a parameter grid, every network trained in stacks.

    A drop-in for :class:`sklearn.model_selection.GridSearchCV` when the estimator
    is this library's :class:`~sklearn_mlpreg.MLPRegressor` or
    :class:`~sklearn_mlpreg.MLPClassifier`, alone or as the last step of a
    ``Pipeline``: the same parameters, ``cv_results_`` and fitted attributes
    (``best_params_``, ``best_score_``, ``best_index_``, ``best_estimator_``,
    ``refit_time_``, ``scorer_``, ``n_splits_``, ``multimetric_``, ``classes_``)
    and the same methods (``predict``, ``predict_proba``, ``score``, ...),
    with the (candidate, fold) networks trained together. Any other estimator
    raises a ``TypeError`` that says to use ``GridSearchCV``.
""" + _TIMING + _inherited_sections(GridSearchCV, True) + """
    See Also
    --------
    sklearn.model_selection.GridSearchCV : The search this one equals.
    BatchedRandomizedSearchCV : Sampled candidates, trained the same way.
    sklearn_mlpreg.MLPRegressorCV : The alpha-only special case, as an estimator.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_mlpreg import MLPRegressor
    >>> from sklearn_mlpreg.model_selection import BatchedGridSearchCV
    >>> X, y = make_regression(n_samples=80, n_features=4, noise=5, random_state=0)
    >>> pipe = make_pipeline(StandardScaler(), MLPRegressor(
    ...     hidden_layer_sizes=(16,), max_iter=200, learning_rate_init=0.01,
    ...     random_state=0))
    >>> grid = {"mlpregressor__alpha": [1e-3, 0.1, 10.0],
    ...         "mlpregressor__dropout": [0.0, 0.1]}
    >>> search = BatchedGridSearchCV(pipe, grid, cv=3).fit(X, y / y.std())
    >>> sorted(search.best_params_)
    ['mlpregressor__alpha', 'mlpregressor__dropout']
"""

    def _candidates(self):
        return ParameterGrid(self.param_grid)

    def _grid(self):
        return self.param_grid


class BatchedRandomizedSearchCV(_BatchedSearchMixin, RandomizedSearchCV):
    __doc__ = """Randomized search over parameters, every network trained in stacks.

    A drop-in for :class:`sklearn.model_selection.RandomizedSearchCV` when the
    estimator is this library's MLP, alone or as the last step of a
    ``Pipeline`` (see :class:`BatchedGridSearchCV`): the candidates are those
    ``RandomizedSearchCV`` samples with the same ``random_state``.
""" + _TIMING + _inherited_sections(RandomizedSearchCV, True) + """
    See Also
    --------
    sklearn.model_selection.RandomizedSearchCV : The search this one equals.
    BatchedGridSearchCV : Every candidate of a grid, trained the same way.
"""

    def _candidates(self):
        return ParameterSampler(self.param_distributions, self.n_iter,
                                random_state=self.random_state)

    def _grid(self):
        return listed_values(self.param_distributions)


def listed_values(param_distributions) -> dict:
    """The axes of ``param_distributions`` given as lists of values (whose
    edges a search can check), not as distributions."""
    if not isinstance(param_distributions, Mapping):
        return {}
    return {name: values for name, values in param_distributions.items()
            if isinstance(values, (list, tuple, np.ndarray))}
