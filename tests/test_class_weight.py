"""class_weight: LogisticRegression's semantics, equal to compute_sample_weight's weights."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.model_selection import GridSearchCV
from sklearn.utils.class_weight import compute_sample_weight

from sklearn_mlpreg import MLPClassifier, MLPClassifierCV, MLPRegressor
from sklearn_mlpreg.model_selection import BatchedGridSearchCV

X, Y3 = make_classification(90, 5, n_classes=3, n_informative=3, n_redundant=0,
                            weights=[0.6, 0.3, 0.1], random_state=0)
Y_TEXT = np.array(["rare", "common"])[(Y3 == 0).astype(int)]
X_ML, Y_ML = make_multilabel_classification(70, 5, n_classes=3, random_state=0)
WEIGHTS = np.random.RandomState(1).uniform(0.5, 2.0, size=90)
FAST = dict(hidden_layer_sizes=(6,), max_iter=25, learning_rate_init=0.01, random_state=0)


def fit_quietly(model, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(*args, **kwargs)


def assert_same_network(a, b, tol=1e-12):
    for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_allclose(u, v, rtol=0, atol=tol)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=tol)


CASES = {
    "multiclass balanced": (X, Y3, "balanced"),
    "multiclass dict": (X, Y3, {0: 1.0, 2: 4.5}),
    "text binary balanced": (X, Y_TEXT, "balanced"),
    "text binary dict": (X, Y_TEXT, {"rare": 3.0, "common": 0.5}),
    "multilabel balanced": (X_ML, Y_ML, "balanced"),
    "multilabel dicts": (X_ML, Y_ML, [{0: 1.0, 1: 3.0}, {0: 2.0, 1: 1.0}, {1: 0.5}]),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("extra", [{}, {"batch_size": 16}, {"early_stopping": True},
                                   {"solver": "lbfgs"}, {"solver": "sgd"}],
                         ids=["full_batch", "mini_batches", "early_stopping", "lbfgs",
                              "sgd"])
def test_class_weight_equals_compute_sample_weight(case, extra):
    X_c, y_c, class_weight = case
    weighted = fit_quietly(MLPClassifier(**FAST, **extra, class_weight=class_weight),
                           X_c, y_c)
    plain = fit_quietly(MLPClassifier(**FAST, **extra), X_c, y_c,
                        sample_weight=compute_sample_weight(class_weight, y_c))
    assert_same_network(weighted, plain)
    if extra.get("early_stopping"):
        np.testing.assert_allclose(weighted.validation_scores_, plain.validation_scores_)


def test_class_weight_multiplies_sample_weight():
    weighted = fit_quietly(MLPClassifier(**FAST, class_weight="balanced"), X, Y3,
                           sample_weight=WEIGHTS)
    plain = fit_quietly(MLPClassifier(**FAST), X, Y3,
                        sample_weight=WEIGHTS * compute_sample_weight("balanced", Y3))
    assert_same_network(weighted, plain)


def test_an_explicit_validation_set_is_weighted_by_the_training_class_weights():
    train, val = np.arange(60), np.arange(60, 90)
    weighted = fit_quietly(MLPClassifier(**FAST, class_weight="balanced", early_stopping=True),
                           X[train], Y3[train], X_val=X[val], y_val=Y3[val])
    per_class = len(train) / (3 * np.bincount(Y3[train]))  # balanced on the training rows
    plain = fit_quietly(MLPClassifier(**FAST, early_stopping=True), X[train], Y3[train],
                        sample_weight=per_class[Y3[train]], X_val=X[val], y_val=Y3[val],
                        sample_weight_val=per_class[Y3[val]])
    assert_same_network(weighted, plain)
    np.testing.assert_allclose(weighted.validation_scores_, plain.validation_scores_)


def test_balanced_weights_raise_balanced_accuracy_on_a_rare_class():
    from sklearn.metrics import balanced_accuracy_score

    X_r, y_r = make_classification(400, 5, weights=[0.92], flip_y=0, class_sep=0.8,
                                   random_state=3)
    scores = {}
    for class_weight in (None, "balanced"):
        model = fit_quietly(MLPClassifier(hidden_layer_sizes=(10,), max_iter=200,
                                          learning_rate_init=0.01, random_state=0,
                                          class_weight=class_weight), X_r[:300], y_r[:300])
        scores[class_weight] = balanced_accuracy_score(y_r[300:], model.predict(X_r[300:]))
    assert scores["balanced"] > scores[None] + 0.05


def test_partial_fit_takes_a_dict():
    weights = {0: 1.0, 1: 2.0, 2: 5.0}
    a = MLPClassifier(**FAST, class_weight=weights).partial_fit(X, Y3, classes=[0, 1, 2])
    b = MLPClassifier(**FAST).partial_fit(X, Y3, classes=[0, 1, 2],
                                          sample_weight=compute_sample_weight(weights, Y3))
    assert_same_network(a, b)


@pytest.mark.parametrize("class_weight, message", [
    ({0: -1.0}, "finite weight >= 0; got -1.0 for class 0"),
    ({0: np.inf}, "finite weight >= 0; got inf for class 0"),
    ({7: 1.0}, r"labels \[7\] that are not classes of y \(\[0, 1, 2\]\)"),
    ("inverse", "must be an instance of 'dict', an instance of 'list', a str among"),
])
def test_bad_class_weights_get_a_clear_error(class_weight, message):
    with pytest.raises(ValueError, match=message):
        MLPClassifier(**FAST, class_weight=class_weight).fit(X, Y3)


def test_multilabel_class_weight_must_be_balanced_or_one_dict_per_label():
    with pytest.raises(ValueError, match="list of 3 dicts, one per label"):
        MLPClassifier(**FAST, class_weight={0: 1.0, 1: 2.0}).fit(X_ML, Y_ML)
    with pytest.raises(ValueError, match="list of 3 dicts"):
        MLPClassifier(**FAST, class_weight=[{0: 1.0}]).fit(X_ML, Y_ML)


def test_balanced_is_refused_by_partial_fit_with_what_to_do():
    with pytest.raises(ValueError, match="not supported for partial_fit.*Pass a dict"):
        MLPClassifier(**FAST, class_weight="balanced").partial_fit(X, Y3, classes=[0, 1, 2])


def test_regressors_have_no_class_weight():
    assert "class_weight" not in MLPRegressor().get_params()
    assert MLPClassifier().get_params()["class_weight"] is None


def test_class_weight_in_the_cv_estimator_and_the_batched_search_equals_grid_search():
    grid = {"class_weight": [None, "balanced", {0: 1.0, 1: 2.0, 2: 5.0}],
            "alpha": [1e-3, 1.0], "early_stopping": [False, True], "batch_size": [16, "auto"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = GridSearchCV(MLPClassifier(**FAST), grid, cv=3,
                              scoring="balanced_accuracy").fit(X, Y3)
        ours = BatchedGridSearchCV(MLPClassifier(**FAST), grid, cv=3,
                                   scoring="balanced_accuracy").fit(X, Y3)
        cv = MLPClassifierCV(alphas=[1e-3, 1.0], cv=3, class_weight="balanced", **FAST).fit(
            X, Y3)
        alone = GridSearchCV(MLPClassifier(**FAST, class_weight="balanced"),
                             {"alpha": [1e-3, 1.0]}, cv=3, scoring="neg_log_loss").fit(X, Y3)
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               theirs.cv_results_["mean_test_score"], atol=1e-10)
    np.testing.assert_allclose(cv.cv_results_["mean_test_score"],
                               alone.cv_results_["mean_test_score"], atol=1e-10)
