"""load_gait: the clinical gait table (TUG / BBS), in the style of load_diabetes."""

from __future__ import annotations

from importlib import resources

import pandas as pd
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

TARGETS = ("TUG", "BBS", "y1", "y2")
#: Columns that never are features: the row number, a copy of TUG, the targets.
EXCLUDED = ("No", "time") + TARGETS
GENDER_CODES = {"F": 0, "M": 1}


def _read_table() -> pd.DataFrame:
    with resources.files("sklearn_mlpreg.datasets").joinpath("data/gait.csv").open() as f:
        table = pd.read_csv(f)
    table["Gender"] = pd.Categorical(table["Gender"], categories=list(GENDER_CODES))
    return table


def _features_and_target(table: pd.DataFrame, target: str) -> tuple:
    """The feature frame (Gender coded 0 / 1, all float) and the target column."""
    features = [c for c in table.columns if c not in EXCLUDED]
    frame_data = table[features].copy()
    frame_data["Gender"] = frame_data["Gender"].map(GENDER_CODES).astype(float)
    y = table[target]
    return frame_data.astype(float), y.astype(int) if target in ("y1", "y2") \
        else y.astype(float)


@validate_params(
    {"target": [StrOptions(set(TARGETS))], "return_X_y": ["boolean"],
     "as_frame": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def load_gait(*, target="BBS", return_X_y=False, as_frame=False):
    """Load the gait table of 23 older adults (regression or classification).

    ==============   =====================================================
    Samples          23
    Features         19 (age, phase times, frame numbers, step measures,
                     sensor summaries, gender); ``px`` missing in 2 rows
    Targets          TUG (s), BBS (score): regression;
                     y1 (TUG >= 14), y2 (BBS <= 22): classification
    ==============   =====================================================

    Read more in ``DESCR``: every column, the damaged cells, the odd values,
    and why ``time`` is never a feature.

    Parameters
    ----------
    target : {"TUG", "BBS", "y1", "y2"}, default="BBS"
        The column to predict.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return ``data`` as a pandas DataFrame and ``target`` as a Series, and
        fill ``frame`` with the whole table (Gender as a categorical).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (23 x 19 float array or DataFrame, NaN where ``px`` is
        missing, Gender 0 = F / 1 = M), ``target`` (float for TUG / BBS, int for
        y1 / y2), ``feature_names``, ``target_names``, ``frame`` (None unless
        ``as_frame``), ``DESCR``, ``data_module``, ``data_filename``.
    (data, target) : tuple if ``return_X_y`` is True

    Examples
    --------
    >>> from sklearn_mlpreg.datasets import load_gait
    >>> gait = load_gait(target="TUG")
    >>> gait.data.shape, "time" in gait.feature_names
    ((23, 19), False)
    """
    table = _read_table()
    frame_data, y = _features_and_target(table, target)
    features = list(frame_data.columns)
    if return_X_y:
        return (frame_data, y) if as_frame else (frame_data.to_numpy(), y.to_numpy())
    descr = resources.files("sklearn_mlpreg.datasets").joinpath(
        "descr/gait.rst").read_text(encoding="utf-8")
    return Bunch(
        data=frame_data if as_frame else frame_data.to_numpy(),
        target=y if as_frame else y.to_numpy(),
        feature_names=features,
        target_names=[target],
        frame=table if as_frame else None,
        DESCR=descr,
        data_module="sklearn_mlpreg.datasets.data",
        data_filename="gait.csv",
    )
