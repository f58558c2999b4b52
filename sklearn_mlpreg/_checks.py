"""Checks of the estimators' inputs and parameters, with errors that say what to do.

scikit-learn's ``validate_data`` names most problems; the wrappers here add the
fix where its message has none (infinite values, text in a regressor's
target, a validation set of the wrong width) and cover what it does not check
(one-sample fits, an empty early-stopping split, dropout without hidden layers).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import _check_sample_weight

from ._engine import is_numpy, namespace, to_numpy

NONFINITE_MESSAGE = (
    "Solver produced non-finite parameter weights. The input data may contain "
    "large values and need to be preprocessed."
)


def divergence_advice(learning_rate_init: float) -> str:
    """What to do about a diverging fit."""
    return (
        " Scale the features (StandardScaler) and, for a regressor, the target "
        "(TransformedTargetRegressor(regressor=..., transformer=StandardScaler())), "
        f"or lower learning_rate_init (now {learning_rate_init:g})."
    )


@dataclass(frozen=True)
class _Inputs:
    """What :func:`clearer_input_errors` knows of the call it watches."""

    estimator: str
    regressor: bool
    X: object
    y: object
    x_name: str
    y_name: str


@contextmanager
def clearer_input_errors(estimator_name: str, regressor: bool = False, X=None, y=None,
                         names: tuple[str, str] = ("X", "y")):
    """Re-raise scikit-learn's input errors with the cause and the fix where it
    names neither.

    ``X`` and ``y``, when given (under ``names``: ``("X_val", "y_val")`` for a
    validation set), tell which of them holds text or complex numbers.
    """
    inputs = _Inputs(estimator_name, regressor, X, y, *names)
    try:
        yield
    except ValueError as error:
        for rewrite in _REWRITES:
            clearer = rewrite(str(error), inputs)
            if clearer is not None:
                # a rewrite that repeats scikit-learn's message keeps it as the cause;
                # one that replaces a long message (an array dump) drops it
                raise clearer from (error if str(error) in str(clearer) else None)
        raise


def _complex(message: str, inputs: _Inputs) -> ValueError | None:
    if not message.startswith("Complex data not supported"):
        return None
    if inputs.X is not None and not np.iscomplexobj(inputs.X) and np.iscomplexobj(inputs.y):
        kind = "real numbers" if inputs.regressor else "class labels (integers, strings)"
        return ValueError(f"Complex data not supported: {inputs.y_name} holds complex "
                          f"numbers; {inputs.estimator}'s targets are {kind}.")
    return ValueError(
        f"Complex data not supported: {inputs.estimator} trains on real numbers, but "
        f"{inputs.x_name} holds complex numbers. Pass their real part (X.real), their "
        "magnitude (np.abs(X)), or both parts as separate columns.")


def _one_dimensional(message: str, inputs: _Inputs) -> ValueError | None:
    if not message.startswith("Expected 2D array, got 1D array"):
        return None
    x = inputs.x_name
    return ValueError(
        f"Expected 2D array, got 1D array instead: {inputs.estimator} expects {x} of shape "
        f"(n_samples, n_features). Reshape your data: {x}.reshape(-1, 1) for one "
        f"feature, {x}.reshape(1, -1) for one sample.")


def _not_an_array(message: str, inputs: _Inputs) -> ValueError | None:
    if not message.startswith("Expected 2D array, got scalar array"):
        return None
    x = inputs.x_name
    given = f"{x} is None" if "array=nan." in message and inputs.X is None \
        else f"{x} is a single value"
    return ValueError(
        f"Expected 2D array, got scalar array instead: {given}. {inputs.estimator} "
        f"needs {x} of shape (n_samples, n_features): pass the data as an array, a "
        "DataFrame or a sparse matrix.")


def _duplicate_columns(message: str, inputs: _Inputs) -> ValueError | None:
    if not message.startswith("Expected unique column names"):
        return None
    details = "; ".join(line.strip("- ") for line in message.splitlines()[1:])
    x = inputs.x_name
    return ValueError(
        f"{x} has duplicate column names ({details}), but {inputs.estimator} names each "
        f"feature by its column. Rename the columns (e.g. {x}.columns = [...]) or drop "
        f"the duplicates ({x}.loc[:, ~{x}.columns.duplicated()]).")


def _not_labels(message: str, inputs: _Inputs) -> ValueError | None:
    if not message.startswith("Unknown label type"):
        return None
    given = "the classes given to partial_fit are" if inputs.y_name == "classes" \
        else f"{inputs.y_name} is"
    return ValueError(
        f"Unknown label type: {inputs.estimator} needs class labels, but {given} not a "
        "set of classes (continuous values, or values labels cannot be: integers of "
        "dtype object, mixed numbers). For a numeric target use MLPRegressor; for "
        "classes, give integers or strings (e.g. y.astype(int)).")


def _text(message: str, inputs: _Inputs) -> ValueError | None:
    if "could not convert string to float" not in message:
        return None
    if _holds_text(inputs.X):
        return ValueError(
            f"{inputs.estimator} needs numeric features, but {inputs.x_name} holds text "
            f"({message}). Encode text and categorical columns as numbers first, e.g. "
            "with a ColumnTransformer and OneHotEncoder in a Pipeline.")
    if inputs.y is not None and not _holds_text(inputs.y):  # neither: the weights
        return ValueError(f"{message}: the sample weights hold text; give one number "
                          "per sample.")
    if inputs.regressor:
        return ValueError(
            f"{inputs.estimator} needs a numeric target, but {inputs.y_name} holds text "
            f"({message}). For class labels use MLPClassifier; otherwise convert y to "
            "numbers (e.g. pandas.to_numeric).")
    return None


def _not_finite(message: str, inputs: _Inputs) -> ValueError | None:
    if inputs.x_name != "X":  # scikit-learn calls every array it checks X or y
        message = message.replace("Input X contains", f"Input {inputs.x_name} contains")
        message = message.replace("Input y contains", f"Input {inputs.y_name} contains")
    if "infinity" in message:
        return ValueError(
            f"{message} {inputs.estimator} needs finite numbers: replace or drop the "
            "infinite values (np.isinf finds them), or clip them to a large finite "
            "value, before fitting or predicting.")
    if "Input y contains NaN" in message:
        return ValueError(
            f"{message} Drop the samples whose target is missing (keep = "
            "~np.isnan(y)); a target cannot be imputed inside a pipeline.")
    if "Input sample_weight contains" in message:
        return ValueError(f"{message} Give every sample a finite, non-negative weight "
                          "(0 leaves it out).")
    if inputs.x_name != "X" and "Input " in message:  # (renamed above)
        return ValueError(message)
    return None


def _lengths(message: str, inputs: _Inputs) -> ValueError | None:
    if "inconsistent numbers of samples" not in message:
        return None
    return ValueError(
        f"{message}. {inputs.x_name}, {inputs.y_name} and the sample weights must have one "
        f"entry per sample (the lengths above, in that order).")


_REWRITES = (_complex, _one_dimensional, _not_an_array, _duplicate_columns, _not_labels,
             _text, _not_finite, _lengths)


def _holds_text(X) -> bool:
    """Whether ``X`` (when given) has values that are not numbers."""
    if X is None or sp.issparse(X):
        return False
    try:
        np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        return True
    return False


# Below this many values, np.isfinite(A).all() (a tiny temporary) is cheaper
# than a sum checked inside an np.errstate context (~1.5 us per context).
SMALL_ARRAY = 4096


def all_finite(A: np.ndarray) -> bool:
    """Whether every value is finite; large arrays without an n x d temporary.

    A finite sum proves every value finite; an infinite one may be an overflow
    of finite values, which the full test then settles.
    """
    if A.size <= SMALL_ARRAY:
        return bool(np.isfinite(A).all())
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(A, axis=None)
    return bool(np.isfinite(total)) or bool(np.isfinite(A).all())


def check_finite_output(P, estimator_name: str, weights=()):
    """Refuse to return predictions that overflowed (never NaN or inf silently);
    ``P`` may be of another Array API namespace. ``weights`` (the network's
    arrays, looked at only when ``P`` is not finite) tell a damaged model from
    rows far outside the training range."""
    if not is_numpy(P):
        xp = namespace(P)
        if bool(xp.all(xp.isfinite(P))):
            return P
        check_finite_output(to_numpy(P), estimator_name, weights)
    if not all_finite(P):
        damaged = [i for i, W in enumerate(weights) if not np.isfinite(to_numpy(W)).all()]
        if damaged:
            raise ValueError(
                f"{estimator_name}'s weights hold NaN or inf (in {len(damaged)} of its "
                f"{len(weights)} weight and bias arrays), so it cannot predict: the model "
                "is damaged (its file changed after saving, or its coefs_ / intercepts_ "
                "were set by hand). Load an undamaged copy, or refit it.")
        rows = np.flatnonzero(~np.isfinite(P.reshape(P.shape[0], -1)).all(axis=1))
        raise ValueError(
            f"{estimator_name}'s output overflowed (inf or NaN) for {rows.size} row(s), "
            f"e.g. row {rows[0]}: their features are far outside the range the network "
            "was trained on. Check those rows, and scale X the way the training data "
            "was scaled (a Pipeline with StandardScaler does it for you).")
    return P


MAX_TARGET_MAGNITUDE = 1e10


def check_target_scale(Y: np.ndarray, estimator_name: str) -> None:
    """A squared-error network cannot reach targets of astronomical size.

    Its output starts near 0 and each step moves the weights by about the
    learning rate, so a target of 1e30 is never approached: the fit would end
    with finite but meaningless predictions, or overflow.
    """
    largest = float(np.max(np.abs(Y))) if Y.size else 0.0
    if largest > MAX_TARGET_MAGNITUDE:
        raise ValueError(
            f"The target reaches {largest:.3g}, beyond what {estimator_name} can fit "
            f"(|y| <= {MAX_TARGET_MAGNITUDE:.0e}): a network's output starts near 0 and "
            "moves by about learning_rate_init per step. Scale the target: "
            "TransformedTargetRegressor(regressor=..., transformer=StandardScaler()) "
            "fits on the scaled target and predicts in the original units.")


def check_enough_samples(n_samples: int, estimator_name: str) -> None:
    """A network cannot be fit, let alone checked, on a single sample."""
    if n_samples < 2:
        raise ValueError(
            f"{estimator_name} needs at least 2 samples to fit, got {n_samples} sample "
            "(n_samples = 1). Collect more data; partial_fit accepts single samples to "
            "update a network that is already fitted.")


def hidden_sizes(hidden_layer_sizes) -> list[int]:
    """``hidden_layer_sizes`` as a list of positive ints (empty: no hidden layer)."""
    sizes = hidden_layer_sizes
    if isinstance(sizes, (set, frozenset, Mapping)):
        raise ValueError(
            f"hidden_layer_sizes must be an ordered sequence of layer sizes, got "
            f"{type(sizes).__name__} {sizes!r}, whose order is arbitrary. Give a tuple or "
            "a list, e.g. (100,) for one hidden layer of 100 units, (30, 15) for two.")
    sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
    if any(not isinstance(s, Integral) or isinstance(s, bool) or s <= 0 for s in sizes):
        raise ValueError(
            f"hidden_layer_sizes must be positive integers, got {sizes}; e.g. (100,) "
            "for one hidden layer of 100 units, (30, 15) for two.")
    return [int(s) for s in sizes]


def dropout_rates(dropout, n_hidden: int) -> tuple[float, ...]:
    """One dropout rate per hidden layer, from one rate or a sequence of them."""
    if type(dropout) in (float, int) and 0 <= dropout < 1 and (n_hidden or not dropout):
        return (float(dropout),) * n_hidden  # the common case, without numpy (5 us)
    try:
        rates = np.atleast_1d(np.asarray(dropout, dtype=float))
    except (TypeError, ValueError) as error:
        raise ValueError(f"dropout must be a rate or a sequence of rates, got "
                         f"{dropout!r}.") from error
    if rates.ndim != 1 or (rates.size != 1 and rates.size != n_hidden):
        raise ValueError(
            f"dropout must be one rate or one per hidden layer ({n_hidden}), "
            f"got {dropout!r}."
        )
    if not np.all((rates >= 0) & (rates < 1)):
        raise ValueError(f"dropout rates must be in [0, 1), got {dropout!r}.")
    if n_hidden == 0 and rates.any():
        raise ValueError("dropout acts on hidden layers, and hidden_layer_sizes=() has "
                         "none: add a hidden layer or set dropout=0.")
    if rates.size == 1:
        rates = np.repeat(rates, n_hidden)
    return tuple(float(r) for r in rates)


def check_weights(sample_weight, X, name: str = "sample_weight") -> np.ndarray | None:
    """Validated non-negative sample weights with a positive sum (or None);
    ``name`` is the argument's name in messages."""
    if sample_weight is None:
        return None
    try:
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
    except ValueError as error:
        if name == "sample_weight":
            raise
        raise ValueError(str(error).replace("sample_weight", name)) from None
    if not sample_weight.sum() > 0:
        raise ValueError(
            f"{name} sums to zero: at least one sample needs a positive weight."
        )
    return sample_weight


