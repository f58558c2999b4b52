"""The numba kernels of the compiled batch step (see :mod:`.` for the design).

Each function works on one model's arrays; :func:`batch_step` loops over the
models of a stack. The loops are written so that LLVM vectorizes them: one
loop per activation (no branch inside), IEEE arithmetic (``error_model="numpy"``),
products through BLAS (``np.dot``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import formulas as f
from ..jit import jit
from ..rules import (
    ADAM,
    BINARY_LOG_LOSS,
    IDENTITY,
    LEAKY_RELU,
    LOGISTIC,
    LOGISTIC_SATURATION,
    OUT_EXP,
    OUT_LOGISTIC,
    OUT_SOFTMAX,
    POISSON,
    RELU,
    SQUARED_ERROR,
    TANH,
    TANH_SATURATION,
)
from ..settings import Geometry
from ..types import Array
from .penalty import _proximal_group, _proximal_l1, _sum_of_products

#: See :mod:`..jit`: numba compiles this file anew when any compiled source changes.
CACHE_KEY = "f4a963a9338b8588"

_jit = jit  # (the name the kernels' modules use)


def _inlined(function: Callable) -> Callable:
    """:func:`..jit.jit`, inlined into its callers by numba: a function that takes
    the grouped arguments (tuples, :class:`..settings.Geometry`, records) and is
    called every step. Measured on a (1, 1) network: 1.71 us a step called,
    1.48 us inlined (1.53 us before the grouping)."""
    return jit(function, inline="always")


@_jit
def _bias_activate(Z: Array, b: Array, code: int, slope: float) -> None:
    """``Z <- f(Z + b)`` in place for a hidden layer (the formulas of
    :mod:`..formulas`); one loop per activation, so that each vectorizes."""
    n, u = Z.shape
    if code == RELU:
        for i in range(n):
            for j in range(u):
                Z[i, j] = f.relu(Z[i, j] + b[j])
    elif code == LEAKY_RELU:
        for i in range(n):
            for j in range(u):
                Z[i, j] = f.leaky_relu(Z[i, j] + b[j], slope)
    elif code == TANH:
        for i in range(n):
            for j in range(u):
                Z[i, j] = f.tanh(Z[i, j] + b[j])
    elif code == LOGISTIC:
        for i in range(n):
            for j in range(u):
                Z[i, j] = f.logistic(Z[i, j] + b[j])
    else:
        for i in range(n):
            for j in range(u):
                Z[i, j] += b[j]


@_jit
def _output(Z: Array, code: int) -> None:
    """Output activation in place: identity, logistic, softmax (rows) or exp."""
    n, o = Z.shape
    for i in range(n):
        if code == OUT_SOFTMAX:
            top = Z[i, 0]
            for j in range(1, o):
                top = max(top, Z[i, j])
            total = 0.0
            for j in range(o):
                Z[i, j] = np.exp(Z[i, j] - top)
                total += Z[i, j]
            for j in range(o):
                Z[i, j] /= total
        elif code == OUT_LOGISTIC:
            for j in range(o):
                Z[i, j] = f.logistic(Z[i, j])
        elif code == OUT_EXP:
            for j in range(o):
                Z[i, j] = f.exp(Z[i, j])


@_jit
def _loss_and_delta(P: Array, Y: Array, fractions: Array, code: int, eps: float,
                    D: Array) -> float:
    """Weighted mean loss of one model; ``D = (p - y) * w_i / sum(w)``."""
    n, o = P.shape
    loss = 0.0
    for i in range(n):
        per_sample = 0.0
        for j in range(o):
            p, y = P[i, j], Y[i, j]
            if code == SQUARED_ERROR:
                per_sample += f.half_squared_error(p, y)
            elif code == POISSON:
                per_sample += f.poisson_deviance(p, y)
            elif code == BINARY_LOG_LOSS:
                per_sample += f.binary_cross_entropy(p, y, eps)
            else:
                per_sample += f.cross_entropy(p, y, eps)
            D[i, j] = f.output_delta(p, y) * fractions[i]
        loss += per_sample * fractions[i]
    return loss


@_jit
def _derivative(A: Array, D: Array, code: int, slope: float) -> None:
    """``D <- D f'(z)`` written with the layer's output ``A = f(z)``."""
    n, u = A.shape
    if code == RELU:
        for i in range(n):
            for j in range(u):
                D[i, j] = f.relu_backprop(A[i, j], D[i, j])
    elif code == LEAKY_RELU:
        for i in range(n):
            for j in range(u):
                D[i, j] = f.leaky_relu_backprop(A[i, j], D[i, j], slope)
    elif code == TANH:
        for i in range(n):
            for j in range(u):
                D[i, j] = f.tanh_backprop(A[i, j], D[i, j])
    elif code == LOGISTIC:
        for i in range(n):
            for j in range(u):
                D[i, j] = f.logistic_backprop(A[i, j], D[i, j])


@_jit
def _saturation(A: Array, code: int) -> float:
    """Dead (ReLU) or saturated (logistic, tanh) share of a layer's units."""
    n, u = A.shape
    if code == RELU:
        dead = 0
        for j in range(u):
            alive = False
            for i in range(n):
                if A[i, j] > 0:
                    alive = True
                    break
            dead += 0 if alive else 1
        return dead / u
    if code != LOGISTIC and code != TANH:
        return 0.0
    flagged = 0
    for i in range(n):
        for j in range(u):
            if (f.logistic_saturated(A[i, j], LOGISTIC_SATURATION) if code == LOGISTIC
                    else f.tanh_saturated(A[i, j], TANH_SATURATION)):
                flagged += 1
    return flagged / (n * u)


