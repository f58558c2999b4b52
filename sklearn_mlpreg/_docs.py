"""The MLPs' docstrings, assembled from numpydoc entries written once.

Every parameter and fitted attribute of ``MLPRegressor`` and ``MLPClassifier``
is described once below, as a numpydoc section (the CV estimators write their
docstrings out in their classes, as scikit-learn does). :func:`documented` (a class decorator)
builds a class's docstring from its summary, the entries of the parameters in
its ``__init__`` signature (in signature order) and the entries of the
attributes it names, so a description is never patched into another one.
"""

import inspect

COMMON_PARAMETERS = """\
hidden_layer_sizes : array-like of shape (n_layers - 2,) or int, default=(100,)
    The ith element is the number of neurons in the ith hidden layer.

activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu'}, default='relu'
    Activation of the hidden layers: ``f(x) = x``, ``1 / (1 + exp(-x))``,
    ``tanh(x)``, ``max(0, x)``, or ``x if x > 0 else 0.01 x``.
    ``'leaky_relu'`` is an addition to scikit-learn's set.

solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
    The optimizer: quasi-Newton L-BFGS (full batch, often best on small
    data), stochastic gradient descent, or Adam.

alpha : float, default=0.0001
    Strength lambda of the penalty. The penalty is divided by the (weighted)
    number of training samples ``n``: the objective is
    ``mean_loss + alpha * R(W) / n`` with ``R(W) = ||W||^2 / 2`` for L2.
    Unlike scikit-learn, which divides by the size of the current
    mini-batch, ``n`` is always the size of the training set, so the same
    ``alpha`` means the same regularization for every solver and batch
    size; with full batches the two agree.

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

dropout_mode : {'inverted', 'weight_scaling'}, default='inverted'
    How dropout keeps the expected activation: ``'inverted'`` scales the kept
    units by ``1 / (1 - p)`` during training; ``'weight_scaling'`` (the
    lecture's version) trains unscaled and multiplies the weights leaving a
    dropout layer by ``1 - p`` at predict time (``coefs_`` keeps the trained
    weights). Either way a unit's expected contribution to the next layer
    during training equals its contribution at predict time:
    ``E[m h / (1 - p)] w = h w`` and ``E[m h] w = h ((1 - p) w)`` with
    ``m ~ Bernoulli(1 - p)``.
"""

COMMON_ATTRIBUTES = """\
loss_ : float
    The loss (objective) at the end of training.

best_loss_ : float or None
    Lowest training loss seen (stochastic solvers); None with early stopping.

loss_curve_ : list of float
    Training loss after every epoch (every iteration for ``'lbfgs'``).

validation_scores_ : list of float or None
    Validation score (R^2 or accuracy) after every epoch when there is a
    validation set, else None.

validation_loss_curve_ : list of float or None
    Validation loss (data term, no penalty) after every epoch when there is
    a validation set, else None.

best_validation_score_ : float or None
    Best validation score with early stopping, else None.

gradient_norms_ : ndarray of shape (len(loss_curve_), n_layers_ - 1)
    Norm of each layer's weight gradient of the data loss, averaged over
    the epoch's batches: where vanishing gradients show.

saturation_ : ndarray of shape (len(loss_curve_), n_layers_ - 2)
    Per epoch and hidden layer, the share of units that pass (almost) no
    gradient, measured on the epoch's last batch (the whole training set with
    full batches): dead ReLU units (zero on every sample), or logistic / tanh
    units whose derivative is below 5% of its maximum (averaged over samples).

t_ : int
    Number of training samples seen by the stochastic solver.

coefs_ : list of ndarray of shape (n_units_in, n_units_out)
    Weight matrix of each layer.

intercepts_ : list of ndarray of shape (n_units_out,)
    Bias vector of each layer.

feature_importances_ : ndarray of shape (n_features_in_,)
    Each input's first-layer L2 norm, ``||coefs_[0][j, :]||_2`` (for every
    penalty): exactly 0 for an input the network does not use, which
    ``penalty='group'`` produces. It makes the estimator work with
    :class:`~sklearn.feature_selection.SelectFromModel`, which reads it by
    default (e.g. ``threshold=1e-12`` keeps the inputs in use).

n_features_in_ : int
    Number of features seen during fit.

feature_names_in_ : ndarray of shape (n_features_in_,)
    Names of features seen during fit (string column names only).

n_iter_ : int
    Number of epochs (iterations for ``'lbfgs'``) run by the last call.

n_layers_ : int
    Number of layers, input and output included.

n_outputs_ : int
    Number of outputs.

out_activation_ : str
    Name of the output activation.
"""

FIT_PARAMETERS = """\
X : {array-like, sparse matrix} of shape (n_samples, n_features)
    The input data.

y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    The target values (class labels for classification).

sample_weight : array-like of shape (n_samples,), default=None
    Non-negative sample weights.

X_val : {array-like, sparse matrix} of shape (n_val, n_features), default=None
    Explicit validation set: used instead of the internal split for early
    stopping, and monitored (``validation_scores_``,
    ``validation_loss_curve_``) even without early stopping.

y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
    Targets of ``X_val``.

sample_weight_val : array-like of shape (n_val,), default=None
    Weights of the validation samples.
"""


REGRESSOR_PARAMETERS = """\
loss : {'squared_error', 'poisson'}, default='squared_error'
    Half squared error with an identity output, or half Poisson deviance with
    an exponential output (requires ``y >= 0``). With several outputs the
    losses are summed over outputs: scikit-learn reports the mean over
    outputs of the squared error but steps along the gradient of the sum;
    the steps agree, the reported loss here is the objective they minimize.

mc_samples : int, default=100
    Number of stochastic forward passes of ``predict(X, return_std=True)``
    (Monte-Carlo dropout).
"""

CLASSIFIER_ATTRIBUTES = """\
classes_ : ndarray or list of ndarray of shape (n_classes,)
    Class labels.
"""


def entries(section: str) -> dict[str, str]:
    """The entries of a numpydoc section's text, by name, in order."""
    blocks = section.strip("\n").split("\n\n")
    return {block.split(" :", 1)[0]: block for block in blocks}


#: Every parameter of the library's estimators, by name.
PARAMETERS = {**entries(REGRESSOR_PARAMETERS), **entries(COMMON_PARAMETERS)}


def _section(title: str, texts) -> str:
    return f"{title}\n{'-' * len(title)}\n" + "\n\n".join(texts) + "\n"


def documented(summary: str, attributes: list[str], examples: str = ""):
    """Class decorator: the docstring from ``summary``, the entries of the
    ``__init__`` signature's parameters, and the attribute ``sections``
    (texts such as :data:`COMMON_ATTRIBUTES`)."""

    def decorate(cls):
        names = [name for name in inspect.signature(cls.__init__).parameters
                 if name != "self"]
        attribute_texts = [text for section in attributes
                           for text in entries(section).values()]
        cls.__doc__ = "\n".join([
            summary.strip("\n") + "\n",
            _section("Parameters", [PARAMETERS[name] for name in names]),
            _section("Attributes", attribute_texts),
        ]) + examples
        return cls

    return decorate


def method_docstring(summary, parameters, returns):
    """Assemble a method docstring."""
    return f"{summary}\n\nParameters\n----------\n{parameters}\nReturns\n-------\n{returns}"
