"""sklearn_mlpreg: scikit-learn compatible multilayer perceptrons in readable numpy.

The estimators behave like any scikit-learn estimator and accept every
parameter of scikit-learn's MLPs, plus the regularization recipe of the
lecture (L1 / elastic net, dropout, small initial weights, early stopping).
"""

import sys as _sys

from ._classifier import MLPClassifier
from ._ensemble import MLPEnsembleClassifier, MLPEnsembleRegressor
from ._exceptions import (
    FarOffWarning,
    FitDivergedError,
    GridEdgeWarning,
    SavedModelVersionError,
    SavedModelVersionWarning,
)
from ._persistence import MOVED_MODULES as _MOVED_MODULES
from ._regressor import MLPRegressor
from ._version import __version__
from .model_selection import MLPClassifierCV, MLPRegressorCV

# Earlier releases' module paths of classes that have moved: saved models name them.
for _old, _new in _MOVED_MODULES.items():
    _sys.modules.setdefault(_old, _sys.modules[_new])

__all__ = ["FarOffWarning", "FitDivergedError", "GridEdgeWarning", "MLPClassifier",
           "MLPClassifierCV",
           "MLPEnsembleClassifier", "MLPEnsembleRegressor", "MLPRegressor",
           "MLPRegressorCV", "SavedModelVersionError", "SavedModelVersionWarning",
           "__version__"]
