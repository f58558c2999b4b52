"""The workloads and how each library trains them, timed per epoch.

Every runner trains a fresh (30, 15)- to (512, 256)-unit ReLU regressor with
Adam (learning rate 1e-3, scikit-learn's defaults) for ``epochs`` epochs and
returns seconds per epoch (fit overheads included, spread over the epochs)
and the final training loss (half mean squared error).
"""

from __future__ import annotations

import os
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np


@dataclass
class Workload:
    """One benchmark case."""

    name: str
    n_samples: int
    n_features: int
    hidden: tuple
    batch_size: int
    epochs: int

    def data(self):
        rng = np.random.RandomState(0)
        X = rng.standard_normal((self.n_samples, self.n_features))
        y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.standard_normal(self.n_samples)
        return X, y

    def flops_per_epoch(self) -> float:
        """Multiply-adds of forward and backward products, times 2 (FLOPs)."""
        units = [self.n_features, *self.hidden, 1]
        per_sample = sum(a * b for a, b in zip(units[:-1], units[1:]))
        return 2 * 3 * self.n_samples * per_sample  # forward, weight grads, backprop


WORKLOADS = {
    "tiny": Workload("tiny", 22, 20, (30, 15), 22, 300),
    "small": Workload("small", 1000, 10, (100, 50), 200, 30),
    "medium": Workload("medium", 50_000, 50, (256, 128), 256, 2),
    "large": Workload("large", 200_000, 100, (512, 256), 2048, 1),
}
QUICK_EPOCHS = {"tiny": 100, "small": 10, "medium": 1, "large": 1}


def _params(w: Workload, epochs: int) -> dict:
    return dict(hidden_layer_sizes=w.hidden, batch_size=w.batch_size, max_iter=epochs,
                tol=0.0, n_iter_no_change=epochs + 1, random_state=0)


def run_sklearn(w: Workload, X, y, epochs: int):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model = MLPRegressor(**_params(w, epochs)).fit(X, y)
    return (time.perf_counter() - start) / epochs, float(model.loss_)


def run_ours(w: Workload, X, y, epochs: int, dtype=np.float64, engine: str = ""):
    """sklearn_mlpreg; ``engine="numpy"`` runs the numpy reference engine instead
    of the compiled one (what the compiled kernels earn)."""
    from sklearn.exceptions import ConvergenceWarning

    from sklearn_mlpreg import MLPRegressor

    X = X.astype(dtype)
    with warnings.catch_warnings(), engine_selected(engine):
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model = MLPRegressor(**_params(w, epochs)).fit(X, y)
    return (time.perf_counter() - start) / epochs, float(model.loss_)


@contextmanager
def engine_selected(engine: str):
    """Run the block with ``SKLEARN_MLPREG_ENGINE=engine`` ("" is the default)."""
    before = os.environ.get("SKLEARN_MLPREG_ENGINE")
    os.environ["SKLEARN_MLPREG_ENGINE"] = engine
    try:
        yield
    finally:
        if before is None:
            del os.environ["SKLEARN_MLPREG_ENGINE"]
        else:
            os.environ["SKLEARN_MLPREG_ENGINE"] = before


def _torch_module(w: Workload, dtype):
    import torch

    layers, width = [], w.n_features
    for units in w.hidden:
        layers += [torch.nn.Linear(width, units), torch.nn.ReLU()]
        width = units
    layers.append(torch.nn.Linear(width, 1))
    torch.manual_seed(0)
    return torch.nn.Sequential(*layers).to(dtype)


def run_torch(w: Workload, X, y, epochs: int, dtype_name="float32"):
    """A plain PyTorch loop: shuffled mini-batches, Adam, half MSE."""
    import torch

    dtype = getattr(torch, dtype_name)
    start = time.perf_counter()
    module = _torch_module(w, dtype)
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
    Xt = torch.from_numpy(X).to(dtype)
    yt = torch.from_numpy(y).to(dtype)[:, None]
    n = Xt.shape[0]
    for _ in range(epochs):
        order = torch.randperm(n)
        total = 0.0
        for s in range(0, n, w.batch_size):
            index = order[s:s + w.batch_size]
            optimizer.zero_grad()
            loss = 0.5 * ((module(Xt[index]) - yt[index]) ** 2).mean()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
    return (time.perf_counter() - start) / epochs, total / n


def run_skorch(w: Workload, X, y, epochs: int):
    import torch
    from skorch import NeuralNetRegressor

    start = time.perf_counter()
    net = NeuralNetRegressor(_torch_module(w, torch.float32), max_epochs=epochs,
                             batch_size=w.batch_size, optimizer=torch.optim.Adam, lr=1e-3,
                             train_split=None, verbose=0, iterator_train__shuffle=True)
    net.fit(X.astype(np.float32), y.astype(np.float32)[:, None])
    loss = float(net.history[-1, "train_loss"]) / 2  # skorch reports the MSE
    return (time.perf_counter() - start) / epochs, loss


def available_peers() -> dict:
    """The optional peers that are installed."""
    peers = {}
    try:
        import torch  # noqa: F401

        peers["pytorch f32"] = lambda w, X, y, e: run_torch(w, X, y, e, "float32")
        try:
            import skorch  # noqa: F401

            peers["skorch f32"] = run_skorch
        except ImportError:
            pass
    except ImportError:
        pass
    return peers


def time_predict(estimator_fit, X, rows, repeats):
    """Seconds per predict call of ``rows`` rows (median of ``repeats`` calls)."""
    batch = X[:rows]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        estimator_fit(batch)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def spread(times: dict) -> dict:
    """Each run's repeats (seconds) as the reports give them: ``seconds`` (the
    median), ``min`` and ``max``, each a dict by run."""
    return {"seconds": {k: float(np.median(v)) for k, v in times.items()},
            "min": {k: float(min(v)) for k, v in times.items()},
            "max": {k: float(max(v)) for k, v in times.items()}}

