"""The benchmark suite runs and writes its report (a smoke test: no timing asserted)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_suite_writes_json_and_markdown(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--workloads", "tiny",
         "--repeats", "1", "--no-cv", "--no-search", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "report.json").read_text())
    libraries = {row["library"] for row in report["training"]}
    assert {"scikit-learn", "sklearn_mlpreg f64", "sklearn_mlpreg f32"} <= libraries
    row = next(r for r in report["training"] if r["library"] == "sklearn_mlpreg f64")
    assert row["ratio"] > 0 and abs(row["loss_vs_sklearn"] - 1) < 0.01
    assert report["peaks"]["float64"] > 0 and "blas" in report["environment"]
    assert {r["workload"] for r in report["predict"]} == {"predict 1 row",
                                                         "predict 10000 rows"}
    assert "| tiny |" in (tmp_path / "report.md").read_text()


def test_search_workloads_compare_equal_searches():
    """The batched search equals GridSearchCV of the same pipeline on the BBS grid
    (a smoke test of the benchmark: no timing asserted)."""
    sys.path.insert(0, str(ROOT))
    from benchmarks import run as suite
    from benchmarks import search_workloads

    result = search_workloads.run_workload(search_workloads.WORKLOADS["bbs_grid"],
                                           quick=True, repeats=1)
    assert result["max_score_difference"] < 1e-8
    assert set(result["seconds"]) == set(search_workloads.RUNS)
    assert all(value > 0 for value in result["seconds"].values())
    text = suite.markdown({"environment": {"numpy": "", "scikit-learn": "", "cpus": 2},
                           "peaks": {"float64": 1.0, "float32": 1.0}, "notes": [],
                           "training": [], "predict": [], "search": [result]})
    assert "| bbs_grid |" in text


def test_device_option_adds_torch_rows_with_scikit_learns_losses(tmp_path):
    """--device cpu: the training and CV workloads also run on PyTorch tensors,
    with the numpy path's losses and scores (a smoke test: no timing asserted)."""
    import pytest

    pytest.importorskip("torch")
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--workloads", "tiny",
         "--repeats", "1", "--cv-workloads", "gait", "--no-search", "--device", "cpu",
         "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "report.json").read_text())
    rows = {row["library"]: row for row in report["training"]}
    for dtype in ("f64", "f32"):
        on_tensors = rows[f"sklearn_mlpreg {dtype}, torch cpu"]["final_loss"]
        assert abs(on_tensors / rows[f"sklearn_mlpreg {dtype}"]["final_loss"] - 1) < 1e-4
    (cv,) = report["cv_device"]
    assert cv["workload"] == "gait" and cv["max_device_difference"] < 1e-8
    assert "torch tensors" in (tmp_path / "report.md").read_text()
