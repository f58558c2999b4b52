"""Every error names the real cause and the fix, for every estimator and search.

Cases where an earlier release blamed the wrong thing (text in X reported as
text in y, all-zero class weights reported as a diverging fit, a traceback's
class path inside a search's message, lambda advice on a learning-rate grid, a
damaged model reported as unusual rows) and where scikit-learn itself gives an
unhelpful traceback (complex numbers printed in full, labels that cannot be
sorted).
"""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_mlpreg import (
    FitDivergedError,
    GridEdgeWarning,
    MLPClassifier,
    MLPClassifierCV,
    MLPEnsembleClassifier,
    MLPEnsembleRegressor,
    MLPRegressor,
    MLPRegressorCV,
)
from sklearn_mlpreg.model_selection import BatchedGridSearchCV

RNG = np.random.RandomState(0)
X = RNG.randn(30, 3)
Y = X[:, 0] + 0.1 * RNG.randn(30)
LABELS = (X[:, 0] > 0).astype(int)
FAST = dict(hidden_layer_sizes=(4,), max_iter=5, random_state=0)


def text_in_X():
    Xt = X.astype(object)
    Xt[3, 1] = "tall"
    return Xt


def all_estimators(classifier):
    """One of each estimator family of the library, for ``classifier`` targets."""
    if classifier:
        return [MLPClassifier(**FAST), MLPClassifierCV(alphas=[0.1, 1.0], cv=2, **FAST),
                MLPEnsembleClassifier(MLPClassifier(**FAST), n_members=2),
                BatchedGridSearchCV(MLPClassifier(**FAST), {"alpha": [0.1, 1.0]}, cv=2)]
    return [MLPRegressor(**FAST), MLPRegressorCV(alphas=[0.1, 1.0], cv=2, **FAST),
            MLPEnsembleRegressor(MLPRegressor(**FAST), n_members=2),
            BatchedGridSearchCV(MLPRegressor(**FAST), {"alpha": [0.1, 1.0]}, cv=2)]


def _name(estimator):
    return type(estimator).__name__


def _raises(call, pattern):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError, match=f"(?s){pattern}") as info:
            call()
    assert "sklearn_mlpreg." not in str(info.value)  # no class path in a message
    return info.value


@pytest.mark.parametrize("classifier", [False, True])
def test_text_in_X_is_blamed_on_X_not_y(classifier):
    y = LABELS if classifier else Y
    for estimator in all_estimators(classifier):
        message = str(_raises(lambda e=estimator: e.fit(text_in_X(), y),
                              "needs numeric features, but X holds text.*OneHotEncoder"))
        assert "y holds" not in message, _name(estimator)


def test_text_in_a_regressors_y_is_still_blamed_on_y():
    _raises(lambda: MLPRegressor(**FAST).fit(X, np.where(Y > 0, "up", "down")),
            "needs a numeric target, but y holds text.*MLPClassifier")


@pytest.mark.parametrize("classifier", [False, True])
def test_complex_data_gets_a_short_error_with_the_fix(classifier):
    y = LABELS if classifier else Y
    for estimator in all_estimators(classifier):
        error = _raises(lambda e=estimator: e.fit(X.astype(complex), y),
                        "trains on real numbers.*complex numbers.*X.real")
        assert len(str(error)) < 300  # no dump of the array


def test_class_weights_that_are_all_zero_are_refused_as_such():
    for estimator in (MLPClassifier(**FAST, class_weight={0: 0.0, 1: 0.0}),
                      MLPEnsembleClassifier(MLPClassifier(**FAST, class_weight={0: 0, 1: 0}),
                                            n_members=2)):
        _raises(lambda e=estimator: e.fit(X, LABELS),
                r"class_weight=\{0: 0(\.0)?, 1: 0(\.0)?\} gives every training sample a "
                "weight of 0.*positive weight")
    # weights of 0 for the classes present, with sample weights: the same cause
    _raises(lambda: MLPClassifier(**FAST, class_weight={0: 1.0, 1: 0.0}).fit(
        X, LABELS, sample_weight=np.where(LABELS == 0, 0.0, 1.0)), "weight of 0")


