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
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from .activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from .network import Inputs, Workspace

Array = NDArray[np.floating]

DROPOUT_MODES = ("inverted", "weight_scaling")


def draw_masks(work: Workspace, rngs: Sequence[np.random.RandomState],
               mode: str = "inverted") -> None:
    """Redraw every dropout mask of ``work`` (one draw per model and layer).

    Parameters
    ----------
    work : Workspace
        ``work.masks[i]`` (``(K, n, units)`` or None) is overwritten with
        ``m / (1 - p)`` (inverted) or ``m`` (weight scaling), where
        ``m ~ Bernoulli(1 - p)`` per sample and unit.
    rngs : sequence of numpy.random.RandomState
        One random stream per model.
    mode : {"inverted", "weight_scaling"}
    """
    for mask, p in zip(work.masks, work.dropout):
        if mask is None:
            continue
        keep = 1.0 / (1.0 - p) if mode == "inverted" else 1.0
        for k, rng in enumerate(rngs):
            mask[k] = (rng.random_sample(mask.shape[1:]) >= p) * keep


def predict_weights(coefs: Sequence[Array], rates: Sequence[float],
                    mode: str = "inverted") -> list[Array]:
    """The weights to predict with: outgoing weights times ``1 - p`` for
    ``weight_scaling``, the trained weights otherwise."""
    if mode == "inverted" or not any(rates):
        return list(coefs)
    scaled = list(coefs)
    for i, p in enumerate(rates):
        scaled[i + 1] = coefs[i + 1] * (1.0 - p)
    return scaled


def predict_stochastic(X: Inputs, coefs: Sequence[Array], intercepts: Sequence[Array],
                       activation: str, out_activation: str, rates: Sequence[float],
                       rng: np.random.RandomState, n_passes: int,
                       mode: str = "inverted") -> Array:
    """``n_passes`` forward passes with fresh dropout masks (Monte-Carlo dropout).

    Parameters
    ----------
    X : ndarray of shape (n, d)
    coefs, intercepts : lists of ndarray
        One network's trained weights (2-D) and biases (1-D).
    activation, out_activation : str
    rates : sequence of float
        Drop rate of each hidden layer.
    rng : numpy.random.RandomState
    n_passes : int
    mode : {"inverted", "weight_scaling"}

    Returns
    -------
    P : ndarray of shape (n_passes, n, n_outputs)
    """
    hidden = ACTIVATIONS[activation].value
    last = len(coefs) - 1
    A = np.broadcast_to(X, (n_passes,) + X.shape)
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        A = A @ W
        A += b
        if i == last:
            OUTPUT_ACTIVATIONS[out_activation].value(A)
        else:
            hidden(A)
            p = rates[i]
            if p > 0:
                keep = 1.0 / (1.0 - p) if mode == "inverted" else 1.0
                A *= (rng.random_sample(A.shape) >= p) * keep
    return A
