"""Array API: the estimators, the CV estimators, the ensembles and the batched
search on PyTorch (CPU, and CUDA where a device exists) and ``array_api_strict``
arrays, with ``sklearn.set_config(array_api_dispatch=True)``.

What is checked: the fitted weights and predictions stay in the input's
namespace and on its device; they equal the numpy path's (float64 to 1e-10;
float32 to 1e-4 relative to the predictions' scale, the rounding of a few
hundred float32 steps, which torch's and numpy's BLAS order differently);
the searches' ``cv_results_`` equal numpy's; what cannot run in a namespace
(L-BFGS) refuses with an error naming the fix; without dispatch nothing
changes. scikit-learn's own Array API estimator checks run in
``test_common.py`` (they need ``SCIPY_ARRAY_API=1``, set by ``conftest.py``).

The CUDA tests run on a machine with a GPU with::

    python -m pytest tests/test_array_api.py -k cuda
"""

import os

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlpreg import (
    MLPClassifier,
    MLPClassifierCV,
    MLPEnsembleClassifier,
    MLPEnsembleRegressor,
    MLPRegressor,
    MLPRegressorCV,
)
from sklearn_mlpreg.model_selection import BatchedGridSearchCV

torch = pytest.importorskip("torch", reason="the Array API tests need torch==2.13.0")
strict = pytest.importorskip("array_api_strict")

pytestmark = [
    pytest.mark.skipif(os.environ.get("SCIPY_ARRAY_API") != "1",
                       reason="array_api_dispatch needs SCIPY_ARRAY_API=1 (conftest.py)"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore::sklearn_mlpreg.GridEdgeWarning"),
]

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")


def _namespaces():
    """(name, to_array, device) for every namespace tested here."""
    yield pytest.param("torch-cpu", lambda a: torch.asarray(a, device="cpu"), id="torch-cpu")
    yield pytest.param("strict", lambda a: strict.asarray(a), id="array_api_strict")
    yield pytest.param("torch-cuda", lambda a: torch.asarray(a, device="cuda"),
                       id="torch-cuda", marks=CUDA)


NAMESPACES = list(_namespaces())


def host(array):
    """A result as a numpy array (from any namespace and device)."""
    if isinstance(array, np.ndarray):
        return array
    if hasattr(array, "detach"):
        return array.detach().cpu().numpy()
    return np.asarray(array)


def same_place(result, reference):
    """Whether ``result`` is in ``reference``'s namespace and on its device."""
    if isinstance(reference, torch.Tensor):
        return isinstance(result, torch.Tensor) and result.device == reference.device
    return type(result) is type(reference) and result.device == reference.device


def dispatched(estimator, method, *args, **kwargs):
    with sklearn.config_context(array_api_dispatch=True):
        return getattr(estimator, method)(*args, **kwargs)


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=90, n_features=6, noise=5.0, random_state=0)
    return StandardScaler().fit_transform(X), y / y.std()


@pytest.fixture(scope="module")
def classification():
    return make_classification(n_samples=90, n_features=6, n_informative=4, n_classes=3,
                               random_state=0)


SETTINGS = [
    {},
    {"solver": "sgd", "momentum": 0.8, "batch_size": 16},
    {"dropout": 0.2, "batch_size": 32},
    {"early_stopping": True, "validation_fraction": 0.2},
    {"penalty": "elasticnet", "alpha": 0.1, "l1_ratio": 0.5, "learning_rate": "cosine"},
    {"hidden_layer_sizes": (12, 8), "activation": "tanh", "dropout_mode": "weight_scaling",
     "dropout": 0.1},
]


@pytest.mark.parametrize("name, as_array", NAMESPACES)
@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: ",".join(s) or "default")
def test_regressor_equals_numpy_float64(regression, name, as_array, settings):
    X, y = regression
    params = {"hidden_layer_sizes": (16,), "max_iter": 40, "random_state": 0, **settings}
    reference = MLPRegressor(**params).fit(X, y)
    Xa = as_array(X)
    model = dispatched(MLPRegressor(**params), "fit", Xa, as_array(y))
    prediction = dispatched(model, "predict", Xa)
    assert same_place(prediction, Xa)
    assert all(same_place(W, Xa) for W in model.coefs_ + model.intercepts_)
    np.testing.assert_allclose(host(prediction), reference.predict(X), rtol=0, atol=1e-10)
    assert model.n_iter_ == reference.n_iter_
    np.testing.assert_allclose(model.loss_curve_, reference.loss_curve_, rtol=1e-10)


