"""Progress bars and scikit-learn's callback API on the estimators."""

import pickle
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score

from sklearn_mlpreg import MLPClassifier, MLPRegressor, MLPRegressorCV
from sklearn_mlpreg.callbacks import ProgressBar
from sklearn_mlpreg.callbacks._support import HAVE_SKLEARN_CALLBACKS

needs_sklearn_callbacks = pytest.mark.skipif(
    not HAVE_SKLEARN_CALLBACKS, reason="needs scikit-learn >= 1.9 (sklearn.callback)")


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.randn(120, 3)
    return X, X @ [1.0, 2.0, -1.0] + 0.1 * rng.randn(120)


class EpochRecorder:
    """A minimal callback that records what every hook received."""

    def __init__(self, stop_after=None):
        self.stop_after = stop_after

    def setup(self, estimator, context):
        self.events = ["setup"]
        self.losses, self.fitted = [], []

    def on_fit_task_begin(self, estimator, context):
        self.events.append("begin")

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.events.append("end")
        status = getattr(estimator, "_progress_status", None)
        if context.parent is None or status is None:
            return False
        self.losses.append(status["loss"])
        if fitted_estimator is not None:
            self.fitted.append(fitted_estimator)
        return self.stop_after is not None and status["epoch"] >= self.stop_after

    def teardown(self, estimator, context):
        self.events.append("teardown")


def quiet_fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_hooks_see_every_epoch_and_its_loss(data, solver):
    X, y = data
    recorder = EpochRecorder()
    model = MLPRegressor(hidden_layer_sizes=(8,), solver=solver, max_iter=15,
                         random_state=0).set_callbacks(recorder)
    quiet_fit(model, X, y)
    assert recorder.events[0] == "setup" and recorder.events[-1] == "teardown"
    assert len(recorder.losses) == model.n_iter_
    if solver != "lbfgs":  # the per-epoch losses are the estimator's loss curve
        np.testing.assert_allclose(recorder.losses, model.loss_curve_)


def test_callbacks_do_not_change_the_fit(data):
    X, y = data
    params = dict(hidden_layer_sizes=(8,), max_iter=20, random_state=0)
    plain = quiet_fit(MLPRegressor(**params), X, y)
    watched = quiet_fit(MLPRegressor(**params).set_callbacks(EpochRecorder()), X, y)
    np.testing.assert_array_equal(plain.predict(X), watched.predict(X))


def test_a_callback_can_stop_the_fit(data):
    X, y = data
    model = MLPRegressor(hidden_layer_sizes=(8,), max_iter=200, random_state=0)
    quiet_fit(model.set_callbacks(EpochRecorder(stop_after=5)), X, y)
    assert model.n_iter_ == 5
    assert np.isfinite(model.predict(X)).all()


def test_fitted_estimator_is_the_network_after_each_epoch(data):
    X, y = data
    recorder = EpochRecorder()
    model = MLPRegressor(hidden_layer_sizes=(8,), max_iter=10, random_state=0,
                         learning_rate_init=0.01)
    quiet_fit(model.set_callbacks(recorder), X, y)
    scores = [r2_score(y, snapshot.predict(X)) for snapshot in recorder.fitted]
    assert len(scores) == 10
    assert scores[-1] == pytest.approx(model.score(X, y))
    assert scores[-1] > scores[0]  # the snapshots really differ: training improves them


@needs_sklearn_callbacks
def test_sklearn_scoring_monitor_logs_one_score_per_epoch(data):
    from sklearn.callback import ScoringMonitor

    X, y = data
    monitor = ScoringMonitor(scoring="r2")
    model = MLPRegressor(hidden_layer_sizes=(8,), max_iter=12, random_state=0,
                         learning_rate_init=0.01).set_callbacks(monitor)
    quiet_fit(model, X, y)
    rows = monitor.get_logs().data
    assert [row["task_name"] for row in rows] == ["epoch"] * 12
    assert rows[-1]["r2"] == pytest.approx(model.score(X, y))
    assert rows[-1]["r2"] > rows[0]["r2"]


