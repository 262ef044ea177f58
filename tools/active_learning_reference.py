#!/usr/bin/env python3
"""Reference values for Tests/ActiveLearningTests from the peers: small-text 1.4
(LeastConfidence, BreakingTies, PredictionEntropy scores and picks; greedy_coreset, the
k-center greedy of Sener and Savarese 2018) and scikit-learn (cohen_kappa_score).

    pip install small-text scikit-learn
    python3 tools/active_learning_reference.py > Tests/Fixtures/active-learning/reference.json

Seeded: rerunning writes the same file. Probability rows are drawn so no two scores tie
(small-text breaks ties by argpartition order; Lexgraph by pool order, tested by hand).
"""
import json

import numpy as np
from sklearn.metrics import cohen_kappa_score
from small_text.query_strategies import BreakingTies, LeastConfidence, PredictionEntropy
from small_text.query_strategies.coresets import greedy_coreset


class FixedProba:
    """A classifier whose predict_proba returns fixed rows (what the strategies read)."""

    def __init__(self, proba):
        self.proba = proba

    def predict_proba(self, dataset):
        return self.proba[np.asarray(dataset)]


def main():
    rng = np.random.default_rng(7)
    n, classes, k = 24, 4, 5
    proba = rng.dirichlet(np.ones(classes) * 0.8, size=n).astype(np.float32)
    dataset = np.arange(n)
    unlabeled = np.arange(n)
    labeled = np.array([], dtype=np.int64)
    strategies = {}
    for name, strategy in [("least-confidence", LeastConfidence()), ("margin", BreakingTies()), ("entropy", PredictionEntropy())]:
        clf = FixedProba(proba)
        picks = strategy.query(clf, dataset, unlabeled, labeled, np.array([], dtype=np.int64), n=k)
        scores = strategy.get_confidence(clf, dataset, unlabeled, labeled, None)
        strategies[name] = {"picks": sorted(int(i) for i in picks), "small_text_scores": [float(s) for s in scores]}

    # k-center greedy: the unlabelled points first (small-text indexes its picks by position
    # in indices_unlabeled and masks picked points by that position), the labelled after.
    points = rng.normal(size=(30, 6)).astype(np.float32)
    unlabelled = np.arange(0, 26)
    labelled = np.arange(26, 30)
    coreset = greedy_coreset(points, unlabelled, labelled, 6, distance_metric="euclidean", normalized=True)

    a = rng.integers(0, 4, size=60)
    b = np.where(rng.random(60) < 0.7, a, rng.integers(0, 4, size=60))
    json.dump({
        "probabilities": proba.tolist(), "k": k, "strategies": strategies,
        "kcenter": {"points": points.tolist(), "unlabelled": unlabelled.tolist(), "labelled": labelled.tolist(), "k": 6,
                    "picks": [int(i) for i in coreset]},
        "kappa": {"a": a.tolist(), "b": b.tolist(), "sklearn": float(cohen_kappa_score(a, b))},
    }, __import__("sys").stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
