"""make_polynomial: the lecture's synthetic data (polynomials of one input)."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions, validate_params

#: kind -> (start, stop, step, coefficients from x^0 up, noise scale): the
#: lecture's notebooks (see the reference experiments).
LECTURE_DEFAULTS = {
    "linear": (-100, 100, 5, (0.0, 3.0), 100.0),  # overfitting: y = 3x + 100 U(0, 1)
    "quadratic": (-5000, 5000, 100, (580.0, 25.0, 3.0), 0.0),  # MLP regression
    "cubic": (-5000, 5000, 250, (0.0, 5.0, 2.0, 3.0), 500.0),  # sparse data (HW3 1)
}


@validate_params(
    {"kind": [StrOptions(set(LECTURE_DEFAULTS))], "start": [Real, None],
     "stop": [Real, None], "step": [Real, None], "coefficients": ["array-like", None],
     "noise": [Real, None], "random_state": ["random_state"]},
    prefer_skip_nested_validation=True,
)
def make_polynomial(kind="linear", *, start=None, stop=None, step=None,
                    coefficients=None, noise=None, random_state=None):
    """Samples of ``y = sum_k c_k x^k + noise * U(0, 1)`` on an even grid of x.

    The defaults are the lecture's:

    ============  ===============================  ======================
    kind          x                                y
    ============  ===============================  ======================
    "linear"      -100 .. 95 step 5 (40 points)    3x + 100 U(0, 1)
    "quadratic"   -5000 .. 4900 step 100 (100)     3x^2 + 25x + 580
    "cubic"       -5000 .. 4750 step 250 (40)      3x^3 + 2x^2 + 5x + 500 U(0, 1)
    ============  ===============================  ======================

    Parameters
    ----------
    kind : {"linear", "quadratic", "cubic"}, default="linear"
        Which of the lecture's data sets to start from.
    start, stop, step : float, default=None
        The grid ``numpy.arange(start, stop, step)`` (stop excluded).
    coefficients : array-like of float, default=None
        ``c_0, c_1, ...`` (constant first).
    noise : float, default=None
        Scale of the added uniform noise ``noise * U(0, 1)``.
    random_state : int, RandomState instance or None, default=None
        Seeds the noise.

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
    y : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from sklearn_mlpreg.datasets import make_polynomial
    >>> X, y = make_polynomial("cubic", random_state=0)
    >>> X.shape, float(X.min()), float(X.max())
    ((40, 1), -5000.0, 4750.0)
    """
    d_start, d_stop, d_step, d_coefficients, d_noise = LECTURE_DEFAULTS[kind]
    start = d_start if start is None else start
    stop = d_stop if stop is None else stop
    step = d_step if step is None else step
    if step <= 0 or stop <= start:
        raise ValueError(f"need start < stop and step > 0, got {start}, {stop}, {step}.")
    coefficients = np.asarray(d_coefficients if coefficients is None else coefficients,
                              dtype=float).ravel()
    noise = d_noise if noise is None else noise
    x = np.arange(start, stop, step, dtype=float)
    y = np.polynomial.polynomial.polyval(x, coefficients)
    if noise:
        y = y + noise * check_random_state(random_state).uniform(size=x.shape)
    return x[:, None], y
