"""Early stopping's validation split: stratified for every classification target."""

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from sklearn_mlpreg import MLPClassifier
from sklearn_mlpreg._split import split_strata, validation_split


def test_multiclass_split_keeps_class_proportions():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    Y = np.eye(3)[y]
    X = np.arange(100.0)[:, None]
    for seed in range(5):
        _, _, _, Y_val, _, _ = validation_split(
            X, Y, None, validation_fraction=0.2, rng=np.random.RandomState(seed),
            strata=y)
        np.testing.assert_array_equal(Y_val.sum(axis=0), [12, 6, 2])


def test_binary_split_is_scikit_learns_split():
    """Without pooling, the split is the one scikit-learn's MLP draws."""
    y = np.repeat([0.0, 1.0], [70, 30])
    X = np.arange(100.0)[:, None]
    ours = validation_split(X, y[:, None], None, validation_fraction=0.1,
                            rng=np.random.RandomState(4), strata=y)
    theirs = train_test_split(X, y[:, None].astype(bool),
                              random_state=np.random.RandomState(4),
                              test_size=0.1, stratify=y[:, None].astype(bool))
    np.testing.assert_array_equal(ours[1], theirs[1])


def test_rare_classes_are_pooled_instead_of_failing():
    labels = np.array([0] * 10 + [1] * 10 + [2])  # class 2 has one sample
    strata = split_strata(labels, 0.3)
    assert len(np.unique(strata)) == 2
    labels = np.arange(20) % 10  # 10 classes, but only 2 fit into 2 validation rows
    assert len(np.unique(split_strata(labels, 0.1))) <= 2


def test_multilabel_strata_are_label_sets():
    Y = np.array([[1, 0]] * 6 + [[0, 1]] * 6 + [[1, 1]] * 6 + [[0, 0]])
    strata = split_strata(Y, 0.3)
    assert len(np.unique(strata[:18])) == 3
    assert np.all(np.bincount(strata - strata.min()) != 1)


@pytest.mark.parametrize("counts", [[90, 8, 2], [50, 49, 1]])
def test_classifier_with_rare_classes_early_stops(counts):
    rng = np.random.RandomState(0)
    y = np.repeat(np.arange(len(counts)), counts)
    X = rng.normal(size=(len(y), 3)) + y[:, None]
    clf = MLPClassifier(hidden_layer_sizes=(5,), early_stopping=True, max_iter=30,
                        random_state=0).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_


def test_too_small_a_validation_set_says_so():
    with pytest.raises(ValueError, match="validation set is too small"):
        validation_split(np.ones((5, 1)), np.ones((5, 1)), None, validation_fraction=0.1,
                         rng=np.random.RandomState(0))
