"""The tree stays lint-clean (ruff, configured in pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    if shutil.which("ruff") is None:
        pytest.skip("ruff is not installed (pip install '.[test]')")
    run = subprocess.run(["ruff", "check", "--no-cache", str(ROOT)], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_package_imports_without_optional_extras():
    # matplotlib, tqdm, skops and dask are extras: importing the library must not need them
    script = ("import sys\n"
              "for name in ('matplotlib', 'tqdm', 'skops', 'dask', 'distributed'):\n"
              "    sys.modules[name] = None\n"
              "import sklearn_mlpreg, sklearn_mlpreg.callbacks, sklearn_mlpreg.datasets\n"
              "import sklearn_mlpreg.studies\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
