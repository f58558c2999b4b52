"""The mini-batch loop's shuffles and dropout masks from compiled streams.

With the compiled step, a stack copies its generators' MT19937 states once
(:meth:`Stack.open_streams`), shuffles and draws each batch's masks in
compiled code and writes the states back at the end. The reference (numpy's
``shuffle`` and ``random_sample`` from Python) stays the definition: the
orders, the masks, the trained networks and the generators' final states
must be the same bit for bit.
"""

import warnings

import numpy as np
import pytest

from sklearn_mlpreg import MLPRegressor
from sklearn_mlpreg._engine import compiled
from sklearn_mlpreg._engine.compiled import MaskStreams
from sklearn_mlpreg._engine.compiled.streams import read_states, shuffle_rows, write_back
from sklearn_mlpreg._engine.dropout import draw_masks
from sklearn_mlpreg._engine.network import Architecture, Workspace
from sklearn_mlpreg._plans import Block, plan_model
from sklearn_mlpreg._settings import Settings
from sklearn_mlpreg._spec import fit_targets, make_spec
from sklearn_mlpreg._stacks import stack_key, train_stack

pytestmark = pytest.mark.skipif(not compiled.available(),
                                reason="numba is not installed (or switched off)")

RNG = np.random.RandomState(0)
X = RNG.normal(size=(61, 4))
Y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * RNG.normal(size=61)


def advanced(seeds, skips):
    """Generators at any position of their states (two copies each)."""
    rngs = [np.random.RandomState(seed) for seed in seeds]
    for rng, skip in zip(rngs, skips):
        rng.random_sample(skip)
    twins = [np.random.RandomState() for _ in rngs]
    for twin, rng in zip(twins, rngs):
        twin.set_state(rng.get_state())
    return rngs, twins


@pytest.mark.parametrize("n", [1, 2, 3, 17, 331, 5000])
def test_compiled_shuffle_is_randomstate_shuffle(n):
    """Composing the rows with RandomState.shuffle's permutation, epoch after
    epoch, across the states' regenerations; the models that do not shuffle
    draw nothing."""
    rngs, twins = advanced((0, 5, 9), (0, 311, 623))
    keys, positions = read_states(rngs)
    order = np.tile(np.arange(n)[::-1], (3, 1))
    expected = order.copy()
    shuffle = np.array([True, False, True])
    for _ in range(4):
        shuffle_rows(keys, positions, np.arange(3), shuffle, order)
        for k in np.flatnonzero(shuffle):
            permutation = np.arange(n)
            twins[k].shuffle(permutation)
            expected[k] = expected[k][permutation]
        np.testing.assert_array_equal(order, expected)
    write_back(rngs, keys, positions, np.arange(3))
    for rng, twin in zip(rngs, twins):
        assert rng.get_state()[2] == twin.get_state()[2]
        np.testing.assert_array_equal(rng.random_sample(3), twin.random_sample(3))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mode", ["inverted", "weight_scaling"])
def test_stack_masks_equal_the_reference_masks(mode, dtype):
    """Each batch's masks of the models still in the stack (after one left),
    per model rates with zeros, as dropout.draw_masks draws them."""
    rates = np.array([[0.3, 0.0], [0.0, 0.0], [0.5, 0.2], [0.1, 0.6]])
    arch = Architecture((4, 7, 5, 1), "relu", "identity", dropout=(0.3, 0.0),
                        dropout_mode=mode)
    rngs, twins = advanced((1, 2, 3, 4), (600, 0, 5, 622))
    streams = MaskStreams(rates, (7, 5), mode, rngs, dtype)
    for ids in (np.arange(4), np.array([0, 2, 3])):  # model 1 has left the stack
        for n in (9, 4):  # a last, shorter batch
            fast = Workspace(arch.layout, len(ids), n, dtype, rates[ids], buffers=False)
            reference = Workspace(arch.layout, len(ids), n, dtype, rates[ids])
            streams.draw(fast.mask_matrix, ids)
            draw_masks(reference, [twins[k] for k in ids], mode)
            np.testing.assert_array_equal(fast.mask_matrix, reference.mask_matrix)
    streams.finish()
    for rng, twin in zip(rngs, twins):
        np.testing.assert_array_equal(rng.random_sample(3), twin.random_sample(3))


