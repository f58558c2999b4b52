"""numpy's legacy random streams in compiled code: dropout masks without Python.

A model's dropout masks come from its own ``numpy.random.RandomState``
(``random_sample(shape) >= p``, see :mod:`..dropout`), so that a stacked model
draws exactly what the lone estimator draws. Calling ``random_sample`` once
per model, layer and epoch costs ~4 us of Python each time, more than the
epoch of a small network. Here the Mersenne Twister (MT19937) that backs
``RandomState`` runs in compiled code on the states copied out of the
models' generators: :func:`draw_masks` gives bit for bit what
``random_sample`` gives (53-bit doubles from two 32-bit words),
:func:`shuffle_rows` what ``shuffle`` does to a 1-d array (Fisher-Yates with
numpy's ``random_interval``), and :func:`write_back` puts the advanced states
back into the generators. The masks take their words in runs up to each
regeneration of the state, in loops that vectorize: a (200, 60) mask in ~13
us, against ~68 us for ``(random_sample(shape) >= p) * kept`` in numpy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..jit import jit
from ..types import Array

#: See :mod:`..jit`: numba compiles this file anew when any compiled source changes.
CACHE_KEY = "f4a963a9338b8588"

N, M = 624, 397  # MT19937's state length and shift
MATRIX_A, UPPER, LOWER = 0x9908B0DF, 0x80000000, 0x7FFFFFFF


def read_states(rngs: Sequence[np.random.RandomState]) -> tuple[Array, Array]:
    """The MT19937 states of ``rngs``: keys ``(K, 624)`` uint32 and positions ``(K,)``."""
    keys = np.empty((len(rngs), N), dtype=np.uint32)
    positions = np.empty(len(rngs), dtype=np.int64)
    for k, rng in enumerate(rngs):
        _, key, pos, *_ = rng.get_state(legacy=True)
        keys[k], positions[k] = key, pos
    return keys, positions


def write_back(rngs: Sequence[np.random.RandomState], keys: Array, positions: Array,
               models: Array) -> None:
    """Put the advanced states of ``models`` back into their generators."""
    for k in models:
        name, _, _, has_gauss, gauss = rngs[k].get_state(legacy=True)
        rngs[k].set_state((name, keys[k], int(positions[k]), has_gauss, gauss))


@jit
def _twist(key: Array) -> None:
    """Regenerate the 624 words of one state (the MT19937 recurrence)."""
    for i in range(N - M):
        y = (key[i] & UPPER) | (key[i + 1] & LOWER)
        key[i] = key[i + M] ^ (y >> 1) ^ (MATRIX_A if y & 1 else 0)
    for i in range(N - M, N - 1):
        y = (key[i] & UPPER) | (key[i + 1] & LOWER)
        key[i] = key[i + M - N] ^ (y >> 1) ^ (MATRIX_A if y & 1 else 0)
    y = (key[N - 1] & UPPER) | (key[0] & LOWER)
    key[N - 1] = key[M - 1] ^ (y >> 1) ^ (MATRIX_A if y & 1 else 0)


@jit
def _temper(y: np.uint32) -> np.uint32:
    y ^= y >> 11
    y ^= (y << 7) & 0x9D2C5680
    y ^= (y << 15) & 0xEFC60000
    return y ^ (y >> 18)


@jit
def _next32(key: Array, pos: int) -> tuple[np.uint32, int]:
    """The next 32-bit word of the state ``(key, pos)`` and the new position."""
    if pos >= N:
        _twist(key)
        pos = 0
    return _temper(key[pos]), pos + 1


@jit
def _double(a: np.uint32, b: np.uint32) -> float:
    """``random_sample()`` from two words: ``(a * 2^26 + b) / 2^53`` from the top
    27 bits of ``a`` and 26 of ``b``."""
    return ((a >> 5) * 67108864.0 + (b >> 6)) / 9007199254740992.0


@jit
def _uniform(key: Array, pos: int) -> tuple[float, int]:
    """``random_sample()`` from the state ``(key, pos)`` and the new position."""
    a, pos = _next32(key, pos)
    b, pos = _next32(key, pos)
    return _double(a, b), pos


@jit
def _words(key: Array, pos: int, words: Array) -> int:
    """Fill ``words`` with the next words of the state ``(key, pos)`` (what
    :func:`_next32` gives one at a time, in runs up to each regeneration: loops
    that vectorize); returns the new position."""
    done = 0
    while done < words.shape[0]:
        if pos >= N:
            _twist(key)
            pos = 0
        run = min(N - pos, words.shape[0] - done)
        source, target = key[pos:pos + run], words[done:done + run]
        for i in range(run):  # (on slices: no index wraparound, the loop vectorizes)
            target[i] = _temper(source[i])
        done += run
        pos += run
    return pos


@jit
def _interval(key: Array, pos: int, top: int) -> tuple[int, int]:
    """numpy's ``random_interval(top)`` for ``top < 2^32``: the next words under
    the smallest bit mask covering ``top``, until one is at most ``top``."""
    mask = top
    for shift in (1, 2, 4, 8, 16):
        mask |= mask >> shift
    while True:
        word, pos = _next32(key, pos)
        value = np.int64(word) & mask
        if value <= top:
            return value, pos


@jit
def next_double(keys: Array, positions: Array, k: int) -> float:
    """The next ``random_sample()`` of stream ``k``."""
    value, positions[k] = _uniform(keys[k], positions[k])
    return value


@jit
def draw_masks(keys: Array, positions: Array, k: int, rates: Array, scale: Array,
               units: Array, masks: Array) -> None:
    """Model ``k``'s masks for one batch, as :func:`..dropout.draw_masks` draws them.

    ``masks`` is the model's ``(1 + n, hidden units)`` matrix (row 0 flags the
    layers it keeps with -1, rows 1.. the masks); ``rates`` and ``scale`` are its
    drop rate and kept-unit value (``1 / (1 - p)`` or 1) per hidden layer,
    ``units`` its hidden layers' widths. Layers are drawn in order, each
    ``(n, units)`` block row by row (``random_sample(shape) >= p`` times the
    kept value); a layer with rate 0 draws nothing.
    """
    key, pos = keys[k], positions[k]
    n = masks.shape[0] - 1
    words = np.empty(2 * n * units.max(), dtype=np.uint32)
    start = 0
    for layer in range(units.shape[0]):
        u, p, kept = units[layer], rates[layer], scale[layer]
        if p > 0:
            masks[0, start:start + u] = 0.0
            pos = _words(key, pos, words[:2 * n * u])
            for i in range(n):  # (on slices: no index wraparound, the loop vectorizes)
                pairs, row = words[2 * i * u:2 * (i + 1) * u], masks[1 + i, start:start + u]
                for j in range(u):
                    row[j] = kept if _double(pairs[2 * j], pairs[2 * j + 1]) >= p else 0.0
        else:
            masks[0, start:start + u] = -1.0
        start += u
    positions[k] = pos


@jit
def shuffle_rows(keys: Array, positions: Array, ids: Array, shuffle: Array,
                 order: Array) -> None:
    """``RandomState.shuffle`` of each row ``j`` of ``order`` whose ``shuffle[j]``
    is set, in place, from stream ``ids[j]`` (rows of fewer than 2^32 items):
    the swaps ``shuffle`` makes on ``arange(n)``, so the row becomes
    ``order[j][permutation]``, the reference's composition."""
    for j in range(order.shape[0]):
        if not shuffle[j]:
            continue
        key, pos, row = keys[ids[j]], positions[ids[j]], order[j]
        for i in range(row.shape[0] - 1, 0, -1):
            other, pos = _interval(key, pos, i)
            row[i], row[other] = row[other], row[i]
        positions[ids[j]] = pos


@jit
def draw_stack_masks(keys: Array, positions: Array, ids: Array, rates: Array,
                     scale: Array, units: Array, masks: Array) -> None:
    """:func:`draw_masks` of every model ``j`` of a stack's ``(K, 1 + n, hidden
    units)`` masks that drops units, from stream ``ids[j]`` with the rates and
    kept-unit values of row ``ids[j]``; a model that drops none keeps its masks."""
    for j in range(masks.shape[0]):
        k = ids[j]
        if rates[k].max() > 0:
            draw_masks(keys, positions, k, rates[k], scale[k], units, masks[j])
