"""Everything that trains many networks at once.

* :class:`MLPRegressorCV`, :class:`MLPClassifierCV`: lambda (``alpha``) chosen by
  cross-validation, every (alpha, fold) network trained in one batched run.

Modules: ``_batch`` plans (candidate, fold) models, groups them into stacks
and runs them; ``_scoring`` scores them from stacked predictions;
``_alpha_cv`` holds the cross-validated estimators.
"""

from ._alpha_cv import MLPClassifierCV, MLPRegressorCV
from ._search import BatchedGridSearchCV, BatchedRandomizedSearchCV

__all__ = ["BatchedGridSearchCV", "BatchedRandomizedSearchCV", "MLPClassifierCV",
           "MLPRegressorCV"]
