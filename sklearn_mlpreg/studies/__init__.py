"""Studies of the lecture and of the gait data set."""

from .activations import compare_activations
from .bias_variance import (
    BiasVariance,
    bias_variance_decomposition,
    prediction_error_distribution,
)
from .gait import GaitStudyConfig, GaitStudyResults, run_gait_study
from .regularization import regularization_path

__all__ = ["BiasVariance", "GaitStudyConfig", "GaitStudyResults",
           "bias_variance_decomposition", "compare_activations",
           "prediction_error_distribution", "regularization_path", "run_gait_study"]
