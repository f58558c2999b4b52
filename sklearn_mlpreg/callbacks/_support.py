"""Callback support: scikit-learn 1.9's ``sklearn.callback`` API, or a stand-in.

With scikit-learn >= 1.9 the estimators use its ``CallbackSupportMixin`` and
contexts, so its ``ProgressBar`` and ``ScoringMonitor`` work on them: ``fit``
is the root task and every epoch (L-BFGS iteration) a subtask whose end hook
receives the network as it is after that epoch. Older versions get a minimal
stand-in with the same hooks, enough for :class:`sklearn_mlpreg.callbacks.ProgressBar`.
:mod:`._bridge` connects the engine's per-epoch hooks to these contexts.
"""

from __future__ import annotations

import copy
import functools
import inspect

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin, with_callbacks

    HAVE_SKLEARN_CALLBACKS = True
except ImportError:  # scikit-learn < 1.9; tests simulate it in a subprocess
    HAVE_SKLEARN_CALLBACKS = False

    class _LocalContext:
        """The few fields of scikit-learn's CallbackContext the hooks may read."""

        def __init__(self, callbacks, task_name, max_subtasks, parent=None):
            self._callbacks, self.task_name = callbacks, task_name
            self.max_subtasks, self.parent = max_subtasks, parent

        def subcontext(self, task_name="", max_subtasks=0):
            return _LocalContext(self._callbacks, task_name, max_subtasks, parent=self)

        def _call(self, hook, estimator, reconstruction_attributes=None, **given):
            stop = False
            for callback in self._callbacks:
                method = getattr(callback, hook)
                wanted = {p.name for p in inspect.signature(method).parameters.values()
                          if p.kind == p.KEYWORD_ONLY}
                kwargs = {name: given.get(name) for name in wanted & {"X", "y", "metadata"}}
                if "fitted_estimator" in wanted:
                    kwargs["fitted_estimator"] = _rebuild(estimator,
                                                          reconstruction_attributes)
                stop |= bool(method(estimator, self, **kwargs))
            return stop

        def call_on_fit_task_begin(self, *, estimator, **given):
            self._call("on_fit_task_begin", estimator, **given)
            return self

        def call_on_fit_task_end(self, *, estimator, reconstruction_attributes=None,
                                 **given):
            return self._call("on_fit_task_end", estimator, reconstruction_attributes,
                              **given)

    def _rebuild(estimator, attributes):
        """A copy of ``estimator`` carrying the fitted ``attributes``, or None."""
        attributes = attributes() if callable(attributes) else attributes
        if attributes is None:
            return None
        fitted = copy.copy(estimator)
        fitted.__dict__.update(attributes)
        return fitted

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """``set_callbacks`` for scikit-learn versions without ``sklearn.callback``."""

        def set_callbacks(self, *callbacks):
            """Set callbacks for the estimator.

            Parameters
            ----------
            *callbacks : callback instances
                Objects with ``setup``, ``on_fit_task_begin``,
                ``on_fit_task_end`` and ``teardown`` methods.

            Returns
            -------
            self : estimator instance
                The estimator instance itself.
            """
            if callbacks:
                self._skl_callbacks = list(callbacks)
            else:
                self.__dict__.pop("_skl_callbacks", None)
            return self

        def _init_callback_context(self, task_name="fit", max_subtasks=0, **_):
            callbacks = getattr(self, "_skl_callbacks", [])
            self._mlp_callback_ctx = _LocalContext(callbacks, task_name, max_subtasks)
            for callback in callbacks:
                callback.setup(self, self._mlp_callback_ctx)
            return self._mlp_callback_ctx

    def with_callbacks(method):  # type: ignore[no-redef]
        """Call the callbacks' ``teardown`` after ``method``, whatever happens."""

        @functools.wraps(method)
        def managed(estimator, *args, **kwargs):
            try:
                return method(estimator, *args, **kwargs)
            finally:
                context = estimator.__dict__.pop("_mlp_callback_ctx", None)
                if context is not None:
                    for callback in context._callbacks:
                        callback.teardown(estimator, context)

        return managed
