"""load_gait: shapes, repaired cells, targets, no leakage, the shipped CSV."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn_mlpreg.datasets import load_gait

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
LEAKS = {"No", "time", "TUG", "BBS", "y1", "y2"}


def test_shapes_dtypes_and_names():
    gait = load_gait()
    assert gait.data.shape == (23, 19) and gait.data.dtype == np.float64
    assert gait.target.shape == (23,) and gait.target_names == ["BBS"]
    assert len(gait.feature_names) == 19 and gait.frame is None
    assert gait.feature_names[0] == "age" and gait.feature_names[-1] == "Gender"


def test_no_target_label_row_number_or_time_among_the_features():
    gait = load_gait(target="TUG")
    assert not LEAKS & set(gait.feature_names)
    table = load_gait(as_frame=True).frame
    for column in gait.data.T:  # nothing in data copies TUG or time
        assert np.sum(column == table["TUG"].to_numpy()) < 5
        assert np.sum(column == table["time"].to_numpy()) < 5
    assert np.sum(table["time"] == table["TUG"]) == 22  # why time is left out


def test_the_two_damaged_cells_are_missing_and_row_6_is_realigned():
    data = load_gait(as_frame=True).data
    assert data.isna().sum().sum() == 2
    assert list(data.index[data["px"].isna()]) == [5, 6]  # rows 6 and 7
    row6 = data.iloc[5]
    assert (row6["py"], row6["pz"], row6["Steps"], row6["Gender"]) == (1.788, -1.349, 13, 0)
    assert load_gait(target="BBS").target[5] == 26 and load_gait(target="TUG").target[5] == 11


def test_odd_values_are_kept_as_printed():
    data = load_gait(as_frame=True).data
    assert data.loc[7, "pz"] == 4.594 and (data["pz"] > 0).sum() == 1
    assert data.loc[22, "age"] == 109 and data["age"].drop(22).max() == 88


def test_derived_labels_match_their_definitions():
    tug, bbs = load_gait(target="TUG").target, load_gait(target="BBS").target
    y1, y2 = load_gait(target="y1").target, load_gait(target="y2").target
    np.testing.assert_array_equal(y1, (tug >= 14).astype(int))
    np.testing.assert_array_equal(y2, (bbs <= 22).astype(int))
    assert y1.sum() == 7 and y2.sum() == 6 and y1.dtype.kind == "i"


def test_return_X_y_and_as_frame():
    X, y = load_gait(target="y1", return_X_y=True)
    assert isinstance(X, np.ndarray) and X.shape == (23, 19) and set(y) == {0, 1}
    Xf, yf = load_gait(target="y1", return_X_y=True, as_frame=True)
    assert isinstance(Xf, pd.DataFrame) and isinstance(yf, pd.Series)
    np.testing.assert_array_equal(Xf.to_numpy(), X)
    gait = load_gait(as_frame=True)
    assert gait.frame.shape == (23, 25)
    assert isinstance(gait.frame["Gender"].dtype, pd.CategoricalDtype)
    assert set(gait.frame["Gender"]) == {"F", "M"}
    assert set(gait.data["Gender"]) == {0.0, 1.0}  # numeric in data


def test_descr_explains_columns_missing_cells_odd_values_and_time():
    text = load_gait().DESCR
    for phrase in ("Timed Up and Go", "Berg Balance", "x_i^n", "Row 6", "109", "4.594",
                   "22 of the 23", "Step frequency"):
        assert phrase in text


def test_bad_target_is_rejected():
    with pytest.raises(ValueError, match="target"):
        load_gait(target="time")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the lecture's seed text is not beside "
                    "this checkout")
def test_shipped_csv_is_what_the_script_writes_from_the_seed(tmp_path):
    seed = sorted(SEEDS.glob("*.txt"))[0]
    out = tmp_path / "gait.csv"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_gait_csv.py"),
                    str(seed), str(out)], check=True, capture_output=True)
    shipped = ROOT / "sklearn_mlpreg" / "datasets" / "data" / "gait.csv"
    assert out.read_text() == shipped.read_text()
