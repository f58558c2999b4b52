"""Side-by-side timings of sklearn_mlpreg against scikit-learn (and PyTorch)."""
