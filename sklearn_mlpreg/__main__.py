"""Command line: ``python -m sklearn_mlpreg [command]`` (also ``sklearn-mlpreg``).

Commands:

* ``demo`` (the default): 5-fold cross-validated R^2 of ``MLPRegressor``
  next to scikit-learn's, on scikit-learn's diabetes data, with standardized
  features and target (the lecture: an unscaled target makes training fail).
"""

from __future__ import annotations

import argparse
import sys
import time


def demo(args: argparse.Namespace) -> int:
    """Cross-validate sklearn_mlpreg's MLPRegressor and scikit-learn's side by side."""
    import warnings

    import numpy as np
    from sklearn import neural_network
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.datasets import load_diabetes
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from . import MLPRegressor

    X, y = load_diabetes(return_X_y=True)
    cv = KFold(5, shuffle=True, random_state=args.seed)
    params = dict(hidden_layer_sizes=(30, 15), solver="lbfgs", alpha=args.alpha,
                  max_iter=500, random_state=args.seed)
    print(f"diabetes: {X.shape[0]} samples, {X.shape[1]} features; 5-fold R^2 of "
          f"StandardScaler + MLP{params['hidden_layer_sizes']} (lbfgs, "
          f"alpha={args.alpha:g}) with a standardized target")
    for name, mlp in [("sklearn_mlpreg", MLPRegressor(**params)),
                      ("scikit-learn", neural_network.MLPRegressor(**params))]:
        model = TransformedTargetRegressor(make_pipeline(StandardScaler(), mlp),
                                           transformer=StandardScaler())
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=500 on purpose
            scores = cross_val_score(model, X, y, cv=cv)
        print(f"  {name:15s} R^2 = {np.mean(scores):.3f} +- {np.std(scores):.3f}"
              f"   ({time.perf_counter() - start:.2f} s)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the command line."""
    parser = argparse.ArgumentParser(prog="sklearn-mlpreg", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command")
    demo_parser = commands.add_parser("demo", help="cross-validate on the diabetes data")
    for p in (parser, demo_parser):
        p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        p.add_argument("--alpha", type=float, default=10.0,
                       help="L2 strength lambda (default 10)")
    parser.set_defaults(func=demo)
    demo_parser.set_defaults(func=demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
