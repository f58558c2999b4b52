"""Every (candidate, fold) of a search: planned, trained in stacks, scored.

:func:`evaluate_candidates` does for a whole search what scikit-learn's
``_fit_and_score`` does for one (candidate, fold), and returns the same
records (``fit_error``, ``test_scores``, ``train_scores``, ``n_test_samples``,
``fit_time``, ``score_time``), so that the search's ``cv_results_`` is
formatted exactly as ``GridSearchCV``'s.

The estimator is one of the library's MLPs or a ``Pipeline`` ending in one.
The pipeline's steps before the MLP are fitted once per fold and distinct
setting of their own parameters (:class:`FoldData`), never once per
candidate; the MLPs of all candidates and folds train in stacks
(:mod:`._batch`).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from joblib import hash as joblib_hash
from sklearn.base import clone, is_classifier
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import validate_parameter_constraints
from sklearn.utils.metadata_routing import _routing_enabled, process_routing
from sklearn.utils.validation import check_array

from .._checks import check_weights, clearer_input_errors
from .._engine import DIVERGED, DIVERGED_RESTORED, MAX_ITER
from .._exceptions import FitDivergedError
from .._pipeline import searched_mlp
from .._spec import fit_targets, make_spec
from .._targets import RegressionTargets
from ._batch import Block, PlannedModel, TrainedModel, plan_model, train_models
from ._scoring import fast_scores, scorer_scores


def split_params(params: Mapping, mlp_name: str | None) -> tuple[dict, dict]:
    """A candidate's parameters: those of the steps before the MLP (and of the
    pipeline itself), and the MLP's own (their prefix removed)."""
    if mlp_name is None:
        return {}, dict(params)
    prefix = mlp_name + "__"
    mlp = {k[len(prefix):]: v for k, v in params.items() if k.startswith(prefix)}
    return {k: v for k, v in params.items() if not k.startswith(prefix)}, mlp


@dataclass
class FoldData:
    """One fold, as the MLPs of one setting of the preceding steps see it."""

    block: Block
    train: np.ndarray  # the fold's training rows of the search's X
    test: np.ndarray  # its test rows
    X_test: np.ndarray  # the test rows as the MLP sees them
    preprocess: Pipeline | None  # the fitted steps before the MLP (None: no pipeline)
    feature_names: np.ndarray | None


def _as_mlp_input(X, name: str):
    """What the MLP's ``fit`` accepts: float arrays (or CSR) with finite values."""
    with clearer_input_errors(name, False):
        X = check_array(X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32))
    return X.tocsr() if sp.issparse(X) else X


def fold_data(estimator, pre_params: Mapping, mlp_name, X, y, train, test, fit_params,
              classifier: bool, shared: dict) -> FoldData:
    """Fit the steps before the MLP on one fold (if any) and encode its targets.

    ``shared`` caches, for an MLP searched alone, the validated ``X`` and its
    encoded targets, so that the folds share them (and one stack).
    """
    step_params, weight = _route_fit_params(estimator, mlp_name, fit_params)
    name = type(estimator if mlp_name is None else estimator[-1]).__name__
    with clearer_input_errors(name, not classifier):  # text targets for a regressor
        targets = fit_targets({"loss": "squared_error"}, _safe_indexing(y, train),
                              classifier=classifier)
        encoded = _shared_targets(shared, targets, y, train, name) if mlp_name is None else (
            targets.encode(_safe_indexing(y, train), shared["dtype"], name))
    if mlp_name is None:
        X_fit = shared["X"]
        block = Block(X_fit, encoded, np.asarray(train),
                      None if weight is None else check_weights(weight, X_fit), targets,
                      shared=True)
        return FoldData(block, np.asarray(train), np.asarray(test), X_fit[test], None,
                        shared.get("names"))
    pipeline = clone(estimator).set_params(**pre_params)
    preprocess = Pipeline(pipeline.steps[:-1], memory=pipeline.memory)
    step_params = {k: _safe_indexing(v, train) if _is_sample_aligned(v, X) else v
                   for k, v in step_params.items()}
    Xt = preprocess.fit_transform(_safe_indexing(X, train), _safe_indexing(y, train),
                                  **step_params)
    names = getattr(Xt, "columns", None)
    X_fit = _as_mlp_input(Xt, name)
    X_test = _as_mlp_input(preprocess.transform(_safe_indexing(X, test)), name)
    fold_weight = None if weight is None else check_weights(_safe_indexing(weight, train),
                                                            X_fit)
    block = Block(X_fit, encoded.astype(X_fit.dtype, copy=False), np.arange(len(train)),
                  fold_weight, targets)
    return FoldData(block, np.asarray(train), np.asarray(test), X_test, preprocess,
                    None if names is None else np.asarray(names, dtype=object))


