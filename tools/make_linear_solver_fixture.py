#!/usr/bin/env python3
"""Writes Tests/Fixtures/clauses/linear/linear.json: scikit-learn's linear models fitted to
convergence on a small seeded sparse problem, for `SparseLinearSolverTests` (Swift's
`BinaryLinearSolvers` and `SparseLinearHead` with solver svm / logistic).

The problem: 3 classes, 24 features, 60 training and 15 held-out rows, about a third of
the entries non-zero, each row scaled to unit length (as TF-IDF rows are), values rounded
to float32 (what `SparseRows` stores) before scikit-learn sees them. Classes are uneven
(30 / 20 / 10 rows) so class weights matter.

Models (every one with a tight tol so both sides are at the optimum, not at a stopping
point; the Swift test uses the same tolerance):
- svm: LinearSVC(C, tol=1e-9) (squared hinge, L2, liblinear's dual coordinate descent,
  one-vs-rest, intercept_scaling=1), for C in (0.3, 3) and class_weight None / "balanced".
- logistic: one LogisticRegression(C, solver="lbfgs", tol=1e-10) per class, class c's rows
  positive, the rest negative (one-vs-rest), with class_weight None / {1: n_neg/n_pos}
  (BCE's pos_weight, the Swift head's `balanced` for several labels per row).
Stored: coef (class-major), intercept and decision values of the held-out rows.

    python3 tools/make_linear_solver_fixture.py
"""
import json
import os

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "clauses", "linear", "linear.json")
FEATURES, CLASSES = 24, 3


def problem(seed=7):
    rng = np.random.default_rng(seed)
    counts = [30, 20, 10]
    y = np.concatenate([np.full(n, c) for c, n in enumerate(counts)])
    rng.shuffle(y)
    y_test = np.array([i % CLASSES for i in range(15)])

    def rows(labels):
        x = np.zeros((len(labels), FEATURES))
        for i, c in enumerate(labels):
            mask = rng.random(FEATURES) < 0.3
            x[i, mask] = rng.random(mask.sum())
            # Each class leans on its own 4 features, with noise, so the classes overlap.
            x[i, 4 * c:4 * c + 4] += rng.random(4) * (rng.random(4) < 0.5)
            norm = np.linalg.norm(x[i])
            if norm > 0:
                x[i] /= norm
        return x.astype(np.float32).astype(np.float64)

    return rows(y), y, rows(y_test), y_test


def sparse_rows(x):
    return [[[int(j), float(x[i, j])] for j in np.nonzero(x[i])[0]] for i in range(x.shape[0])]


def main():
    x, y, x_test, y_test = problem()
    xs, xs_test = sp.csr_matrix(x), sp.csr_matrix(x_test)
    fits = []
    for c in (0.3, 3.0):
        for weight in (None, "balanced"):
            model = LinearSVC(C=c, tol=1e-9, max_iter=200000, class_weight=weight)
            model.fit(xs, y)
            fits.append({"solver": "svm", "C": c, "balanced": weight is not None,
                         "coef": model.coef_.tolist(), "intercept": model.intercept_.tolist(),
                         "test_decision": model.decision_function(xs_test).tolist()})
        for balanced in (False, True):
            coef, intercept, decision = [], [], []
            for k in range(CLASSES):
                target = (y == k).astype(int)
                positives = int(target.sum())
                weight = {1: (len(y) - positives) / positives} if balanced else None
                model = LogisticRegression(C=c, solver="lbfgs", tol=1e-10, max_iter=100000, class_weight=weight)
                model.fit(xs, target)
                coef.append(model.coef_[0].tolist()); intercept.append(float(model.intercept_[0]))
                decision.append(model.decision_function(xs_test).tolist())
            fits.append({"solver": "logistic", "C": c, "balanced": balanced, "coef": coef, "intercept": intercept,
                         "test_decision": np.array(decision).T.tolist()})
    out = {"generator": "tools/make_linear_solver_fixture.py", "sklearn": sklearn.__version__,
           "features": FEATURES, "classes": CLASSES,
           "train": sparse_rows(x), "train_labels": y.tolist(), "test": sparse_rows(x_test), "test_labels": y_test.tolist(),
           "fits": fits}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}: {len(fits)} fits")


if __name__ == "__main__":
    main()
