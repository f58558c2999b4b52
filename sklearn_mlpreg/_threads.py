"""BLAS threads chosen by layer size.

Measured on this project's 2-core machines (OpenBLAS, ``benchmarks/run.py
--contention``): a matrix product below about 1.5 million multiply-adds gains
nothing from a second BLAS thread, and when another process holds a core the
second thread makes it about 1.8x slower (200x100 @ 100x50: 37 us either way
alone; 58 us with one thread and 104 us with two beside a busy process). From
2 million multiply-adds on, two threads are about 1.8x faster. So a fit whose
largest product per batch is small runs with one BLAS thread; any other keeps
the BLAS default.

The limit is process-wide (threadpoolctl) and set only from the main thread:
set from other threads, this OpenBLAS does not reliably take it (observed:
after one limit and restore in the main thread, a limit set in a worker
thread reads back unchanged). Fits in worker threads (joblib's threading
backend, MLPRegressorCV's chunks) keep the BLAS default; their per-model
products are small enough that OpenBLAS runs them on one thread anyway.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise

#: Largest product (multiply-adds) that still runs on one BLAS thread.
SINGLE_THREAD_BELOW = 1_500_000

_state = {"controller": None}


def blas_threads_for(layer_units, batch_rows: int) -> int | None:
    """One thread when every product of a batch is small, else None (default)."""
    largest = batch_rows * max(a * b for a, b in pairwise(layer_units))
    return 1 if largest < SINGLE_THREAD_BELOW else None


def _blas_pools():
    if _state["controller"] is None:  # discovering the libraries costs ~160 us
        try:
            from threadpoolctl import ThreadpoolController

            _state["controller"] = ThreadpoolController().select(user_api="blas")
        except Exception:  # pragma: no cover - threadpoolctl missing or broken
            _state["controller"] = False
    return _state["controller"]


@contextmanager
def blas_threads(limit: int | None) -> Iterator[None]:
    """Run the block with at most ``limit`` BLAS threads (None: unchanged).

    Only in the main thread; elsewhere the block runs unchanged.
    """
    if limit is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    pools = _blas_pools()
    if not pools:
        yield
        return
    limiter = pools.limit(limits=limit)
    try:
        yield
    finally:
        limiter.restore_original_limits()
