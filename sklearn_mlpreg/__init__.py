"""sklearn_mlpreg: scikit-learn compatible multilayer perceptrons in readable numpy."""

__version__ = "0.1.0"
