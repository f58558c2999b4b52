"""Practice and HW3 (5): L1 regularization.

The overfitting problem with ``penalty="l1"``: the slide's update
``w <- w - eta dL/dw - eta lambda sgn(w)`` ("always delete"), stopped at
exactly zero, so many weights end at exactly 0. The notebook added
10 * sum |w| to the loss (train 770, test 426).
"""

import numpy as np

from sklearn_mlpreg import MLPRegressor
from sklearn_mlpreg._pipeline import fitted_mlp
from sklearn_mlpreg.datasets import make_polynomial
from sklearn_mlpreg.examples._common import (
    LECTURE_TRAINING,
    evaluate,
    figure_path,
    lecture_split,
    quietly,
    scaled,
)


@quietly
def main(quick=False, out="figures"):
    X, y = make_polynomial("linear", random_state=0)
    X_train, X_test, y_train, y_test = lecture_split(X, y)
    print("L1 regularization: 1-100-50-1 ReLU (MSE)")
    results, models = {}, {}
    for alpha in (0.0, 0.01, 0.03, 0.1):
        def make_model(alpha=alpha):
            return scaled(MLPRegressor(
                hidden_layer_sizes=(100, 50), penalty="l1", alpha=alpha,
                max_iter=50 if quick else 500, random_state=0, **LECTURE_TRAINING))

        results[alpha] = evaluate(f"lambda = {alpha:g}", make_model, X, y,
                                  2 if quick else 10)
        model = results[alpha]["model"]
        weights = np.concatenate([W.ravel() for W in fitted_mlp(model).coefs_])
        results[alpha]["zero_weights"] = float(np.mean(weights == 0))
        print(f"    {100 * results[alpha]['zero_weights']:.0f}% of the weights are "
              "exactly 0")
        models[f"lambda {alpha:g}"] = model
    from sklearn_mlpreg import plotting

    fig, (ax,) = plotting.figure(1, width=6)
    plotting.plot_fit(X_train, y_train, models, ax=ax, X_test=X_test, y_test=y_test,
                      title="L1: stronger lambda, simpler function")
    plotting.save(fig, figure_path(out, "l1_regularization"))
    return results


if __name__ == "__main__":
    main()
