"""Figures: every function draws on its axes and save writes a file."""

import numpy as np
import pandas as pd
import pytest

plt = pytest.importorskip("matplotlib.pyplot")

from sklearn_mlpreg import MLPRegressor, plotting  # noqa: E402
from sklearn_mlpreg.studies import BiasVariance  # noqa: E402


def test_every_plot_draws_and_saves(tmp_path):
    rng = np.random.RandomState(0)
    y = rng.normal(size=20)
    X = rng.normal(size=(20, 1))
    model = MLPRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0).fit(X, y)
    fig, axes = plotting.figure(7)
    plotting.plot_predicted_vs_measured(y, {"a": y + 0.1}, ax=axes[0])
    plotting.plot_roc((y > 0).astype(int), {"a": y}, ax=axes[1])
    plotting.plot_regularization_path(pd.DataFrame({
        "lambda": [0.1, 1, 10], "train_error": [1, 2, 3], "test_error": [3, 2, 4],
        "test_error_std": [0.1, 0.1, 0.1]}), ax=axes[2])
    plotting.plot_loss_curves({"train": model.loss_curve_}, ax=axes[3])
    plotting.plot_bias_variance({"m": BiasVariance(2.0, 1.5, 0.5, "squared_error",
                                                   np.zeros((2, 3)))}, ax=axes[4])
    plotting.plot_error_distribution({"a": rng.normal(size=10)}, ax=axes[5])
    plotting.plot_gradient_norms({"relu": model.gradient_norms_}, ax=axes[6])
    for ax in axes:
        assert ax.has_data()
    assert axes[2].get_xscale() == "log" and axes[6].get_yscale() == "log"
    path = plotting.save(fig, tmp_path / "sub" / "all.png")
    assert path.stat().st_size > 10_000


def test_plot_fit_draws_the_model_curve():
    X = np.linspace(-1, 1, 10)[:, None]
    model = MLPRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0).fit(X, X[:, 0])
    ax = plotting.plot_fit(X, X[:, 0], {"mlp": model}, X_test=X[:3], y_test=X[:3, 0])
    assert len(ax.lines) == 1 and len(ax.collections) == 2
    plt.close("all")
