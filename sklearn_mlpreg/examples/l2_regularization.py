"""Practice and HW3 (4): L2 regularization, the lecture's lambda table.

The overfitting problem (40 samples of y = 3x + 100 U(0, 1), 1-100-50-1) with
an L2 penalty ``alpha ||W||^2 / (2 n)``: training error rises with lambda,
test error first falls, then rises again ("select lambda obtaining the best
model"). The notebook used weight decay 1e-4 (train 407, test 1448).
"""

import numpy as np
import pandas as pd

from sklearn_mlpreg import MLPRegressor
from sklearn_mlpreg.datasets import make_polynomial
from sklearn_mlpreg.examples._common import (
    LECTURE_TRAINING,
    evaluate,
    figure_path,
    quietly,
    scaled,
)

ALPHAS = [0.0, 0.1, 1.0, 3.0, 10.0, 100.0]


@quietly
def main(quick=False, out="figures"):
    X, y = make_polynomial("linear", random_state=0)
    n_splits = 2 if quick else 10
    print("L2 regularization: the lambda table (MSE)")
    table = {}
    for alpha in ALPHAS[::2] if quick else ALPHAS:
        table[alpha] = evaluate(f"lambda = {alpha:g}", lambda alpha=alpha: scaled(MLPRegressor(
            hidden_layer_sizes=(100, 50), alpha=alpha, max_iter=50 if quick else 500,
            random_state=0, **LECTURE_TRAINING)), X, y, n_splits)
    best = min(table, key=lambda a: table[a]["median_test_mse"])
    print(f"  best lambda (median test MSE): {best:g}")
    from sklearn_mlpreg import plotting

    frame = pd.DataFrame({"lambda": np.maximum(list(table), 1e-2),
                          "train_error": [r["median_train_mse"] for r in table.values()],
                          "test_error": [r["median_test_mse"] for r in table.values()]})
    fig, (ax,) = plotting.figure(1, width=6)
    plotting.plot_regularization_path(frame, ax=ax, ylabel="median MSE",
                                      title="L2: training vs testing error (0 drawn at 1e-2)")
    plotting.save(fig, figure_path(out, "l2_regularization"))
    return {"table": table, "best_lambda": best}


if __name__ == "__main__":
    main()
