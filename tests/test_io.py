"""Persistence: skops files that trust only the library's types; pickle and joblib."""

import io
import os
import pickle
import zipfile

import joblib
import numpy as np
import pytest
from sklearn.metrics import make_scorer, mean_absolute_error
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    LeaveOneOut,
    RandomizedSearchCV,
    RepeatedStratifiedKFold,
    ShuffleSplit,
    StratifiedKFold,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_mlpreg import (
    MLPClassifier,
    MLPClassifierCV,
    MLPEnsembleClassifier,
    MLPEnsembleRegressor,
    MLPRegressor,
    MLPRegressorCV,
)
from sklearn_mlpreg.model_selection import BatchedGridSearchCV, BatchedRandomizedSearchCV

skops_io = pytest.importorskip("skops.io")
from sklearn_mlpreg.io import (  # noqa: E402
    SKLEARN_TYPES,
    TRUSTED_TYPES,
    UntrustedTypesError,
    load,
    save,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(hidden_layer_sizes=(6,), max_iter=15, random_state=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.randn(80, 3)
    return X, X @ [1.0, -2.0, 0.5] + 0.1 * rng.randn(80)


def fitted_models(X, y):
    labels = np.where(y > 0, "up", "down")
    yield "regressor", MLPRegressor(**FAST, early_stopping=True).fit(X, y)
    yield "l1-lbfgs", MLPRegressor(**FAST, solver="lbfgs", penalty="l1").fit(X, y)
    yield "dropout-sgd", MLPRegressor(**FAST, solver="sgd", dropout=0.2).fit(X, y)
    yield "classifier", MLPClassifier(**FAST).fit(X, labels)
    yield "regressor-cv", MLPRegressorCV(alphas=[0.01, 1.0], cv=2, **FAST).fit(X, y)
    yield "classifier-cv", MLPClassifierCV(alphas=[0.01, 1.0], cv=2, **FAST).fit(X, labels)
    yield "pipeline", make_pipeline(StandardScaler(), MLPRegressor(**FAST)).fit(X, y)
    yield "ensemble", MLPEnsembleRegressor(MLPRegressor(**FAST), n_members=2).fit(X, y)
    yield "ensemble-classifier", MLPEnsembleClassifier(
        MLPClassifier(**FAST), n_members=2, bootstrap=True).fit(X, labels)
    yield "batched-grid", BatchedGridSearchCV(
        MLPRegressor(**FAST), {"alpha": [0.1, 1.0]}, cv=KFold(2)).fit(X, y)
    yield "batched-random", BatchedRandomizedSearchCV(
        MLPClassifier(**FAST), {"alpha": [0.1, 1.0]}, n_iter=2, cv=3,
        scoring="neg_log_loss", random_state=0).fit(X, labels)
    yield "grid-multimetric", GridSearchCV(
        make_pipeline(StandardScaler(), MLPRegressor(**FAST)),
        {"mlpregressor__alpha": [0.1, 1.0]}, cv=ShuffleSplit(2, random_state=0),
        scoring={"r2": "r2", "mae": make_scorer(mean_absolute_error)}, refit="r2").fit(X, y)
    yield "random-classifier", RandomizedSearchCV(
        MLPClassifier(**FAST), {"alpha": [0.1, 1.0]}, n_iter=2, random_state=0,
        cv=StratifiedKFold(2), scoring="accuracy").fit(X, labels)
    yield "classifier-cv-repeated", MLPClassifierCV(
        alphas=[0.1, 1.0], cv=RepeatedStratifiedKFold(n_splits=2, n_repeats=1,
                                                      random_state=0), **FAST).fit(X, labels)
    yield "regressor-cv-loo", MLPRegressorCV(
        alphas=[0.1, 1.0], cv=LeaveOneOut(), scoring="neg_mean_squared_error",
        **FAST).fit(X[:6], y[:6])


@pytest.mark.parametrize("kind", ["skops", "pickle", "joblib"])
def test_round_trip_gives_identical_predictions(data, tmp_path, kind):
    X, y = data
    for name, model in fitted_models(X, y):
        path = tmp_path / f"{name}.{kind}"
        if kind == "skops":
            save(model, path)
            restored = load(path)
        elif kind == "pickle":
            path.write_bytes(pickle.dumps(model))
            restored = pickle.loads(path.read_bytes())
        else:
            joblib.dump(model, path)
            restored = joblib.load(path)
        assert type(restored) is type(model), name
        np.testing.assert_array_equal(restored.predict(X), model.predict(X), err_msg=name)
        if hasattr(model, "predict_proba"):
            np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))


