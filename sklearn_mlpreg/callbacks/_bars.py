"""Progress bars: tqdm when it is installed, plain text lines otherwise."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


class TextBar:
    """The few tqdm methods the library uses, as text lines on stderr.

    Prints about ten lines over a run of known length (every 100 units
    otherwise), each with the latest values given to :meth:`set_postfix`.
    """

    def __init__(self, total: int | None, description: str = ""):
        self.total, self.description, self.n, self.postfix = total, description, 0, {}

    def update(self, n: int = 1) -> None:
        self.n += n
        step = max(1, (self.total or 1000) // 10)
        if self.n % step == 0 or self.n == self.total:
            shown = " ".join(f"{key}={value}" for key, value in self.postfix.items())
            print(f"{self.description}: {self.n}/{self.total or '?'} {shown}".rstrip(),
                  file=sys.stderr, flush=True)

    def set_postfix(self, values: dict, refresh: bool = False) -> None:
        self.postfix = dict(values)

    def close(self) -> None:
        pass


def open_bar(total: int | None, description: str = "", unit: str = "it",
             leave: bool = True) -> Any:
    """A tqdm bar, or a :class:`TextBar` when tqdm is not installed."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return TextBar(total, f"{description} {unit}s".strip())
    return tqdm(total=total, desc=description, unit=unit, leave=leave)


def progress_bar(total: int, description: str = "", enabled: bool = True
                 ) -> Callable[..., None]:
    """Return a function to call once per finished unit of work.

    Parameters
    ----------
    total : int
        Number of units.
    description : str
        Shown before the bar.
    enabled : bool
        False gives a function that does nothing.

    Returns
    -------
    tick : callable
        ``tick(status=None)`` advances the bar by one unit and shows the
        ``status`` dict (e.g. the last fit's losses) next to it.
    """
    if not enabled:
        return lambda status=None: None
    bar = open_bar(total, description)

    def tick(status: dict | None = None) -> None:
        if status:
            bar.set_postfix(status, refresh=False)
        bar.update(1)
        if bar.n >= total:
            bar.close()

    return tick
