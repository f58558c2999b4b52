"""scikit-learn's estimator checks: the bar for compatibility.

Every check passes; there is no expected failure. Small settings keep the
checks fast without changing what they test.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_mlpreg import MLPClassifier, MLPClassifierCV, MLPRegressor, MLPRegressorCV

FAST = dict(max_iter=50, random_state=0)

#: check name -> reason; the checks listed here are allowed to fail.
EXPECTED_FAILURES: dict = {}


@parametrize_with_checks(
    [MLPRegressor(**FAST), MLPClassifier(**FAST),
     MLPRegressor(solver="lbfgs", **FAST), MLPClassifier(solver="sgd", **FAST),
     MLPRegressorCV(alphas=[1e-4, 1.0], cv=3, **FAST),
     MLPClassifierCV(alphas=[1e-4, 1.0], cv=3, **FAST)],
    expected_failed_checks=lambda estimator: EXPECTED_FAILURES,
)
def test_scikit_learn_compatible(estimator, check):
    check(estimator)
