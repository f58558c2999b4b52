"""Everything that trains many networks at once.

* :class:`BatchedGridSearchCV`, :class:`BatchedRandomizedSearchCV`:
  ``GridSearchCV`` / ``RandomizedSearchCV`` for this library's MLPs (alone or
  last in a ``Pipeline``), every (candidate, fold) network trained in stacks,
  with the same ``cv_results_``.
* :class:`MLPRegressorCV`, :class:`MLPClassifierCV`: lambda (``alpha``) chosen by
  cross-validation, the alpha-only case of the same machinery, as estimators.

Modules: ``_evaluate`` plans every (candidate, fold) (the pipeline's steps
fitted once per fold and setting) and returns ``_fit_and_score``'s records;
``_batch`` groups the planned networks into stacks and trains them;
``_scoring`` scores them from stacked predictions (or through scikit-learn's
scorers); ``_search`` and ``_alpha_cv`` hold the public classes.
"""

from ._alpha_cv import MLPClassifierCV, MLPRegressorCV
from ._search import BatchedGridSearchCV, BatchedRandomizedSearchCV

__all__ = ["BatchedGridSearchCV", "BatchedRandomizedSearchCV", "MLPClassifierCV",
           "MLPRegressorCV"]
