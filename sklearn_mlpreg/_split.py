"""The validation split of early stopping, stratified for every classifier.

scikit-learn stratifies the split only when the label indicator has one
column (binary targets): a multiclass split is not stratified, and a binary
class with one sample makes the split fail. Here every classification target
is stratified as far as the split allows: binary and multiclass targets by
class, multilabel targets by label set. Strata with fewer than two samples
are pooled, and only the largest strata that fit into the validation set are
kept (the rest pooled), so rare classes never make the split fail. When no
pooling is needed the split is the one scikit-learn draws for binary targets
with the same random state.
"""

from __future__ import annotations

from math import ceil

import numpy as np
from sklearn.model_selection import train_test_split


def split_strata(labels: np.ndarray, validation_fraction: float) -> np.ndarray:
    """Strata for a stratified split that cannot fail on rare labels.

    Parameters
    ----------
    labels : ndarray of shape (n_samples,) or (n_samples, n_labels)
        Class of each sample, or its row of a multilabel indicator matrix
        (each distinct row is a label set).
    validation_fraction : float
        Share of the samples that goes to validation.

    Returns
    -------
    strata : ndarray of shape (n_samples,) of int
        Stratum of each sample; at most ``min(n_val, n_train)`` strata, each
        with at least two samples.
    """
    labels = np.asarray(labels)
    axis = 0 if labels.ndim == 2 else None
    _, strata = np.unique(labels, axis=axis, return_inverse=True)
    strata = strata.ravel()
    n = len(strata)
    n_val = ceil(validation_fraction * n)
    limit = max(1, min(n_val, n - n_val))
    counts = np.bincount(strata)
    by_size = np.argsort(-counts, kind="stable")
    room = limit - 1 if len(counts) > limit else limit
    kept = [s for s in by_size if counts[s] >= 2][:room]
    pooled = ~np.isin(strata, kept)
    if pooled.sum() == 1 or (pooled.any() and len(kept) == limit):
        strata = np.where(pooled, by_size[0], strata)
    else:
        strata = np.where(pooled, -1, strata)
    return strata


def validation_indices(n_samples, *, validation_fraction, rng, strata=None):
    """Positions of the training and validation samples of the split.

    The random draw depends only on ``n_samples`` and ``strata``, so indexing
    arrays with these positions gives exactly :func:`validation_split`'s
    arrays, in the same order.
    """
    X_train, X_val, *_ = validation_split(
        np.arange(n_samples)[:, None], np.zeros((n_samples, 1)), None,
        validation_fraction=validation_fraction, rng=rng, strata=strata)
    return X_train[:, 0], X_val[:, 0]


def validation_split(X, Y, sample_weight, *, validation_fraction, rng, strata=None):
    """Hold out ``validation_fraction`` of the samples for early stopping.

    Parameters
    ----------
    X : array or sparse matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
        Targets (label indicators for classifiers).
    sample_weight : ndarray of shape (n_samples,) or None
    validation_fraction : float
    rng : numpy.random.RandomState
        Consumed as scikit-learn's MLP consumes it for the same split.
    strata : ndarray of shape (n_samples,) or (n_samples, n_labels), default=None
        Class (or label-indicator row) of each sample; None for regression.

    Returns
    -------
    X_train, X_val, Y_train, Y_val, sw_train, sw_val
    """
    arrays = [X, Y] + ([] if sample_weight is None else [sample_weight])
    if strata is not None:
        strata = split_strata(strata, validation_fraction)
    try:
        parts = train_test_split(
            *arrays, random_state=rng, test_size=validation_fraction, stratify=strata
        )
    except ValueError as error:
        if strata is None:
            raise
        raise ValueError(
            f"{error} (early stopping's validation split, stratified by class). "
            "Pass an explicit validation set (fit(X, y, X_val=..., y_val=...)), "
            "change validation_fraction, or set early_stopping=False."
        ) from error
    X_train, X_val, Y_train, Y_val = parts[:4]
    sw_train, sw_val = (parts[4], parts[5]) if sample_weight is not None else (None, None)
    if X_val.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' "
            "or the size of your dataset."
        )
    return X_train, X_val, Y_train, Y_val, sw_train, sw_val
