"""Practice and HW3 (3): early stopping.

80 samples of y = 3x + 100 U(0, 1), x = -200 .. 195. The notebook split the
training set again 80/20 into train and validation and stopped when the
validation loss rose on 2 consecutive epochs. Here ``early_stopping=True``
holds out ``validation_fraction=0.2`` of the training set, stops after
``n_iter_no_change=2`` epochs without improvement, and keeps the weights of
the best validation epoch. Adam's validation curve is noisy, so a patience
of 2 stops within a few epochs, underfit (the notebook too: train MSE 5393,
far above the noise floor of 833); a patience of 20 lets it learn the trend
first.
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
    X, y = make_polynomial("linear", start=-200, stop=200, random_state=0)
    epochs, n_splits = (50, 2) if quick else (500, 10)
    net = dict(hidden_layer_sizes=(100, 50), max_iter=epochs, random_state=0,
               **LECTURE_TRAINING)
    print("Early stopping: 1-100-50-1 ReLU, validation = 20% of the training set (MSE)")
    full = evaluate(f"{epochs} epochs, no stopping", lambda: scaled(MLPRegressor(**net)),
                    X, y, n_splits)
    early = evaluate("early stopping, patience 2", lambda: scaled(MLPRegressor(
        **{**net, "early_stopping": True, "validation_fraction": 0.2,
           "n_iter_no_change": 2})), X, y, n_splits)
    patient = evaluate("early stopping, patience 20", lambda: scaled(MLPRegressor(
        **{**net, "early_stopping": True, "validation_fraction": 0.2,
           "n_iter_no_change": 20})), X, y, n_splits)
    stopped = fitted_mlp(early["model"])
    print(f"    (lecture split: stopped at epoch {stopped.n_iter_}, weights of the best "
          "validation epoch kept)")
    early["epochs"] = stopped.n_iter_
    from sklearn_mlpreg import plotting

    fig, (ax,) = plotting.figure(1, width=6)
    plotting.plot_loss_curves({"training loss": stopped.loss_curve_,
                               "validation loss": stopped.validation_loss_curve_}, ax=ax,
                              title=f"stopped after {stopped.n_iter_} epochs")
    plotting.save(fig, figure_path(out, "early_stop"))
    return {"no_stopping": full, "early_stopping": early, "patience_20": patient}


if __name__ == "__main__":
    main()
