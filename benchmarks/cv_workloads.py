"""Choosing lambda by cross-validation: the batched CV estimators against GridSearchCV.

Three workloads, each 7 alphas x k folds, the same folds and settings for both
libraries:

* ``gait``: the lecture's selection on the gait table (BBS, imputed and
  standardized), 7 alphas x leave-one-out (161 fits), hidden (30, 15), 500
  full-batch Adam epochs;
* ``ordinary``: 400 x 10 rows, the default network (100,), batches of 200,
  200 epochs, 5-fold (35 fits): the data sets people ordinarily tune MLPs on;
* ``medium``: 2000 x 20 rows, (100,), batches of 200, 100 epochs, 5-fold.

``MLPRegressorCV`` runs with ``n_jobs=1`` and ``n_jobs=2`` (and with ``n_jobs=1`` on
the numpy reference engine), and so does
``GridSearchCV(sklearn.neural_network.MLPRegressor)``; the repeats are
interleaved in one process. GFLOP/s count the arithmetic both libraries must
do (every (alpha, fold) network on its own training rows, forward, weight
gradients and back-propagated deltas), whatever either does on top.

    python benchmarks/cv_workloads.py [--quick] [--repeats N] [--workloads gait ...]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # python benchmarks/cv_workloads.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"

import numpy as np  # noqa: E402
from sklearn import neural_network  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, LeaveOneOut  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklearn_mlpreg import MLPRegressorCV  # noqa: E402
from sklearn_mlpreg.datasets import load_gait  # noqa: E402

from .workloads import engine_selected, spread  # noqa: E402

ALPHAS = 10.0 ** np.arange(-3, 4)


def gait_data():
    """The gait table (target BBS), median-imputed and standardized."""
    X, y = load_gait(target="BBS", return_X_y=True)
    X = StandardScaler().fit_transform(SimpleImputer(strategy="median").fit_transform(X))
    return X, (y - y.mean()) / y.std()


def synthetic_data(n_samples: int, n_features: int):
    """The suite's regression problem (see workloads.py), at this size."""
    rng = np.random.RandomState(0)
    X = rng.standard_normal((n_samples, n_features))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.standard_normal(n_samples)
    return X, y


@dataclass
class CVWorkload:
    """One lambda search: data, network, training and folds."""

    name: str
    description: str
    data: object  # () -> (X, y)
    hidden: tuple
    batch_size: object
    epochs: int
    quick_epochs: int
    cv: object
    alphas: np.ndarray = field(default_factory=lambda: ALPHAS)

    def settings(self, epochs: int) -> dict:
        # tol=0 and a patience above max_iter: every fit runs all its epochs
        return dict(hidden_layer_sizes=self.hidden, solver="adam",
                    batch_size=self.batch_size, max_iter=epochs, tol=0.0,
                    n_iter_no_change=epochs + 1, random_state=0)

    def flops(self, X, epochs: int) -> float:
        """Arithmetic of every (alpha, fold) network: 6 x rows x weights per epoch."""
        units = [X.shape[1], *self.hidden, 1]
        weights = sum(a * b for a, b in zip(units[:-1], units[1:]))
        rows = sum(len(train) for train, _ in self.cv.split(X))
        return 6.0 * rows * weights * epochs * len(self.alphas)


CV_WORKLOADS = {
    "gait": CVWorkload("gait", "gait table (BBS): 7 alphas x leave-one-out (161 fits), "
                       "23 x 19, (30, 15), full-batch Adam", gait_data, (30, 15), "auto",
                       500, 100, LeaveOneOut()),
    "ordinary": CVWorkload("ordinary", "400 x 10, (100,), batches of 200, 7 alphas x "
                           "5-fold (35 fits)", lambda: synthetic_data(400, 10), (100,),
                           200, 200, 40, KFold(5, shuffle=True, random_state=0)),
    "medium": CVWorkload("medium", "2000 x 20, (100,), batches of 200, 7 alphas x 5-fold "
                         "(35 fits)", lambda: synthetic_data(2000, 20), (100,), 200, 100,
                         10, KFold(5, shuffle=True, random_state=0)),
}


def time_ours(workload: CVWorkload, X, y, epochs: int, n_jobs: int, engine: str = ""):
    start = time.perf_counter()
    with warnings.catch_warnings(), engine_selected(engine):
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPRegressorCV(alphas=workload.alphas, cv=workload.cv, n_jobs=n_jobs,
                               scoring="neg_mean_squared_error",
                               **workload.settings(epochs)).fit(X, y)
    return time.perf_counter() - start, model


