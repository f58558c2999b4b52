"""Dropout (lecture: "each time before updating the parameters, each neuron has
p% to dropout"; "for each mini-batch, we resample the dropout neurons"; at
test time "no dropout").

Two equivalent conventions:

* ``inverted`` (the default): keep a unit with probability ``1 - p`` and scale
  the kept units by ``1 / (1 - p)`` during training; predict with the weights
  as trained. A unit's expected training output ``E[m h / (1 - p)] = h``
  equals its test-time output.
* ``weight_scaling`` (the slide's version): train with unscaled masks and
  multiply the weights leaving a dropout layer by ``1 - p`` at test time. The
  next layer's expected input ``E[m h] w = (1 - p) h w`` is again its test-time
  input ``h ((1 - p) w)``.

A weight-scaling network with outgoing weights ``w / (1 - p)`` computes
exactly what the inverted network with ``w`` computes, on every mask; only
the gradient of those outgoing weights differs, by the factor ``1 - p``.
:meth:`~.network.Architecture.prediction_weights` gives the weights a trained
network predicts with under either convention.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from .network import Architecture, Workspace, forward
from .types import Array, Inputs

DROPOUT_MODES = ("inverted", "weight_scaling")


def draw_masks(work: Workspace, rngs: Sequence[np.random.RandomState],
               mode: str = "inverted") -> None:
    """Redraw every dropout mask of ``work`` (one draw per model and layer).

    Parameters
    ----------
    work : Workspace
        ``work.masks[i]`` (``(K, n, units)`` or None) is overwritten with
        ``m / (1 - p)`` (inverted) or ``m`` (weight scaling), where
        ``m ~ Bernoulli(1 - p)`` per sample and unit, ``p = work.dropout[k, i]``
        (a model with ``p = 0`` keeps its mask of ones and draws nothing).
    rngs : sequence of numpy.random.RandomState
        One random stream per model.
    mode : {"inverted", "weight_scaling"}
    """
    for i, mask in enumerate(work.host_masks):
        if mask is None:
            continue
        for k, rng in enumerate(rngs):
            p = work.dropout[k, i]
            if p > 0:  # a model that keeps this layer draws nothing: its stream is its own
                mask[k] = _mask(rng, mask.shape[1:], p, mode)


def kept_value(rates: ArrayLike, mode: str) -> Array:
    """The value of a kept unit's mask for each drop rate ``p``: ``1 / (1 - p)``
    (inverted dropout; 1 where ``p = 0``), 1 (weight scaling). The compiled
    streams (:class:`.compiled.MaskStreams`) take it from here too."""
    rates = np.asarray(rates, dtype=float)
    return 1.0 / (1.0 - rates) if mode == "inverted" else np.ones_like(rates)


def _mask(rng: np.random.RandomState, shape: tuple, p: float, mode: str) -> Array:
    """``m ~ Bernoulli(1 - p)`` times :func:`kept_value`."""
    return (rng.random_sample(shape) >= p) * kept_value(p, mode)


def predict_stochastic(X: Inputs, coefs: Sequence[Array], intercepts: Sequence[Array],
                       architecture: Architecture, rng: np.random.RandomState,
                       n_passes: int) -> Array:
    """``n_passes`` forward passes with fresh dropout masks (Monte-Carlo dropout).

    Parameters
    ----------
    X : ndarray of shape (n, d)
    coefs, intercepts : lists of ndarray
        One network's trained weights (2-D) and biases (1-D).
    architecture : Architecture
        Activations, drop rates and dropout mode.
    rng : numpy.random.RandomState
        Draws the masks, layer by layer.
    n_passes : int

    Returns
    -------
    P : ndarray of shape (n_passes, n, n_outputs)
    """
    dtype = coefs[0].dtype
    masks = [None if p == 0 else _mask(rng, (n_passes, X.shape[0], units), p,
                                       architecture.dropout_mode).astype(dtype)
             for units, p in zip(architecture.layer_units[1:-1], architecture.dropout)]
    passes = np.broadcast_to(X, (n_passes,) + X.shape)
    return forward(passes, coefs, intercepts, architecture.activation,
                   architecture.out_activation, masks=masks)
