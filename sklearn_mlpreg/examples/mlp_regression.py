"""Practice: MLP regression, y = 3x^2 + 25x + 580 on x = -5000 .. 4900.

The notebook trained a 1-30-15-1 ReLU net with Adam (rate 0.005, full batch,
2000 epochs) on the raw x and y, and its test MSE was about 6.4e13: with
targets around 1e7 the weights cannot reach the scale of the output. The same
network in the recommended pipeline (standardized x and y) fits the curve.
"""

from sklearn_mlpreg import MLPRegressor
from sklearn_mlpreg.datasets import make_polynomial
from sklearn_mlpreg.examples._common import (
    LECTURE_TRAINING,
    figure_path,
    lecture_split,
    quietly,
    report,
    scaled,
)


@quietly
def main(quick=False, out="figures"):
    X, y = make_polynomial("quadratic")
    X_train, X_test, y_train, y_test = lecture_split(X, y)
    epochs = 200 if quick else 2000
    net = dict(hidden_layer_sizes=(30, 15), max_iter=epochs, random_state=0,
               **LECTURE_TRAINING)
    print("MLP regression: 1-30-15-1 ReLU, Adam 0.005, full batch")
    raw = MLPRegressor(**net).fit(X_train, y_train)
    recommended = scaled(MLPRegressor(**net)).fit(X_train, y_train)
    results = {"raw": report("raw x and y (the notebook)", raw, X_train, y_train,
                             X_test, y_test),
               "scaled": report("standardized x and y (Pipeline)", recommended,
                                X_train, y_train, X_test, y_test)}
    from sklearn_mlpreg import plotting

    fig, (ax,) = plotting.figure(1, width=6)
    plotting.plot_fit(X_train, y_train, {"raw x and y": raw, "standardized": recommended},
                      ax=ax, X_test=X_test, y_test=y_test,
                      title="y = 3x^2 + 25x + 580: scaling decides")
    plotting.save(fig, figure_path(out, "mlp_regression"))
    return results


if __name__ == "__main__":
    main()
