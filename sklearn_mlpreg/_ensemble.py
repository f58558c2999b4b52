"""Seed ensembles: n networks that differ in their random seed, trained in one stack.

:class:`MLPEnsembleRegressor` and :class:`MLPEnsembleClassifier` wrap one of
the library's MLPs. Member ``i`` is that MLP with ``random_state=seeds_[i]``
(and, with ``bootstrap=True``, ``sample_weight`` times its bootstrap counts):
each member equals fitting it alone (tested to 1e-10), and all of them train
in stacks (:mod:`._stacks`), so an ensemble of small networks costs far less
than n separate fits. Predictions average the members' (probabilities for
classifiers); the regressor's ``predict(X, return_std=True)`` adds the spread.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    _fit_context,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from ._arrays import (
    check_same_namespace,
    float_dtypes,
    trains_on_any_namespace,
    validated_for_fit,
)
from ._checks import check_enough_samples, check_finite_output, clearer_input_errors
from ._classifier import MLPClassifier
from ._engine import DIVERGED, DIVERGED_RESTORED, MAX_ITER, move, namespace, predict
from ._exceptions import FitDivergedError, warn
from ._persistence import SavedStateMixin
from ._plans import Block, plan_model
from ._regressor import MLPRegressor
from ._settings import N_JOBS_CONSTRAINTS, Settings
from ._spec import fit_targets, make_spec
from ._stacks import fitted_network, train_models


class _BaseMLPEnsemble(SavedStateMixin, MetaEstimatorMixin, BaseEstimator):
    """Shared machinery of the two ensembles (do not use directly)."""

    _fitted_needs = ("estimators_",)

    _member_class: type
    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_members": [Interval(Integral, 1, None, closed="left")],
        "bootstrap": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": N_JOBS_CONSTRAINTS,
    }

    def __init__(self, estimator=None, *, n_members=10, bootstrap=False, random_state=None,
                 n_jobs=None):
        self.estimator = estimator
        self.n_members = n_members
        self.bootstrap = bootstrap
        self.random_state = random_state
        self.n_jobs = n_jobs

    # -- the members' plan (shared with the batched searches) -------------------------
    def member_template(self):
        """The MLP every member copies (a fresh default one when ``estimator`` is None).

        Returns
        -------
        estimator : MLPRegressor or MLPClassifier
            ``estimator``, checked to be of the ensemble's kind.
        """
        template = self._member_class() if self.estimator is None else self.estimator
        if not isinstance(template, self._member_class):
            raise TypeError(
                f"{type(self).__name__} averages networks of {self._member_class.__name__};"
                f" got estimator={type(template).__name__}. Put preprocessing in a "
                "Pipeline around the ensemble.")
        return template

    def member_plan(self, n_rows: int) -> tuple[np.ndarray, np.ndarray | None]:
        """The members' seeds and bootstrap counts, drawn from ``random_state``.

        ``fit`` draws them this way (and the batched searches too, for each
        fold), so that member ``i`` can be refitted alone.

        Parameters
        ----------
        n_rows : int
            Number of training rows.

        Returns
        -------
        seeds : ndarray of shape (n_members,)
            Each member's ``random_state``.
        counts : ndarray of shape (n_members, n_rows) or None
            With ``bootstrap``, how often each row is drawn for each member.
        """
        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=self.n_members)
        if not self.bootstrap:
            return seeds, None
        counts = np.stack([np.bincount(rng.randint(0, n_rows, n_rows), minlength=n_rows)
                           for _ in range(self.n_members)]).astype(float)
        return seeds, counts

    def set_members(self, members: list, seeds, counts) -> None:
        """Make the ensemble the average of already fitted ``members``.

        Parameters
        ----------
        members : list of MLPRegressor or MLPClassifier
            Fitted networks of one architecture, on the same features.
        seeds : array-like of shape (n_members,)
            Their seeds (stored as ``seeds_``).
        counts : ndarray of shape (n_members, n_samples) or None
            Their bootstrap counts (stored as ``bootstrap_counts_``).
        """
        self.estimators_ = members
        self.seeds_ = np.asarray(seeds)
        self.bootstrap_counts_ = counts
        first = members[0]
        self.n_features_in_ = first.n_features_in_
        if hasattr(first, "feature_names_in_"):
            self.feature_names_in_ = first.feature_names_in_
        if hasattr(first, "classes_"):
            self.classes_ = first.classes_

    # -- fit ---------------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Train every member in one stack.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets (class labels for the classifier).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights of every member (times its bootstrap
            counts).

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        template = self.member_template()
        classifier = isinstance(self, ClassifierMixin)
        with clearer_input_errors(type(self).__name__, not classifier, X, y):
            # (another Array API namespace: the members train on X's device)
            X, y, sample_weight, device = validated_for_fit(
                self, X, y, sample_weight, solver=template.solver, classifier=classifier)
        seeds, counts = self.member_plan(X.shape[0])
        members = train_members(template, seeds, counts, X, y, sample_weight, self.n_jobs,
                                getattr(self, "feature_names_in_", None), device)
        self.set_members(members, seeds, counts)
        if device is not None:  # array attributes in X's namespace, on its device
            self.seeds_ = move(self.seeds_, device)
            self.bootstrap_counts_ = move(self.bootstrap_counts_, device)
        return self

    # -- predict -----------------------------------------------------------------------
    def _member_outputs(self, X, method: str = "predict") -> np.ndarray:
        """The members' network outputs, ``(n_members, n_samples, n_outputs)``, in
        X's namespace and on its device (that of the members' weights)."""
        check_is_fitted(self)
        with clearer_input_errors(type(self).__name__):
            X = validate_data(self, X, accept_sparse=["csr", "csc"],
                              dtype=float_dtypes(X), reset=False)
        X = X.tocsr() if sp.issparse(X) else X
        members = self.estimators_
        check_same_namespace(members[0].coefs_[0], X, type(self).__name__, method)
        xp, n_layers = namespace(members[0].coefs_[0]), len(members[0].coefs_)
        coefs = [xp.stack([m.coefs_[i] for m in members]) for i in range(n_layers)]
        intercepts = [xp.stack([m.intercepts_[i][None, :] for m in members])
                      for i in range(n_layers)]
        with np.errstate(all="ignore"):
            P = predict(X, coefs, intercepts, members[0]._spec.architecture)
        return check_finite_output(P, type(self).__name__, (*coefs, *intercepts))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = trains_on_any_namespace(getattr(self.estimator, "solver",
                                                                  None))
        return tags


def train_members(template, seeds, counts, X, y, sample_weight, n_jobs, feature_names,
                  device=None) -> list:
    """The members (plain fitted MLPs), trained in stacks: member ``i`` is
    ``template`` with ``random_state=seeds[i]``, fitted with ``sample_weight``
    times ``counts[i]`` (on ``device``, an array of another Array API
    namespace, when given)."""
    name, classifier = type(template).__name__, isinstance(template, ClassifierMixin)
    settings = Settings.validated(template)
    with clearer_input_errors(name, not classifier):
        targets = fit_targets(y, classifier=classifier, loss=settings.loss)
        Y = targets.encode(y, X.dtype, name)
    check_enough_samples(X.shape[0], name)
    spec = make_spec(settings, X.shape[1], targets)
    block = Block(X.tocsr() if sp.issparse(X) else X, Y, np.arange(X.shape[0]),
                  sample_weight, targets, shared=True, whole=True)
    inits: dict = {}
    models = [plan_model(i, settings.with_seed(int(seed)), spec, block, inits=inits,
                         counts=None if counts is None else counts[i])
              for i, seed in enumerate(seeds)]
    trained = train_models(models, n_jobs, diagnostics=True, device=device)
    _check_members([trained[m.key] for m in models], template)
    return [fitted_network(template, m, trained[m.key], feature_names, device)
            for m in models]


def _check_members(trained: list, template) -> None:
    """One error if a member diverged; one warning for members that ran out of
    epochs or kept their best validation epoch after diverging."""
    status = np.array([t.state.status[0] for t in trained])
    if (status == DIVERGED).any():
        bad = np.flatnonzero(status == DIVERGED).tolist()
        raise FitDivergedError(
            f"Members {bad} of the ensemble diverged (their training loss became "
            "non-finite or exploded). Scale the features and the target, or lower "
            "learning_rate_init.")
    n = len(status)
    for code, what in ((MAX_ITER, f"reached max_iter={template.max_iter} without "
                        "converging. Raise max_iter or learning_rate_init"),
                       (DIVERGED_RESTORED, "diverged and kept the weights of their best "
                        "validation epoch. Lower learning_rate_init")):
        if (status == code).any():
            warn(f"{int((status == code).sum())} of {n} ensemble members {what}.",
                 ConvergenceWarning)


class MLPEnsembleRegressor(RegressorMixin, _BaseMLPEnsemble):
    """An average of MLPRegressors that differ in their random seed.

    The members train in one stack of the engine (see the module's notes):
    member ``i`` equals ``clone(estimator).set_params(random_state=seeds_[i])``
    fitted alone (with ``sample_weight`` times ``bootstrap_counts_[i]`` when
    ``bootstrap=True``).

    Parameters
    ----------
    estimator : MLPRegressor, default=None
        The network every member copies; None is ``MLPRegressor()``. Its
        ``random_state`` is replaced by each member's seed.
    n_members : int, default=10
        Number of networks.
    bootstrap : bool, default=False
        Train each member on a bootstrap draw of the rows (as integer sample
        weights: a row drawn twice weighs 2, one not drawn weighs 0).
    random_state : int, RandomState instance or None, default=None
        Draws the members' seeds, then their bootstrap counts.
    n_jobs : int, default=None
        Split the stack into this many chunks run through joblib.

    Attributes
    ----------
    estimators_ : list of MLPRegressor
        The fitted members.
    seeds_ : ndarray of shape (n_members,)
        Each member's ``random_state``.
    bootstrap_counts_ : ndarray of shape (n_members, n_samples) or None
        Each member's bootstrap counts (None without ``bootstrap``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit (when ``X`` has string column names).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mlpreg import MLPEnsembleRegressor, MLPRegressor
    >>> X = np.linspace(-2, 2, 40)[:, None]
    >>> y = np.sin(2 * X[:, 0])
    >>> ensemble = MLPEnsembleRegressor(MLPRegressor(hidden_layer_sizes=(20,),
    ...     learning_rate_init=0.01, max_iter=300), n_members=5, random_state=0)
    >>> mean, std = ensemble.fit(X, y).predict(X, return_std=True)
    >>> mean.shape, std.shape
    ((40,), (40,))
    """

    _member_class = MLPRegressor

    def predict(self, X, return_std=False):
        """The members' mean prediction (and their spread).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        return_std : bool, default=False
            Also return the standard deviation of the members' predictions.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The mean of the members' predictions.
        std : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Their standard deviation (only with ``return_std=True``).
        """
        P = self._member_outputs(X)
        xp, decode = namespace(P), self.estimators_[0]._spec.targets.decode
        mean = decode(xp.mean(P, axis=0))
        return (mean, decode(xp.std(P, axis=0))) if return_std else mean


class MLPEnsembleClassifier(ClassifierMixin, _BaseMLPEnsemble):
    """An average of MLPClassifiers that differ in their random seed.

    The members train in one stack of the engine: member ``i`` equals
    ``clone(estimator).set_params(random_state=seeds_[i])`` fitted alone
    (with ``sample_weight`` times ``bootstrap_counts_[i]`` when
    ``bootstrap=True``). ``predict_proba`` averages the members'
    probabilities; ``predict`` takes the most probable class of the average
    (for multilabel targets, the labels whose average probability is over 0.5).

    Parameters
    ----------
    estimator : MLPClassifier, default=None
        The network every member copies; None is ``MLPClassifier()``. Its
        ``random_state`` is replaced by each member's seed.
    n_members : int, default=10
        Number of networks.
    bootstrap : bool, default=False
        Train each member on a bootstrap draw of the rows (as integer sample
        weights).
    random_state : int, RandomState instance or None, default=None
        Draws the members' seeds, then their bootstrap counts.
    n_jobs : int, default=None
        Split the stack into this many chunks run through joblib.

    Attributes
    ----------
    estimators_ : list of MLPClassifier
        The fitted members.
    seeds_ : ndarray of shape (n_members,)
        Each member's ``random_state``.
    bootstrap_counts_ : ndarray of shape (n_members, n_samples) or None
        Each member's bootstrap counts (None without ``bootstrap``).
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit (when ``X`` has string column names).
    """

    _member_class = MLPClassifier

    def predict_proba(self, X):
        """The members' mean class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        return self._mean_probabilities(X, "predict_proba")

    def _mean_probabilities(self, X, method: str):
        P = self._member_outputs(X, method)
        return self.estimators_[0]._spec.targets.probabilities(namespace(P).mean(P, axis=0))

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        proba = self._mean_probabilities(X, "predict_log_proba")
        with np.errstate(divide="ignore"):
            return namespace(proba).log(proba)

    def predict(self, X):
        """The most probable class of the members' mean probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            The predicted classes.
        """
        P = self._member_outputs(X)
        return self.estimators_[0]._spec.targets.decode(namespace(P).mean(P, axis=0))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
