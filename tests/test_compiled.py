"""The compiled batch step (numba) takes the numpy reference's steps, to 1e-12."""

import warnings

import numpy as np
import pytest

from sklearn_mlpreg import MLPClassifier, MLPClassifierCV, MLPRegressor, MLPRegressorCV
from sklearn_mlpreg._engine import compiled

pytestmark = pytest.mark.skipif(not compiled.available(),
                                reason="numba is not installed (or switched off)")

RNG = np.random.RandomState(0)
X = RNG.normal(size=(37, 4))
Y_REG = np.column_stack([np.sin(X[:, 0]) + X[:, 1], X[:, 2] * X[:, 3]])
Y_COUNTS = RNG.poisson(np.exp(0.3 * X[:, 0] + 0.2))
LABELS = np.array(["a", "b", "c"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]
MULTILABEL = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 2] > 1]).astype(int)


def fit_both(make, X, y, monkeypatch, **fit_params):
    """The same estimator fitted by the compiled path and by the numpy reference."""
    models = []
    for engine in ("", "numpy"):
        monkeypatch.setenv("SKLEARN_MLPREG_ENGINE", engine)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            models.append(make().fit(X, y, **fit_params))
    return models


def assert_same_network(fast, reference, rtol=1e-12):
    for a, b in zip(fast.coefs_ + fast.intercepts_, reference.coefs_ + reference.intercepts_):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(fast.loss_curve_, reference.loss_curve_, rtol=rtol)
    np.testing.assert_allclose(fast.gradient_norms_, reference.gradient_norms_,
                               rtol=max(rtol, 1e-10))
    np.testing.assert_allclose(fast.saturation_, reference.saturation_)
    assert fast.n_iter_ == reference.n_iter_


SETTINGS = [
    dict(),
    dict(solver="sgd", momentum=0.9, nesterovs_momentum=True, learning_rate_init=0.05),
    dict(solver="sgd", momentum=0.5, nesterovs_momentum=False, learning_rate="invscaling"),
    dict(penalty="l1", alpha=0.3),
    dict(penalty="elasticnet", alpha=0.5, l1_ratio=0.4, solver="sgd"),
    dict(penalty=None),
    dict(dropout=(0.3, 0.0), batch_size=10),
    dict(dropout=0.2, dropout_mode="weight_scaling"),
    dict(batch_size=8, shuffle=True),
    dict(early_stopping=True, validation_fraction=0.3, n_iter_no_change=2),
    dict(learning_rate="cosine"),
    dict(solver="sgd", learning_rate="cosine", learning_rate_init=0.05),
    dict(learning_rate="cosine", batch_size=10),
]


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: ",".join(s) or "default")
def test_regressor_steps_equal_the_reference(activation, settings, monkeypatch):
    settings = {"learning_rate_init": 0.01, **settings}
    make = lambda: MLPRegressor(hidden_layer_sizes=(6, 5), activation=activation,  # noqa: E731
                                max_iter=8, random_state=0, **settings)
    weights = RNG.uniform(0.5, 2.0, size=len(X))
    assert_same_network(*fit_both(make, X, Y_REG, monkeypatch, sample_weight=weights))


@pytest.mark.parametrize("y", [LABELS, LABELS == "a", MULTILABEL],
                         ids=["multiclass", "binary", "multilabel"])
@pytest.mark.parametrize("settings", SETTINGS[:4], ids=lambda s: ",".join(s) or "default")
def test_classifier_steps_equal_the_reference(y, settings, monkeypatch):
    make = lambda: MLPClassifier(hidden_layer_sizes=(7,), activation="tanh",  # noqa: E731
                                 max_iter=8, random_state=0, **settings)
    assert_same_network(*fit_both(make, X, y, monkeypatch))


def test_poisson_and_float32_and_no_hidden_layer(monkeypatch):
    make = lambda: MLPRegressor(loss="poisson", hidden_layer_sizes=(5,),  # noqa: E731
                                max_iter=6, random_state=0)
    assert_same_network(*fit_both(make, X, Y_COUNTS, monkeypatch))
    make = lambda: MLPRegressor(hidden_layer_sizes=(), max_iter=6, random_state=0)  # noqa: E731
    assert_same_network(*fit_both(make, X, Y_REG, monkeypatch))
    make = lambda: MLPRegressor(hidden_layer_sizes=(8,), max_iter=6, random_state=0)  # noqa: E731
    fast, reference = fit_both(make, X.astype(np.float32), Y_REG, monkeypatch)
    assert fast.coefs_[0].dtype == np.float32
    assert_same_network(fast, reference, rtol=1e-5)


@pytest.mark.parametrize("batch_size", [200, 9], ids=["full_batch", "mini_batches"])
def test_stacked_cv_equals_the_reference(batch_size, monkeypatch):
    """Many models per stack (fold weights, or each model's own rows)."""
    make = lambda: MLPRegressorCV(alphas=[0.01, 1.0, 30.0], cv=4,  # noqa: E731
                                  hidden_layer_sizes=(6,), max_iter=10,
                                  batch_size=batch_size, random_state=0)
    fast, reference = fit_both(make, X, Y_REG, monkeypatch)
    for key in ("mean_test_score", "mean_train_score"):
        np.testing.assert_allclose(fast.cv_results_[key], reference.cv_results_[key],
                                   rtol=1e-12)
    make = lambda: MLPClassifierCV(alphas=[0.1, 3.0], cv=3, hidden_layer_sizes=(5,),  # noqa: E731
                                   max_iter=10, dropout=0.25, batch_size=batch_size,
                                   random_state=0)
    fast, reference = fit_both(make, X, LABELS, monkeypatch)
    np.testing.assert_allclose(fast.cv_results_["mean_test_score"],
                               reference.cv_results_["mean_test_score"], rtol=1e-12)


