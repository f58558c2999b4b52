"""Run the benchmark suite: sklearn_mlpreg next to scikit-learn (and PyTorch).

    python -m benchmarks [--quick] [--workloads tiny small ...] [--out DIR]
    python benchmarks/run.py --quick

Every library trains the same workloads in the same process, interleaved
(repeat 1 of every library, then repeat 2, ...), so that machine load hits
all of them alike. The report gives seconds per epoch (median, min, max),
the ratio to scikit-learn (> 1: faster than scikit-learn), the achieved
GFLOP/s against the measured GEMM peak, and the final training loss (the
same algorithm must not pay for its speed with accuracy). It is written as
JSON and as a markdown table into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

# PyTorch's OpenMP threads spin after every operation by default and steal the
# cores numpy's BLAS threads need in the same process (seen: scikit-learn and
# sklearn_mlpreg 1.5-2x slower on the medium workload, run to run); passive
# waiting keeps the interleaved comparison fair. Must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

if __package__ in (None, ""):  # python benchmarks/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"

from . import devices  # noqa: E402

devices.enable_if_requested(sys.argv)  # before scipy loads

from . import cv_workloads, environment, search_workloads  # noqa: E402
from .workloads import (  # noqa: E402
    QUICK_EPOCHS,
    WORKLOADS,
    available_peers,
    run_ours,
    run_sklearn,
    time_predict,
)


def training_runners(device: str | None = None) -> dict:
    runners = {
        "scikit-learn": run_sklearn,
        "sklearn_mlpreg f64": run_ours,
        "sklearn_mlpreg f32": lambda w, X, y, e: run_ours(w, X, y, e, np.float32),
        "sklearn_mlpreg f64, numpy engine": lambda w, X, y, e: run_ours(
            w, X, y, e, engine="numpy"),
    }
    if device is not None:
        runners[f"sklearn_mlpreg f64, torch {device}"] = devices.run_ours_on(device)
        runners[f"sklearn_mlpreg f32, torch {device}"] = devices.run_ours_on(device,
                                                                             np.float32)
    runners.update(available_peers())
    return runners


def bench_training(names, quick, repeats, peaks, device=None) -> list[dict]:
    rows = []
    runners = training_runners(device)
    for name in names:
        workload = WORKLOADS[name]
        epochs = QUICK_EPOCHS[name] if quick else workload.epochs
        X, y = workload.data()
        times = {lib: [] for lib in runners}
        losses = {}
        for _ in range(repeats if workload.n_samples < 100_000 else 1):
            for lib, run in runners.items():
                seconds, loss = run(workload, X, y, epochs)
                times[lib].append(seconds)
                losses[lib] = loss
        reference = float(np.median(times["scikit-learn"]))
        for lib, values in times.items():
            median = float(np.median(values))
            peak = peaks["float32" if "f32" in lib else "float64"]
            gflops = workload.flops_per_epoch() / median / 1e9
            rows.append({
                "workload": name, "library": lib, "epochs": epochs,
                "seconds_per_epoch": median, "min": float(min(values)),
                "max": float(max(values)), "ratio": reference / median,
                "gflops": gflops, "peak_share": gflops / peak,
                "final_loss": losses[lib],
                "loss_vs_sklearn": losses[lib] / losses["scikit-learn"],
            })
        print(f"  {name}: " + ", ".join(f"{r['library']} {r['ratio']:.2f}x"
                                        for r in rows if r["workload"] == name), flush=True)
    return rows


def bench_predict(repeats) -> list[dict]:
    """Predict 1 row and 10k rows with a (100, 50) network."""
    from sklearn.neural_network import MLPRegressor as SkMLP

    from sklearn_mlpreg import MLPRegressor

    rng = np.random.RandomState(0)
    X = rng.standard_normal((10_000, 20))
    y = X[:, 0]
    params = dict(hidden_layer_sizes=(100, 50), max_iter=2, random_state=0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models = {"scikit-learn": (SkMLP(**params).fit(X, y), X),
                  "sklearn_mlpreg f64": (MLPRegressor(**params).fit(X, y), X)}
        X32 = X.astype(np.float32)
        models["sklearn_mlpreg f32"] = (MLPRegressor(**params).fit(X32, y), X32)
    peers = {}
    try:
        import torch

        module = torch.nn.Sequential(torch.nn.Linear(20, 100), torch.nn.ReLU(),
                                     torch.nn.Linear(100, 50), torch.nn.ReLU(),
                                     torch.nn.Linear(50, 1))

        def torch_predict(batch):
            with torch.no_grad():
                return module(torch.from_numpy(batch)).numpy()

        peers["pytorch f32"] = (torch_predict, X32)
    except ImportError:
        pass
    rows = []
    for rows_, calls in ((1, 2000), (10_000, 30)):
        times = {}
        for _ in range(repeats):
            for lib, (model, data) in models.items():
                times.setdefault(lib, []).append(
                    time_predict(model.predict, data, rows_, calls))
            for lib, (function, data) in peers.items():
                times.setdefault(lib, []).append(time_predict(function, data, rows_, calls))
        reference = float(np.median(times["scikit-learn"]))
        for lib, values in times.items():
            median = float(np.median(values))
            rows.append({"workload": f"predict {rows_} row{'s' if rows_ > 1 else ''}",
                         "library": lib, "seconds_per_call": median,
                         "ratio": reference / median})
    return rows


def _busy(stop):  # pragma: no cover - runs in a child process
    x = 0
    while not stop.is_set():
        x += 1


def bench_contention() -> list[dict]:
    """Small matrix products with 1 and 2 BLAS threads, with a core kept busy."""
    from threadpoolctl import threadpool_limits

    rng = np.random.RandomState(0)
    rows = []
    for shape in ((22, 20, 30), (200, 100, 50), (256, 256, 128), (2048, 512, 256)):
        n, k, m = shape
        a, b = rng.standard_normal((n, k)), rng.standard_normal((k, m))
        for busy in (False, True):
            stop = multiprocessing.Event()
            worker = multiprocessing.Process(target=_busy, args=(stop,)) if busy else None
            if worker:
                worker.start()
                time.sleep(0.2)
            for threads in (1, 2):
                with threadpool_limits(threads, user_api="blas"):
                    calls = max(10, int(2e8 // (n * k * m)))
                    start = time.perf_counter()
                    for _ in range(calls):
                        a @ b
                    seconds = (time.perf_counter() - start) / calls
                rows.append({"product": f"{n}x{k} @ {k}x{m}", "multiply_adds": n * k * m,
                             "busy_core": busy, "blas_threads": threads,
                             "microseconds": seconds * 1e6})
            if worker:
                stop.set()
                worker.join()
    return rows


def _cells(result: dict) -> dict:
    """``"1.23 s [1.20, 1.31]"`` (median [min, max]) for each run of a result."""
    s, lo, hi = result["seconds"], result["min"], result["max"]
    return {k: f"{s[k]:.2f} s [{lo[k]:.2f}, {hi[k]:.2f}]" for k in s}


def markdown(report: dict) -> str:
    lines = ["# Benchmark report", ""]
    env = report["environment"]
    peaks = report["peaks"]
    lines.append(f"numpy {env['numpy']}, scikit-learn {env['scikit-learn']}, torch "
                 f"{env.get('torch')}, numba {env.get('numba')}, {env['cpus']} CPUs, BLAS "
                 f"{env.get('blas')}, load {env.get('load_average')}; GEMM peak f64 "
                 f"{peaks['float64']:.0f} (one thread "
                 f"{peaks.get('float64_one_thread', 0):.0f})"
                 f", f32 {peaks['float32']:.0f} GFLOP/s; % of peak below is of the f64 / f32 "
                 "peak with the default threads")
    for note in report["notes"]:
        lines.append(f"- {note}")
    lines += ["", "| workload | library | ms / epoch (median [min, max]) | ratio vs "
              "scikit-learn | GFLOP/s (% of peak) | final loss (/ scikit-learn) |",
              "|---|---|---|---|---|---|"]
    for r in report["training"]:
        lines.append(f"| {r['workload']} | {r['library']} | {1e3 * r['seconds_per_epoch']:.3f}"
                     f" [{1e3 * r['min']:.3f}, {1e3 * r['max']:.3f}] | {r['ratio']:.2f}x | "
                     f"{r['gflops']:.1f} ({100 * r['peak_share']:.0f}%) | "
                     f"{r['final_loss']:.4g} ({r['loss_vs_sklearn']:.3f}) |")
    lines += ["", "| predict | library | us / call | ratio |", "|---|---|---|---|"]
    for r in report["predict"]:
        lines.append(f"| {r['workload']} | {r['library']} | "
                     f"{1e6 * r['seconds_per_call']:.1f} | {r['ratio']:.2f}x |")
    if report.get("cv"):
        lines += ["", "| CV workload | MLPRegressorCV n_jobs=1 | n_jobs=2 | n_jobs=1, numpy "
                  "engine | GridSearchCV n_jobs=1 | n_jobs=2 | ratio (1 vs 1) | ratio (ours "
                  "1 vs 2) | ratio (2 vs 2) | GFLOP/s ours (% of peak) |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for cv in report["cv"]:
            cell = _cells(cv)
            lines.append(
                f"| {cv['workload']} | {cell['ours_1']} | {cell['ours_2']} | "
                f"{cell['ours_1_numpy']} | {cell['sklearn_1']} | {cell['sklearn_2']} | "
                f"{cv['ratio_vs_sklearn_n_jobs_1']:.1f}x | "
                f"{cv['ratio_vs_sklearn_n_jobs_2']:.1f}x | {cv['ratio_both_n_jobs_2']:.1f}x | "
                f"{cv['gflops']['ours_1']:.1f} ({100 * cv['peak_share']['ours_1']:.0f}%) |")
        lines += [""] + [f"- {cv['workload']}: {cv['description']}" for cv in report["cv"]]
    if report.get("cv_device"):
        lines += ["", "| CV workload | MLPRegressorCV n_jobs=1, numpy | on torch tensors | "
                  "ratio (numpy / torch) | same scores to |", "|---|---|---|---|---|"]
        for cv in report["cv_device"]:
            s, cell = cv["seconds"], _cells(cv)
            lines.append(f"| {cv['workload']} | {cell['ours_1']} | {cell['ours_1_device']} "
                         f"({cv['device']}) | {s['ours_1'] / s['ours_1_device']:.2f}x | "
                         f"{cv['max_device_difference']:.0e} |")
    if report.get("search"):
        lines += ["", "| search workload | BatchedGridSearchCV n_jobs=1 | n_jobs=2 | "
                  "GridSearchCV, this library's MLP | GridSearchCV, scikit-learn's MLP | "
                  "ratio vs scikit-learn (1 vs 1) | ratio (ours 2 vs 1) | ratio vs "
                  "GridSearchCV of ours | same scores to |", "|---|---|---|---|---|---|---|"
                  "---|---|"]
        for search in report["search"]:
            cell = _cells(search)
            lines.append(
                f"| {search['workload']} | {cell['batched_1']} | {cell['batched_2']} | "
                f"{cell['ours_grid_search']} | {cell['sklearn_grid_search']} | "
                f"{search['ratio_vs_sklearn']:.1f}x | "
                f"{search['ratio_vs_sklearn_n_jobs_2']:.1f}x | "
                f"{search['ratio_vs_our_grid_search']:.1f}x | "
                f"{search['max_score_difference']:.0e} |")
        lines += [""] + [f"- {r['workload']}: {r['description']}" for r in report["search"]]
    if report.get("contention"):
        lines += ["", "| product | busy core | BLAS threads | us |", "|---|---|---|---|"]
        for r in report["contention"]:
            lines.append(f"| {r['product']} | {r['busy_core']} | {r['blas_threads']} | "
                         f"{r['microseconds']:.1f} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="fewer epochs and repeats; tiny and small only")
    parser.add_argument("--workloads", nargs="+", choices=list(WORKLOADS), default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--no-cv", action="store_true", help="skip the CV comparisons")
    parser.add_argument("--cv-workloads", nargs="+", default=None,
                        choices=list(cv_workloads.CV_WORKLOADS),
                        help="CV workloads to run (default: all)")
    parser.add_argument("--no-search", action="store_true",
                        help="skip the BatchedGridSearchCV comparisons")
    parser.add_argument("--search-workloads", nargs="+", default=None,
                        choices=list(search_workloads.WORKLOADS),
                        help="search workloads to run (default: all)")
    parser.add_argument("--contention", action="store_true",
                        help="also time small products with a busy core")
    parser.add_argument("--device", default=None,
                        help="also run the training and CV workloads on PyTorch tensors on "
                        "this device (cpu, cuda, cuda:1, ...) through array_api_dispatch")
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args(argv)
    if args.device is not None:
        devices.check_device(args.device)
    names = args.workloads or (["tiny", "small"] if args.quick else list(WORKLOADS))
    repeats = args.repeats or (3 if args.quick else 5)
    env = environment.describe()
    report = {"environment": env, "notes": environment.warnings_about(env),
              "peaks": {"float64": environment.gemm_peak(np.float64),
                        "float32": environment.gemm_peak(np.float32),
                        "float64_one_thread": environment.gemm_peak(np.float64, threads=1)}}
    print(f"GEMM peak: f64 {report['peaks']['float64']:.0f} GFLOP/s "
          f"(one thread {report['peaks']['float64_one_thread']:.0f}), "
          f"f32 {report['peaks']['float32']:.0f} GFLOP/s; BLAS {env.get('blas')}")
    for note in report["notes"]:
        print("note:", note)
    # predict first: after the heavy training workloads, the same calls ran up to
    # 20% slower in this process (caches and allocator state), for every library
    report["predict"] = bench_predict(3 if args.quick else 5)
    report["training"] = bench_training(names, args.quick, repeats, report["peaks"],
                                        args.device)
    if not args.no_cv:
        report["cv"] = cv_workloads.run(quick=args.quick, repeats=1 if args.quick else 3,
                                        names=args.cv_workloads,
                                        peak=report["peaks"]["float64"])
    if not args.no_cv and args.device is not None:
        report["cv_device"] = cv_workloads.run_on_device(
            args.device, quick=args.quick, repeats=1 if args.quick else 3,
            names=args.cv_workloads)
    if not args.no_search:
        report["search"] = search_workloads.run(
            quick=args.quick, repeats=1 if args.quick else 3, names=args.search_workloads)
    if args.contention:
        report["contention"] = bench_contention()
    report["environment_after"] = {"load_average": environment.describe()["load_average"]}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2, default=str))
    text = markdown(report)
    (out / "report.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
