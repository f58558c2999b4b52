"""What a 10-member seed ensemble costs next to one fit, on the 23-row gait table.

The gait table (BBS; imputed, standardized), interleaved repeats of: one
``MLPRegressor`` fit, ``MLPEnsembleRegressor(n_members=10)`` (one stack, with
``n_jobs=1`` and ``n_jobs=2``) and ten separate fits, for the default network
and for the study's (30, 15) network trained 500 full-batch epochs.

    python benchmarks/ensemble_cost.py [--repeats N]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

if __package__ in (None, ""):  # python benchmarks/ensemble_cost.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"

import numpy as np  # noqa: E402

from sklearn_mlpreg import MLPEnsembleRegressor, MLPRegressor  # noqa: E402

from .cv_workloads import gait_data  # noqa: E402

NETWORKS = {
    "default MLPRegressor()": {},
    "(30, 15), 500 full-batch epochs": dict(hidden_layer_sizes=(30, 15), max_iter=500,
                                            learning_rate_init=0.005, tol=0.0,
                                            n_iter_no_change=10**9),
}


def run(repeats: int = 7) -> list[dict]:
    """Median [min, max] seconds of each way, per network."""
    X, y = gait_data()
    rows = []
    for name, settings in NETWORKS.items():
        ways = {
            "one fit": lambda s=settings: MLPRegressor(random_state=0, **s).fit(X, y),
            "ensemble of 10": lambda s=settings: MLPEnsembleRegressor(
                MLPRegressor(**s), n_members=10, random_state=0).fit(X, y),
            "ensemble of 10, n_jobs=2": lambda s=settings: MLPEnsembleRegressor(
                MLPRegressor(**s), n_members=10, random_state=0, n_jobs=2).fit(X, y),
            "ten separate fits": lambda s=settings: [
                MLPRegressor(random_state=seed, **s).fit(X, y) for seed in range(10)],
        }
        times = {way: [] for way in ways}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for way in ways.values():  # warm-up (compiled kernels, caches)
                way()
            for _ in range(repeats):
                for way, fit in ways.items():
                    start = time.perf_counter()
                    fit()
                    times[way].append(time.perf_counter() - start)
        single = np.median(times["one fit"])
        for way, values in times.items():
            rows.append({"network": name, "way": way, "ms": 1e3 * float(np.median(values)),
                         "min_ms": 1e3 * min(values), "max_ms": 1e3 * max(values),
                         "ratio_to_one_fit": float(np.median(values) / single)})
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    for row in run(args.repeats):
        print(f"{row['network']:32s} {row['way']:26s} {row['ms']:7.1f} ms "
              f"[{row['min_ms']:.1f}, {row['max_ms']:.1f}]  {row['ratio_to_one_fit']:.2f}x")


if __name__ == "__main__":
    main()
