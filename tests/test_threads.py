"""BLAS threads chosen by layer size."""

import threading

import pytest

from sklearn_mlpreg._threads import SINGLE_THREAD_BELOW, blas_threads, blas_threads_for

threadpoolctl = pytest.importorskip("threadpoolctl")


def blas_counts():
    return [p["num_threads"] for p in threadpoolctl.threadpool_info()
            if p["user_api"] == "blas"]


def test_small_products_get_one_thread_large_ones_keep_the_default():
    assert blas_threads_for([20, 30, 15, 1], 22) == 1  # gait-sized
    assert blas_threads_for([10, 100, 50, 1], 200) == 1  # 1M multiply-adds
    assert blas_threads_for([50, 256, 128, 1], 256) is None  # 8.4M
    assert blas_threads_for([100, 512, 256, 1], 2048) is None
    assert 1_000_000 < SINGLE_THREAD_BELOW < 2_000_000  # the measured crossover


def test_limit_is_set_in_the_main_thread_and_restored_even_when_nested():
    before = blas_counts()
    with blas_threads(1):
        assert set(blas_counts()) == {1}
        with blas_threads(1):
            assert set(blas_counts()) == {1}
        assert set(blas_counts()) == {1}
    assert blas_counts() == before


def test_worker_threads_leave_the_blas_setting_alone():
    before = blas_counts()
    seen = []

    def fit_like():
        with blas_threads(1):
            seen.append(blas_counts())

    thread = threading.Thread(target=fit_like)
    thread.start()
    thread.join()
    assert seen == [before] and blas_counts() == before


def test_none_changes_nothing():
    before = blas_counts()
    with blas_threads(None):
        assert blas_counts() == before
