"""What MLPClassifierCV's default scoring (log loss, formerly accuracy) changes.

On the bundled classification targets (the gait table's y1 and y2), and on
scikit-learn's small classification sets (iris, wine, breast cancer), with
the gait study's network and outer resampling (stratified 3-fold, 5 repeats;
one repeat for scikit-learn's sets), each outer training set chooses alpha
by the inner CV with either scoring; the held-out samples then score the
refit model's probabilities (log loss, ROC AUC) and labels (accuracy).

    python scripts/classifier_default_scoring.py
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlpreg import MLPClassifierCV
from sklearn_mlpreg.datasets import load_gait
from sklearn_mlpreg.studies.gait import GaitStudyConfig

DATA_SETS = {
    "gait y1": lambda: load_gait(target="y1", return_X_y=True),
    "gait y2": lambda: load_gait(target="y2", return_X_y=True),
    "iris": lambda: load_iris(return_X_y=True),
    "wine": lambda: load_wine(return_X_y=True),
    "breast cancer": lambda: load_breast_cancer(return_X_y=True),
}


def compare(name: str, config: GaitStudyConfig) -> dict:
    """Outer-fold scores of alpha chosen by log loss and by accuracy."""
    X, y = DATA_SETS[name]()
    outer = RepeatedStratifiedKFold(n_splits=3, random_state=config.seed,
                                    n_repeats=config.n_repeats if "gait" in name else 1)
    inner = StratifiedKFold(3, shuffle=True, random_state=config.seed)
    rows = {}
    for scoring in ("neg_log_loss", "accuracy"):
        scores, alphas = [], []
        for train, test in outer.split(X, y):
            model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                                  MLPClassifierCV(
                                      alphas=config.alphas, cv=inner, scoring=scoring,
                                      hidden_layer_sizes=config.hidden_layer_sizes,
                                      learning_rate_init=config.learning_rate_init,
                                      max_iter=config.max_iter, random_state=config.seed))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X[train], y[train])
            proba = model.predict_proba(X[test])
            binary = proba.shape[1] == 2
            scores.append((log_loss(y[test], proba, labels=model.classes_),
                           roc_auc_score(y[test], proba[:, 1] if binary else proba,
                                         multi_class="ovr"),
                           accuracy_score(y[test], model.predict(X[test]))))
            alphas.append(model[-1].alpha_)
        mean = np.mean(scores, axis=0)
        rows[scoring] = {"log_loss": mean[0], "roc_auc": mean[1], "accuracy": mean[2],
                         "median_alpha": float(np.median(alphas))}
    return rows


def main() -> None:
    config = GaitStudyConfig()
    print("data set       scoring        log loss  ROC AUC  accuracy  median alpha")
    for name in DATA_SETS:
        for scoring, row in compare(name, config).items():
            print(f"{name:13}  {scoring:13}  {row['log_loss']:8.3f}  {row['roc_auc']:7.3f}"
                  f"  {row['accuracy']:8.3f}  {row['median_alpha']:g}", flush=True)


if __name__ == "__main__":
    main()
