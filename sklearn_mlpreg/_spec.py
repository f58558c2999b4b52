"""The model specification and the engine objects of an MLP's settings.

:func:`make_spec` decides from the settings (:class:`~._settings.Settings`)
and the validated data what network to train: its layers, hidden and output
activations, dropout, loss, validation score and target encoding. ``fit``,
``partial_fit`` and the stacked-training pipeline (:mod:`._stacks`) use it,
together with the other helpers here that turn settings into engine objects
(:func:`training_config`, :func:`make_optimizer`, :func:`initial_params`),
so that no caller needs a half-built estimator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._checks import given_weights
from ._engine import SGD, Adam, Architecture, TrainingConfig, initialize
from ._settings import Settings
from ._targets import ClassificationTargets, RegressionTargets

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


def fit_targets(y, *, classifier: bool, loss: str = "squared_error",
                previous: Targets | None = None, resume: str | None = None,
                classes=None) -> Targets:
    """The target encoding of ``y``: a new one, or ``previous`` checked against ``y``.

    Parameters
    ----------
    y : array-like
        The validated target.
    classifier : bool
    loss : str, default="squared_error"
        A regressor's loss.
    previous : RegressionTargets or ClassificationTargets, default=None
        The encoding of an earlier fit that this one continues.
    resume : {"warm_start", "partial_fit"} or None, default=None
        How the fit continues ``previous`` (None: a fresh fit).
    classes : array-like, default=None
        All the classes (first ``partial_fit`` of a classifier).
    """
    if not classifier:
        return RegressionTargets.fit(y, loss)
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


def make_spec(settings: Settings, n_features: int, targets: Targets) -> ModelSpec:
    """The model specification from the settings and the data.

    Parameters
    ----------
    settings : Settings
    n_features : int
        Columns of the validated ``X``.
    targets : RegressionTargets or ClassificationTargets
        The fitted target encoding (:func:`fit_targets`).

    Returns
    -------
    spec : ModelSpec
    """
    architecture = Architecture(
        layer_units=(int(n_features), *settings.hidden, targets.n_outputs),
        activation=settings.activation, out_activation=targets.out_activation,
        dropout=settings.dropout, dropout_mode=settings.dropout_mode)
    return ModelSpec(architecture, targets)


def training_config(models: Sequence[Settings], spec: ModelSpec, *,
                    incremental: bool = False) -> TrainingConfig:
    """The engine's training settings of a stack, one :class:`Settings` per model.

    The models differ in what a stack may mix (alpha, penalty, dropout rates,
    max_iter, tol, early stopping, ...); the batch size and ``max_fun`` are
    the first model's (a stack shares them).
    """
    first = models[0]
    return TrainingConfig(
        loss=spec.loss, score=spec.targets.score, alpha=[m.alpha for m in models],
        penalty=[m.penalty for m in models], l1_ratio=[m.l1_ratio for m in models],
        batch_size=first.batch_size, shuffle=[m.shuffle for m in models],
        max_iter=[m.max_iter for m in models], tol=[m.tol for m in models],
        n_iter_no_change=[m.n_iter_no_change for m in models],
        early_stopping=[m.early for m in models],
        restore_best_weights=[m.restore_best_weights for m in models],
        dropout=[m.dropout for m in models], incremental=incremental,
        max_fun=first.max_fun,
    )


def make_optimizer(models: Sequence[Settings], n_params: int, dtype,
                   reference=None) -> SGD | Adam:
    """A fresh stochastic optimizer for a stack, one :class:`Settings` per model;
    ``reference`` (an array of another Array API namespace) puts its state in
    that namespace and device."""
    if len(models) == 1:
        column = lambda name: getattr(models[0], name)  # noqa: E731
    else:
        column = lambda name: [getattr(m, name) for m in models]  # noqa: E731
    if models[0].solver == "sgd":
        return SGD(len(models), n_params, dtype, column("learning_rate_init"),
                   column("learning_rate"), column("momentum"),
                   column("nesterovs_momentum"), column("power_t"), column("max_iter"),
                   reference)
    return Adam(len(models), n_params, dtype, column("learning_rate_init"),
                column("beta_1"), column("beta_2"), column("epsilon"),
                column("learning_rate"), column("max_iter"), reference)


def initial_params(settings: Settings, spec: ModelSpec, rng: np.random.RandomState,
                   dtype) -> np.ndarray:
    """The flat ``(1, P)`` starting weights: explicit ones (a tuple ``weight_init``)
    or a draw from ``rng`` (consumed as scikit-learn does)."""
    arch = spec.architecture
    units = list(arch.layer_units)
    scheme = settings.weight_init
    if isinstance(scheme, tuple):
        coefs, intercepts = given_weights(scheme, units, dtype)
    else:
        coefs, intercepts = initialize(units, rng, scheme, arch.activation, dtype)
    return arch.layout.pack(coefs, intercepts, arch.layout.empty(1, dtype))
