"""The alpha rules against their formulas on hand-made cv_results_."""

import numpy as np
import pytest
from sklearn.model_selection import KFold, RepeatedKFold

from sklearn_mlpreg.model_selection._alpha_rules import (
    one_standard_error_index,
    repeat_winners,
)


def results_of(scores):
    """cv_results_ keys of a (n_alphas, n_splits) score table, as scikit-learn
    computes them (mean and ddof=0 std over the splits)."""
    scores = np.asarray(scores, dtype=float)
    out = {f"split{i}_test_score": scores[:, i] for i in range(scores.shape[1])}
    out["mean_test_score"] = scores.mean(axis=1)
    out["std_test_score"] = scores.std(axis=1)
    return out


def test_one_standard_error_takes_the_largest_alpha_within_one_error_of_the_best():
    """Best: alpha 0.1, split scores (0.6, 0.8, 0.7, 0.7), mean 0.70; glmnet's
    standard error, the ddof=1 sd 0.0816 over sqrt(4): 0.0408, threshold
    0.6592. Alpha 1 (mean 0.66) is within and larger: chosen; at mean 0.655 it
    is not, and the best stays."""
    alphas = [0.01, 0.1, 1.0, 10.0]
    scores = [[0.50, 0.70, 0.60, 0.60],
              [0.60, 0.80, 0.70, 0.70],
              [0.64, 0.68, 0.66, 0.66],
              [0.10, 0.20, 0.30, 0.40]]
    assert 0.70 - np.std(scores[1], ddof=1) / 2 == pytest.approx(0.65918, abs=1e-5)
    assert one_standard_error_index(results_of(scores), alphas, 4) == 2
    scores[2] = [0.64, 0.67, 0.65, 0.66]  # mean 0.655
    assert one_standard_error_index(results_of(scores), alphas, 4) == 1
    # the largest qualifying alpha, whatever the order of the candidates
    order = [3, 2, 1, 0]
    shuffled = results_of([scores[i] for i in order])
    assert one_standard_error_index(shuffled, [alphas[i] for i in order], 4) == 2  # 0.1


def test_the_rule_skips_failed_alphas_and_refuses_when_all_failed():
    alphas = [0.1, 1.0, 10.0]
    scores = [[0.5, 0.6], [0.55, 0.65], [np.nan, np.nan]]
    results = results_of(scores)
    assert one_standard_error_index(results, alphas, 2) == 1
    with pytest.raises(ValueError, match="No alpha has a finite mean"):
        one_standard_error_index(results_of([[np.nan, np.nan]]), [1.0], 2)


def test_repeat_winners_count_each_repeats_best_alpha():
    alphas = [0.1, 1.0, 10.0]
    # 2 repeats x 3 folds: repeat 0 is won by alpha 1.0, repeat 1 by alpha 10.0
    scores = [[0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
              [0.9, 0.8, 0.9, 0.1, 0.2, 0.1],
              [0.5, 0.5, 0.5, 0.9, 0.9, 0.9]]
    wins = repeat_winners(results_of(scores), alphas, RepeatedKFold(n_splits=3,
                                                                    n_repeats=2), 6)
    np.testing.assert_array_equal(wins, [0, 1, 1])
    assert repeat_winners(results_of(scores), alphas, KFold(6), 6) is None
