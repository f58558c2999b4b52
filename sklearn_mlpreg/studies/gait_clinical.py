"""The gait study's answers for the clinic: how far off a TUG or BBS prediction
can be (jackknife+ intervals and their leave-one-out coverage), which lambda
each rule chooses (best, one standard error: glmnet's plot), and which gait
measures a group-penalized network keeps. Text lines for the printed table and
two figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .gait_folds import INTERVAL_LEVEL, REGRESSION_TARGETS

MLP_NAME = "sklearn_mlpreg MLP (lambda by CV)"


def clinical_lines(results) -> list[str]:
    """One line per regression target (intervals, kept measures) and per target
    (both lambdas)."""
    lines = []
    for target, bounds in results.intervals.items():
        y = results.truth[target]
        covered = (y >= bounds[:, 0]) & (y <= bounds[:, 1])
        unit = " s" if target == "TUG" else " points"
        lines.append(
            f"{target}: {INTERVAL_LEVEL:.0%} jackknife+ intervals of the MLP cover "
            f"{covered.sum()} of {len(y)} adults held out (leave-one-out), median width "
            f"{np.median(bounds[:, 1] - bounds[:, 0]):.1f}{unit}")
    for target, table in results.lambda_tables.items():
        attrs = table.attrs
        if "alpha_best" not in attrs:
            continue
        line = (f"{target}: lambda on all adults: best {attrs['alpha_best']:g}, one "
                f"standard error {attrs['alpha_1se']:g}")
        if attrs.get("kept_measures") is not None:
            kept = attrs["kept_measures"]
            line += (f"; the group penalty keeps {len(kept)} gait measures: "
                     f"{', '.join(kept) if kept else 'none'}")
        lines.append(line)
    return lines


def clinical_figures(results, out: Path, plotting) -> list[Path]:
    """intervals.png (each adult's interval, sorted by the measured value) and
    lambda_1se.png (the CV curve with one-standard-error bars, both choices)."""
    written = []
    shown = [t for t in REGRESSION_TARGETS if t in results.intervals]
    if shown:
        fig, axes = plotting.figure(len(shown))
        for ax, target in zip(axes, shown):
            y, bounds = results.truth[target], results.intervals[target]
            order = np.argsort(y)
            x = np.arange(len(y))
            ax.vlines(x, bounds[order, 0], bounds[order, 1], color="tab:blue", alpha=0.6,
                      label=f"{INTERVAL_LEVEL:.0%} jackknife+ interval")
            ax.plot(x, results.predictions[(target, MLP_NAME)][order], "_", color="tab:blue",
                    markersize=10, label="prediction")
            ax.plot(x, y[order], "o", color="k", markersize=4, label="measured")
            ax.set(xlabel="adult (sorted by the measured value)", ylabel=target,
                   title=f"{target}: held-out intervals")
            ax.legend(fontsize=8)
        written.append(plotting.save(fig, out / "intervals.png"))
    targets = [t for t, table in results.lambda_tables.items() if "alpha_1se" in table.attrs]
    if targets:
        fig, axes = plotting.figure(len(targets), width=4.2)
        for ax, target in zip(axes, targets):
            table = results.lambda_tables[target]
            error = table["test_error_std"] / np.sqrt(table.attrs["n_splits"])
            ax.errorbar(table["lambda"], table["test_error"], yerr=error, fmt="o-",
                        capsize=3, label="CV error +- 1 standard error")
            for key, style in (("alpha_best", "--"), ("alpha_1se", ":")):
                ax.axvline(table.attrs[key], linestyle=style, color="k",
                           label=f"{key.split('_')[1]}: {table.attrs[key]:g}")
            ax.set(xscale="log", xlabel="lambda", ylabel="CV error",
                   title=f"{target}: best and one-standard-error lambda")
            ax.legend(fontsize=8)
        written.append(plotting.save(fig, out / "lambda_1se.png"))
    return written
