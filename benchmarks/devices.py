"""The library on PyTorch tensors (``--device cpu`` or ``--device cuda``), beside
the numpy rows.

With ``sklearn.set_config(array_api_dispatch=True)`` the estimators train in
the input's namespace and on its device (see the user guide, "Running on a
GPU"). These runners time that path on the same workloads as the numpy rows.
scikit-learn's Array API dispatch needs ``SCIPY_ARRAY_API=1`` before scipy is
first imported: :func:`enable_if_requested` sets it when ``--device`` is on
the command line (and only then: it changes how scipy dispatches, which the
numpy rows must not pay for).
"""

from __future__ import annotations

import os
import sys
import time
import warnings

import numpy as np


def enable_if_requested(argv: list[str]) -> None:
    """Set ``SCIPY_ARRAY_API=1`` when ``--device`` is asked for (call before
    anything imports scipy)."""
    if any(arg == "--device" or arg.startswith("--device=") for arg in argv):
        if "scipy" in sys.modules and os.environ.get("SCIPY_ARRAY_API") != "1":
            raise RuntimeError("--device needs SCIPY_ARRAY_API=1 set before scipy loads; "
                               "run: SCIPY_ARRAY_API=1 python -m benchmarks --device ...")
        os.environ["SCIPY_ARRAY_API"] = "1"


def check_device(device: str) -> None:
    """A clear error when PyTorch or the device is missing."""
    try:
        import torch
    except ImportError as error:  # pragma: no cover - depends on the machine
        raise SystemExit('--device needs PyTorch: pip install "torch==2.13.0"') from error
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit(f"--device {device}: no CUDA device is visible to PyTorch.")


def tensors(device: str, dtype, *arrays):
    """The arrays as torch tensors of ``dtype`` on ``device``."""
    import torch

    return [torch.asarray(np.asarray(a, dtype=dtype), device=device) for a in arrays]


def _synchronize(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()


def run_ours_on(device: str, dtype=np.float64):
    """A training runner (see ``workloads.run_ours``) on torch tensors."""

    def run(w, X, y, epochs):
        import sklearn
        from sklearn.exceptions import ConvergenceWarning

        from sklearn_mlpreg import MLPRegressor

        from .workloads import _params

        Xt, yt = tensors(device, dtype, X, y)
        with warnings.catch_warnings(), sklearn.config_context(array_api_dispatch=True):
            warnings.simplefilter("ignore", ConvergenceWarning)
            _synchronize(device)
            start = time.perf_counter()
            model = MLPRegressor(**_params(w, epochs)).fit(Xt, yt)
            _synchronize(device)
        return (time.perf_counter() - start) / epochs, float(model.loss_)

    return run


def time_cv_on(device: str):
    """A CV runner (see ``cv_workloads.time_ours``) on torch tensors."""

    def run(workload, X, y, epochs, n_jobs):
        import sklearn

        from .cv_workloads import time_ours

        Xt, yt = tensors(device, np.float64, X, y)
        with sklearn.config_context(array_api_dispatch=True):
            _synchronize(device)
            seconds, model = time_ours(workload, Xt, yt, epochs, n_jobs)
            _synchronize(device)
        return seconds, model

    return run