@needs_sklearn_callbacks
def test_sklearn_scoring_monitor_on_a_classifier(data):
    from sklearn.callback import ScoringMonitor

    X, y = data
    labels = np.where(y > 0, "high", "low")
    monitor = ScoringMonitor(scoring="accuracy")
    model = MLPClassifier(hidden_layer_sizes=(8,), max_iter=8, random_state=0)
    quiet_fit(model.set_callbacks(monitor), X, labels)
    rows = monitor.get_logs().data
    assert len(rows) == 8
    assert rows[-1]["accuracy"] == pytest.approx(model.score(X, labels))


def test_progress_bar_shows_epochs_and_losses(data, capsys):
    pytest.importorskip("tqdm")
    X, y = data
    bar = ProgressBar(leave=True)
    model = MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=0,
                         early_stopping=True).set_callbacks(bar)
    quiet_fit(model, X, y)
    shown = capsys.readouterr().err
    assert "MLPRegressor" in shown
    assert f"{model.n_iter_}/30" in shown
    assert "loss=" in shown and "val_loss=" in shown
    assert bar._bar is None  # closed at the end of fit


def test_progress_bar_survives_pickling_and_cloning(data):
    X, y = data
    model = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    model.set_callbacks(ProgressBar())
    quiet_fit(model, X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    quiet_fit(clone(model), X, y)


def test_cv_progress_counts_the_networks_still_training(data, capsys):
    pytest.importorskip("tqdm")
    X, y = data
    recorder = EpochRecorder()
    model = MLPRegressorCV(alphas=[1e-3, 1.0], cv=3, max_iter=10,
                           hidden_layer_sizes=(4,), random_state=0)
    quiet_fit(model.set_callbacks(recorder, ProgressBar()), X, y)
    assert len(recorder.losses) == 10
    assert "training=6" in capsys.readouterr().err  # 2 alphas x 3 folds


FALLBACK_SCRIPT = textwrap.dedent("""
    import sys, warnings
    # scikit-learn's own modules use sklearn.callback; load them, then hide it
    import sklearn.linear_model, sklearn.model_selection, sklearn.pipeline
    import sklearn.preprocessing
    sys.modules["sklearn.callback"] = None   # as if scikit-learn had no callback API
    sys.modules["tqdm"] = None               # and without tqdm
    warnings.simplefilter("ignore")
    import numpy as np
    from sklearn_mlpreg import MLPRegressor
    from sklearn_mlpreg.callbacks._support import HAVE_SKLEARN_CALLBACKS
    from sklearn_mlpreg.callbacks import ProgressBar
    assert not HAVE_SKLEARN_CALLBACKS
    X = np.random.RandomState(0).randn(50, 2)
    model = MLPRegressor(hidden_layer_sizes=(4,), max_iter=50, random_state=0)
    class Snapshots:
        def setup(self, estimator, context): self.scores = []
        def on_fit_task_begin(self, estimator, context): pass
        def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
            if fitted_estimator is not None:
                self.scores.append(fitted_estimator.score(X, X.sum(axis=1)))
            return len(self.scores) == 20
        def teardown(self, estimator, context): pass
    snapshots = Snapshots()
    model.set_callbacks(ProgressBar(), snapshots).fit(X, X.sum(axis=1))
    assert abs(snapshots.scores[-1] - model.score(X, X.sum(axis=1))) < 1e-12
    print(model.n_iter_, len(snapshots.scores))
""")


def test_fallback_without_sklearn_callbacks_or_tqdm():
    run = subprocess.run([sys.executable, "-c", FALLBACK_SCRIPT],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "20 20"  # the stand-in's stop request ends the fit
    lines = [line for line in run.stderr.splitlines() if "epoch" in line]
    assert lines[-1].startswith("MLPRegressor epochs: 20/50 loss=")


def test_verbose_keeps_sklearn_text_lines(data, capsys):
    X, y = data
    quiet_fit(MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, verbose=True,
                           random_state=0), X, y)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines[:3]] == [
        "Iteration 1", "Iteration 2", "Iteration 3"]


