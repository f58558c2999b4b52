"""Pandas in and out: feature names, ColumnTransformer pipelines with pandas output."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_mlpreg import MLPClassifier, MLPRegressor, MLPRegressorCV
from sklearn_mlpreg.datasets import load_gait

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def frame():
    rng = np.random.RandomState(0)
    n = 120
    table = pd.DataFrame({
        "speed": rng.uniform(0.4, 1.6, n),
        "cadence": rng.normal(100, 10, n),
        "side": rng.choice(["left", "right"], n),
        "group": rng.choice(["young", "old", "patient"], n),
    })
    effect = table["group"].map({"young": 0.0, "old": 1.0, "patient": 3.0})
    target = 10 - 4 * table["speed"] + effect + 0.2 * rng.randn(n)
    return table, target.rename("tug")


def pipeline(estimator):
    columns = ColumnTransformer([
        ("numbers", StandardScaler(), ["speed", "cadence"]),
        ("categories", OneHotEncoder(sparse_output=False), ["side", "group"]),
    ])
    return Pipeline([("columns", columns), ("mlp", estimator)]).set_output(
        transform="pandas")


def test_dataframe_keeps_feature_names(frame):
    table, target = frame
    numeric = table[["speed", "cadence"]]
    for model in (MLPRegressor(max_iter=20, random_state=0),
                  MLPRegressorCV(alphas=[0.1, 1.0], cv=2, max_iter=20, random_state=0)):
        model.fit(numeric, target)
        np.testing.assert_array_equal(model.feature_names_in_, ["speed", "cadence"])
        with pytest.warns(UserWarning, match="feature names"):
            model.predict(numeric.to_numpy())  # fitted with names, given none
        with pytest.raises(ValueError, match="feature names"):
            model.predict(numeric[["cadence", "speed"]])  # names in another order


def test_column_transformer_with_pandas_output(frame):
    table, target = frame
    model = pipeline(MLPRegressor(hidden_layer_sizes=(16,), max_iter=400,
                                  learning_rate_init=0.01, random_state=0))
    model.fit(table, target)
    mlp = model.named_steps["mlp"]
    assert list(mlp.feature_names_in_) == [
        "numbers__speed", "numbers__cadence", "categories__side_left",
        "categories__side_right", "categories__group_old",
        "categories__group_patient", "categories__group_young"]
    prediction = model.predict(table)
    assert prediction.shape == (len(table),) and np.isfinite(prediction).all()
    assert model.score(table, target) > 0.9


def test_pandas_output_pipeline_in_grid_search_and_cross_val_score(frame):
    table, target = frame
    model = pipeline(MLPRegressor(hidden_layer_sizes=(8,), max_iter=150,
                                  learning_rate_init=0.01, random_state=0))
    search = GridSearchCV(model, {"mlp__alpha": [1e-3, 1.0]}, cv=3).fit(table, target)
    assert search.best_params_["mlp__alpha"] in (1e-3, 1.0)
    scores = cross_val_score(model, table, target, cv=3)
    assert scores.mean() > 0.5


def test_classifier_on_a_frame_with_string_labels(frame):
    table, target = frame
    labels = pd.Series(np.where(target > target.median(), "slow", "fast"), name="tug")
    model = pipeline(MLPClassifier(hidden_layer_sizes=(8,), max_iter=300,
                                   learning_rate_init=0.01, random_state=0))
    model.fit(table, labels)
    assert set(model.predict(table)) <= {"slow", "fast"}
    assert model.score(table, labels) > 0.8


def test_gait_frame_with_a_transformed_target():
    X, y = load_gait(target="TUG", as_frame=True, return_X_y=True)
    assert X.isna().any().any()  # the table's missing values go through the imputer
    model = TransformedTargetRegressor(
        regressor=Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler()),
                            ("mlp", MLPRegressor(hidden_layer_sizes=(8,), alpha=1.0,
                                                 max_iter=200, random_state=0))]),
        transformer=StandardScaler())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    np.testing.assert_array_equal(model.regressor_.feature_names_in_, X.columns)
    assert np.isfinite(model.predict(X)).all()
