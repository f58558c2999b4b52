"""What the network's outputs mean: the targets of a regressor or a classifier.

A target encoding turns the user's ``y`` into the network's target matrix
``Y`` (float, ``(n_samples, n_outputs)``), names the loss and output
activation that go with it and the score early stopping monitors, gives the
strata of the early-stopping split, and turns network outputs back into
predictions. :class:`RegressionTargets` and :class:`ClassificationTargets`
are the two encodings; :func:`sklearn_mlpreg._spec.make_spec` picks one.
"""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_array, column_or_1d

from ._checks import check_target_scale
from ._engine import is_numpy, move, namespace, to_numpy


def as_column_target(y):
    """``y`` with a ``(n, 1)`` column flattened (with scikit-learn's warning)."""
    y = np.asarray(y) if not hasattr(y, "ndim") else y
    if y.ndim == 2 and y.shape[1] == 1:
        return column_or_1d(y, warn=True)
    return y


class RegressionTargets:
    """Numeric targets: squared error (identity output) or Poisson (exp output).

    Parameters
    ----------
    loss : {"squared_error", "poisson"}
        The regressor's ``loss`` parameter.
    n_outputs : int
        Number of target columns.
    """

    score = "r2"
    classifier = False

    def __init__(self, loss: str, n_outputs: int):
        self.loss = loss
        self.n_outputs = n_outputs

    @property
    def out_activation(self) -> str:
        """The output activation paired with the loss."""
        return "exp" if self.loss == "poisson" else "identity"

    @property
    def engine_loss(self) -> str:
        """The engine's name of the loss."""
        return self.loss

    @classmethod
    def fit(cls, y, loss: str) -> RegressionTargets:
        """The encoding of the validated target ``y``."""
        y = as_column_target(y)
        return cls(loss, 1 if y.ndim == 1 else y.shape[1])

    def encode(self, y, dtype, estimator_name: str = "MLPRegressor") -> np.ndarray:
        """``y`` as a float ``(n, n_outputs)`` matrix, its scale and sign checked."""
        Y = np.asarray(as_column_target(y), dtype=dtype)
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
        if Y.ndim != 2:
            raise ValueError(f"y must be 1-D or 2-D (n_samples, n_outputs); got shape "
                             f"{np.shape(y)}.")
        if not np.isfinite(Y).all():
            raise ValueError(
                "Input y contains NaN or infinity (or None). Drop the samples whose target "
                "is missing (keep = np.isfinite(y)); a target cannot be imputed inside a "
                "pipeline.")
        self.check(Y, estimator_name)
        return Y

    def check(self, Y: np.ndarray, estimator_name: str = "MLPRegressor") -> None:
        """What the loss requires of an encoded target matrix: a reachable scale
        (squared error), non-negative values (Poisson)."""
        if self.loss == "squared_error":
            check_target_scale(Y, estimator_name)
        if self.loss == "poisson" and (Y < 0).any():
            raise ValueError(
                "loss='poisson' requires non-negative targets (counts or rates); "
                "use loss='squared_error' for targets that can be negative.")

    def encode_validation(self, y_val, dtype, estimator_name: str) -> np.ndarray:
        """The targets of an explicit validation set."""
        y_val = check_array(y_val, ensure_2d=False, dtype=dtype, input_name="y_val")
        Y_val = self.encode(y_val, dtype, estimator_name)
        if Y_val.shape[1] != self.n_outputs:
            raise ValueError(f"y_val has {Y_val.shape[1]} column(s), but y has "
                             f"{self.n_outputs}: give y_val the targets of y.")
        return Y_val

    def strata(self, Y):
        """No strata: the early-stopping split of a regressor is not stratified."""
        return None

    def decode(self, P: np.ndarray) -> np.ndarray:
        """Predictions from network outputs (1-D for one output), in P's namespace."""
        if P.shape[1] > 1:
            return P
        return P.ravel() if type(P) is np.ndarray else namespace(P).reshape(P, (-1,))


