"""ProgressBar: a tqdm bar over the epochs of a fit."""

from __future__ import annotations

from ._bars import open_bar


class ProgressBar:
    """A progress bar over epochs showing the training and validation loss.

    Uses tqdm when it is installed (``pip install "sklearn_mlpreg[progress]"``),
    plain text lines otherwise.

    Parameters
    ----------
    every : int, default=1
        Refresh the displayed losses every ``every`` epochs.
    leave : bool, default=True
        Keep the finished bar on screen.
    """

    def __init__(self, every: int = 1, leave: bool = True):
        self.every = every
        self.leave = leave
        self._bar = None

    def setup(self, estimator, context):
        """Open the bar at the start of ``fit``.

        Parameters
        ----------
        estimator : estimator
            The estimator being fitted.
        context : CallbackContext
            The task: the root ``fit`` task or one epoch.
        """
        total = getattr(context, "max_subtasks", None) or None
        self._bar = open_bar(total, type(estimator).__name__, unit="epoch",
                             leave=self.leave)

    def on_fit_task_begin(self, estimator, context):
        """Nothing to do when a task begins.

        Parameters
        ----------
        estimator : estimator
            The estimator being fitted.
        context : CallbackContext
            The task: the root ``fit`` task or one epoch.
        """

    def on_fit_task_end(self, estimator, context):
        """Advance by one epoch and show the current losses.

        Parameters
        ----------
        estimator : estimator
            The estimator being fitted.
        context : CallbackContext
            The task: the root ``fit`` task or one epoch.

        Returns
        -------
        stop : bool
            Always False: the bar never stops a fit.
        """
        status = getattr(estimator, "_progress_status", None)
        if self._bar is None or status is None or context.parent is None:
            return False
        self._bar.update(1)
        if status["epoch"] % self.every == 0:
            shown = {"loss": f"{status['loss']:.4g}"}
            if status["validation_loss"] is not None:
                shown["val_loss"] = f"{status['validation_loss']:.4g}"
            if status["models"] > 1:
                shown["training"] = status["models"]
            self._bar.set_postfix(shown, refresh=False)
        return False

    def teardown(self, estimator, context):
        """Close the bar at the end of ``fit``.

        Parameters
        ----------
        estimator : estimator
            The estimator being fitted.
        context : CallbackContext
            The task: the root ``fit`` task or one epoch.
        """
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __getstate__(self):  # an open bar does not travel to other processes
        state = self.__dict__.copy()
        state["_bar"] = None
        return state

