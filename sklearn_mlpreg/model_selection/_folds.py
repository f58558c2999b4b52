"""One fold of a search, as the MLPs see it.

:func:`fold_data` fits the pipeline's steps before the MLP on the fold's
training rows (once per fold and distinct setting of their own parameters,
never once per candidate), transforms its test rows, routes the fit
parameters as ``Pipeline.fit`` would, and encodes the fold's targets. An MLP
searched alone shares one validated ``X`` (and its encoded targets) across
the folds, so that their networks can share one stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing
from sklearn.utils.metadata_routing import _routing_enabled, process_routing
from sklearn.utils.validation import check_array

from .._checks import check_weights, clearer_input_errors
from .._plans import Block
from .._spec import fit_targets


def split_candidate(candidate: Mapping, mlp_name: str | None) -> tuple[dict, dict]:
    """A candidate's parameters: those of the steps before the MLP (and of the
    pipeline itself), and the MLP's own (their prefix removed)."""
    if mlp_name is None:
        return {}, dict(candidate)
    prefix = mlp_name + "__"
    mlp = {k[len(prefix):]: v for k, v in candidate.items() if k.startswith(prefix)}
    return {k: v for k, v in candidate.items() if not k.startswith(prefix)}, mlp


@dataclass
class FoldData:
    """One fold, as the MLPs of one setting of the preceding steps see it."""

    block: Block
    train: np.ndarray  # the fold's training rows of the search's X
    test: np.ndarray  # its test rows
    X_test: np.ndarray  # the test rows as the MLP sees them
    preprocess: Pipeline | None  # the fitted steps before the MLP (None: no pipeline)
    feature_names: np.ndarray | None


def as_mlp_input(X, name: str):
    """What the MLP's ``fit`` accepts: float arrays (or CSR) with finite values."""
    with clearer_input_errors(name, False, X):
        X = check_array(X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32),
                        input_name="X", estimator=name)
    return X.tocsr() if sp.issparse(X) else X


def fold_data(estimator, pre_candidate: Mapping, mlp_name, X, y, train, test, fit_params,
              classifier: bool, shared: dict) -> FoldData:
    """Fit the steps before the MLP on one fold (if any) and encode its targets.

    ``shared`` caches, for an MLP searched alone, the validated ``X`` and its
    encoded targets, so that the folds share them (and one stack).
    """
    step_params, weight = _route_fit_params(estimator, mlp_name, fit_params)
    name = type(estimator if mlp_name is None else estimator[-1]).__name__
    if y is None:
        raise ValueError(
            f"The search requires y: {name} learns from targets, but y is None. Pass "
            "them with X: search.fit(X, y).")
    with clearer_input_errors(name, not classifier):  # text targets for a regressor
        targets = fit_targets(_safe_indexing(y, train), classifier=classifier)
        encoded = _shared_targets(shared, targets, y, train, name) if mlp_name is None else (
            targets.encode(_safe_indexing(y, train), shared["dtype"], name))
    if mlp_name is None:
        X_fit = shared["X"]
        block = Block(X_fit, encoded, np.asarray(train),
                      None if weight is None else check_weights(weight, X_fit), targets,
                      shared=True)
        return FoldData(block, np.asarray(train), np.asarray(test), X_fit[test], None,
                        shared.get("names"))
    pipeline = clone(estimator).set_params(**pre_candidate)
    preprocess = Pipeline(pipeline.steps[:-1], memory=pipeline.memory)
    step_params = {k: _safe_indexing(v, train) if _is_sample_aligned(v, X) else v
                   for k, v in step_params.items()}
    Xt = preprocess.fit_transform(_safe_indexing(X, train), _safe_indexing(y, train),
                                  **step_params)
    names = getattr(Xt, "columns", None)
    X_fit = as_mlp_input(Xt, name)
    X_test = as_mlp_input(preprocess.transform(_safe_indexing(X, test)), name)
    fold_weight = None if weight is None else check_weights(_safe_indexing(weight, train),
                                                            X_fit)
    block = Block(X_fit, encoded.astype(X_fit.dtype, copy=False), np.arange(len(train)),
                  fold_weight, targets, whole=True)
    return FoldData(block, np.asarray(train), np.asarray(test), X_test, preprocess,
                    None if names is None else np.asarray(names, dtype=object))


