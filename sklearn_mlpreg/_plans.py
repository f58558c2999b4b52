"""Plan: each network of a stacked training, before it trains.

A :class:`Block` is one fold's data as the MLP sees it: the rows of the
original ``X`` (a lone fit, an ensemble, an MLP searched alone), or the
fold's rows after the steps of a pipeline before the MLP. A
:class:`PlannedModel` is one network planned exactly as the lone estimator
trains on the block. :func:`plan_model` is the one place that consumes a
network's random stream before training: its initial weights (none when it
resumes a fitted network), then its early-stopping split (positions within
the block, in the order the lone estimator sees them); the stream then goes
to the engine (:mod:`._stacks`) for its shuffles and dropout masks.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from ._checks import check_validation_fraction
from ._class_weight import resolve, sample_factors
from ._engine import TrainingState
from ._settings import Settings
from ._spec import ModelSpec, initial_params
from ._split import validation_indices


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
    whole : bool
        ``rows`` are all the rows of ``X``, in order (a stack of one trains on
        ``X`` itself).
    validation : tuple or None
        An explicit validation set ``(X_val, Y_val, sample_weight_val)`` of a
        lone fit (its models train in stacks of one).
    """

    X: np.ndarray
    Y: np.ndarray
    rows: np.ndarray
    sample_weight: np.ndarray | None
    targets: object
    shared: bool = False
    whole: bool = False
    validation: tuple | None = None


@dataclass
class Resume:
    """Where a fitted network continues (``warm_start``, ``partial_fit``).

    Attributes
    ----------
    params : ndarray of shape (P,)
        Its current flat weights.
    state : TrainingState or None
        Its training state (counters, curves, optimizer).
    keep_optimizer : bool
        Keep the optimizer's state (``partial_fit``); a warm start gets a
        fresh optimizer.
    continues : bool
        The network continues a training that stopped at its epoch budget (a
        halving search's survivor): ``state`` is its checkpoint
        (:meth:`.TrainingState.select_model`), optimizer and rows' order
        included, ``state.n_iter`` the epochs it ran, and it stacks with the
        others that continue.
    """

    params: np.ndarray
    state: TrainingState | None
    keep_optimizer: bool
    continues: bool = False


@dataclass
class PlannedModel:
    """One network before training."""

    key: int  # its key among the networks of one run (trained networks come back by key)
    settings: Settings
    spec: ModelSpec
    block: Block
    rows: np.ndarray  # training rows in block.X after the early-stopping split
    held_out: np.ndarray | None  # rows of block.X its early-stopping split holds out
    params: np.ndarray  # initial flat weights, shape (P,)
    rng: np.random.RandomState
    # factors on its sample weights over block.X's rows (class weights, bootstrap
    # counts), in X's dtype, and its explicit validation set (weights with them)
    weight_factors: np.ndarray | None = None
    validation: tuple | None = None
    resume: Resume | None = None
    checkpoint: bool = False  # keep what continuing it needs (a halving round)

    @property
    def has_validation(self) -> bool:
        """Whether a validation set is scored every epoch."""
        return self.held_out is not None or self.validation is not None


# -- plan ------------------------------------------------------------------------------
def plan_model(key: int, settings: Settings, spec: ModelSpec, block: Block, *,
               inits: dict | None = None, counts: np.ndarray | None = None,
               rng: np.random.RandomState | None = None, resume: Resume | None = None,
               incremental: bool = False) -> PlannedModel:
    """Initial weights, random stream, rows and weights of one network.

    The one place a network's random stream is consumed before training: the
    initial draw (none when it resumes), then the early-stopping split.

    Parameters
    ----------
    key : int
    settings : Settings
    spec : ModelSpec
    block : Block
    inits : dict, default=None
        A cache of the draws of integer ``random_state`` values: every model
        with the same seed, layers, activation and initialization starts from
        the same weights and stream, so one draw serves them all (drawing
        takes longer than a short training of a small network).
    counts : ndarray of shape (len(block.rows),), default=None
        An ensemble member's bootstrap counts, multiplying its sample weights
        as its class weights do.
    rng : RandomState, default=None
        The stream itself (a lone fit consumes its estimator's); by default
        the one a fresh clone of the estimator draws from.
    resume : Resume, default=None
        The fitted network this fit continues.
    incremental : bool, default=False
        One ``partial_fit`` epoch (``class_weight="balanced"`` is refused).
    """
    if resume is None:
        params, rng = _initial_draw(settings, spec, block, inits, rng)
    else:
        params = resume.params
        rng = check_random_state(settings.random_state) if rng is None else rng
    factors, class_weights = _weight_factors(settings, spec, block, counts, incremental)
    rows, held_out = block.rows, None
    if settings.early and block.validation is None:
        check_validation_fraction(settings.validation_fraction, len(block.rows))
        Y = block.Y if block.whole else block.Y[block.rows]
        keep, held = validation_indices(
            len(block.rows), validation_fraction=settings.validation_fraction, rng=rng,
            strata=spec.targets.strata(Y))
        rows, held_out = block.rows[keep], block.rows[held]
    return PlannedModel(key, settings, spec, block, rows, held_out, params, rng, factors,
                        _validation(block, class_weights), resume)


