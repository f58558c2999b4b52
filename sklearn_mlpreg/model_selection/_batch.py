"""Many networks of one shape, trained together: plan, group into stacks, run.

Each planned model is one (candidate, fold) network, planned exactly as the
lone estimator would train on that fold's training rows: its own copy of the
random state draws its initial weights, then its early-stopping split
(positions within the fold, in the order the lone estimator sees them), then
its shuffles and dropout masks. The engine trains all models of one stack
together; each keeps its own alpha, early-stopping state and random stream,
and a model that stops leaves the stack.

Stacks: with full batches and no dropout, folds are per-model 0/1 sample
weights over all rows, so every model shares one stack. Otherwise each model
draws its batches from its own training rows, and models with the same
number of training rows share a stack. ``n_jobs`` splits the models into
chunks that joblib runs in parallel: threads by default, or a Dask or Ray
cluster under their joblib backend.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs

from .._engine import TrainingData, TrainingState, rows_per_batch, train
from .._spec import (
    ModelSpec,
    initial_params,
    make_optimizer,
    model_random_state,
    training_config,
)
from .._split import validation_indices
from .._threads import blas_threads, blas_threads_for


@dataclass
class FoldModel:
    """One (candidate, fold) model: its alpha and the fold's rows."""

    alpha: float
    fold: int
    train: np.ndarray  # the fold's training rows
    test: np.ndarray  # the fold's test rows


def fold_models(alphas, splits) -> list[FoldModel]:
    """Every (alpha, fold) pair, alpha-major (``cv_results_``'s order)."""
    return [FoldModel(float(alpha), fold, train_rows, test_rows) for alpha in alphas
            for fold, (train_rows, test_rows) in enumerate(splits)]


@dataclass
class PlannedModel(FoldModel):
    """One (candidate, fold) network before training."""

    rows: np.ndarray  # training rows after the early-stopping split
    val: np.ndarray | None  # early-stopping validation rows
    params: np.ndarray  # initial flat parameters, shape (P,)
    rng: np.random.RandomState


@dataclass
class TrainedModel:
    """One (candidate, fold) network after training."""

    params: np.ndarray  # shape (P,)
    state: TrainingState  # its own one-model state (counters, status, curves)


def plan_models(settings: Mapping, spec: ModelSpec, Y: np.ndarray, splits, alphas,
                dtype) -> list[PlannedModel]:
    """Initial weights, random streams and rows of every (alpha, fold) model."""
    models = []
    for model in fold_models(alphas, splits):
        rng = model_random_state(settings["random_state"])
        params = initial_params(settings, spec, rng, dtype)[0]
        rows, val = model.train, None
        if settings["early_stopping"]:
            keep, held = validation_indices(
                len(model.train), validation_fraction=settings["validation_fraction"],
                rng=rng, strata=spec.targets.strata(Y[model.train]))
            rows, val = model.train[keep], model.train[held]
        models.append(PlannedModel(model.alpha, model.fold, model.train, model.test, rows,
                                   val, params, rng))
    return models


def stacks(models: list[PlannedModel], batch_size: int | None, dropout: bool
           ) -> tuple[list[list[int]], bool]:
    """Group models that can train in one stack (see the module docstring).

    Returns the groups (indices into ``models``) and whether folds are passed
    as 0/1 sample weights over all rows (else each model's own rows).
    """
    full_batch = all(rows_per_batch(batch_size, len(m.rows)) >= len(m.rows)
                     for m in models)
    if full_batch and not dropout:
        return [list(range(len(models)))], True
    by_size: dict[int, list[int]] = {}
    for k, m in enumerate(models):
        by_size.setdefault(len(m.rows), []).append(k)
    return list(by_size.values()), False


def train_models(settings: Mapping, spec: ModelSpec, models: list[PlannedModel], X, Y,
                 sample_weight, n_jobs, hooks=None) -> list[TrainedModel]:
    """Train all planned models; returns one :class:`TrainedModel` per model.

    ``hooks`` (progress callbacks) follow the first stack only.
    """
    config = training_config(settings, spec, early=settings["early_stopping"])
    config.diagnostics = False  # per-model gradient norms are not kept here
    groups, as_weights = stacks(models, config.batch_size, spec.architecture.has_dropout)
    n_chunks = max(1, min(effective_n_jobs(n_jobs), len(models)))
    chunks = [chunk for group in groups
              for chunk in np.array_split(np.asarray(group), min(n_chunks, len(group)))
              if len(chunk)]
    # Threads by default: numpy releases the GIL in the large element-wise ops
    # of a stack, and a process pool's start-up costs more than small jobs take.
    # A Dask or Ray joblib backend, when active, overrides the preference.
    results = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(_train_stack)(settings, spec, [models[k] for k in chunk], X, Y,
                              sample_weight, config, as_weights, hooks if i == 0 else None)
        for i, chunk in enumerate(chunks)
    )
    trained: list = [None] * len(models)
    for chunk, result in zip(chunks, results):
        for k, model in zip(chunk, result):
            trained[k] = model
    return trained


def _stack_data(models: list[PlannedModel], X, Y, sample_weight, as_weights: bool,
                dtype) -> TrainingData:
    """The training (and early-stopping validation) data of one stack."""
    K, n = len(models), X.shape[0]
    sw = np.ones(n, dtype=dtype) if sample_weight is None else sample_weight
    if as_weights:
        weights = np.zeros((K, n), dtype=dtype)
        for k, m in enumerate(models):
            weights[k, m.rows] = sw[m.rows]
        data = TrainingData(X, Y, sample_weight=weights)
    else:
        data = TrainingData(X, Y, rows=np.stack([m.rows for m in models]),
                            sample_weight=None if sample_weight is None
                            else np.broadcast_to(sw, (K, n)))
    if models[0].val is not None:
        val_weight = np.zeros((K, n), dtype=dtype)
        for k, m in enumerate(models):
            val_weight[k, m.val] = sw[m.val]
        data.X_val, data.Y_val, data.val_weight = X, Y, val_weight
    return data


def _train_stack(settings, spec, models, X, Y, sample_weight, config, as_weights,
                 hooks=None) -> list[TrainedModel]:
    """Train one stack of models in the engine (a joblib task)."""
    K = len(models)
    params = np.stack([m.params for m in models])
    config = copy.copy(config)
    config.alpha = np.array([m.alpha for m in models])
    data = _stack_data(models, X, Y, sample_weight, as_weights, params.dtype)
    layout = spec.architecture.layout
    state = TrainingState(K, make_optimizer(settings, K, layout.n_params, params.dtype))
    rows = rows_per_batch(config.batch_size, X.shape[0])  # per-model products
    with np.errstate(all="ignore"), blas_threads(blas_threads_for(layout.layer_units,
                                                                   rows)):
        # (a no-op in joblib's worker threads, see _threads.py)
        train(spec.architecture, data, params, state, config, [m.rng for m in models],
              hooks=hooks)
    return [TrainedModel(params[k], state.select_model(k)) for k in range(K)]
