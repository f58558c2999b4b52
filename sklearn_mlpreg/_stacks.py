"""The one stacked-training pipeline: plan -> stack -> train -> select.

Every network of the library trains here: ``fit`` and ``partial_fit`` as a
stack of one (resuming a fitted network's weights and state), the members of
a seed ensemble, and every (candidate, fold) network of the batched searches
and the CV estimators.

* plan (:mod:`._plans`): each network's data, weights and random stream,
  as the lone estimator would have them; :func:`~._plans.plan_model` is the
  one place that consumes a network's random stream before the engine's
  shuffles and dropout masks.
* stack (:func:`stack_key`, :func:`stacks`): models share a stack when the
  engine can train them together: the same architecture (layers,
  activations, loss), solver and dropout mode, and, for mini-batches or
  dropout, the same number of training rows and rows per batch. Everything
  else (alpha, penalty, l1_ratio, dropout rates, learning rates and
  schedules, momentum, Adam's constants, max_iter, tol, n_iter_no_change,
  early stopping, restore_best_weights, shuffle, weight_init, random_state)
  differs from model to model inside a stack. L-BFGS fits one network at a
  time.
* train (:func:`train_stack`, :func:`train_models`): a stack of one trains on
  its own rows, exactly as the lone fit's data; a larger stack on the
  blocks' rows with per-model weights. ``n_jobs`` splits the stacks into
  chunks that joblib runs in parallel: threads by default, or a Dask or Ray
  cluster under their joblib backend.
* select (:func:`fitted_network`): the plain fitted MLP a trained model
  stands for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import clone

from ._engine import (
    SGD,
    Adam,
    TrainingData,
    TrainingState,
    move,
    to_numpy,
    train,
    train_lbfgs,
)
from ._fitted import FitOutcome, set_fitted
from ._plans import PlannedModel
from ._spec import make_optimizer, training_config
from ._threads import blas_threads, blas_threads_for


@dataclass
class TrainedModel:
    """One network after training."""

    params: np.ndarray  # shape (P,), on the host
    state: TrainingState  # its own one-model state (counters, status, curves)
    seconds: float  # its share of its stack's training time


# -- stack -----------------------------------------------------------------------------
def stack_key(model: PlannedModel) -> tuple:
    """What models must share to train in one stack (see the module docstring)."""
    settings, arch = model.settings, model.spec.architecture
    n = len(model.rows)
    batch = settings.batch_rows(n)
    full = batch >= n and not any(arch.dropout)
    key = (arch.layer_units, arch.activation, arch.out_activation, model.spec.loss,
           settings.solver, settings.dropout_mode, model.params.dtype.str)
    if settings.dropout_mode == "weight_scaling":  # it predicts with scaled weights
        key += (arch.dropout,)
    continues = model.resume is not None and model.resume.continues
    if not settings.stochastic or model.validation is not None \
            or (model.resume is not None and not continues):
        return key + (model.key,)  # L-BFGS, a lone fit: one network at a time
    if continues:  # with the others that continue (their states join)
        key += ("continues",)
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


# -- train -----------------------------------------------------------------------------
def train_models(models: list[PlannedModel], n_jobs, hooks=None, diagnostics=False,
                 device=None) -> dict[int, TrainedModel]:
    """Train every planned model in stacks; returns the trained models by key.
    ``hooks`` (progress callbacks) follow the first stack; see
    :func:`train_stack` for ``diagnostics`` and ``device``."""
    chunks = stacks(models, n_jobs)
    # Threads by default: numpy and the compiled step release the GIL, and a
    # process pool's start-up costs more than small jobs take. A Dask or Ray
    # joblib backend, when active, overrides the preference.
    results = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(train_stack)(chunk, hooks if i == 0 else None, diagnostics, device)
        for i, chunk in enumerate(chunks))
    return {model.key: trained for chunk, result in zip(chunks, results)
            for model, trained in zip(chunk, result)}


@dataclass(frozen=True)
class LoneFit:
    """A lone estimator's ``fit`` or ``partial_fit``: a stack of one that trains
    on the network's own rows as the estimator has them and keeps its whole
    state, optimizer included (``partial_fit`` continues it). A stack of a
    search or an ensemble, even of one network, keeps no optimizer, whatever
    ``n_jobs`` made of its size.

    Attributes
    ----------
    log : callable or None
        Receives the verbose lines.
    incremental : bool
        One ``partial_fit`` epoch.
    """

    log: Callable | None = None
    incremental: bool = False


def train_stack(models: list[PlannedModel], hooks=None, diagnostics=False, device=None,
                lone: LoneFit | None = None) -> list[TrainedModel]:
    """Train one stack of models in the engine (a joblib task).

    Parameters
    ----------
    models : list of PlannedModel
        Models of one :func:`stack_key`.
    hooks : EpochHooks, default=None
        Per-epoch callbacks.
    diagnostics : bool, default=False
        Record the per-epoch gradient norms and saturation (a search does not
        keep them).
    device : array, default=None
        An array of another Array API namespace: the stochastic stacks train
        in its namespace and on its device (L-BFGS: on the host); the trained
        weights come back to the host.
    lone : LoneFit, default=None
        The stack is a lone estimator's fit (one network).
    """
    start = time.perf_counter()
    first, K = models[0], len(models)
    settings = [m.settings for m in models]
    params = np.stack([m.params for m in models]) if K > 1 else first.params[None]
    stochastic = first.settings.stochastic
    # A lone fit, and an L-BFGS network (one a stack), train on their own rows.
    own_rows = lone is not None or not stochastic
    data = _lone_data(first) if own_rows else stack_data(models, params.dtype)
    config = training_config(settings, first.spec,
                             incremental=lone is not None and lone.incremental)
    config.diagnostics = diagnostics
    config.checkpoint = any(m.checkpoint for m in models)
    config.continues = first.resume is not None and first.resume.continues
    done = (np.array([m.resume.state.n_iter[0] for m in models]) if config.continues
            else 0)
    config.max_iter = config.max_iter - done  # the epochs still to run
    arch = first.spec.architecture
    on_device = move(params, device) if stochastic else params
    state = _stack_state(models, on_device)
    n_rows = data.X.shape[0] if data.rows is None else data.rows.shape[1]
    rows = first.settings.batch_rows(n_rows) if stochastic else n_rows
    with np.errstate(all="ignore"), blas_threads(blas_threads_for(arch.layer_units, rows)):
        # (a no-op in joblib's worker threads, see _threads.py)
        if stochastic:
            train(arch, data.on_device(device), on_device, state, config,
                  [m.rng for m in models], lone and lone.log, hooks)
            params = to_numpy(on_device)
        else:
            train_lbfgs(arch, data, params, state, config, lone and lone.log, hooks)
    seconds = (time.perf_counter() - start) / K
    state.n_iter += done  # a continued training counts all its epochs
    if lone is not None:  # its state, optimizer included
        return [TrainedModel(params[0], state, seconds)]
    trained = [TrainedModel(params[k], state.select_model(k, config.checkpoint), seconds)
               for k in range(K)]
    if config.checkpoint:  # the stream goes back with the state (a worker's is a copy)
        for model, one in zip(models, trained):
            one.state.rng_state = model.rng.get_state()
    return trained


def _stack_state(models: list[PlannedModel], params) -> TrainingState:
    """The engine state a stack trains with: a resumed network's own (its
    optimizer kept by ``partial_fit`` when it fits), or a new one, with an
    optimizer in ``params``' namespace (none for L-BFGS)."""
    first = models[0]
    resume = first.resume
    if resume is not None and resume.continues:  # the checkpoints, joined
        return TrainingState.concat([m.resume.state for m in models])
    state = resume.state if resume is not None and resume.state is not None \
        else TrainingState(len(models))
    if not first.settings.stochastic:
        state.optimizer = None
        return state
    current, kind = state.optimizer, SGD if first.settings.solver == "sgd" else Adam
    keep = (resume is not None and resume.keep_optimizer and isinstance(current, kind)
            and _optimizer_shape(current) == tuple(params.shape))
    if not keep:
        state.optimizer = make_optimizer([m.settings for m in models], params.shape[1],
                                         params.dtype, reference=params)
    return state


