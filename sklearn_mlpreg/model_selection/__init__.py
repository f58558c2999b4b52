"""Everything that trains many networks at once.

* :class:`BatchedGridSearchCV`, :class:`BatchedRandomizedSearchCV`:
  ``GridSearchCV`` / ``RandomizedSearchCV`` for this library's MLPs (alone or
  last in a ``Pipeline``), every (candidate, fold) network trained in stacks,
  with the same ``cv_results_``.
* :class:`BatchedHalvingGridSearchCV`, :class:`BatchedHalvingRandomSearchCV`:
  ``HalvingGridSearchCV`` / ``HalvingRandomSearchCV`` the same way, each round
  batched (``_halving``).
* :class:`MLPRegressorCV`, :class:`MLPClassifierCV`: lambda (``alpha``) chosen by
  cross-validation, the alpha-only case of the same machinery, as estimators.

Modules: ``_evaluate`` plans every (candidate, fold) (the pipeline's steps
fitted once per fold and setting, ``_folds``) and returns ``_fit_and_score``'s
records; the networks train through the package's one stacked-training
pipeline (:mod:`sklearn_mlpreg._stacks`); ``_scoring`` scores them from stacked
predictions (or through scikit-learn's scorers); ``_search``, ``_regressor_cv``
and ``_classifier_cv`` hold the public classes (``_alpha_search`` the CV
estimators' shared search).
"""

from ._classifier_cv import MLPClassifierCV
from ._halving import BatchedHalvingGridSearchCV, BatchedHalvingRandomSearchCV
from ._regressor_cv import MLPRegressorCV
from ._search import BatchedGridSearchCV, BatchedRandomizedSearchCV

__all__ = ["BatchedGridSearchCV", "BatchedHalvingGridSearchCV",
           "BatchedHalvingRandomSearchCV", "BatchedRandomizedSearchCV", "MLPClassifierCV",
           "MLPRegressorCV"]
