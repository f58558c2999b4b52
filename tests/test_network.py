"""Parameter layout, forward pass and chunked predict."""

import numpy as np
import pytest
import scipy.sparse as sp

from sklearn_mlpreg._engine.initializers import initialize
from sklearn_mlpreg._engine.network import Architecture, Layout, Workspace, forward, predict


def arch(activation, out_activation, units=(1, 1)):
    return Architecture(tuple(units), activation, out_activation)


def test_layout_matches_scikit_learn_packing_order():
    layout = Layout([3, 4, 2])
    assert layout.n_weights == 3 * 4 + 4 * 2
    assert layout.n_params == layout.n_weights + 4 + 2
    buffer = np.arange(layout.n_params, dtype=float)[None]
    coefs, intercepts = layout.coefs(buffer), layout.intercepts(buffer)
    np.testing.assert_array_equal(coefs[0][0], np.arange(12).reshape(3, 4))
    np.testing.assert_array_equal(coefs[1][0], np.arange(12, 20).reshape(4, 2))
    np.testing.assert_array_equal(intercepts[0][0, 0], [20, 21, 22, 23])
    np.testing.assert_array_equal(intercepts[1][0, 0], [24, 25])


def test_views_share_memory_and_pack_unpack_round_trip():
    layout = Layout([3, 4, 2])
    rng = np.random.RandomState(0)
    coefs, intercepts = initialize([3, 4, 2], rng)
    buffer = layout.pack(coefs, intercepts, layout.empty(1, np.float64))
    assert all(np.shares_memory(v, buffer) for v in layout.coefs(buffer))
    layout.coefs(buffer)[0][...] += 1.0
    back_coefs, back_intercepts = layout.unpack(buffer[0])
    np.testing.assert_array_equal(back_coefs[0], coefs[0] + 1.0)
    np.testing.assert_array_equal(back_intercepts[1], intercepts[1])


def test_layer_norms():
    layout = Layout([2, 3, 1])
    buffer = np.random.RandomState(0).normal(size=(2, layout.n_params))
    norms = np.sqrt(layout.layer_sq_norms(layout.weights(buffer)))
    expected = [[np.linalg.norm(W[k]) for W in layout.coefs(buffer)] for k in range(2)]
    np.testing.assert_allclose(norms, expected)


def stacked(layout, K, seed=0):
    rng = np.random.RandomState(seed)
    buffer = layout.empty(K, np.float64)
    for k in range(K):
        c, b = initialize(list(layout.layer_units), rng)
        layout.pack([x[None] for x in c], [x[None] for x in b], buffer[k:k + 1])
    return buffer


def test_forward_of_k_models_equals_each_model_alone():
    layout = Layout([3, 5, 4, 2])
    buffer = stacked(layout, 3)
    X = np.random.RandomState(1).normal(size=(6, 3))
    work = Workspace(layout, 3, 6, np.float64)
    P = forward(X, layout.coefs(buffer), layout.intercepts(buffer), "tanh", "identity",
                work)
    for k in range(3):
        coefs, intercepts = layout.unpack(buffer[k])
        np.testing.assert_allclose(P[k], predict(X, coefs, intercepts,
                                                 arch("tanh", "identity")))


def test_predict_in_chunks_equals_one_pass_and_handles_sparse():
    layout = Layout([4, 7, 3])
    coefs, intercepts = layout.unpack(stacked(layout, 1)[0])
    X = np.random.RandomState(2).normal(size=(1000, 4))
    net = arch("relu", "softmax")
    whole = predict(X, coefs, intercepts, net, chunk_size=10_000)
    chunked = predict(X, coefs, intercepts, net, chunk_size=64)
    np.testing.assert_allclose(chunked, whole, rtol=1e-14)
    np.testing.assert_allclose(predict(sp.csr_matrix(X), coefs, intercepts, net,
                                       chunk_size=64), whole, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_predict_keeps_the_weights_dtype(dtype):
    layout = Layout([2, 3, 1])
    coefs, intercepts = layout.unpack(stacked(layout, 1)[0].astype(dtype))
    P = predict(np.ones((4, 2), dtype=dtype), coefs, intercepts, arch("relu", "identity"))
    assert P.dtype == dtype
