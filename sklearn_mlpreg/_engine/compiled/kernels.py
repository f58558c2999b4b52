"""The numba kernels of the compiled batch step (see :mod:`.` for the design).

Each function works on one model's arrays; :func:`batch_step` loops over the
models of a stack. The loops are written so that LLVM vectorizes them: one
loop per activation (no branch inside), IEEE arithmetic (``error_model="numpy"``),
products through BLAS (``np.dot``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from ..types import Array

Ints = NDArray[np.int64]

try:  # numba is a dependency, but the engine works without it
    from numba import njit
except ImportError:  # pragma: no cover - exercised where numba is missing
    njit = None

HIDDEN_CODES = {"identity": 0, "logistic": 1, "tanh": 2, "relu": 3, "leaky_relu": 4}
OUTPUT_CODES = {"identity": 0, "logistic": 1, "softmax": 2, "exp": 3}
LOSS_CODES = {"squared_error": 0, "poisson": 1, "binary_log_loss": 2, "log_loss": 3}
ADAM, SGD_MOMENTUM = 0, 1  # optimizer kinds


def _jit(function: Callable, **options: object) -> Callable:
    """``numba.njit`` with the library's settings (or the plain function): IEEE
    arithmetic (a division by zero gives inf, as in numpy), no bounds checks."""
    if njit is None:  # pragma: no cover
        return function
    return njit(cache=True, nogil=True, boundscheck=False, error_model="numpy",
                **options)(function)


def _sum_of_products(a: Array, b: Array) -> float:
    """``sum(a * b)``, vectorized: the order of the additions is free."""
    total = 0.0
    for i in range(a.shape[0]):
        total += a[i] * b[i]
    return total


_sum_of_products = _jit(_sum_of_products, fastmath={"reassoc"})

@_jit
def _bias_activate(Z: Array, b: Array, code: int, slope: float) -> None:
    """``Z <- f(Z + b)`` in place for a hidden layer (see :mod:`.activations`);
    one loop per activation, so that each vectorizes."""
    n, u = Z.shape
    if code == 3:  # relu; NaN stays NaN, as with np.maximum
        for i in range(n):
            for j in range(u):
                z = Z[i, j] + b[j]
                Z[i, j] = 0.0 if z <= 0.0 else z
    elif code == 4:  # leaky relu
        for i in range(n):
            for j in range(u):
                z = Z[i, j] + b[j]
                Z[i, j] = z * (1.0 if z > 0 else slope)
    elif code == 2:
        for i in range(n):
            for j in range(u):
                Z[i, j] = np.tanh(Z[i, j] + b[j])
    elif code == 1:
        for i in range(n):
            for j in range(u):
                Z[i, j] = _expit(Z[i, j] + b[j])
    else:
        for i in range(n):
            for j in range(u):
                Z[i, j] += b[j]


@_jit
def _expit(z: float) -> float:
    """``1 / (1 + exp(-z))`` without overflow."""
    return 1.0 / (1.0 + np.exp(-z)) if z >= 0 else np.exp(z) / (1.0 + np.exp(z))


@_jit
def _output(Z: Array, code: int) -> None:
    """Output activation in place: identity, logistic, softmax (rows) or exp."""
    n, o = Z.shape
    for i in range(n):
        if code == 2:
            top = Z[i, 0]
            for j in range(1, o):
                top = max(top, Z[i, j])
            total = 0.0
            for j in range(o):
                Z[i, j] = np.exp(Z[i, j] - top)
                total += Z[i, j]
            for j in range(o):
                Z[i, j] /= total
        elif code == 1:
            for j in range(o):
                Z[i, j] = _expit(Z[i, j])
        elif code == 3:
            for j in range(o):
                Z[i, j] = np.exp(Z[i, j])


@_jit
def _xlogy(x: float, y: float) -> float:
    return 0.0 if x == 0 else x * np.log(y)


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
            if code == 0:
                per_sample += 0.5 * (p - y) * (p - y)
            elif code == 1:
                per_sample += _xlogy(y, y / p) - y + p
            else:
                q = min(max(p, eps), 1 - eps)
                per_sample -= _xlogy(y, q) + (_xlogy(1 - y, 1 - q) if code == 2 else 0.0)
            D[i, j] = (p - y) * fractions[i]
        loss += per_sample * fractions[i]
    return loss


@_jit
def _derivative(A: Array, D: Array, code: int, slope: float) -> None:
    """``D *= f'(z)`` written with the layer's output ``A = f(z)``."""
    n, u = A.shape
    if code == 3:
        for i in range(n):
            for j in range(u):
                D[i, j] *= 1.0 if A[i, j] > 0 else 0.0
    elif code == 4:
        for i in range(n):
            for j in range(u):
                D[i, j] *= 1.0 if A[i, j] > 0 else slope
    elif code == 2:
        for i in range(n):
            for j in range(u):
                D[i, j] *= 1 - A[i, j] * A[i, j]
    elif code == 1:
        for i in range(n):
            for j in range(u):
                D[i, j] *= A[i, j] * (1 - A[i, j])


@_jit
def _saturation(A: Array, code: int) -> float:
    """Dead (ReLU) or saturated (logistic, tanh) share of a layer's units."""
    n, u = A.shape
    if code == 3:
        dead = 0
        for j in range(u):
            alive = False
            for i in range(n):
                if A[i, j] > 0:
                    alive = True
                    break
            dead += 0 if alive else 1
        return dead / u
    if code != 1 and code != 2:
        return 0.0
    flagged = 0
    for i in range(n):
        for j in range(u):
            a = A[i, j]
            if (a * (1 - a) < 0.0125) if code == 1 else (1 - a * a < 0.05):
                flagged += 1
    return flagged / (n * u)