def check_splits(splits, n_samples: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The ``(train, test)`` splits of ``cv`` as arrays of row indices, checked.

    Each split must hold integer indices (or boolean masks of ``n_samples``)
    within ``[0, n_samples)``, with at least one training and one test row;
    and there must be at least one split.

    Raises
    ------
    ValueError
        Naming ``cv``, the split and what is wrong with it.
    """
    splits = list(splits)
    if not splits:
        raise ValueError("cv gives no split: pass a number of folds (cv=5), a splitter "
                         "(KFold(5)) or a non-empty list of (train, test) index arrays.")
    checked = []
    for i, split in enumerate(splits):
        try:
            train, test = split
        except (TypeError, ValueError):
            raise ValueError(f"cv's split {i} is not a (train, test) pair of index "
                             f"arrays: {split!r}.") from None
        checked.append(tuple(_split_rows(rows, part, i, n_samples)
                             for rows, part in ((train, "training"), (test, "test"))))
    return checked


def _split_rows(rows, part: str, i: int, n_samples: int) -> np.ndarray:
    """One side of split ``i``: integer row indices within the data."""
    rows = np.asarray(rows)
    if rows.dtype == bool and rows.shape == (n_samples,):
        rows = np.flatnonzero(rows)
    where = f"cv's split {i}"
    if rows.ndim != 1 or (rows.size and not np.issubdtype(rows.dtype, np.integer)):
        raise ValueError(
            f"{where} has {part} rows that are not integer row indices (dtype "
            f"{rows.dtype}, shape {rows.shape}): give 1-D integer arrays of row positions "
            "(e.g. indices.astype(int)), or boolean masks of length n_samples.")
    if rows.size == 0:
        raise ValueError(
            f"{where} has no {part} rows: every split needs at least one training and "
            f"one test row. Check the splitter or the (train, test) index arrays.")
    low, high = int(rows.min()), int(rows.max())
    if low < 0 or high >= n_samples:
        raise ValueError(
            f"{where} has {part} row index {high if high >= n_samples else low}, outside "
            f"the data's {n_samples} rows (indices 0 to {n_samples - 1}): the splits "
            "must index rows of the X passed to fit (positions, not pandas labels).")
    return rows.astype(np.intp, copy=False)


def _route_fit_params(estimator, mlp_name, fit_params) -> tuple[dict, object]:
    """The fit parameters of the steps before the MLP, and the MLP's sample weights,
    split as ``Pipeline.fit`` splits them: by ``<step>__`` prefix, or, with
    metadata routing enabled, by each step's requests."""
    if mlp_name is not None and _routing_enabled():
        routed = process_routing(estimator, "fit", **fit_params)
        wanted = {key for name, _ in estimator.steps[:-1]
                  for method in routed[name].values() for key in method}
        step_params = {k: v for k, v in fit_params.items() if k in wanted}
        own = dict(routed[mlp_name].fit)
    elif mlp_name is not None:
        prefix = f"{mlp_name}__"
        step_params = {k: v for k, v in fit_params.items() if not k.startswith(prefix)}
        own = {k[len(prefix):]: v for k, v in fit_params.items() if k.startswith(prefix)}
    else:
        step_params, own = {}, dict(fit_params)
    weight = own.pop("sample_weight", None)
    if own:
        raise TypeError(
            f"A batched search passes only sample_weight to the MLP's fit; got "
            f"{sorted(own)}. Use sklearn.model_selection.GridSearchCV for other fit "
            "parameters (an early-stopping split is set by validation_fraction).")
    return step_params, weight


def _shared_targets(shared: dict, targets, y, train, name: str) -> np.ndarray:
    """The encoded targets of every row, one array for the folds that encode alike
    (for a classifier, the folds that see the same classes)."""
    key = tuple(targets.classes) if targets.classifier else None
    if key not in shared:
        y_all = np.asarray(y)
        if targets.classifier and not np.isin(y_all, targets.classes).all():
            encoded = np.zeros((len(y_all), targets.n_outputs), dtype=shared["X"].dtype)
            encoded[train] = targets.encode(y_all[train], shared["X"].dtype, name)
            return encoded  # a fold missing a class: its own targets
        shared[key] = targets.encode(y_all, shared["X"].dtype, name)
    return shared[key]


def _is_sample_aligned(value, X) -> bool:
    return hasattr(value, "__len__") and not isinstance(value, str) and len(value) == len(X)


#: What to do about each kind of :func:`fold_defect`.
FOLD_FIXES = {
    "weight": "Give every fold's training and test rows some weight: shuffle the rows "
              "(cv=KFold(n_splits, shuffle=True, random_state=0), or StratifiedKFold for "
              "a classifier) or drop the samples of weight 0.",
    "rows": "Use fewer folds (each test fold needs 2 rows for R^2), or a scoring defined "
            "on one sample, such as 'neg_mean_squared_error'.",
    "classes": "Use fewer folds than the rarest class has samples, or a scoring defined "
               "on one class, such as 'accuracy'.",
}


def fold_defect(train, test, y, sample_weight, *, classifier: bool,
                scoring) -> tuple[str, str] | None:
    """Why a fold cannot train or be scored, whatever the network: ``(kind,
    what)``, ``kind`` a key of :data:`FOLD_FIXES` (``"weight"`` is the training
    rows' when ``what`` starts with "training"), or None."""
    if sample_weight is not None:
        for rows, part in ((train, "training"), (test, "test")):
            if not np.asarray(sample_weight)[rows].sum() > 0:
                return "weight", f"{part} rows all weigh 0 (sample_weight)"
    if not classifier and scoring in (None, "r2") and len(test) < 2:
        return "rows", f"{len(test)} test row, and R^2 needs 2"
    y = np.asarray(y)
    if classifier and scoring in (None, "neg_log_loss") and y.ndim == 1 \
            and len(np.unique(y[test])) < 2:
        return "classes", "test rows hold one class only (the log loss is undefined)"
    return None
