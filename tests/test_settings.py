"""Settings: an MLP's parameters validated once into one typed object."""

import dataclasses
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlpreg import MLPClassifier, MLPRegressor
from sklearn_mlpreg._plans import Block, plan_model
from sklearn_mlpreg._settings import Settings
from sklearn_mlpreg._spec import fit_targets, make_spec, training_config
from sklearn_mlpreg._stacks import train_stack


def test_settings_hold_the_parsed_values():
    settings = Settings.of(MLPRegressor(hidden_layer_sizes=[30, 15], dropout=0.2,
                                        penalty=None, early_stopping=True))
    assert settings.hidden == (30, 15)
    assert settings.dropout == (0.2, 0.2)
    assert settings.batch_size is None and settings.batch_rows(500) == 200
    assert settings.penalty == "none"
    assert settings.stochastic and settings.early
    assert settings.loss == "squared_error" and settings.class_weight is None
    lbfgs = Settings.of(MLPClassifier(solver="lbfgs", early_stopping=True, batch_size=7,
                                      class_weight="balanced"))
    assert not lbfgs.stochastic and not lbfgs.early
    assert lbfgs.batch_size == 7 and lbfgs.class_weight == "balanced"


def test_settings_are_frozen_and_a_member_changes_only_its_seed():
    settings = Settings.of(MLPRegressor(random_state=0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.alpha = 1.0
    member = settings.with_seed(7)
    assert member.random_state == 7 and settings.random_state == 0
    assert member.hidden == settings.hidden


@pytest.mark.parametrize("params, message", [
    ({"dropout": 0.2, "solver": "lbfgs"}, "dropout needs a stochastic solver"),
    ({"learning_rate": "cosine", "solver": "lbfgs"}, "anneals the step size"),
    ({"dropout": (0.1, 0.2, 0.3)}, "one rate or one per hidden layer"),
    ({"hidden_layer_sizes": (), "dropout": 0.5}, "acts on hidden layers"),
])
def test_settings_refuse_what_the_constraints_cannot_express(params, message):
    with pytest.raises(ValueError, match=message):
        Settings.of(MLPRegressor(**params))


def test_one_parse_serves_the_spec_and_the_engine_config():
    settings = Settings.of(MLPRegressor(hidden_layer_sizes=(4, 3), dropout=(0.1, 0.3),
                                        batch_size=16))
    y = np.arange(10.0)
    spec = make_spec(settings, 5, fit_targets(y, classifier=False))
    assert spec.architecture.layer_units == (5, 4, 3, 1)
    assert spec.architecture.dropout == (0.1, 0.3)
    config = training_config([settings, settings.with_seed(1)], spec)
    assert config.batch_size == 16
    np.testing.assert_array_equal(config.dropout, [[0.1, 0.3], [0.1, 0.3]])


def test_a_lone_fit_is_a_stack_of_one_of_the_pipeline():
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 3), rng.randn(40)
    mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=15, batch_size=8,
                       early_stopping=True, random_state=0)
    settings = Settings.of(mlp)
    targets = fit_targets(y, classifier=False)
    spec = make_spec(settings, X.shape[1], targets)
    Y = targets.encode(y, X.dtype, "MLPRegressor")
    block = Block(X, Y, np.arange(40), None, targets, whole=True)
    model = plan_model(0, settings, spec, block, rng=np.random.RandomState(0))
    trained, = train_stack([model], diagnostics=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, y)
    coefs, intercepts = spec.architecture.layout.unpack(trained.params)
    for ours, theirs in zip(coefs + intercepts, mlp.coefs_ + mlp.intercepts_):
        np.testing.assert_array_equal(ours, theirs)


def test_an_ensembles_member_template_is_validated_as_a_lone_fit_would_be():
    from sklearn.utils._param_validation import InvalidParameterError

    from sklearn_mlpreg import MLPEnsembleRegressor

    X = np.random.RandomState(0).randn(20, 3)
    with pytest.raises(InvalidParameterError, match="alpha"):
        MLPEnsembleRegressor(MLPRegressor(alpha=-1.0), n_members=2).fit(X, X[:, 0])
