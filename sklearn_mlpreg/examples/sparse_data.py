"""Practice and HW3 (1): learn a quadratic and a cubic from 40 sparse samples.

x = -5000 .. 4750 step 250; y = 3x^3 + 2x^2 + 5x + 500 U(0, 1) (the notebook's
training MSE was about 2e22: it trained on the raw values) and the quadratic
3x^2 + 25x + 580. With x and y standardized the 1-30-15-1 network learns both
curves from 32 training points.
"""

import numpy as np

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
    epochs = 500 if quick else 5000
    results, fits = {}, {}
    print("Sparse data: 40 samples, 1-30-15-1 ReLU, Adam 0.005, full batch")
    for kind in ("quadratic", "cubic"):
        X, y = make_polynomial(kind, start=-5000, stop=5000, step=250, random_state=0)
        X_train, X_test, y_train, y_test = lecture_split(X, y)
        model = scaled(MLPRegressor(hidden_layer_sizes=(30, 15), max_iter=epochs,
                                    random_state=0, **LECTURE_TRAINING))
        model.fit(X_train, y_train)
        results[kind] = report(f"{kind} (standardized x and y)", model, X_train, y_train,
                               X_test, y_test)
        fits[kind] = (X_train, y_train, X_test, y_test, model)
    from sklearn_mlpreg import plotting

    fig, axes = plotting.figure(2)
    for ax, (kind, (X_train, y_train, X_test, y_test, model)) in zip(axes, fits.items()):
        plotting.plot_fit(X_train, y_train, {"MLP": model}, ax=ax, X_test=X_test,
                          y_test=y_test, title=f"{kind}: test R^2 "
                          f"{results[kind]['test_r2']:.3f}")
    plotting.save(fig, figure_path(out, "sparse_data"))
    return results


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()