def _optimizer_shape(optimizer) -> tuple:
    """Shape of the parameter buffer an optimizer's state belongs to."""
    return tuple((optimizer.velocity if isinstance(optimizer, SGD) else optimizer.ms).shape)


def _lone_data(model: PlannedModel) -> TrainingData:
    """The data of a stack of one: its own rows of the block, as the lone fit
    has them (its early-stopping split taken out, in the split's order)."""
    block = model.block
    weight = block.sample_weight
    if model.weight_factors is not None:
        weight = model.weight_factors if weight is None else weight * model.weight_factors
    X, Y, w = block.X, block.Y, weight
    if not (block.whole and model.rows is block.rows):
        X, Y, w = X[model.rows], Y[model.rows], None if w is None else w[model.rows]
    validation = model.validation
    if model.held_out is not None:
        held = model.held_out
        validation = (block.X[held], block.Y[held], None if weight is None else weight[held])
    X_val, Y_val, w_val = validation if validation is not None else (None, None, None)
    return TrainingData(X, Y, None if w is None else w[None], X_val=X_val, Y_val=Y_val,
                        val_weight=None if w_val is None else w_val[None])


def stack_data(models: list[PlannedModel], dtype) -> TrainingData:
    """The training (and early-stopping validation) data of a stack of several.

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
    if any(m.held_out is not None for m in models):
        val_weight = np.zeros((K, n), dtype=dtype)
        for k, m in enumerate(models):
            if m.held_out is not None:
                val_weight[k, m.held_out + shift[k]] = model_sw[k, m.held_out + shift[k]]
        data.X_val, data.Y_val, data.val_weight = X, Y, val_weight
    return data


# -- select ----------------------------------------------------------------------------
def fitted_network(template, model: PlannedModel, trained: TrainedModel,
                   feature_names=None, device=None):
    """The plain fitted MLP a trained model stands for: a clone of ``template``
    (the MLP with the model's settings, its metadata requests kept) with the
    model's seed and the fitted attributes a lone fit of it derives (its
    weights on ``device``'s namespace and device when given)."""
    network = clone(template).set_params(random_state=model.settings.random_state)
    settings = model.settings
    set_fitted(network, FitOutcome(model.spec, trained.state,
                                   move(trained.params[None], device), settings.stochastic,
                                   settings.early, model.has_validation), feature_names)
    return network
