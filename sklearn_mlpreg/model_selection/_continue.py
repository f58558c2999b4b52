"""A halving round's networks, continued in the next round.

With an epoch budget as the resource (``resource="max_iter"``), round ``r + 1``
trains its survivors for ``B_{r+1}`` epochs where round ``r`` trained them for
``B_r``. Retraining from scratch, as scikit-learn does, repeats the first
``B_r`` epochs; here each (candidate, fold) network continues from its
checkpoint (its last weights, optimizer state, random stream's state, rows' order,
stopping counters and best weights), so that the search costs about what
training the survivors once costs.

A continued network equals one retrained for ``B_{r+1}`` epochs whenever its
training does not depend on the total budget. The exceptions retrain, as in
scikit-learn: ``learning_rate="cosine"`` (it anneals over ``max_iter``) and
``solver="lbfgs"`` (its curvature memory starts afresh). A network that
stopped before its budget (converged, or diverged) is what retraining would
give again: its result is reused without training.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from joblib import hash as joblib_hash

from .._engine import MAX_ITER
from .._plans import Resume
from .._stacks import TrainedModel


class Checkpoints:
    """The trained networks of the last round, by (candidate, fold).

    Parameters
    ----------
    resource : str
        The searched estimator's epoch-budget parameter (``"max_iter"``, or
        ``"<step>__max_iter"`` in a pipeline): candidates that differ only in
        it are the same network at another budget.
    n_splits : int
        Folds per candidate (the tasks come candidate-major).
    """

    def __init__(self, resource: str, n_splits: int) -> None:
        self.resource, self.n_splits = resource, n_splits
        self.saved: dict[tuple, tuple] = {}
        # every round splits the same rows: each fold's data is planned once
        self.folds: dict = {}

    def _key(self, candidate: dict, task_index: int) -> tuple:
        others = {name: value for name, value in candidate.items() if name != self.resource}
        return joblib_hash(others), task_index % self.n_splits

    def prepare(self, candidates: list, tasks: list) -> dict[int, TrainedModel]:
        """Mark every network to keep its checkpoint, and let those of the last
        round go on: each task whose (candidate, fold) ran before gets that
        task's fold and networks, continued to its own budget. Returns the
        networks that need no more training (they stopped before the last
        budget), by their new keys."""
        ready: dict[int, TrainedModel] = {}
        for i, task in enumerate(tasks):
            if task.error is not None or not task.members:
                continue
            if not all(_continuable(m.settings) for m in task.members):
                continue
            for member in task.members:
                member.checkpoint = True
            previous = self.saved.get(self._key(candidates[task.candidate], i))
            if previous is None:
                continue
            old_task, old_trained = previous
            if not _same_split(old_task.fold, task.fold):  # a splitter drawing anew
                continue
            task.fold, task.plan = old_task.fold, old_task.plan
            task.members = [_continued(new, old, trained, ready) for new, old, trained
                            in zip(task.members, old_task.members, old_trained)]
        return ready

    def save(self, candidates: list, tasks: list, trained: dict) -> None:
        """Keep this round's trained networks for the next round."""
        self.saved = {
            self._key(candidates[task.candidate], i): (task, [trained[m.key]
                                                               for m in task.members])
            for i, task in enumerate(tasks)
            if task.error is None and task.members and all(m.checkpoint
                                                           for m in task.members)}


def _same_split(old, new) -> bool:
    """Whether two folds train and test on the same rows."""
    return (np.array_equal(old.train, new.train) and np.array_equal(old.test, new.test))


def _continuable(settings) -> bool:
    """Whether a network's training continues exactly (see the module docstring)."""
    return settings.stochastic and settings.learning_rate != "cosine"


def _continued(new, old, trained: TrainedModel, ready: dict):
    """The planned network ``new`` (its key and budget) as the continuation of
    ``old``, trained into ``trained``; one that stopped before its budget goes
    into ``ready`` as it is."""
    state = trained.state
    if state.status[0] != MAX_ITER or state.n_iter[0] >= new.settings.max_iter:
        ready[new.key] = trained
        return replace(old, key=new.key, settings=new.settings)
    resume = Resume(state.last_params[0], state, keep_optimizer=True, continues=True)
    rng = np.random.RandomState()  # where the stream stopped, also after a worker process
    rng.set_state(state.rng_state)
    return replace(old, key=new.key, settings=new.settings, params=state.last_params[0],
                   resume=resume, checkpoint=True, rng=rng)
