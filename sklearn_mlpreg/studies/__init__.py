"""Studies of the lecture and of the gait data set."""

from .activations import compare_activations
from .bias_variance import (
    BiasVariance,
    bias_variance_decomposition,
    prediction_error_distribution,
)
from .gait import GaitStudyConfig, GaitStudyResults, run_gait_study
from .intervals import Coverage, coverage_leave_one_out, coverage_on_halves
from .regularization import GroupPath, group_path, plot_group_path, regularization_path

__all__ = ["BiasVariance", "Coverage", "GaitStudyConfig", "GaitStudyResults", "GroupPath",
           "bias_variance_decomposition", "compare_activations", "coverage_leave_one_out",
           "coverage_on_halves", "group_path",
           "plot_group_path", "prediction_error_distribution", "regularization_path",
           "run_gait_study"]
