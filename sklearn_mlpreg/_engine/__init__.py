"""The numpy engine: the mathematics of K stacked MLPs, no scikit-learn inside.

Modules, each one responsibility:

* :mod:`.backend` -- numpy or another Array API namespace, host and device;
* :mod:`.jit` -- numba's settings (plain Python without numba);
* :mod:`.rules` -- every per-model rule once: schedules, Adam's bias correction,
  the stopping and divergence rules, the proximal L1 step, constants and codes
  (called by the reference and by the compiled code alike);
* :mod:`.formulas` -- every element-wise formula once: activations and their
  derivatives, saturation tests, loss terms and the output delta, the SGD and
  Adam updates of one parameter (compiled on one element, or on whole arrays);
* :mod:`.scalar` -- the namespace of one element the formulas compile with;
* :mod:`.types` -- training config, training data, the per-epoch hooks protocol;
* :mod:`.activations` -- hidden and output activations with derivatives;
* :mod:`.losses` -- data losses paired with their output activation;
* :mod:`.averages` -- weighted means over samples (losses and scores);
* :mod:`.penalties` -- weight penalties (biases excluded);
* :mod:`.layout` -- the flat parameter buffer: where each layer's weights and
  biases live;
* :mod:`.initializers` -- initial weights;
* :mod:`.network` -- architecture, the forward pass, backpropagation;
* :mod:`.dropout` -- dropout masks and Monte-Carlo dropout;
* :mod:`.objective` -- loss and gradient of one batch;
* :mod:`.optimizers` -- SGD and Adam over the flat parameter buffer;
* :mod:`.scores` -- R^2, accuracy, ... of K models from stacked predictions;
* :mod:`.state` -- per-model progress and curves;
* :mod:`.stack` -- the models still training: their rows, weights and batches;
* :mod:`.settings` -- the named per-model settings the compiled code reads;
* :mod:`.training` -- the stochastic training loop and early stopping;
* :mod:`.lbfgs` -- full-batch L-BFGS for one network;
* :mod:`.compiled` -- the same steps compiled with numba (the fast path; the
  numpy modules above are its reference).

The shell (the estimators) imports the names below from this facade.
"""

from .activations import ACTIVATIONS
from .backend import copy, device, is_numpy, move, namespace, to_numpy
from .dropout import DROPOUT_MODES, predict_stochastic
from .initializers import initialize
from .layout import Layout
from .lbfgs import train_lbfgs
from .network import Architecture, predict
from .optimizers import SGD, Adam
from .penalties import PENALTY_NAMES, check_group_penalty
from .scores import SCORES, score
from .state import (
    CONVERGED,
    DIVERGED,
    DIVERGED_RESTORED,
    MAX_ITER,
    WORSE_THAN_START,
    TrainingState,
)
from .training import train
from .types import EpochHooks, TrainingConfig, TrainingData, rows_per_batch

__all__ = [
    "ACTIVATIONS", "Adam", "Architecture", "CONVERGED", "DIVERGED", "DIVERGED_RESTORED",
    "DROPOUT_MODES", "EpochHooks", "Layout", "MAX_ITER", "PENALTY_NAMES", "SCORES", "SGD",
    "TrainingConfig", "TrainingData", "TrainingState", "WORSE_THAN_START", "initialize",
    "predict", "predict_stochastic", "rows_per_batch", "score", "train", "train_lbfgs",
    "copy", "device", "is_numpy", "move", "namespace", "to_numpy", "check_group_penalty",
]
