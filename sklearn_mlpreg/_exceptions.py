"""The library's own exception and warning, and where its warnings point."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path


class FitDivergedError(ValueError):
    """A fit diverged: its training loss became non-finite or exploded.

    Raised by ``fit`` and ``partial_fit`` of every estimator (and, for a
    search, when every candidate diverged) with a message that names the
    epoch and the fix: scale the features, scale the target, or lower
    ``learning_rate_init``. A subclass of :class:`ValueError`, so code that
    catches ``ValueError`` keeps working. The estimator is left as it was
    before the call (unfitted after a first ``fit``).
    """


class FarOffWarning(UserWarning):
    """A fit's predictions are far off its training targets: its loss on them
    ends over ten times that of an all-zero output (unscaled inputs, a huge
    ``weight_init``). Scale the features (and a regressor's target).

    Not a ``ConvergenceWarning``: the searches and CV estimators, which
    aggregate those, let it through from their refit.
    """


class GridEdgeWarning(UserWarning):
    """A search's best value of a numeric axis is the smallest or largest searched.

    The best setting may lie beyond the grid: extend it in that direction.
    Issued once per search by the batched searches and the CV estimators; a
    study that reports the chosen values itself may filter it with
    ``warnings.simplefilter("ignore", GridEdgeWarning)``.
    """


def _library_roots() -> tuple[str, ...]:
    """The folders of this library, scikit-learn and joblib."""
    return tuple(str(Path(sys.modules[name].__file__).parent)
                 for name in ("sklearn_mlpreg", "sklearn", "joblib") if name in sys.modules)


def warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` pointing at the first caller outside this library,
    scikit-learn and joblib (the user's ``fit`` call, however deep the
    decorators and meta-estimators between)."""
    roots = _library_roots()
    level, frame = 2, sys._getframe(1)  # level 2: warn's caller
    while frame is not None and frame.f_code.co_filename.startswith(roots):
        level, frame = level + 1, frame.f_back
    warnings.warn(message, category, stacklevel=level)


class SavedModelVersionWarning(UserWarning):
    """A model saved by an earlier release was loaded and brought up to date.

    The message names both versions. The model predicts as it did; save it
    again to store it in today's layout.
    """


class SavedModelVersionError(ValueError):
    """A saved model cannot be loaded by this release.

    Raised while unpickling (``pickle``, ``joblib``, :func:`sklearn_mlpreg.io.load`)
    a model saved by a later release, or by an earlier one whose saved state
    lacks what this release needs. The message names the saving version and
    the fix: install that version, or refit the model.
    """


# Their public path: what a traceback, and scikit-learn's "All the fits failed"
# summary, print before the message (and how pickle finds them).
for _public in (FitDivergedError, GridEdgeWarning, SavedModelVersionWarning,
                SavedModelVersionError):
    _public.__module__ = "sklearn_mlpreg"