def check_validation_size(Y_val: np.ndarray, targets) -> None:
    """R^2, a regressor's validation score, needs two samples."""
    if not targets.classifier and Y_val.shape[0] < 2:
        raise ValueError(
            "X_val has 1 sample, but a regressor's validation score (R^2) is undefined "
            "on one sample. Pass at least two validation samples.")


def check_validation_fraction(validation_fraction: float, n_samples: int) -> None:
    """Early stopping's split must leave samples on both sides."""
    if validation_fraction * n_samples < 1:
        raise ValueError(
            "The validation set is too small: early_stopping=True holds out "
            f"validation_fraction={validation_fraction:g} "
            f"of {n_samples} samples, which leaves no validation sample. Raise "
            "validation_fraction, pass X_val and y_val, or set early_stopping=False.")


def check_validation_width(X_val, n_features: int) -> None:
    """``X_val`` must have the training data's columns."""
    shape = X_val.shape if hasattr(X_val, "shape") else np.shape(X_val)
    width = shape[1] if len(shape) == 2 else None  # other shapes: validate_data says
    if width is not None and width != n_features:
        raise ValueError(
            f"X_val has {width} features, but X has {n_features}: the validation set "
            "must have the training data's columns.")


def given_weights(weight_init, layer_units: list[int], dtype) -> tuple[list, list]:
    """Copies of explicit starting weights, checked against the network's shape."""
    try:
        coefs, intercepts = weight_init
        coefs = [np.array(W, dtype=dtype) for W in coefs]
        intercepts = [np.array(b, dtype=dtype).ravel() for b in intercepts]
    except (TypeError, ValueError) as error:
        raise ValueError("weight_init as a tuple must be (coefs, intercepts): two lists "
                         "of arrays, as coefs_ and intercepts_ of a fitted MLP.") from error
    expected = list(zip(layer_units[:-1], layer_units[1:]))
    if [W.shape for W in coefs] != expected or [b.shape for b in intercepts] != [
            (units,) for units in layer_units[1:]]:
        raise ValueError(
            f"weight_init gives layers {[W.shape for W in coefs]}, but the data and "
            f"hidden_layer_sizes need {expected} (and biases to match).")
    if not all(np.isfinite(a).all() for a in coefs + intercepts):
        raise ValueError("weight_init holds non-finite values.")
    return coefs, intercepts
