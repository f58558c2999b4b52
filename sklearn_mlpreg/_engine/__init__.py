"""The numpy engine: the mathematics of K stacked MLPs, no scikit-learn inside.

Modules, each one responsibility:

* :mod:`.backend` -- numpy or another Array API namespace, host and device;
* :mod:`.types` -- training config, training data, the per-epoch hooks protocol;
* :mod:`.activations` -- hidden and output activations with derivatives;
* :mod:`.losses` -- data losses paired with their output activation;
* :mod:`.averages` -- weighted means over samples (losses and scores);
* :mod:`.penalties` -- weight penalties (biases excluded);
* :mod:`.initializers` -- initial weights;
* :mod:`.network` -- architecture, parameter layout, the forward pass, backpropagation;
* :mod:`.dropout` -- dropout masks and Monte-Carlo dropout;
* :mod:`.objective` -- loss and gradient of one batch;
* :mod:`.optimizers` -- SGD and Adam over the flat parameter buffer;
* :mod:`.scores` -- R^2, accuracy, ... of K models from stacked predictions;
* :mod:`.state` -- per-model progress and curves, the stopping and divergence rules;
* :mod:`.training` -- the stochastic training loop and early stopping;
* :mod:`.lbfgs` -- full-batch L-BFGS for one network;
* :mod:`.compiled` -- the same steps compiled with numba (the fast path; the
  numpy modules above are its reference).

The shell (the estimators) imports from this facade only.
"""

from .activations import ACTIVATIONS
from .backend import device, is_numpy, move, namespace, to_numpy
from .dropout import DROPOUT_MODES, predict_stochastic
from .initializers import initialize
from .layout import Layout
from .lbfgs import train_lbfgs
from .network import Architecture, predict
from .optimizers import SGD, Adam
from .penalties import PENALTY_NAMES
from .scores import SCORES, score
from .state import (
    CONVERGED,
    DIVERGED,
    DIVERGED_RESTORED,
    MAX_ITER,
    TrainingState,
)
from .training import train
from .types import EpochHooks, TrainingConfig, TrainingData, rows_per_batch

__all__ = [
    "ACTIVATIONS", "Adam", "Architecture", "CONVERGED", "DIVERGED", "DIVERGED_RESTORED",
    "DROPOUT_MODES", "EpochHooks", "Layout", "MAX_ITER", "PENALTY_NAMES", "SCORES", "SGD",
    "TrainingConfig", "TrainingData", "TrainingState", "initialize", "predict",
    "predict_stochastic", "rows_per_batch", "score", "train", "train_lbfgs",
    "device", "is_numpy", "move", "namespace", "to_numpy",
]
