"""Studies: bias and variance, prediction error spread, regularization path, activations."""

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_regression
from sklearn.model_selection import KFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlpreg import MLPClassifier, MLPRegressor
from sklearn_mlpreg.datasets import make_polynomial
from sklearn_mlpreg.studies import (
    bias_variance_decomposition,
    compare_activations,
    prediction_error_distribution,
    regularization_path,
)

X, Y = make_regression(n_samples=80, n_features=3, noise=10.0, random_state=0)
Y = Y / Y.std()
X_TRAIN, X_TEST, Y_TRAIN, Y_TEST = train_test_split(X, Y, random_state=0)
LBFGS = dict(hidden_layer_sizes=(10,), solver="lbfgs", max_iter=200, random_state=0)


def test_bias_variance_equals_mlxtend_for_the_squared_error():
    """Same bootstrap draws and definitions: equal for a deterministic estimator."""
    mlxtend = pytest.importorskip("mlxtend.evaluate")
    est = MLPRegressor(**LBFGS)
    ours = bias_variance_decomposition(est, X_TRAIN, Y_TRAIN, X_TEST, Y_TEST,
                                       n_rounds=25, random_state=1)
    theirs = mlxtend.bias_variance_decomp(est, X_TRAIN, Y_TRAIN, X_TEST, Y_TEST,
                                          loss="mse", num_rounds=25, random_seed=1)
    np.testing.assert_allclose([ours.expected_loss, ours.bias, ours.variance], theirs,
                               rtol=1e-10)
    assert ours.expected_loss == pytest.approx(ours.bias + ours.variance, rel=1e-12)
    assert ours.predictions.shape == (25, len(Y_TEST))


def test_bias_variance_equals_mlxtend_for_the_0_1_loss():
    mlxtend = pytest.importorskip("mlxtend.evaluate")
    Xc, yc = load_iris(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(Xc, yc, random_state=0)
    clf = MLPClassifier(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=100,
                        random_state=0)
    ours = bias_variance_decomposition(clf, Xtr, ytr, Xte, yte, loss="0-1", n_rounds=15,
                                       random_state=1)
    theirs = mlxtend.bias_variance_decomp(clf, Xtr, ytr, Xte, yte, loss="0-1_loss",
                                          num_rounds=15, random_seed=1)
    np.testing.assert_allclose([ours.expected_loss, ours.bias, ours.variance], theirs)


def test_varying_the_seed_alone_isolates_the_variance_of_initialization():
    est = MLPRegressor(hidden_layer_sizes=(10,), solver="adam", max_iter=50,
                       learning_rate_init=0.01, random_state=0)
    seed_only = bias_variance_decomposition(est, X_TRAIN, Y_TRAIN, X_TEST, Y_TEST,
                                            n_rounds=8, vary="seed", random_state=0)
    fixed = bias_variance_decomposition(MLPRegressor(**LBFGS), X_TRAIN[:30], Y_TRAIN[:30],
                                        X_TEST, Y_TEST, n_rounds=4, vary="seed",
                                        random_state=0)
    assert seed_only.variance > 0
    both = bias_variance_decomposition(est, X_TRAIN, Y_TRAIN, X_TEST, Y_TEST, n_rounds=8,
                                       vary="both", random_state=0)
    assert both.variance > seed_only.variance  # the sample adds its own variance
    assert fixed.expected_loss == pytest.approx(fixed.bias + fixed.variance)


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="needs a classifier"):
        bias_variance_decomposition(MLPRegressor(), X_TRAIN, Y_TRAIN, X_TEST, Y_TEST,
                                    loss="0-1")
    with pytest.raises(ValueError, match="loss"):
        bias_variance_decomposition(MLPRegressor(), X_TRAIN, Y_TRAIN, X_TEST, Y_TEST,
                                    loss="hinge")
    with pytest.raises(ValueError, match="n_rounds"):
        bias_variance_decomposition(MLPRegressor(), X_TRAIN, Y_TRAIN, X_TEST, Y_TEST,
                                    n_rounds=1)


def test_retraining_from_the_same_weights_spreads_only_with_random_training():
    net = dict(hidden_layer_sizes=(20,), max_iter=40, learning_rate_init=0.01,
               random_state=0)
    full_batch = prediction_error_distribution(MLPRegressor(**net), X, Y, n_rounds=4)
    assert full_batch["test_error"].std() == 0  # deterministic training
    mini = prediction_error_distribution(MLPRegressor(batch_size=8, **net), X, Y,
                                         n_rounds=4)
    assert mini["test_error"].std() > 0  # the batch order differs per round
    fresh = prediction_error_distribution(MLPRegressor(**net), X, Y, n_rounds=4,
                                          same_initial_weights=False)
    assert fresh["test_error"].std() > mini["test_error"].std()
    assert list(fresh.columns) == ["round", "seed", "train_error", "test_error"]


