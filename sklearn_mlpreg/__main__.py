"""Command line: ``python -m sklearn_mlpreg [command]`` (also ``sklearn-mlpreg``).

Commands:

* ``gait``: the gait study (TUG, BBS, y1, y2 predicted from the walk, lambda
  chosen by cross-validation, against baselines); prints a table and writes
  ``results.csv`` and figures into ``--out``. ``--sklearn-baseline`` adds
  scikit-learn's MLP with ``GridSearchCV`` (the same scores, 12x the time).
* ``study NAME``: one practice of the lecture (``study --list`` names them),
  printing its train / test errors and saving its figure into ``--out``.
* ``demo``: 5-fold cross-validated R^2 of ``MLPRegressor``
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
    settings = dict(hidden_layer_sizes=(30, 15), solver="lbfgs", alpha=args.alpha,
                  max_iter=500, random_state=args.seed)
    print(f"diabetes: {X.shape[0]} samples, {X.shape[1]} features; 5-fold R^2 of "
          f"StandardScaler + MLP{settings['hidden_layer_sizes']} (lbfgs, "
          f"alpha={args.alpha:g}) with a standardized target")
    for name, mlp in [("sklearn_mlpreg", MLPRegressor(**settings)),
                      ("scikit-learn", neural_network.MLPRegressor(**settings))]:
        model = TransformedTargetRegressor(make_pipeline(StandardScaler(), mlp),
                                           transformer=StandardScaler())
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=500 on purpose
            scores = cross_val_score(model, X, y, cv=cv)
        print(f"  {name:15s} R^2 = {np.mean(scores):.3f} +- {np.std(scores):.3f}"
              f"   ({time.perf_counter() - start:.2f} s)")
    return 0


def gait(args: argparse.Namespace) -> int:
    """Run the gait study, print its table, write its files."""
    from .callbacks._bars import progress_bar
    from .studies.gait import GaitStudyConfig, run_gait_study
    from .studies.gait_report import format_table, write_outputs

    changes = dict(targets=tuple(args.target), seed=args.seed)
    if args.n_jobs is not None:
        changes["n_jobs"] = args.n_jobs
    if args.sklearn_baseline is not None:
        changes["sklearn_baseline"] = args.sklearn_baseline
    if args.hidden is not None:
        changes["hidden_layer_sizes"] = args.hidden
    if args.alphas is not None:
        changes["alphas"] = args.alphas
    if args.class_weight is not None:
        changes["class_weight"] = args.class_weight
    config = GaitStudyConfig.quick(**changes) if args.quick else GaitStudyConfig(**changes)
    print(f"gait study: targets {', '.join(config.targets)}; MLP "
          f"{config.hidden_layer_sizes}, Adam lr {config.learning_rate_init}, "
          f"{config.max_iter} epochs, lambda grid {', '.join(f'{a:g}' for a in config.alphas)}"
          f"{'; quick' if args.quick else ''}")
    start = time.perf_counter()
    results = run_gait_study(config, progress=lambda total: progress_bar(
        total, "fitting", enabled=not args.no_progress))
    print()
    print(format_table(results))
    written = write_outputs(results, args.out)
    print(f"wrote {', '.join(p.name for p in written)} to {args.out}/ "
          f"in {time.perf_counter() - start:.0f} s")
    return 0


def study(args: argparse.Namespace) -> int:
    """Run one practice of the lecture (or list them)."""
    from .examples import EXAMPLES, run

    if args.list or args.name is None:
        for name, description in EXAMPLES.items():
            print(f"  {name:30s} {description}")
        return 0 if args.list else 2
    run(args.name, quick=args.quick, out=args.out)
    print(f"figure: {args.out}/{args.name}.png")
    return 0


def _numbers(kind):
    def parse(text):
        try:
            return tuple(kind(float(v)) if kind is int else kind(v)
                         for v in text.split(",") if v.strip())
        except ValueError as error:
            raise argparse.ArgumentTypeError(f"expected comma-separated numbers: {text!r}"
                                             ) from error
    return parse


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the command line."""
    parser = argparse.ArgumentParser(prog="sklearn-mlpreg", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command")
    gait_parser = commands.add_parser("gait", help="the gait study (the main job)")
    gait_parser.add_argument("--target", nargs="+", choices=["TUG", "BBS", "y1", "y2"],
                             default=["TUG", "BBS", "y1", "y2"], help="targets to study")
    gait_parser.add_argument("--hidden", type=_numbers(int), default=None,
                             help="hidden layer sizes, e.g. 30,15 (default)")
    gait_parser.add_argument("--alphas", type=_numbers(float), default=None,
                             help="lambda grid, e.g. 0.01,1,100 (default 1e-2 .. 1e4)")
    gait_parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    gait_parser.add_argument("--class-weight", choices=["balanced"], default=None,
                             help="class_weight of the classifiers (y1, y2); default none")
    gait_parser.add_argument("--out", default="gait-results",
                             help="output folder (default gait-results/)")
    gait_parser.add_argument("--quick", action="store_true",
                             help="small settings for a smoke test (seconds)")
    baseline = gait_parser.add_mutually_exclusive_group()
    baseline.add_argument("--sklearn-baseline", action="store_true", default=None,
                          help="also run scikit-learn's MLP + GridSearchCV on the same "
                               "folds (the same scores, 12x the time of the whole run; the "
                               "printed table says what it measured)")
    baseline.add_argument("--no-sklearn-baseline", dest="sklearn_baseline",
                          action="store_false",
                          help="skip scikit-learn's MLP (the default; kept so that "
                               "earlier command lines still run)")
    gait_parser.add_argument("--n-jobs", type=int, default=None,
                             help="processes for the outer folds (default 1: on 2 "
                                  "shared cores more cost more to start than they save; "
                                  "-1: every core)")
    gait_parser.add_argument("--no-progress", action="store_true",
                             help="no progress bar")
    gait_parser.set_defaults(func=gait)
    study_parser = commands.add_parser("study", help="one practice of the lecture")
    study_parser.add_argument("name", nargs="?", help="the practice (see --list)")
    study_parser.add_argument("--list", action="store_true", help="list the practices")
    study_parser.add_argument("--quick", action="store_true",
                              help="fewer epochs / rounds (seconds)")
    study_parser.add_argument("--out", default="figures",
                              help="folder for the figure (default figures/)")
    study_parser.set_defaults(func=study)
    demo_parser = commands.add_parser("demo", help="cross-validate on the diabetes data")
    demo_parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo_parser.add_argument("--alpha", type=float, default=10.0,
                             help="L2 strength lambda (default 10)")
    demo_parser.set_defaults(func=demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
