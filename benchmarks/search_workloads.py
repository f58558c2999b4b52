"""Hyperparameter searches: BatchedGridSearchCV against GridSearchCV, side by side.

Three workloads, the same folds and settings for every run:

* ``bbs_grid``: the gait table (BBS) through ``Pipeline(SimpleImputer,
  StandardScaler, MLP)``, 7 alphas x dropout (0, 0.2) x learning_rate_init
  (1e-3, 5e-3), 5-fold (140 fits), hidden (30, 15), 500 full-batch Adam
  epochs. scikit-learn's MLP has no dropout: its grid replaces that axis by
  ``beta_1`` in (0.9, 0.8), so that it also trains 140 networks of the same
  size for the same epochs;
* ``ordinary_sizes``: 400 x 10 rows, hidden_layer_sizes in ((50,), (100,)) x 7
  alphas, 5-fold (70 fits), batches of 200, 200 epochs;
* ``nested_bbs``: nested cross-validation on BBS, outer leave-one-out (23
  outer fits), inner 5-fold over 7 alphas, the pipeline above without
  dropout: ``cross_val_score(search, X, y, cv=LeaveOneOut())``.

and the halving and pipeline workloads of scikit-learn's diabetes data (442
rows, 10 features; ``StandardScaler`` then the MLP, a standardized target):

* ``diabetes_grid``: alpha in (0.01, 1, 100) x dropout (0, 0.2) x
  hidden_layer_sizes ((20,), (40, 20)), ``KFold(4)``, 60 epochs, batches of 200
  (scikit-learn's MLP: ``beta_1`` in (0.9, 0.8) for dropout, as above);
* ``halving_epochs``: 36 candidates (6 alphas x 3 learning rates x 2 sizes),
  factor 3, ``resource="max_iter"`` from 3 to 81 epochs, ``KFold(4)``:
  ``BatchedHalvingGridSearchCV`` (survivors continue) against
  ``HalvingGridSearchCV`` over scikit-learn's MLP and over this library's
  (survivors retrain), beside ``BatchedGridSearchCV`` of every candidate at 81
  epochs;
* ``halving_samples``: the same grid, ``resource="n_samples"``, 40 epochs.

Runs: ``BatchedGridSearchCV`` of this library's MLP (``n_jobs=1`` and 2),
``GridSearchCV`` of this library's MLP (one network at a time) and
``GridSearchCV`` of scikit-learn's MLP (``n_jobs=1``); the repeats are
interleaved in one process. Every fit runs all its epochs (``tol=0``).

    python benchmarks/search_workloads.py [--quick] [--repeats N] [--workloads ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # python benchmarks/search_workloads.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"

import numpy as np  # noqa: E402
from sklearn import neural_network  # noqa: E402
from sklearn.datasets import load_diabetes  # noqa: E402
from sklearn.experimental import enable_halving_search_cv  # noqa: E402, F401
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    HalvingGridSearchCV,
    KFold,
    LeaveOneOut,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklearn_mlpreg import MLPRegressor  # noqa: E402
from sklearn_mlpreg.datasets import load_gait  # noqa: E402
from sklearn_mlpreg.model_selection import (  # noqa: E402
    BatchedGridSearchCV,
    BatchedHalvingGridSearchCV,
)

from .cv_workloads import synthetic_data  # noqa: E402
from .workloads import spread  # noqa: E402

ALPHAS = list(10.0 ** np.arange(-3, 4))
FOLDS = KFold(5, shuffle=True, random_state=0)
SCORING = "neg_mean_squared_error"


def bbs_data():
    """The gait table's features (two cells missing) and BBS, standardized."""
    X, y = load_gait(target="BBS", return_X_y=True)
    return X, (y - y.mean()) / y.std()


def _settings(epochs: int, **extra) -> dict:
    # tol=0 and a patience above max_iter: every fit runs all its epochs
    return dict(solver="adam", max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1,
                random_state=0, **extra)


def _pipe(mlp):
    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), mlp)


@dataclass
class SearchWorkload:
    """One search: data, the estimators and grids of each library, nesting."""

    name: str
    description: str
    data: object  # () -> (X, y)
    epochs: int
    quick_epochs: int
    nested: bool = False

    def estimators(self, epochs: int, library: str):
        """(estimator, grid) of ``library`` ("ours" or "sklearn")."""
        mlp = MLPRegressor if library == "ours" else neural_network.MLPRegressor
        if self.name == "ordinary_sizes":
            return (mlp(**_settings(epochs, batch_size=200)),
                    {"hidden_layer_sizes": [(50,), (100,)], "alpha": ALPHAS})
        step = _pipe(mlp(**_settings(epochs, hidden_layer_sizes=(30, 15))))
        grid = {"mlpregressor__alpha": ALPHAS}
        if not self.nested:
            grid["mlpregressor__learning_rate_init"] = [1e-3, 5e-3]
            if library == "ours":
                grid["mlpregressor__dropout"] = [0.0, 0.2]
            else:  # the same number of networks of the same size and epochs
                grid["mlpregressor__beta_1"] = [0.9, 0.8]
        return step, grid


