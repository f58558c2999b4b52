"""The bridge from the engine's per-epoch hooks to scikit-learn's callback contexts.

The engine calls ``epoch_begin`` / ``epoch_end`` around every epoch (see
:class:`sklearn_mlpreg._engine.EpochHooks`); :class:`CallbackBridge` opens and
closes one callback subtask per epoch under the estimator's root ``fit``
context. Before each end-of-epoch hook the estimator carries
``_progress_status`` (the epoch, the training and validation losses, the
models still training), which the library's progress bar reads.
"""

from __future__ import annotations

from .._engine import copy


class CallbackBridge:
    """The engine's per-epoch hooks, forwarded to a callback context.

    Parameters
    ----------
    estimator : estimator
        The estimator being fitted (callbacks receive it).
    context : CallbackContext
        The estimator's root context.
    X, y : array-like
        The training data, passed to the hooks (ScoringMonitor scores on them).
    reconstruct : callable or None
        ``reconstruct(params) -> dict`` of fitted attributes for the network(s)
        after an epoch; None when no meaningful fitted estimator exists mid-fit.
    """

    def __init__(self, estimator, context, X, y, reconstruct=None):
        self.estimator, self.context = estimator, context
        self.X, self.y, self.reconstruct = X, y, reconstruct
        self.epoch, self._task = 0, None

    def epoch_begin(self) -> None:
        """Open the next epoch's subtask."""
        self._task = self.context.subcontext(task_name="epoch")
        self._task.call_on_fit_task_begin(estimator=self.estimator, X=self.X, y=self.y)

    def epoch_end(self, ids, loss, validation_loss, params) -> bool:
        """Close the epoch's subtask; True if a callback asks to stop."""
        self.epoch += 1
        self.estimator._progress_status = {
            "epoch": self.epoch, "loss": float(loss.mean()),
            "validation_loss": None if validation_loss is None
            else float(validation_loss.mean()),
            "models": len(ids),
        }
        attributes = None
        if self.reconstruct is not None:
            snapshot = copy(params)
            attributes = lambda: self.reconstruct(snapshot)  # noqa: E731 (lazy)
        stop = self._task.call_on_fit_task_end(
            estimator=self.estimator, X=self.X, y=self.y,
            reconstruction_attributes=attributes)
        self._task = None
        return bool(stop)

    def finish(self) -> None:
        """Close the last epoch and the root ``fit`` task."""
        self.close()
        self.context.call_on_fit_task_end(estimator=self.estimator, X=self.X, y=self.y)

    def close(self) -> None:
        """End a subtask the engine opened but did not run (L-BFGS's last one)."""
        if self._task is not None:
            self._task.call_on_fit_task_end(estimator=self.estimator)
            self._task = None
        self.estimator.__dict__.pop("_progress_status", None)
