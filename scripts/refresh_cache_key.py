"""Write the digest of the engine's compiled sources into each of them.

numba's disk cache keys a compiled function on its own file only; after an
edit of any file of ``sklearn_mlpreg._engine.jit.COMPILED_SOURCES``, run::

    python scripts/refresh_cache_key.py

so that every compiled file changes and numba compiles them all anew
(``tests/test_compiled_cache.py`` fails until the keys are current).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's package

from sklearn_mlpreg._engine.jit import COMPILED_SOURCES, write_cache_keys  # noqa: E402

if __name__ == "__main__":
    print(f"CACHE_KEY = {write_cache_keys()!r} in {len(COMPILED_SOURCES)} files")
