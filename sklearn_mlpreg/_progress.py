"""A progress bar: tqdm when it is installed, a plain text counter otherwise."""

from __future__ import annotations

import sys
from typing import Callable


def progress_bar(total: int, description: str = "", enabled: bool = True
                 ) -> Callable[[], None]:
    """Return a function to call once per finished unit of work.

    Parameters
    ----------
    total : int
        Number of units.
    description : str
        Shown before the bar.
    enabled : bool
        False gives a function that does nothing.
    """
    if not enabled:
        return lambda: None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        state = {"done": 0}
        step = max(1, total // 20)

        def tick():
            state["done"] += 1
            if state["done"] % step == 0 or state["done"] == total:
                print(f"\r{description} {state['done']}/{total}", end="",
                      file=sys.stderr, flush=True)
                if state["done"] == total:
                    print(file=sys.stderr)

        return tick
    bar = tqdm(total=total, desc=description, leave=True)

    def tick():
        bar.update(1)
        if bar.n >= total:
            bar.close()

    return tick
