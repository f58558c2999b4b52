"""The compiled kernels run where they must and only there.

``compiled.runs`` counts the calls of the compiled entry points (the batch
step, the whole-training loop, and the mini-batch loop's shuffles and masks
from the compiled streams). A fit that silently fell back to the numpy
reference would still pass the equality tests of ``test_compiled.py`` (both
runs would be the reference); these tests fail instead.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from sklearn_mlpreg import MLPRegressor, MLPRegressorCV
from sklearn_mlpreg._engine import compiled

RNG = np.random.RandomState(0)
X = RNG.normal(size=(40, 3))
Y = X[:, 0] - 2 * X[:, 1] + 0.1 * RNG.normal(size=40)


def runs_of(fit, monkeypatch, *args):
    """The calls of each compiled entry point during ``fit(*args)``."""
    counts = dict.fromkeys(compiled.runs, 0)
    monkeypatch.setattr(compiled, "runs", counts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit(*args)
    return counts


NONE = {"batch_step": 0, "train_full_batch": 0, "shuffle": 0, "draw_masks": 0}


@pytest.fixture
def numba_on(monkeypatch):
    """numba installed and the compiled path not switched off."""
    pytest.importorskip("numba")
    monkeypatch.delenv("SKLEARN_MLPREG_ENGINE", raising=False)


def test_full_batch_fit_runs_the_compiled_loop(numba_on, monkeypatch):
    model = MLPRegressor(hidden_layer_sizes=(5,), max_iter=7, tol=0, random_state=0)
    runs = runs_of(model.fit, monkeypatch, X, Y)
    assert runs == {**NONE, "train_full_batch": 1}
    assert model.n_iter_ == 7


def test_mini_batch_fit_runs_the_compiled_step(numba_on, monkeypatch):
    model = MLPRegressor(hidden_layer_sizes=(5,), batch_size=10, max_iter=3, tol=0,
                         random_state=0)
    runs = runs_of(model.fit, monkeypatch, X, Y)
    assert runs == {**NONE, "batch_step": 3 * 4}  # 4 batches, 3 epochs


def test_mini_batch_dropout_draws_in_compiled_code(numba_on, monkeypatch):
    """One shuffle call an epoch and one mask call a batch, for the whole stack."""
    model = MLPRegressor(hidden_layer_sizes=(5, 4), dropout=(0.2, 0.1), batch_size=15,
                         max_iter=6, tol=0, random_state=0)
    runs = runs_of(model.fit, monkeypatch, X, Y)
    assert runs == {**NONE, "batch_step": 6 * 3, "shuffle": 6, "draw_masks": 6 * 3}
    search = MLPRegressorCV(alphas=[0.01, 1.0, 30.0], cv=3, hidden_layer_sizes=(4,),
                            batch_size=10, dropout=0.2, max_iter=8, tol=0, random_state=0)
    runs = runs_of(search.fit, monkeypatch, X, Y)
    # folds of 27, 27 and 26 rows: two stacks (3 batches an epoch), and the refit (4)
    assert runs["draw_masks"] == runs["batch_step"] == 8 * (3 + 3 + 4)
    assert runs["shuffle"] == 8 * 3  # one call an epoch for all networks of a stack


def test_partial_fit_and_early_stopping_run_the_compiled_step(numba_on, monkeypatch):
    model = MLPRegressor(hidden_layer_sizes=(5,), random_state=0)
    assert runs_of(model.partial_fit, monkeypatch, X, Y)["batch_step"] == 1
    model = MLPRegressor(hidden_layer_sizes=(5,), early_stopping=True, max_iter=4, tol=0,
                         n_iter_no_change=10, random_state=0)
    assert runs_of(model.fit, monkeypatch, X, Y)["batch_step"] == 4


def test_stacked_search_runs_the_compiled_loop(numba_on, monkeypatch):
    search = MLPRegressorCV(alphas=[0.01, 1.0, 30.0], cv=3, hidden_layer_sizes=(4,),
                            max_iter=5, random_state=0)
    runs = runs_of(search.fit, monkeypatch, X, Y)
    assert runs["train_full_batch"] >= 1  # the 9 (alpha, fold) networks, stacked
    assert runs["train_full_batch"] < 9  # not one call per network
    search.set_params(batch_size=10)
    runs = runs_of(search.fit, monkeypatch, X, Y)
    assert runs["train_full_batch"] == 0 and runs["batch_step"] > 0


def test_sparse_input_takes_the_reference(numba_on, monkeypatch):
    for batch_size in ("auto", 10):
        model = MLPRegressor(hidden_layer_sizes=(5,), batch_size=batch_size, max_iter=3,
                             random_state=0)
        runs = runs_of(model.fit, monkeypatch, sp.csr_matrix(X), Y)
        assert runs == NONE


def test_switched_off_takes_the_reference(monkeypatch):
    monkeypatch.setenv("SKLEARN_MLPREG_ENGINE", "numpy")
    for batch_size in ("auto", 10):
        model = MLPRegressor(hidden_layer_sizes=(5,), batch_size=batch_size, max_iter=3,
                             random_state=0)
        runs = runs_of(model.fit, monkeypatch, X, Y)
        assert runs == NONE
