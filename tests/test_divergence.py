"""The divergence rule judges every training against a data-relative reference
(the loss of its starting weights, or of an all-zero output when larger) and
judges the weights a call keeps, in both engines and every training path: no
call returns weights whose loss has exploded, and ordinary trainings on
unscaled data, large targets or strong penalties are not called diverged."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning

from sklearn_mlpreg import (
    FarOffWarning,
    FitDivergedError,
    MLPClassifier,
    MLPEnsembleRegressor,
    MLPRegressor,
    MLPRegressorCV,
)
from sklearn_mlpreg._engine.compiled import runs
from sklearn_mlpreg.model_selection import BatchedGridSearchCV

X, y = make_regression(200, 5, noise=1.0, random_state=0)
y = (y - y.mean()) / y.std()
XC, YC = make_classification(200, 5, random_state=0)


@pytest.fixture(params=["numpy", "compiled"])
def engine(request, monkeypatch):
    if request.param == "numpy":
        monkeypatch.setenv("SKLEARN_MLPREG_ENGINE", "numpy")
    else:
        pytest.importorskip("numba")
        monkeypatch.delenv("SKLEARN_MLPREG_ENGINE", raising=False)
    return request.param


def quiet(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return call()


@pytest.mark.parametrize("Estimator, data", [(MLPRegressor, (X, y)),
                                             (MLPClassifier, (XC, YC))])
@pytest.mark.parametrize("schedule", [dict(batch_size=20), dict(max_iter=1),
                                      dict(max_iter=3)])
def test_a_training_whose_first_epoch_explodes_raises(engine, Estimator, data, schedule):
    """The first epoch's loss used to be the reference: an explosion within it
    (mini-batches), or in the last step no epoch measured (one full batch),
    passed. Both engines raise, and the compiled one ran."""
    before = runs["train_full_batch"]
    model = Estimator(solver="sgd", learning_rate_init=1e6, random_state=0, **schedule)
    with pytest.raises(FitDivergedError, match="against .* at the start"):
        model.fit(*data)
    assert not hasattr(model, "coefs_")
    full_batch = schedule.get("batch_size") is None
    assert (runs["train_full_batch"] > before) == (engine == "compiled" and full_batch)


@pytest.mark.parametrize("Estimator, data", [(MLPRegressor, (X, y)),
                                             (MLPClassifier, (XC, YC))])
def test_early_stopping_over_exploded_epochs_raises(Estimator, data):
    """Early stopping restores the best validation epoch; when every epoch
    exploded (the classifier's loss reached 1e82), that best is garbage."""
    model = Estimator(solver="sgd", learning_rate_init=1e4, early_stopping=True,
                      random_state=0)
    with pytest.raises(FitDivergedError, match="diverged"):
        model.fit(*data)


@pytest.mark.parametrize("case", ["unscaled X", "large targets", "strong L2",
                                  "constant target"])
def test_ordinary_trainings_are_not_called_diverged(engine, case):
    """The reference is relative to the data and the starting weights: inputs
    in the ten thousands (a start far above the all-zero output's loss),
    targets around 1e4 (an all-zero output far above the start), a penalty
    that dominates the loss, a constant target (the all-zero output's loss 0)."""
    Xs, ys, params = X, y, {}
    if case == "unscaled X":
        Xs = X * 1e4
    elif case == "large targets":
        ys = y + 1e4
    elif case == "strong L2":
        params = dict(alpha=1e7)
    else:
        ys = np.zeros_like(y)
    model = quiet(lambda: MLPRegressor(max_iter=30, random_state=0, **params).fit(Xs, ys))
    assert np.isfinite(model.predict(Xs)).all()
    assert model.loss_curve_[-1] <= model.loss_curve_[0]


def test_a_warm_start_from_a_near_perfect_fit_is_not_called_diverged():
    """A warm start starts from a tiny loss; the all-zero output's loss is the
    scale, so the noise of a few more epochs is not an explosion."""
    target = np.tanh(X[:, 0])
    model = quiet(lambda: MLPRegressor(solver="lbfgs", max_iter=2000, tol=1e-12,
                                       random_state=0).fit(X, target))
    assert model.loss_ < 1e-4
    model.set_params(solver="sgd", learning_rate_init=0.05, warm_start=True, max_iter=5)
    quiet(lambda: model.fit(X, target))
    assert np.isfinite(model.predict(X)).all()


@pytest.mark.parametrize("Estimator, data", [(MLPRegressor, (X, y)),
                                             (MLPClassifier, (XC, YC))])
def test_partial_fit_never_returns_exploded_weights(Estimator, data):
    """The weights a partial_fit call keeps are measured after its epoch: the
    issue's sequence (losses 0.94, 3e11, 2e47, ... over four calls) raises at
    its first call, which leaves the model unfitted. (A call is held to the
    epochs' millionfold rule: a stream's later chunks may hold larger targets.
    The log loss grows with the logits, not their square: the classifier needs
    a larger step.)"""
    classifier = Estimator is MLPClassifier
    extra = {"classes": np.unique(data[1])} if classifier else {}
    model = Estimator(solver="sgd", learning_rate_init=1e8 if classifier else 1e3,
                      random_state=0)
    with pytest.raises(FitDivergedError, match="diverged"):
        model.partial_fit(*data, **extra)
    assert not hasattr(model, "coefs_")


def test_searches_cv_estimators_and_ensembles_apply_the_same_rule():
    """A candidate, alpha or member whose first epoch explodes scores or counts
    as diverged wherever it trains; the others are untouched."""
    rates = [1e-3, 1e6]
    search = BatchedGridSearchCV(MLPRegressor(solver="sgd", batch_size=20, max_iter=5,
                                              random_state=0),
                                 {"learning_rate_init": rates}, cv=3)
    with pytest.warns(FitFailedWarning):
        quiet(lambda: search.fit(X, y))
    scores = search.cv_results_["mean_test_score"]
    assert np.isfinite(scores[0]) and np.isnan(scores[1])
    assert search.best_params_ == {"learning_rate_init": 1e-3}

    cv = MLPRegressorCV(alphas=[1e-4, 1e-2], cv=3, solver="sgd", learning_rate_init=1e6,
                        batch_size=20, max_iter=3, random_state=0)
    with pytest.raises(FitDivergedError):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cv.fit(X, y)

    ensemble = MLPEnsembleRegressor(MLPRegressor(solver="sgd", learning_rate_init=1e6,
                                                  max_iter=1), n_members=3)
    with pytest.raises(FitDivergedError):
        ensemble.fit(X, y)


@pytest.mark.parametrize("case", ["unscaled X", "lbfgs, unscaled X", "huge weight_init"])
def test_a_fit_whose_predictions_are_far_off_warns_with_the_fix(case):
    """Finite but useless: inputs of 1e12 (or initial weights of 1e6) make
    predictions of 1e11 for targets under 3. The loss on the targets is over
    ten times an all-zero output's: a warning names the scaling."""
    params = dict(hidden_layer_sizes=(5,), max_iter=10, random_state=0)
    Xs = X * 1e12 if "unscaled" in case else X
    if case.startswith("lbfgs"):
        params["solver"] = "lbfgs"
    if case == "huge weight_init":
        params["weight_init"] = 1e6
    with pytest.warns(FarOffWarning, match="far off its training targets.*StandardScaler"):
        MLPRegressor(**params).fit(Xs, y)


def test_a_strong_penalty_or_an_offset_target_is_not_far_off():
    """The test compares the loss on the targets, without the penalty, with an
    all-zero output's: neither a dominating penalty nor targets around 1e4 that
    the network has not reached yet warn."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MLPRegressor(alpha=1e7, max_iter=30, random_state=0).fit(X, y)
        MLPRegressor(max_iter=30, random_state=0).fit(X, y + 1e4)
    assert not [w for w in caught if "far off" in str(w.message)]


def test_the_far_off_warning_reaches_the_user_through_a_cv_estimator():
    """The CV estimators aggregate their fits' ConvergenceWarnings and silence
    their refit's; the far-off warning is its own class and comes through."""
    with pytest.warns(FarOffWarning):
        quiet_convergence_only(lambda: MLPRegressorCV(alphas=[1e-3], cv=3, max_iter=10,
                                                      random_state=0).fit(X * 1e12, y))


def quiet_convergence_only(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return call()