@_jit
def _forward(x: Array, params: Array, units: Ints, w_off: Ints, b_off: Ints, acts: Array,
             dropped: Array, masks: Array, codes: Ints, slope: float) -> None:
    """One model's forward pass into ``acts`` (and ``dropped`` for masked layers)."""
    n = x.shape[0]
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
            _bias_activate(Z, b, 0, slope)
            _output(Z, codes[1])
        else:
            _bias_activate(Z, b, codes[0], slope)
            inp = Z
            if masks.shape[1] > 0 and masks[0, start] > -1.0:  # this layer drops units
                M = masks[1:, start:start + fan_out]
                Dz = dropped[start * n:(start + fan_out) * n].reshape(n, fan_out)
                for i in range(n):
                    for j in range(fan_out):
                        Dz[i, j] = Z[i, j] * M[i, j]
                inp = Dz
        start += fan_out


@_jit
def _backward(x: Array, params: Array, grad: Array, units: Ints, w_off: Ints, b_off: Ints,
              a_off: Ints, acts: Array, dropped: Array, masks: Array, deltas: Array,
              codes: Ints, slope: float, norms: Array) -> None:
    """Backpropagate the output delta (in ``deltas``' last block) into ``grad``."""
    n = x.shape[0]
    n_layers = units.shape[0] - 1
    starts = a_off  # where each layer's block starts in acts / deltas, in units
    for layer in range(n_layers - 1, -1, -1):
        fan_in, fan_out = units[layer], units[layer + 1]
        D = deltas[starts[layer] * n:starts[layer + 1] * n].reshape(n, fan_out)
        G = grad[w_off[layer]:w_off[layer + 1]].reshape(fan_in, fan_out)
        if layer == 0:
            np.dot(x.T, D, G)
        else:
            s = starts[layer - 1]
            masked = masks.shape[1] > 0 and masks[0, s] > -1.0
            source = dropped if masked else acts
            np.dot(source[s * n:starts[layer] * n].reshape(n, fan_in).T, D, G)
        block = grad[w_off[layer]:w_off[layer + 1]]
        norms[layer] = np.sqrt(_sum_of_products(block, block))
        gb = grad[b_off[layer]:b_off[layer + 1]]
        for j in range(fan_out):
            gb[j] = 0.0
        for i in range(n):
            for j in range(fan_out):
                gb[j] += D[i, j]
        if layer > 0:
            s = starts[layer - 1]
            W = params[w_off[layer]:w_off[layer + 1]].reshape(fan_in, fan_out)
            prev = deltas[s * n:starts[layer] * n].reshape(n, fan_in)
            np.dot(D, W.T, prev)
            if masks.shape[1] > 0 and masks[0, s] > -1.0:
                M = masks[1:, s:s + fan_in]
                for i in range(n):
                    for j in range(fan_in):
                        prev[i, j] *= M[i, j]
            _derivative(acts[s * n:starts[layer] * n].reshape(n, fan_in), prev, codes[0],
                        slope)


