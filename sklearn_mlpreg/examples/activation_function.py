"""Practice: the activation function, ReLU vs sigmoid.

"Change the activation function from ReLU to Sigmoid and explain why the
results become worse": the sigmoid's derivative is at most 1/4, so the
gradient reaching the first layers shrinks with every layer (vanishing
gradients). Shown on the MLP regression data, then on deeper networks: the
first layer's gradient norm against the last layer's in the first epoch.
"""

import numpy as np

from sklearn_mlpreg import MLPRegressor
from sklearn_mlpreg._pipeline import fitted_mlp
from sklearn_mlpreg.datasets import make_polynomial
from sklearn_mlpreg.examples._common import (
    LECTURE_TRAINING,
    figure_path,
    lecture_split,
    quietly,
    report,
    scaled,
)
from sklearn_mlpreg.studies import compare_activations


@quietly
def main(quick=False, out="figures"):
    X, y = make_polynomial("quadratic")
    X_train, X_test, y_train, y_test = lecture_split(X, y)
    epochs = 200 if quick else 2000
    print("Activation function: 1-30-15-1 on y = 3x^2 + 25x + 580 (standardized)")
    results, curves = {}, {}
    for activation in ("relu", "logistic"):
        model = scaled(MLPRegressor(hidden_layer_sizes=(30, 15), activation=activation,
                                    max_iter=epochs, random_state=0, **LECTURE_TRAINING))
        model.fit(X_train, y_train)
        results[activation] = report(activation, model, X_train, y_train, X_test, y_test)
        curves[activation] = fitted_mlp(model).loss_curve_
    Xs = (X - X.mean()) / X.std()
    ys = (y - y.mean()) / y.std()
    runs = compare_activations(Xs, ys, depths=(1, 3, 6), max_iter=20 if quick else 200,
                               **LECTURE_TRAINING)
    for _, run in runs.iterrows():
        print(f"  {run['activation']:8s} {run['depth']} hidden layers: first/last layer "
              f"gradient {run['first_epoch_ratio']:.1e}, training R^2 {run['r2']:.3f}")
    results["depths"] = runs[["activation", "depth", "first_epoch_ratio", "r2"]].to_dict(
        "records")
    from sklearn_mlpreg import plotting

    fig, (left, right) = plotting.figure(2)
    plotting.plot_loss_curves(curves, ax=left, title="training loss, 1-30-15-1")
    deep = runs[runs["depth"] == runs["depth"].max()]
    plotting.plot_gradient_norms({r["activation"]: r["gradient_norms"]
                                  for _, r in deep.iterrows()}, ax=right,
                                 title=f"{int(deep['depth'].iloc[0])} hidden layers: "
                                       "gradient per layer")
    plotting.save(fig, figure_path(out, "activation_function"))
    return results


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()
