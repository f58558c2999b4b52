"""Dropout masks (lecture: "each time before updating the parameters, each
neuron has p% to dropout"; "for each mini-batch, we resample the dropout
neurons").

Inverted dropout keeps a unit with probability ``1 - p`` and scales the kept
units by ``1 / (1 - p)`` during training, so a unit's expected output
``E[m h / (1 - p)] = h`` equals its output at test time, when nothing is
dropped. The lecture's version (train unscaled, multiply the weights by
``1 - p`` at test time) gives the same expectation: ``E[m h] w = (1 - p) h w``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .network import Workspace


def draw_masks(work: Workspace, rngs: Sequence[np.random.RandomState], scale: bool = True) -> None:
    """Redraw every dropout mask of ``work`` (one draw per model and layer).

    Parameters
    ----------
    work : Workspace
        ``work.masks[i]`` (``(K, n, units)`` or None) is overwritten with
        ``m / (1 - p)`` (``scale=True``, inverted dropout) or ``m``, where
        ``m ~ Bernoulli(1 - p)`` per sample and unit.
    rngs : sequence of numpy.random.RandomState
        One random stream per model.
    scale : bool, default=True
        Scale the kept units by ``1 / (1 - p)``.
    """
    for mask, p in zip(work.masks, work.dropout):
        if mask is None:
            continue
        keep = 1.0 / (1.0 - p) if scale else 1.0
        for k, rng in enumerate(rngs):
            mask[k] = (rng.random_sample(mask.shape[1:]) >= p) * keep