def _route_fit_params(estimator, mlp_name, fit_params) -> tuple[dict, object]:
    """The fit parameters of the steps before the MLP, and the MLP's sample weights,
    split as ``Pipeline.fit`` splits them: by ``<step>__`` prefix, or, with
    metadata routing enabled, by each step's requests."""
    if mlp_name is not None and _routing_enabled():
        routed = process_routing(estimator, "fit", **fit_params)
        wanted = {key for name, _ in estimator.steps[:-1]
                  for method in routed[name].values() for key in method}
        step_params = {k: v for k, v in fit_params.items() if k in wanted}
        own = dict(routed[mlp_name].fit)
    elif mlp_name is not None:
        prefix = f"{mlp_name}__"
        step_params = {k: v for k, v in fit_params.items() if not k.startswith(prefix)}
        own = {k[len(prefix):]: v for k, v in fit_params.items() if k.startswith(prefix)}
    else:
        step_params, own = {}, dict(fit_params)
    weight = own.pop("sample_weight", None)
    if own:
        raise TypeError(
            f"A batched search passes only sample_weight to the MLP's fit; got "
            f"{sorted(own)}. Use sklearn.model_selection.GridSearchCV for other fit "
            "parameters (an early-stopping split is set by validation_fraction).")
    return step_params, weight


def _shared_targets(shared: dict, targets, y, train, name: str) -> np.ndarray:
    """The encoded targets of every row, one array for the folds that encode alike
    (for a classifier, the folds that see the same classes)."""
    key = tuple(targets.classes) if targets.classifier else None
    if key not in shared:
        y_all = np.asarray(y)
        if targets.classifier and not np.isin(y_all, targets.classes).all():
            encoded = np.zeros((len(y_all), targets.n_outputs), dtype=shared["X"].dtype)
            encoded[train] = targets.encode(y_all[train], shared["X"].dtype, name)
            return encoded  # a fold missing a class: its own targets
        shared[key] = targets.encode(y_all, shared["X"].dtype, name)
    return shared[key]


def _is_sample_aligned(value, X) -> bool:
    return hasattr(value, "__len__") and not isinstance(value, str) and len(value) == len(X)


@dataclass
class Task:
    """One (candidate, fold) of the search."""

    candidate: int
    fold: FoldData
    pre_params: dict
    settings: dict  # the MLP's parameters
    planned: PlannedModel | None = None
    error: str | None = None  # why its fit failed (the traceback)


def plan_tasks(estimator, X, y, candidates, splits, fit_params, error_score
               ) -> list[Task]:
    """Every (candidate, fold): its data, its MLP's settings, its initial network."""
    mlp_name, mlp = searched_mlp(estimator)
    classifier = is_classifier(estimator)
    shared: dict = {"dtype": np.float64}
    if mlp_name is None:
        shared["X"] = _as_mlp_input(X, type(mlp).__name__)
        if hasattr(X, "columns"):
            shared["names"] = np.asarray(X.columns, dtype=object)
    folds: dict[tuple, FoldData] = {}
    tasks, inits = [], {}
    for c, params in enumerate(candidates):
        pre, own = split_params(params, mlp_name)
        base = clone(estimator).set_params(**pre) if pre else estimator
        settings = {**(base if mlp_name is None else base[-1]).get_params(deep=False), **own}
        refused = _refused(settings, type(mlp), error_score)
        for f, (train, test) in enumerate(splits):
            key = (joblib_hash(pre), f)
            if key not in folds:
                folds[key] = fold_data(estimator, pre, mlp_name, X, y, train, test,
                                       fit_params, classifier, shared)
            task = Task(c, folds[key], pre, settings, error=refused)
            if refused is None:
                _plan(task, c * len(splits) + f, type(mlp), error_score, inits)
            tasks.append(task)
    return tasks


