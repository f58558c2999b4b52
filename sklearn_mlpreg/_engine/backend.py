"""The arrays the engine computes with: numpy, or another Array API namespace.

The engine's functions take arrays and compute in their namespace: numpy (with
scipy sparse inputs, in-place ``out=`` buffers and the compiled kernels), or
any namespace of the Array API standard that scikit-learn dispatches to
(PyTorch on CPU or CUDA, CuPy, ``array_api_strict``), on the arrays' device.
This module is the one place that tells them apart and moves arrays between
the host and a device; the rest of the engine asks :func:`namespace` and
branches only where numpy's in-place calls have no standard equivalent.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

try:  # the standalone package, else scikit-learn's vendored copy
    from array_api_compat import array_namespace
    from array_api_compat import device as array_device
except ImportError:  # pragma: no cover - depends on the installed packages
    from sklearn.externals.array_api_compat import array_namespace
    from sklearn.externals.array_api_compat import device as array_device

#: An array of numpy or of another Array API namespace.
AnyArray = Any


def namespace(*arrays: AnyArray) -> Any:
    """``numpy`` for numpy arrays, scipy sparse matrices, scalars, ``None`` and
    anything numpy converts (lists, pandas objects); otherwise the Array API
    namespace of the first other array."""
    for array in arrays:
        kind = type(array)
        found = _NAMESPACES.get(kind, _UNSEEN)
        if found is _UNSEEN:  # array_namespace costs microseconds: once per type
            found = _NAMESPACES[kind] = _lookup(array)
        if found is not None:
            return found
    return np


def _lookup(array: AnyArray) -> Any:
    """The Array API namespace of an array that is not numpy's, else None."""
    if array is None or isinstance(array, (np.ndarray, np.generic, float, int, bool)) \
            or sp.issparse(array):
        return None
    try:
        return array_namespace(array)
    except TypeError:  # not an array of any namespace: numpy converts it
        return None


#: The namespace of each array type met (None: numpy's, or numpy converts it).
_NAMESPACES: dict[type, Any] = {}
_UNSEEN = object()


def is_numpy(*arrays: AnyArray) -> bool:
    """Whether the arrays are numpy's (the engine's fast, in-place path)."""
    for array in arrays:  # the common case, cheaply (no generator)
        if type(array) is not np.ndarray:
            return namespace(*arrays) is np
    return True


def device(array: AnyArray) -> Any:
    """The device of ``array`` (``"cpu"`` for numpy)."""
    return "cpu" if is_numpy(array) else array_device(array)


def to_numpy(array: AnyArray) -> np.ndarray:
    """``array`` as a numpy array on the host (numpy arrays unchanged)."""
    if array is None or is_numpy(array):
        return array
    module = type(array).__module__
    if module.startswith("torch"):
        return array.detach().cpu().numpy()
    if module.startswith("cupy"):  # pragma: no cover - needs a CUDA device
        return array.get()
    xp = namespace(array)
    if "array_api_strict" in xp.__name__:
        return np.asarray(xp.asarray(array, device=xp.Device("CPU_DEVICE")))
    return np.asarray(array)


def like(values: Any, reference: AnyArray, dtype: Any = None) -> AnyArray:
    """``values`` (numpy or Python numbers) as an array of ``reference``'s
    namespace and device (and dtype, unless given)."""
    if is_numpy(reference):
        return np.asarray(values, dtype=reference.dtype if dtype is None else dtype)
    xp = namespace(reference)
    values = np.asarray(values)
    if dtype is None:
        dtype = reference.dtype if values.dtype.kind == "f" else None
    return xp.asarray(values, dtype=dtype, device=array_device(reference))


def move(array: AnyArray, reference: AnyArray) -> AnyArray:
    """``array`` in ``reference``'s namespace and device, its own dtype kept
    (``None`` stays ``None``)."""
    if array is None or is_numpy(reference):
        return to_numpy(array)
    xp = namespace(reference)
    return xp.asarray(to_numpy(array), device=array_device(reference))


def copy(array: AnyArray) -> AnyArray:
    """A copy of ``array`` in its namespace."""
    if is_numpy(array):
        return array.copy()
    return namespace(array).asarray(array, copy=True)


def transpose(array: AnyArray) -> AnyArray:
    """Swap the last two axes."""
    if type(array) is np.ndarray or is_numpy(array):
        return array.swapaxes(-1, -2)
    return namespace(array).matrix_transpose(array)


def take_rows(array: AnyArray, index: Any) -> AnyArray:
    """``array[index]`` along the first axis; ``index`` (numpy, any shape) is
    moved to the array's device, and the result has ``index.shape`` in front."""
    if is_numpy(array) or sp.issparse(array):
        return array[index]
    xp = namespace(array)
    flat = xp.asarray(np.asarray(index).reshape(-1), device=array_device(array))
    taken = xp.take(array, flat, axis=0)
    return xp.reshape(taken, tuple(np.shape(index)) + tuple(array.shape[1:]))


def take_along_rows(array: AnyArray, index: np.ndarray) -> AnyArray:
    """``array[k, index[k]]`` for each row ``k`` (``np.take_along_axis`` on axis 1)."""
    if is_numpy(array):
        return np.take_along_axis(array, index, axis=1)
    xp = namespace(array)
    K, n = array.shape
    flat = (np.arange(K)[:, None] * n + np.asarray(index)).reshape(-1)
    taken = xp.take(xp.reshape(array, (K * n,)),
                    xp.asarray(flat, device=array_device(array)), axis=0)
    return xp.reshape(taken, tuple(np.shape(index)))


def take_columns(array: AnyArray, index: np.ndarray) -> AnyArray:
    """``array[:, index]`` for a 1-D numpy ``index``."""
    if is_numpy(array):
        return array[:, index]
    xp = namespace(array)
    return xp.take(array, xp.asarray(np.asarray(index), device=array_device(array)),
                   axis=1)


def set_rows(array: AnyArray, rows: Any, values: AnyArray) -> None:
    """``array[rows] = values`` in place; ``rows`` a numpy index or boolean mask."""
    if is_numpy(array):
        array[rows] = values
        return
    rows = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows)
    if len(rows) <= _FEW_ROWS:  # one row at a time: the standard's setitem
        for j, k in enumerate(rows.tolist()):
            array[k, ...] = values[j, ...]
        return
    # many rows (many models at once, as on a GPU): one masked update of the whole
    # array instead of a device call per row
    xp, place = namespace(array), array_device(array)
    position = np.zeros(array.shape[0], dtype=np.int64)
    position[rows] = np.arange(len(rows))
    chosen = np.zeros(array.shape[0], dtype=bool)
    chosen[rows] = True
    spread = xp.take(values, xp.asarray(position, device=place), axis=0)
    mask = xp.reshape(xp.asarray(chosen, device=place), (-1,) + (1,) * (array.ndim - 1))
    array[...] = xp.where(mask, spread, array)


#: Up to this many rows, :func:`set_rows` assigns row by row.
_FEW_ROWS = 8


def zeros(shape: Any, reference: AnyArray) -> AnyArray:
    """Zeros of ``reference``'s namespace, dtype and device."""
    if is_numpy(reference):
        return np.zeros(shape, dtype=reference.dtype)
    xp = namespace(reference)
    return xp.zeros(shape, dtype=reference.dtype, device=array_device(reference))


def numpy_dtype(array: AnyArray) -> np.dtype:
    """The numpy dtype matching ``array``'s (float32 or float64)."""
    if is_numpy(array):
        return array.dtype
    xp = namespace(array)
    return np.dtype(np.float32 if array.dtype == xp.float32 else np.float64)
