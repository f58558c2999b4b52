"""MLPClassifier: the drop-in replacement of scikit-learn's, in readable numpy."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import column_or_1d, validate_data

from ._base import BaseMLP
from ._callbacks import with_callbacks
from ._docs import estimator_docstring


class MLPClassifier(ClassifierMixin, BaseMLP):
    __doc__ = estimator_docstring(
        """Multi-layer perceptron classifier trained by backpropagation.

Accepts every parameter of :class:`sklearn.neural_network.MLPClassifier`
with the same meaning and default, plus the lecture's regularization recipe
(``penalty``, ``l1_ratio``, ``dropout``, ``weight_init``,
``restore_best_weights``). It minimizes the cross entropy (softmax output
for multiclass targets, logistic outputs for binary and multilabel ones)
plus ``alpha * R(W) / n``. Early stopping's validation split is stratified
for every target type.""",
        attributes="""
classes_ : ndarray or list of ndarray of shape (n_classes,)
    Class labels.
""",
        examples="""
Examples
--------
>>> from sklearn.datasets import load_iris
>>> from sklearn_mlpreg import MLPClassifier
>>> X, y = load_iris(return_X_y=True)
>>> clf = MLPClassifier(hidden_layer_sizes=(10,), solver="lbfgs",
...                     max_iter=500, random_state=0).fit(X, y)
>>> clf.score(X, y) > 0.95
True
""",
    )

    _score_name = "accuracy"

    @available_if(lambda est: est._check_solver())
    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with one epoch over the given data.

        The optimizer's state carries over between calls. Not available with
        ``solver='lbfgs'``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            The class labels (or a multilabel indicator matrix).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.
        classes : array-like of shape (n_classes,), default=None
            All the classes of all calls; required on the first call.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            The predicted classes.
        """
        P = self._forward(X)
        if self.n_outputs_ == 1:
            P = P.ravel()
        return self._label_binarizer.inverse_transform(P)

    def predict_proba(self, X):
        """Probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities in the order of ``classes_`` (for multilabel
            targets, the probability of each label).
        """
        P = self._forward(X)
        if self.n_outputs_ == 1:
            p = P[:, 0]
            return np.column_stack([1 - p, p])
        return P

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``.
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    # -- hooks ---------------------------------------------------------------
    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
            dtype=(np.float64, np.float32), reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same "
                        "classes as in the previous call to fit. Previously "
                        f"got {self.classes_}, `y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    "`y` has classes not in `self.classes_`. "
                    f"`self.classes_` has {self.classes_}. 'y' has {classes}."
                )
        return X, self._label_binarizer.transform(y).astype(X.dtype)

    def _validation_targets(self, y_val, dtype):
        y_val = np.asarray(y_val)
        if y_val.ndim == 2 and y_val.shape[1] == 1:
            y_val = column_or_1d(y_val, warn=True)
        unknown = np.setdiff1d(unique_labels(y_val), self.classes_)
        if len(unknown):
            raise ValueError(
                f"y_val has classes {unknown} that are not in y ({self.classes_})."
            )
        return self._label_binarizer.transform(y_val).astype(dtype)

    def _strata(self, Y):
        if self._label_binarizer.y_type_.startswith("multilabel"):
            return Y
        return Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0]

    def _output_setup(self):
        if self._label_binarizer.y_type_ == "multiclass":
            return "softmax", "log_loss"
        return "logistic", "binary_log_loss"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