@pytest.mark.parametrize("name, as_array", NAMESPACES)
@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "leaky_relu"])
def test_every_activation_and_poisson_equal_numpy(regression, name, as_array, activation):
    X, y = regression
    y = np.exp(y / 2)  # positive: also a Poisson target
    for loss in ("squared_error", "poisson"):
        params = {"hidden_layer_sizes": (8, 6), "max_iter": 25, "random_state": 0,
                  "activation": activation, "loss": loss, "penalty": "l1", "alpha": 0.01}
        reference = MLPRegressor(**params).fit(X, y)
        model = dispatched(MLPRegressor(**params), "fit", as_array(X), as_array(y))
        np.testing.assert_allclose(host(dispatched(model, "predict", as_array(X))),
                                   reference.predict(X), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(host(model.saturation_), reference.saturation_,
                                   atol=1e-12)


@pytest.mark.parametrize("name, as_array", NAMESPACES)
def test_multilabel_classifier_equals_numpy(classification, name, as_array):
    X, y = classification
    Y = np.column_stack([y == 0, y == 1, X[:, 0] > 0]).astype(int)
    params = {"hidden_layer_sizes": (10,), "max_iter": 30, "random_state": 0,
              "early_stopping": True}
    reference = MLPClassifier(**params).fit(X, Y)
    model = dispatched(MLPClassifier(**params), "fit", as_array(X), as_array(Y))
    np.testing.assert_allclose(host(dispatched(model, "predict_proba", as_array(X))),
                               reference.predict_proba(X), atol=1e-10)
    np.testing.assert_array_equal(host(dispatched(model, "predict", as_array(X))),
                                  reference.predict(X))


@pytest.mark.parametrize("name, as_array", NAMESPACES)
def test_classifier_equals_numpy(classification, name, as_array):
    X, y = classification
    params = {"hidden_layer_sizes": (16,), "max_iter": 40, "random_state": 0,
              "class_weight": "balanced"}
    reference = MLPClassifier(**params).fit(X, y)
    Xa = as_array(X)
    model = dispatched(MLPClassifier(**params), "fit", Xa, as_array(y))
    proba = dispatched(model, "predict_proba", Xa)
    labels = dispatched(model, "predict", Xa)
    assert same_place(proba, Xa) and same_place(labels, Xa)
    np.testing.assert_allclose(host(proba), reference.predict_proba(X), atol=1e-10)
    np.testing.assert_array_equal(host(labels), reference.predict(X))
    np.testing.assert_allclose(host(dispatched(model, "predict_log_proba", Xa)),
                               reference.predict_log_proba(X), atol=1e-9)


def test_text_labels_stay_numpy(classification):
    """Labels that are strings cannot live on a device: predict returns numpy's."""
    X, y = classification
    text = np.array(["low", "mid", "high"])[y]
    model = dispatched(MLPClassifier(max_iter=20, random_state=0), "fit",
                       torch.asarray(X), text)
    labels = dispatched(model, "predict", torch.asarray(X))
    assert isinstance(labels, np.ndarray) and set(labels) <= {"low", "mid", "high"}


@pytest.mark.parametrize("name, as_array", NAMESPACES)
def test_float32_within_tolerance(regression, name, as_array):
    X, y = (a.astype(np.float32) for a in regression)
    params = {"hidden_layer_sizes": (16,), "max_iter": 40, "random_state": 0}
    reference = MLPRegressor(**params).fit(X, y)
    Xa = as_array(X)
    model = dispatched(MLPRegressor(**params), "fit", Xa, as_array(y))
    prediction = host(dispatched(model, "predict", Xa))
    assert prediction.dtype == np.float32 and model.coefs_[0].dtype == Xa.dtype
    scale = np.abs(reference.predict(X)).max()
    np.testing.assert_allclose(prediction, reference.predict(X), atol=1e-4 * scale)


@pytest.mark.parametrize("name, as_array", NAMESPACES)
def test_warm_start_and_partial_fit_stay_on_the_device(regression, name, as_array):
    X, y = regression
    params = {"hidden_layer_sizes": (10,), "max_iter": 15, "random_state": 0}
    reference = MLPRegressor(**params).fit(X, y)
    reference.partial_fit(X, y)
    reference.set_params(warm_start=True).fit(X, y)
    Xa, ya = as_array(X), as_array(y)
    model = dispatched(MLPRegressor(**params), "fit", Xa, ya)
    dispatched(model, "partial_fit", Xa, ya)
    dispatched(model.set_params(warm_start=True), "fit", Xa, ya)
    assert same_place(model.coefs_[0], Xa)
    np.testing.assert_allclose(host(dispatched(model, "predict", Xa)), reference.predict(X),
                               atol=1e-10)


def test_monte_carlo_std_on_torch(regression):
    X, y = regression
    params = {"hidden_layer_sizes": (16,), "max_iter": 20, "dropout": 0.3, "random_state": 0}
    reference = MLPRegressor(**params).fit(X, y)
    Xa = torch.asarray(X)
    model = dispatched(MLPRegressor(**params), "fit", Xa, torch.asarray(y))
    mean, std = dispatched(model, "predict", Xa, return_std=True)
    mean_ref, std_ref = reference.predict(X, return_std=True)
    assert same_place(mean, Xa) and same_place(std, Xa)
    np.testing.assert_allclose(host(mean), mean_ref, atol=1e-10)
    np.testing.assert_allclose(host(std), std_ref, atol=1e-10)


@pytest.mark.parametrize("name, as_array", NAMESPACES)
def test_cv_estimators_equal_numpy(regression, classification, name, as_array):
    X, y = regression
    params = {"hidden_layer_sizes": (10,), "max_iter": 30, "random_state": 0,
              "alphas": [1e-3, 1.0, 10.0], "cv": 3}
    reference = MLPRegressorCV(**params).fit(X, y)
    Xa = as_array(X)
    model = dispatched(MLPRegressorCV(**params), "fit", Xa, as_array(y))
    for key in ("mean_test_score", "mean_train_score", "split2_test_score"):
        np.testing.assert_allclose(model.cv_results_[key], reference.cv_results_[key],
                                   rtol=1e-10, atol=1e-12)
    assert model.alpha_ == reference.alpha_
    assert same_place(model.alphas_, Xa) and same_place(model.n_iter_, Xa)
    prediction = dispatched(model, "predict", Xa)
    assert same_place(prediction, Xa)
    np.testing.assert_allclose(host(prediction), reference.predict(X), atol=1e-10)

    Xc, yc = classification
    reference = MLPClassifierCV(**params).fit(Xc, yc)
    model = dispatched(MLPClassifierCV(**params), "fit", as_array(Xc), as_array(yc))
    np.testing.assert_allclose(model.cv_results_["mean_test_score"],
                               reference.cv_results_["mean_test_score"], rtol=1e-10)
    np.testing.assert_allclose(host(dispatched(model, "predict_proba", as_array(Xc))),
                               reference.predict_proba(Xc), atol=1e-10)


@pytest.mark.parametrize("name, as_array", NAMESPACES)
def test_batched_search_equals_numpy_and_gridsearch(regression, name, as_array):
    """Every (candidate, fold) network trains on the device; the results equal the
    numpy search's and GridSearchCV's."""
    X, y = regression
    estimator = MLPRegressor(hidden_layer_sizes=(10,), max_iter=30, random_state=0)
    grid = {"alpha": [1e-3, 1.0], "dropout": [0.0, 0.2], "learning_rate_init": [1e-3, 1e-2],
            "batch_size": [32, "auto"]}
    search = BatchedGridSearchCV(estimator, grid, cv=3, return_train_score=True)
    reference = clone(search).fit(X, y)
    expected = GridSearchCV(estimator, grid, cv=3).fit(X, y)
    Xa = as_array(X)
    model = dispatched(clone(search), "fit", Xa, as_array(y))
    for key in ("mean_test_score", "std_test_score", "mean_train_score"):
        np.testing.assert_allclose(model.cv_results_[key], reference.cv_results_[key],
                                   rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(model.cv_results_["mean_test_score"],
                               expected.cv_results_["mean_test_score"], rtol=1e-8)
    assert model.best_params_ == reference.best_params_
    assert same_place(model.best_estimator_.coefs_[0], Xa) and same_place(model.n_iter_, Xa)
    np.testing.assert_allclose(host(dispatched(model, "predict", Xa)), reference.predict(X),
                               atol=1e-10)


def test_batched_search_of_a_pipeline_on_torch(classification):
    X, y = classification
    pipeline = make_pipeline(StandardScaler(),
                             MLPClassifier(hidden_layer_sizes=(8,), max_iter=25,
                                           random_state=0))
    grid = {"mlpclassifier__alpha": [1e-3, 1.0], "standardscaler__with_mean": [True, False]}
    search = BatchedGridSearchCV(pipeline, grid, cv=3)
    reference = clone(search).fit(X, y)
    model = dispatched(clone(search), "fit", torch.asarray(X), torch.asarray(y))
    np.testing.assert_allclose(model.cv_results_["mean_test_score"],
                               reference.cv_results_["mean_test_score"], rtol=1e-10)
    proba = dispatched(model, "predict_proba", torch.asarray(X))
    np.testing.assert_allclose(host(proba), reference.predict_proba(X), atol=1e-10)


@pytest.mark.parametrize("name, as_array", NAMESPACES)
def test_ensembles_equal_numpy(regression, classification, name, as_array):
    X, y = regression
    ensemble = MLPEnsembleRegressor(MLPRegressor(hidden_layer_sizes=(8,), max_iter=20),
                                    n_members=3, bootstrap=True, random_state=0)
    reference = clone(ensemble).fit(X, y)
    Xa = as_array(X)
    model = dispatched(clone(ensemble), "fit", Xa, as_array(y))
    mean, std = dispatched(model, "predict", Xa, return_std=True)
    assert same_place(mean, Xa) and same_place(model.estimators_[0].coefs_[0], Xa)
    mean_ref, std_ref = reference.predict(X, return_std=True)
    np.testing.assert_allclose(host(mean), mean_ref, atol=1e-10)
    np.testing.assert_allclose(host(std), std_ref, atol=1e-10)
    Xc, yc = classification
    ensemble = MLPEnsembleClassifier(MLPClassifier(hidden_layer_sizes=(8,), max_iter=20),
                                     n_members=3, random_state=0)
    reference = clone(ensemble).fit(Xc, yc)
    model = dispatched(clone(ensemble), "fit", as_array(Xc), as_array(yc))
    np.testing.assert_allclose(host(dispatched(model, "predict_proba", as_array(Xc))),
                               reference.predict_proba(Xc), atol=1e-10)


@pytest.mark.parametrize("estimator", [MLPRegressor(solver="lbfgs"),
                                       MLPRegressorCV(solver="lbfgs", alphas=[1.0]),
                                       MLPEnsembleRegressor(MLPRegressor(solver="lbfgs"),
                                                            n_members=2)],
                         ids=lambda e: type(e).__name__)
def test_lbfgs_refuses_another_namespace(regression, estimator):
    X, y = regression
    with pytest.raises(ValueError, match="solver='lbfgs' runs through scipy.*solver='adam'"):
        dispatched(clone(estimator), "fit", torch.asarray(X), torch.asarray(y))
    assert not estimator.__sklearn_tags__().array_api_support
    assert MLPRegressor().__sklearn_tags__().array_api_support


def test_predict_refuses_another_namespace(regression):
    X, y = regression
    model = dispatched(MLPRegressor(max_iter=5, random_state=0), "fit", torch.asarray(X),
                       torch.asarray(y))
    for X_other in (X, strict.asarray(X)):
        with pytest.raises(ValueError, match=r"MLPRegressor.predict\(\) must use the same "
                                             r"namespace.*torch.asarray"):
            dispatched(model, "predict", X_other)
    with pytest.raises(ValueError, match="must use the same namespace"):
        model.predict(X)  # fitted on torch, asked without dispatch
    numpy_model = MLPRegressor(max_iter=5, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"fitted on numpy arrays.*X is .*torch"):
        dispatched(numpy_model, "predict", torch.asarray(X))


def test_sparse_input_trains_on_the_host_as_before(regression):
    """Sparse matrices are numpy's: dispatch changes nothing for them."""
    import scipy.sparse as sp

    X, y = regression
    reference = MLPRegressor(max_iter=10, random_state=0).fit(sp.csr_matrix(X), y)
    model = dispatched(MLPRegressor(max_iter=10, random_state=0), "fit", sp.csr_matrix(X), y)
    assert isinstance(model.coefs_[0], np.ndarray)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))


