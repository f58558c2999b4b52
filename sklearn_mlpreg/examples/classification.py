"""Practice: MLP classification of two overlapping Gaussian classes.

200 points: class 0 with x1 ~ N(0, 1), x2 ~ N(5, 2); class 1 with
x1 ~ N(0.8, 1), x2 ~ N(3, 1.5). A 2-30-15-2 tanh network (softmax output here
is the logistic output of a binary MLPClassifier) trained with cross entropy,
Adam at rate 0.05, shuffled mini-batches of 5; accuracy on a held-out 20%.
"""

import numpy as np
from sklearn.metrics import accuracy_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mlpreg import MLPClassifier
from sklearn_mlpreg.examples._common import figure_path, lecture_split, quietly


def two_gaussians(n=200, random_state=0):
    """The notebook's data: two classes of n / 2 points each."""
    rng = np.random.RandomState(random_state)
    half = n // 2
    class0 = np.column_stack([rng.normal(0, 1, half), rng.normal(5, 2, half)])
    class1 = np.column_stack([rng.normal(0.8, 1, half), rng.normal(3, 1.5, half)])
    return np.vstack([class0, class1]), np.repeat([0, 1], half)


@quietly
def main(quick=False, out="figures"):
    X, y = two_gaussians()
    X_train, X_test, y_train, y_test = lecture_split(X, y)
    model = make_pipeline(StandardScaler(), MLPClassifier(
        hidden_layer_sizes=(30, 15), activation="tanh", solver="adam",
        learning_rate_init=0.05, batch_size=5, max_iter=10 if quick else 100,
        random_state=0))
    model.fit(X_train, y_train)
    results = {"train_accuracy": accuracy_score(y_train, model.predict(X_train)),
               "test_accuracy": accuracy_score(y_test, model.predict(X_test))}
    print("Classification: 2-30-15-2 tanh, Adam 0.05, batches of 5")
    print(f"  train accuracy {results['train_accuracy']:.3f}   "
          f"test accuracy {results['test_accuracy']:.3f}")
    from sklearn_mlpreg import plotting

    fig, (ax,) = plotting.figure(1, width=6)
    grid = np.meshgrid(np.linspace(X[:, 0].min() - 1, X[:, 0].max() + 1, 200),
                       np.linspace(X[:, 1].min() - 1, X[:, 1].max() + 1, 200))
    proba = model.predict_proba(np.column_stack([g.ravel() for g in grid]))[:, 1]
    ax.contourf(grid[0], grid[1], proba.reshape(grid[0].shape), levels=20, cmap="RdBu_r",
                alpha=0.4)
    for label, marker in ((0, "o"), (1, "s")):
        ax.scatter(*X_test[y_test == label].T, marker=marker, edgecolors="k",
                   label=f"test, class {label}")
    ax.set_title(f"P(class 1); test accuracy {results['test_accuracy']:.2f}")
    ax.legend(fontsize=7)
    plotting.save(fig, figure_path(out, "classification"))
    return results


if __name__ == "__main__":
    main()