@_inlined
def _forward(x: Array, params: Array, net: Geometry, blocks: tuple, masks: Array,
             slope: float) -> None:
    """One model's forward pass into the activations ``blocks[0]`` (and the
    dropped-out copies ``blocks[1]`` of the masked layers)."""
    acts, dropped = blocks[0], blocks[1]
    n = x.shape[0]
    units, w_off, b_off = net.units, net.weight_starts, net.bias_starts
    n_layers = units.shape[0] - 1
    start = 0
    inp = x
    for layer in range(n_layers):
        fan_in, fan_out = units[layer], units[layer + 1]
        W = params[w_off[layer]:w_off[layer + 1]].reshape(fan_in, fan_out)
        b = params[b_off[layer]:b_off[layer + 1]]
        Z = acts[start * n:(start + fan_out) * n].reshape(n, fan_out)
        np.dot(inp, W, Z)
        if layer == n_layers - 1:
            _bias_activate(Z, b, IDENTITY, slope)
            _output(Z, net.output)
        else:
            _bias_activate(Z, b, net.hidden, slope)
            inp = Z
            if masks.shape[1] > 0 and masks[0, start] > -1.0:  # this layer drops units
                M = masks[1:, start:start + fan_out]
                Dz = dropped[start * n:(start + fan_out) * n].reshape(n, fan_out)
                for i in range(n):
                    for j in range(fan_out):
                        Dz[i, j] = Z[i, j] * M[i, j]
                inp = Dz
        start += fan_out


@_inlined
def _layer_gradient(x: Array, grad: Array, net: Geometry, blocks: tuple, masks: Array,
                    layer: int, D: Array) -> float:
    """The weight and bias gradient of ``layer`` from its delta ``D``; returns
    the weight gradient's norm."""
    acts, dropped = blocks[0], blocks[1]
    n, units, starts = x.shape[0], net.units, net.unit_starts
    w_off, b_off = net.weight_starts, net.bias_starts
    fan_in, fan_out = units[layer], units[layer + 1]
    G = grad[w_off[layer]:w_off[layer + 1]].reshape(fan_in, fan_out)
    if layer == 0:
        np.dot(x.T, D, G)
    else:
        s = starts[layer - 1]
        source = dropped if masks.shape[1] > 0 and masks[0, s] > -1.0 else acts
        np.dot(source[s * n:starts[layer] * n].reshape(n, fan_in).T, D, G)
    gb = grad[b_off[layer]:b_off[layer + 1]]
    for j in range(fan_out):
        gb[j] = 0.0
    for i in range(n):
        for j in range(fan_out):
            gb[j] += D[i, j]
    block = grad[w_off[layer]:w_off[layer + 1]]
    return np.sqrt(_sum_of_products(block, block))


