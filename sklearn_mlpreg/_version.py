"""The library's version: one place, read by the package and by its build."""

__version__ = "0.3.0"
