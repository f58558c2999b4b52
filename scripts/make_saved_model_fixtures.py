"""Save the fitted models of one release as test fixtures (pickle and skops).

Run it with the release to record on the import path, for example from a
checkout of that release::

    cd /path/to/checkout-of-release && \
        python /path/to/make_saved_model_fixtures.py OUT_DIR --label 0.1.0-87b0a9d

It fits a regressor, a classifier with dropout, a CV estimator, a seed
ensemble, a batched search and a pipeline (each only if that release has it)
on small fixed data, and writes for each ``NAME.pkl``, ``NAME.skops`` and the
predictions it made into ``predictions.npz`` (for the regressor and the
classifier also the predictions after one more ``partial_fit`` and after a
warm start), with ``manifest.json`` naming
the release, its commit and the versions of numpy and scikit-learn. Its
output goes under ``tests/saved_models/``, where ``tests/test_saved_models.py``
loads every file with today's library and compares its predictions to the
saved ones.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import pickle
import subprocess
import warnings

import numpy as np

#: The models whose continued training (one ``partial_fit``, a warm start of
#: five epochs) is recorded too.
CONTINUED = ("regressor", "classifier_dropout")


def data():
    """The fixed training and query data of every fixture."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(48, 4))
    y_reg = X @ np.array([1.0, -0.5, 0.25, 0.0]) + 0.1 * rng.normal(size=48)
    y_clf = np.digitize(X[:, 0] + 0.5 * X[:, 1], [-0.5, 0.5])  # three classes
    X_query = rng.normal(size=(10, 4))
    return X, y_reg, y_clf, X_query


def models():
    """(name, estimator, task) of every model this release can build."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import sklearn_mlpreg as lib

    small = dict(hidden_layer_sizes=(8,), max_iter=40, random_state=0,
                 learning_rate_init=0.01)
    out = [
        ("regressor", lib.MLPRegressor(**small), "reg"),
        ("classifier_dropout", lib.MLPClassifier(dropout=0.2, **small), "clf"),
        ("regressor_cv", lib.MLPRegressorCV(alphas=[0.01, 1.0], cv=3, **small), "reg"),
        ("pipeline", make_pipeline(StandardScaler(), lib.MLPRegressor(**small)), "reg"),
    ]
    if hasattr(lib, "MLPEnsembleRegressor"):
        out.append(("ensemble", lib.MLPEnsembleRegressor(
            lib.MLPRegressor(**small), n_members=3), "reg"))
    try:
        from sklearn_mlpreg.model_selection import BatchedGridSearchCV
    except ImportError:
        pass
    else:
        out.append(("batched_search", BatchedGridSearchCV(
            lib.MLPRegressor(**small), {"alpha": [0.01, 1.0]}, cv=3), "reg"))
    return out


def _outputs(model, X):
    """The network's outputs: a classifier's probabilities, a regressor's values."""
    return (model.predict_proba if hasattr(model, "predict_proba") else model.predict)(X)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--label", required=True, help="e.g. 0.1.0-87b0a9d")
    args = parser.parse_args(argv)
    import sklearn
    import skops.io

    import sklearn_mlpreg

    out = args.out / args.label
    out.mkdir(parents=True, exist_ok=True)
    X, y_reg, y_clf, X_query = data()
    predictions = {"X_query": X_query}
    names = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, model, task in models():
            model.fit(X, y_reg if task == "reg" else y_clf)
            predictions[f"{name}.predict"] = model.predict(X_query)
            if hasattr(model, "predict_proba"):
                predictions[f"{name}.predict_proba"] = model.predict_proba(X_query)
            (out / f"{name}.pkl").write_bytes(pickle.dumps(model))
            skops.io.dump(model, out / f"{name}.skops")
            names.append(name)
            if name in CONTINUED:  # how a loaded copy goes on training
                y = y_reg if task == "reg" else y_clf
                again = pickle.loads(pickle.dumps(model)).partial_fit(X, y)
                predictions[f"{name}.partial_fit"] = _outputs(again, X_query)
                again = pickle.loads(pickle.dumps(model))
                again.set_params(warm_start=True, max_iter=5).fit(X, y)
                predictions[f"{name}.warm_start"] = _outputs(again, X_query)
    np.savez(out / "predictions.npz", **predictions)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=pathlib.Path(sklearn_mlpreg.__file__).parent
                            ).stdout.strip()
    manifest = {"version": getattr(sklearn_mlpreg, "__version__", "0.1.0"),
                "commit": commit, "models": names, "numpy": np.__version__,
                "scikit-learn": sklearn.__version__, "skops": skops.__version__}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {len(names)} models to {out}")


if __name__ == "__main__":
    main()
