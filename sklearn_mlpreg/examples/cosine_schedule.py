"""A cosine learning-rate schedule against the constant rate, at equal epochs.

The diabetes data (scikit-learn's, standardized x and y), 300 training rows,
a 10-64-1 ReLU network, Adam with batches of 32 for 100 epochs. At a rate of
0.03 the constant-rate training keeps bouncing around its minimum; the cosine
schedule (``learning_rate="cosine"``) starts at the same rate and anneals it
to zero over the epochs, so the last epochs settle: over 5 seeds the median
training MSE halves (0.169 -> 0.079) and the test MSE drops a little (0.924
-> 0.891) at the same cost. How much the test error gains depends on the
data; the schedule is a way to reach the minimum the rate allows.
"""

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.metrics import mean_squared_error
from sklearn.preprocessing import StandardScaler

from sklearn_mlpreg import MLPRegressor
from sklearn_mlpreg.examples._common import figure_path, quietly


@quietly
def main(quick=False, out="figures"):
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    X_train, y_train, X_test, y_test = X[:300], y[:300], X[300:], y[300:]
    epochs, seeds = (30, 2) if quick else (100, 5)
    print(f"Cosine vs constant rate: diabetes, 10-64-1 ReLU, Adam 0.03, batches of 32, "
          f"{epochs} epochs, {seeds} seeds (MSE of the standardized target)")
    results, curves = {}, {}
    for schedule in ("constant", "cosine"):
        train, test = [], []
        for seed in range(seeds):
            model = MLPRegressor(hidden_layer_sizes=(64,), learning_rate=schedule,
                                 learning_rate_init=0.03, batch_size=32, max_iter=epochs,
                                 tol=0, n_iter_no_change=np.inf, random_state=seed)
            model.fit(X_train, y_train)
            train.append(mean_squared_error(y_train, model.predict(X_train)))
            test.append(mean_squared_error(y_test, model.predict(X_test)))
            if seed == 0:
                curves[f"{schedule} rate"] = model.loss_curve_
        results[schedule] = {"train_mse": float(np.median(train)),
                             "test_mse": float(np.median(test))}
        print(f"  {schedule:8s} rate   median train MSE {results[schedule]['train_mse']:.4f}"
              f"   median test MSE {results[schedule]['test_mse']:.4f}")
    from sklearn_mlpreg import plotting

    fig, (ax,) = plotting.figure(1, width=6)
    plotting.plot_loss_curves(curves, ax=ax, title="training loss per epoch (seed 0)")
    plotting.save(fig, figure_path(out, "cosine_schedule"))
    return results


if __name__ == "__main__":
    main()
