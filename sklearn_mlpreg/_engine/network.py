"""Architecture, forward pass and backpropagation of K stacked networks.

The parameters of K networks live in one flat ``(K, P)`` buffer laid out by
:class:`~.layout.Layout`.

The forward pass (lecture: ``n_3 = sigma(x_1 w_13 + x_2 w_23 + b_3)``, layer
by layer) is ``A_{l+1} = f(A_l @ W_l + b_l)`` with ``np.matmul`` over the
leading model axis; the input ``X`` is shared by all models, ``(n, d)``, or
per model, ``(K, n, d)``, and may be a scipy sparse matrix. Backpropagation
applies the chain rule of the lecture's slide backwards:
``delta_L = (p - y) * s`` (``s`` the sample weights), ``dW_l = A_l^T delta_l``,
``db_l = sum_n delta_l``, ``delta_{l-1} = (delta_l W_l^T) * f'(Z_{l-1})``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from numpy.typing import DTypeLike

from .activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from .backend import is_numpy, namespace, transpose
from .layout import Layout
from .losses import output_delta
from .types import Array, Inputs


@dataclass(frozen=True)
class Architecture:
    """What a network computes: its layers, activations and dropout.

    Attributes
    ----------
    layer_units : tuple of int
        Units per layer, input and output included.
    activation : str
        Hidden activation, a key of :data:`~.activations.ACTIVATIONS`.
    out_activation : str
        Output activation, a key of :data:`~.activations.OUTPUT_ACTIVATIONS`.
    dropout : tuple of float
        Drop rate of each hidden layer during training (empty: none).
    dropout_mode : {"inverted", "weight_scaling"}
        How dropout keeps the expected activation (see :mod:`.dropout`).
    """

    layer_units: tuple[int, ...]
    activation: str
    out_activation: str
    dropout: tuple[float, ...] = ()
    dropout_mode: str = "inverted"

    @cached_property
    def layout(self) -> Layout:
        """Where each layer sits in the flat parameter buffer."""
        return Layout(self.layer_units)

    def __getstate__(self) -> dict:
        """The fields only: the cached layout is rebuilt after loading."""
        return {k: v for k, v in self.__dict__.items() if k != "layout"}

    @property
    def has_dropout(self) -> bool:
        """Whether any hidden layer drops units during training."""
        return any(self.dropout)

    def prediction_weights(self, coefs: Sequence[Array]) -> list[Array]:
        """The weights a trained network predicts with (no dropout at predict time).

        Inverted dropout scaled the kept units during training, so the trained
        weights predict as they are. Weight scaling (the slide's version)
        multiplies the weights leaving a dropout layer by ``1 - p``: the next
        layer's expected training input ``E[m h] w = (1 - p) h w``.
        """
        if self.dropout_mode == "inverted" or not self.has_dropout:
            return list(coefs)
        scaled = list(coefs)
        for i, p in enumerate(self.dropout):
            scaled[i + 1] = coefs[i + 1] * (1.0 - p)
        return scaled


def _matmul(A: Inputs, W: Array, out: Array | None) -> Array:
    """``A @ W`` (into ``out`` if given); ``A`` may be a scipy sparse ``(n, d)`` matrix
    and ``W`` one ``(d, m)`` or K stacked ``(K, d, m)`` weight matrices.

    numpy's branches: scipy sparse input has no Array API namespace, and
    ``out=`` writes the products into the workspace and the gradient's views
    (see ``Objective._views``: 6.5 us a step saved on the tiny network).
    """
    if type(A) is np.ndarray and type(W) is np.ndarray:  # the common case, first
        return np.matmul(A, W, out=out)
    if not is_numpy(W):
        return namespace(W).matmul(A, W)
    if sp.issparse(A):
        if W.ndim == 2:
            return A @ W
        out = np.empty((W.shape[0], A.shape[0], W.shape[-1]), W.dtype) if out is None else out
        for k in range(W.shape[0]):
            out[k] = A @ W[k]
        return out
    return np.matmul(A, W, out=out)


def _matmul_transposed(A: Inputs, delta: Array, out: Array | None) -> Array:
    """``A^T @ delta`` into ``out`` (a weight gradient); ``A`` may be sparse."""
    if type(A) is np.ndarray and type(delta) is np.ndarray:  # the common case, first
        return np.matmul(A.swapaxes(-1, -2), delta, out=out)
    if not is_numpy(delta):
        return namespace(delta).matmul(transpose(A), delta)
    if sp.issparse(A):
        AT = A.T.tocsr()
        for k in range(delta.shape[0]):
            out[k] = AT @ delta[k]
        return out
    return np.matmul(A.swapaxes(-1, -2), delta, out=out)


class Workspace:
    """Preallocated activations, deltas and dropout buffers for one batch size.

    Parameters
    ----------
    layout : Layout
    n_models : int
    n_samples : int
        Rows in the batch.
    dtype : dtype
    dropout : array-like of shape (n_hidden,) or (K, n_hidden)
        Drop rate of each hidden layer (0 for none), shared or per model (a
        stack's ``dropout`` as it is).
    buffers : bool, default=True
        Allocate the activations and deltas (the compiled step has its own and
        needs only the dropout masks).
    """

    def __init__(
        self,
        layout: Layout,
        n_models: int,
        n_samples: int,
        dtype: DTypeLike,
        dropout: Sequence[float] | Array = (),
        buffers: bool = True,
    ):
        units = layout.layer_units[1:]
        self.ones = np.ones((1, n_samples), dtype=dtype)
        shapes = [(n_models, n_samples, u) for u in units]
        # without buffers (the compiled step, another Array API namespace) the
        # lists hold the last batch's arrays, set by forward and backward
        self.outputs = [np.empty(shape, dtype=dtype) if buffers else None for shape in shapes]
        self.deltas = [np.empty(shape, dtype=dtype) if buffers else None for shape in shapes]
        n_hidden = len(units) - 1
        given = np.asarray(dropout, dtype=float)
        # (K, n_hidden): each model's drop rate per hidden layer
        rates = self.dropout = (np.broadcast_to(given, (n_models, n_hidden)) if given.size
                                else np.zeros((n_models, n_hidden)))
        # The dropout masks of every hidden layer live in one (K, 1 + n, hidden units)
        # array: row 0 flags, per model, the layers it does not drop (-1), rows 1..
        # hold the masks drawn by dropout.draw_masks (m / (1 - p) for inverted
        # dropout, m for weight scaling). masks[i] is hidden layer i's (K, n, units)
        # view (None when no model drops its units); dropped[i] is that layer's
        # masked output, the next layer's input.
        self.mask_matrix: Array | None = None
        self.masks: list[Array | None] = [None] * n_hidden
        if rates.any():
            hidden = units[:-1]
            self.mask_matrix = np.ones((n_models, 1 + n_samples, sum(hidden)), dtype=dtype)
            start = 0
            for i, u in enumerate(hidden):
                self.mask_matrix[:, 0, start:start + u] = np.where(
                    rates[:, i:i + 1] > 0, 0.0, -1.0)
                if rates[:, i].any():
                    self.masks[i] = self.mask_matrix[:, 1:, start:start + u]
                start += u
        self.dropped: list[Array | None] = [
            np.empty(m.shape, dtype=dtype) if m is not None and buffers else None
            for m in self.masks
        ]
        # dropout.draw_masks writes the host_masks; for another Array API
        # namespace the training loop moves them to the device into masks
        self.host_masks = self.masks


def forward(
    X: Inputs,
    coefs: Sequence[Array],
    intercepts: Sequence[Array],
    activation: str,
    out_activation: str,
    work: Workspace | None = None,
    masks: Sequence[Array | None] | None = None,
) -> Array:
    """The forward pass: ``A_{l+1} = f(A_l @ W_l + b_l)``, layer by layer.

    The one forward pass of the library: training (K stacked networks, into
    ``work``), prediction (in chunks) and Monte-Carlo dropout use it.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n, d), or ndarray (K, n, d)
        The input rows.
    coefs, intercepts : lists of ndarray
        Per-layer weights and biases: ``(K, in, out)`` and ``(K, 1, out)`` views
        of K networks, or one network's ``(in, out)`` and ``(out,)``.
    activation, out_activation : str
        Hidden and output activation names.
    work : Workspace, default=None
        Buffers for this batch size: every layer's output is kept there (for
        :func:`backward`) and ``work.masks`` are applied. None allocates.
    masks : list of ndarray or None, default=None
        Dropout masks of the hidden layers when ``work`` is None.

    Returns
    -------
    P : ndarray of shape (..., n, n_outputs)
        The network output.
    """
    hidden = ACTIVATIONS[activation].value
    output = OUTPUT_ACTIVATIONS[out_activation].value
    if work is not None:
        masks = work.masks
    last = len(coefs) - 1
    A = X
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        Z = _matmul(A, W, None if work is None else work.outputs[i])
        Z += b
        A = Z = (output if i == last else hidden)(Z)
        if work is not None:
            work.outputs[i] = Z
        if i < last and masks is not None and masks[i] is not None:
            A = Z * masks[i]
            if work is not None:
                work.dropped[i] = A
    return A


def backward(
    X: Inputs,
    Y: Array,
    coefs: Sequence[Array],
    activation: str,
    work: Workspace,
    grad_coefs: Sequence[Array],
    grad_intercepts: Sequence[Array],
    delta_weight: float | Array = 1.0,
    residual_ready: bool = False,
) -> None:
    """Backpropagate the canonical output delta ``p - y`` after :func:`forward`.

    Fills ``grad_coefs`` / ``grad_intercepts`` (views of the flat gradient
    buffer) with the sums over samples of the per-sample gradients, each
    weighted by ``delta_weight`` (for a weighted mean: ``w_i / sum(w)``).

    Parameters
    ----------
    X : ndarray or sparse matrix
        The batch given to :func:`forward`.
    Y : ndarray of shape (n, n_outputs) or (K, n, n_outputs)
        Targets of the batch (label indicators for classification).
    coefs : list of ndarray
        Per-layer weight views, as in :func:`forward`.
    activation : str
        Hidden activation name.
    work : Workspace
        Holds the forward pass's outputs; its deltas are overwritten.
    grad_coefs, grad_intercepts : lists of ndarray
        Output views ``(K, in, out)`` and ``(K, 1, out)``; for another Array
        API namespace the new arrays are put in the lists.
    delta_weight : float or ndarray of shape (K, n), default=1.0
        Per-model weight of each sample's gradient (0 leaves a sample out).
    residual_ready : bool, default=False
        ``work.deltas[-1]`` holds ``p - y`` already (computed for the loss).
    """
    derivative = ACTIVATIONS[activation].derivative
    delta = work.deltas[-1]
    if not residual_ready:
        delta = work.deltas[-1] = output_delta(Y, work.outputs[-1])
    delta *= delta_weight if np.ndim(delta_weight) == 0 else delta_weight[..., None]
    for i in range(len(coefs) - 1, -1, -1):
        layer_input = X if i == 0 else work.outputs[i - 1]  # X may be sparse
        if i > 0 and work.dropped[i - 1] is not None:
            layer_input = work.dropped[i - 1]
        grad_coefs[i] = _matmul_transposed(layer_input, delta, grad_coefs[i])
        grad_intercepts[i] = _sum_over_samples(delta, work.ones, grad_intercepts[i])
        if i > 0:
            delta = _matmul(delta, transpose(coefs[i]), work.deltas[i - 1])
            if work.masks[i - 1] is not None:
                delta *= work.masks[i - 1]
            delta = derivative(work.outputs[i - 1], delta)


def _sum_over_samples(delta: Array, ones: Array, out: Array | None) -> Array:
    """``sum_n delta`` keeping the axis, into ``out`` for numpy: there as a product
    with a row of ones, faster than a strided reduction over the samples (0.8 us
    instead of 2.5 on (1, 22, 30), 2.6 instead of 7.7 on (1, 200, 100))."""
    if type(delta) is np.ndarray:
        return np.matmul(ones, delta, out=out)
    return namespace(delta).sum(delta, axis=-2, keepdims=True)


def predict(
    X: Inputs,
    coefs: Sequence[Array],
    intercepts: Sequence[Array],
    architecture: Architecture,
    chunk_size: int | None = None,
) -> Array:
    """Output of trained networks, without dropout, in chunks of rows.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n, d)
    coefs, intercepts : lists of ndarray
        2-D weights ``(in, out)`` and 1-D biases of one network, or stacked
        ``(K, in, out)`` / ``(K, 1, out)`` for K networks, as trained.
    architecture : Architecture
        Activations and dropout (weight scaling changes the weights predicted
        with, :meth:`Architecture.prediction_weights`).
    chunk_size : int, default=None
        Rows per chunk; bounds the memory of the hidden activations. ``None``
        picks a size that keeps each chunk's widest layer near 2^18 values
        (2 MiB in float64), whatever the number of rows.

    Returns
    -------
    P : ndarray of shape (n, n_outputs) or (K, n, n_outputs)
    """
    coefs = architecture.prediction_weights(coefs)
    activations = (architecture.activation, architecture.out_activation)
    n = X.shape[0]
    if n <= 1024:  # one chunk: skip the sizing
        return forward(X, coefs, intercepts, *activations)
    widest = max(W.shape[-1] for W in coefs)
    n_models = coefs[0].shape[0] if coefs[0].ndim == 3 else 1
    if chunk_size is None:
        # ~2048 rows of a 100-unit layer: the activations stay near the L2 cache
        chunk_size = max(1024, (1 << 18) // (widest * n_models))
    if n <= chunk_size:
        return forward(X, coefs, intercepts, *activations)
    if not is_numpy(coefs[0]):
        parts = [forward(X[start:start + chunk_size, ...], coefs, intercepts, *activations)
                 for start in range(0, n, chunk_size)]
        return namespace(coefs[0]).concat(parts, axis=-2)
    # numpy: the chunks go into one preallocated result; concatenating them holds
    # the output twice (76 MiB instead of 38 for 10M float32 rows, test_reliability)
    lead = coefs[0].shape[:-2]
    result = np.empty(lead + (n, coefs[-1].shape[-1]), dtype=coefs[-1].dtype)
    for start in range(0, n, chunk_size):
        stop = min(start + chunk_size, n)
        result[..., start:stop, :] = forward(X[start:stop], coefs, intercepts, *activations)
    return result
