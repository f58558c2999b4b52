"""Parameter layout, forward pass and backpropagation of K stacked networks.

All the parameters of K networks of the same shape live in one flat buffer of
shape ``(K, P)``: first every layer's weights (row-major), then every layer's
biases, the order of scikit-learn's ``_pack``. :class:`Layout` hands out views
of that buffer per layer, ``(K, fan_in, fan_out)`` and ``(K, 1, fan_out)``,
so the optimizer updates one array, the penalty touches one slice
(``buffer[:, :n_weights]``), and L-BFGS sees one vector (K = 1).

The forward pass (lecture: ``n_3 = sigma(x_1 w_13 + x_2 w_23 + b_3)``, layer
by layer) is ``A_{l+1} = f(A_l @ W_l + b_l)`` with ``np.matmul`` over the
leading model axis; the input ``X`` is shared by all models, ``(n, d)``, or
per model, ``(K, n, d)``, and may be a scipy sparse matrix. Backpropagation
applies the chain rule of the lecture's slide backwards:
``delta_L = (p - y) * s`` (``s`` the sample weights), ``dW_l = A_l^T delta_l``,
``db_l = sum_n delta_l``, ``delta_{l-1} = (delta_l W_l^T) * f'(Z_{l-1})``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

import numpy as np
import scipy.sparse as sp
from numpy.typing import DTypeLike, NDArray

from .activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from .losses import output_delta

Array = NDArray[np.floating]
#: A batch of input rows: a dense array or a scipy sparse matrix.
Inputs = NDArray[np.floating] | sp.spmatrix | sp.sparray


class Layout:
    """Where each layer's weights and biases sit in the flat parameter buffer.

    Parameters
    ----------
    layer_units : sequence of int
        Units per layer, input and output included.
    """

    def __init__(self, layer_units: Sequence[int]):
        self.layer_units = tuple(int(u) for u in layer_units)
        self.coef_shapes = list(pairwise(self.layer_units))
        sizes = [a * b for a, b in self.coef_shapes]
        self.coef_starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp)
        self.n_weights = int(self.coef_starts[-1])
        bias_sizes = list(self.layer_units[1:])
        self.intercept_starts = self.n_weights + np.concatenate(
            [[0], np.cumsum(bias_sizes)]
        ).astype(np.intp)
        self.n_params = int(self.intercept_starts[-1])

    @property
    def n_layers(self) -> int:
        """Number of weight layers (``n_layers_ - 1`` in scikit-learn's terms)."""
        return len(self.coef_shapes)

    def empty(self, n_models: int, dtype: DTypeLike) -> Array:
        """A new, uninitialized ``(K, P)`` buffer."""
        return np.empty((n_models, self.n_params), dtype=dtype)

    def coefs(self, buffer: Array) -> list[Array]:
        """Views ``(K, fan_in, fan_out)`` of each layer's weights."""
        lead = buffer.shape[:-1]
        return [
            buffer[..., self.coef_starts[i] : self.coef_starts[i + 1]].reshape(
                lead + shape
            )
            for i, shape in enumerate(self.coef_shapes)
        ]

    def intercepts(self, buffer: Array) -> list[Array]:
        """Views ``(K, 1, fan_out)`` of each layer's biases."""
        lead = buffer.shape[:-1]
        return [
            buffer[..., self.intercept_starts[i] : self.intercept_starts[i + 1]].reshape(
                lead + (1, units)
            )
            for i, units in enumerate(self.layer_units[1:])
        ]

    def weights(self, buffer: Array) -> Array:
        """The weight block ``(K, n_weights)``: what penalties act on."""
        return buffer[..., : self.n_weights]

    def pack(
        self, coefs: Sequence[Array], intercepts: Sequence[Array], out: Array
    ) -> Array:
        """Copy per-layer arrays (``(in, out)`` or ``(K, in, out)``) into ``out``."""
        for view, W in zip(self.coefs(out), coefs):
            view[...] = W
        for view, b in zip(self.intercepts(out), intercepts):
            view[...] = np.asarray(b).reshape(view.shape[:-2] + (1, -1))
        return out

    def unpack(self, row: Array) -> tuple[list[Array], list[Array]]:
        """Copies of one model's ``coefs_`` (2-D) and ``intercepts_`` (1-D)."""
        row = row.reshape(1, -1)
        coefs = [W[0].copy() for W in self.coefs(row)]
        intercepts = [b[0, 0].copy() for b in self.intercepts(row)]
        return coefs, intercepts

    def layer_sq_norms(self, weight_block: Array) -> Array:
        """Squared Frobenius norm of each layer's block, ``(K, n_layers)``."""
        return np.add.reduceat(weight_block * weight_block, self.coef_starts[:-1], axis=-1)


def _matmul(A: Inputs, W: Array, out: Array) -> Array:
    """``A @ W`` into ``out``; ``A`` may be a scipy sparse ``(n, d)`` matrix."""
    if sp.issparse(A):
        for k in range(W.shape[0]):
            out[k] = A @ W[k]
        return out
    return np.matmul(A, W, out=out)


def _matmul_transposed(A: Inputs, delta: Array, out: Array) -> Array:
    """``A^T @ delta`` into ``out`` (a weight gradient); ``A`` may be sparse."""
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
    dropout : sequence of float
        Drop rate of each hidden layer (0 for none).
    """

    def __init__(
        self,
        layout: Layout,
        n_models: int,
        n_samples: int,
        dtype: DTypeLike,
        dropout: Sequence[float] = (),
    ):
        units = layout.layer_units[1:]
        self.ones = np.ones((1, n_samples), dtype=dtype)
        self.outputs = [np.empty((n_models, n_samples, u), dtype=dtype) for u in units]
        self.deltas = [np.empty((n_models, n_samples, u), dtype=dtype) for u in units]
        rates = list(dropout) + [0.0] * (len(units) - 1 - len(dropout))
        self.dropout = rates[: len(units) - 1]
        # masks[i] holds mask / (1 - p) for hidden layer i, inputs[i + 1] the
        # dropped-out output fed to the next layer.
        self.masks: list[Array | None] = [
            np.empty((n_models, n_samples, u), dtype=dtype) if p > 0 else None
            for u, p in zip(units[:-1], self.dropout)
        ]
        self.dropped: list[Array | None] = [
            np.empty_like(m) if m is not None else None for m in self.masks
        ]


def forward(
    X: Inputs,
    coefs: Sequence[Array],
    intercepts: Sequence[Array],
    activation: str,
    out_activation: str,
    work: Workspace,
) -> Array:
    """Forward pass of K networks, keeping every layer's output in ``work``.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n, d), or ndarray (K, n, d)
        The batch.
    coefs, intercepts : lists of ndarray
        Per-layer views ``(K, in, out)`` and ``(K, 1, out)``.
    activation, out_activation : str
        Hidden and output activation names.
    work : Workspace
        Buffers for this batch size; ``work.masks`` must be filled by the
        caller for layers with dropout (``mask / (1 - p)``, inverted dropout).

    Returns
    -------
    P : ndarray of shape (K, n, n_outputs)
        The network output (``work.outputs[-1]``).
    """
    hidden = ACTIVATIONS[activation].value
    last = len(coefs) - 1
    A = X
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        # only the input can be sparse
        Z = _matmul(A, W, work.outputs[i]) if i == 0 else np.matmul(A, W, out=work.outputs[i])
        Z += b
        if i == last:
            OUTPUT_ACTIVATIONS[out_activation].value(Z)
        else:
            hidden(Z)
        A = Z
        if i < last and work.masks[i] is not None:
            A = np.multiply(Z, work.masks[i], out=work.dropped[i])
    return work.outputs[-1]


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
        Output views ``(K, in, out)`` and ``(K, 1, out)``.
    delta_weight : float or ndarray of shape (K, n), default=1.0
        Per-model weight of each sample's gradient (0 leaves a sample out).
    residual_ready : bool, default=False
        ``work.deltas[-1]`` holds ``p - y`` already (computed for the loss).
    """
    derivative = ACTIVATIONS[activation].derivative
    last = len(coefs) - 1
    delta = work.deltas[last]
    if not residual_ready:
        output_delta(Y, work.outputs[last], out=delta)
    delta *= delta_weight if np.ndim(delta_weight) == 0 else delta_weight[..., None]
    for i in range(last, -1, -1):
        delta = work.deltas[i]
        if i == 0:
            _matmul_transposed(X, delta, grad_coefs[0])  # X may be sparse
        else:
            dropped = work.dropped[i - 1]
            layer_input = work.outputs[i - 1] if dropped is None else dropped
            np.matmul(layer_input.swapaxes(-1, -2), delta, out=grad_coefs[i])
        # Sum over samples as a product with a row of ones: far faster than a
        # strided reduction over the samples axis.
        np.matmul(work.ones, delta, out=grad_intercepts[i])
        if i > 0:
            prev = np.matmul(delta, coefs[i].swapaxes(-1, -2), out=work.deltas[i - 1])
            if work.masks[i - 1] is not None:
                prev *= work.masks[i - 1]
            derivative(work.outputs[i - 1], prev)


def predict(
    X: Inputs,
    coefs: Sequence[Array],
    intercepts: Sequence[Array],
    activation: str,
    out_activation: str,
    chunk_size: int | None = None,
) -> Array:
    """Output of trained networks, without dropout, in chunks of rows.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n, d)
    coefs, intercepts : lists of ndarray
        2-D weights ``(in, out)`` and 1-D biases of one network, or stacked
        ``(K, in, out)`` / ``(K, 1, out)`` for K networks.
    activation, out_activation : str
    chunk_size : int, default=None
        Rows per chunk; bounds the memory of the hidden activations. ``None``
        picks a size that keeps each chunk's widest layer near 2^18 values
        (2 MiB in float64), whatever the number of rows.

    Returns
    -------
    P : ndarray of shape (n, n_outputs) or (K, n, n_outputs)
    """
    hidden = ACTIVATIONS[activation].value
    output = OUTPUT_ACTIVATIONS[out_activation].value
    n = X.shape[0]
    if n <= 1024:  # one chunk: skip the sizing
        return _predict_chunk(X, coefs, intercepts, hidden, output)
    widest = max(W.shape[-1] for W in coefs)
    n_models = coefs[0].shape[0] if coefs[0].ndim == 3 else 1
    if chunk_size is None:
        # ~2048 rows of a 100-unit layer: the activations stay near the L2 cache
        chunk_size = max(1024, (1 << 18) // (widest * n_models))
    if n <= chunk_size:
        return _predict_chunk(X, coefs, intercepts, hidden, output)
    lead = coefs[0].shape[:-2]
    result = np.empty(lead + (n, coefs[-1].shape[-1]), dtype=coefs[-1].dtype)
    for start in range(0, n, chunk_size):
        stop = min(start + chunk_size, n)
        result[..., start:stop, :] = _predict_chunk(
            X[start:stop], coefs, intercepts, hidden, output
        )
    return result


def _predict_chunk(X: Inputs, coefs: Sequence[Array], intercepts: Sequence[Array],
                   hidden: Callable[[Array], Array], output: Callable[[Array], Array]
                   ) -> Array:
    last = len(coefs) - 1
    A = X
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        if W.ndim == 3 and sp.issparse(A):
            A = np.stack([A @ Wk for Wk in W])
        else:
            A = A @ W
        A += b
        (output if i == last else hidden)(A)
    return A
