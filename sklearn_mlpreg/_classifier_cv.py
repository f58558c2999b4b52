"""MLPClassifierCV: MLPClassifier with lambda chosen by cross-validation."""

from __future__ import annotations

from sklearn.base import ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ._base import set_init_params
from ._classifier import MLPClassifier
from ._cv import _BaseMLPCV
from ._docs import (
    COMMON_PARAMETERS,
    CV_ATTRIBUTES,
    CV_PARAMETERS,
    estimator_docstring,
    without,
)


class MLPClassifierCV(ClassifierMixin, _BaseMLPCV):
    __doc__ = estimator_docstring(
        """MLPClassifier with the penalty strength alpha (lambda) chosen by cross-validation.

Every (alpha, fold) network trains in one batched run: model (alpha, fold)
is the network ``MLPClassifier(alpha=alpha, random_state=random_state)``
trains alone on that fold, so ``cv_results_`` equals ``GridSearchCV``'s over
``{"alpha": alphas}`` with the same ``cv`` (folds are stratified by
default). The output layer is sized for the classes of all of ``y``. The
best alpha is then refit on all the data. With ``solver='lbfgs'`` the
networks are fit one by one.

Parameters other than ``alphas``, ``cv``, ``scoring`` and ``n_jobs`` are
those of :class:`MLPClassifier`.""",
        first_parameters=CV_PARAMETERS + "\n",
        attributes="""
classes_ : ndarray of shape (n_classes,)
    Class labels.
""",
    ).replace(COMMON_PARAMETERS, without(COMMON_PARAMETERS, "alpha")).replace(
        "Attributes\n----------\n", "Attributes\n----------\n" + CV_ATTRIBUTES + "\n", 1)

    _estimator_class = MLPClassifier
    _parameter_constraints: dict = {
        **{k: v for k, v in MLPClassifier._parameter_constraints.items() if k != "alpha"},
        **_BaseMLPCV._cv_constraints,
    }

    def __init__(
        self,
        *,
        alphas=None,
        cv=None,
        scoring=None,
        n_jobs=None,
        hidden_layer_sizes=(100,),
        activation="relu",
        solver="adam",
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
    ):
        set_init_params(self, locals())

    def predict_proba(self, X):
        """Class probabilities of the estimator refit at ``alpha_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        check_is_fitted(self)
        return self.best_estimator_.predict_proba(X)

    def predict_log_proba(self, X):
        """Log of the class probabilities of the estimator refit at ``alpha_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``.
        """
        check_is_fitted(self)
        return self.best_estimator_.predict_log_proba(X)
