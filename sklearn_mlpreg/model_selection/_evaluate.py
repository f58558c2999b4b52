"""Every (candidate, fold) of a search: planned, trained in stacks, scored.

:func:`evaluate` does for a whole search what scikit-learn's
``_fit_and_score`` does for one (candidate, fold), and returns the same
records (``fit_error``, ``test_scores``, ``train_scores``, ``n_test_samples``,
``fit_time``, ``score_time``), so that the search's ``cv_results_`` is
formatted exactly as ``GridSearchCV``'s.

The estimator is one of the library's MLPs or seed ensembles, alone or as the
last step of a ``Pipeline``. The pipeline's steps before it are fitted once
per fold and distinct setting of their own parameters (:mod:`._folds`); the
networks of all candidates, folds and ensemble members train in stacks
(:mod:`.._stacks`).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
from joblib import hash as joblib_hash
from sklearn.base import clone, is_classifier
from sklearn.utils._param_validation import validate_parameter_constraints
from sklearn.utils.validation import _num_samples

from .._arrays import dispatched, host_values
from .._engine import DIVERGED, DIVERGED_RESTORED, MAX_ITER, to_numpy
from .._ensemble import _BaseMLPEnsemble
from .._exceptions import FitDivergedError
from .._pipeline import searched_mlp
from .._plans import PlannedModel, plan_model
from .._settings import Settings
from .._spec import make_spec
from .._stacks import TrainedModel, train_models
from .._targets import RegressionTargets
from ._folds import FoldData, as_mlp_input, fold_data, split_candidate
from ._scoring import SearchScoring, fast_scores, scorer_scores


@dataclass
class Task:
    """One (candidate, fold) of the search."""

    candidate: int
    fold: FoldData
    pre_candidate: dict  # the candidate's parameters of the steps before the MLP
    final: object  # the MLP (or seed ensemble) with the candidate's parameters, unfitted
    members: list[PlannedModel] = field(default_factory=list)  # its networks
    plan: tuple | None = None  # an ensemble's (seeds, bootstrap counts)
    error: str | None = None  # why its fit failed (the traceback)


def plan_tasks(estimator, X, y, candidates, splits, fit_params, error_score,
               folds: dict | None = None) -> list[Task]:
    """Every (candidate, fold): its data, its networks' settings and initial draws.
    ``folds`` caches each (setting of the steps before the MLP, split)'s data
    across calls with the same splits (a halving search's epoch rounds)."""
    step, final = searched_mlp(estimator)
    classifier = is_classifier(estimator)
    shared: dict = {"dtype": np.float64}
    if step is None:
        shared["X"] = as_mlp_input(X, type(final).__name__)
        if hasattr(X, "columns"):
            shared["names"] = np.asarray(X.columns, dtype=object)
    folds = {} if folds is None else folds  # (hash of the steps' setting, split) -> data
    tasks, inits, keys = [], {}, iter(range(1 << 62))
    for c, candidate in enumerate(candidates):
        pre, own = split_candidate(candidate, step)
        network = clone(final).set_params(**own) if own else final
        settings, refused = _validated(network, error_score)
        for f, (train, test) in enumerate(splits):
            key = (joblib_hash(pre), f)
            if key not in folds:
                folds[key] = fold_data(estimator, pre, step, X, y, train, test,
                                       fit_params, classifier, shared)
            task = Task(c, folds[key], pre, network, error=refused)
            if refused is None:
                _plan(task, settings, keys, error_score, inits)
            tasks.append(task)
    return tasks


def _validated(final, error_score) -> tuple[Settings | None, str | None]:
    """The settings of the network(s) a candidate trains (an ensemble's
    member's, without its seed), validated once; or why the MLP (or ensemble)
    refuses the candidate's parameters (a failed fit, as in GridSearchCV)."""
    try:
        if isinstance(final, _BaseMLPEnsemble):
            validate_parameter_constraints(type(final)._parameter_constraints,
                                           final.get_params(deep=False),
                                           caller_name=type(final).__name__)
            final = final.member_template()
        return Settings.validated(final), None
    except Exception:
        if error_score == "raise":
            raise
        return None, traceback.format_exc()


def _plan(task: Task, settings: Settings, keys, error_score, inits: dict) -> None:
    """A task's networks: its targets' checks, its spec, each member's draw."""
    try:
        block = task.fold.block
        targets = block.targets
        name = type(task.final).__name__
        if not targets.classifier:  # its loss, and the loss's checks of the targets
            targets = RegressionTargets(settings.loss, block.Y.shape[1])
            targets.check(block.Y[block.rows], name)
        spec = make_spec(settings, block.X.shape[1], targets)
        if not isinstance(task.final, _BaseMLPEnsemble):
            task.members = [plan_model(next(keys), settings, spec, block, inits=inits)]
            return
        seeds, counts = clone(task.final).member_plan(len(block.rows))  # as a clone fits
        task.plan = (seeds, counts)
        task.members = [plan_model(next(keys), settings.with_seed(int(seed)), spec, block,
                                   inits=inits, counts=None if counts is None else counts[i])
                        for i, seed in enumerate(seeds)]
    except Exception:  # a failed fit, scored error_score, as GridSearchCV does
        if error_score == "raise":
            raise
        task.members, task.error = [], traceback.format_exc()


def train_tasks(tasks: list[Task], n_jobs, hooks=None, device=None, ready=None
                ) -> dict[int, TrainedModel]:
    """Train every planned network (on ``device``, see :func:`train_models`)
    except those already ``ready`` (by key); a task with a diverged network
    failed."""
    ready = ready or {}
    trained = train_models([m for t in tasks for m in t.members if m.key not in ready],
                           n_jobs, hooks, device=device)
    trained.update(ready)
    for task in tasks:
        if any(trained[m.key].state.status[0] == DIVERGED for m in task.members):
            task.error = "".join(traceback.format_exception_only(FitDivergedError(
                DIVERGED_MESSAGE)))
    return trained


#: A diverged (candidate, fold)'s error, as its record's ``fit_error`` shows it.
DIVERGED_MESSAGE = ("The fit diverged: its training loss became non-finite or exploded. "
                    "Scale the features and the target, or lower learning_rate_init.")


def epochs_run(tasks: list[Task], trained: dict) -> np.ndarray:
    """Each task's epochs (L-BFGS iterations); an ensemble's longest member's."""
    return np.array([max((trained[m.key].state.n_iter[0] for m in t.members), default=0)
                     for t in tasks])


@dataclass(frozen=True)
class SearchData:
    """What a search trains and scores on.

    Attributes
    ----------
    X, y : array-like
        The search's data.
    splits : list of (train, test)
        The cross-validation folds, as row indices.
    fit_params : dict
        The estimator's fit parameters (``sample_weight``, or
        ``<step>__sample_weight`` for a pipeline).
    """

    X: object
    y: object
    splits: list
    fit_params: dict = field(default_factory=dict)


def evaluate(estimator, candidates, data: SearchData, scoring: SearchScoring, *,
             n_jobs=None, hooks=None, callbacks=None, device=None, checkpoints=None
             ) -> tuple[list[dict], list[Task], dict]:
    """The ``_fit_and_score`` records of every (candidate, fold), candidate-major.

    Returns the records, the tasks and the trained networks by task. ``hooks``
    (progress callbacks) follow the first stack's epochs; ``callbacks`` (a
    search's callback tree) begins each (candidate, fold) evaluation before
    training and ends it after scoring. ``device`` (an array of another Array
    API namespace; by default ``X`` itself when ``array_api_dispatch`` keeps
    it) is where the networks train; folds, plans and scores are on the host.
    ``checkpoints`` (:class:`._continue.Checkpoints`, a halving search with an
    epoch budget) continues the networks of its last round and keeps these.
    """
    X, y, fit_params = data.X, data.y, _per_sample(data.fit_params, _num_samples(data.X))
    scoring = replace(scoring, score_params=_per_sample(scoring.score_params,
                                                        _num_samples(X)))
    device = dispatched(X) if device is None else device
    if device is not None:
        X, y, fit_params = to_numpy(X), to_numpy(y), host_values(fit_params)
        scoring = replace(scoring, score_params=host_values(scoring.score_params))
    error_score = scoring.error_score
    tasks = plan_tasks(estimator, X, y, candidates, data.splits, fit_params, error_score,
                       None if checkpoints is None else checkpoints.folds)
    ready = {} if checkpoints is None else checkpoints.prepare(candidates, tasks)
    contexts = [] if callbacks is None else callbacks.evaluations(tasks)
    trained = train_tasks(tasks, n_jobs, hooks, device, ready)
    if checkpoints is not None:
        checkpoints.save(candidates, tasks, trained)
    if error_score == "raise":
        for task in tasks:
            if task.error is not None:  # (other errors were raised when planned)
                raise FitDivergedError(
                    f"{DIVERGED_MESSAGE} (candidate {candidates[task.candidate]}, split "
                    f"{_split_index(task, tasks)}; error_score='raise' stops the search "
                    "at the first failed fit)")
    start = time.perf_counter()
    scores = fast_scores(scoring, estimator, tasks, trained, y)
    if scores is None:
        scores = scorer_scores(scoring, estimator, tasks, trained, X, y)
    score_time = (time.perf_counter() - start) / max(1, len(tasks))
    records = [_record(task, scores[i], score_time, scoring, trained)
               for i, task in enumerate(tasks)]
    if callbacks is not None:
        callbacks.end_evaluations(contexts, tasks)
    return records, tasks, trained


def _split_index(task: Task, tasks: list[Task]) -> int:
    """The position of ``task``'s fold among its candidate's."""
    return [t for t in tasks if t.candidate == task.candidate].index(task)


def _per_sample(params: dict, n_samples: int) -> dict:
    """A scalar ``sample_weight`` (which the estimators accept) as one weight per
    sample, so that the folds can take their rows of it."""
    return {name: np.full(n_samples, float(value))
            if name.endswith("sample_weight") and value is not None and np.ndim(value) == 0
            else value for name, value in params.items()}


def _record(task: Task, scores, score_time: float, scoring: SearchScoring,
            trained: dict) -> dict:
    """One (candidate, fold)'s record, as ``_fit_and_score`` returns it."""
    record = {"fit_error": task.error, "n_test_samples": len(task.fold.test),
              "fit_time": sum(trained[m.key].seconds for m in task.members),
              "score_time": score_time}
    if task.error is not None:
        failed = _error_scores(scoring.scoring, scoring.error_score)
        scores = (failed, failed)
    record["test_scores"] = scores[0]
    if scoring.return_train_score:
        record["train_scores"] = scores[1]
    return record


def _error_scores(scoring, error_score):
    """A failed fit's scores: ``error_score`` for each metric."""
    if isinstance(scoring, (list, tuple, set, Mapping)):
        return {name: error_score for name in scoring}
    return error_score


def count_endings(tasks: list[Task], trained: dict) -> dict:
    """How many fits ran out of epochs, and how many diverged but kept their best
    validation epoch's weights (one warning each per search, not per fit)."""
    status = [{trained[m.key].state.status[0] for m in t.members} for t in tasks
              if t.members and t.error is None]
    return {"max_iter": int(sum(MAX_ITER in s for s in status)),
            "restored": int(sum(DIVERGED_RESTORED in s for s in status)),
            "fits": len(status)}
