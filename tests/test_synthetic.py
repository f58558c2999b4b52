"""make_polynomial: the lecture's synthetic data."""

import numpy as np
import pytest

from sklearn_mlpreg.datasets import make_polynomial


@pytest.mark.parametrize("kind, n, low, high", [
    ("linear", 40, -100, 95), ("quadratic", 100, -5000, 4900), ("cubic", 40, -5000, 4750)])
def test_lecture_grids(kind, n, low, high):
    X, y = make_polynomial(kind, random_state=0)
    assert X.shape == (n, 1) and y.shape == (n,)
    assert X[0, 0] == low and X[-1, 0] == high


def test_targets_follow_their_formulas():
    X, y = make_polynomial("quadratic")
    x = X[:, 0]
    np.testing.assert_allclose(y, 3 * x**2 + 25 * x + 580)
    X, y = make_polynomial("cubic", random_state=0)
    x = X[:, 0]
    noise = y - (3 * x**3 + 2 * x**2 + 5 * x)
    assert noise.min() >= 0 and noise.max() <= 500 and noise.std() > 50
    X, y = make_polynomial("linear", random_state=0)
    assert np.all((y - 3 * X[:, 0] >= 0) & (y - 3 * X[:, 0] <= 100))


def test_overrides_and_reproducibility():
    X, y = make_polynomial("linear", start=-200, stop=200, random_state=0)
    assert X.shape == (80, 1)
    _, again = make_polynomial("linear", start=-200, stop=200, random_state=0)
    np.testing.assert_array_equal(y, again)
    X, y = make_polynomial("linear", coefficients=[1.0, 2.0], noise=0, start=0, stop=3,
                           step=1)
    np.testing.assert_array_equal(y, [1.0, 3.0, 5.0])


def test_bad_grids_and_kinds_are_rejected():
    with pytest.raises(ValueError, match="start < stop"):
        make_polynomial("linear", start=5, stop=1)
    with pytest.raises(ValueError, match="kind"):
        make_polynomial("quartic")
