"""Save and load fitted models safely with skops.

``pickle.load`` runs whatever code the file names, so a model file from an
untrusted place can take over the machine. skops stores a model as data and,
on loading, refuses every type that is not explicitly trusted. :func:`load`
trusts exactly this library's own types (:data:`TRUSTED_TYPES`, with the
earlier module paths of classes that have moved) and the scikit-learn types
that its searches and scikit-learn's searches around its MLPs hold
(:data:`SKLEARN_TYPES`: scorers, cross-validation splitters and metric
functions), on top of what skops trusts by default (builtins, numpy, scipy,
scikit-learn's estimators), and refuses a file that holds anything else::

    from sklearn_mlpreg.io import load, save

    save(model, "model.skops")
    model = load("model.skops")

Plain ``pickle`` and ``joblib.dump`` keep working for files you trust.
Needs the ``skops`` extra: ``pip install "sklearn_mlpreg[skops]"``.
"""

from __future__ import annotations

import inspect
import os
import zipfile
from typing import Any, Union

import sklearn.metrics
from sklearn.metrics import _scorer
from sklearn.model_selection import _split
from sklearn.utils._param_validation import validate_params

from ._classifier import MLPClassifier
from ._engine import SGD, Adam, Architecture, TrainingState
from ._ensemble import MLPEnsembleClassifier, MLPEnsembleRegressor
from ._persistence import LEGACY_TYPE_NAMES
from ._regressor import MLPRegressor
from ._spec import ModelSpec
from ._targets import ClassificationTargets, RegressionTargets
from .callbacks import ProgressBar
from .model_selection import (
    BatchedGridSearchCV,
    BatchedHalvingGridSearchCV,
    BatchedHalvingRandomSearchCV,
    BatchedRandomizedSearchCV,
    MLPClassifierCV,
    MLPRegressorCV,
)
from .model_selection._fold_networks import FoldNetworks

__all__ = ["SKLEARN_TYPES", "TRUSTED_TYPES", "UntrustedTypesError", "load", "save"]

PathLike = Union[str, "os.PathLike[str]"]


def _name(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


#: The library's own types a saved model may hold: the estimators, ensembles and
#: searches, their model specification and training state (kept for
#: ``warm_start`` / ``partial_fit``: the optimizer's moments, counters and
#: curves), the progress bar a model carries after ``set_callbacks``, and the
#: earlier module paths of classes that have moved.
TRUSTED_TYPES = tuple(_name(cls) for cls in (
    MLPRegressor, MLPClassifier, MLPRegressorCV, MLPClassifierCV, MLPEnsembleRegressor,
    MLPEnsembleClassifier, BatchedGridSearchCV, BatchedRandomizedSearchCV,
    BatchedHalvingGridSearchCV, BatchedHalvingRandomSearchCV, FoldNetworks, ModelSpec,
    Architecture, RegressionTargets, ClassificationTargets, TrainingState, SGD, Adam,
    ProgressBar)) + LEGACY_TYPE_NAMES


def _sklearn_types() -> tuple[str, ...]:
    """scikit-learn's scorers, its cross-validation splitters and the metric
    functions of ``sklearn.metrics`` (regression, classification, ranking): what
    a search holds besides its estimators. They compute and split; none runs
    code a file names."""
    scorers = (_scorer._Scorer, _scorer._PassthroughScorer, _scorer._MultimetricScorer)
    base = (_split.BaseCrossValidator, _split.BaseShuffleSplit, _split._RepeatedSplits)
    splitters = [cls for cls in vars(_split).values() if inspect.isclass(cls)
                 and issubclass(cls, base) and not inspect.isabstract(cls)
                 and not cls.__name__.startswith("_")]
    metrics = [getattr(sklearn.metrics, name) for name in sklearn.metrics.__all__]
    metrics = [f for f in metrics if inspect.isfunction(f) and f.__module__ in (
        "sklearn.metrics._regression", "sklearn.metrics._classification",
        "sklearn.metrics._ranking")]
    return tuple(sorted(_name(obj) for obj in (*scorers, *splitters, *metrics)))


#: The scikit-learn types :func:`load` trusts by name (see :func:`_sklearn_types`).
SKLEARN_TYPES = _sklearn_types()


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
        (:data:`TRUSTED_TYPES`), nor one of scikit-learn's scorers, splitters
        and metric functions (:data:`SKLEARN_TYPES`), nor trusted by skops by
        default. Nothing from
        the file is executed before this check. Inspect the listed types; if
        you trust the file, load it with ``skops.io.load(path, trusted=[...])``.
    """
    sio = _skops_io()
    path = os.fspath(path)
    if os.path.isfile(path) and not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path!r} is not a skops file (skops files are zip archives). A model "
            "written by pickle or joblib loads with pickle.load or joblib.load, for files "
            "you trust; save(model, path) writes one io.load reads.")
    if os.path.isfile(path) and not _holds_skops_schema(path):
        raise ValueError(
            f"{path!r} is a zip archive but not a skops file: it has no schema.json, "
            "which every file written by save (skops.io.dump) holds. Pass the file "
            "save(model, path) wrote; a model written by pickle or joblib loads with "
            "pickle.load or joblib.load, for files you trust.")
    untrusted = sio.get_untrusted_types(file=path)
    foreign = sorted(set(untrusted) - set(TRUSTED_TYPES) - set(SKLEARN_TYPES))
    if foreign:
        raise UntrustedTypesError(
            f"{path!r} holds types outside sklearn_mlpreg's trusted set: {foreign}. "
            "They could run arbitrary code when loaded, so the file was not loaded. "
            "If you trust its origin, inspect these types and load it with "
            "skops.io.load(path, trusted=[...]).")
    return sio.load(path, trusted=untrusted)


def _holds_skops_schema(path: str) -> bool:
    """Whether the zip archive at ``path`` has the schema.json of a skops file."""
    with zipfile.ZipFile(path) as archive:
        return "schema.json" in archive.namelist()