WORKLOADS = {
    "bbs_grid": SearchWorkload(
        "bbs_grid", "BBS, Pipeline(imputer, scaler, MLP (30, 15)), 7 alphas x dropout "
        "(0, 0.2) x learning_rate_init (1e-3, 5e-3), 5-fold (140 fits), full-batch Adam",
        bbs_data, 500, 60),
    "ordinary_sizes": SearchWorkload(
        "ordinary_sizes", "400 x 10, hidden_layer_sizes (50,) or (100,) x 7 alphas, "
        "5-fold (70 fits), batches of 200", lambda: synthetic_data(400, 10), 200, 30),
    "nested_bbs": SearchWorkload(
        "nested_bbs", "BBS, nested: outer leave-one-out (23), inner 5-fold x 7 alphas "
        "(805 inner fits and 23 refits), Pipeline(imputer, scaler, MLP (30, 15))",
        bbs_data, 500, 40, nested=True),
}


def diabetes_data():
    """scikit-learn's diabetes data, the target standardized."""
    X, y = load_diabetes(return_X_y=True)
    return X, (y - y.mean()) / y.std()


DIABETES_FOLDS = KFold(4, shuffle=True, random_state=0)


def diabetes_grid(epochs: int, library: str):
    """The issue's pipeline grid on diabetes: (estimator, grid) of ``library``."""
    mlp = MLPRegressor if library == "ours" else neural_network.MLPRegressor
    step = make_pipeline(StandardScaler(), mlp(**_settings(epochs, batch_size=200)))
    grid = {"mlpregressor__alpha": [0.01, 1.0, 100.0],
            "mlpregressor__hidden_layer_sizes": [(20,), (40, 20)]}
    grid["mlpregressor__dropout" if library == "ours" else "mlpregressor__beta_1"] = (
        [0.0, 0.2] if library == "ours" else [0.9, 0.8])
    return step, grid


def halving_grid(library: str, epochs: int):
    """The 36-candidate halving grid: (estimator, grid) of ``library``."""
    mlp = MLPRegressor if library == "ours" else neural_network.MLPRegressor
    step = make_pipeline(StandardScaler(), mlp(**_settings(epochs, batch_size=200)))
    grid = {"mlpregressor__alpha": [1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0],
            "mlpregressor__learning_rate_init": [1e-3, 3e-3, 1e-2],
            "mlpregressor__hidden_layer_sizes": [(20,), (40, 20)]}
    return step, grid


def time_halving(resource: str, quick: bool, search: str, library: str):
    """Seconds of one halving (or full-budget grid) search and its scores."""
    X, y = diabetes_data()
    top = 27 if quick else 81
    epochs = 20 if quick else 40
    if resource == "max_iter":
        estimator, grid = halving_grid(library, top)
        budget = dict(resource="mlpregressor__max_iter", min_resources=3,
                      max_resources=top)
    else:
        estimator, grid = halving_grid(library, epochs)
        budget = {}
    if search == "grid":  # every candidate at the full budget
        chosen = BatchedGridSearchCV(estimator, grid, cv=DIABETES_FOLDS, scoring=SCORING)
    else:
        kind = BatchedHalvingGridSearchCV if search == "batched" else HalvingGridSearchCV
        chosen = kind(estimator, grid, cv=DIABETES_FOLDS, scoring=SCORING, factor=3,
                      random_state=0, **budget)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chosen.fit(X, y)
    return time.perf_counter() - start, np.asarray(chosen.cv_results_["mean_test_score"])


HALVING_RUNS = {  # name: (search, library)
    "batched_halving": ("batched", "ours"), "halving_ours": ("sklearn", "ours"),
    "halving_sklearn": ("sklearn", "sklearn"), "batched_grid": ("grid", "ours"),
}


def run_halving(resource: str, quick: bool = False, repeats: int = 3) -> dict:
    """Interleaved repeats of the halving runs on one resource; medians and ratios."""
    times: dict = {key: [] for key in HALVING_RUNS}
    scores = {}
    for _ in range(repeats):
        for key, (search, library) in HALVING_RUNS.items():
            seconds, scores[key] = time_halving(resource, quick, search, library)
            times[key].append(seconds)
    summary = spread(times)
    median = summary["seconds"]
    return {
        "workload": f"halving_{'epochs' if resource == 'max_iter' else 'samples'}",
        **summary,
        "ratio_vs_sklearn": median["halving_sklearn"] / median["batched_halving"],
        "ratio_vs_halving_ours": median["halving_ours"] / median["batched_halving"],
        "ratio_vs_batched_grid": median["batched_grid"] / median["batched_halving"],
        # the batched halving search must equal HalvingGridSearchCV of the same MLP
        "max_score_difference": float(np.nanmax(np.abs(scores["batched_halving"]
                                                        - scores["halving_ours"]))),
    }


