"""Test-session set-up shared by the tests and the package's doctests.

scikit-learn's Array API dispatch needs scipy's own Array API support, which
scipy reads from the environment when it is first imported: set it here,
before any test module imports scipy, so that the Array API tests
(``tests/test_array_api.py`` and the Array API checks among scikit-learn's
estimator checks) run instead of skipping.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")
