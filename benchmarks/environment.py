"""What the machine is while the benchmarks run: BLAS, threads, versions, load."""

from __future__ import annotations

import os
import platform
import time

import numpy as np

BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
                  "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OMP_WAIT_POLICY")


def describe() -> dict:
    """Versions, CPU, BLAS (as threadpoolctl sees it), BLAS variables, load."""
    import scipy
    import sklearn

    info = {
        "python": platform.python_version(), "numpy": np.__version__,
        "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
        "machine": platform.machine(), "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "blas_variables": {name: os.environ.get(name) for name in BLAS_VARIABLES},
    }
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [{k: pool.get(k) for k in ("internal_api", "version",
                                                  "architecture", "num_threads")}
                        for pool in threadpool_info() if pool.get("user_api") == "blas"]
    except ImportError:  # pragma: no cover
        info["blas"] = "threadpoolctl not installed"
    try:
        import numba

        info["numba"] = numba.__version__
    except ImportError:
        info["numba"] = None
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        info["torch"] = None
    return info


def gemm_peak(dtype, size: int = 2048, repeats: int = 5, threads: int | None = None
              ) -> float:
    """Best GFLOP/s of a square matrix product: the roof the workloads sit under
    (with the default BLAS threads, or ``threads``)."""
    from threadpoolctl import threadpool_limits

    rng = np.random.RandomState(0)
    a = rng.standard_normal((size, size)).astype(dtype)
    b = rng.standard_normal((size, size)).astype(dtype)
    with threadpool_limits(threads, user_api="blas"):
        a @ b  # warm up the threads
        best = np.inf
        for _ in range(repeats):
            start = time.perf_counter()
            a @ b
            best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def warnings_about(info: dict) -> list[str]:
    """Settings known to slow numpy down, worth a line in the report."""
    notes = []
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if info["blas_variables"].get(name):
            notes.append(f"{name}={info['blas_variables'][name]} is set: it can force a "
                         "slower OpenBLAS kernel; unset it to measure the default.")
    load = info.get("load_average")
    if load and load[0] > 0.5:
        notes.append(f"load average {load[0]:.2f}: another process may hold a core.")
    return notes
