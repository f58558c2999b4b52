"""MLPClassifier: the drop-in replacement of scikit-learn's, in readable numpy."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import _check_partial_fit_first_call

from ._base import BaseMLP, if_stochastic, set_init_params
from ._checks import clearer_input_errors
from ._docs import CLASSIFIER_ATTRIBUTES, COMMON_ATTRIBUTES, documented
from ._engine import is_numpy, namespace
from .callbacks._support import with_callbacks

_SUMMARY = """Multi-layer perceptron classifier trained by backpropagation.

Accepts every parameter of :class:`sklearn.neural_network.MLPClassifier`
with the same meaning and default, plus the lecture's regularization recipe
(``penalty``, ``l1_ratio``, ``dropout``, ``weight_init``,
``restore_best_weights``), ``class_weight`` and the ``'cosine'`` schedule.
It minimizes the cross entropy (softmax output
for multiclass targets, logistic outputs for binary and multilabel ones)
plus ``alpha * R(W) / n``. Early stopping's validation split is stratified
for every target type."""

_EXAMPLES = """
Examples
--------
>>> from sklearn.datasets import load_iris
>>> from sklearn_mlpreg import MLPClassifier
>>> X, y = load_iris(return_X_y=True)
>>> clf = MLPClassifier(hidden_layer_sizes=(10,), solver="lbfgs",
...                     max_iter=500, random_state=0).fit(X, y)
>>> clf.score(X, y) > 0.95
True
"""


@documented(_SUMMARY, [COMMON_ATTRIBUTES, CLASSIFIER_ATTRIBUTES], _EXAMPLES)
class MLPClassifier(ClassifierMixin, BaseMLP):
    _is_classifier = True
    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "class_weight": [dict, list, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        penalty="l2",
        l1_ratio=0.15,
        dropout=0.0,
        weight_init="glorot_uniform",
        restore_best_weights=True,
        dropout_mode="inverted",
        class_weight=None,
    ):
        set_init_params(self, locals())

    @if_stochastic
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
        with clearer_input_errors(type(self).__name__, False, X, y,
                                  names=("X", "y" if classes is None else "classes")):
            first_call = _check_partial_fit_first_call(self, classes)
        return self._fit(X, y, sample_weight, incremental=True,
                         classes=classes if first_call else None)

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
        return self._spec.targets.decode(P)

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
        P = self._forward(X, "predict_proba")
        return self._spec.targets.probabilities(P)

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
        P = self._forward(X, "predict_log_proba")
        proba = self._spec.targets.probabilities(P)
        if not is_numpy(proba):
            return namespace(proba).log(proba)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
