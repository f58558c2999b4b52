"""numba, when installed: the library's ``njit`` settings in one place.

The rules (:mod:`.rules`), the formulas (:mod:`.formulas`) and the compiled
kernels (:mod:`.compiled`) import :func:`jit` from here; without numba it
returns the plain function, so the engine runs (in pure Python) wherever numba
is missing.

numba's disk cache keys each compiled function on its own file only: a kernel
in ``compiled/loop.py`` that calls a rule of :mod:`.rules` keeps the machine
code it compiled with the old rule after the rule's file changes (numba
inlines it). So every file of compiled code (:data:`COMPILED_SOURCES`) carries
one ``CACHE_KEY``: a digest of all of them, which changes -- and with it every
file, so that numba compiles them all anew -- whenever any of them changes.
After editing one, run ``python scripts/refresh_cache_key.py`` to write the
new key into each (tests/test_compiled_cache.py fails until then); an upgraded
release brings its own keys.
"""

from __future__ import annotations

import hashlib
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

try:  # numba is a dependency, but the engine works without it
    from numba import njit
except ImportError:  # pragma: no cover - exercised where numba is missing
    njit = None

__all__ = ["COMPILED_SOURCES", "in_namespace", "jit", "njit", "plain", "sources_digest",
           "write_cache_keys"]

#: The engine's files of compiled code, and the files their types come from.
COMPILED_SOURCES = ("jit.py", "scalar.py", "rules.py", "formulas.py", "settings.py",
                    "compiled/kernels.py", "compiled/loop.py", "compiled/penalty.py",
                    "compiled/streams.py")
#: The digest of :data:`COMPILED_SOURCES` this file was compiled with (see above).
CACHE_KEY = "f4a963a9338b8588"


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


def _without_key(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True)
                   if not line.startswith("CACHE_KEY = "))


def sources_digest() -> str:
    """The digest of :data:`COMPILED_SOURCES`, their ``CACHE_KEY`` lines left out."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for name in COMPILED_SOURCES:
        digest.update(_without_key((root / name).read_text(encoding="utf-8")).encode())
    return digest.hexdigest()[:16]


def write_cache_keys() -> str:
    """Write the current digest into the ``CACHE_KEY`` line of each source of
    :data:`COMPILED_SOURCES` (a developer's step after editing one); returns it."""
    root, key = Path(__file__).parent, sources_digest()
    for name in COMPILED_SOURCES:
        path = root / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(f'CACHE_KEY = "{key}"\n' if line.startswith("CACHE_KEY = ")
                                else line for line in lines), encoding="utf-8")
    return key