@_inlined
def _backward(x: Array, params: Array, grad: Array, net: Geometry, blocks: tuple,
              masks: Array, slope: float, norms: Array) -> None:
    """Backpropagate the output delta (in the deltas ``blocks[2]``' last block)
    into ``grad``; the weight gradients' norms into ``norms``."""
    acts, deltas = blocks[0], blocks[2]
    n, units, starts = x.shape[0], net.units, net.unit_starts
    for layer in range(units.shape[0] - 2, -1, -1):
        fan_in, fan_out = units[layer], units[layer + 1]
        D = deltas[starts[layer] * n:starts[layer + 1] * n].reshape(n, fan_out)
        norms[layer] = _layer_gradient(x, grad, net, blocks, masks, layer, D)
        if layer > 0:
            s = starts[layer - 1]
            w_off = net.weight_starts
            W = params[w_off[layer]:w_off[layer + 1]].reshape(fan_in, fan_out)
            prev = deltas[s * n:starts[layer] * n].reshape(n, fan_in)
            np.dot(D, W.T, prev)
            if masks.shape[1] > 0 and masks[0, s] > -1.0:
                M = masks[1:, s:s + fan_in]
                for i in range(n):
                    for j in range(fan_in):
                        prev[i, j] *= M[i, j]
            _derivative(acts[s * n:starts[layer] * n].reshape(n, fan_in), prev, net.hidden,
                        slope)


@_inlined
def _update(params: Array, grad: Array, state1: Array, state2: Array, n_weights: int,
            first: tuple, c: np.void, kind: int) -> float:
    """Penalty gradient, optimizer step and proximal L1 and group steps of one
    model (``c`` its :func:`..settings.step_constants` record, ``first`` the
    first layer's ``(n_features, units)``).

    One pass for the L2 gradient and the optimizer step over all parameters,
    one for the proximal L1 step on the weights, one for the group step on
    the first layer (each vectorizes). With a group share the L2 term leaves
    out the first layer (its weights start the row). Returns the penalty's
    value: the L2 part at the parameters before the step plus the L1 and group
    parts after the smooth step and before the proximal ones (the order of
    the reference loop).
    """
    l2, l1, group, rate = c.l2, c.l1, c.group, c.rate
    n_first = first[0] * first[1]
    l2_start = n_first if group != 0 else 0  # where the L2 term starts
    penalty = 0.0
    if l2 != 0:
        weights = params[l2_start:n_weights]
        penalty = 0.5 * l2 * _sum_of_products(weights, weights)
    if kind == ADAM:
        beta_1, beta_2, epsilon = c.beta_1, c.beta_2, c.epsilon
        one_minus_beta_1, one_minus_beta_2 = c.one_minus_beta_1, c.one_minus_beta_2
        for p in range(params.shape[0]):
            # the L2 gradient on the weights (l2 w), none on the biases
            g = grad[p] + (l2 * params[p] if l2_start <= p < n_weights else 0.0)
            m = f.adam_first_moment(state1[p], g, beta_1, one_minus_beta_1)
            v = f.adam_second_moment(state2[p], g, beta_2, one_minus_beta_2)
            state1[p], state2[p] = m, v
            params[p] += f.adam_step(m, v, rate, epsilon)
    else:
        momentum, nesterov = c.momentum, c.nesterov > 0
        for p in range(params.shape[0]):
            step_g = rate * (grad[p] + (l2 * params[p] if l2_start <= p < n_weights
                                        else 0.0))
            velocity = f.sgd_velocity(state1[p], step_g, momentum)
            state1[p] = velocity
            if nesterov:
                params[p] = f.nesterov_position(params[p], velocity, step_g, momentum)
            else:
                params[p] += velocity
    if l1 != 0:
        penalty += l1 * _proximal_l1(params[:n_weights], state2, rate, l1, c.epsilon,
                                     kind == ADAM)
    if group != 0:
        penalty += group * _proximal_group(params[:n_first], first[1], state2, rate, group,
                                           c.epsilon, kind == ADAM)
    return penalty