def test_labels_that_cannot_be_ordered_are_refused_with_the_fix():
    mixed = np.array([1, "a"] * 15, dtype=object)
    for estimator in all_estimators(classifier=True):
        _raises(lambda e=estimator: e.fit(X, mixed),
                r"labels mix types that cannot be ordered \(int, str\).*y.astype\(str\)")


def test_a_search_with_error_score_raise_names_the_failed_candidate():
    search = BatchedGridSearchCV(
        MLPRegressor(hidden_layer_sizes=(4,), solver="sgd", max_iter=50, random_state=0),
        {"learning_rate_init": [1e-3, 1e3]}, cv=2, error_score="raise")
    with pytest.raises(FitDivergedError) as info:
        search.fit(X, Y)
    message = str(info.value)
    assert message.startswith("The fit diverged")
    assert "{'learning_rate_init': 1000.0}" in message and "split 0" in message
    assert "sklearn_mlpreg." not in message and "Error:" not in message


@pytest.mark.parametrize(("axis", "lambda_advice"), [("alpha", True),
                                                     ("learning_rate_init", False)])
def test_the_grid_edge_warning_speaks_of_the_searched_parameter(axis, lambda_advice):
    grid = {"alpha": [1e-4, 1e-3, 1e-2]} if axis == "alpha" else {
        "learning_rate_init": [1e-4, 1e-3, 1e-2]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search = BatchedGridSearchCV(MLPRegressor(**FAST), grid, cv=2).fit(X, Y)
    edge = [str(w.message) for w in caught if issubclass(w.category, GridEdgeWarning)]
    best = search.best_params_[axis]
    if best in (min(grid[axis]), max(grid[axis])):
        assert len(edge) == 1 and axis in edge[0]
        assert ("lambda" in edge[0]) is lambda_advice
    else:
        assert edge == []


@pytest.mark.parametrize("part", ["coefs_", "intercepts_"])
def test_a_model_with_damaged_weights_says_so(part):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPClassifier(**FAST).fit(X, LABELS)
        ensemble = MLPEnsembleRegressor(MLPRegressor(**FAST), n_members=2).fit(X, Y)
    damaged = pickle.loads(pickle.dumps(model))
    getattr(damaged, part)[0][0] = np.nan
    _raises(lambda: damaged.predict(X), "weights hold NaN or inf.*damaged.*refit")
    getattr(ensemble.estimators_[1], part)[-1][0] = np.inf
    _raises(lambda: ensemble.predict(X), "weights hold NaN or inf")


@pytest.mark.parametrize(("settings", "pattern"), [
    (dict(hidden_layer_sizes=(0,)), "hidden_layer_sizes must be positive integers"),
    (dict(hidden_layer_sizes=(5,), dropout=(0.1, 0.2)), "one rate or one per hidden layer"),
    (dict(solver="lbfgs", dropout=0.2), "dropout needs a stochastic solver"),
    (dict(solver="lbfgs", learning_rate="cosine"), "L-BFGS takes no step size"),
    (dict(class_weight={0: 0, 1: 0}), "fit failed.*gives every training sample a weight of 0"),
    (dict(class_weight={5: 1.0}), "fit failed.*not classes of y"),
    (dict(early_stopping=True, validation_fraction=0.001),
     "fit failed.*validation set is too small"),
])
def test_the_cv_estimators_pass_on_the_cause_of_failed_fits(settings, pattern):
    """Not every failure is a divergence: the CV estimator says what a lone fit
    would say."""
    model = MLPClassifierCV(alphas=[0.1, 1.0], cv=2, **{**FAST, **settings})
    error = _raises(lambda: model.fit(X, LABELS), pattern)
    assert "diverged" not in str(error)


def _with(array, index, value):
    array = np.array(array, dtype=object if isinstance(value, str) else float)
    array[index] = value
    return array


# (case, call, pattern): each message names the argument at fault and the fix
WRONG_ARGUMENT = [
    ("NaN in X_val", lambda: MLPRegressor(**FAST).fit(
        X, Y, X_val=_with(X[:5], (0, 0), np.nan), y_val=Y[:5]), "Input X_val contains NaN"),
    ("NaN in sample_weight_val", lambda: MLPRegressor(**FAST).fit(
        X, Y, X_val=X[:5], y_val=Y[:5], sample_weight_val=_with(np.ones(5), 0, np.nan)),
     "sample_weight_val"),
    ("sample_weight_val of the wrong length", lambda: MLPRegressor(**FAST).fit(
        X, Y, X_val=X[:5], y_val=Y[:5], sample_weight_val=np.ones(4)), "sample_weight_val"),
    ("sample_weight_val without X_val", lambda: MLPRegressor(**FAST).fit(
        X, Y, sample_weight_val=np.ones(5)), "sample_weight_val.*pass X_val and y_val"),
    ("one validation row for R^2", lambda: MLPRegressor(**FAST).fit(
        X, Y, X_val=X[:1], y_val=Y[:1]), "X_val has 1 sample.*R\\^2.*at least two"),
    ("text in X_val", lambda: MLPRegressor(**FAST).fit(
        X, Y, X_val=_with(X[:5], (1, 1), "abc"), y_val=Y[:5]), "X_val holds text"),
    ("text in sample_weight", lambda: MLPRegressor(**FAST).fit(
        X, Y, sample_weight=_with(np.ones(30), 2, "abc")), "sample weights hold text"),
    ("complex class labels", lambda: MLPClassifier(**FAST).fit(
        X, LABELS + 1j), "y holds complex numbers.*class labels"),
    ("continuous labels", lambda: MLPClassifier(**FAST).fit(X, Y),
     "Unknown label type.*not a set of classes.*MLPRegressor"),
    ("1-D X", lambda: MLPRegressor(**FAST).fit(X[:, 0], Y),
     "expects X of shape \\(n_samples, n_features\\).*X.reshape\\(-1, 1\\)"),
]


@pytest.mark.parametrize("call, pattern", [case[1:] for case in WRONG_ARGUMENT],
                         ids=[case[0] for case in WRONG_ARGUMENT])
def test_each_message_names_the_argument_at_fault(call, pattern):
    error = _raises(call, pattern)
    assert len(str(error)) < 800  # no dump of the data


def test_text_at_predict_is_blamed_on_X():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPRegressor(**FAST).fit(X, Y)
    _raises(lambda: model.predict(text_in_X()), "needs numeric features, but X holds text")


def test_searches_take_a_scalar_sample_weight_as_the_estimators_do():
    grid = {"alpha": [0.1, 1.0]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scalar = BatchedGridSearchCV(MLPRegressor(**FAST), grid, cv=2).fit(
            X, Y, sample_weight=2.0)
        array = BatchedGridSearchCV(MLPRegressor(**FAST), grid, cv=2).fit(
            X, Y, sample_weight=np.full(30, 2.0))
    np.testing.assert_array_equal(scalar.cv_results_["mean_test_score"],
                                  array.cv_results_["mean_test_score"])


@pytest.mark.parametrize("missing", [np.nan, np.inf, None])
def test_a_missing_target_in_a_search_is_not_called_a_divergence(missing):
    y = Y.astype(object) if missing is None else Y.copy()
    y[4] = missing
    search = BatchedGridSearchCV(MLPRegressor(**FAST), {"alpha": [0.1, 1.0]}, cv=2,
                                 error_score="raise")
    error = _raises(lambda: search.fit(X, y), "y contains NaN or infinity|Input y contains")
    assert "diverged" not in str(error)


def test_a_y_val_of_the_wrong_width_is_refused():
    _raises(lambda: MLPRegressor(**FAST).fit(X, Y, X_val=X[:5],
                                             y_val=np.column_stack([Y[:5], Y[:5]])),
            r"y_val has 2 column\(s\), but y has 1")


def test_the_cv_regressor_predicts_with_its_standard_deviation():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPRegressorCV(alphas=[0.1, 1.0], cv=2, dropout=0.3, **FAST).fit(X, Y)
    mean, std = model.predict(X, return_std=True)
    expected = model.best_estimator_.predict(X, return_std=True)
    np.testing.assert_array_equal(mean, expected[0])
    np.testing.assert_array_equal(std, expected[1])


def test_a_grid_that_starts_at_zero_has_no_lower_edge():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search = BatchedGridSearchCV(MLPRegressor(**FAST), {"alpha": [0.0, 1e-3, 1e-2]},
                                     cv=2).fit(X, Y)
    edge = [w for w in caught if issubclass(w.category, GridEdgeWarning)]
    assert (search.best_params_["alpha"] == 1e-2) is bool(edge)


def test_partial_fit_of_lbfgs_says_why_it_is_missing():
    assert not hasattr(MLPRegressor(solver="lbfgs"), "partial_fit")
    assert hasattr(MLPRegressor(solver="sgd"), "partial_fit")
    with pytest.raises(AttributeError, match="solver='lbfgs' is not stochastic.*'adam'"):
        MLPClassifier(solver="lbfgs").partial_fit(X, LABELS, classes=[0, 1])


def test_inconsistent_lengths_name_the_arguments():
    _raises(lambda: MLPRegressor(**FAST).fit(X, Y[:-3]),
            r"\[30, 27\]\. X, y and the sample weights must have one entry per sample")


def test_the_librarys_exceptions_print_their_public_path():
    import traceback

    text = "".join(traceback.format_exception_only(FitDivergedError("x")))
    assert text.startswith("sklearn_mlpreg.FitDivergedError: x")
    assert pickle.loads(pickle.dumps(FitDivergedError("x"))).args == ("x",)


HALVES = np.r_[np.zeros(15), np.ones(15)]  # cv=2: one fold's rows all weigh 0


@pytest.mark.parametrize(("make", "fit_args", "pattern"), [
    (MLPRegressorCV, (X, Y, HALVES), "did not train \\(fold 1: training rows all weigh 0"
     ".*scored NaN without diverging \\(fold 0: test rows all weigh 0.*shuffle"),
    (MLPRegressorCV, (X[:2], Y[:2]), "1 test row, and R\\^2 needs 2.*neg_mean_squared_error"),
    (MLPClassifierCV, (X, np.r_[np.zeros(29, int), 1]),
     "fold 0: test rows hold one class only.*fewer folds.*'accuracy'"),
])
def test_cv_estimators_blame_degenerate_folds_not_divergence(make, fit_args, pattern):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the splitter's and failed fits' warnings)
        error = _raises(lambda: make(alphas=[0.1, 1.0], cv=2, **FAST).fit(*fit_args),
                        "so no alpha can be chosen.*" + pattern)
    assert "Scale the features" not in str(error) and not isinstance(error,
                                                                     FitDivergedError)


def test_cv_estimators_raise_fit_diverged_when_every_nan_is_a_divergence():
    rng = np.random.RandomState(0)
    X40 = rng.randn(40, 3)
    y40 = X40 @ [1.0, -1.0, 0.5] + 0.1 * rng.randn(40)
    model = MLPRegressorCV(alphas=[1e-3, 1.0], cv=2, learning_rate_init=2,
                           hidden_layer_sizes=(5,), max_iter=10, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(FitDivergedError, match="3 diverged.*learning_rate_init"):
            model.fit(X40, (y40 - y40.mean()) / y40.std())  # one fit of four scores


@pytest.mark.parametrize(("cv", "pattern"), [
    ([(np.arange(10), np.arange(100, 110))], "cv's split 0 has test row index 109, outside"),
    ([], "cv gives no split"),
    ([(np.array([], int), np.arange(30))], "cv's split 0 has no training rows"),
    ([(np.arange(15.0), np.arange(15.0, 30.0))], "cv's split 0 .*not integer row indices"),
])
def test_cv_estimators_check_the_splits_of_cv(cv, pattern):
    _raises(lambda: MLPRegressorCV(alphas=[0.1], cv=cv, **FAST).fit(X, Y), pattern)


def _dataframe_with_duplicate_columns():
    import pandas as pd
    return pd.DataFrame(X, columns=["a", "a", "b"])


# (case, call, pattern): a wrong parameter or argument, named with the fix
WRONG_INPUT = [
    ("weight_init=True", lambda: MLPRegressor(**FAST, weight_init=True).fit(X, Y),
     "'weight_init' parameter.*not a bool.*Got True"),
    ("weight_init=True in the CV", lambda: MLPRegressorCV(**FAST, weight_init=True).fit(
        X, Y), "'weight_init' parameter.*not a bool.*Got True"),
    ("n_jobs=0 in the CV", lambda: MLPRegressorCV(**FAST, n_jobs=0).fit(X, Y),
     "'n_jobs' parameter.*Got 0 instead"),
    ("n_jobs=0 in an ensemble", lambda: MLPEnsembleRegressor(
        MLPRegressor(**FAST), n_members=2, n_jobs=0).fit(X, Y),
     "'n_jobs' parameter.*Got 0 instead"),
    ("a set of layer sizes", lambda: MLPRegressor(**{**FAST, "hidden_layer_sizes": {5}})
     .fit(X, Y), "hidden_layer_sizes must be an ordered sequence.*set.*tuple"),
    ("class_weight as a list", lambda: MLPClassifier(
        **FAST, class_weight=[{0: 1, 1: 2}]).fit(X, LABELS),
     "class_weight=.* is a list, the form for multilabel.*class_weight=\\{0: 1"),
    ("class_weight as a list in the CV", lambda: MLPClassifierCV(
        **FAST, cv=2, class_weight=[{0: 1, 1: 2}]).fit(X, LABELS),
     "class_weight=.* is a list, the form for multilabel"),
    ("y=None in a search", lambda: BatchedGridSearchCV(
        MLPRegressor(**FAST), {"alpha": [0.1, 1.0]}, cv=2).fit(X, None),
     "requires y.*y is None"),
    ("mixed labels in the CV", lambda: MLPClassifierCV(**FAST, cv=2).fit(
        np.r_[X, X[:10]], np.array(["a", 1] * 20, dtype=object)),
     "labels mix types that cannot be ordered.*astype\\(str\\)"),
    ("X=None", lambda: MLPRegressor(**FAST).fit(None, Y), "X is None.*n_samples, n_features"),
    ("X=None in the CV", lambda: MLPRegressorCV(**FAST).fit(None, Y), "X is None"),
    ("duplicate columns", lambda: MLPRegressor(**FAST).fit(
        _dataframe_with_duplicate_columns(), Y),
     "X has duplicate column names \\('a' 2 times\\).*Rename"),
    ("continuous labels in partial_fit", lambda: MLPClassifier(**FAST).partial_fit(
        X, Y, classes=np.unique(Y)),
     "Unknown label type: MLPClassifier needs class labels.*MLPRegressor"),
    ("object labels in partial_fit", lambda: MLPClassifier(**FAST).partial_fit(
        X, LABELS.astype(object), classes=np.array([0, 1], dtype=object)),
     "Unknown label type: MLPClassifier needs class labels.*astype"),
]


@pytest.mark.parametrize("call, pattern", [case[1:] for case in WRONG_INPUT],
                         ids=[case[0] for case in WRONG_INPUT])
def test_wrong_inputs_are_named_with_the_fix(call, pattern):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (failed fits' warnings in the CV)
        error = _raises(call, pattern)
    assert len(str(error)) < 800


def test_loading_a_zip_that_is_not_a_skops_file_says_so(tmp_path):
    import zipfile

    from sklearn_mlpreg import io
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.csv", "a,b\n1,2\n")
    _raises(lambda: io.load(path), "zip archive but not a skops file.*schema.json")


@pytest.mark.parametrize("search", ["grid", "halving"])
def test_a_batched_search_names_mixed_labels_and_bad_splits(search):
    """The searches check the labels before the splitter sorts them, and the
    splits before indexing (as the CV estimators do)."""
    from sklearn_mlpreg.model_selection import (
        BatchedGridSearchCV,
        BatchedHalvingGridSearchCV,
    )

    Search = BatchedGridSearchCV if search == "grid" else BatchedHalvingGridSearchCV
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3)
    mixed = np.array([1, "a"] * 20, dtype=object)
    with pytest.raises(ValueError, match="mix types that cannot be ordered"):
        Search(MLPClassifier(max_iter=5), {"alpha": [1e-3, 1.0]}, cv=2).fit(X, mixed)
    outside = [(np.arange(10), np.arange(100, 110))]
    with pytest.raises(ValueError, match="cv's split 0 has test row index 109"):
        Search(MLPRegressor(max_iter=5), {"alpha": [1e-3, 1.0]}, cv=outside).fit(
            X, X[:, 0])


def test_nan_in_a_searchs_x_names_x_and_the_fix():
    """As the estimators say it (the battery found 'Input contains NaN.')."""
    from sklearn_mlpreg.model_selection import BatchedGridSearchCV

    X = np.random.RandomState(0).randn(30, 3)
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="(?s)Input X contains NaN.*imputer"):
        BatchedGridSearchCV(MLPRegressor(max_iter=5), {"alpha": [1e-3, 1.0]}, cv=3).fit(
            X, X[:, 1])