def test_without_dispatch_torch_input_is_converted_as_before(regression):
    """Without array_api_dispatch, torch input is converted to numpy (today's
    behaviour): numpy weights, numpy predictions, the same numbers."""
    X, y = regression
    reference = MLPRegressor(max_iter=10, random_state=0).fit(X, y)
    model = MLPRegressor(max_iter=10, random_state=0).fit(torch.asarray(X), torch.asarray(y))
    assert isinstance(model.coefs_[0], np.ndarray)
    prediction = model.predict(torch.asarray(X))
    assert isinstance(prediction, np.ndarray)
    np.testing.assert_array_equal(prediction, reference.predict(X))


@CUDA
def test_cuda_search_trains_on_the_gpu(regression):
    """On a GPU: the stacks train there, and the refit network stays there."""
    X, y = regression
    Xa, ya = torch.asarray(X, device="cuda"), torch.asarray(y, device="cuda")
    search = BatchedGridSearchCV(MLPRegressor(hidden_layer_sizes=(32,), max_iter=30,
                                              random_state=0),
                                 {"alpha": [1e-3, 1e-1, 10.0]}, cv=5)
    model = dispatched(search, "fit", Xa, ya)
    assert model.best_estimator_.coefs_[0].device.type == "cuda"
    assert dispatched(model, "predict", Xa).device.type == "cuda"
