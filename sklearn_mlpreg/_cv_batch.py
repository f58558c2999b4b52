"""Every (alpha, fold) network of a cross-validation, trained as one stack.

Model k = (alpha_a, fold_f) is planned exactly as ``MLPRegressor(alpha=alpha_a,
random_state=random_state)`` would train alone on fold f's training rows:
its own copy of the random state draws its initial weights, then its
early-stopping split (positions within the fold, in the order the lone
estimator sees them), then its shuffles and dropout masks. The engine trains
all models of one stack together; each keeps its own alpha, early-stopping
state and random stream, and a model that stops leaves the stack.

Stacks: with full batches and no dropout, folds are per-model 0/1 sample
weights over all rows, so every model shares one stack. Otherwise each model
draws its batches from its own training rows, and models with the same
number of training rows share a stack. ``n_jobs`` splits the models into
chunks that joblib runs in parallel: threads by default, or a Dask or Ray
cluster under their joblib backend.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.utils import check_random_state

from ._engine.initializers import initialize
from ._engine.network import Layout
from ._engine.state import TrainingState
from ._engine.training import TrainingData, batch_size_for, train
from ._split import validation_indices
from ._threads import blas_threads, blas_threads_for


@dataclass
class PlannedModel:
    """One (alpha, fold) network before training."""

    alpha: float
    fold: int
    train: np.ndarray  # the fold's training rows
    test: np.ndarray  # the fold's test rows
    rows: np.ndarray  # training rows after the early-stopping split
    val: np.ndarray | None  # early-stopping validation rows
    params: np.ndarray  # initial flat parameters, shape (P,)
    rng: np.random.RandomState


@dataclass
class TrainedModel:
    """One (alpha, fold) network after training."""

    params: np.ndarray
    n_iter: int
    status: int
    loss_curve: list
    validation_scores: list


def model_random_state(random_state) -> np.random.RandomState:
    """What ``check_random_state`` gives a fresh clone of an estimator."""
    if isinstance(random_state, np.random.RandomState):
        return copy.deepcopy(random_state)
    if random_state is None:
        return np.random.RandomState(np.random.randint(np.iinfo(np.int32).max))
    return check_random_state(random_state)


def plan_models(proto, Y, splits, alphas, layout: Layout, dtype, dropout, early):
    """Initial weights, random streams and rows of every (alpha, fold) model."""
    hidden = list(layout.layer_units)
    models = []
    for alpha in alphas:
        for fold, (train_rows, test_rows) in enumerate(splits):
            rng = model_random_state(proto.random_state)
            coefs, intercepts = initialize(hidden, rng, proto.weight_init,
                                           proto.activation, dtype)
            params = layout.pack(coefs, intercepts, layout.empty(1, dtype))[0]
            rows, val = train_rows, None
            if early:
                keep, held = validation_indices(
                    len(train_rows), validation_fraction=proto.validation_fraction,
                    rng=rng, strata=proto._strata(Y[train_rows]))
                rows, val = train_rows[keep], train_rows[held]
            models.append(PlannedModel(float(alpha), fold, train_rows, test_rows, rows,
                                       val, params, rng))
    return models


def stacks(models, batch_size, dropout):
    """Group models that can train in one stack (see the module docstring)."""
    full_batch = all(batch_size_for(batch_size, len(m.rows)) >= len(m.rows)
                     for m in models)
    if full_batch and not any(dropout):
        return [list(range(len(models)))], True
    by_size: dict[int, list[int]] = {}
    for k, m in enumerate(models):
        by_size.setdefault(len(m.rows), []).append(k)
    return list(by_size.values()), False


def train_models(proto, models, X, Y, sample_weight, layout, config, n_jobs, hooks=None):
    """Train all planned models; returns one :class:`TrainedModel` per model.

    ``hooks`` (progress callbacks) follow the first stack only.
    """
    groups, as_weights = stacks(models, config.batch_size, config.dropout)
    n_chunks = max(1, min(effective_n_jobs(n_jobs), len(models)))
    chunks = [chunk for group in groups
              for chunk in np.array_split(np.asarray(group), min(n_chunks, len(group)))
              if len(chunk)]
    # Threads by default: numpy releases the GIL in the large element-wise ops
    # of a stack, and a process pool's start-up costs more than small jobs take.
    # A Dask or Ray joblib backend, when active, overrides the preference.
    results = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(_train_stack)(proto, [models[k] for k in chunk], X, Y, sample_weight,
                              layout, config, as_weights, hooks if i == 0 else None)
        for i, chunk in enumerate(chunks)
    )
    trained: list[Any] = [None] * len(models)
    for chunk, result in zip(chunks, results):
        for k, model in zip(chunk, result):
            trained[k] = model
    return trained


def _train_stack(proto, models, X, Y, sample_weight, layout, config, as_weights,
                 hooks=None):
    """Train one stack of models in the engine (a joblib task)."""
    K, n = len(models), X.shape[0]
    params = np.stack([m.params for m in models])
    config = copy.copy(config)
    config.alpha = np.array([m.alpha for m in models])
    config.diagnostics = False  # per-model gradient norms are not kept here
    sw = np.ones(n, dtype=params.dtype) if sample_weight is None else sample_weight
    if as_weights:
        weights = np.zeros((K, n), dtype=params.dtype)
        for k, m in enumerate(models):
            weights[k, m.rows] = sw[m.rows]
        data = TrainingData(X, Y, sample_weight=weights)
    else:
        data = TrainingData(X, Y, rows=np.stack([m.rows for m in models]),
                            sample_weight=None if sample_weight is None
                            else np.broadcast_to(sw, (K, n)))
    if models[0].val is not None:
        val_weight = np.zeros((K, n), dtype=params.dtype)
        for k, m in enumerate(models):
            val_weight[k, m.val] = sw[m.val]
        data.X_val, data.Y_val, data.val_weight = X, Y, val_weight
    state = TrainingState(K)
    optimizer = proto._new_optimizer(K, layout.n_params, params.dtype)
    rows = min(X.shape[0], config.batch_size or 200)  # per-model products
    with np.errstate(all="ignore"), blas_threads(blas_threads_for(layout.layer_units,
                                                                   rows)):
        # (a no-op in joblib's worker threads, see _threads.py)
        train(data, params, layout, optimizer, state, config, [m.rng for m in models],
              hooks=hooks)
    return [TrainedModel(params[k], int(state.n_iter[k]), int(state.status[k]),
                         state.loss_curve[k], state.validation_scores[k])
            for k in range(K)]
