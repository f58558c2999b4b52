"""BatchedHalvingGridSearchCV and BatchedHalvingRandomSearchCV: scikit-learn's
successive-halving searches whose rounds train their (candidate, fold)
networks in stacks.

Successive halving trains every candidate on a small budget (``min_resources_``
rows, or epochs with ``resource="max_iter"``), keeps the best ``1 / factor``,
and gives the survivors ``factor`` times more, until one round holds fewer than
``factor`` candidates or the budget reaches ``max_resources_``. scikit-learn's
own ``_run_search`` drives the rounds, so the candidates, the budgets, the
subsampled folds and every attribute are scikit-learn's; each round is one
batched evaluation (:meth:`._search._BatchedSearchMixin._evaluate_round`)
instead of one ``_fit_and_score`` per (candidate, fold).
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
from sklearn.base import _fit_context, is_classifier
from sklearn.model_selection import check_cv

# scikit-learn's experimental classes, from their module: importing them there
# does not switch on ``sklearn.experimental`` for the user's own code
from sklearn.model_selection._search_successive_halving import (
    HalvingGridSearchCV,
    HalvingRandomSearchCV,
)
from sklearn.utils.validation import _num_samples

from .._pipeline import searched_mlp
from ._continue import Checkpoints
from ._evaluate import count_endings, epochs_run
from ._search import (
    _BatchedSearchMixin,
    _inherited_sections,
    listed_values,
    warn_about_endings,
)

__all__ = ["BatchedHalvingGridSearchCV", "BatchedHalvingRandomSearchCV"]


class _NoCallbacks:
    """The callback task tree scikit-learn's ``_run_search`` walks, when the
    search has no callbacks: every task is this one, and does nothing."""

    def subcontext(self, *args, **kwargs) -> _NoCallbacks:
        return self

    def call_on_fit_task_begin(self, *args, **kwargs) -> _NoCallbacks:
        return self

    def call_on_fit_task_end(self, *args, **kwargs) -> None:
        return None


class _BatchedHalvingMixin(_BatchedSearchMixin):
    """``fit`` for the batched halving searches."""

    _sklearn_search = ("sklearn.model_selection.HalvingGridSearchCV (or "
                       "HalvingRandomSearchCV)")
    _fold_networks_refusal = (
        "successive halving keeps no fold networks. Its last round trains on a "
        "subsample of the rows (resource='n_samples'), so not every row of X is held "
        "out once by the best candidate's networks, as conformal prediction needs. "
        "For intervals or sets, search the surviving candidates with "
        "BatchedGridSearchCV (or tune alpha with MLPRegressorCV / MLPClassifierCV): "
        "their fold networks give them without training anything more.")

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **params):
        """Run the successive-halving rounds, each round's networks trained in stacks.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training vectors.
        y : array-like of shape (n_samples, n_output) or (n_samples,)
            Targets.
        **params : dict of str -> object
            Parameters for the estimator's ``fit`` (``sample_weight``, or
            ``<step>__sample_weight`` for a pipeline), the scorer and the
            splitter (``groups``), routed as ``HalvingGridSearchCV`` routes them.

        Returns
        -------
        self : object
            Instance of fitted estimator.
        """
        self._n_samples_orig = _num_samples(X)
        prepared = self._prepare_fit(X, y, params)
        X, y, routed, callbacks = prepared.X, prepared.y, prepared.routed, prepared.callbacks
        self._checked_cv_orig = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        try:
            self._check_input_parameters(X=X, y=y, split_params=routed.splitter.split)
        except ValueError as error:
            if "is greater than max_resources_" not in str(error):
                raise
            raise ValueError(
                f"{error} With n_samples={self._n_samples_orig} there is too little data "
                "for the first round: give more samples, or a smaller min_resources "
                "(with resource='n_samples', at least 2 rows per fold and class)."
            ) from None
        self.n_splits_ = self._checked_cv_orig.get_n_splits(X, y, **routed.splitter.split)
        rounds = _Rounds(self, prepared)
        root = callbacks.root if callbacks.root is not None else _NoCallbacks()
        self._run_search(rounds.evaluate_candidates, callback_ctx=root)
        warn_about_endings(dict(rounds.endings))
        self._finish_fit(prepared, rounds.results, rounds.records)
        # scikit-learn's halving fit sets it even for a callable refit
        self.best_score_ = self.cv_results_["mean_test_score"][self.best_index_]
        self.n_iter_ = np.concatenate(rounds.epochs)
        callbacks.finish()
        return self


class _Rounds:
    """The ``evaluate_candidates`` of scikit-learn's ``BaseSearchCV.fit`` for
    the halving rounds: each round batched, the records of all rounds kept
    and formatted together (``cv_results_`` holds every round's candidates)."""

    def __init__(self, search: _BatchedHalvingMixin, prepared) -> None:
        self.search, self.prepared = search, prepared
        # an epoch budget: each round continues the last one's networks
        step, _ = searched_mlp(search.estimator)
        own = "max_iter" if step is None else f"{step}__max_iter"
        self.checkpoints = (Checkpoints(search.resource, search.n_splits_)
                            if search.resource == own else None)
        self.candidates: list = []
        self.records: list = []
        self.more_results: dict = defaultdict(list)
        self.endings: Counter = Counter()
        self.epochs: list = []
        self.results: dict = {}

    def evaluate_candidates(self, candidate_params, cv=None, more_results=None,
                            callback_ctx=None) -> dict:
        search = self.search
        candidates = list(candidate_params)
        records, tasks, trained = search._evaluate_round(
            self.prepared, candidates, cv or search._checked_cv_orig,
            parent_context=None if isinstance(callback_ctx, _NoCallbacks) else callback_ctx,
            checkpoints=self.checkpoints)
        self.endings.update(count_endings(tasks, trained))
        self.epochs.append(epochs_run(tasks, trained).reshape(len(candidates),
                                                              search.n_splits_))
        self.candidates.extend(candidates)
        self.records.extend(records)
        for key, value in (more_results or {}).items():
            self.more_results[key].extend(value)
        self.results = search._format_results(self.candidates, search.n_splits_,
                                              self.records, self.more_results)
        return self.results


def _halving_sections(search: type) -> str:
    """scikit-learn's Parameters and Attributes, ``n_iter_`` by round."""
    return _inherited_sections(search).replace(
        "n_iter_ : ndarray of shape (n_candidates, n_splits)",
        "n_iter_ : ndarray of shape (n_candidates_total, n_splits)").replace(
        "        Epochs (L-BFGS iterations) each (candidate, fold) network ran.\n",
        "        Epochs (L-BFGS iterations) each (candidate, fold) network ran, one row\n"
        "        per row of ``cv_results_`` (every round's candidates).\n")


_ROUNDS = """
    Each round's (candidate, fold) networks train together in stacks, as in
    :class:`BatchedGridSearchCV`; scikit-learn's own rounds choose the
    candidates, the budgets and the subsampled folds, so ``cv_results_`` (with
    ``iter`` and ``n_resources``), ``n_resources_``, ``n_candidates_``,
    ``n_iterations_``, ``n_possible_iterations_``, ``n_required_iterations_``,
    ``min_resources_``, ``max_resources_`` and ``best_*`` equal scikit-learn's
    with the same ``random_state``. No experimental import is needed.

    ``resource="n_samples"`` (the default) trains each round on a subsample of
    ``n_resources`` rows. ``resource`` may also be an epoch budget: the MLP's
    ``max_iter`` (``"<step>__max_iter"`` in a pipeline, with ``max_resources``
    set to the largest budget). Then each survivor continues from where the
    round before stopped it (its weights, optimizer state, random stream,
    stopping counters and best weights) instead of retraining, so the search
    costs about what training the survivors once costs, and its results equal
    scikit-learn's retraining: training does not depend on the total budget.
    Two settings do depend on it, and their candidates retrain every round as
    in scikit-learn: ``learning_rate="cosine"`` (it anneals over ``max_iter``)
    and ``solver="lbfgs"``. A network that stopped before its budget
    (converged, or diverged) keeps its result.

"""


class BatchedHalvingGridSearchCV(_BatchedHalvingMixin, HalvingGridSearchCV):
    __doc__ = """Successive halving over a parameter grid, every round trained in stacks.

    A drop-in for :class:`sklearn.model_selection.HalvingGridSearchCV` when the
    estimator is this library's MLP or seed ensemble, alone or as the last
    step of a ``Pipeline``. Any other estimator raises a ``TypeError`` that says
    to use ``HalvingGridSearchCV``.
""" + _ROUNDS + _halving_sections(HalvingGridSearchCV) + """
    See Also
    --------
    sklearn.model_selection.HalvingGridSearchCV : The search this one equals.
    BatchedHalvingRandomSearchCV : Sampled candidates, halved the same way.
    BatchedGridSearchCV : Every candidate on the whole budget.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn_mlpreg import MLPRegressor
    >>> from sklearn_mlpreg.model_selection import BatchedHalvingGridSearchCV
    >>> X, y = make_regression(n_samples=120, n_features=4, noise=5, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(16,), learning_rate_init=0.01,
    ...                    random_state=0)
    >>> grid = {"alpha": [1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0]}
    >>> search = BatchedHalvingGridSearchCV(mlp, grid, resource="max_iter",
    ...                                     min_resources=10, max_resources=90,
    ...                                     factor=3, cv=3, random_state=0)
    >>> search = search.fit(X, y / y.std())
    >>> search.n_resources_, search.n_candidates_
    ([10, 30], [6, 2])
"""

    def _grid(self):
        return self.param_grid


class BatchedHalvingRandomSearchCV(_BatchedHalvingMixin, HalvingRandomSearchCV):
    __doc__ = """Successive halving over sampled candidates, every round trained in stacks.

    A drop-in for :class:`sklearn.model_selection.HalvingRandomSearchCV` when the
    estimator is this library's MLP or seed ensemble, alone or as the last
    step of a ``Pipeline``: the candidates are those ``HalvingRandomSearchCV``
    samples with the same ``random_state``.
""" + _ROUNDS + _halving_sections(HalvingRandomSearchCV) + """
    See Also
    --------
    sklearn.model_selection.HalvingRandomSearchCV : The search this one equals.
    BatchedHalvingGridSearchCV : Every candidate of a grid, halved the same way.
"""

    def _grid(self):
        return listed_values(self.param_distributions)

