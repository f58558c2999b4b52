"""Scale-out: hyperparameter search on a Dask cluster through joblib's backend."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_mlpreg import MLPRegressor, MLPRegressorCV

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning",
    # distributed warns about ports and about large graphs on some machines
    "ignore::UserWarning",
    "ignore::DeprecationWarning",
)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                       host="127.0.0.1", dashboard_address=None,
                                       processes=True)
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.randn(150, 4)
    return X, np.sin(X[:, 0]) + X[:, 1] ** 2 + 0.1 * rng.randn(150)


def grid_search(n_jobs):
    model = MLPRegressor(hidden_layer_sizes=(8,), max_iter=60, random_state=0,
                         learning_rate_init=0.01)
    return GridSearchCV(model, {"alpha": [1e-4, 1e-2, 1.0]},
                        cv=KFold(3, shuffle=True, random_state=0), n_jobs=n_jobs)


def test_grid_search_on_dask_equals_sequential(client, data):
    X, y = data
    sequential = grid_search(n_jobs=1).fit(X, y)
    with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as ran:
        on_dask = grid_search(n_jobs=-1).fit(X, y)
    assert len(ran.data) >= 9  # 3 alphas x 3 folds went to the workers
    assert len(client.scheduler_info()["workers"]) == 2
    np.testing.assert_array_equal(on_dask.cv_results_["mean_test_score"],
                                  sequential.cv_results_["mean_test_score"])
    assert on_dask.best_params_ == sequential.best_params_
    np.testing.assert_array_equal(on_dask.predict(X), sequential.predict(X))


def test_mlp_regressor_cv_n_jobs_on_dask_equals_sequential(client, data):
    X, y = data
    params = dict(alphas=[1e-3, 1e-1, 10.0], cv=3, hidden_layer_sizes=(8,),
                  max_iter=60, random_state=0, learning_rate_init=0.01)
    sequential = MLPRegressorCV(**params, n_jobs=1).fit(X, y)
    with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as ran:
        on_dask = MLPRegressorCV(**params, n_jobs=2).fit(X, y)
    assert len(ran.data) >= 2  # the two stacks of networks went to the workers
    np.testing.assert_array_equal(on_dask.cv_results_["mean_test_score"],
                                  sequential.cv_results_["mean_test_score"])
    np.testing.assert_array_equal(on_dask.n_iter_, sequential.n_iter_)
    assert on_dask.alpha_ == sequential.alpha_
    np.testing.assert_array_equal(on_dask.predict(X), sequential.predict(X))


def test_batched_grid_search_on_dask_equals_grid_search(client, data):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_mlpreg.model_selection import BatchedGridSearchCV

    X, y = data
    pipe = make_pipeline(StandardScaler(), MLPRegressor(
        hidden_layer_sizes=(8,), max_iter=60, random_state=0, learning_rate_init=0.01))
    grid = {"mlpregressor__alpha": [1e-3, 1.0], "mlpregressor__dropout": [0.0, 0.2]}
    folds = KFold(3, shuffle=True, random_state=0)
    sequential = GridSearchCV(pipe, grid, cv=folds).fit(X, y)
    with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as ran:
        on_dask = BatchedGridSearchCV(pipe, grid, cv=folds, n_jobs=2).fit(X, y)
    assert len(ran.data) >= 2  # the stacks went to the workers
    np.testing.assert_allclose(on_dask.cv_results_["mean_test_score"],
                               sequential.cv_results_["mean_test_score"], atol=1e-8)
    assert on_dask.best_params_ == sequential.best_params_
    np.testing.assert_allclose(on_dask.predict(X), sequential.predict(X), atol=1e-10)


def test_batched_halving_search_on_dask_equals_halving_search(client, data):
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV

    from sklearn_mlpreg.model_selection import BatchedHalvingGridSearchCV

    X, y = data
    model = MLPRegressor(hidden_layer_sizes=(8,), random_state=0, learning_rate_init=0.01)
    grid = {"alpha": [1e-3, 1e-2, 0.1, 1.0]}
    settings = dict(cv=KFold(3, shuffle=True, random_state=0), factor=2,
                    resource="max_iter", min_resources=10, max_resources=40)
    sequential = HalvingGridSearchCV(model, grid, **settings).fit(X, y)
    with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as ran:
        on_dask = BatchedHalvingGridSearchCV(model, grid, n_jobs=2, **settings).fit(X, y)
    assert len(ran.data) >= 2  # each round's stacks went to the workers
    np.testing.assert_allclose(on_dask.cv_results_["mean_test_score"],
                               sequential.cv_results_["mean_test_score"], atol=1e-8)
    assert on_dask.best_params_ == sequential.best_params_
