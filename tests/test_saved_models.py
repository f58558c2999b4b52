"""Models saved by earlier releases load, predict and train on as they did.

``tests/saved_models/<release>/`` holds, per release, fitted models saved with
pickle and with skops (:mod:`sklearn_mlpreg.io`) and the outputs they gave on
the query rows there, before and after one more ``partial_fit`` and a warm
start; ``scripts/make_saved_model_fixtures.py`` made them, run on a checkout of
that release.
"""

import json
import pathlib
import pickle

import numpy as np
import pytest

import sklearn_mlpreg
from sklearn_mlpreg import (
    MLPClassifier,
    MLPRegressor,
    MLPRegressorCV,
    SavedModelVersionError,
    SavedModelVersionWarning,
)
from sklearn_mlpreg._persistence import VERSION_KEY

HERE = pathlib.Path(__file__).parent / "saved_models"
RELEASES = sorted(p.name for p in HERE.iterdir() if p.is_dir())
CASES = [(release, name) for release in RELEASES
         for name in json.loads((HERE / release / "manifest.json").read_text())["models"]]
CONTINUED = [(release, name) for release, name in CASES
             if name in ("regressor", "classifier_dropout")]

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _load(path):
    """The saved model, and the version warning its loading gave."""
    with pytest.warns(SavedModelVersionWarning) as record:
        if path.suffix == ".pkl":
            model = pickle.loads(path.read_bytes())
        else:
            pytest.importorskip("skops.io")
            from sklearn_mlpreg.io import load

            model = load(path)
    return model, str(record[0].message)


def _outputs(model, X):
    return (model.predict_proba if hasattr(model, "predict_proba") else model.predict)(X)


def _training_data():
    rng = np.random.RandomState(0)  # scripts/make_saved_model_fixtures.py's data()
    X = rng.normal(size=(48, 4))
    y_reg = X @ np.array([1.0, -0.5, 0.25, 0.0]) + 0.1 * rng.normal(size=48)
    y_clf = np.digitize(X[:, 0] + 0.5 * X[:, 1], [-0.5, 0.5])
    return X, y_reg, y_clf


