"""The gait study's outputs: the printed table, results.csv and the figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .gait import CLASSIFICATION_TARGETS, REGRESSION_TARGETS, GaitStudyResults


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
    return "\n".join(lines)


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
    return written


def _by_model(results, target):
    return {model: predicted for (t, model), predicted in results.predictions.items()
            if t == target and not model.startswith("Dummy")}
