"""Which alpha a cross-validation chooses: the best, or the one-standard-error rule.

On a few dozen rows the cross-validated score is flat and noisy in lambda, and
the best mean score picks the noise. glmnet's users take instead the largest
lambda whose mean score is within one standard error of the best
(``lambda.1se``; Hastie, Tibshirani & Friedman, *The Elements of Statistical
Learning*, 2nd ed., section 7.10): the simplest model the data cannot tell
from the best. Both rules read the search's ``cv_results_`` only, so they cost
no fit beyond the cross-validation's.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import RepeatedKFold, RepeatedStratifiedKFold

#: The rules the CV estimators' ``alpha_rule`` names.
ALPHA_RULES = ("best", "1se")


def split_scores(results: dict, n_splits: int) -> np.ndarray:
    """The test score of every (alpha, split), ``(n_alphas, n_splits)`` (NaN for a
    failed fit)."""
    return np.column_stack([np.asarray(results[f"split{i}_test_score"], dtype=float)
                            for i in range(n_splits)])


def one_standard_error_index(results: dict, alphas, n_splits: int) -> int:
    """The index of the largest alpha whose mean test score is at least the best
    mean minus the best alpha's standard error.

    The standard error is glmnet's (``cvsd``): the sample standard deviation
    of the best alpha's split scores (``ddof=1``) over ``sqrt(n_splits)``,
    that is ``std_test_score / sqrt(n_splits - 1)`` (``cv_results_`` reports
    the ``ddof=0`` deviation). Alphas whose mean score is NaN (a failed fit)
    are never chosen.

    Parameters
    ----------
    results : dict
        ``cv_results_`` of the search over ``alphas`` (``mean_test_score``,
        ``std_test_score``).
    alphas : array-like of shape (n_alphas,)
        The candidates' alphas, in the order of ``results``.
    n_splits : int
        Splits each mean is over.

    Returns
    -------
    index : int
    """
    means = np.asarray(results["mean_test_score"], dtype=float)
    if not np.isfinite(means).any():
        raise ValueError("No alpha has a finite mean test score: there is no best alpha "
                         "to measure one standard error from.")
    best = int(np.nanargmax(means))
    error = float(results["std_test_score"][best]) / np.sqrt(max(n_splits - 1, 1))
    within = np.flatnonzero(np.nan_to_num(means, nan=-np.inf) >= means[best] - error)
    alphas = np.asarray(alphas, dtype=float)
    return int(within[np.argmax(alphas[within])])


def repeat_winners(results: dict, alphas, cv, n_splits: int) -> np.ndarray | None:
    """How often each alpha has the best mean score over the folds of one repeat
    of a repeated splitter (``RepeatedKFold``, ``RepeatedStratifiedKFold``):
    ``(n_alphas,)`` counts summing to the number of repeats; None for any other
    splitter. A repeat whose folds all failed counts for no alpha."""
    if not isinstance(cv, (RepeatedKFold, RepeatedStratifiedKFold)):
        return None
    n_repeats = cv.n_repeats
    scores = split_scores(results, n_splits).reshape(len(alphas), n_repeats, -1)
    means = scores.mean(axis=2)  # a NaN fold leaves its repeat's mean NaN
    wins = np.zeros(len(alphas), dtype=np.intp)
    for repeat in means.T:
        if np.isfinite(repeat).any():
            wins[int(np.nanargmax(repeat))] += 1
    return wins