@_jit
def _update(params: Array, grad: Array, state1: Array, state2: Array, n_weights: int,
            l2: float, l1: float, rate: float, kind: int, hyper: Array) -> float:
    """Penalty gradient, optimizer step and proximal L1 step of one model.

    One pass for the L2 gradient and the optimizer step over all parameters,
    one for the proximal L1 step on the weights (each vectorizes). Returns the
    penalty's value: the L2
    part at the parameters before the step plus the L1 part after the smooth
    step and before the proximal one (the order of the reference loop).
    """
    penalty = 0.0
    if l2 != 0:
        weights = params[:n_weights]
        penalty = 0.5 * l2 * _sum_of_products(weights, weights)
    if kind == ADAM:
        beta_1, beta_2, epsilon = hyper[0], hyper[1], hyper[2]
        one_minus_beta_1, one_minus_beta_2 = hyper[5], hyper[6]
        for p in range(params.shape[0]):
            # the L2 gradient on the weights (l2 w), none on the biases
            g = grad[p] + (l2 * params[p] if p < n_weights else 0.0)
            m = state1[p] * beta_1 + g * one_minus_beta_1
            v = state2[p] * beta_2 + (g * g) * one_minus_beta_2
            state1[p], state2[p] = m, v
            params[p] += (m / (np.sqrt(v) + epsilon)) * -rate
    else:
        momentum = hyper[3]
        for p in range(params.shape[0]):
            step_g = rate * (grad[p] + (l2 * params[p] if p < n_weights else 0.0))
            velocity = state1[p] * momentum - step_g
            state1[p] = velocity
            if hyper[4] > 0:  # Nesterov's momentum
                params[p] = (params[p] + momentum * velocity) - step_g
            else:
                params[p] += velocity
    if l1 != 0:
        l1_norm = 0.0
        for p in range(n_weights):
            w = params[p]
            l1_norm += abs(w)
            step = rate / (np.sqrt(state2[p]) + hyper[2]) if kind == ADAM else rate
            shrunk = abs(w) - step * l1
            params[p] = np.copysign(shrunk if shrunk > 0 else 0.0, w)
        penalty += l1 * l1_norm
    return penalty


@_jit
def _model_step(x: Array, y: Array, fractions: Array, masks: Array, theta: Array,
                state1: Array, state2: Array, geometry: Ints, l2: float, l1: float,
                rate: float, hyper: Array, work: Array, out: Array,
                record_saturation: bool) -> float:
    """One step of one model on one batch; returns its loss (data and penalty)
    and writes its gradient norms and, if asked, saturation into ``out``."""
    n_layers = (geometry.shape[0] - 8) // 4
    units = geometry[:n_layers + 1]
    w_off = geometry[n_layers + 1:2 * n_layers + 2]
    b_off = geometry[2 * n_layers + 2:3 * n_layers + 3]
    a_off = geometry[3 * n_layers + 3:4 * n_layers + 4]
    codes = geometry[4 * n_layers + 4:]
    slope, eps = hyper[7], hyper[8]
    n = x.shape[0]
    size = n * a_off[n_layers]
    acts, dropped, deltas = work[:size], work[size:2 * size], work[2 * size:3 * size]
    grad = work[3 * size:3 * size + theta.shape[0]]
    _forward(x, theta, units, w_off, b_off, acts, dropped, masks, codes, slope)
    start = a_off[n_layers - 1]
    P = acts[start * n:a_off[n_layers] * n].reshape(n, units[n_layers])
    D = deltas[start * n:a_off[n_layers] * n].reshape(n, units[n_layers])
    data_loss = _loss_and_delta(P, y, fractions, codes[2], eps, D)
    _backward(x, theta, grad, units, w_off, b_off, a_off, acts, dropped, masks, deltas,
              codes, slope, out[:n_layers])
    if record_saturation:
        for layer in range(n_layers - 1):
            s, u = a_off[layer], units[layer + 1]
            out[n_layers + layer] = _saturation(acts[s * n:(s + u) * n].reshape(n, u),
                                                codes[0])
    return data_loss + _update(theta, grad, state1, state2, w_off[n_layers], l2, l1, rate,
                               codes[3], hyper)


@_jit
def batch_step(X: Array, Y: Array, fractions: Array, masks: Array, params: Array,
               state1: Array, state2: Array, geometry: Ints, per_model: Array,
               hyper: Array, work: Array, out: Array, record_saturation: bool) -> None:
    """One mini-batch step of K models, in place.

    ``X``, ``Y``, ``fractions`` (``w_i / sum(w)``) have 1 (shared) or K rows on
    their first axis; ``masks`` is ``(K, 1 + n, hidden units)``, its first row
    -1 over the layers without dropout (``(1, 1, 0)`` without dropout); ``params``,
    ``state1`` / ``state2`` (Adam's m / v, or SGD's velocity) are ``(K, P)``.
    ``geometry`` packs the units per layer, the offsets of the weights, biases
    and activations, and the (hidden, output, loss, optimizer) codes (see
    :class:`CompiledStep`); ``per_model`` is ``(3, K)``: L2 and L1 strengths and
    step size; ``hyper`` ``(K, 9)`` each model's optimizer constants (and the
    leaky ReLU slope and clipping epsilon); ``work`` the scratch memory.
    Writes each model's loss (data and penalty), data-gradient norms per layer
    and, if asked, saturation per hidden layer into the rows of ``out``.
    """
    for k in range(params.shape[0]):
        out[k, 0] = _model_step(
            X[k if X.shape[0] > 1 else 0], Y[k if Y.shape[0] > 1 else 0],
            fractions[k if fractions.shape[0] > 1 else 0],
            masks[k if masks.shape[0] > 1 else 0], params[k], state1[k], state2[k],
            geometry, per_model[0, k], per_model[1, k], per_model[2, k], hyper[k], work,
            out[k, 1:], record_saturation)
