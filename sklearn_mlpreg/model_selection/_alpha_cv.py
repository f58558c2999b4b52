"""MLPRegressorCV and MLPClassifierCV: lambda chosen by cross-validation.

Like ``RidgeCV`` for linear models, and the alpha-only case of
:class:`~._search.BatchedGridSearchCV`: every (alpha, fold) network trains in
one batched run of the engine, the results are formatted by the batched
search's code (:mod:`._alpha_search`), the best alpha is refit on all the
data, and ``pandas.DataFrame(model.cv_results_)`` is the lecture's lambda table
(training vs testing score per lambda).

The two classes (:mod:`._regressor_cv`, :mod:`._classifier_cv`) take every
parameter of the estimator they tune except ``alpha``, plus ``alphas``, ``cv``,
``scoring`` and ``n_jobs``, in ``__init__`` signatures written out as
scikit-learn writes them (a test holds them to the estimators' signatures).
"""

from ._classifier_cv import MLPClassifierCV
from ._regressor_cv import MLPRegressorCV

__all__ = ["MLPClassifierCV", "MLPRegressorCV"]
