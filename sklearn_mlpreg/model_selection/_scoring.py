"""Test and train scores of the networks of a search.

Calling a scikit-learn scorer once per (candidate, fold) network and per
train / test set costs more than training the whole stack on small data
(about 0.7 ms a call, mostly input checking). The common scores (R^2, the
squared and absolute errors, accuracy, log loss) are therefore computed by the
engine (:func:`sklearn_mlpreg._engine.score`) from stacked predictions, the
networks of one fold together; the values equal scikit-learn's scorers
(tested), sample weights included. Any other scoring goes through
scikit-learn's own scoring of a fitted estimator (a pipeline when the MLP is
the last step of one), as ``GridSearchCV`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection._validation import _score
from sklearn.utils import _safe_indexing
from sklearn.utils.metadata_routing import _routing_enabled
from sklearn.utils.validation import _check_method_params

from .._engine import SCORES, predict, score
from .._ensemble import _BaseMLPEnsemble
from .._pipeline import searched_mlp
from .._stacks import fitted_network


@dataclass(frozen=True)
class SearchScoring:
    """How a search scores its (candidate, fold) networks: ``GridSearchCV``'s
    parameters of the same names.

    Attributes
    ----------
    scoring : str, callable, list, tuple, dict or None
        The search's ``scoring``.
    scorers : callable or dict
        The checked scorer(s) (``_get_scorers``'s), used when the engine cannot
        compute a metric.
    score_params : dict
        Parameters of the scorers (``sample_weight``, routed).
    return_train_score : bool
    error_score : "raise" or float
    """

    scoring: object = None
    scorers: object = None
    score_params: dict = field(default_factory=dict)
    return_train_score: bool = False
    error_score: object = np.nan


def fast_names(scoring, estimator) -> dict[str, str] | None:
    """Metric name -> the engine's score, or None when scikit-learn must score."""
    if scoring is None:
        names = {"score": "accuracy" if is_classifier(estimator) else "r2"}
    elif isinstance(scoring, str):
        names = {"score": scoring}
    elif isinstance(scoring, (list, tuple, set)) and all(isinstance(s, str) for s in scoring):
        names = {s: s for s in scoring}
    elif isinstance(scoring, Mapping) and all(isinstance(s, str) for s in scoring.values()):
        names = dict(scoring)
    else:
        return None
    task = "classification" if is_classifier(estimator) else "regression"
    if not all(name in SCORES and SCORES[name][1] == task for name in names.values()):
        return None
    return names


def fast_scores(scoring: SearchScoring, estimator, tasks, trained, y) -> list | None:
    """Each task's (test, train) scores from stacked predictions, or None when a
    metric (or a fold's labels) needs scikit-learn's scorers."""
    names = fast_names(scoring.scoring, estimator)
    if names is None or _routing_enabled():  # routing decides what the scorer gets
        return None
    weight = scoring.score_params.get("sample_weight")
    groups: dict[tuple, list[int]] = {}
    for i, task in enumerate(tasks):
        if task.error is None:
            key = (id(task.fold), task.members[0].spec.architecture)
            groups.setdefault(key, []).append(i)
    scores: list = [None] * len(tasks)
    for members in groups.values():
        values = _group_scores(names, [tasks[i] for i in members], trained, y, weight,
                               scoring.return_train_score)
        if values is None:
            return None
        for i, value in zip(members, values):
            scores[i] = value
    return scores


def _group_scores(names, tasks, trained, y, weight, return_train_score) -> list | None:
    """Scores of the tasks of one fold and architecture, their networks predicted
    together (an ensemble's members averaged)."""
    fold, arch = tasks[0].fold, tasks[0].members[0].spec.architecture
    targets = fold.block.targets
    y_test = np.asarray(y)[fold.test]
    if targets.classifier and (not np.isin(y_test, targets.classes).all()
                               or (targets.multilabel and "neg_log_loss" in names.values())):
        return None  # a label the fold never saw, or a log loss of several labels
    params = np.stack([trained[m.key].params for t in tasks for m in t.members])
    coefs, intercepts = arch.layout.coefs(params), arch.layout.intercepts(params)
    ends = np.cumsum([len(t.members) for t in tasks])
    parts = [(fold.X_test, targets.encode(y_test, params.dtype), fold.test)]
    if return_train_score:
        rows = fold.block.rows
        parts.append((fold.block.X[rows], fold.block.Y[rows], fold.train))
    results = []
    for X_part, Y_part, original in parts:
        with np.errstate(all="ignore"):
            P = predict(X_part, coefs, intercepts, arch)
        P = np.stack([P[end - len(t.members):end].mean(axis=0)
                      for t, end in zip(tasks, ends)])  # one output per task
        w = None if weight is None else np.broadcast_to(
            np.asarray(weight, dtype=float)[original], (len(tasks), len(original)))
        results.append({metric: score(name, Y_part, P, w, arch.out_activation)
                        for metric, name in names.items()})
    single = list(names) == ["score"]
    out = []
    for k in range(len(tasks)):
        per_part = [{m: float(v[k]) for m, v in part.items()} for part in results]
        per_part = [p["score"] if single else p for p in per_part]
        out.append((per_part[0], per_part[1] if return_train_score else None))
    return out


def fitted_estimator(estimator, task, trained):
    """The fitted estimator one task stands for: its MLP (or seed ensemble), after
    the fold's fitted steps when the estimator is a pipeline."""
    step, _ = searched_mlp(estimator)
    names = task.fold.feature_names
    if isinstance(task.final, _BaseMLPEnsemble):
        template = task.final.member_template()
        final = clone(task.final)
        final.set_members([fitted_network(template, m, trained[m.key], names)
                           for m in task.members], *task.plan)
    else:
        final = fitted_network(task.final, task.members[0], trained[task.members[0].key],
                               names)
    if step is None:
        return final
    pipeline = clone(estimator).set_params(**task.pre_candidate)
    return pipeline.set_params(steps=list(task.fold.preprocess.steps) + [(step, final)])


def scorer_scores(scoring: SearchScoring, estimator, tasks, trained, X, y) -> list:
    """Each task's (test, train) scores through scikit-learn's scoring."""
    out, return_train_score = [], scoring.return_train_score
    for task in tasks:
        if task.error is not None:
            out.append((None, None))
            continue
        fitted = fitted_estimator(estimator, task, trained)
        parts = []
        for rows in (task.fold.test, task.fold.train)[:1 + return_train_score]:
            score_params = _check_method_params(X, params=scoring.score_params,
                                                indices=rows)
            parts.append(_score(fitted, _safe_indexing(X, rows), _safe_indexing(y, rows),
                                scoring.scorers, score_params, scoring.error_score))
        out.append((parts[0], parts[1] if return_train_score else None))
    return out
