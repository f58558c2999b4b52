"""The main job: python -m sklearn_mlpreg gait, end to end in quick mode."""

import pandas as pd
import pytest

from sklearn_mlpreg.__main__ import main
from sklearn_mlpreg.datasets import load_gait
from sklearn_mlpreg.studies.gait import GaitStudyConfig, outer_splits


def test_quick_run_writes_its_table_and_figures(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "results"
    assert main(["gait", "--quick", "--no-progress", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for target in ("TUG", "BBS", "y1", "y2"):
        assert target in printed
    assert "R^2" in printed and "ROC AUC" in printed and "lambda chosen" in printed
    table = pd.read_csv(out / "results.csv")
    assert set(table["target"]) == {"TUG", "BBS", "y1", "y2"}
    ours = table[table["model"].str.startswith("sklearn_mlpreg")].set_index("target")
    dummy = table[table["model"].str.startswith("Dummy")].set_index("target")
    for target in ("TUG", "BBS"):  # the MLP beats predicting the mean
        assert ours.loc[target, "R2"] > dummy.loc[target, "R2"] + 0.3
    for target in ("y1", "y2"):
        assert ours.loc[target, "ROC_AUC"] > 0.7 and dummy.loc[target, "ROC_AUC"] == 0.5
    assert ours["lambda_median"].notna().all()
    for name in ("predicted_vs_measured.png", "roc_curves.png", "lambda_table.png"):
        assert (out / name).stat().st_size > 10_000
    lambdas = pd.read_csv(out / "lambda_table_BBS.csv")
    assert list(lambdas.columns) == ["lambda", "train_error", "test_error",
                                     "test_error_std"] and len(lambdas) == 3
    # the clinic's answers: held-out jackknife+ intervals, both lambdas, kept measures
    for target in ("TUG", "BBS"):
        assert 0.6 <= ours.loc[target, "interval_coverage"] <= 1.0
        assert ours.loc[target, "interval_width"] > 0
        assert f"{target}: 90% jackknife+ intervals of the MLP cover" in printed
        assert "gait measures" in printed.split(f"{target}: lambda on all adults")[1]
    assert "one standard error" in printed
    for name in ("intervals.png", "lambda_1se.png"):
        assert (out / name).stat().st_size > 10_000


def test_options_select_targets_network_and_grid(tmp_path, capsys):
    out = tmp_path / "r"
    main(["gait", "--quick", "--no-progress", "--target", "y1", "--hidden", "8",
          "--alphas", "0.1,10", "--seed", "3", "--out", str(out)])
    table = pd.read_csv(out / "results.csv")
    assert set(table["target"]) == {"y1"}
    assert "MLP (8,)" in capsys.readouterr().out
    lambdas = pd.read_csv(out / "lambda_table_y1.csv")["lambda"]
    assert list(lambdas) == [0.1, 10.0]


def test_outer_resampling_is_loo_for_regression_stratified_for_classification():
    config = GaitStudyConfig()
    _, tug = load_gait(target="TUG", return_X_y=True)
    assert len(outer_splits("TUG", tug, config)) == 23
    _, y2 = load_gait(target="y2", return_X_y=True)
    splits = outer_splits("y2", y2, config)
    assert len(splits) == 3 * config.n_repeats
    assert all(y2[test].sum() >= 2 and (1 - y2[test]).sum() >= 2 for _, test in splits)


def test_progress_shows_each_fold_with_the_networks_losses(tmp_path, capsys):
    pytest.importorskip("tqdm")
    main(["gait", "--quick", "--target", "BBS", "--no-sklearn-baseline",
          "--out", str(tmp_path)])
    shown = capsys.readouterr().err
    assert "69/69" in shown  # one tick per outer fold: 3 models x 23 (leave-one-out)
    assert "loss=" in shown and "cv_score=" in shown and "target=BBS" in shown


def test_class_weight_option_reaches_the_classifiers():
    from sklearn_mlpreg.__main__ import build_parser
    from sklearn_mlpreg.studies.gait import models_for

    args = build_parser().parse_args(["gait", "--class-weight", "balanced"])
    assert args.class_weight == "balanced"
    models = models_for("y2", GaitStudyConfig(class_weight="balanced", sklearn_baseline=False))
    assert models["sklearn_mlpreg MLP (lambda by CV)"][-1].class_weight == "balanced"
    assert models["LogisticRegressionCV"][-1].class_weight == "balanced"
    assert models_for("y2", GaitStudyConfig())["LogisticRegressionCV"][-1].class_weight is None


def test_the_default_skips_the_sklearn_baseline_and_the_table_says_how_to_run_it(
        tmp_path, capsys):
    from sklearn_mlpreg.__main__ import build_parser
    from sklearn_mlpreg.studies.gait import BASELINE_COMMAND, BASELINE_NAME, models_for

    assert GaitStudyConfig().sklearn_baseline is False
    assert BASELINE_NAME not in models_for("TUG", GaitStudyConfig())
    parse = build_parser().parse_args
    assert parse(["gait"]).sklearn_baseline is None  # the config's default: off
    assert parse(["gait", "--no-sklearn-baseline"]).sklearn_baseline is False  # still runs
    assert parse(["gait", "--sklearn-baseline"]).sklearn_baseline is True
    out = tmp_path / "r"
    assert main(["gait", "--quick", "--no-progress", "--target", "BBS", "--out",
                 str(out)]) == 0
    printed = capsys.readouterr().out
    assert BASELINE_COMMAND in printed and "same scores" in printed
    assert "python -m sklearn_mlpreg gait --sklearn-baseline" in printed
    table = pd.read_csv(out / "results.csv")
    assert BASELINE_NAME not in set(table["model"])
    assert table.notna().any().all()  # no empty column for the missing baseline


def test_the_flag_runs_the_sklearn_baseline_on_the_same_folds(tmp_path, capsys):
    from sklearn_mlpreg.studies.gait import BASELINE_NAME

    out = tmp_path / "r"
    assert main(["gait", "--quick", "--no-progress", "--target", "y1", "--alphas", "0.1,10",
                 "--sklearn-baseline", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert BASELINE_NAME in printed and "was not run" not in printed
    table = pd.read_csv(out / "results.csv").set_index("model")
    assert set(table.index) == {"sklearn_mlpreg MLP (lambda by CV)", "LogisticRegressionCV",
                                "Dummy (prior)", BASELINE_NAME}
    ours, theirs = table.loc["sklearn_mlpreg MLP (lambda by CV)"], table.loc[BASELINE_NAME]
    for column in ("ROC_AUC", "balanced_accuracy", "lambda_median"):
        assert abs(ours[column] - theirs[column]) < 1e-12  # the same networks


def test_the_results_do_not_depend_on_n_jobs():
    from sklearn_mlpreg.studies.gait import run_gait_study

    config = dict(targets=("TUG",), alphas=(0.1, 10.0), max_iter=30)
    one = run_gait_study(GaitStudyConfig.quick(n_jobs=1, **config))
    two = run_gait_study(GaitStudyConfig.quick(n_jobs=2, **config))
    pd.testing.assert_frame_equal(one.table, two.table, rtol=0, atol=1e-12)
    pd.testing.assert_frame_equal(one.lambda_tables["TUG"], two.lambda_tables["TUG"],
                                  rtol=0, atol=1e-12)