def _refused(settings, mlp_class, error_score) -> str | None:
    """Why the MLP refuses a candidate's settings (a failed fit, as in
    GridSearchCV), or None."""
    try:
        validate_parameter_constraints(mlp_class._parameter_constraints, settings,
                                       caller_name=mlp_class.__name__)
    except Exception:
        if error_score == "raise":
            raise
        return traceback.format_exc()
    return None


def _plan(task: Task, task_id: int, mlp_class, error_score, inits: dict) -> None:
    """One task's network: its targets' checks, its spec, its initial draw."""
    try:
        block = task.fold.block
        targets = block.targets
        if not targets.classifier:  # its loss, and the loss's checks of the targets
            targets = RegressionTargets(task.settings["loss"], block.Y.shape[1])
            targets.check(block.Y[block.rows], mlp_class.__name__)
        spec = make_spec(task.settings, block.X.shape[1], targets)
        task.planned = plan_model(task_id, task.settings, spec, block, block.X.dtype,
                                  inits)
    except Exception:  # a failed fit, scored error_score, as GridSearchCV does
        if error_score == "raise":
            raise
        task.error = traceback.format_exc()


def train_tasks(tasks: list[Task], n_jobs, hooks=None) -> dict[int, TrainedModel]:
    """Train every planned task; a diverged fit becomes a failed one."""
    planned = [t.planned for t in tasks if t.planned is not None]
    trained = train_models(planned, n_jobs, hooks)
    for task in tasks:
        model = task.planned
        if model is not None and trained[model.task].state.status[0] == DIVERGED:
            task.error = "".join(traceback.format_exception_only(FitDivergedError(
                "The fit diverged: its training loss became non-finite or exploded. "
                "Scale the features and the target, or lower learning_rate_init.")))
    return trained


def evaluate_candidates(estimator, X, y, candidates, splits, *, scoring, scorers,
                        fit_params, score_params, return_train_score, error_score,
                        n_jobs, hooks=None, callbacks=None
                        ) -> tuple[list[dict], list[Task], dict]:
    """The ``_fit_and_score`` records of every (candidate, fold), candidate-major.

    Returns the records, the tasks and the trained networks by task. ``hooks``
    (progress callbacks) follow the first stack's epochs; ``callbacks`` (a
    search's callback tree) begins each (candidate, fold) evaluation before
    training and ends it after scoring.
    """
    tasks = plan_tasks(estimator, X, y, candidates, splits, fit_params, error_score)
    contexts = [] if callbacks is None else callbacks.evaluations(tasks)
    trained = train_tasks(tasks, n_jobs, hooks)
    if error_score == "raise":
        for task in tasks:
            if task.error is not None:
                raise FitDivergedError(task.error.strip().splitlines()[-1])
    start = time.perf_counter()
    scores = fast_scores(scoring, estimator, tasks, trained, y, score_params,
                         return_train_score)
    if scores is None:
        scores = scorer_scores(scorers, estimator, tasks, trained, X, y, score_params,
                               return_train_score, error_score)
    score_time = (time.perf_counter() - start) / max(1, len(tasks))
    records = []
    for i, task in enumerate(tasks):
        record = {"fit_error": task.error, "n_test_samples": len(task.fold.test),
                  "fit_time": 0.0 if task.planned is None else trained[i].seconds,
                  "score_time": score_time}
        record["test_scores"], train = scores[i] if task.error is None else (
            _error_scores(scoring, error_score), _error_scores(scoring, error_score))
        if return_train_score:
            record["train_scores"] = train
        records.append(record)
    if callbacks is not None:
        callbacks.end_evaluations(contexts, tasks)
    return records, tasks, trained


def _error_scores(scoring, error_score):
    """A failed fit's scores: ``error_score`` for each metric."""
    if isinstance(scoring, (list, tuple, set)):
        return {name: error_score for name in scoring}
    if isinstance(scoring, Mapping):
        return {name: error_score for name in scoring}
    return error_score


def count_endings(tasks: list[Task], trained: dict) -> dict:
    """How many fits ran out of epochs, and how many diverged but kept their best
    validation epoch's weights (one warning each per search, not per fit)."""
    status = [trained[t.planned.task].state.status[0] for t in tasks
              if t.planned is not None and t.error is None]
    return {"max_iter": int(sum(s == MAX_ITER for s in status)),
            "restored": int(sum(s == DIVERGED_RESTORED for s in status)),
            "fits": len(status)}
