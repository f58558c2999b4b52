"""Every public name has a numpydoc docstring whose parameters match its signature."""

import dataclasses
import importlib
import inspect

import pytest

numpydoc = pytest.importorskip("numpydoc.docscrape")

PUBLIC_MODULES = [
    "sklearn_mlpreg", "sklearn_mlpreg.callbacks", "sklearn_mlpreg.io",
    "sklearn_mlpreg.datasets", "sklearn_mlpreg.studies", "sklearn_mlpreg.plotting",
    "sklearn_mlpreg.examples", "sklearn_mlpreg.model_selection",
]


def public_names():
    """(qualified name, object) for every public function, class and method."""
    seen = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None) or [
            name for name, value in vars(module).items()
            if not name.startswith("_") and getattr(value, "__module__", None)
            == module_name and (inspect.isfunction(value) or inspect.isclass(value))]
        for name in names:
            value = getattr(module, name)
            if not (inspect.isfunction(value) or inspect.isclass(value)):
                continue  # constants such as __version__ or TRUSTED_TYPES
            seen[f"{module_name}.{name}"] = value
            if inspect.isclass(value):  # its public methods, inherited ones included
                for method_name, method in inspect.getmembers(value, inspect.isroutine):
                    if (not method_name.startswith("_")
                            and (getattr(method, "__module__", None) or "").startswith(
                                "sklearn_mlpreg")):
                        seen[f"{module_name}.{name}.{method_name}"] = method
    return sorted(seen.items())


def documented_parameters(doc):
    names = []
    for parameter in doc["Parameters"]:
        names += [part.strip() for part in parameter.name.split(",")]
    return names


def signature_parameters(obj):
    target = obj.__init__ if inspect.isclass(obj) else obj
    target = inspect.unwrap(target)
    names = []
    for parameter in inspect.signature(target).parameters.values():
        if parameter.name in ("self", "cls"):
            continue
        prefix = {inspect.Parameter.VAR_POSITIONAL: "*",
                  inspect.Parameter.VAR_KEYWORD: "**"}.get(parameter.kind, "")
        names.append(prefix + parameter.name)
    return names


NAMES = public_names()


def test_the_public_api_is_covered():
    names = dict(NAMES)
    for expected in ("sklearn_mlpreg.MLPRegressor", "sklearn_mlpreg.MLPRegressor.fit",
                     "sklearn_mlpreg.MLPClassifierCV.predict_proba",
                     "sklearn_mlpreg.io.load", "sklearn_mlpreg.datasets.load_gait",
                     "sklearn_mlpreg.callbacks.ProgressBar",
                     "sklearn_mlpreg.studies.run_gait_study"):
        assert expected in names
    assert len(NAMES) > 40


@pytest.mark.parametrize("name, obj", NAMES, ids=[name for name, _ in NAMES])
def test_docstring_parameters_match_the_signature(name, obj):
    assert inspect.getdoc(obj), f"{name} has no docstring"
    doc = (numpydoc.ClassDoc if inspect.isclass(obj) else numpydoc.FunctionDoc)(obj)
    assert doc["Summary"], f"{name}: the docstring has no summary line"
    if inspect.isclass(obj) and issubclass(obj, Exception):
        return  # raised by the library, never constructed by users
    if dataclasses.is_dataclass(obj):  # result records: the fields are attributes
        documented = [part.strip() for attribute in doc["Attributes"]
                      for part in attribute.name.split(",")]
        assert documented == [f.name for f in dataclasses.fields(obj)], (
            f"{name}: the docstring's Attributes section differs from the fields")
        return
    assert documented_parameters(doc) == signature_parameters(obj), (
        f"{name}: the docstring's Parameters section differs from the signature")


def fitted_public_attributes(estimator, X, y):
    """The public fitted attributes (ending in ``_``) of ``estimator`` after fit."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(X, y)
    return {name for name in vars(estimator)
            if name.endswith("_") and not name.startswith("_")}


def estimators_and_data():
    import numpy as np
    import pandas as pd

    from sklearn_mlpreg import MLPClassifier, MLPClassifierCV, MLPRegressor, MLPRegressorCV

    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(30, 3)), columns=["a", "b", "c"])  # feature names
    y_reg, y_clf = X["a"].to_numpy(), (X["a"] > 0).astype(int).to_numpy()
    fast = dict(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    return [(MLPRegressor(**fast), X, y_reg), (MLPClassifier(**fast), X, y_clf),
            (MLPRegressorCV(alphas=[0.1, 1.0], cv=2, **fast), X, y_reg),
            (MLPClassifierCV(alphas=[0.1, 1.0], cv=2, **fast), X, y_clf)]


@pytest.mark.parametrize("estimator, X, y", estimators_and_data(),
                         ids=lambda v: type(v).__name__)
def test_documented_attributes_are_exactly_the_fitted_ones(estimator, X, y):
    """Both ways: nothing documented that a fitted instance lacks, nothing set
    that is undocumented; and the Parameters section is the signature."""
    doc = numpydoc.ClassDoc(type(estimator))
    documented = {part.strip() for attribute in doc["Attributes"]
                  for part in attribute.name.split(",")}
    fitted = fitted_public_attributes(estimator, X, y)
    assert documented - fitted == set(), "documented but not set by fit"
    assert fitted - documented == set(), "set by fit but not documented"
    assert documented_parameters(doc) == signature_parameters(type(estimator))
    assert len(documented) == len(doc["Attributes"]), "an attribute documented twice"


@pytest.mark.parametrize("name", ["MLPRegressorCV", "MLPClassifierCV"])
def test_cv_estimator_docstrings_are_written_in_the_class(name):
    """Their docstrings and ``__init__`` are the class source's, as scikit-learn
    writes them: nothing assembled or patched in after the class statement."""
    import ast

    import sklearn_mlpreg

    cls = getattr(sklearn_mlpreg, name)
    tree = ast.parse(inspect.getsource(cls))
    (node,) = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    assert ast.get_docstring(node) == inspect.cleandoc(cls.__doc__)
    assert node.decorator_list == []
    assert "__init__" in [n.name for n in node.body if isinstance(n, ast.FunctionDef)]
    assert not hasattr(cls.__init__, "__signature__")