def _weight_factors(settings: Settings, spec: ModelSpec, block: Block, counts,
                    incremental: bool) -> tuple[np.ndarray | None, object]:
    """Each row's factor on its sample weight (its class weight, resolved on the
    block's training rows as the lone estimator resolves it on its ``y``, times
    its bootstrap count), or None; and the resolved class weights (or None)."""
    class_weights, factors = None, None
    if settings.class_weight is not None:
        targets, Y = spec.targets, block.Y if block.whole else block.Y[block.rows]
        class_weights = resolve(settings.class_weight, Y, targets, incremental=incremental)
        factors = np.ones(block.X.shape[0])
        factors[block.rows] = sample_factors(class_weights, Y, targets)
        _check_some_weight(factors[block.rows], block, settings.class_weight)
    if counts is not None:
        factors = np.ones(block.X.shape[0]) if factors is None else factors
        factors[block.rows] *= counts
    return (None if factors is None else factors.astype(block.Y.dtype)), class_weights


def _check_some_weight(factors: np.ndarray, block: Block, class_weight) -> None:
    """Class weights that leave every training sample a weight of 0 leave nothing
    to fit (a diverging fit would blame the data)."""
    weight = factors if block.sample_weight is None else (
        factors * block.sample_weight[block.rows])
    if not weight.sum() > 0:
        raise ValueError(
            f"class_weight={class_weight!r} gives every training sample a weight of 0, "
            "so there is nothing to fit. Give at least one class that occurs in y a "
            "positive weight.")


def _validation(block: Block, class_weights) -> tuple | None:
    """The block's explicit validation set, weighted by the training set's class
    weights."""
    if block.validation is None or class_weights is None:
        return block.validation
    X_val, Y_val, weight = block.validation
    factors = sample_factors(class_weights, Y_val, block.targets).astype(Y_val.dtype)
    return X_val, Y_val, factors if weight is None else weight * factors


def _initial_draw(settings: Settings, spec: ModelSpec, block: Block, inits: dict | None,
                  rng) -> tuple[np.ndarray, np.random.RandomState]:
    """The initial weights and the random stream after drawing them; a model
    that draws from its stream later gets its own copy of a cached stream."""
    seed, scheme, arch = settings.random_state, settings.weight_init, spec.architecture
    dtype = block.X.dtype
    if rng is not None:
        return initial_params(settings, spec, rng, dtype)[0], rng
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
    if _draws_later(settings, spec, len(block.rows)):
        state, rng = rng.get_state(), np.random.RandomState(0)  # faster than deepcopy
        rng.set_state(state)
    return params.copy(), rng


def _draws_later(settings: Settings, spec: ModelSpec, n_rows: int) -> bool:
    """Whether a model consumes its stream after the initial draw: for its
    early-stopping split, its shuffles of mini-batches, or its dropout masks."""
    return bool(settings.early
                or (settings.shuffle and settings.batch_rows(n_rows) < n_rows)
                or any(p > 0 for p in spec.architecture.dropout))


def model_random_state(random_state) -> np.random.RandomState:
    """What ``check_random_state`` gives a fresh clone of an estimator: a copy of
    a given RandomState, so every (candidate, fold) model draws the same stream."""
    if isinstance(random_state, np.random.RandomState):
        return copy.deepcopy(random_state)
    if random_state is None:
        return np.random.RandomState(np.random.randint(np.iinfo(np.int32).max))
    return check_random_state(random_state)