def test_prediction_error_distribution_reaches_into_pipelines():
    pipe = make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(8,),
                                                        max_iter=20, random_state=0))
    errors = prediction_error_distribution(pipe, X, Y, n_rounds=3)
    assert len(errors) == 3 and np.isfinite(errors["test_error"]).all()
    with pytest.raises(TypeError, match="MLP"):
        prediction_error_distribution(StandardScaler(), X, Y, n_rounds=2)


def overfitting_data():
    x, y = make_polynomial("linear", random_state=0)
    return (x - x.mean()) / x.std(), (y - y.mean()) / y.std()


def test_regularization_path_train_error_rises_with_lambda():
    x, y = overfitting_data()
    path = regularization_path(MLPRegressor(hidden_layer_sizes=(100, 50), solver="lbfgs",
                                            max_iter=300, random_state=0),
                               x, y, alphas=[0.0, 0.1, 1.0, 10.0, 100.0],
                               cv=KFold(5, shuffle=True, random_state=0))
    assert list(path.index) == [0.0, 0.1, 1.0, 10.0, 100.0]
    train = path["train_error"].to_numpy()
    assert np.all(np.diff(train) > -1e-3) and train[-1] > 10 * train[0]
    test = path["test_error"].to_numpy()
    assert test.argmin() not in (0, len(test) - 1)  # the lecture's U shape


def test_regularization_path_of_a_pipeline_uses_grid_search_and_agrees():
    x, y = overfitting_data()
    mlp = MLPRegressor(hidden_layer_sizes=(10,), solver="lbfgs", max_iter=100,
                       random_state=0)
    cv = KFold(3, shuffle=True, random_state=0)
    direct = regularization_path(mlp, x, y, alphas=[0.1, 10.0], cv=cv)
    piped = regularization_path(make_pipeline(StandardScaler(), mlp), x, y,
                                alphas=[0.1, 10.0], cv=cv)
    # x is standardized already, so the pipeline's scaler changes almost nothing
    np.testing.assert_allclose(piped["test_error"], direct["test_error"], rtol=0.05)


def test_regularization_path_of_a_classifier_is_in_log_loss():
    Xc, yc = load_iris(return_X_y=True)
    path = regularization_path(MLPClassifier(hidden_layer_sizes=(5,), max_iter=50,
                                             random_state=0), Xc, yc, alphas=[0.01, 100.0],
                               cv=3, penalty="l1")
    assert (path["test_error"] > 0).all() and path["train_error"].iloc[1] > 0.5


def test_compare_activations_records_vanishing_gradients():
    rng = np.random.RandomState(0)
    runs = compare_activations(rng.normal(size=(60, 3)), rng.normal(size=60),
                               depths=(1, 6), max_iter=5)
    assert len(runs) == 4 and runs["gradient_norms"].iloc[0].shape[1] == 2
    ratio = runs.set_index(["activation", "depth"])["first_epoch_ratio"]
    assert ratio[("logistic", 6)] < 1e-3 < 1e-1 < ratio[("relu", 6)]


def test_interval_coverage_on_held_out_rows_is_near_the_level():
    """CV+ intervals of a CV estimator cover held-out halves of a synthetic
    table within three binomial standard errors of 0.9 (or above: CV+ is
    conservative); jackknife+ on 23 rows covers at least 18 of them."""
    import warnings

    from sklearn.datasets import make_regression
    from sklearn.model_selection import LeaveOneOut

    from sklearn_mlpreg.studies import coverage_leave_one_out, coverage_on_halves
    from sklearn_mlpreg.studies.intervals import default_model

    X, y = make_regression(300, 4, noise=20.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        halves = coverage_on_halves(default_model(alphas=[1e-3, 1.0], max_iter=100), X, y,
                                    n_repeats=2)
        loo = coverage_leave_one_out(default_model(cv=LeaveOneOut(), alphas=[1e-3, 1.0],
                                                   max_iter=100), X[:23], y[:23])
    assert len(halves.covered) == 300 and halves.rate > 0.9 - 3 * halves.standard_error
    assert halves.rate < 0.99 and (halves.widths > 0).all()
    assert len(loo.covered) == 23 and loo.covered.sum() >= 18
