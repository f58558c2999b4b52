"""Many networks trained together: plan every (candidate, fold) model, group the
models into stacks, run the stacks.

A :class:`Block` is one fold's data as the MLP sees it: the rows of the
original ``X`` (an MLP searched alone), or the fold's rows after the steps of a
pipeline before the MLP, fitted once per fold and setting of their own
parameters. A :class:`PlannedModel` is one (candidate, fold) network, planned
exactly as the lone estimator would train on the block: its own copy of the
random state draws its initial weights, then its early-stopping split
(positions within the fold, in the order the lone estimator sees them), then
its shuffles and dropout masks.

Models share a stack when the engine can train them together: the same
architecture (layers, activations, loss), solver and dropout mode, and, for
mini-batches or dropout, the same number of training rows and rows per batch.
Everything else (alpha, penalty, l1_ratio, dropout rates, learning rates and
schedules, momentum, Adam's constants, max_iter, tol, n_iter_no_change, early
stopping, restore_best_weights, shuffle, weight_init, random_state) differs
from model to model inside a stack. L-BFGS fits one network at a time.
``n_jobs`` splits the stacks into chunks that joblib runs in parallel:
threads by default, or a Dask or Ray cluster under their joblib backend.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import clone

from ._class_weight import resolve, sample_factors
from ._engine import TrainingData, TrainingState, move, rows_per_batch, to_numpy, train
from ._fitted import FitOutcome, set_fitted
from ._spec import (
    STOCHASTIC_SOLVERS,
    ModelSpec,
    initial_params,
    make_optimizer,
    model_random_state,
    training_config,
)
from ._split import validation_indices
from ._threads import blas_threads, blas_threads_for


@dataclass
class Block:
    """One fold's training data as the MLP sees it.

    Attributes
    ----------
    X, Y : ndarray
        Rows the fold's models train on (``rows`` index them) and their encoded
        targets (label indicators for classifiers).
    rows : ndarray of int
        The fold's training rows in ``X``.
    sample_weight : ndarray or None
        Fit weights of the rows of ``X``.
    targets : RegressionTargets or ClassificationTargets
        The targets' encoding, fitted on the fold's training targets.
    shared : bool
        ``X`` is the search's whole ``X`` (an MLP searched alone): the folds'
        blocks share it, and their full-batch models share one stack through
        0/1 sample weights.
    """

    X: np.ndarray
    Y: np.ndarray
    rows: np.ndarray
    sample_weight: np.ndarray | None
    targets: object
    shared: bool = False


@dataclass
class PlannedModel:
    """One (candidate, fold) network before training."""

    key: int  # its key among the networks of one run (trained networks come back by key)
    settings: Mapping  # the MLP's parameters
    spec: ModelSpec
    block: Block
    rows: np.ndarray  # training rows in block.X after the early-stopping split
    val: np.ndarray | None  # early-stopping validation rows in block.X
    params: np.ndarray  # initial flat parameters, shape (P,)
    rng: np.random.RandomState
    # factors on its sample weights over block.X's rows (class weights, bootstrap counts)
    weight_factors: np.ndarray | None = None


@dataclass
class TrainedModel:
    """One (candidate, fold) network after training."""

    params: np.ndarray  # shape (P,)
    state: TrainingState  # its own one-model state (counters, status, curves)
    seconds: float  # its share of its stack's training time
    messages: list = field(default_factory=list)


def plan_model(key: int, settings: Mapping, spec: ModelSpec, block: Block, dtype,
               inits: dict | None = None, counts: np.ndarray | None = None
               ) -> PlannedModel:
    """Initial weights, random stream and rows of one (candidate, fold) model.

    ``counts`` (one per row of the fold, an ensemble member's bootstrap draw)
    multiply its sample weights, as its class weights do.

    ``inits`` caches the draws of an integer ``random_state``: every model
    with the same seed, layers, activation and initialization starts from the
    same weights and stream, so one draw serves them all (drawing takes
    longer than a short training of a small network).
    """
    params, rng = _initial_draw(settings, spec, dtype, inits, len(block.rows))
    factors = _class_factors(settings.get("class_weight"), spec, block)
    if counts is not None:
        factors = np.ones(block.X.shape[0]) if factors is None else factors
        factors[block.rows] *= counts
    rows, val = block.rows, None
    if settings["early_stopping"] and settings["solver"] in STOCHASTIC_SOLVERS:
        keep, held = validation_indices(
            len(block.rows), validation_fraction=settings["validation_fraction"], rng=rng,
            strata=spec.targets.strata(block.Y[block.rows]))
        rows, val = block.rows[keep], block.rows[held]
    return PlannedModel(key, settings, spec, block, rows, val, params, rng, factors)


def _class_factors(class_weight, spec: ModelSpec, block: Block) -> np.ndarray | None:
    """Each row's class weight for a model with ``class_weight`` (resolved on the
    fold's training rows, as the lone estimator resolves it on its ``y``)."""
    if class_weight is None:
        return None
    targets, Y = spec.targets, block.Y[block.rows]
    factors = np.ones(block.X.shape[0])
    factors[block.rows] = sample_factors(resolve(class_weight, Y, targets), Y, targets)
    return factors


def _initial_draw(settings: Mapping, spec: ModelSpec, dtype, inits: dict | None,
                  n_rows: int) -> tuple[np.ndarray, np.random.RandomState]:
    """The initial parameters and the random stream after drawing them; a model
    that draws from its stream later gets its own copy of a cached stream."""
    seed, scheme, arch = settings["random_state"], settings["weight_init"], spec.architecture
    key = None
    if inits is not None and isinstance(seed, Integral) and not isinstance(scheme, tuple):
        key = (int(seed), scheme, arch.layer_units, arch.activation, np.dtype(dtype).str)
    if key is None or key not in inits:
        rng = model_random_state(seed)
        params = initial_params(settings, spec, rng, dtype)[0]
        if key is None:
            return params, rng
        inits[key] = (params, rng)
    params, rng = inits[key]
    if _draws_later(settings, spec, n_rows):
        state, rng = rng.get_state(), np.random.RandomState(0)  # faster than deepcopy
        rng.set_state(state)
    return params.copy(), rng


def _draws_later(settings: Mapping, spec: ModelSpec, n_rows: int) -> bool:
    """Whether a model consumes its stream after the initial draw: for its
    early-stopping split, its shuffles of mini-batches, or its dropout masks."""
    batch = settings["batch_size"]
    mini_batches = rows_per_batch(None if batch == "auto" else batch, n_rows) < n_rows
    return bool(settings["early_stopping"] or (settings["shuffle"] and mini_batches)
                or any(p > 0 for p in spec.architecture.dropout))


def stack_key(model: PlannedModel) -> tuple:
    """What models must share to train in one stack (see the module docstring)."""
    settings, arch = model.settings, model.spec.architecture
    n = len(model.rows)
    batch = rows_per_batch(None if settings["batch_size"] == "auto"
                           else settings["batch_size"], n)
    full = batch >= n and not any(arch.dropout)
    key = (arch.layer_units, arch.activation, arch.out_activation, model.spec.loss,
           settings["solver"], settings["dropout_mode"], model.params.dtype.str)
    if settings["dropout_mode"] == "weight_scaling":  # it predicts with scaled weights
        key += (arch.dropout,)
    if settings["solver"] not in STOCHASTIC_SOLVERS:
        return key + (model.key,)  # L-BFGS: one network at a time
    if full and model.block.shared:  # folds as 0/1 weights over the shared rows
        return key + ("full", id(model.block.X), id(model.block.Y))
    return key + (n, batch)


def stacks(models: list[PlannedModel], n_jobs) -> list[list[PlannedModel]]:
    """The models grouped by :func:`stack_key`, split into chunks for ``n_jobs``."""
    groups: dict[tuple, list[PlannedModel]] = {}
    for model in models:
        groups.setdefault(stack_key(model), []).append(model)
    n_chunks = max(1, min(effective_n_jobs(n_jobs), len(models)))
    return [list(chunk) for group in groups.values()
            for chunk in np.array_split(np.asarray(group, dtype=object),
                                        min(n_chunks, len(group))) if len(chunk)]


def train_models(models: list[PlannedModel], n_jobs, hooks=None, diagnostics=False,
                 device=None) -> dict[int, TrainedModel]:
    """Train every planned model; returns the trained models by key. ``hooks``
    (progress callbacks) follow the first stack; ``diagnostics`` records the
    per-epoch gradient norms and saturation (a search does not keep them).
    ``device`` (an array of another Array API namespace, or None) is where the
    stochastic stacks train; the trained parameters come back to the host."""
    chunks = stacks(models, n_jobs)
    # Threads by default: numpy and the compiled step release the GIL, and a
    # process pool's start-up costs more than small jobs take. A Dask or Ray
    # joblib backend, when active, overrides the preference.
    results = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(train_stack)(chunk, hooks if i == 0 else None, diagnostics, device)
        for i, chunk in enumerate(chunks))
    return {model.key: trained for chunk, result in zip(chunks, results)
            for model, trained in zip(chunk, result)}


