"""Saved models across releases: the version a model was saved by, and loading
what earlier releases saved.

Every estimator of the library records the library's version in its saved
state (``_sklearn_mlpreg_version``, as scikit-learn records
``_sklearn_version``); releases before 0.2.0 recorded none and count as 0.1.0.
Loading -- ``pickle``, ``joblib`` or :func:`sklearn_mlpreg.io.load` -- goes
through ``__setstate__``:

* a state saved by this version is used as it is;
* one saved by an earlier version is migrated to today's layout (each class
  says how in ``_migrate_state``: parameters added since then take their
  defaults, an MLP's model specification and training state are rebuilt
  from its weights, settings and classes), with a
  :class:`~sklearn_mlpreg.SavedModelVersionWarning` naming both versions;
* one saved by a later version, or one whose state lacks what a migration
  needs, raises :class:`~sklearn_mlpreg.SavedModelVersionError` naming the
  saving version and the fix.

Classes that have moved keep their earlier module paths (:data:`MOVED_MODULES`),
so that pickles and skops files naming them still find them.
"""

from __future__ import annotations

import inspect
import re

from ._exceptions import SavedModelVersionError, SavedModelVersionWarning, warn
from ._version import __version__

#: The key of the saving version in a saved state.
VERSION_KEY = "_sklearn_mlpreg_version"
#: What a state without that key was saved by.
UNRECORDED_VERSION = "0.1.0"

#: Earlier module paths of classes that live elsewhere today -> the module that
#: has them now (the package registers the aliases on import).
MOVED_MODULES = {
    "sklearn_mlpreg._regressor_cv": "sklearn_mlpreg.model_selection",  # 0.1.0
    "sklearn_mlpreg._classifier_cv": "sklearn_mlpreg.model_selection",  # 0.1.0
    "sklearn_mlpreg.model_selection._alpha_cv": "sklearn_mlpreg.model_selection",  # 0.1.0
}
#: The classes saved files may name under an earlier path (for io's trust list).
LEGACY_TYPE_NAMES = (
    "sklearn_mlpreg._regressor_cv.MLPRegressorCV",
    "sklearn_mlpreg._classifier_cv.MLPClassifierCV",
    "sklearn_mlpreg.model_selection._alpha_cv.MLPRegressorCV",
    "sklearn_mlpreg.model_selection._alpha_cv.MLPClassifierCV",
    "sklearn_mlpreg.callbacks.ProgressBar",
)


def version_tuple(version: str) -> tuple[int, int, int]:
    """``"0.2.0"`` -> ``(0, 2, 0)`` (a suffix such as ``.dev0`` is ignored)."""
    match = re.match(r"(\d+)\.(\d+)\.(\d+)", str(version))
    if match is None:
        raise SavedModelVersionError(
            f"The saved model names an unreadable sklearn_mlpreg version {version!r}. "
            f"Refit the model with sklearn_mlpreg {__version__}.")
    return tuple(int(part) for part in match.groups())


def cannot_load(estimator: str, saved: str, reason: str) -> SavedModelVersionError:
    """The error for a saved ``estimator`` this release cannot bring up to date."""
    return SavedModelVersionError(
        f"This {estimator} was saved by sklearn_mlpreg {saved}; this is "
        f"sklearn_mlpreg {__version__}, which cannot load it: {reason} Refit the model "
        f"with sklearn_mlpreg {__version__}, or load it where sklearn_mlpreg {saved} "
        f"is installed (pip install \"sklearn_mlpreg=={saved}\").")


def fill_parameters(cls: type, state: dict) -> None:
    """Parameters of ``cls`` that a saved state lacks (added to the class since
    it was saved) take their defaults, as an estimator made today would."""
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        if name != "self" and parameter.kind != parameter.VAR_KEYWORD:
            state.setdefault(name, parameter.default)


class SavedStateMixin:
    """Record the library version in the saved state; migrate on load.

    A class overrides :meth:`_migrate_state` to bring an earlier release's
    state up to date (the default fills parameters added since), names in
    ``_fitted_needs`` what a fitted state must hold, and checks a loaded state
    in :meth:`_check_loaded_state`.
    """

    #: The attributes without which a fitted state (one holding any fitted
    #: attribute) cannot predict.
    _fitted_needs: tuple[str, ...] = ()

    def _needs_of(self, state: dict) -> tuple[str, ...]:
        """What the fitted ``state`` must hold to predict (``_fitted_needs``)."""
        return self._fitted_needs

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # (scikit-learn's may be __dict__ itself)
        state[VERSION_KEY] = __version__
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        saved = state.pop(VERSION_KEY, UNRECORDED_VERSION)
        name = name_of(self)
        if version_tuple(saved) > version_tuple(__version__):
            raise cannot_load(name, saved, "it comes from a later release.")
        if saved != __version__:
            state = self._migrate_state(state, saved)
        missing = [name for name in self._needs_of(state) if name not in state]
        if missing and any(_is_fitted_attribute(name) for name in state):
            raise cannot_load(name_of(self), saved, f"it lacks {', '.join(missing)}.")
        self._check_loaded_state(state)
        if saved != __version__:
            warn(f"This {name} was saved by sklearn_mlpreg {saved} and loaded by "
                 f"sklearn_mlpreg {__version__}: it was brought up to date and predicts "
                 "as it did. Save it again to store it in today's layout.",
                 SavedModelVersionWarning)
        super().__setstate__(state)

    @classmethod
    def _migrate_state(cls, state: dict, saved: str) -> dict:
        """``state``, saved by release ``saved``, in today's layout."""
        fill_parameters(cls, state)
        return state

    def _check_loaded_state(self, state: dict) -> None:
        """Refuse a loaded state that cannot be right (none by default)."""


def _is_fitted_attribute(name: str) -> bool:
    return name.endswith("_") and not name.startswith("_")


def name_of(estimator) -> str:
    return type(estimator).__name__
