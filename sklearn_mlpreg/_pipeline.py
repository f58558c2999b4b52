"""Finding this library's MLP inside pipelines and other meta-estimators.

Studies, examples and searches take an MLP alone or wrapped (a ``Pipeline``
ending in one, a ``TransformedTargetRegressor`` around either, a search
around those). These helpers, used wherever the MLP must be reached, are the
one place that knows how the wrappers nest.
"""

from __future__ import annotations

from ._base import BaseMLP
from ._ensemble import _BaseMLPEnsemble


def mlp_prefix(estimator) -> str | None:
    """The ``get_params`` prefix of the MLP inside ``estimator`` (``""`` for an
    MLP itself, ``"mlpregressor__"`` in a pipeline, ...), or None if there is none."""
    if isinstance(estimator, BaseMLP):
        return ""
    for name, value in estimator.get_params(deep=True).items():
        if isinstance(value, BaseMLP):
            return name + "__"
    return None


def searched_mlp(estimator, instead="sklearn.model_selection.GridSearchCV (or "
                                    "RandomizedSearchCV)"):
    """The MLP (or seed ensemble) a batched search trains and its step name:
    ``(None, estimator)`` alone, ``(name, step)`` for a ``Pipeline`` ending in one;
    for any other estimator a TypeError naming the scikit-learn search to use
    ``instead``."""
    from sklearn.pipeline import Pipeline  # not at import: it loads sklearn.callback

    trainable = (BaseMLP, _BaseMLPEnsemble)
    if isinstance(estimator, trainable):
        return None, estimator
    if isinstance(estimator, Pipeline) and isinstance(estimator.steps[-1][1], trainable):
        return estimator.steps[-1][0], estimator.steps[-1][1]
    raise TypeError(
        f"A batched search trains this library's MLPs (or seed ensembles of them), alone "
        f"or as the last step of a Pipeline; got {type(estimator).__name__}. Use "
        f"{instead} for other estimators.")


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
