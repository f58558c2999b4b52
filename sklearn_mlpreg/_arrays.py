"""Inputs of another Array API namespace in the estimators (``array_api_dispatch``).

With ``sklearn.set_config(array_api_dispatch=True)``, ``validate_data`` keeps
PyTorch, CuPy or ``array_api_strict`` arrays as they are. The estimators then
prepare labels, sample weights and the early-stopping split on the host
(small, one pass), train the network in X's namespace on X's device, keep the
fitted weights there and predict there. These helpers are the few places the
shell needs to know about it.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.utils._array_api import get_namespace
from sklearn.utils.validation import validate_data

from ._checks import check_weights
from ._engine import device, is_numpy, namespace, to_numpy


def trains_on_any_namespace(solver) -> bool:
    """Whether a network of ``solver`` trains on arrays of another Array API
    namespace (the estimators' ``array_api_support`` tag): sgd and adam do,
    L-BFGS runs through scipy on the host."""
    return solver != "lbfgs"


def float_dtypes(*arrays) -> tuple:
    """The float dtypes ``validate_data`` may keep, float64 first, in the namespace
    scikit-learn dispatches ``arrays`` to (numpy's without ``array_api_dispatch``)."""
    if all(type(array) is np.ndarray for array in arrays):  # no dispatch to ask about
        return (np.float64, np.float32)
    xp, is_array_api = get_namespace(*arrays)
    if not is_array_api or xp.__name__.endswith("numpy"):
        return (np.float64, np.float32)
    return (xp.float64, xp.float32)


def dispatched(X):
    """``X`` when ``array_api_dispatch`` sends it to a namespace other than numpy
    (the networks then train on its device), else None."""
    if type(X) is np.ndarray or sp.issparse(X) or not hasattr(X, "shape"):
        return None
    xp, is_array_api = get_namespace(X)
    if not is_array_api or xp.__name__.endswith("numpy") or is_numpy(X):
        return None
    return X


def host_values(fit_params: dict) -> dict:
    """Fit or score parameters with their arrays of another namespace on the host."""
    return {key: to_numpy(value) if hasattr(value, "shape") and not sp.issparse(value)
            else value for key, value in fit_params.items()}


def to_host(X, solver: str):
    """``(X on the host, device reference)``: the reference is ``X`` itself when
    it belongs to another namespace (the network trains there), else None.

    Raises
    ------
    ValueError
        For ``solver='lbfgs'``, which runs through scipy on the host.
    """
    if sp.issparse(X) or is_numpy(X):
        return X, None
    if solver == "lbfgs":
        raise ValueError(
            f"solver='lbfgs' runs through scipy.optimize on the host and cannot train "
            f"on {namespace(X).__name__} arrays (device {device(X)}). Use "
            "solver='adam' or solver='sgd' to train on this device, or pass numpy "
            "arrays (or set array_api_dispatch=False) to use lbfgs.")
    return to_numpy(X), X


def validated_for_fit(estimator, X, y, sample_weight, *, solver: str, classifier: bool,
                      reset: bool = True):
    """``validate_data`` of a fit's ``X`` and ``y`` (kept in their Array API
    namespace under dispatch), then the data on the host:
    ``(X, y, sample_weight, device)``, ``device`` being the validated ``X`` of
    another namespace (the networks train there) or None. Refuses lbfgs there.
    """
    if "complex" in str(getattr(X, "dtype", "")):  # (another namespace may cast silently)
        raise ValueError("Complex data not supported: the networks train on real numbers. "
                         "Pass the real part, the magnitude, or both parts as columns.")
    X, y = validate_data(estimator, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                         y_numeric=not classifier, dtype=float_dtypes(X), reset=reset)
    X, device_reference = to_host(X, solver)
    return X, to_numpy(y), check_weights(to_numpy(sample_weight), X), device_reference


def describe(array) -> str:
    """``"torch arrays on cpu"``: an array's namespace and device, for messages."""
    if sp.issparse(array):
        return "a scipy sparse matrix"
    return f"{namespace(array).__name__} arrays on device {device(array)}"


def check_same_namespace(fitted, X, estimator_name: str, method: str) -> None:
    """Refuse ``X`` of another namespace or device than the fitted weights
    (``fitted``, one of them): computing would silently copy between devices.
    The message holds scikit-learn's words for it ("must use the same
    namespace"), as its estimator checks expect.
    """
    if type(fitted) is np.ndarray and type(X) is np.ndarray:  # predict's fast path
        return
    # without array_api_dispatch, X of any kind is converted to numpy
    fitted_numpy, X_numpy = is_numpy(fitted), dispatched(X) is None
    if fitted_numpy and X_numpy:
        return
    if fitted_numpy == X_numpy and namespace(fitted) is namespace(X) \
            and str(device(fitted)) == str(device(X)):
        return
    raise ValueError(
        f"Inputs passed to {estimator_name}.{method}() must use the same namespace and "
        f"the same device as those passed to fit(): the network was fitted on "
        f"{describe(fitted)}, X is {describe(X)}. Pass X in the fitted namespace and "
        "device (for PyTorch: torch.asarray(X, device=...); with "
        "sklearn.set_config(array_api_dispatch=True) for non-numpy arrays), or refit "
        "the estimator on X's.")
