"""The library's own exception."""


class FitDivergedError(ValueError):
    """A fit diverged: its training loss became non-finite or exploded.

    Raised by ``fit`` and ``partial_fit`` of every estimator (and, for a
    search, when every candidate diverged) with a message that names the
    epoch and the fix: scale the features, scale the target, or lower
    ``learning_rate_init``. A subclass of :class:`ValueError`, so code that
    catches ``ValueError`` keeps working. The estimator is left as it was
    before the call (unfitted after a first ``fit``).
    """