def time_sklearn(workload: CVWorkload, X, y, epochs: int, n_jobs: int):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(neural_network.MLPRegressor(**workload.settings(epochs)),
                              {"alpha": workload.alphas}, cv=workload.cv, n_jobs=n_jobs,
                              scoring="neg_mean_squared_error").fit(X, y)
    return time.perf_counter() - start, search


def run_workload(workload: CVWorkload, quick: bool, repeats: int, peak: float) -> dict:
    """Interleaved repeats of the four runs; medians, ratios, GFLOP/s."""
    X, y = workload.data()
    epochs = workload.quick_epochs if quick else workload.epochs
    runs = {"ours_1": (time_ours, 1), "ours_2": (time_ours, 2),
            "ours_1_numpy": (lambda *a: time_ours(*a, engine="numpy"), 1),
            "sklearn_1": (time_sklearn, 1), "sklearn_2": (time_sklearn, 2)}
    times = {key: [] for key in runs}
    fitted = {}
    for _ in range(repeats):
        for key, (run, n_jobs) in runs.items():
            seconds, fitted[key] = run(workload, X, y, epochs, n_jobs)
            times[key].append(seconds)
    summary = spread(times)
    median = summary["seconds"]
    flops = workload.flops(X, epochs)
    difference = np.abs(fitted["ours_1"].cv_results_["mean_test_score"]
                        - fitted["sklearn_1"].cv_results_["mean_test_score"]).max()
    return {
        "workload": workload.name, "description": f"{workload.description}, {epochs} "
                                                  "epochs",
        **summary,
        "ratio_vs_sklearn_n_jobs_1": median["sklearn_1"] / median["ours_1"],
        "ratio_vs_sklearn_n_jobs_2": median["sklearn_2"] / median["ours_1"],
        "ratio_both_n_jobs_2": median["sklearn_2"] / median["ours_2"],
        "gflops": {k: flops / v / 1e9 for k, v in median.items()},
        "peak_share": {k: flops / v / 1e9 / peak for k, v in median.items()},
        "max_score_difference": float(difference),
    }


def run(quick: bool = False, repeats: int = 3, names=None, peak: float | None = None
        ) -> list[dict]:
    """Every CV workload (or ``names``); see :func:`run_workload`."""
    if peak is None:
        from .environment import gemm_peak

        peak = gemm_peak(np.float64)
    results = []
    for name in names or CV_WORKLOADS:
        result = run_workload(CV_WORKLOADS[name], quick, repeats, peak)
        s = result["seconds"]
        print(f"  {name}: ours {s['ours_1']:.2f} s / {s['ours_2']:.2f} s, scikit-learn "
              f"{s['sklearn_1']:.2f} s / {s['sklearn_2']:.2f} s (n_jobs=1 / 2): "
              f"{result['ratio_vs_sklearn_n_jobs_1']:.1f}x", flush=True)
        results.append(result)
    return results


def run_on_device(device: str, quick: bool = False, repeats: int = 3, names=None
                  ) -> list[dict]:
    """``MLPRegressorCV`` (n_jobs=1) on numpy arrays and on torch tensors on
    ``device``, interleaved; the same scores either way."""
    from .devices import time_cv_on

    on_device = time_cv_on(device)
    results = []
    for name in names or CV_WORKLOADS:
        workload = CV_WORKLOADS[name]
        X, y = workload.data()
        epochs = workload.quick_epochs if quick else workload.epochs
        times = {"ours_1": [], "ours_1_device": []}
        for _ in range(repeats):
            seconds, numpy_model = time_ours(workload, X, y, epochs, 1)
            times["ours_1"].append(seconds)
            seconds, device_model = on_device(workload, X, y, epochs, 1)
            times["ours_1_device"].append(seconds)
        difference = np.abs(numpy_model.cv_results_["mean_test_score"]
                            - device_model.cv_results_["mean_test_score"]).max()
        result = {"workload": name, "device": device, **spread(times),
                  "max_device_difference": float(difference)}
        s = result["seconds"]
        print(f"  {name}: numpy {s['ours_1']:.2f} s, torch {device} "
              f"{s['ours_1_device']:.2f} s", flush=True)
        results.append(result)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer epochs")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workloads", nargs="+", choices=list(CV_WORKLOADS))
    args = parser.parse_args(argv)
    for result in run(args.quick, args.repeats, args.workloads):
        print(result["description"])
        print(f"  same scores to {result['max_score_difference']:.1e}; GFLOP/s "
              + ", ".join(f"{k} {v:.1f}" for k, v in result["gflops"].items()))


if __name__ == "__main__":
    main()
