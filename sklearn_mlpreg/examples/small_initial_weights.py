"""Practice: regularization with small initial weights.

Every weight and bias drawn from N(0, 0.002^2) (``weight_init=0.002``): the
network starts almost flat, and a fixed number of epochs takes it less far
toward fitting the noise (the notebook: train MSE 1012).
"""

from sklearn_mlpreg import MLPRegressor
from sklearn_mlpreg._pipeline import fitted_mlp
from sklearn_mlpreg.datasets import make_polynomial
from sklearn_mlpreg.examples._common import (
    LECTURE_TRAINING,
    evaluate,
    figure_path,
    quietly,
    scaled,
)


@quietly
def main(quick=False, out="figures"):
    X, y = make_polynomial("linear", random_state=0)
    print("Small initial weights: 1-100-50-1 ReLU (MSE)")
    results, curves = {}, {}
    for name, init in (("Glorot (default)", "glorot_uniform"), ("N(0, 0.002^2)", 0.002)):
        results[name] = evaluate(name, lambda init=init: scaled(MLPRegressor(
            hidden_layer_sizes=(100, 50), weight_init=init, max_iter=50 if quick else 500,
            random_state=0, **LECTURE_TRAINING)), X, y, 2 if quick else 10)
        curves[name] = fitted_mlp(results[name]["model"]).loss_curve_
    from sklearn_mlpreg import plotting

    fig, (ax,) = plotting.figure(1, width=6)
    plotting.plot_loss_curves(curves, ax=ax, title="training loss from two starts")
    plotting.save(fig, figure_path(out, "small_initial_weights"))
    return results


if __name__ == "__main__":
    main()
