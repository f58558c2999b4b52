"""An MLP's settings, validated once into one typed object.

:class:`Settings` is built from an estimator's parameters (the values
``get_params()`` returns, read as attributes) after its
``_parameter_constraints`` have been checked (scikit-learn's ``_fit_context``
for a fit, the search's check of each candidate), and holds the parsed
values: the hidden layer sizes as a tuple, one dropout rate per hidden layer,
``batch_size="auto"`` as None (the engine's :func:`rows_per_batch` rule),
the penalty's engine name, whether the solver is stochastic and whether early
stopping monitors a validation set. Everything that turns settings into
engine objects (:mod:`._spec`) and the stacked-training pipeline
(:mod:`._stacks`) reads this object, never the raw parameters.

Names: ``settings`` are an estimator's (this object), built from its
``parameters``; ``params`` are a network's flat weights (the engine's
``(K, P)`` buffer); a search's ``candidate`` is a dict of parameters to set;
``fit_params`` are keyword arguments of ``fit``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.utils._param_validation import Interval, validate_parameter_constraints

from ._checks import dropout_rates, hidden_sizes
from ._engine import check_group_penalty, rows_per_batch

STOCHASTIC_SOLVERS = ("sgd", "adam")


class NumberNotBool(Interval):
    """An :class:`Interval` of real numbers that refuses ``True`` and ``False``
    (which ``Interval(Real, ...)`` takes for 1 and 0): for a parameter where a
    bool is a mistake, e.g. ``weight_init=True`` for a scale of 1."""

    def is_satisfied_by(self, val):
        return not isinstance(val, (bool, np.bool_)) and super().is_satisfied_by(val)

    def __str__(self):
        return f"{super().__str__()} (not a bool)"


#: ``weight_init``'s constraints: a scheme's name, the standard deviation of
#: normal starting weights, or explicit (coefs, intercepts).
WEIGHT_INIT_CONSTRAINTS = [NumberNotBool(Real, 0, None, closed="neither"), tuple]

#: ``n_jobs`` of the estimators that train through joblib: -1 (every CPU),
#: -2 (all but one), ..., 1, 2, ... or None; 0 has no meaning.
N_JOBS_CONSTRAINTS = [Interval(Integral, 1, None, closed="left"),
                      Interval(Integral, None, -1, closed="right"), None]


@dataclass(frozen=True, eq=False)
class Settings:
    """One MLP's settings, parsed (see the module docstring).

    The attributes are the estimator's parameters of the same name, except:

    Attributes
    ----------
    hidden : tuple of int
        ``hidden_layer_sizes``.
    dropout : tuple of float
        One drop rate per hidden layer.
    penalty : str
        ``"l2"``, ``"l1"``, ``"elasticnet"``, ``"group"`` or ``"none"``.
    batch_size : int or None
        None for ``"auto"``.
    stochastic : bool
        The solver is sgd or adam (not L-BFGS).
    early : bool
        Early stopping monitors a validation score (``early_stopping`` with a
        stochastic solver).
    loss : str
        A regressor's loss (``"squared_error"`` for classifiers, unused).
    class_weight : dict, list, "balanced" or None
        A classifier's class weights (None for regressors).
    """

    solver: str
    hidden: tuple[int, ...]
    activation: str
    dropout: tuple[float, ...]
    dropout_mode: str
    alpha: float
    penalty: str
    l1_ratio: float
    batch_size: int | None
    learning_rate: str
    learning_rate_init: float
    power_t: float
    max_iter: int
    shuffle: bool
    random_state: Any
    tol: float
    momentum: float
    nesterovs_momentum: bool
    validation_fraction: float
    beta_1: float
    beta_2: float
    epsilon: float
    n_iter_no_change: float
    max_fun: int
    restore_best_weights: bool
    weight_init: Any
    stochastic: bool
    early: bool
    loss: str = "squared_error"
    class_weight: Any = None

    @classmethod
    def of(cls, estimator) -> Settings:
        """The settings of an MLP whose parameters were validated: its
        ``get_params()`` values, read as attributes (``get_params`` inspects
        ``__init__``'s signature at every call, ~45 us of a tiny fit)."""
        parameters = {name: getattr(estimator, name) for name in _READ}
        parameters["loss"] = getattr(estimator, "loss", "squared_error")
        parameters["class_weight"] = getattr(estimator, "class_weight", None)
        return cls.parse(parameters)

    @classmethod
    def validated(cls, estimator) -> Settings:
        """The settings of an MLP whose parameters were not validated yet (an
        ensemble's member template): its ``_parameter_constraints`` first."""
        validate_parameter_constraints(type(estimator)._parameter_constraints,
                                       estimator.get_params(deep=False),
                                       caller_name=type(estimator).__name__)
        return cls.of(estimator)

    @classmethod
    def parse(cls, parameters: Mapping) -> Settings:
        """The settings from validated estimator parameters (``get_params()``'s
        dict, or the attributes of the same names).

        Raises
        ------
        ValueError
            For hidden layer sizes, dropout rates or combinations the
            parameter constraints cannot express.
        """
        solver = parameters["solver"]
        stochastic = solver in STOCHASTIC_SOLVERS
        hidden = tuple(hidden_sizes(parameters["hidden_layer_sizes"]))
        dropout = dropout_rates(parameters["dropout"], len(hidden))
        if any(dropout) and not stochastic:
            raise ValueError(
                "dropout needs a stochastic solver: random masks break L-BFGS's line "
                "search. Use solver='adam' or 'sgd', or set dropout=0.")
        if parameters["penalty"] == "group":
            check_group_penalty(solver, len(hidden))
        if parameters["learning_rate"] == "cosine" and not stochastic:
            raise ValueError(
                "learning_rate='cosine' anneals the step size of the stochastic solvers; "
                "L-BFGS takes no step size. Use solver='adam' or 'sgd', or "
                "learning_rate='constant'.")
        batch_size = parameters["batch_size"]
        values = {name: parameters[name] for name in _GIVEN}
        return cls(
            **values, solver=solver, hidden=hidden, dropout=dropout,
            penalty=parameters["penalty"] or "none",
            batch_size=None if batch_size == "auto" else int(batch_size),
            stochastic=stochastic, early=bool(parameters["early_stopping"] and stochastic),
            loss=parameters.get("loss", "squared_error"),
            class_weight=parameters.get("class_weight"))

    def with_seed(self, seed) -> Settings:
        """The same settings with another ``random_state`` (an ensemble's member)."""
        return dataclasses.replace(self, random_state=seed)

    def batch_rows(self, n_rows: int) -> int:
        """Rows per mini-batch on ``n_rows`` training rows (the engine's rule)."""
        return rows_per_batch(self.batch_size, n_rows)


#: The parameters a Settings holds unchanged.
_GIVEN = (
    "activation", "dropout_mode", "alpha", "l1_ratio", "learning_rate",
    "learning_rate_init", "power_t", "max_iter", "shuffle", "random_state", "tol",
    "momentum", "nesterovs_momentum", "validation_fraction", "beta_1", "beta_2",
    "epsilon", "n_iter_no_change", "max_fun", "restore_best_weights", "weight_init",
)
#: The parameters a Settings is parsed from (a regressor's loss and a
#: classifier's class_weight besides).
_READ = _GIVEN + ("solver", "hidden_layer_sizes", "dropout", "penalty", "batch_size",
                  "early_stopping")
