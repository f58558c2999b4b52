"""The callback task tree of the batched searches: scikit-learn's
``GridSearchCV.fit`` tree (the root fit, the search, one evaluation per
(candidate, fold), the refit), or a halving iteration's evaluations."""

from __future__ import annotations

from contextlib import contextmanager

from sklearn.utils import _safe_indexing


class _SearchCallbacks:
    """The callback task tree of ``GridSearchCV.fit`` (scikit-learn >= 1.9):
    the root ``fit``, its ``search`` with one ``candidate-split-evaluation``
    subtask per (candidate, fold), and the refit, which receives the search's
    auto-propagated callbacks (a progress bar follows its epochs). The
    evaluations begin before the stacks train and end after. Without
    scikit-learn's callback API, or without callbacks on the search or on an
    estimator around it, every method does nothing (the tree costs ~0.4 ms
    per (candidate, fold))."""

    def __init__(self, search, X, y, fit_params) -> None:
        self.search, self.X, self.y = search, X, y
        weight = fit_params.get("sample_weight")
        self.metadata = None if weight is None else {"sample_weight": weight}
        self.root = None
        if hasattr(search, "_init_callback_context") and (
                getattr(search, "_skl_callbacks", None)
                or hasattr(search, "_parent_callback_ctx")):
            self.root = search._init_callback_context(
                max_subtasks=1 + (search.refit is not False)).call_on_fit_task_begin(
                estimator=search, X=X, y=y, metadata=self.metadata)

    def under(self, parent) -> _SearchCallbacks:
        """The same tree, the next evaluations under the task ``parent`` (a
        halving iteration) instead of a ``search`` task of their own."""
        self.parent = parent
        return self

    def evaluations(self, tasks: list) -> list:
        """Begin the search (unless the evaluations have a parent) and each
        (candidate, fold) evaluation."""
        if self.root is None:
            return []
        parent = getattr(self, "parent", None)
        self.search_context = None
        if parent is None:
            parent = self.search_context = self.root.subcontext(
                task_name="search", max_subtasks=len(tasks),
                sequential_subtasks=False).call_on_fit_task_begin(estimator=self.search)
        contexts = []
        for i, task in enumerate(tasks):
            context = parent.subcontext(task_name="candidate-split-evaluation", task_id=i)
            context.call_on_fit_task_begin(estimator=self.search,
                                           **self._training_rows(task.fold.train))
            contexts.append(context)
        return contexts

    def _training_rows(self, train) -> dict:
        return {"X": _safe_indexing(self.X, train), "y": _safe_indexing(self.y, train)}

    def end_evaluations(self, contexts: list, tasks: list) -> None:
        for context, task in zip(contexts, tasks):
            context.call_on_fit_task_end(estimator=self.search,
                                         **self._training_rows(task.fold.train))
        if self.root is not None and self.search_context is not None:
            self.search_context.call_on_fit_task_end(estimator=self.search)

    @contextmanager
    def refit(self, estimator):
        """Around the refit of ``estimator`` on all the data."""
        if self.root is None:
            yield
            return
        context = self.root.subcontext(task_name="refit-with-best-params")
        with context.propagate_callback_context(estimator):
            context.call_on_fit_task_begin(estimator=self.search, X=self.X, y=self.y,
                                           metadata=self.metadata)
            yield
        context.call_on_fit_task_end(estimator=self.search, X=self.X, y=self.y,
                                     metadata=self.metadata)

    def finish(self) -> None:
        if self.root is not None:
            self.root.call_on_fit_task_end(estimator=self.search, X=self.X, y=self.y,
                                           metadata=self.metadata)
