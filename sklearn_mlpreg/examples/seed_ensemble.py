"""A seed ensemble: ten networks that differ only in their random seed.

30 noisy samples of a sine with a gap in the middle (no data for 0 < x < 1.5),
and 12 test points in the gap. Each member (1-50-1 tanh, Adam 0.01) fits the
training points; between and beyond them each bridges in its own way. Their
mean is one prediction and their spread (``predict(X, return_std=True)``) a
cheap estimate of where the model does not know: small on the data, large in
the gap and beyond it. The ten members train in one stack, each equal to
fitting it alone with its seed.
"""

import numpy as np
from sklearn.metrics import mean_squared_error

from sklearn_mlpreg import MLPEnsembleRegressor, MLPRegressor
from sklearn_mlpreg.examples._common import figure_path, quietly


def _data(rng):
    X = np.concatenate([rng.uniform(-3, 0, 20), rng.uniform(1.5, 3, 10)])[:, None]
    X_test = rng.uniform(0, 1.5, 12)[:, None]
    truth = lambda x: np.sin(1.5 * x)  # noqa: E731
    return (X, truth(X[:, 0]) + 0.15 * rng.randn(30), X_test,
            truth(X_test[:, 0]) + 0.15 * rng.randn(12))


@quietly
def main(quick=False, out="figures"):
    X, y, X_test, y_test = _data(np.random.RandomState(0))
    epochs = 200 if quick else 1000
    ensemble = MLPEnsembleRegressor(
        MLPRegressor(hidden_layer_sizes=(50,), activation="tanh", learning_rate_init=0.01,
                     max_iter=epochs, tol=0, n_iter_no_change=np.inf),
        n_members=10, random_state=0).fit(X, y)
    members = [mean_squared_error(y_test, m.predict(X_test)) for m in ensemble.estimators_]
    mean_mse = mean_squared_error(y_test, ensemble.predict(X_test))
    spread = {name: float(ensemble.predict(np.array([[x]]), return_std=True)[1][0])
              for name, x in (("on the data (x=-1.5)", -1.5), ("in the gap (x=0.75)", 0.75),
                              ("beyond the data (x=4.5)", 4.5))}
    print(f"Seed ensemble: 10 x 1-50-1 tanh, {epochs} epochs, 30 training points with a "
          "gap, 12 test points in it")
    print(f"  members' test MSE: median {np.median(members):.4f} "
          f"[{min(members):.4f}, {max(members):.4f}]; the ensemble mean's {mean_mse:.4f}")
    print("  members' spread (std): " + ", ".join(f"{name} {value:.3f}"
                                                  for name, value in spread.items()))
    from sklearn_mlpreg import plotting

    fig, (ax,) = plotting.figure(1, width=6)
    plotting.plot_ensemble_band(X, y, ensemble, ax=ax, X_test=X_test, y_test=y_test,
                                margin=0.25, title="ten seeds: mean and spread")
    plotting.save(fig, figure_path(out, "seed_ensemble"))
    return {"member_test_mse": float(np.median(members)), "ensemble_test_mse": mean_mse,
            "spread": spread}


if __name__ == "__main__":
    main()
