"""Data sets: the clinical gait table and the lecture's synthetic data."""

from ._gait import load_gait
from ._synthetic import make_polynomial

__all__ = ["load_gait", "make_polynomial"]
