"""Figures of the studies (matplotlib, an optional dependency).

Every function draws on a given matplotlib ``Axes`` (or a new one) and
returns it, so figures compose; :func:`save` writes a figure to a file.
Install with ``pip install "sklearn_mlpreg[plot]"``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _pyplot():
    try:  # no backend switch: matplotlib picks Agg by itself without a display
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
    """Write ``figure`` to ``path`` (parent folders created) and close it.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure to write.
    path : str or pathlib.Path
        The image file; its suffix picks the format (``.png``, ``.pdf``...).

    Returns
    -------
    path : pathlib.Path
        The file written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    _pyplot().close(figure)
    return path


def figure(n_panels: int = 1, width: float = 5.0, height: float = 4.0):
    """A new figure with ``n_panels`` axes side by side.

    Parameters
    ----------
    n_panels : int, default=1
        Number of axes, in one row.
    width, height : float, default=5.0, 4.0
        Size of one panel in inches.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    axes : ndarray of matplotlib.axes.Axes
        Its axes, always an array.
    """
    fig, axes = _pyplot().subplots(1, n_panels, figsize=(width * n_panels, height))
    return fig, np.atleast_1d(axes)


def plot_loss_curves(curves, *, ax=None, title=None, log=True):
    """Loss per epoch of one or several trainings.

    Parameters
    ----------
    curves : dict of str to array-like
        Label -> loss per epoch (for example ``loss_curve_`` and
        ``validation_loss_curve_`` of a fitted estimator).
    ax : matplotlib Axes, default=None
    title : str
    log : bool, default=True
        Logarithmic loss axis.

    Returns
    -------
    ax : matplotlib Axes
    """
    ax = _axes(ax)
    for i, (label, curve) in enumerate(curves.items()):
        ax.plot(np.arange(1, len(curve) + 1), curve, label=label, ls=["-", "--"][i % 2])
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(title or "")
    ax.legend(fontsize=7)
    return ax


def plot_bias_variance(results, *, ax=None, title=None):
    """Bars of expected loss, squared bias and variance per model.

    Parameters
    ----------
    results : dict of str to BiasVariance or dict
        Model name -> result of :func:`~sklearn_mlpreg.studies.bias_variance_decomposition`
        (or a dict with ``expected_loss``, ``bias``, ``variance``).
    ax : matplotlib Axes, default=None
    title : str

    Returns
    -------
    ax : matplotlib Axes
    """
    ax = _axes(ax)
    names = list(results)
    values = [r.as_dict() if hasattr(r, "as_dict") else r for r in results.values()]
    x = np.arange(len(names))
    for i, key in enumerate(("expected_loss", "bias", "variance")):
        ax.bar(x + (i - 1) * 0.27, [v[key] for v in values], width=0.27,
               label=key.replace("_", " ").replace("bias", "bias^2"))
    ax.set_xticks(x, names, fontsize=8)
    ax.set_ylabel("mean over test samples")
    ax.set_title(title or "")
    ax.legend(fontsize=7)
    return ax


def plot_error_distribution(errors, *, ax=None, title=None, ylabel="test MSE"):
    """Box plots of errors collected over retrainings.

    Parameters
    ----------
    errors : dict of str to array-like
        Label -> errors (for example ``prediction_error_distribution(...)
        ["test_error"]``).
    ax : matplotlib Axes, default=None
    title, ylabel : str

    Returns
    -------
    ax : matplotlib Axes
    """
    ax = _axes(ax)
    ax.boxplot([np.asarray(v, dtype=float) for v in errors.values()])
    ax.set_xticks(np.arange(1, len(errors) + 1), list(errors), fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title or "")
    return ax


def plot_gradient_norms(gradient_norms, *, ax=None, title=None, epoch=0):
    """Gradient norm of each layer at one epoch (log scale): vanishing gradients.

    Parameters
    ----------
    gradient_norms : dict of str to ndarray of shape (n_epochs, n_layers)
        Label -> ``gradient_norms_`` of a fitted estimator.
    ax : matplotlib Axes, default=None
    title : str
    epoch : int, default=0
        Which epoch to show (0 is the first).

    Returns
    -------
    ax : matplotlib Axes
    """
    ax = _axes(ax)
    for label, norms in gradient_norms.items():
        norms = np.asarray(norms)
        ax.plot(np.arange(1, norms.shape[1] + 1), norms[epoch], "o-", label=label)
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = first)")
    ax.set_ylabel(f"gradient norm, epoch {epoch + 1}")
    ax.set_title(title or "")
    ax.legend(fontsize=7)
    return ax


def plot_fit(X, y, models, *, ax=None, title=None, X_test=None, y_test=None):
    """A one-input regression: the samples and each model's curve.

    Parameters
    ----------
    X : array-like of shape (n_samples, 1)
        Training inputs.
    y : array-like of shape (n_samples,)
    models : dict of str to fitted estimator
    ax : matplotlib Axes, default=None
    title : str
    X_test, y_test : array-like, default=None
        Test samples, drawn as open circles.

    Returns
    -------
    ax : matplotlib Axes
    """
    ax = _axes(ax)
    X = np.asarray(X, dtype=float)
    ax.scatter(X[:, 0], y, s=14, color="k", label="training data")
    if X_test is not None:
        ax.scatter(np.asarray(X_test)[:, 0], y_test, s=22, facecolors="none",
                   edgecolors="r", label="test data")
    low = X[:, 0].min() if X_test is None else min(X[:, 0].min(), np.min(X_test))
    high = X[:, 0].max() if X_test is None else max(X[:, 0].max(), np.max(X_test))
    grid = np.linspace(low, high, 400)[:, None]
    for name, model in models.items():
        ax.plot(grid[:, 0], model.predict(grid), label=name)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title or "")
    ax.legend(fontsize=7)
    return ax


def plot_ensemble_band(X, y, ensemble, *, ax=None, title=None, X_test=None, y_test=None,
                       margin=0.0):
    """A one-input seed ensemble: its members, their mean and a band of +-2 std.

    Parameters
    ----------
    X : array-like of shape (n_samples, 1)
        Training inputs.
    y : array-like of shape (n_samples,)
    ensemble : fitted MLPEnsembleRegressor
    ax : matplotlib Axes, default=None
    title : str
    X_test, y_test : array-like, default=None
        Test samples, drawn as open circles.
    margin : float, default=0.0
        Extend the curves this share of the data's range beyond it, each side.

    Returns
    -------
    ax : matplotlib Axes
    """
    ax = _axes(ax)
    X = np.asarray(X, dtype=float)
    points = X[:, 0] if X_test is None else np.concatenate([X[:, 0],
                                                            np.asarray(X_test)[:, 0]])
    low, high = points.min(), points.max()
    extra = margin * (high - low)
    grid = np.linspace(low - extra, high + extra, 400)[:, None]
    for i, member in enumerate(ensemble.estimators_):
        ax.plot(grid[:, 0], member.predict(grid), color="0.7", lw=0.7,
                label="members" if i == 0 else None)
    mean, std = ensemble.predict(grid, return_std=True)
    ax.fill_between(grid[:, 0], mean - 2 * std, mean + 2 * std, color="C0", alpha=0.25,
                    label="mean +- 2 std")
    ax.plot(grid[:, 0], mean, color="C0", label="ensemble mean")
    ax.scatter(X[:, 0], y, s=14, color="k", label="training data", zorder=3)
    if X_test is not None:
        ax.scatter(np.asarray(X_test)[:, 0], y_test, s=22, facecolors="none",
                   edgecolors="r", label="test data", zorder=3)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title or "")
    ax.legend(fontsize=7)
    return ax
