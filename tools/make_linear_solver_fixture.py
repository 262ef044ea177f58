#!/usr/bin/env python3
"""Writes Tests/Fixtures/clauses/linear/linear.json: scikit-learn's linear models fitted to
convergence on a small seeded sparse problem, for `SparseLinearSolverTests` (Swift's
`BinaryLinearSolvers` and `SparseLinearHead` with solver svm / logistic); and
Tests/Fixtures/clauses/linear/hybrid.json: the same models fitted on `clauses fit
--method hybrid`'s rows, hstack([TF-IDF, alpha * embedding]).

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

The hybrid problem: 36 training and 9 held-out clause-like texts of 3 classes, drawn by a
seeded generator from class words and shared filler words (so n-grams overlap across
classes), TF-IDF as `clauses fit` computes it (TfidfVectorizer, 1-2 grams, sublinear tf,
min_df 1), and a seeded unit "embedding" of 6 dimensions per text that leans towards its
class, rounded to float32 (what the embeddings files give Swift). For alpha in (0.5, 2):
LinearSVC(C=1) and the one-vs-rest LogisticRegression(C=1) on hstack([tfidf, alpha * emb]).
Stored: the texts, labels and embeddings; per fit the TF-IDF coefficients by term (the
Swift vectorizer orders its columns differently), the embedding coefficients, intercept
and held-out decision values.

    python3 tools/make_linear_solver_fixture.py
"""
import json
import os

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "clauses", "linear", "linear.json")
HYBRID_OUT = os.path.join(ROOT, "Tests", "Fixtures", "clauses", "linear", "hybrid.json")
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


CLASS_WORDS = [["governing", "law", "courts", "jurisdiction"], ["terminate", "notice", "days", "breach"],
               ["confidential", "disclose", "information", "secret"]]
FILLERS = ["the", "party", "shall", "may", "agreement", "this", "writing", "each", "under", "any"]
EMBEDDING = 6


def hybrid_problem(seed=11):
    rng = np.random.default_rng(seed)

    def texts(labels):
        out = []
        for c in labels:
            words = list(rng.choice(FILLERS, size=int(rng.integers(3, 7))))
            # One or two class words, and sometimes another class's word: the classes overlap.
            words += list(rng.choice(CLASS_WORDS[c], size=int(rng.integers(1, 3))))
            if rng.random() < 0.3:
                words.append(str(rng.choice(CLASS_WORDS[(c + 1) % CLASSES])))
            rng.shuffle(words)
            out.append(" ".join(words).capitalize() + ".")
        return out

    def embeddings(labels):
        e = rng.normal(size=(len(labels), EMBEDDING))
        for i, c in enumerate(labels):
            e[i, c] += 1.5
        e /= np.linalg.norm(e, axis=1, keepdims=True)
        return e.astype(np.float32).astype(np.float64)

    y = np.array([i % CLASSES for i in range(36)])
    rng.shuffle(y)
    y_test = np.array([i % CLASSES for i in range(9)])
    return texts(y), y, embeddings(y), texts(y_test), y_test, embeddings(y_test)


def write_hybrid():
    train, y, emb, test, y_test, emb_test = hybrid_problem()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    tfidf, tfidf_test = vectorizer.fit_transform(train), vectorizer.transform(test)
    terms = vectorizer.get_feature_names_out().tolist()
    fits = []
    for alpha in (0.5, 2.0):
        x = sp.hstack([tfidf, sp.csr_matrix(alpha * emb)]).tocsr()
        x_test = sp.hstack([tfidf_test, sp.csr_matrix(alpha * emb_test)]).tocsr()
        svm = LinearSVC(C=1.0, tol=1e-9, max_iter=200000).fit(x, y)
        coef, intercept, decision = svm.coef_, svm.intercept_.tolist(), svm.decision_function(x_test).tolist()
        fits.append(("svm", coef, intercept, decision))
        coef, intercept, decision = [], [], []
        for k in range(CLASSES):
            model = LogisticRegression(C=1.0, solver="lbfgs", tol=1e-10, max_iter=100000).fit(x, (y == k).astype(int))
            coef.append(model.coef_[0]); intercept.append(float(model.intercept_[0]))
            decision.append(model.decision_function(x_test))
        fits.append(("logistic", np.array(coef), intercept, np.array(decision).T.tolist()))
        for i in (-2, -1):
            solver, coef, intercept, decision = fits[i]
            fits[i] = {"solver": solver, "C": 1.0, "alpha": alpha,
                       "tfidf_coef": {t: coef[:, j].tolist() for j, t in enumerate(terms)},
                       "embedding_coef": coef[:, len(terms):].tolist(), "intercept": intercept, "test_decision": decision}
    out = {"generator": "tools/make_linear_solver_fixture.py", "sklearn": sklearn.__version__, "classes": CLASSES,
           "tfidf": {"ngram_range": [1, 2], "sublinear_tf": True, "min_df": 1, "vocabulary_size": len(terms)},
           "train_texts": train, "train_labels": y.tolist(), "train_embeddings": emb.tolist(),
           "test_texts": test, "test_labels": y_test.tolist(), "test_embeddings": emb_test.tolist(), "fits": fits}
    with open(HYBRID_OUT, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print(f"wrote {HYBRID_OUT}: {len(fits)} fits over {len(terms)} terms + {EMBEDDING} embedding columns")


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
    write_hybrid()


if __name__ == "__main__":
    main()
