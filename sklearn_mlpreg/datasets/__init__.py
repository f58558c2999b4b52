"""Data sets: the clinical gait table and the lecture's synthetic data."""

from ._gait import load_gait

__all__ = ["load_gait"]
