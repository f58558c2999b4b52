"""numba, when installed: the library's ``njit`` settings in one place.

The rules (:mod:`.rules`), the formulas (:mod:`.formulas`) and the compiled
kernels (:mod:`.compiled`) import :func:`jit` from here; without numba it
returns the plain function, so the engine runs (in pure Python) wherever numba
is missing.

numba's disk cache follows the file of each compiled function only: after an
edit of :mod:`.rules`, :mod:`.formulas`, :mod:`.scalar` or :mod:`.settings`,
the kernels that call them keep their cached machine code until their own
files change (touch ``compiled/*.py``, or delete their ``__pycache__``).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy as np

try:  # numba is a dependency, but the engine works without it
    from numba import njit
except ImportError:  # pragma: no cover - exercised where numba is missing
    njit = None

__all__ = ["in_namespace", "jit", "njit", "plain"]


def jit(function: Callable, **options: Any) -> Callable:
    """``numba.njit`` with the library's settings (or the plain function): cached
    on disk, no GIL, IEEE arithmetic (a division by zero gives inf, as in numpy),
    no bounds checks."""
    if njit is None:  # pragma: no cover
        return function
    return njit(cache=True, nogil=True, boundscheck=False, error_model="numpy",
                **options)(function)


def plain(function: Callable) -> Callable:
    """The Python function behind a :func:`jit` one, its ``xp`` bound to numpy:
    the same formula, run by numpy on whole arrays instead of one scalar."""
    return in_namespace(function, np)


_BOUND: dict[tuple[Callable, Any], Callable] = {}


def in_namespace(function: Callable, xp: Any) -> Callable:
    """:func:`plain` ``function`` with its global ``xp`` (the array namespace
    its formula names) bound to ``xp``: the one text of a rule, run on arrays
    of another Array API namespace (PyTorch, CuPy, ...). Each binding is made
    once (the reference asks for one every step)."""
    key = (function, xp)
    bound = _BOUND.get(key)
    if bound is None:
        python = getattr(function, "py_func", function)
        if python.__globals__.get("xp", xp) is xp:
            bound = python
        else:
            bound = types.FunctionType(python.__code__, {**python.__globals__, "xp": xp},
                                       python.__name__, python.__defaults__,
                                       python.__closure__)
        _BOUND[key] = bound
    return bound
