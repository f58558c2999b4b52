"""Sigmoid vs ReLU at several depths: the vanishing-gradient slide, measured.

"Sigmoid is hard to get the power of deep": the logistic derivative is at
most 1/4, so the gradient that reaches the first layer shrinks with every
layer it passes (the lecture's ``dL/dw = dL/dy * dy/dn * dn/dw`` chain);
ReLU passes it through unchanged where a unit is active.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from .._regressor import MLPRegressor


def compare_activations(X, y, *, activations=("logistic", "relu"), depths=(1, 2, 4, 6),
                        width=30, max_iter=200, random_state=0, **settings):
    """Train a regressor for each activation and depth; record how it learns.

    Parameters
    ----------
    X, y : array-like
        The (standardized) data.
    activations : sequence of str, default=("logistic", "relu")
    depths : sequence of int, default=(1, 2, 4, 6)
        Numbers of hidden layers.
    width : int, default=30
        Units per hidden layer.
    max_iter : int, default=200
    random_state : int, default=0
    **settings
        Further MLPRegressor parameters (solver, learning_rate_init, ...).

    Returns
    -------
    runs : pandas.DataFrame
        One row per (activation, depth): ``final_loss``, ``r2`` (training),
        ``first_epoch_ratio`` (first-layer over last-layer gradient norm in
        the first epoch), and the object columns ``loss_curve`` and
        ``gradient_norms`` (epochs x layers).
    """
    rows = []
    for activation in activations:
        for depth in depths:
            model = MLPRegressor(hidden_layer_sizes=(width,) * depth,
                                 activation=activation, max_iter=max_iter,
                                 random_state=random_state, **settings)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X, y)
            norms = model.gradient_norms_
            rows.append({
                "activation": activation, "depth": depth,
                "final_loss": model.loss_curve_[-1], "r2": model.score(X, y),
                "first_epoch_ratio": norms[0, 0] / norms[0, -1],
                "loss_curve": np.asarray(model.loss_curve_), "gradient_norms": norms,
            })
    return pd.DataFrame(rows)
