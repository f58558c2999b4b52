"""Finding this library's MLP inside pipelines and other meta-estimators.

Studies, examples and searches take an MLP alone or wrapped (a ``Pipeline``
ending in one, a ``TransformedTargetRegressor`` around either, a search
around those). These helpers, used wherever the MLP must be reached, are the
one place that knows how the wrappers nest.
"""

from __future__ import annotations

from ._base import BaseMLP


def mlp_prefix(estimator) -> str | None:
    """The ``get_params`` prefix of the MLP inside ``estimator`` (``""`` for an
    MLP itself, ``"mlpregressor__"`` in a pipeline, ...), or None if there is none."""
    if isinstance(estimator, BaseMLP):
        return ""
    for name, value in estimator.get_params(deep=True).items():
        if isinstance(value, BaseMLP):
            return name + "__"
    return None


def final_step(fitted):
    """The fitted last step of a (target-transformed) pipeline, or ``fitted``."""
    inner = fitted.regressor_ if hasattr(fitted, "regressor_") else fitted
    return inner[-1] if hasattr(inner, "steps") else inner


def fitted_mlp(fitted) -> BaseMLP:
    """The fitted MLP inside a fitted pipeline, target transformer or search."""
    seen = fitted
    while not isinstance(seen, BaseMLP):
        inner = final_step(seen)
        if inner is seen and hasattr(seen, "best_estimator_"):
            inner = seen.best_estimator_
        if inner is seen:
            raise TypeError("expected an MLP estimator, or a Pipeline / "
                            "TransformedTargetRegressor / search ending in one, got "
                            f"{type(fitted).__name__}.")
        seen = inner
    return seen
