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


def test_without_numba_the_numpy_engine_trains():
    """numba is a dependency for speed only: hidden, the reference engine runs."""
    script = ("import sys\n"
              "sys.modules['numba'] = None\n"
              "import numpy as np\n"
              "from sklearn_mlpreg import MLPRegressor, MLPRegressorCV\n"
              "from sklearn_mlpreg._engine import compiled\n"
              "assert not compiled.available()\n"
              "X = np.random.RandomState(0).normal(size=(30, 3))\n"
              "m = MLPRegressor(hidden_layer_sizes=(4,), max_iter=5).fit(X, X[:, 0])\n"
              "assert len(m.loss_curve_) == 5\n"
              "MLPRegressorCV(alphas=[0.1, 1.0], cv=3, max_iter=5).fit(X, X[:, 0])\n")
    run = subprocess.run([sys.executable, "-W", "ignore", "-c", script], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr


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


ALL_MODULES = '''
import importlib, pkgutil, sys
import sklearn_mlpreg
names = [m.name for m in pkgutil.walk_packages(sklearn_mlpreg.__path__, "sklearn_mlpreg.")
         if not m.name.endswith("__main__")]
'''

SNAPSHOT = '''
import warnings
import numpy as np
from threadpoolctl import threadpool_info

def snapshot():
    return (list(map(repr, warnings.filters)), np.geterr(), np.get_printoptions(),
            sorted((i["filepath"], i["num_threads"]) for i in threadpool_info()))
'''


def test_importing_any_module_changes_no_global_state():
    """Warning filters, numpy's error state and print options, BLAS threads:
    importing the package's modules (examples and plotting included) leaves
    them as they were. The third-party modules they import are imported first,
    so only the package's own effect is measured."""
    listing = ALL_MODULES + (
        "for name in names:\n    importlib.import_module(name)\n"
        "print('\\n'.join(m for m in list(sys.modules) if not m.startswith('sklearn_mlpreg')"
        " and '.' not in m and not m.startswith('_')))\n")
    run = subprocess.run([sys.executable, "-c", listing], capture_output=True, text=True,
                         timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    third_party = run.stdout.split()
    check = (SNAPSHOT + "import importlib\n"
             f"for name in {third_party!r}:\n"
             "    try:\n        importlib.import_module(name)\n"
             "    except Exception:\n        pass\n"
             "before = snapshot()\n" + ALL_MODULES +
             "for name in names:\n    importlib.import_module(name)\n"
             "after = snapshot()\n"
             "assert len(names) > 40, names\n"
             "assert before == after, (before, after)\n")
    run = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                         timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]


def test_modules_and_functions_stay_readable():
    """No module beyond ~400 lines, no function beyond 60 (docstring included)."""
    import ast

    too_long = []
    for path in (ROOT / "sklearn_mlpreg").rglob("*.py"):
        source = path.read_text()
        if len(source.splitlines()) > 420:
            too_long.append(f"{path.name}: {len(source.splitlines())} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > 60:
                    too_long.append(f"{path.name}:{node.name}: {length} lines")
    assert too_long == []