class ClassificationTargets:
    """Class labels (binary, multiclass) or a multilabel indicator matrix.

    Parameters
    ----------
    binarizer : LabelBinarizer
        Fitted on the classes: one output per class (one for binary targets).
    """

    score = "accuracy"
    classifier = True

    def __init__(self, binarizer: LabelBinarizer):
        self.binarizer = binarizer

    @property
    def classes(self) -> np.ndarray:
        """The class labels."""
        return self.binarizer.classes_

    @property
    def multilabel(self) -> bool:
        """Whether the target is a multilabel indicator matrix."""
        return self.binarizer.y_type_.startswith("multilabel")

    @property
    def n_outputs(self) -> int:
        """One output per class; one for two classes."""
        n = len(self.classes)
        return 1 if n <= 2 and not self.multilabel else n

    @property
    def out_activation(self) -> str:
        """Softmax for multiclass targets, logistic outputs otherwise."""
        return "softmax" if self.binarizer.y_type_ == "multiclass" else "logistic"

    @property
    def engine_loss(self) -> str:
        """Categorical or binary (per output) cross entropy."""
        return "log_loss" if self.out_activation == "softmax" else "binary_log_loss"

    @classmethod
    def fit(cls, y, classes=None) -> ClassificationTargets:
        """The encoding of ``y``'s classes (or of ``classes``, for ``partial_fit``)."""
        y = as_column_target(y)
        binarizer = LabelBinarizer()
        try:
            if classes is not None and not type_of_target(y).startswith("multilabel"):
                binarizer.fit(classes)
            else:
                binarizer.fit(y)
        except TypeError as error:  # sorting labels of different types
            kinds = sorted({type(label).__name__ for label in np.ravel(
                y if classes is None else classes)})
            raise ValueError(
                f"The class labels mix types that cannot be ordered ({', '.join(kinds)}): "
                f"{error}. Give every label the same type, e.g. y.astype(str).") from None
        return cls(binarizer)

    def check_same_classes(self, y) -> None:
        """A warm start needs the classes of the previous fit."""
        classes = unique_labels(as_column_target(y))
        if set(classes) != set(self.classes):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in the "
                f"previous call to fit. Previously got {self.classes}, `y` has {classes}")

    def check_known_classes(self, y) -> None:
        """``partial_fit`` may not bring new classes."""
        classes = unique_labels(as_column_target(y))
        if len(np.setdiff1d(classes, self.classes, assume_unique=True)):
            raise ValueError(
                f"`y` has classes not in `self.classes_`. `self.classes_` has "
                f"{self.classes}. 'y' has {classes}.")

    def encode(self, y, dtype, estimator_name: str = "MLPClassifier") -> np.ndarray:
        """Label indicators, ``(n, n_outputs)`` floats."""
        return self.binarizer.transform(as_column_target(y)).astype(dtype)

    def encode_validation(self, y_val, dtype, estimator_name: str) -> np.ndarray:
        """The targets of an explicit validation set (no new classes)."""
        y_val = as_column_target(np.asarray(y_val))
        unknown = np.setdiff1d(unique_labels(y_val), self.classes)
        if len(unknown):
            raise ValueError(
                f"y_val has classes {unknown} that are not in y ({self.classes}).")
        return self.encode(y_val, dtype)

    def strata(self, Y: np.ndarray) -> np.ndarray:
        """Class of each sample (its label set for multilabel targets)."""
        if self.multilabel:
            return Y
        return Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0]

    def decode(self, P: np.ndarray):
        """Class labels from network outputs. For outputs of another Array API
        namespace the labels are found on the host and returned in P's
        namespace and device when they are numbers (strings stay numpy)."""
        P_host = to_numpy(P)
        labels = self.binarizer.inverse_transform(
            P_host.ravel() if P_host.shape[1] == 1 else P_host)
        if is_numpy(P) or labels.dtype.kind not in "biuf":
            return labels
        return move(labels, P)

    def probabilities(self, P: np.ndarray) -> np.ndarray:
        """Class probabilities in the order of ``classes`` from network outputs."""
        if P.shape[1] == 1:
            if is_numpy(P):
                p = P[:, 0]
                return np.column_stack([1 - p, p])
            return namespace(P).concat([1 - P, P], axis=1)
        return P