@pytest.mark.parametrize("suffix", [".pkl", ".skops"])
@pytest.mark.parametrize(("release", "name"), CASES)
def test_a_saved_model_loads_and_predicts_as_it_did(release, name, suffix):
    saved = np.load(HERE / release / "predictions.npz")
    model, message = _load(HERE / release / f"{name}{suffix}")
    version = json.loads((HERE / release / "manifest.json").read_text())["version"]
    assert f"saved by sklearn_mlpreg {version}" in message
    assert f"loaded by sklearn_mlpreg {sklearn_mlpreg.__version__}" in message
    np.testing.assert_allclose(model.predict(saved["X_query"]), saved[f"{name}.predict"],
                               rtol=1e-12, atol=1e-12)
    if f"{name}.predict_proba" in saved:
        np.testing.assert_allclose(model.predict_proba(saved["X_query"]),
                                   saved[f"{name}.predict_proba"], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
@pytest.mark.parametrize(("release", "name"), CONTINUED)
def test_a_loaded_model_trains_on_as_it_would_have(release, name, how):
    """The optimizer's moments and the counters survive: one more partial_fit
    (or a warm start) gives what the saving release gave."""
    saved = np.load(HERE / release / "predictions.npz")
    model, _ = _load(HERE / release / f"{name}.pkl")
    X, y_reg, y_clf = _training_data()
    y = y_clf if name.startswith("classifier") else y_reg
    if how == "partial_fit":
        model.partial_fit(X, y)
    else:
        model.set_params(warm_start=True, max_iter=5).fit(X, y)
    np.testing.assert_allclose(_outputs(model, saved["X_query"]), saved[f"{name}.{how}"],
                               rtol=1e-9, atol=1e-12)


def test_todays_models_record_their_version_and_load_silently(recwarn):
    X, y, _ = _training_data()
    model = MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(X, y)
    assert model.__getstate__()[VERSION_KEY] == sklearn_mlpreg.__version__
    assert VERSION_KEY not in vars(model)  # recorded in the saved state only
    again = pickle.loads(pickle.dumps(model))
    assert not [w for w in recwarn if issubclass(w.category, SavedModelVersionWarning)]
    np.testing.assert_array_equal(again.predict(X), model.predict(X))


def _state_from(version, model):
    state = model.__getstate__()
    state[VERSION_KEY] = version
    return state


def test_a_model_from_a_later_release_is_refused_with_both_versions():
    X, y, _ = _training_data()
    model = MLPRegressorCV(hidden_layer_sizes=(4,), alphas=[0.1, 1.0], cv=2, max_iter=5,
                           random_state=0).fit(X, y)
    with pytest.raises(SavedModelVersionError,
                       match=r"saved by sklearn_mlpreg 9\.0\.0; this is sklearn_mlpreg "
                       + sklearn_mlpreg.__version__.replace(".", r"\.")
                       + r".*later release.*sklearn_mlpreg==9\.0\.0"):
        MLPRegressorCV.__new__(MLPRegressorCV).__setstate__(_state_from("9.0.0", model))


@pytest.mark.parametrize("damage", ["n_features_in_", "_label_binarizer", "coefs_shape"])
def test_an_earlier_state_without_what_a_fit_needs_is_refused(damage):
    """A 0.1.0-era classifier state (no model specification) that lacks its
    number of features or its classes, or whose weights do not fit its
    settings, cannot be brought up to date: the error names the version and
    the fix."""
    model, _ = _load(HERE / "0.1.0-87b0a9d" / "classifier_dropout.pkl")
    state = {k: v for k, v in vars(model).items() if k not in ("_spec", "_training")}
    state["_label_binarizer"] = model._spec.targets.binarizer
    state.pop("classes_")
    if damage == "coefs_shape":
        state["hidden_layer_sizes"] = (3,)
    else:
        state.pop(damage)
    with pytest.raises(SavedModelVersionError,
                       match=r"saved by sklearn_mlpreg 0\.1\.0.*Refit the model.*"
                       r"pip install \"sklearn_mlpreg==0\.1\.0\""):
        MLPClassifier.__new__(MLPClassifier).__setstate__(state)


def test_parameters_added_since_take_their_defaults():
    """A parameter an earlier release did not have is set to its default."""
    model, _ = _load(HERE / "0.1.0-87b0a9d" / "classifier_dropout.pkl")
    state = {k: v for k, v in vars(model).items() if k != "class_weight"}
    state[VERSION_KEY] = "0.1.0"
    again = MLPClassifier.__new__(MLPClassifier)
    with pytest.warns(SavedModelVersionWarning):
        again.__setstate__(state)
    assert again.get_params()["class_weight"] is None
    np.testing.assert_array_equal(again.predict_proba(_training_data()[0]),
                                  model.predict_proba(_training_data()[0]))


def test_a_damaged_file_is_refused_at_load():
    X, y, _ = _training_data()
    model = MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(X, y)
    model.intercepts_[-1][0] = np.inf
    with pytest.raises(ValueError, match="weights hold NaN or inf: the file is damaged"):
        pickle.loads(pickle.dumps(model))


def test_a_fitted_state_without_what_it_predicts_with_is_refused():
    X, y, _ = _training_data()
    model = MLPRegressorCV(hidden_layer_sizes=(4,), alphas=[0.1, 1.0], cv=2, max_iter=5,
                           random_state=0).fit(X, y)
    state = model.__getstate__()
    del state["best_estimator_"]
    with pytest.raises(SavedModelVersionError, match="it lacks best_estimator_"):
        MLPRegressorCV.__new__(MLPRegressorCV).__setstate__(state)


def test_io_load_of_a_pickle_says_what_it_is(tmp_path):
    pytest.importorskip("skops.io")
    from sklearn_mlpreg.io import load

    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(MLPRegressor()))
    with pytest.raises(ValueError, match="not a skops file.*pickle.load"):
        load(path)
