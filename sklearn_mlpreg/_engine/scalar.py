"""The array namespace of one element: what :mod:`.formulas` calls ``xp`` when
numba compiles a formula for the kernels' loops.

The names are the Array API standard's, so a formula reads the same on one
float (compiled) and on whole arrays (numpy, PyTorch, ``array_api_strict``,
bound by :func:`.jit.in_namespace`). ``where`` is a branch-free select on
scalars (``numpy.where`` would build a 0-d array in compiled code).
"""

from __future__ import annotations

import numpy as np

from .jit import jit

#: See :mod:`.jit`: numba compiles this file anew when any compiled source changes.
CACHE_KEY = "f4a963a9338b8588"

exp = np.exp
log = np.log
sqrt = np.sqrt
tanh = np.tanh


@jit
def where(condition: bool, x1: float, x2: float) -> float:
    """``x1`` if ``condition`` else ``x2``."""
    return x1 if condition else x2


@jit
def clip(x: float, min: float, max: float) -> float:  # noqa: A002 - the standard's names
    """``x`` clipped to ``[min, max]``."""
    return min if x < min else (max if x > max else x)
