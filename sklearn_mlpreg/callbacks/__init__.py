"""Callbacks for the estimators' ``set_callbacks``.

:class:`ProgressBar` shows a tqdm bar over the epochs of a fit with the
current training and validation loss (and, for ``MLPRegressorCV`` /
``MLPClassifierCV``, the number of networks still training)::

    from sklearn_mlpreg import MLPRegressor
    from sklearn_mlpreg.callbacks import ProgressBar

    model = MLPRegressor(max_iter=2000).set_callbacks(ProgressBar())

With scikit-learn >= 1.9 the estimators also accept scikit-learn's own
callbacks, ``sklearn.callback.ProgressBar`` (needs ``rich``) and
``sklearn.callback.ScoringMonitor`` (scores the network after every epoch).

Modules: ``_support`` (scikit-learn's callback API, or a stand-in for older
versions), ``_bridge`` (the engine's per-epoch hooks to callback contexts),
``_bars`` (tqdm or text bars, also used by the gait command), ``_progress_bar``.
"""

from ._progress_bar import ProgressBar

__all__ = ["ProgressBar"]