def test_a_loaded_model_keeps_training_like_the_original(data, tmp_path):
    X, y = data
    model = MLPRegressor(**FAST).fit(X, y)
    save(model, tmp_path / "model.skops")
    restored = load(str(tmp_path / "model.skops"))
    for _ in range(3):  # the optimizer's moments travelled with the model
        model.partial_fit(X, y)
        restored.partial_fit(X, y)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))


class Payload:
    """A type from outside the library."""


def test_loading_a_foreign_type_is_refused(data, tmp_path):
    X, y = data
    model = MLPRegressor(**FAST).fit(X, y)
    model.note_ = Payload()
    path = tmp_path / "model.skops"
    save(model, path)
    with pytest.raises(UntrustedTypesError, match=r"test_io\.Payload.*not loaded"):
        load(path)


def test_a_file_naming_a_dangerous_function_is_refused(data, tmp_path):
    X, y = data
    path = tmp_path / "model.skops"
    save(MLPRegressor(**FAST).fit(X, y), path)
    # Tamper with the file: make the stored class name os.system.
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["schema.json"] = files["schema.json"].replace(
        b'"__class__": "MLPRegressor"', b'"__class__": "system"').replace(
        b'"__module__": "sklearn_mlpreg._regressor"', b'"__module__": "os"')
    assert b'"system"' in files["schema.json"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    path.write_bytes(buffer.getvalue())
    with pytest.raises(UntrustedTypesError, match="os.system"):
        load(path)


def test_trusted_types_are_exactly_the_library_types():
    assert all(name.startswith("sklearn_mlpreg.") for name in TRUSTED_TYPES)
    assert "sklearn_mlpreg._regressor.MLPRegressor" in TRUSTED_TYPES


def test_scikit_learn_types_are_scorers_splitters_and_metrics_only():
    kinds = {"sklearn.metrics._scorer", "sklearn.model_selection._split",
             "sklearn.metrics._regression", "sklearn.metrics._classification",
             "sklearn.metrics._ranking"}
    assert {name.rpartition(".")[0] for name in SKLEARN_TYPES} == kinds
    assert "sklearn.model_selection._split.KFold" in SKLEARN_TYPES
    assert "sklearn.metrics._regression.r2_score" in SKLEARN_TYPES


@pytest.mark.parametrize("foreign", ["scoring", "step"])
def test_a_search_holding_a_foreign_function_is_refused(data, tmp_path, foreign):
    """Trusting scikit-learn's scorers and metric functions by name does not
    trust a function of the user's (or of os) that a search carries."""
    X, y = data
    if foreign == "scoring":
        search = GridSearchCV(MLPRegressor(**FAST), {"alpha": [0.1, 1.0]}, cv=2,
                              scoring=make_scorer(_my_error, greater_is_better=False))
        expected = r"test_io\._my_error"
    else:
        search = GridSearchCV(make_pipeline(FunctionTransformer(os.path.abspath),
                                            MLPRegressor(**FAST)),
                              {"mlpregressor__alpha": [0.1]}, cv=2)
        expected = "abspath"
    path = tmp_path / "search.skops"
    save(search.fit(X, y) if foreign == "scoring" else search, path)
    with pytest.raises(UntrustedTypesError, match=expected):
        load(path)


def _my_error(y_true, y_pred):
    return float(np.mean(np.abs(y_true - y_pred)))


def test_bad_paths_are_rejected(tmp_path):
    with pytest.raises(InvalidParameterError, match="'path' parameter"):
        save(MLPRegressor(), 3)
    with pytest.raises(InvalidParameterError, match="'path' parameter"):
        load(None)
    with pytest.raises((FileNotFoundError, OSError)):
        load(os.path.join(tmp_path, "missing.skops"))

