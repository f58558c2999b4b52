"""Save and load fitted models safely with skops.

``pickle.load`` runs whatever code the file names, so a model file from an
untrusted place can take over the machine. skops stores a model as data and,
on loading, refuses every type that is not explicitly trusted. :func:`load`
trusts exactly this library's own types (on top of what skops trusts by
default: builtins, numpy, scipy and scikit-learn) and refuses a file that
holds anything else::

    from sklearn_mlpreg.io import load, save

    save(model, "model.skops")
    model = load("model.skops")

Plain ``pickle`` and ``joblib.dump`` keep working for files you trust.
Needs the ``skops`` extra: ``pip install "sklearn_mlpreg[skops]"``.
"""

from __future__ import annotations

import os
from typing import Any, Union

from sklearn.utils._param_validation import validate_params

from ._classifier import MLPClassifier
from ._engine import SGD, Adam, Architecture, TrainingState
from ._regressor import MLPRegressor
from ._spec import ModelSpec
from ._targets import ClassificationTargets, RegressionTargets
from .callbacks import ProgressBar
from .model_selection import MLPClassifierCV, MLPRegressorCV

__all__ = ["TRUSTED_TYPES", "UntrustedTypesError", "load", "save"]

PathLike = Union[str, "os.PathLike[str]"]

#: The library's own types a saved model may hold: the estimators, their
#: model specification and training state (kept for ``warm_start`` /
#: ``partial_fit``: the optimizer's moments, counters and curves), and the
#: progress bar a model carries after ``set_callbacks``.
TRUSTED_TYPES = tuple(
    f"{cls.__module__}.{cls.__qualname__}"
    for cls in (MLPRegressor, MLPClassifier, MLPRegressorCV, MLPClassifierCV,
                ModelSpec, Architecture, RegressionTargets, ClassificationTargets,
                TrainingState, SGD, Adam, ProgressBar)
) + (
    # Where earlier releases defined classes that have moved since; the old
    # module paths still resolve to the same classes, so their files load.
    "sklearn_mlpreg.model_selection._alpha_cv.MLPRegressorCV",
    "sklearn_mlpreg.model_selection._alpha_cv.MLPClassifierCV",
)


class UntrustedTypesError(ValueError):
    """A model file holds types outside the library's trusted set."""


def _skops_io():
    try:
        import skops.io
    except ImportError as error:  # pragma: no cover - depends on the extras
        raise ImportError(
            "sklearn_mlpreg.io needs skops: pip install \"sklearn_mlpreg[skops]\" "
            "(or use pickle / joblib for files you trust).") from error
    return skops.io


@validate_params({"estimator": "no_validation", "path": [str, os.PathLike]},
                 prefer_skip_nested_validation=True)
def save(estimator: Any, path: PathLike) -> None:
    """Save a (fitted) estimator to ``path`` in skops format.

    Parameters
    ----------
    estimator : estimator
        The model to save: one of the library's estimators, or a scikit-learn
        pipeline or search holding them.
    path : str or os.PathLike
        The file to write (conventionally ending in ``.skops``).
    """
    _skops_io().dump(estimator, os.fspath(path))


@validate_params({"path": [str, os.PathLike]}, prefer_skip_nested_validation=True)
def load(path: PathLike) -> Any:
    """Load a model saved by :func:`save`, refusing types outside the trusted set.

    Parameters
    ----------
    path : str or os.PathLike
        The file written by :func:`save`.

    Returns
    -------
    estimator : estimator
        The model, ready to predict.

    Raises
    ------
    UntrustedTypesError
        If the file holds a type that is neither the library's own
        (:data:`TRUSTED_TYPES`) nor trusted by skops by default. Nothing from
        the file is executed before this check. Inspect the listed types; if
        you trust the file, load it with ``skops.io.load(path, trusted=[...])``.
    """
    sio = _skops_io()
    path = os.fspath(path)
    untrusted = sio.get_untrusted_types(file=path)
    foreign = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if foreign:
        raise UntrustedTypesError(
            f"{path!r} holds types outside sklearn_mlpreg's trusted set: {foreign}. "
            "They could run arbitrary code when loaded, so the file was not loaded. "
            "If you trust its origin, inspect these types and load it with "
            "skops.io.load(path, trusted=[...]).")
    return sio.load(path, trusted=untrusted)
