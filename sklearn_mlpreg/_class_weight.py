"""``class_weight``: per-class factors on the sample weights of a classifier.

LogisticRegression's semantics: each sample's weight is its ``sample_weight``
times the weight of its class, so a fit with ``class_weight=cw`` is the fit
with ``sample_weight=compute_sample_weight(cw, y)`` (tested to 1e-12).
``"balanced"`` gives class ``c`` the weight ``n / (n_classes * n_c)`` over the
fit's ``y``. For multilabel targets it follows scikit-learn's multi-output
convention (its forests and trees): ``"balanced"`` or a list of one dict per
label (weights of 0 and 1), a sample's weight being the product over labels.

The weights are resolved once from the training targets (:func:`resolve`) and
then applied to any labels (:func:`sample_factors`), so an early-stopping or
explicit validation set is weighted by the training set's class weights.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Real

import numpy as np
from sklearn.utils.class_weight import compute_class_weight


def resolve(class_weight, Y: np.ndarray, targets, *, incremental: bool = False):
    """The explicit weights of ``class_weight`` for the encoded training targets.

    Returns an array of one weight per class (in ``targets.classes`` order) or,
    for multilabel targets, an ``(n_labels, 2)`` array (weights of 0 and 1).
    """
    if isinstance(class_weight, str) and incremental:
        raise ValueError(
            "class_weight='balanced' is not supported for partial_fit: the class "
            "frequencies of all the data are not known. Pass a dict, for example "
            "compute_class_weight('balanced', classes=classes, y=y) over all the data.")
    labels = _labels(Y, targets)
    if targets.multilabel:
        return _resolve_multilabel(class_weight, labels)
    if isinstance(class_weight, str):  # every class of a fresh fit occurs in y
        return compute_class_weight("balanced", classes=np.arange(len(targets.classes)),
                                    y=labels)
    if not isinstance(class_weight, Mapping):
        example = class_weight[0] if len(class_weight) == 1 and isinstance(
            class_weight[0], Mapping) else {c: 1.0 for c in targets.classes.tolist()}
        raise ValueError(
            f"class_weight={class_weight!r} is a list, the form for multilabel targets "
            "(one dict per label), but y holds one label per sample (classes "
            f"{targets.classes.tolist()}). Give one dict of weights by class, e.g. "
            f"class_weight={example!r}, or 'balanced'.")
    return _from_mapping(class_weight, targets.classes)


def sample_factors(weights: np.ndarray, Y: np.ndarray, targets) -> np.ndarray:
    """Each sample's class weight (the product over labels for multilabel targets)."""
    labels = _labels(Y, targets)
    if targets.multilabel:
        return np.prod(weights[np.arange(labels.shape[1]), labels], axis=1)
    return weights[labels]


def _labels(Y: np.ndarray, targets) -> np.ndarray:
    """Class indices (label indicators, as integers, for multilabel targets)."""
    if targets.multilabel:
        return Y.astype(np.intp)
    return (Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0]).astype(np.intp)


def _check_value(value, label) -> float:
    if not isinstance(value, Real) or isinstance(value, bool) or not np.isfinite(value) \
            or value < 0:
        raise ValueError(
            f"class_weight must give each class a finite weight >= 0; got {value!r} for "
            f"class {label!r}.")
    return float(value)


def _from_mapping(class_weight: Mapping, classes: np.ndarray) -> np.ndarray:
    known = set(classes.tolist())
    unknown = [label for label in class_weight if label not in known]
    if unknown:
        raise ValueError(
            f"class_weight has labels {unknown} that are not classes of y "
            f"({classes.tolist()}); give weights for the classes of y only.")
    return np.array([_check_value(class_weight.get(c, 1.0), c) for c in classes.tolist()])


def _resolve_multilabel(class_weight, labels: np.ndarray) -> np.ndarray:
    n_labels = labels.shape[1]
    if isinstance(class_weight, str):
        weights = np.ones((n_labels, 2))
        for j in range(n_labels):
            present = np.unique(labels[:, j])
            weights[j, present] = compute_class_weight("balanced", classes=present,
                                                       y=labels[:, j])
        return weights
    if isinstance(class_weight, Mapping) or not (
            isinstance(class_weight, Sequence) and len(class_weight) == n_labels
            and all(isinstance(d, Mapping) for d in class_weight)):
        raise ValueError(
            f"For multilabel targets class_weight is 'balanced' or a list of {n_labels} "
            "dicts, one per label, each giving the weights of 0 and 1 (scikit-learn's "
            "multi-output convention); a sample's weight is the product over labels.")
    return np.array([_from_mapping(d, np.array([0, 1])) for d in class_weight])
