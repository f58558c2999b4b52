"""Accuracy on scikit-learn's bundled data sets: what each model scores, and its cost.

Six data sets (diabetes, linnerud for multi-output regression; breast_cancer,
wine, iris, digits for classification), 5-fold cross-validation (stratified
for classifiers, shuffled, random_state=0), the same preprocessing for every
model (standardized features; standardized targets for regressors):

* this library's MLP with its defaults; its CV estimator (lambda over the
  default 7 alphas, inner 5-fold), refit on all rows (the default) or
  predicting with the chosen alpha's fold networks (``refit=False``); a
  10-member seed ensemble of the default
  MLP; the default MLP with ``learning_rate="cosine"``;
* scikit-learn's MLP with its defaults;
* ``HistGradientBoosting*`` (per target for linnerud) and ``RidgeCV`` /
  ``LogisticRegressionCV``.

Scores: R^2 for regressors; accuracy and log loss for classifiers (mean over
the folds); seconds of ``fit`` summed over the folds.

    python benchmarks/accuracy.py [--datasets iris wine ...] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

if __package__ in (None, ""):  # python benchmarks/accuracy.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"

import numpy as np  # noqa: E402
from sklearn import datasets, neural_network  # noqa: E402
from sklearn.compose import TransformedTargetRegressor  # noqa: E402
from sklearn.ensemble import (  # noqa: E402
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.linear_model import LogisticRegressionCV, RidgeCV  # noqa: E402
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate  # noqa: E402
from sklearn.multioutput import MultiOutputRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklearn_mlpreg import (  # noqa: E402
    MLPClassifier,
    MLPClassifierCV,
    MLPEnsembleClassifier,
    MLPEnsembleRegressor,
    MLPRegressor,
    MLPRegressorCV,
)

DATASETS = {
    "diabetes": (datasets.load_diabetes, "regression"),
    "linnerud": (datasets.load_linnerud, "regression"),
    "breast_cancer": (datasets.load_breast_cancer, "classification"),
    "wine": (datasets.load_wine, "classification"),
    "iris": (datasets.load_iris, "classification"),
    "digits": (datasets.load_digits, "classification"),
}


def regressors(n_outputs: int) -> dict:
    """The compared regressors (before the shared preprocessing)."""
    boosting = HistGradientBoostingRegressor(random_state=0)
    return {
        "sklearn_mlpreg MLP": MLPRegressor(random_state=0),
        "sklearn_mlpreg MLPRegressorCV": MLPRegressorCV(random_state=0),
        "sklearn_mlpreg MLPRegressorCV, fold average": MLPRegressorCV(refit=False,
                                                                     random_state=0),
        "sklearn_mlpreg 10-seed ensemble": MLPEnsembleRegressor(MLPRegressor(),
                                                                random_state=0),
        "sklearn_mlpreg MLP, cosine": MLPRegressor(learning_rate="cosine", random_state=0),
        "scikit-learn MLP": neural_network.MLPRegressor(random_state=0),
        "HistGradientBoosting": boosting if n_outputs == 1 else MultiOutputRegressor(
            boosting),
        "RidgeCV": RidgeCV(alphas=np.logspace(-3, 3, 13)),
    }


def classifiers() -> dict:
    """The compared classifiers (before the shared preprocessing)."""
    return {
        "sklearn_mlpreg MLP": MLPClassifier(random_state=0),
        "sklearn_mlpreg MLPClassifierCV": MLPClassifierCV(random_state=0),
        "sklearn_mlpreg MLPClassifierCV, fold average": MLPClassifierCV(refit=False,
                                                                       random_state=0),
        "sklearn_mlpreg 10-seed ensemble": MLPEnsembleClassifier(MLPClassifier(),
                                                                 random_state=0),
        "sklearn_mlpreg MLP, cosine": MLPClassifier(learning_rate="cosine",
                                                    random_state=0),
        "scikit-learn MLP": neural_network.MLPClassifier(random_state=0),
        "HistGradientBoosting": HistGradientBoostingClassifier(random_state=0),
        "LogisticRegressionCV": LogisticRegressionCV(max_iter=2000),
    }


def preprocessed(model, task: str):
    """The shared preprocessing: standardized features (and target)."""
    pipe = make_pipeline(StandardScaler(), model)
    if task == "regression":
        return TransformedTargetRegressor(pipe, transformer=StandardScaler())
    return pipe


def evaluate(name: str) -> list[dict]:
    """Every model on one data set: mean scores over 5 folds and the fit seconds."""
    loader, task = DATASETS[name]
    X, y = loader(return_X_y=True)
    if task == "regression":
        cv, scoring = KFold(5, shuffle=True, random_state=0), {"r2": "r2"}
        models = regressors(1 if y.ndim == 1 else y.shape[1])
    else:
        cv = StratifiedKFold(5, shuffle=True, random_state=0)
        scoring = {"accuracy": "accuracy", "log_loss": "neg_log_loss"}
        models = classifiers()
    rows = []
    for model_name, model in models.items():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = cross_validate(preprocessed(model, task), X, y, cv=cv,
                                    scoring=scoring)
        row = {"dataset": name, "model": model_name,
               "fit_seconds": float(np.sum(result["fit_time"])),
               "seconds": time.perf_counter() - start}
        for key in scoring:
            values = result[f"test_{key}"]
            row[key] = float(-values.mean() if key == "log_loss" else values.mean())
        rows.append(row)
        print(f"  {name:14s} {model_name:34s} " + "  ".join(
            f"{k} {row[k]:.3f}" for k in scoring) + f"  fit {row['fit_seconds']:.1f} s",
            flush=True)
    return rows


def markdown(rows: list[dict]) -> str:
    """The results as a markdown table (one row per data set and model)."""
    lines = ["| data set | model | R^2 | accuracy | log loss | fit seconds (5 folds) |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        cells = [f"{r[k]:.3f}" if k in r else "" for k in ("r2", "accuracy", "log_loss")]
        lines.append(f"| {r['dataset']} | {r['model']} | " + " | ".join(cells)
                     + f" | {r['fit_seconds']:.1f} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS),
                        default=list(DATASETS))
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args(argv)
    rows = [row for name in args.datasets for row in evaluate(name)]
    print(markdown(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
