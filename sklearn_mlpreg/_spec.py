"""The model specification: built once, from the parameters and the data.

:func:`make_spec` is the one place that reads the estimator's parameters and
the validated data and decides what network to train: its layers, hidden
and output activations, dropout, loss, validation score and target encoding.
``fit``, ``partial_fit`` and every cross-validation / search estimator use it,
together with the other helpers here that turn parameters into engine
objects (:func:`training_config`, :func:`make_optimizer`,
:func:`initial_params`), so that no caller needs a half-built estimator.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.utils import check_random_state

from ._checks import dropout_rates, given_weights, hidden_sizes
from ._engine import SGD, Adam, Architecture, TrainingConfig, initialize
from ._targets import ClassificationTargets, RegressionTargets

STOCHASTIC_SOLVERS = ("sgd", "adam")

Targets = RegressionTargets | ClassificationTargets


@dataclass(frozen=True)
class ModelSpec:
    """What network an estimator trains on its data.

    Attributes
    ----------
    architecture : Architecture
        Layer units (input and output included), activations and dropout.
    targets : RegressionTargets or ClassificationTargets
        How ``y`` becomes the target matrix and outputs become predictions;
        it names the loss and the validation score.
    """

    architecture: Architecture
    targets: Targets

    @property
    def loss(self) -> str:
        """The engine's loss name."""
        return self.targets.engine_loss

    @property
    def n_outputs(self) -> int:
        """Units of the output layer."""
        return self.architecture.layer_units[-1]


def fit_targets(params: Mapping, y, *, classifier: bool, previous: Targets | None = None,
                resume: str | None = None, classes=None) -> Targets:
    """The target encoding of ``y``: a new one, or ``previous`` checked against ``y``.

    Parameters
    ----------
    params : mapping
        The estimator's parameters (``loss`` for a regressor).
    y : array-like
        The validated target.
    classifier : bool
    previous : RegressionTargets or ClassificationTargets, default=None
        The encoding of an earlier fit that this one continues.
    resume : {"warm_start", "partial_fit"} or None, default=None
        How the fit continues ``previous`` (None: a fresh fit).
    classes : array-like, default=None
        All the classes (first ``partial_fit`` of a classifier).
    """
    if not classifier:
        return RegressionTargets.fit(y, params.get("loss", "squared_error"))
    if previous is None or resume is None:
        targets = ClassificationTargets.fit(y, classes)
        if classes is not None:
            targets.check_known_classes(y)
        return targets
    if resume == "warm_start":
        previous.check_same_classes(y)
    else:
        previous.check_known_classes(y)
    return previous


def make_spec(params: Mapping, n_features: int, targets: Targets) -> ModelSpec:
    """The model specification from the parameters and the data.

    Parameters
    ----------
    params : mapping
        The estimator's parameters (``get_params()``).
    n_features : int
        Columns of the validated ``X``.
    targets : RegressionTargets or ClassificationTargets
        The fitted target encoding (:func:`fit_targets`).

    Returns
    -------
    spec : ModelSpec
    """
    hidden = hidden_sizes(params["hidden_layer_sizes"])
    dropout = dropout_rates(params["dropout"], len(hidden))
    if any(dropout) and params["solver"] not in STOCHASTIC_SOLVERS:
        raise ValueError(
            "dropout needs a stochastic solver: random masks break L-BFGS's line "
            "search. Use solver='adam' or 'sgd', or set dropout=0.")
    if params["learning_rate"] == "cosine" and params["solver"] not in STOCHASTIC_SOLVERS:
        raise ValueError(
            "learning_rate='cosine' anneals the step size of the stochastic solvers; "
            "L-BFGS takes no step size. Use solver='adam' or 'sgd', or "
            "learning_rate='constant'.")
    architecture = Architecture(
        layer_units=(int(n_features), *hidden, targets.n_outputs),
        activation=params["activation"], out_activation=targets.out_activation,
        dropout=dropout, dropout_mode=params["dropout_mode"])
    return ModelSpec(architecture, targets)


def _models(settings: Mapping | Sequence[Mapping]) -> list[Mapping]:
    return [settings] if isinstance(settings, Mapping) else list(settings)


def training_config(settings: Mapping | Sequence[Mapping], spec: ModelSpec, *,
                    early=None, incremental: bool = False) -> TrainingConfig:
    """The engine's training settings from the parameters of each model.

    ``settings`` is one estimator's parameters, or one mapping per model of a
    stack (they differ in what a stack may mix: alpha, penalty, dropout rates,
    max_iter, tol, early stopping, ...). ``early`` (one flag, or one per model)
    defaults to ``early_stopping`` with a stochastic solver.
    """
    models = _models(settings)
    column = lambda name: [m[name] for m in models]  # noqa: E731
    if early is None:
        early = [m["early_stopping"] and m["solver"] in STOCHASTIC_SOLVERS for m in models]
    n_hidden = len(spec.architecture.layer_units) - 2
    batch_size = models[0]["batch_size"]
    return TrainingConfig(
        loss=spec.loss, score=spec.targets.score, alpha=column("alpha"),
        penalty=[m["penalty"] or "none" for m in models], l1_ratio=column("l1_ratio"),
        batch_size=None if batch_size == "auto" else batch_size,
        shuffle=column("shuffle"), max_iter=column("max_iter"), tol=column("tol"),
        n_iter_no_change=column("n_iter_no_change"), early_stopping=early,
        restore_best_weights=column("restore_best_weights"),
        dropout=[dropout_rates(m["dropout"], n_hidden) for m in models],
        incremental=incremental, max_fun=models[0]["max_fun"],
    )


def make_optimizer(settings: Mapping | Sequence[Mapping], n_models: int, n_params: int,
                   dtype, reference=None) -> SGD | Adam:
    """A fresh stochastic optimizer for ``n_models`` stacked networks (with each
    model's settings, or one set for all); ``reference`` (an array of another
    Array API namespace) puts its state in that namespace and device."""
    models = _models(settings)
    column = lambda name: [m[name] for m in models] if len(models) > 1 else (  # noqa: E731
        models[0][name])
    if models[0]["solver"] == "sgd":
        return SGD(n_models, n_params, dtype, column("learning_rate_init"),
                   column("learning_rate"), column("momentum"),
                   column("nesterovs_momentum"), column("power_t"), column("max_iter"),
                   reference)
    return Adam(n_models, n_params, dtype, column("learning_rate_init"), column("beta_1"),
                column("beta_2"), column("epsilon"), column("learning_rate"),
                column("max_iter"), reference)


def initial_params(params: Mapping, spec: ModelSpec, rng: np.random.RandomState,
                   dtype) -> np.ndarray:
    """The flat ``(1, P)`` starting parameters: explicit weights (a tuple
    ``weight_init``) or a draw from ``rng`` (consumed as scikit-learn does)."""
    arch = spec.architecture
    units = list(arch.layer_units)
    scheme = params["weight_init"]
    if isinstance(scheme, tuple):
        coefs, intercepts = given_weights(scheme, units, dtype)
    else:
        coefs, intercepts = initialize(units, rng, scheme, arch.activation, dtype)
    return arch.layout.pack(coefs, intercepts, arch.layout.empty(1, dtype))


def model_random_state(random_state) -> np.random.RandomState:
    """What ``check_random_state`` gives a fresh clone of an estimator: a copy of
    a given RandomState, so every (candidate, fold) model draws the same stream."""
    if isinstance(random_state, np.random.RandomState):
        return copy.deepcopy(random_state)
    if random_state is None:
        return np.random.RandomState(np.random.randint(np.iinfo(np.int32).max))
    return check_random_state(random_state)
