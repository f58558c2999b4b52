"""sklearn_mlpreg: scikit-learn compatible multilayer perceptrons in readable numpy.

The estimators behave like any scikit-learn estimator and accept every
parameter of scikit-learn's MLPs, plus the regularization recipe of the
lecture (L1 / elastic net, dropout, small initial weights, early stopping).
"""

from ._classifier import MLPClassifier
from ._ensemble import MLPEnsembleClassifier, MLPEnsembleRegressor
from ._exceptions import FitDivergedError, GridEdgeWarning
from ._regressor import MLPRegressor
from .model_selection import MLPClassifierCV, MLPRegressorCV

__version__ = "0.1.0"

__all__ = ["FitDivergedError", "GridEdgeWarning", "MLPClassifier", "MLPClassifierCV",
           "MLPEnsembleClassifier", "MLPEnsembleRegressor", "MLPRegressor",
           "MLPRegressorCV", "__version__"]