STACK = [  # one stack: two hidden layers, batches that do not divide the rows
    dict(dropout=(0.2, 0.1)),
    dict(dropout=0.0),
    dict(dropout=(0.0, 0.3), shuffle=False),
    dict(dropout=(0.4, 0.0), n_iter_no_change=1, tol=0.2),
    dict(dropout=(0.1, 0.1), n_iter_no_change=4, random_state=3),
    dict(dropout=0.0, shuffle=False, random_state=5),
]


def estimators(batch_size, early=False):
    """The networks of one stack (with early stopping: each its own validation
    rows, as many of them)."""
    return [MLPRegressor(**{"hidden_layer_sizes": (6, 5), "batch_size": batch_size,
                            "max_iter": 12, "learning_rate_init": 0.01,
                            "random_state": 0, "early_stopping": early,
                            "validation_fraction": 0.2, **params}) for params in STACK]


def train_as_a_stack(mlps, monkeypatch, engine):
    """The networks of ``mlps`` trained as one stack by ``engine``; returns
    their trained models, their generators and their layouts."""
    monkeypatch.setenv("SKLEARN_MLPREG_ENGINE", engine)
    models = []
    for key, mlp in enumerate(mlps):
        settings = Settings.of(mlp)
        targets = fit_targets(Y, classifier=False)
        spec = make_spec(settings, X.shape[1], targets)
        block = Block(X, targets.encode(Y, X.dtype, "MLPRegressor"), np.arange(len(X)),
                      None, targets, whole=True)
        models.append(plan_model(key, settings, spec, block,
                                 rng=np.random.RandomState(settings.random_state)))
    assert len({stack_key(model) for model in models}) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trained = train_stack(models)
    return trained, [model.rng for model in models], [
        model.spec.architecture.layout for model in models]


def assert_same(ours, theirs, rtol=0.0):
    """Two trained models: weights and curves equal (to ``rtol``)."""
    np.testing.assert_allclose(ours.params, theirs.params, rtol=rtol, atol=rtol)
    for name in ("loss", "validation_score"):
        np.testing.assert_allclose(ours.state.curve(name), theirs.state.curve(name),
                                   rtol=rtol, atol=rtol)
    assert ours.state.n_iter[0] == theirs.state.n_iter[0]


