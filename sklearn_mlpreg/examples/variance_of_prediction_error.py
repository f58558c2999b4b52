"""Practice and HW3 (7): variance of the prediction error, bias and variance.

The notebook restored the same initial weights before each of 300 trainings
of a 1-200-150-1 net and collected the test MSE. Retraining from the same
weights with full batches is deterministic, so that spread is zero here (it
was nonzero only through a source of randomness the notebook did not name);
new initial weights give the spread the slide shows. The bootstrap
decomposition then separates squared bias from variance for a simple and a
complex network: the complex one has the smaller bias and the larger
variance ("simpler model is less influenced by the sampled data").
"""

import numpy as np

from sklearn_mlpreg import MLPRegressor
from sklearn_mlpreg.datasets import make_polynomial
from sklearn_mlpreg.examples._common import (
    LECTURE_TRAINING,
    figure_path,
    lecture_split,
    quietly,
    scaled,
)
from sklearn_mlpreg.studies import (
    bias_variance_decomposition,
    prediction_error_distribution,
)


@quietly
def main(quick=False, out="figures"):
    X, y = make_polynomial("linear", random_state=0)
    epochs, rounds = (30, 4) if quick else (500, 300)
    net = scaled(MLPRegressor(hidden_layer_sizes=(200, 150), max_iter=epochs,
                              random_state=0, **LECTURE_TRAINING))
    print(f"Variance of the prediction error: 1-200-150-1, {rounds} retrainings")
    spread = {}
    for name, same in (("same initial weights", True), ("new initial weights", False)):
        errors = prediction_error_distribution(net, X, y, n_rounds=rounds,
                                               same_initial_weights=same)["test_error"]
        spread[name] = errors
        print(f"  {name:25s} test MSE {errors.mean():8.1f} +- {errors.std():6.1f} "
              f"(min {errors.min():.1f}, max {errors.max():.1f})")
    X_train, X_test, y_train, y_test = lecture_split(X, y)
    decompositions = {}
    for name, hidden in (("1-5-1", (5,)), ("1-200-150-1", (200, 150))):
        model = scaled(MLPRegressor(hidden_layer_sizes=hidden, max_iter=epochs,
                                    random_state=0, **LECTURE_TRAINING))
        result = bias_variance_decomposition(model, X_train, y_train, X_test, y_test,
                                             n_rounds=rounds if quick else 50,
                                             random_state=0)
        decompositions[name] = result
        print(f"  {name:25s} expected MSE {result.expected_loss:8.1f} = bias^2 "
              f"{result.bias:8.1f} + variance {result.variance:7.1f}")
    from sklearn_mlpreg import plotting

    fig, (left, right) = plotting.figure(2)
    plotting.plot_error_distribution(spread, ax=left,
                                     title=f"test MSE over {rounds} retrainings")
    plotting.plot_bias_variance(decompositions, ax=right, title="bootstrap: bias vs variance")
    plotting.save(fig, figure_path(out, "variance_of_prediction_error"))
    return {"spread": {k: float(np.std(v)) for k, v in spread.items()},
            "decomposition": {k: v.as_dict() for k, v in decompositions.items()}}


if __name__ == "__main__":
    main()
