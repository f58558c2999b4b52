"""The gait study's outputs: the printed table, results.csv and the figures."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from .gait import (
    BASELINE_COMMAND,
    BASELINE_NAME,
    CLASSIFICATION_TARGETS,
    REGRESSION_TARGETS,
    SKLEARN_BASELINE,
    GaitStudyResults,
)
from .gait_clinical import clinical_figures, clinical_lines


def _cell(row, name, digits):
    value, spread = row.get(name), row.get(f"{name}_spread")
    if value is None or pd.isna(value):
        return ""
    return f"{value:.{digits}f} +- {spread:.{digits}f}"


def _lambdas(row):
    if pd.isna(row.get("lambda_median", np.nan)):
        return ""
    low, median, high = row["lambda_min"], row["lambda_median"], row["lambda_max"]
    return f"{median:g} [{low:g}, {high:g}]"


def format_table(results: GaitStudyResults) -> str:
    """One plain-text table: a block per target, a line per model."""
    lines = []
    for target in results.table["target"].unique():
        rows = results.table[results.table["target"] == target]
        if target in REGRESSION_TARGETS:
            header = (f"{target} (regression, leave-one-out)", "R^2", "MAE")
            cells = [(r["model"], _cell(r, "R2", 3), _cell(r, "MAE", 2), _lambdas(r))
                     for _, r in rows.iterrows()]
        else:
            header = (f"{target} (classification, 5 x stratified 3-fold)", "ROC AUC",
                      "balanced accuracy")
            cells = [(r["model"], _cell(r, "ROC_AUC", 3),
                      _cell(r, "balanced_accuracy", 3), _lambdas(r))
                     for _, r in rows.iterrows()]
        lines.append(f"{header[0]:45s} {header[1]:>16s} {header[2]:>18s}   "
                     "lambda chosen: median [min, max]")
        for name, a, b, lam in cells:
            lines.append(f"  {name:43s} {a:>16s} {b:>18s}   {lam}")
        lines.append("")
    clinical = clinical_lines(results)
    if clinical:
        lines += [textwrap.fill(line, 100, subsequent_indent="  ") for line in clinical]
        lines.append("")
    if BASELINE_NAME not in set(results.table["model"]):
        lines += [baseline_note(), ""]
    return "\n".join(lines)


def baseline_note(measured: dict = SKLEARN_BASELINE) -> str:
    """What the skipped scikit-learn baseline gave when measured, and how to run it.

    Parameters
    ----------
    measured : dict, default=SKLEARN_BASELINE
        The measurement (see :data:`~sklearn_mlpreg.studies.gait.SKLEARN_BASELINE`).

    Returns
    -------
    note : str
        A few lines for the end of the printed table.
    """
    by_metric = {}
    for target, (metric, value) in measured["scores"].items():
        by_metric.setdefault(metric, []).append(f"{target} {value:.3f}")
    scores = "; ".join(f"{metric} {', '.join(values)}"
                       for metric, values in by_metric.items())
    fits, runs = measured["fit_seconds"], measured["run_seconds"]
    ours, theirs = fits["sklearn_mlpreg"], fits["scikit-learn"]
    default, flagged = runs["default"], runs["with the baseline"]
    text = (f"{BASELINE_NAME} (the scikit-learn baseline) was not run. Measured on "
            f"{measured['date']} with the default settings ({measured['machine']}), "
            f"it gave the same scores as sklearn_mlpreg's MLP ({scores}; every score "
            f"and lambda within {measured['largest_difference']:.0e}) in "
            f"{theirs / ours:.0f}x the fitting time ({theirs:.0f} s against "
            f"{ours:.1f} s); the whole command took {flagged:.0f} s against "
            f"{default:.0f} s ({flagged / default:.0f}x).")
    return f"{textwrap.fill(text, 100)}\nTo run it:  {BASELINE_COMMAND}"


def write_outputs(results: GaitStudyResults, out: Path) -> list[Path]:
    """Write results.csv, the lambda tables and the figures into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "results.csv"]
    results.table.to_csv(written[0], index=False)
    for target, table in results.lambda_tables.items():
        path = out / f"lambda_table_{target}.csv"
        table.to_csv(path, index=False)
        written.append(path)
    try:
        written += _figures(results, out)
    except ImportError as error:
        print(f"(figures skipped: {error})")
    return written


def _figures(results: GaitStudyResults, out: Path) -> list[Path]:
    from .. import plotting

    written = []
    shown = [t for t in REGRESSION_TARGETS if t in results.truth]
    if shown:
        fig, axes = plotting.figure(len(shown))
        for ax, target in zip(axes, shown):
            plotting.plot_predicted_vs_measured(
                results.truth[target], _by_model(results, target), ax=ax,
                title=f"{target}: leave-one-out predictions",
                unit="(s)" if target == "TUG" else "(score)")
        written.append(plotting.save(fig, out / "predicted_vs_measured.png"))
    shown = [t for t in CLASSIFICATION_TARGETS if t in results.truth]
    if shown:
        fig, axes = plotting.figure(len(shown))
        for ax, target in zip(axes, shown):
            plotting.plot_roc(results.truth[target], _by_model(results, target), ax=ax,
                              title=f"{target}: out-of-fold probabilities")
        written.append(plotting.save(fig, out / "roc_curves.png"))
    targets = list(results.lambda_tables)
    fig, axes = plotting.figure(len(targets), width=4.2)
    for ax, target in zip(axes, targets):
        ylabel = "MSE (standardized target)" if target in REGRESSION_TARGETS else "log loss"
        plotting.plot_regularization_path(results.lambda_tables[target], ax=ax,
                                          title=f"{target}: lambda table",
                                          ylabel=ylabel)
    written.append(plotting.save(fig, out / "lambda_table.png"))
    return written + clinical_figures(results, out, plotting)


def _by_model(results, target):
    return {model: predicted for (t, model), predicted in results.predictions.items()
            if t == target and not model.startswith("Dummy")}
