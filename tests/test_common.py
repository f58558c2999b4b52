"""scikit-learn's estimator checks: the bar for compatibility.

Every check passes; there is no expected failure. Small settings keep the
checks fast without changing what they test.
"""

from functools import partial

import numpy as np
import pytest
from sklearn.utils.estimator_checks import (
    check_dont_overwrite_parameters,
    check_regressors_train,
    parametrize_with_checks,
)

from sklearn_mlpreg import (
    MLPClassifier,
    MLPClassifierCV,
    MLPEnsembleClassifier,
    MLPEnsembleRegressor,
    MLPRegressor,
    MLPRegressorCV,
)
from sklearn_mlpreg.model_selection import (
    BatchedGridSearchCV,
    BatchedHalvingGridSearchCV,
    BatchedHalvingRandomSearchCV,
    BatchedRandomizedSearchCV,
)

FAST = dict(max_iter=50, random_state=0)

#: check name -> reason; the checks listed here are allowed to fail.
EXPECTED_FAILURES: dict = {}


@parametrize_with_checks(
    [MLPRegressor(**FAST), MLPClassifier(**FAST),
     MLPRegressor(solver="lbfgs", **FAST), MLPClassifier(solver="sgd", **FAST),
     MLPRegressorCV(alphas=[1e-4, 1.0], cv=3, **FAST),
     MLPClassifierCV(alphas=[1e-4, 1.0], cv=3, **FAST),
     BatchedGridSearchCV(MLPRegressor(**FAST), {"alpha": [1e-4, 1.0]}, cv=3),
     MLPEnsembleRegressor(MLPRegressor(**FAST), n_members=3, random_state=0),
     # (with bootstrap=True, sample_weight is not the same as repeated rows: the
     # draws depend on the number of rows, as in BaggingClassifier)
     MLPEnsembleClassifier(MLPClassifier(**FAST), n_members=2, random_state=0),
     BatchedRandomizedSearchCV(MLPClassifier(**FAST), {"alpha": [1e-4, 1.0]}, n_iter=2,
                               cv=3, random_state=0),
     BatchedHalvingGridSearchCV(MLPRegressor(**FAST), {"alpha": [1e-4, 1e-2, 1.0]}, cv=3,
                                random_state=0),
     BatchedHalvingRandomSearchCV(MLPClassifier(**FAST), {"alpha": [1e-4, 1e-2, 1.0]},
                                  n_candidates=3, resource="max_iter", min_resources=50,
                                  max_resources=150,
                                  cv=3, random_state=0)],
    expected_failed_checks=lambda estimator: EXPECTED_FAILURES,
)
def test_scikit_learn_compatible(estimator, check):
    check(estimator)  # a failed check raises; test_the_checks_fail_... shows it does


class _OverwritesAlpha(MLPRegressor):
    """A broken estimator: fit changes a constructor parameter."""

    def fit(self, X, y, **params):
        self.alpha = 2 * self.alpha
        return super().fit(X, y, **params)


class _PredictsZeros(MLPRegressor):
    """A broken estimator: it ignores what it learned."""

    def predict(self, X):
        return np.zeros(len(X))


@pytest.mark.parametrize("broken, check, message", [
    (_OverwritesAlpha, check_dont_overwrite_parameters, "alpha"),
    (_PredictsZeros, check_regressors_train, None),  # its bare assert on the R^2
])
def test_the_compatibility_test_fails_a_broken_estimator(broken, check, message):
    """test_scikit_learn_compatible can fail: given an estimator that breaks the
    contract, the same call raises."""
    with pytest.raises(AssertionError, match=message):
        test_scikit_learn_compatible(broken(**FAST), partial(check, broken.__name__))
