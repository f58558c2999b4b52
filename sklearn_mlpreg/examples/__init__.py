"""One script per practice of the lecture, each printing its numbers and
saving its figure.

Run one with ``python -m sklearn_mlpreg study NAME`` (``--list`` shows the
names) or ``python -m sklearn_mlpreg.examples.NAME``. Every module has
``main(quick=False, out="figures")``, which returns the numbers it printed.
"""

from importlib import import_module

#: name -> one-line description, in the lecture's order.
EXAMPLES = {
    "mlp_regression": "MLP regression: an unscaled target makes training fail",
    "activation_function": "ReLU vs sigmoid: vanishing gradients",
    "sparse_data": "HW3 (1): a quadratic and a cubic from 40 sparse samples",
    "overfitting": "HW3 (2): a wide network fits the noise",
    "early_stop": "HW3 (3): early stopping on a validation split",
    "l2_regularization": "HW3 (4): L2, the lambda table",
    "l1_regularization": "HW3 (5): L1, exact zeros",
    "small_initial_weights": "small initial weights regularize",
    "dropout": "HW3 (6): dropout 0.5 / 0.2",
    "variance_of_prediction_error": "HW3 (7): variance of the error, bias and variance",
    "classification": "MLP classification of two Gaussian classes",
    "cosine_schedule": "a cosine learning-rate schedule vs the constant rate",
    "seed_ensemble": "ten seeds: the ensemble mean and its spread",
}


def run(name: str, quick: bool = False, out: str = "figures") -> dict:
    """Run the practice ``name``; return what it printed, as numbers.

    Parameters
    ----------
    name : str
        One of :data:`EXAMPLES`' keys, e.g. ``"l2_regularization"``.
    quick : bool, default=False
        Smaller settings (fewer epochs and repetitions), for smoke tests.
    out : str, default="figures"
        Folder the practice writes its figure to.

    Returns
    -------
    numbers : dict
        The figures of merit the practice printed (errors, lambdas, ...).
    """
    if name not in EXAMPLES:
        raise ValueError(f"unknown practice {name!r}; choose one of {sorted(EXAMPLES)}")
    return import_module(f"{__name__}.{name}").main(quick=quick, out=out)
