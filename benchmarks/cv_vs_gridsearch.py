"""MLPRegressorCV against GridSearchCV over scikit-learn's MLPRegressor.

The lecture's lambda selection on the gait table (BBS, imputed and
standardized): 7 alphas x leave-one-out on 23 rows (161 fits), hidden
(30, 15), 500 full-batch Adam epochs. Both libraries run in one process,
interleaved, and the script prints the ratio.

    python benchmarks/cv_vs_gridsearch.py [--quick] [--repeats N]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn import neural_network
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import GridSearchCV, LeaveOneOut
from sklearn.preprocessing import StandardScaler

from sklearn_mlpreg import MLPRegressorCV
from sklearn_mlpreg.datasets import load_gait

ALPHAS = 10.0 ** np.arange(-3, 4)


def gait_data():
    """The gait table (target BBS), median-imputed and standardized."""
    X, y = load_gait(target="BBS", return_X_y=True)
    X = StandardScaler().fit_transform(SimpleImputer(strategy="median").fit_transform(X))
    return X, (y - y.mean()) / y.std()


def settings(epochs: int) -> dict:
    # tol=0 and a patience above max_iter: every fit runs all its epochs.
    return dict(hidden_layer_sizes=(30, 15), solver="adam", batch_size="auto",
                max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1, random_state=0)


def time_ours(X, y, epochs, n_jobs):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPRegressorCV(alphas=ALPHAS, cv=LeaveOneOut(), n_jobs=n_jobs,
                               scoring="neg_mean_squared_error", **settings(epochs)
                               ).fit(X, y)
    return time.perf_counter() - start, model


def time_sklearn(X, y, epochs, n_jobs):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(neural_network.MLPRegressor(**settings(epochs)),
                              {"alpha": ALPHAS}, cv=LeaveOneOut(), n_jobs=n_jobs,
                              scoring="neg_mean_squared_error").fit(X, y)
    return time.perf_counter() - start, search


def run(quick: bool = False, repeats: int = 3) -> dict:
    """Time both libraries (interleaved) and return the medians and ratios."""
    X, y = gait_data()
    epochs = 100 if quick else 500
    times = {key: [] for key in ("ours_1", "ours_2", "sklearn_1", "sklearn_2")}
    for _ in range(repeats):
        t, ours = time_ours(X, y, epochs, 1)
        times["ours_1"].append(t)
        times["ours_2"].append(time_ours(X, y, epochs, 2)[0])
        if len(times["sklearn_1"]) < (1 if not quick else repeats):
            t, theirs = time_sklearn(X, y, epochs, 1)
            times["sklearn_1"].append(t)
            times["sklearn_2"].append(time_sklearn(X, y, epochs, 2)[0])
    difference = np.abs(ours.cv_results_["mean_test_score"]
                        - theirs.cv_results_["mean_test_score"]).max()
    median = {key: float(np.median(v)) for key, v in times.items()}
    return {
        "workload": f"gait table (BBS): 7 alphas x leave-one-out (161 fits), 23 x 19, "
                    f"(30, 15), {epochs} full-batch Adam epochs",
        "seconds": median,
        "ratio_vs_sklearn_n_jobs_1": median["sklearn_1"] / median["ours_1"],
        "ratio_vs_sklearn_n_jobs_2": median["sklearn_2"] / median["ours_1"],
        "ratio_both_n_jobs_2": median["sklearn_2"] / median["ours_2"],
        "max_score_difference": float(difference),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100 epochs instead of 500")
    parser.add_argument("--repeats", type=int, default=3)
    result = run(**vars(parser.parse_args(argv)))
    s = result["seconds"]
    print(result["workload"])
    print(f"  sklearn_mlpreg MLPRegressorCV  n_jobs=1 {s['ours_1']:7.2f} s   "
          f"n_jobs=2 {s['ours_2']:7.2f} s")
    print(f"  GridSearchCV(MLPRegressor)     n_jobs=1 {s['sklearn_1']:7.2f} s   "
          f"n_jobs=2 {s['sklearn_2']:7.2f} s")
    print(f"  ratio vs n_jobs=1: {result['ratio_vs_sklearn_n_jobs_1']:.1f}x; vs n_jobs=2: "
          f"{result['ratio_vs_sklearn_n_jobs_2']:.1f}x; both n_jobs=2: "
          f"{result['ratio_both_n_jobs_2']:.1f}x; same scores to "
          f"{result['max_score_difference']:.1e}")


if __name__ == "__main__":
    main()