def test_divergence_is_seen_by_the_compiled_path(monkeypatch):
    from sklearn_mlpreg import FitDivergedError

    monkeypatch.setenv("SKLEARN_MLPREG_ENGINE", "")
    with pytest.raises(FitDivergedError):
        MLPRegressor(solver="sgd", learning_rate_init=1e4, max_iter=50,
                     random_state=0).fit(X, Y_REG)


@pytest.mark.parametrize("settings", [
    dict(tol=1e-3, n_iter_no_change=3, max_iter=500),
    dict(solver="sgd", learning_rate="invscaling", power_t=0.3, max_iter=40),
    dict(solver="sgd", momentum=0.0, max_iter=60, tol=0.0, n_iter_no_change=np.inf),
    dict(warm_start=True, max_iter=15),
], ids=["converges", "invscaling", "no_stopping", "warm_start"])
def test_whole_compiled_trainings_stop_and_resume_like_the_reference(settings, monkeypatch):
    """Full-batch trainings run every epoch in compiled code: the stopping rule,
    the schedules and a warm start behave as in the reference loop."""
    make = lambda: MLPRegressor(hidden_layer_sizes=(6,), random_state=0,  # noqa: E731
                                learning_rate_init=0.02, **settings)
    fast, reference = fit_both(make, X, Y_REG, monkeypatch)
    assert_same_network(fast, reference)
    for engine, model in (("", fast), ("numpy", reference)):  # a second fit resumes
        monkeypatch.setenv("SKLEARN_MLPREG_ENGINE", engine)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, Y_REG)
    assert_same_network(fast, reference)
    assert fast.t_ == reference.t_ and fast.best_loss_ == pytest.approx(reference.best_loss_)
    assert fast._optimizer.learning_rate == pytest.approx(reference._optimizer.learning_rate)


def test_an_exploding_loss_diverges_at_the_same_epoch(monkeypatch):
    from sklearn_mlpreg import FitDivergedError

    messages = []
    for engine in ("", "numpy"):
        monkeypatch.setenv("SKLEARN_MLPREG_ENGINE", engine)
        with pytest.raises(FitDivergedError) as error:
            MLPRegressor(solver="sgd", momentum=0.0, learning_rate_init=0.01, alpha=1e4,
                         hidden_layer_sizes=(6,), max_iter=300, random_state=0).fit(X, Y_REG)
        messages.append(str(error.value))
    assert messages[0] == messages[1]


def test_compiled_streams_draw_what_random_sample_draws():
    """The compiled MT19937 gives RandomState.random_sample's doubles bit for bit,
    across the state's regeneration (every 624 words), and writes the advanced
    state back."""
    from sklearn_mlpreg._engine.compiled.streams import next_double, read_states, write_back

    rngs = [np.random.RandomState(seed) for seed in (0, 7, 123)]
    for rng, skip in zip(rngs, (0, 311, 623)):  # any position within the state
        rng.random_sample(skip)
    twins = [np.random.RandomState() for _ in rngs]
    for twin, rng in zip(twins, rngs):
        twin.set_state(rng.get_state())
    keys, positions = read_states(rngs)
    drawn = np.array([[next_double(keys, positions, k) for _ in range(1000)]
                      for k in range(3)])
    np.testing.assert_array_equal(drawn, [twin.random_sample(1000) for twin in twins])
    write_back(rngs, keys, positions, np.arange(3))
    for rng, twin in zip(rngs, twins):
        np.testing.assert_array_equal(rng.random_sample(5), twin.random_sample(5))


@pytest.mark.parametrize("mode", ["inverted", "weight_scaling"])
def test_compiled_masks_equal_the_reference_masks(mode):
    from sklearn_mlpreg._engine.compiled.streams import draw_masks, read_states
    from sklearn_mlpreg._engine.dropout import draw_masks as reference_draw
    from sklearn_mlpreg._engine.network import Architecture, Workspace

    rates = np.array([[0.3, 0.0, 0.5]])
    arch = Architecture((4, 6, 3, 5, 1), "relu", "identity", dropout=(0.3, 0.0, 0.5),
                        dropout_mode=mode)
    work = Workspace(arch.layout, 1, 9, np.float64, rates)
    reference_draw(work, [np.random.RandomState(3)], mode)
    keys, positions = read_states([np.random.RandomState(3)])
    scale = np.where(rates > 0, 1 / (1 - rates) if mode == "inverted" else 1.0, 1.0)
    masks = np.full((10, 14), 7.0)
    draw_masks(keys, positions, 0, rates[0], scale[0], np.array([6, 3, 5]), masks)
    np.testing.assert_array_equal(masks[0], work.mask_matrix[0, 0])  # flags
    for start, stop in ((0, 6), (9, 14)):  # the layers that drop units
        np.testing.assert_array_equal(masks[1:, start:stop],
                                      work.mask_matrix[0, 1:, start:stop])


def test_full_batch_dropout_trains_in_compiled_code_as_the_reference(monkeypatch):
    """Whole full-batch trainings with dropout (masks from the compiled streams)."""
    fast, reference = fit_both(lambda: MLPRegressor(
        hidden_layer_sizes=(6, 5), dropout=(0.3, 0.1), max_iter=40, random_state=2),
        X, Y_REG, monkeypatch)
    assert_same_network(fast, reference)
