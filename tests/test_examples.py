"""Every practice of the lecture runs (quick mode) and writes its figure."""

import pytest

from sklearn_mlpreg.__main__ import main
from sklearn_mlpreg.examples import EXAMPLES, run

pytest.importorskip("matplotlib")


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_practice_runs_quickly_and_saves_its_figure(name, tmp_path, capsys):
    results = run(name, quick=True, out=tmp_path)
    assert (tmp_path / f"{name}.png").stat().st_size > 10_000
    assert results and "MSE" in capsys.readouterr().out or name == "classification"


def test_cubic_sparse_data_homework_reaches_r2_098(tmp_path):
    """HW3 (1): 40 samples of 3x^3 + 2x^2 + 5x + 500 U(0, 1), recommended pipeline
    (the old notebook's training MSE was 2e22)."""
    results = run("sparse_data", quick=False, out=tmp_path)
    assert results["cubic"]["test_r2"] >= 0.98
    assert results["quadratic"]["test_r2"] >= 0.98


def test_the_unscaled_target_fails_and_the_pipeline_does_not(tmp_path):
    results = run("mlp_regression", quick=True, out=tmp_path)
    assert results["raw"]["test_mse"] > 100 * results["scaled"]["test_mse"]


def test_study_command_lists_and_runs(tmp_path, capsys):
    assert main(["study", "--list"]) == 0
    assert "overfitting" in capsys.readouterr().out
    assert main(["study", "dropout", "--quick", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "dropout.png").exists()
    with pytest.raises(ValueError, match="unknown practice"):
        run("nothing")