def run_diabetes_grid(quick: bool = False, repeats: int = 3) -> dict:
    """BatchedGridSearchCV against GridSearchCV over scikit-learn's MLP on the
    diabetes pipeline grid (both ``n_jobs=1``)."""
    X, y = diabetes_data()
    epochs = 20 if quick else 60
    times: dict = {"batched": [], "sklearn": []}
    for _ in range(repeats):
        for key, library, kind in (("batched", "ours", BatchedGridSearchCV),
                                   ("sklearn", "sklearn", GridSearchCV)):
            estimator, grid = diabetes_grid(epochs, library)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                kind(estimator, grid, cv=DIABETES_FOLDS, scoring=SCORING).fit(X, y)
            times[key].append(time.perf_counter() - start)
    summary = spread(times)
    return {"workload": "diabetes_grid", **summary,
            "ratio_vs_sklearn": summary["seconds"]["sklearn"] / summary["seconds"]["batched"]}


def time_run(workload: SearchWorkload, X, y, epochs: int, library: str, batched: bool,
             n_jobs: int):
    """Seconds of one search (or nested cross-validation) and its result."""
    estimator, grid = workload.estimators(epochs, library)
    search_class = BatchedGridSearchCV if batched else GridSearchCV
    search = search_class(estimator, grid, cv=FOLDS, scoring=SCORING, n_jobs=n_jobs)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if workload.nested:
            result = cross_val_score(search, X, y, cv=LeaveOneOut(), scoring=SCORING)
        else:
            result = search.fit(X, y).cv_results_["mean_test_score"]
    return time.perf_counter() - start, np.asarray(result)


RUNS = {  # name: (library, batched, n_jobs)
    "batched_1": ("ours", True, 1), "batched_2": ("ours", True, 2),
    "ours_grid_search": ("ours", False, 1), "sklearn_grid_search": ("sklearn", False, 1),
}


def run_workload(workload: SearchWorkload, quick: bool, repeats: int) -> dict:
    """Interleaved repeats of every run; medians, min, max, ratios."""
    X, y = workload.data()
    epochs = workload.quick_epochs if quick else workload.epochs
    times: dict = {key: [] for key in RUNS}
    results = {}
    for _ in range(repeats):
        for key, (library, batched, n_jobs) in RUNS.items():
            seconds, results[key] = time_run(workload, X, y, epochs, library, batched,
                                             n_jobs)
            times[key].append(seconds)
    summary = spread(times)
    median = summary["seconds"]
    return {
        "workload": workload.name,
        "description": f"{workload.description}, {epochs} epochs",
        **summary,
        "ratio_vs_sklearn": median["sklearn_grid_search"] / median["batched_1"],
        "ratio_vs_sklearn_n_jobs_2": median["sklearn_grid_search"] / median["batched_2"],
        "ratio_vs_our_grid_search": median["ours_grid_search"] / median["batched_1"],
        # the batched search must equal GridSearchCV of the same estimator
        "max_score_difference": float(np.max(np.abs(results["batched_1"]
                                                     - results["ours_grid_search"]))),
    }


def run(quick: bool = False, repeats: int = 3, names=None) -> list[dict]:
    """Every search workload (or ``names``); see :func:`run_workload`."""
    results = []
    for name in names or WORKLOADS:
        result = run_workload(WORKLOADS[name], quick, repeats)
        s = result["seconds"]
        print(f"  {name}: batched {s['batched_1']:.2f} s ({s['batched_2']:.2f} s with "
              f"n_jobs=2), GridSearchCV of ours {s['ours_grid_search']:.2f} s, of "
              f"scikit-learn's {s['sklearn_grid_search']:.2f} s: "
              f"{result['ratio_vs_sklearn']:.1f}x", flush=True)
        results.append(result)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer epochs")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workloads", nargs="+", choices=list(WORKLOADS))
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--halving", action="store_true",
                        help="run the diabetes grid and the halving workloads instead")
    args = parser.parse_args(argv)
    if args.halving:
        results = [run_diabetes_grid(args.quick, args.repeats)] + [
            run_halving(resource, args.quick, args.repeats)
            for resource in ("max_iter", "n_samples")]
        for result in results:
            print(json.dumps(result))
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2))
        return
    results = run(args.quick, args.repeats, args.workloads)
    for result in results:
        print(f"{result['description']}: same scores as GridSearchCV to "
              f"{result['max_score_difference']:.1e}; seconds (median [min, max]): "
              + ", ".join(f"{k} {v:.2f} [{result['min'][k]:.2f}, {result['max'][k]:.2f}]"
                          for k, v in result["seconds"].items()))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
