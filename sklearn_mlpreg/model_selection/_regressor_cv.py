"""MLPRegressorCV: MLPRegressor with lambda chosen by cross-validation."""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin

from .._regressor import MLPRegressor
from ._alpha_search import DEFAULT_ALPHAS, _BaseMLPCV


class MLPRegressorCV(RegressorMixin, _BaseMLPCV):
    """MLPRegressor with the penalty strength alpha (lambda) chosen by CV.

    The alpha-only case of :class:`~sklearn_mlpreg.model_selection.BatchedGridSearchCV`,
    as an estimator. Every (alpha, fold) network trains in one batched run:
    model (alpha, fold) is the network ``MLPRegressor(alpha=alpha,
    random_state=random_state)`` trains alone on that fold, and the results are
    formatted by the batched search's code, so ``cv_results_`` equals
    ``GridSearchCV``'s over ``{"alpha": alphas}`` with the same ``cv``. The best
    alpha is then refit on all the data. With ``solver='lbfgs'`` the networks
    are fit one by one (through joblib with ``n_jobs``); L-BFGS cannot share a
    stack.

    Parameters other than ``alphas``, ``cv``, ``scoring``, ``n_jobs``, ``alpha_rule``
    and ``refit`` are
    those of :class:`MLPRegressor`.

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
        How to score a fold: None is R^2 (the estimator's ``score``); any
        scikit-learn scorer name or callable otherwise.

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

    loss : {'squared_error', 'poisson'}, default='squared_error'
        Half squared error with an identity output, or half Poisson deviance with
        an exponential output (requires ``y >= 0``). With several outputs the
        losses are summed over outputs: scikit-learn reports the mean over
        outputs of the squared error but steps along the gradient of the sum;
        the steps agree, the reported loss here is the objective they minimize.

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

    mc_samples : int, default=100
        Number of stochastic forward passes of ``predict(X, return_std=True)``
        (Monte-Carlo dropout).

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

    See Also
    --------
    sklearn_mlpreg.MLPRegressor : The estimator tuned and refit.
    sklearn_mlpreg.model_selection.BatchedGridSearchCV : The search over any parameters.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.datasets import make_regression
    >>> from sklearn_mlpreg import MLPRegressorCV
    >>> X, y = make_regression(n_samples=60, n_features=5, noise=10, random_state=0)
    >>> model = MLPRegressorCV(hidden_layer_sizes=(20,), alphas=[0.01, 1, 100],
    ...                        solver="adam", learning_rate_init=0.01, max_iter=300,
    ...                        random_state=0).fit(X, y / y.std())
    >>> table = pd.DataFrame(model.cv_results_)[["param_alpha", "mean_train_score",
    ...                                          "mean_test_score"]]
    >>> model.alpha_ in (0.01, 1.0, 100.0)
    True
    """

    _estimator_class = MLPRegressor
    _parameter_constraints: dict = {
        **{k: v for k, v in MLPRegressor._parameter_constraints.items() if k != "alpha"},
        **_BaseMLPCV._cv_constraints,
    }

    def __init__(self, *, alphas=DEFAULT_ALPHAS, cv=None, scoring=None, n_jobs=None,
                 alpha_rule="best", refit=True,
                 loss="squared_error", hidden_layer_sizes=(100,), activation="relu",
                 solver="adam", batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 penalty="l2", l1_ratio=0.15, dropout=0.0, weight_init="glorot_uniform",
                 restore_best_weights=True, dropout_mode="inverted", mc_samples=100):
        self.alphas = alphas
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.alpha_rule = alpha_rule
        self.refit = refit
        self.loss = loss
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
        self.mc_samples = mc_samples

    def predict(self, X, return_std=False):
        """Predict with the estimator refit at ``alpha_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        return_std : bool, default=False
            Also return the standard deviation of ``mc_samples`` Monte-Carlo
            dropout predictions (needs ``dropout`` > 0), as
            :meth:`MLPRegressor.predict` does.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions of ``best_estimator_``.
        y_std : ndarray of the same shape
            Their standard deviation, when ``return_std``.
        """
        return self._refit_estimator("predict", X, return_std=return_std)

    def predict_interval(self, X, confidence_level=0.9):
        """Prediction intervals from the fold networks: CV+ (jackknife+ when
        ``cv`` is leave-one-out; Barber et al., 2021).

        Each training row's out-of-fold residual ``R_i = |y_i - mu_k(i)(x_i)|``
        (``mu_k(i)`` the network of the split that held row ``i`` out) and each
        fold network's prediction on ``X`` give the interval
        ``[q_lo(mu_k(i)(x) - R_i), q_hi(mu_k(i)(x) + R_i)]``, equal to MAPIE's
        ``CrossConformalRegressor(MLPRegressor(alpha=alpha_, ...),
        method="plus", cv=<the same folds>)``, with no fit beyond the CV's.
        With fixed settings, CV+ covers a new row with probability at least
        ``1 - 2 (1 - confidence_level)`` (in practice near
        ``confidence_level``). Here alpha was chosen on the same folds, which
        makes the residuals slightly optimistic: on small tables expect
        coverage a little under the level (the user guide measures it).
        Sample weights do not enter the intervals.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        confidence_level : float or list of float, default=0.9
            Levels strictly between 0 and 1.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The fold networks' average, each weighted by the rows it held out
            (MAPIE's aggregated prediction).
        y_intervals : ndarray of shape (n_samples, 2, n_levels)
            Lower (``[:, 0, :]``) and upper (``[:, 1, :]``) bounds per level.
        """
        networks = self._fold_networks_of("predict_interval")
        if np.ndim(networks.targets) > 1:
            raise ValueError(
                "predict_interval supports one target; this MLPRegressorCV was fitted "
                f"on {np.shape(networks.targets)[1]}. Fit one MLPRegressorCV per "
                "output for intervals.")
        return networks.intervals(X, networks.targets, confidence_level,
                                  "predict_interval")

