"""The engine's array backend: the same values from numpy and from another
Array API namespace (PyTorch, array_api_strict), on the host and back."""

import numpy as np
import pytest
import scipy.sparse as sp

from sklearn_mlpreg._engine import backend

torch = pytest.importorskip("torch")
strict = pytest.importorskip("array_api_strict")

NAMESPACES = [pytest.param(torch.asarray, id="torch"),
              pytest.param(strict.asarray, id="array_api_strict")]


@pytest.fixture
def values():
    return np.arange(24, dtype=np.float64).reshape(4, 6)


def test_numpy_sparse_scalars_and_lists_are_numpy(values):
    assert backend.namespace(values) is np and backend.is_numpy(values)
    assert backend.is_numpy(sp.csr_matrix(values), None, 1.0, [1, 2])
    assert backend.device(values) == "cpu"
    assert backend.to_numpy(values) is values and backend.move(values, values) is values


@pytest.mark.parametrize("as_array", NAMESPACES)
def test_round_trip_keeps_values_dtype_and_place(values, as_array):
    array = as_array(values)
    assert not backend.is_numpy(array)
    np.testing.assert_array_equal(backend.to_numpy(array), values)
    moved = backend.move(values.astype(np.float32), array)
    assert type(moved) is type(array) and moved.device == array.device
    assert backend.numpy_dtype(moved) == np.float32
    assert backend.move(array, values).__class__ is np.ndarray
    like = backend.like([1, 2], array)
    assert backend.numpy_dtype(like) == np.float64  # reference's dtype for numbers


@pytest.mark.parametrize("as_array", NAMESPACES)
def test_indexing_helpers_equal_numpy(values, as_array):
    array = as_array(values)
    rows = np.array([[2, 0], [3, 3]])
    np.testing.assert_array_equal(backend.to_numpy(backend.take_rows(array, rows)),
                                  values[rows])
    along = np.array([[5, 0, 1], [2, 2, 4], [0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(backend.to_numpy(backend.take_along_rows(array, along)),
                                  np.take_along_axis(values, along, axis=1))
    np.testing.assert_array_equal(
        backend.to_numpy(backend.take_columns(array, np.array([4, 1]))), values[:, [4, 1]])
    np.testing.assert_array_equal(backend.to_numpy(backend.transpose(array)), values.T)


@pytest.mark.parametrize("as_array", NAMESPACES)
def test_set_rows_and_copy(values, as_array):
    array, expected = as_array(values.copy()), values.copy()  # (torch shares memory)
    copied = backend.copy(array)
    new = np.full((2, 6), -1.0)
    backend.set_rows(array, np.array([True, False, False, True]), as_array(new))
    expected[[0, 3]] = new
    np.testing.assert_array_equal(backend.to_numpy(array), expected)
    np.testing.assert_array_equal(backend.to_numpy(copied), values)  # a real copy
    zeros = backend.zeros((2, 3), array)
    assert type(zeros) is type(array) and not backend.to_numpy(zeros).any()


@pytest.mark.parametrize("as_array", NAMESPACES)
@pytest.mark.parametrize("n_rows", [3, 20])  # row by row, and one masked update
def test_set_rows_many_rows_equal_numpy(as_array, n_rows):
    rng = np.random.RandomState(0)
    values = rng.standard_normal((30, 4))
    rows = rng.choice(30, n_rows, replace=False)
    new = rng.standard_normal((n_rows, 4))
    array, expected = as_array(values.copy()), values.copy()
    backend.set_rows(array, rows, as_array(new))
    expected[rows] = new
    np.testing.assert_array_equal(backend.to_numpy(array), expected)
