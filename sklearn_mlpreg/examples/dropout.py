"""Practice and HW3 (6): dropout.

1-100-[dropout 0.5]-50-[dropout 0.2]-1: each unit is dropped with its layer's
rate p, masks redrawn for every batch; inverted dropout scales the kept units
by 1 / (1 - p) so nothing changes at test time (the slide's version multiplies
the weights by 1 - p at test time instead: ``dropout_mode="weight_scaling"``).
The notebook: train 1368, test 1255.
"""

from sklearn_mlpreg import MLPRegressor
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
    print("Dropout: 1-100-50-1 ReLU (MSE)")
    results, models = {}, {}
    for name, extra in (("no dropout", {}), ("dropout 0.5, 0.2", {"dropout": (0.5, 0.2)}),
                        ("dropout 0.5, 0.2, weight scaling",
                         {"dropout": (0.5, 0.2), "dropout_mode": "weight_scaling"})):
        results[name] = evaluate(name, lambda extra=extra: scaled(MLPRegressor(
            hidden_layer_sizes=(100, 50), max_iter=50 if quick else 500, random_state=0,
            **LECTURE_TRAINING, **extra)), X, y, 2 if quick else 10)
        models[name] = results[name]["model"]
    from sklearn_mlpreg import plotting

    fig, (ax,) = plotting.figure(1, width=6)
    plotting.plot_fit(X_train, y_train, models, ax=ax, X_test=X_test, y_test=y_test,
                      title="dropout smooths the fit")
    plotting.save(fig, figure_path(out, "dropout"))
    return results


if __name__ == "__main__":
    main()
