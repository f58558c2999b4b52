"""Studies of the lecture and of the gait data set."""

from .gait import GaitStudyConfig, GaitStudyResults, run_gait_study

__all__ = ["GaitStudyConfig", "GaitStudyResults", "run_gait_study"]
