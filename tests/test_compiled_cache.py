"""numba's disk cache never runs a kernel compiled with an older rule.

numba keys each cached function on its own file; a kernel inlines the rules
and formulas it calls from other files. Every file of compiled code carries
the digest of all of them (``CACHE_KEY``), so an edit anywhere changes every
file and numba compiles them all anew (see :mod:`sklearn_mlpreg._engine.jit`).
"""

import ast
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

import sklearn_mlpreg
from sklearn_mlpreg._engine import jit

ENGINE = pathlib.Path(jit.__file__).parent


def _keys(path: pathlib.Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [node.value.value for node in tree.body if isinstance(node, ast.Assign)
            and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["CACHE_KEY"]]


def test_every_compiled_source_carries_the_current_key():
    digest = jit.sources_digest()
    for name in jit.COMPILED_SOURCES:
        assert _keys(ENGINE / name) == [digest], (
            f"{name}'s CACHE_KEY is not the digest of the compiled sources: run "
            "python scripts/refresh_cache_key.py after editing any of them")


def test_every_file_with_compiled_functions_is_a_compiled_source():
    for path in ENGINE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        decorated = any(
            isinstance(node, ast.FunctionDef) and any(
                (isinstance(d, ast.Name) and d.id in ("jit", "_jit"))
                or (isinstance(d, ast.Call) and getattr(d.func, "id", "") in ("jit", "_jit"))
                for d in node.decorator_list)
            for node in ast.walk(tree))
        if decorated:
            assert path.relative_to(ENGINE).as_posix() in jit.COMPILED_SOURCES, path


PROBE = """
import warnings
import numpy as np
from sklearn_mlpreg import MLPRegressor
warnings.simplefilter("ignore")
rng = np.random.RandomState(0)
X = rng.randn(20, 3)
model = MLPRegressor(hidden_layer_sizes=(4,), solver="sgd", learning_rate="invscaling",
                     learning_rate_init=0.05, max_iter=3, random_state=0).fit(X, X[:, 0])
print(repr(model.loss_))
"""


def _probe(root: pathlib.Path, engine: str = "") -> float:
    env = {**os.environ, "PYTHONPATH": str(root), "SKLEARN_MLPREG_ENGINE": engine}
    result = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=root,
                            capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.skipif(jit.njit is None, reason="needs numba")
def test_an_edited_rule_reaches_the_cached_kernels(tmp_path):
    """Compile (and cache) a copy of the package, edit one rule there, refresh
    the keys as a developer does: the compiled path then runs the new rule,
    exactly as the reference does."""
    package = tmp_path / "sklearn_mlpreg"
    shutil.copytree(pathlib.Path(sklearn_mlpreg.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    before = _probe(tmp_path)  # compiles, and fills the copy's disk cache
    rules = package / "_engine" / "rules.py"
    text = rules.read_text()
    edited = text.replace("return eta_0 / (t + 1.0) ** power_t",
                          "return eta_0 / (t + 2.0) ** power_t")
    assert edited != text
    rules.write_text(edited)
    subprocess.run([sys.executable, "-c", "from sklearn_mlpreg._engine.jit import "
                    "write_cache_keys; write_cache_keys()"],
                   env={**os.environ, "PYTHONPATH": str(tmp_path)}, cwd=tmp_path, check=True)
    after = _probe(tmp_path)
    assert after != before
    assert after == pytest.approx(_probe(tmp_path, engine="numpy"), rel=1e-12)
