"""Practice and HW3 (2): overfitting.

40 samples of y = 3x + 100 U(0, 1), x = -100 .. 95; a 1-100-50-1 ReLU net trained
500 full-batch Adam epochs. The notebook measured train MSE 613 vs test MSE
1702: the wide net learns the noise of its 32 training points. The noise
variance (100 U(0, 1) has variance 833) is the floor an honest model sits on;
the linear model that generated the data is the reference.
"""

from sklearn.linear_model import LinearRegression

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
    n_splits = 2 if quick else 10
    print("Overfitting: 1-100-50-1 ReLU, 500 full-batch Adam epochs (MSE)")
    mlp = evaluate("1-100-50-1 MLP", lambda: scaled(MLPRegressor(
        hidden_layer_sizes=(100, 50), max_iter=50 if quick else 500, random_state=0,
        **LECTURE_TRAINING)), X, y, n_splits)
    linear = evaluate("linear regression", LinearRegression, X, y, n_splits)
    from sklearn_mlpreg import plotting

    X_train, X_test, y_train, y_test = lecture_split(X, y)
    fig, (left, right) = plotting.figure(2)
    plotting.plot_fit(X_train, y_train, {"MLP": mlp["model"], "linear": linear["model"]},
                      ax=left, X_test=X_test, y_test=y_test, title="the MLP follows the noise")
    curve = fitted_mlp(mlp["model"]).loss_curve_
    plotting.plot_loss_curves({"training loss": curve}, ax=right,
                              title="training loss (standardized target)")
    plotting.save(fig, figure_path(out, "overfitting"))
    return {"mlp": mlp, "linear": linear}


if __name__ == "__main__":
    main()
