"""The models still training, stacked: their parameters, rows, weights and batches.

:class:`Stack` holds every per-model array of the K networks a training loop
still runs (parameters and gradients, random streams, sample weights or
training rows, the penalty's strengths, workspaces per batch size) and cuts
each epoch into mini-batches: reorder each model's rows (``shuffle``, by
composing permutations as scikit-learn does), gather them, and slice. A model
that stops leaves the stack (:meth:`Stack.select`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .activations import OUTPUT_ACTIVATIONS
from .backend import (
    is_numpy,
    move,
    numpy_dtype,
    take_along_rows,
    take_columns,
    take_rows,
    to_numpy,
    zeros,
)
from .compiled import CompiledStep, MaskStreams, available
from .dropout import draw_masks
from .losses import LOSSES
from .network import Architecture, Workspace, predict
from .objective import Objective
from .penalties import Penalty, penalty_shares
from .types import Array, Inputs, TrainingConfig, TrainingData, rows_per_batch

Batch = tuple[Inputs, Array, Array | None, int]  # rows, targets, weights, count


def training_size(data: TrainingData, n_models: int) -> Array:
    """The weighted number of training samples of each model, ``(K,)``: the
    ``n`` that divides the penalty (lambda means the same for every batch size)."""
    sw, rows = data.sample_weight, data.rows
    n = data.X.shape[0] if rows is None else rows.shape[1]
    if sw is None:
        return np.full(n_models, float(n))
    sw = to_numpy(sw)  # K numbers: on the host
    if rows is None:
        return sw.sum(axis=1)
    return np.take_along_axis(sw, rows, axis=1).sum(axis=1)


def make_penalty(config: TrainingConfig, data: TrainingData, n_models: int,
                 n_weights: int, first_layer: tuple[int, int] | None = None) -> Penalty:
    """The penalty of ``config`` with strength ``alpha / n`` per model
    (``first_layer``: the first weights' shape, which the group penalty needs)."""
    strength = config.alpha / training_size(data, n_models)
    shares = np.array([penalty_shares(name, ratio)
                       for name, ratio in zip(config.penalty, config.l1_ratio)])
    return Penalty(shares[:, 0], shares[:, 1], strength, n_weights, shares[:, 2],
                   first_layer)


class TrainingLoss:
    """The training loss (data loss plus penalty) of K networks' weights on each
    model's own training rows: what the divergence rule measures a training's
    start and its kept weights with.

    One forward pass over the training rows per call, without dropout; no random
    stream is drawn from. Built before any model leaves the stack.
    """

    def __init__(self, arch: Architecture, data: TrainingData, config: TrainingConfig,
                 weights: Array | None, n_models: int) -> None:
        self.arch, self.X, self.Y, self.weights = arch, data.X, data.Y, weights
        self.value = LOSSES[config.loss].value
        self.penalty = make_penalty(config, data, n_models, arch.layout.n_weights,
                                    arch.layout.coef_shapes[0])

    @classmethod
    def of_stack(cls, arch: Architecture, data: TrainingData, stack: Stack,
                 config: TrainingConfig) -> TrainingLoss:
        """The loss of a stack's models, each on its rows (built before any leaves)."""
        K = len(stack.ids)
        weights = stack.sample_weight
        if stack.rows is not None:  # each model's rows as weights over all rows
            counts = np.zeros((K, data.X.shape[0]))
            np.add.at(counts, (np.arange(K)[:, None], stack.rows), 1.0)
            counts = move(counts.astype(numpy_dtype(stack.params)), stack.params)
            weights = counts if weights is None else counts * weights
        return cls(arch, data, config, weights, K)

    def __call__(self, params: Array) -> NDArray[np.floating]:
        """The loss of the weights ``params`` (K rows), on the host."""
        data, penalty = self.parts(params)
        return data + penalty

    def parts(self, params: Array) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
        """The data loss and the penalty of the weights ``params``, on the host."""
        layout = self.arch.layout
        P = predict(self.X, layout.coefs(params), layout.intercepts(params), self.arch)
        with np.errstate(over="ignore", invalid="ignore"):
            return (to_numpy(self.value(self.Y, P, self.weights)),
                    to_numpy(self.penalty.value(params)))

    def zero_output(self, like_params: Array) -> NDArray[np.floating]:
        """The data loss of a network whose outputs are all zero (``f_out(0)``:
        0, 1/2, uniform or rate 1), on the host."""
        shape = (1, self.X.shape[0], self.Y.shape[-1])
        outputs = OUTPUT_ACTIVATIONS[self.arch.out_activation].value(zeros(shape, like_params))
        return to_numpy(self.value(self.Y, outputs, self.weights))

    def reference(self, params: Array) -> NDArray[np.floating]:
        """The loss a fresh training is judged against (:func:`.rules.reference_loss`):
        that of its starting weights ``params``, or, when larger, that of a
        network whose outputs are all zero (``f_out(0)``: 0, 1/2, uniform or
        rate 1), so that neither a first epoch that already explodes nor a start
        at a near-perfect fit sets the scale."""
        with np.errstate(invalid="ignore"):
            return np.fmax(np.abs(self(params)), np.abs(self.zero_output(params)))


class Stack:
    """The per-model arrays of the models still training, in one place."""

    def __init__(self, arch: Architecture, data: TrainingData, params: Array,
                 rngs: list[np.random.RandomState], config: TrainingConfig,
                 order: NDArray[np.intp] | None = None) -> None:
        K = params.shape[0]
        self.arch, self.layout = arch, arch.layout
        self.ids = np.arange(K)
        self.params = params
        self.rngs = list(rngs)
        n = data.X.shape[0]
        self.n_rows = n if data.rows is None else data.rows.shape[1]
        self.batch_size = rows_per_batch(config.batch_size, self.n_rows)
        self.full_batch = self.batch_size >= self.n_rows
        sw, rows = data.sample_weight, data.rows
        self.shuffle = config.shuffle.copy()
        self.dropout = (config.dropout if config.dropout is not None
                        else np.tile(np.asarray(arch.dropout, dtype=float), (K, 1)))
        self.has_dropout = bool(np.any(self.dropout > 0))
        # Full batches of all rows with 0/1 weights are cheaper than gathering each
        # model's rows when each model uses most of them (cross-validation folds),
        # unless dropout must draw its masks on the model's own rows.
        if (rows is not None and self.full_batch and not self.has_dropout
                and 2 * rows.shape[1] >= n):
            mask = np.zeros((K, n))
            mask[np.arange(K)[:, None], rows] = 1
            mask = move(mask.astype(numpy_dtype(params)), params)
            sw, rows = (mask if sw is None else sw * mask), None
        self.sample_weight, self.rows = sw, rows
        self.val_weight = data.val_weight
        self.penalty = make_penalty(config, data, K, self.layout.n_weights,
                                    self.layout.coef_shapes[0])
        # each model's order of its rows, composed by every shuffle (a continued
        # training starts from where it stopped); kept for all K (final_orders)
        self.order = (np.tile(np.arange(self.n_rows), (K, 1)) if order is None
                      else np.array(order, dtype=np.intp))
        self._orders = self.order.copy()
        self.objective = Objective(self.layout, arch.activation, arch.out_activation,
                                   config.loss, self.penalty, include_l1=False,
                                   norms=config.diagnostics)
        self.n_batches = 1 if self.full_batch else -(-self.n_rows // self.batch_size)
        # the compiled batch step (numba), or None: the reference runs (the kernels
        # take dense numpy arrays only)
        self.compiled = (CompiledStep(arch, params.dtype) if available()
                         and not sp.issparse(data.X) and is_numpy(data.X, params) else None)
        self.streams: MaskStreams | None = None  # see open_streams
        self._refresh()

    def open_streams(self, epochs: int) -> None:
        """With the compiled step, copy the random streams of the models that draw
        from them in a training of ``epochs`` epochs (shuffles, dropout masks) into
        compiled code (:class:`.compiled.MaskStreams`): the epochs then shuffle
        and draw their masks without Python, in the reference's order. Only when
        it pays: reading and writing back a generator's state costs about as much
        as a dozen draws from Python (~0.1 ms), so a training with fewer draws per
        model (``partial_fit``'s one epoch) keeps the reference's draws; and only
        when each such model has its own generator. :meth:`close_streams` puts
        the states back; nothing else reads the generators in between."""
        shuffles = self.shuffle & (not self.full_batch)
        layers = (self.dropout > 0).sum(axis=1)  # the layers each model draws masks for
        draws = epochs * (shuffles + self.n_batches * layers)
        users = [id(self.rngs[k]) for k in np.flatnonzero(draws)]
        if (self.compiled is None or draws.max(initial=0) < 12 or self.n_rows >= 2 ** 32
                or len(set(users)) < len(users)):
            return
        self.streams = MaskStreams(self.dropout, self.arch.layer_units[1:-1],
                                   self.arch.dropout_mode, self.rngs,
                                   numpy_dtype(self.params), drawing=shuffles)

    def close_streams(self) -> None:
        """Put the compiled streams' states back into the generators."""
        if self.streams is not None:
            self.streams.finish()
            self.streams = None

    def draw_masks(self, work: Workspace) -> None:
        """Redraw one batch's dropout masks of every model into ``work``
        (:func:`.dropout.draw_masks`, or the same draws in compiled code)."""
        if self.streams is not None:
            self.streams.draw(work.mask_matrix, self.ids)
        else:
            draw_masks(work, self.rngs, self.arch.dropout_mode)

    def final_orders(self) -> NDArray[np.intp]:
        """Every model's order of its rows after its last shuffle, ``(K, n_rows)``."""
        self._orders[self.ids] = self.order
        return self._orders

    def _refresh(self) -> None:
        self.grads = zeros(tuple(self.params.shape), self.params)
        self._gathered = None
        self.coefs = self.layout.coefs(self.params)
        self.intercepts = self.layout.intercepts(self.params)
        self.workspaces: dict[int, Workspace] = {}

    def select(self, keep: NDArray[np.intp]) -> None:
        """Keep the models at positions ``keep``."""
        self._orders[self.ids] = self.order
        self.ids = self.ids[keep]
        self.params = take_rows(self.params, keep)
        self.rngs = [self.rngs[i] for i in keep]
        self.penalty.select(keep)
        self.order = self.order[keep]
        self.shuffle, self.dropout = self.shuffle[keep], self.dropout[keep]
        for name in ("sample_weight", "rows", "val_weight"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, take_rows(value, keep))
        self._refresh()

    def _gather(self, X: Inputs, Y: Array, sw: Array | None, index: NDArray[np.intp],
                shared: bool = False) -> tuple[Inputs, Array, Array | None]:
        """The rows ``index`` (``(K, m)``) of X, Y and the weights, per model.

        One model (or one order shared by all) gives a shared 2-D batch.
        """
        if len(self.ids) == 1 or shared:
            index = index[0]
            return (take_rows(X, index), take_rows(Y, index),
                    None if sw is None else take_columns(sw, index))
        Xs = (np.stack([X[i].toarray() for i in index]) if sp.issparse(X)
              else take_rows(X, index))
        ws = None if sw is None else take_along_rows(sw, index)
        return Xs, take_rows(Y, index), ws

    def workspace(self, n_batch: int) -> Workspace:
        """Buffers for batches of ``n_batch`` rows (kept across epochs)."""
        if n_batch not in self.workspaces:
            self.workspaces[n_batch] = Workspace(self.layout, len(self.ids), n_batch,
                                                 numpy_dtype(self.params), self.dropout,
                                                 buffers=self.compiled is None
                                                 and is_numpy(self.params))
        return self.workspaces[n_batch]

    def epoch_batches(self, data: TrainingData) -> Iterable[Batch]:
        """The ``(X_b, Y_b, w_b, n_b)`` batches of one epoch."""
        X, Y, sw = data.X, data.Y, self.sample_weight
        if self.full_batch and self.rows is None:
            return ((X, Y, sw, self.n_rows),)
        if self.full_batch:  # each model's own rows, gathered once
            if self._gathered is None:
                self._gathered = self._gather(X, Y, sw, self.rows)
            return ((*self._gathered, self.n_rows),)
        return self._mini_batches(X, Y, sw)

    def _mini_batches(self, X: Inputs, Y: Array, sw: Array | None) -> Iterator[Batch]:
        """Reorder the rows of the models that shuffle (composing permutations, as
        scikit-learn does) and cut."""
        if self.streams is not None:  # the same draws in compiled code
            self.streams.shuffle(self.order, self.ids, self.shuffle)
        else:
            for k in np.flatnonzero(self.shuffle):
                permutation = np.arange(self.n_rows)
                self.rngs[k].shuffle(permutation)
                self.order[k] = self.order[k][permutation]
        index = self.order if self.rows is None else np.take_along_axis(
            self.rows, self.order, axis=1
        )
        shared = self.rows is None and not self.shuffle.any()
        Xs, Ys, ws = self._gather(X, Y, sw, index, shared=shared)
        for start in range(0, self.n_rows, self.batch_size):
            stop = min(start + self.batch_size, self.n_rows)
            yield (
                Xs[..., start:stop, :] if not sp.issparse(Xs) else Xs[start:stop],
                Ys[..., start:stop, :],
                None if ws is None else ws[:, start:stop],
                stop - start,
            )