def stack_data(models: list[PlannedModel], dtype) -> TrainingData:
    """The training (and early-stopping validation) data of one stack.

    Models on one shared block train on its rows through 0/1 weights (or
    their own rows); models on several blocks train on the blocks one after
    the other, each model's rows shifted to its block.
    """
    blocks, offsets, start = [], {}, 0
    for model in models:
        if id(model.block) not in offsets:
            same = next((b for b in blocks if b.X is model.block.X
                         and b.Y is model.block.Y), None)
            offsets[id(model.block)] = offsets[id(same)] if same is not None else start
            if same is None:
                blocks.append(model.block)
                start += model.block.X.shape[0]
    X = blocks[0].X if len(blocks) == 1 else np.concatenate([b.X for b in blocks])
    Y = blocks[0].Y if len(blocks) == 1 else np.concatenate([b.Y for b in blocks])
    weighted = any(b.sample_weight is not None for b in blocks)
    sw = np.concatenate([b.sample_weight if b.sample_weight is not None
                         else np.ones(b.X.shape[0]) for b in blocks]).astype(dtype)
    K, n = len(models), X.shape[0]
    shift = [offsets[id(m.block)] for m in models]
    model_sw = np.broadcast_to(sw, (K, n))  # each model's weights: its class weights too
    if any(m.weight_factors is not None for m in models):
        model_sw = np.tile(sw, (K, 1))
        for k, m in enumerate(models):
            if m.weight_factors is not None:
                model_sw[k, shift[k]:shift[k] + len(m.weight_factors)] *= m.weight_factors
        weighted = True
    if len({len(m.rows) for m in models}) > 1:  # full batches of unequal folds: weights
        weights = np.zeros((K, n), dtype=dtype)
        for k, m in enumerate(models):
            weights[k, m.rows + shift[k]] = model_sw[k, m.rows + shift[k]]
        data = TrainingData(X, Y, sample_weight=weights)
    else:
        rows = np.stack([m.rows + shift[k] for k, m in enumerate(models)])
        data = TrainingData(X, Y, rows=rows, sample_weight=model_sw if weighted else None)
    if any(m.val is not None for m in models):
        val_weight = np.zeros((K, n), dtype=dtype)
        for k, m in enumerate(models):
            if m.val is not None:
                val_weight[k, m.val + shift[k]] = model_sw[k, m.val + shift[k]]
        data.X_val, data.Y_val, data.val_weight = X, Y, val_weight
    return data


