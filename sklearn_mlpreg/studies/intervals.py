"""How often the CV estimators' prediction intervals cover new rows.

``MLPRegressorCV.predict_interval`` gives CV+ intervals (jackknife+ under
leave-one-out) from the fold networks the cross-validation trained. Their
guarantee holds for a fixed model; here alpha is chosen on the same folds, so
this study measures the coverage on rows the fit never saw:

* on a large table (scikit-learn's diabetes, 442 rows): repeated random
  halves, intervals from the first half, coverage on the second;
* on a small one (the gait table's TUG or BBS, 23 rows): leave-one-out
  around the whole fit (each row's interval from a CV estimator fitted,
  with jackknife+ inside, on the other rows).

Each fit imputes, standardizes the features and the target on its own rows,
and maps the interval back to the target's units (:func:`interval_of`: the
recipe for intervals of a pipeline, whose own ``predict_interval`` a
``Pipeline`` does not expose).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.impute import SimpleImputer
from sklearn.model_selection import KFold, LeaveOneOut
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import Interval, validate_params

from ..model_selection import MLPRegressorCV


@dataclass
class Coverage:
    """Coverage of intervals on rows their fit did not see.

    Attributes
    ----------
    confidence_level : float
    covered : ndarray of bool of shape (n_rows,)
        Whether each held-out row's target is inside its interval.
    widths : ndarray of shape (n_rows,)
        Each interval's width (in the target's units).
    alphas : list of float
        The alpha each fit chose.
    """

    confidence_level: float
    covered: np.ndarray
    widths: np.ndarray
    alphas: list = field(default_factory=list)

    @property
    def rate(self) -> float:
        """The share of held-out rows covered."""
        return float(np.mean(self.covered))

    @property
    def standard_error(self) -> float:
        """The binomial standard error of ``rate`` at the nominal level."""
        level = self.confidence_level
        return float(np.sqrt(level * (1 - level) / len(self.covered)))


def interval_of(model, X_train, y_train, X_new, confidence_level):
    """The intervals of ``X_new`` from ``model`` fitted on the training rows, with
    the preprocessing fitted on them only: missing values imputed (median),
    features and target standardized (the interval is mapped back)."""
    steps = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    X_train, X_new = steps.fit_transform(X_train), steps.transform(X_new)
    center, scale = y_train.mean(), y_train.std() or 1.0
    fitted = clone(model).fit(X_train, (y_train - center) / scale)
    _, intervals = fitted.predict_interval(X_new, confidence_level=confidence_level)
    return center + scale * intervals[:, :, 0], fitted.alpha_


@validate_params(
    {"model": [MLPRegressorCV], "X": ["array-like"], "y": ["array-like"],
     "confidence_level": [Interval(Real, 0, 1, closed="neither")],
     "n_repeats": [Interval(Integral, 1, None, closed="left")],
     "random_state": ["random_state"]},
    prefer_skip_nested_validation=True)
def coverage_on_halves(model, X, y, *, confidence_level=0.9, n_repeats=5, random_state=0):
    """Fit on a random half, cover the other half, ``n_repeats`` times.

    Parameters
    ----------
    model : MLPRegressorCV
        Unfitted; its ``cv`` gives the folds of the intervals.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    confidence_level : float, default=0.9
    n_repeats : int, default=5
    random_state : int, RandomState instance or None, default=0

    Returns
    -------
    Coverage
        Over every held-out row of every repeat.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    rng = np.random.RandomState(random_state) if not isinstance(
        random_state, np.random.RandomState) else random_state
    covered, widths, alphas = [], [], []
    for _ in range(n_repeats):
        order = rng.permutation(len(y))
        train, test = order[: len(y) // 2], order[len(y) // 2:]
        bounds, alpha = interval_of(model, X[train], y[train], X[test], confidence_level)
        covered.append((y[test] >= bounds[:, 0]) & (y[test] <= bounds[:, 1]))
        widths.append(bounds[:, 1] - bounds[:, 0])
        alphas.append(alpha)
    return Coverage(confidence_level, np.concatenate(covered), np.concatenate(widths),
                    alphas)


@validate_params(
    {"model": [MLPRegressorCV], "X": ["array-like"], "y": ["array-like"],
     "confidence_level": [Interval(Real, 0, 1, closed="neither")]},
    prefer_skip_nested_validation=True)
def coverage_leave_one_out(model, X, y, *, confidence_level=0.9):
    """Each row's interval from ``model`` fitted on the other rows.

    Parameters
    ----------
    model : MLPRegressorCV
        Unfitted; with ``cv=LeaveOneOut()`` the intervals are jackknife+.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    confidence_level : float, default=0.9

    Returns
    -------
    Coverage
        One entry per row.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    covered, widths, alphas = [], [], []
    for train, test in LeaveOneOut().split(X):
        bounds, alpha = interval_of(model, X[train], y[train], X[test], confidence_level)
        covered.append(bool(bounds[0, 0] <= y[test][0] <= bounds[0, 1]))
        widths.append(float(bounds[0, 1] - bounds[0, 0]))
        alphas.append(alpha)
    return Coverage(confidence_level, np.array(covered), np.array(widths), alphas)


def default_model(cv=None, **params) -> MLPRegressorCV:
    """The study's CV estimator: a small network, Adam, mean squared error
    scoring (defined on a single held-out row), 5-fold unless ``cv``."""
    settings = dict(hidden_layer_sizes=(20,), learning_rate_init=0.01, max_iter=300,
                    scoring="neg_mean_squared_error", random_state=0,
                    cv=KFold(5) if cv is None else cv)
    return MLPRegressorCV(**{**settings, **params})