@pytest.mark.parametrize("early", [False, True], ids=["", "early_stopping"])
@pytest.mark.parametrize("batch_size", [8, 13])
def test_a_stack_with_dropout_equals_the_reference_and_the_lone_fits(batch_size, early,
                                                                        monkeypatch):
    """Bit for bit the networks of the compiled step with the reference's draws
    from Python, and of the lone fits; the numpy reference's to 1e-12 (as the
    compiled step is held, test_compiled.py). Generators end alike."""
    from sklearn_mlpreg._engine.stack import Stack

    counts = dict.fromkeys(compiled.runs, 0)
    monkeypatch.setattr(compiled, "runs", counts)
    fast, fast_rngs, layouts = train_as_a_stack(estimators(batch_size, early), monkeypatch, "")
    assert counts["draw_masks"] > 0 and counts["shuffle"] > 0  # the compiled draws ran
    calls = dict(counts)
    with monkeypatch.context() as patch:  # the compiled step, draws from Python
        patch.setattr(Stack, "open_streams", lambda self, epochs: None)
        python, python_rngs, _ = train_as_a_stack(estimators(batch_size, early), patch, "")
    assert counts["draw_masks"] == calls["draw_masks"] and counts["batch_step"] > calls[
        "batch_step"]
    reference, reference_rngs, _ = train_as_a_stack(estimators(batch_size, early), monkeypatch,
                                                    "numpy")
    n_iter = [one.state.n_iter[0] for one in fast]
    assert min(n_iter) < max(n_iter) == 12  # some left the stack early
    lone = []
    monkeypatch.delenv("SKLEARN_MLPREG_ENGINE")
    for mlp in estimators(batch_size, early):  # lone fits, with the compiled draws
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lone.append(mlp.fit(X, Y))
    for ours, drawn, theirs, alone, layout in zip(fast, python, reference, lone, layouts):
        assert_same(ours, drawn)
        assert_same(ours, theirs, rtol=1e-12)
        coefs, intercepts = layout.unpack(ours.params)
        for a, b in zip(coefs + intercepts, alone.coefs_ + alone.intercepts_):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(alone.loss_curve_, ours.state.curve("loss"))
    for ours, drawn, theirs in zip(fast_rngs, python_rngs, reference_rngs):
        for other in (drawn, theirs):  # the streams end alike
            a, b = ours.get_state(), other.get_state()
            np.testing.assert_array_equal(a[1], b[1])
            assert a[2] == b[2]


@pytest.mark.parametrize("follow", ["partial_fit", "warm_start"])
def test_a_following_fit_continues_the_reference_stream(follow, monkeypatch):
    """A fit with compiled draws leaves its generator where the draws from
    Python leave it: the partial_fit calls or warm-started fits that follow
    equal theirs bit for bit (and the numpy reference's to 1e-12)."""
    from sklearn_mlpreg._engine.stack import Stack

    networks = []
    for engine, streams in (("", True), ("", False), ("numpy", False)):
        monkeypatch.setenv("SKLEARN_MLPREG_ENGINE", engine)
        with monkeypatch.context() as patch, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if not streams:
                patch.setattr(Stack, "open_streams", lambda self, epochs: None)
            mlp = MLPRegressor(hidden_layer_sizes=(6, 5), dropout=(0.3, 0.1), batch_size=9,
                               max_iter=6, random_state=0,
                               warm_start=follow == "warm_start").fit(X, Y)
            for _ in range(3):
                mlp.partial_fit(X, Y) if follow == "partial_fit" else mlp.fit(X, Y)
        networks.append(mlp)
    fast, drawn, reference = networks
    for other, tol in ((drawn, 0.0), (reference, 1e-12)):
        for a, b in zip(fast.coefs_ + fast.intercepts_, other.coefs_ + other.intercepts_):
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
        np.testing.assert_allclose(fast.loss_curve_, other.loss_curve_, rtol=tol, atol=tol)


def test_short_trainings_and_shared_generators_keep_the_python_draws(monkeypatch):
    """partial_fit's one epoch does not pay for copying a state; models that
    share one generator must draw from it in turn (the reference does)."""
    counts = dict.fromkeys(compiled.runs, 0)
    monkeypatch.setattr(compiled, "runs", counts)
    monkeypatch.delenv("SKLEARN_MLPREG_ENGINE", raising=False)
    mlp = MLPRegressor(hidden_layer_sizes=(5,), dropout=0.2, batch_size=10,
                       random_state=0)
    mlp.partial_fit(X, Y)
    assert counts["batch_step"] > 0 and counts["draw_masks"] == counts["shuffle"] == 0
    from sklearn_mlpreg._engine.stack import Stack

    shared = np.random.RandomState(0)

    class Probe:  # the rule, on a stack of two models sharing a generator
        shuffle = np.array([True, True])
        full_batch, n_batches, n_rows = False, 8, 61
        dropout = np.array([[0.2, 0.1], [0.0, 0.0]])
        rngs = [shared, shared]
        compiled = object()
        streams = None

    Stack.open_streams(Probe, 12)
    assert Probe.streams is None
