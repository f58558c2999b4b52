"""MLPClassifierCV: MLPClassifier with lambda chosen by cross-validation."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin

from .._classifier import MLPClassifier
from ._alpha_search import DEFAULT_ALPHAS, _BaseMLPCV


class MLPClassifierCV(ClassifierMixin, _BaseMLPCV):
    """MLPClassifier with the penalty strength alpha (lambda) chosen by CV.

    The alpha-only case of :class:`~sklearn_mlpreg.model_selection.BatchedGridSearchCV`,
    as an estimator. Every (alpha, fold) network trains in one batched run:
    model (alpha, fold) is the network ``MLPClassifier(alpha=alpha,
    random_state=random_state)`` trains alone on that fold, each sized for the
    classes of its own training fold, and the results are formatted by the
    batched search's code, so ``cv_results_`` equals ``GridSearchCV``'s over
    ``{"alpha": alphas}`` with the same ``cv`` (folds are stratified by
    default). By default alpha is chosen by log loss. The best alpha is then
    refit on all the data. With ``solver='lbfgs'`` the networks are fit one by
    one.

    Parameters other than ``alphas``, ``cv``, ``scoring``, ``n_jobs``, ``alpha_rule``
    and ``refit`` are
    those of :class:`MLPClassifier`.

    Parameters
    ----------
    alphas : array-like of float, default=(1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100)
        The lambda grid (values of ``alpha``). Lambda is divided by the number of
        training rows (the lecture's ``lambda / n``), so a large data set may need
        larger values: a warning says when the best alpha is the grid's largest
        or smallest.

    cv : int, cross-validation generator or iterable, default=None
        As in ``GridSearchCV``: None is 5-fold (stratified for classifiers).

    scoring : str or callable, default=None
        How to score a fold: None is ``'neg_log_loss'`` (the quality of the
        probabilities, as scikit-learn's ``LogisticRegressionCV`` is moving to;
        pass ``'accuracy'`` for the choice by accuracy, the default of version
        0.1); any scikit-learn scorer name or callable otherwise.

    n_jobs : int, default=None
        Split the stack of (alpha, fold) networks into this many chunks run in
        parallel through joblib (a Dask or Ray joblib backend spreads them over a
        cluster). None means 1 unless in a ``joblib.parallel_backend`` context.

    alpha_rule : {'best', '1se'}, default='best'
        Which alpha the fit takes: the best mean test score, or the largest
        alpha whose mean test score is at least the best mean minus the best
        alpha's standard error (the ``ddof=1`` deviation of its split scores
        over ``sqrt(n_splits)``), glmnet's ``lambda.1se``: the simplest network
        the data cannot tell from the best, steadier on small tables.
        ``cv_results_`` is the same for both;
        ``alpha_best_`` and ``alpha_1se_`` give each rule's alpha.

    refit : bool, default=True
        Refit a network on all rows at ``alpha_`` (``best_estimator_``). False
        predicts with the average of ``alpha_``'s fold networks instead, each
        weighted by the rows it held out (probabilities for a classifier), as
        ``LogisticRegressionCV(refit=False)`` averages its folds: no refit, and
        on small data often as good (see the user guide).

    hidden_layer_sizes : array-like of shape (n_layers - 2,) or int, default=(100,)
        The ith element is the number of neurons in the ith hidden layer.

    activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu'}, default='relu'
        Activation of the hidden layers: ``f(x) = x``, ``1 / (1 + exp(-x))``,
        ``tanh(x)``, ``max(0, x)``, or ``x if x > 0 else 0.01 x``.
        ``'leaky_relu'`` is an addition to scikit-learn's set.

    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        The optimizer: quasi-Newton L-BFGS (full batch, often best on small
        data), stochastic gradient descent, or Adam.

    batch_size : int, default='auto'
        Size of the mini-batches of the stochastic solvers; ``'auto'`` is
        ``min(200, n_samples)``. Ignored by ``'lbfgs'``.

    learning_rate : {'constant', 'invscaling', 'adaptive', 'cosine'}, default='constant'
        Step-size schedule. As in scikit-learn, ``'invscaling'`` and
        ``'adaptive'`` apply to ``solver='sgd'`` only: constant
        ``learning_rate_init``; ``learning_rate_init / (t + 1) ** power_t``
        after ``t`` samples; or divided by 5 whenever the stopping criterion
        fires (stops below 1e-6). ``'cosine'`` (this library's) applies to both
        ``'sgd'`` and ``'adam'``: during epoch ``e`` of ``T = max_iter`` the step
        size (Adam's ``eta``) is ``learning_rate_init * (1 + cos(pi * min(e, T)
        / T)) / 2``, from ``learning_rate_init`` towards 0 at the last epoch;
        unlike ``'invscaling'`` it follows epochs, not samples, and it ends
        near zero whatever the data size. ``partial_fit`` counts its calls as
        epochs (the rate is 0 after ``max_iter`` calls). L-BFGS refuses it.

    learning_rate_init : float, default=0.001
        Initial step size of ``'sgd'`` and ``'adam'``.

    power_t : float, default=0.5
        Exponent of the ``'invscaling'`` schedule.

    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or iterations (L-BFGS).

    shuffle : bool, default=True
        Reorder the samples before every epoch (stochastic solvers).

    random_state : int, RandomState instance or None, default=None
        Controls every random draw: initial weights, the early-stopping split,
        shuffling and dropout masks. An int gives the same weights as
        scikit-learn's MLP with the same seed.

    tol : float, default=1e-4
        Improvement of the loss (or validation score) below which an epoch
        counts as no improvement; for L-BFGS, the gradient tolerance.

    verbose : bool, default=False
        Print the loss of every epoch.

    warm_start : bool, default=False
        Start ``fit`` from the current weights (with a fresh optimizer).

    momentum : float, default=0.9
        Momentum of ``'sgd'``, in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``'sgd'``.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (or use
        ``X_val``/``y_val`` given to ``fit``) and stop when the validation score
        has not improved by ``tol`` for ``n_iter_no_change`` epochs. Classifiers
        stratify the split by class (by label set for multilabel targets).

    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping.

    beta_1 : float, default=0.9
        Decay of Adam's first-moment estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay of Adam's second-moment estimate, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability constant.

    n_iter_no_change : int, default=10
        Epochs without improvement tolerated before stopping.

    max_fun : int, default=15000
        Maximum number of loss evaluations of ``'lbfgs'``.

    penalty : {'l2', 'l1', 'elasticnet', 'group'} or None, default='l2'
        Weight penalty ``R(W)`` (biases are never penalized): ``||W||^2 / 2``,
        ``||W||_1``, or ``l1_ratio ||W||_1 + (1 - l1_ratio) ||W||^2 / 2``, as
        in :class:`~sklearn.linear_model.SGDRegressor`, or ``'group'``: a group
        lasso over the inputs, ``sum_j ||W1[j, :]||_2`` on the first layer's
        weights (one group per input) plus ``||W||^2 / 2`` on the later layers,
        which zeroes whole inputs (``feature_importances_`` 0); needs
        ``solver='adam'`` or ``'sgd'`` and a hidden layer.

    l1_ratio : float, default=0.15
        Share of L1 in ``penalty='elasticnet'``, in [0, 1].

    dropout : float or array-like of float, default=0.0
        Drop rate ``p`` of the hidden units during training, one for all hidden
        layers or one per hidden layer, in [0, 1). No dropout at predict time.

    weight_init : {'glorot_uniform', 'he_normal'}, float or tuple, default='glorot_uniform'
        Initial weights: scikit-learn's Glorot uniform draw, He's normal draw,
        or, for a float ``sigma``, every weight and bias from ``N(0, sigma^2)``
        (small initial weights, e.g. 0.002, regularize). A tuple
        ``(coefs, intercepts)`` (as ``coefs_`` and ``intercepts_``) starts from
        those weights, so that ``random_state`` then drives only the training's
        own randomness (shuffling, dropout, the early-stopping split).

    restore_best_weights : bool, default=True
        With early stopping, end with the weights of the best validation epoch
        (scikit-learn's behaviour); otherwise keep the last epoch's weights.

    dropout_mode : {'inverted', 'weight_scaling'}, default='inverted'
        How dropout keeps the expected activation: ``'inverted'`` scales the kept
        units by ``1 / (1 - p)`` during training; ``'weight_scaling'`` (the
        lecture's version) trains unscaled and multiplies the weights leaving a
        dropout layer by ``1 - p`` at predict time (``coefs_`` keeps the trained
        weights). Either way a unit's expected contribution to the next layer
        during training equals its contribution at predict time:
        ``E[m h / (1 - p)] w = h w`` and ``E[m h] w = h ((1 - p) w)`` with
        ``m ~ Bernoulli(1 - p)``.

    class_weight : dict, list of dict or 'balanced', default=None
        Weights of the classes (``MLPClassifier`` only), with
        ``LogisticRegression``'s semantics: each sample's weight is its
        ``sample_weight`` times the weight of its class, so the fit equals one
        with ``sample_weight=compute_sample_weight(class_weight, y)``.
        ``'balanced'`` gives class ``c`` the weight ``n_samples / (n_classes *
        n_c)``; a dict maps labels to weights (missing classes weigh 1). For
        multilabel targets: ``'balanced'`` or a list of one dict per label (the
        weights of 0 and 1), a sample's weight being the product over labels
        (scikit-learn's multi-output convention). An early-stopping or explicit
        validation set is weighted by the training set's class weights.
        ``partial_fit`` takes a dict only.

    Attributes
    ----------
    alpha_ : float
        The alpha chosen by ``alpha_rule`` (by default the best mean test score).

    alpha_best_ : float
        The alpha with the best mean test score (``alpha_rule='best'``).

    alpha_1se_ : float
        The largest alpha within one standard error of the best
        (``alpha_rule='1se'``).

    alpha_wins_ : ndarray of shape (n_alphas,) or None
        With a repeated splitter (``RepeatedKFold``, ``RepeatedStratifiedKFold``),
        how often each alpha has the best mean score over one repeat's folds
        (summing to the number of repeats); None otherwise.

    fold_estimators_ : list of estimators
        ``alpha_``'s network of each split, trained on its training rows (kept
        by the fit: ``refit=False`` predicts with them, ``predict_interval`` /
        ``predict_set`` calibrate on their out-of-fold predictions).

    alphas_ : ndarray of shape (n_alphas,)
        The grid searched.

    best_score_ : float
        Mean test score of ``alpha_``.

    best_index_ : int
        Index of ``alpha_`` in ``alphas_`` and in ``cv_results_``.

    best_estimator_ : estimator
        A plain estimator with ``alpha=alpha_``, refit on all the data (with
        ``refit=True`` only).

    cv_results_ : dict of ndarray
        Formatted by the batched search's code, laid out as
        ``GridSearchCV.cv_results_``: ``params``, ``param_alpha``,
        ``split{k}_test_score``, ``mean_test_score``, ``std_test_score``,
        ``rank_test_score``, ``split{k}_train_score``, ``mean_train_score``,
        ``std_train_score``, and ``mean_fit_time``, ``std_fit_time``,
        ``mean_score_time``, ``std_score_time`` (each network's share of its
        stack's training and scoring time, as in ``BatchedGridSearchCV``).
        ``pandas.DataFrame(cv_results_)`` is the lambda table.

    n_iter_ : ndarray of shape (n_alphas, n_splits)
        Epochs (or iterations) each (alpha, fold) network ran.

    n_splits_ : int
        Number of cross-validation splits.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit (string column names only).

    classes_ : ndarray or list of ndarray of shape (n_classes,)
        Class labels.

    See Also
    --------
    sklearn_mlpreg.MLPClassifier : The estimator tuned and refit.
    sklearn_mlpreg.model_selection.BatchedGridSearchCV : The search over any parameters.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_mlpreg import MLPClassifierCV
    >>> X, y = load_iris(return_X_y=True)
    >>> model = MLPClassifierCV(hidden_layer_sizes=(10,), alphas=[0.01, 1, 100], cv=3,
    ...                         learning_rate_init=0.01, max_iter=200,
    ...                         random_state=0).fit(X, y)
    >>> model.alpha_ in (0.01, 1.0, 100.0)
    True
    >>> model.cv_results_["rank_test_score"].shape
    (3,)
    """

    _estimator_class = MLPClassifier
    _parameter_constraints: dict = {
        **{k: v for k, v in MLPClassifier._parameter_constraints.items() if k != "alpha"},
        **_BaseMLPCV._cv_constraints,
    }

    def __init__(self, *, alphas=DEFAULT_ALPHAS, cv=None, scoring=None, n_jobs=None,
                 alpha_rule="best", refit=True,
                 hidden_layer_sizes=(100,), activation="relu", solver="adam",
                 batch_size="auto", learning_rate="constant", learning_rate_init=0.001,
                 power_t=0.5, max_iter=200, shuffle=True, random_state=None, tol=1e-4,
                 verbose=False, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, n_iter_no_change=10, max_fun=15000, penalty="l2",
                 l1_ratio=0.15, dropout=0.0, weight_init="glorot_uniform",
                 restore_best_weights=True, dropout_mode="inverted", class_weight=None):
        self.alphas = alphas
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.alpha_rule = alpha_rule
        self.refit = refit
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.dropout = dropout
        self.weight_init = weight_init
        self.restore_best_weights = restore_best_weights
        self.dropout_mode = dropout_mode
        self.class_weight = class_weight

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
        return self._refit_estimator("predict_proba", X)

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
        return self._refit_estimator("predict_log_proba", X)

    def predict(self, X):
        """Class labels of the estimator refit at ``alpha_`` (``refit=False``: the
        most probable class of the fold networks' average probabilities;
        multilabel: each label whose average probability is at least 0.5).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels.
        """
        if self.refit:
            return self._refit_estimator("predict", X)
        proba = self.predict_proba(X)
        if np.ndim(self._fold_networks.targets) > 1:  # multilabel
            return (proba >= 0.5).astype(int)
        return self.classes_[np.argmax(proba, axis=1)]

    def predict_set(self, X, confidence_level=0.9):
        """Conformal prediction sets from the fold networks (cross-conformal,
        LAC score), as MAPIE's ``CrossConformalClassifier`` computes them with
        ``MLPClassifier(alpha=alpha_, ...)`` and the same folds.

        Class ``c`` is in the set of ``x`` when ``1 - p(c | x)`` (``p`` the fold
        networks' mean probability) is within the conformal quantile of the
        training rows' out-of-fold scores ``1 - p_k(i)(y_i | x_i)``. The set
        holds the true class with probability about ``confidence_level``
        (alpha was chosen on the same folds: slightly optimistic, see
        :meth:`MLPRegressorCV.predict_interval`).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        confidence_level : float or list of float, default=0.9
            Levels strictly between 0 and 1.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            :meth:`predict` (MAPIE's point prediction is the refit network's).
        y_sets : ndarray of bool of shape (n_samples, n_classes, n_levels)
            Whether each class of ``classes_`` is in the set, per level.
        """
        networks = self._fold_networks_of("predict_set")
        if np.ndim(networks.targets) > 1:
            raise ValueError("predict_set supports one label per sample; this "
                             "MLPClassifierCV was fitted on multilabel targets.")
        return networks.sets(X, networks.targets, confidence_level,
                             "predict_set", y_pred=self.predict(X))