def train_stack(models: list[PlannedModel], hooks=None, diagnostics=False, device=None
                ) -> list[TrainedModel]:
    """Train one stack of models in the engine (a joblib task), on ``device``'s
    namespace and device when given (L-BFGS: on the host)."""
    start = time.perf_counter()
    settings = [m.settings for m in models]
    spec = models[0].spec
    params = np.stack([m.params for m in models])
    data = stack_data(models, params.dtype)
    config = training_config(settings, spec)
    config.diagnostics = diagnostics
    K, layout = len(models), spec.architecture.layout
    stochastic = settings[0]["solver"] in STOCHASTIC_SOLVERS
    on_device = move(params, device) if stochastic else params
    state = TrainingState(K, make_optimizer(settings, K, layout.n_params, params.dtype,
                                            reference=on_device))
    n_rows = data.X.shape[0] if data.rows is None else data.rows.shape[1]
    rows = rows_per_batch(config.batch_size, n_rows)  # per-model products
    with np.errstate(all="ignore"), blas_threads(blas_threads_for(layout.layer_units,
                                                                   rows)):
        # (a no-op in joblib's worker threads, see _threads.py)
        if stochastic:
            train(spec.architecture, data.on_device(device), on_device, state, config,
                  [m.rng for m in models], hooks=hooks)
            params = to_numpy(on_device)
        else:
            _train_lbfgs(spec, data, params, state, config)
    seconds = (time.perf_counter() - start) / K
    return [TrainedModel(params[k], state.select_model(k), seconds) for k in range(K)]


def fitted_network(template, model: PlannedModel, trained: TrainedModel,
                   feature_names=None, device=None):
    """The plain fitted MLP a trained model stands for: a clone of ``template``
    (its metadata requests kept) with the model's settings and the fitted
    attributes a lone fit of it derives (its weights on ``device``'s namespace
    and device when given)."""
    network = clone(template).set_params(**model.settings)
    stochastic = model.settings["solver"] in STOCHASTIC_SOLVERS
    early = bool(stochastic and model.settings["early_stopping"])
    set_fitted(network, FitOutcome(model.spec, trained.state,
                                   move(trained.params[None], device), stochastic, early,
                                   model.val is not None), feature_names)
    return network


def _train_lbfgs(spec: ModelSpec, data: TrainingData, params, state, config) -> None:
    """L-BFGS on one network's own rows (a stack of one)."""
    from ._engine import train_lbfgs

    rows = data.rows[0] if data.rows is not None else np.flatnonzero(data.sample_weight[0])
    one = TrainingData(data.X[rows], data.Y[rows],
                       None if data.sample_weight is None else data.sample_weight[:, rows])
    train_lbfgs(spec.architecture, one, params, state, config)
