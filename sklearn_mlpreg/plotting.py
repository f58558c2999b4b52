"""Figures of the studies (matplotlib, an optional dependency).

Every function draws on a given matplotlib ``Axes`` (or a new one) and
returns it, so figures compose; :func:`save` writes a figure to a file.
Install with ``pip install "sklearn_mlpreg[plot]"``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - exercised without matplotlib
        raise ImportError(
            "Figures need matplotlib: pip install 'sklearn_mlpreg[plot]'."
        ) from error
    return plt


def _axes(ax):
    return ax if ax is not None else _pyplot().subplots()[1]


def plot_predicted_vs_measured(y, predictions, *, ax=None, title=None, unit=""):
    """Scatter of out-of-fold predictions against the measured values.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Measured values.
    predictions : dict of str to array-like
        Model name -> predictions of the same samples.
    ax : matplotlib Axes, default=None
    title, unit : str

    Returns
    -------
    ax : matplotlib Axes
    """
    ax = _axes(ax)
    y = np.asarray(y, dtype=float)
    markers = "os^vDx"
    for i, (name, predicted) in enumerate(predictions.items()):
        # open markers of decreasing size keep coinciding predictions visible
        ax.scatter(y, predicted, label=name, s=60 - 12 * (i % 4),
                   marker=markers[i % len(markers)], facecolors="none",
                   edgecolors=f"C{i}", linewidths=1.2)
    low, high = y.min(), y.max()
    margin = 0.05 * (high - low)
    ax.plot([low - margin, high + margin], [low - margin, high + margin], "k--", lw=1,
            label="perfect")
    ax.set_xlabel(f"measured {unit}".strip())
    ax.set_ylabel(f"predicted {unit}".strip())
    ax.set_title(title or "")
    ax.legend(fontsize=7)
    return ax


def plot_roc(y, scores, *, ax=None, title=None):
    """ROC curves of several models' scores for a binary target.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        True labels (0 / 1).
    scores : dict of str to array-like
        Model name -> predicted probability of class 1.
    ax : matplotlib Axes, default=None
    title : str

    Returns
    -------
    ax : matplotlib Axes
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    ax = _axes(ax)
    for i, (name, score) in enumerate(scores.items()):
        fpr, tpr, _ = roc_curve(y, score)
        ax.plot(fpr, tpr, ls=["-", "--", ":", "-."][i % 4], lw=2 - 0.3 * (i % 4),
                label=f"{name} (AUC {roc_auc_score(y, score):.2f})")
    ax.plot([0, 1], [0, 1], "k--", lw=1)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title(title or "")
    ax.legend(fontsize=7, loc="lower right")
    return ax


def plot_regularization_path(table, *, ax=None, title=None, ylabel="error"):
    """The lecture's lambda table as a figure: train and test error vs lambda.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``lambda``, ``train_error``, ``test_error`` and optionally
        ``test_error_std``.
    ax : matplotlib Axes, default=None
    title, ylabel : str

    Returns
    -------
    ax : matplotlib Axes
    """
    ax = _axes(ax)
    lam = np.asarray(table["lambda"], dtype=float)
    x = np.where(lam > 0, lam, np.nan)
    ax.plot(x, table["train_error"], "o-", label="training error")
    ax.plot(x, table["test_error"], "s-", label="validation error")
    if "test_error_std" in table:
        std = np.asarray(table["test_error_std"], dtype=float)
        test = np.asarray(table["test_error"], dtype=float)
        ax.fill_between(x, test - std, test + std, alpha=0.2)
    best = int(np.nanargmin(np.asarray(table["test_error"], dtype=float)))
    ax.axvline(x[best], color="grey", ls=":", label=f"best lambda {lam[best]:g}")
    ax.set_xscale("log")
    ax.set_xlabel("lambda (alpha)")
    ax.set_ylabel(ylabel)
    ax.set_title(title or "")
    ax.legend(fontsize=7)
    return ax


def save(figure, path) -> Path:
    """Write ``figure`` to ``path`` (parent folders created) and close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    _pyplot().close(figure)
    return path


def figure(n_panels: int = 1, width: float = 5.0, height: float = 4.0):
    """A new figure with ``n_panels`` axes side by side."""
    fig, axes = _pyplot().subplots(1, n_panels, figsize=(width * n_panels, height))
    return fig, np.atleast_1d(axes)