class TaskTreeRecorder:
    """Records (hook, task name, depth) of every hook call."""

    def setup(self, estimator, context):
        self.events = []

    def _record(self, hook, context):
        depth, seen = 0, context
        while seen.parent is not None:
            depth, seen = depth + 1, seen.parent
        self.events.append((hook, context.task_name, depth))

    def on_fit_task_begin(self, estimator, context, **kwargs):
        self._record("begin", context)

    def on_fit_task_end(self, estimator, context, **kwargs):
        self._record("end", context)

    def teardown(self, estimator, context):
        pass


@needs_sklearn_callbacks
@pytest.mark.parametrize("refit", [True, False])
def test_batched_search_calls_the_hooks_of_grid_searchs_task_tree(data, refit):
    """The root fit, the search, one evaluation per (candidate, fold), the refit."""
    from sklearn.model_selection import GridSearchCV

    from sklearn_mlpreg.model_selection import BatchedGridSearchCV

    X, y = data
    trees = []
    for search in (GridSearchCV, BatchedGridSearchCV):
        recorder = TaskTreeRecorder()
        model = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
        quiet_fit(search(model, {"alpha": [1e-3, 1.0]}, cv=3, refit=refit).set_callbacks(
            recorder), X, y)
        trees.append(sorted(recorder.events))
    assert trees[0] == trees[1]
    assert trees[1].count(("end", "candidate-split-evaluation", 2)) == 6
    assert (("end", "refit-with-best-params", 1) in trees[1]) is refit


class PropagatedRecorder(TaskTreeRecorder):
    """The recorder, propagated to sub-estimators (as scikit-learn's ProgressBar is)."""

    max_propagation_depth = None


@needs_sklearn_callbacks
def test_propagated_callbacks_follow_the_refit_epochs(data):
    """GridSearchCV propagates them to every (candidate, fold) fit; the batched
    search has no per-fit estimator, so they follow the refit's epochs only."""
    from sklearn.model_selection import GridSearchCV

    from sklearn_mlpreg.model_selection import BatchedGridSearchCV

    X, y = data
    trees = []
    for search in (GridSearchCV, BatchedGridSearchCV):
        recorder = PropagatedRecorder()
        model = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
        fitted = quiet_fit(search(model, {"alpha": [1e-3, 1.0]}, cv=3).set_callbacks(
            recorder), X, y)
        trees.append(recorder.events)
        assert not hasattr(fitted.best_estimator_, "_skl_callbacks")  # propagation undone
    epochs = [[event for event in tree if event[1] == "epoch"] for tree in trees]
    assert len(epochs[0]) == 2 * (6 + 1) * 3  # begin and end, 6 fits and the refit
    assert epochs[1] == epochs[0][-2 * 3:]  # the refit's, at the same depth


@needs_sklearn_callbacks
def test_batched_halving_search_calls_the_hooks_of_halving_searchs_task_tree(data):
    """The root fit, the search, one halving-iteration per round, one evaluation
    per (candidate, fold) of each round, the refit: scikit-learn's tree."""
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV

    from sklearn_mlpreg.model_selection import BatchedHalvingGridSearchCV

    X, y = data
    trees = []
    for search in (HalvingGridSearchCV, BatchedHalvingGridSearchCV):
        recorder = TaskTreeRecorder()
        model = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
        quiet_fit(search(model, {"alpha": [1e-3, 1e-2, 0.1, 1.0]}, cv=2, factor=2,
                         resource="max_iter", max_resources=4, random_state=0
                         ).set_callbacks(recorder), X, y)
        trees.append(sorted(recorder.events))
    assert trees[0] == trees[1]
    assert sum(event[1] == "halving-iteration" for event in trees[1]) == 2 * 3