@_jit
def _model_step(rows: tuple, masks: Array, model: tuple, net: Geometry, c: np.void,
                work: Array, out: Array, record_saturation: bool) -> float:
    """One step of one model on one batch ``rows = (x, y, fractions)``, ``model
    = (params, state1, state2)`` its rows; returns its loss (data and penalty)
    and writes its gradient norms and, if asked, saturation into ``out``."""
    x, y, fractions = rows
    theta, state1, state2 = model
    units, a_off = net.units, net.unit_starts
    n_layers, n = units.shape[0] - 1, x.shape[0]
    size = n * a_off[n_layers]
    blocks = (work[:size], work[size:2 * size], work[2 * size:3 * size])
    grad = work[3 * size:3 * size + theta.shape[0]]
    _forward(x, theta, net, blocks, masks, c.slope)
    start = a_off[n_layers - 1]
    P = blocks[0][start * n:size].reshape(n, units[n_layers])
    D = blocks[2][start * n:size].reshape(n, units[n_layers])
    data_loss = _loss_and_delta(P, y, fractions, net.loss, c.clip, D)
    _backward(x, theta, grad, net, blocks, masks, c.slope, out[:n_layers])
    if record_saturation:
        for layer in range(n_layers - 1):
            s, u = a_off[layer], units[layer + 1]
            out[n_layers + layer] = _saturation(
                blocks[0][s * n:(s + u) * n].reshape(n, u), net.hidden)
    return data_loss + _update(theta, grad, state1, state2, net.weight_starts[n_layers],
                               (units[0], units[1]), c, net.optimizer)


@_inlined
def row_of(array: Array, k: int) -> Array:
    """Model k's row of an array with one row per model, or its one shared row."""
    return array[k if array.shape[0] > 1 else 0]


@_inlined
def model_rows(batch: tuple, k: int) -> tuple:
    """Model k's ``(X, Y, fractions)`` of a batch (:func:`row_of` each)."""
    X, Y, fractions = batch
    return row_of(X, k), row_of(Y, k), row_of(fractions, k)


@_jit
def batch_step(batch: tuple, masks: Array, model: tuple, geometry: tuple, constants: Array,
               work: Array, out: Array, record_saturation: bool) -> None:
    """One mini-batch step of K models, in place.

    ``batch = (X, Y, fractions)`` (``fractions`` ``w_i / sum(w)``) have 1
    (shared) or K rows on their first axis; ``masks`` is ``(K, 1 + n, hidden
    units)``, its first row -1 over the layers without dropout (``(1, 1, 0)``
    without dropout); ``model = (params, state1, state2)``, each ``(K, P)``
    (Adam's m and v, or SGD's velocity twice); ``geometry`` the fields of the
    network's :class:`..settings.Geometry` as a plain tuple (numba dispatches on
    a named tuple 0.8 us slower a call, measured), ``constants`` each model's
    :func:`..settings.step_constants` record; ``work`` the scratch memory.
    Writes each model's loss (data and penalty), data-gradient norms per layer
    and, if asked, saturation per hidden layer into the rows of ``out``.
    """
    params, state1, state2 = model
    net = Geometry(*geometry)
    for k in range(params.shape[0]):
        out[k, 0] = _model_step(model_rows(batch, k), row_of(masks, k),
                                (params[k], state1[k], state2[k]), net, constants[k], work,
                                out[k, 1:], record_saturation)
