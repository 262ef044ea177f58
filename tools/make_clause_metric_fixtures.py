#!/usr/bin/env python3
"""Reference values for the clause-task metrics (Sources/ContractReview/ClauseMetrics.swift)
from scikit-learn.

  pip install scikit-learn numpy
  python3 tools/make_clause_metric_fixtures.py

Writes Tests/Fixtures/clauses/metrics.json with seeded synthetic inputs (nothing from the
shared data) and:
- top-k accuracy: sklearn top_k_accuracy_score (ties: the higher class index ranks first),
  accuracy and macro-F1 of the argmax (first of tied maxima), family accuracy by its
  definition (share of items whose predicted class has the gold class's family);
- average precision (average_precision_score) and precision at recall >= r (the largest
  precision of precision_recall_curve among its points with recall >= r), with random,
  tied, constant and degenerate scores; without a positive both are undefined (sklearn
  warns and returns 0 for AP; we report nothing rather than a made-up 0);
- multi-label micro/macro F1 (f1_score on indicator matrices, zero_division=0), the
  unfair-tos macro-F1 over the labels plus "Other" (a 9th column set where a row has no
  label) and micro-F1 with Other, and ECE over all (item, label) probabilities (10 uniform
  bins, built from calibration_curve);
- per-label threshold tuning: for each label the dev score that maximises its F1
  (sklearn f1_score of score >= t over every distinct dev score, ties to the larger
  threshold; a label without dev positives keeps the fallback), then the test F1s at
  those thresholds. tools/bench_clause_peers.py's tune_threshold is checked against it.
"""
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import (accuracy_score, average_precision_score, f1_score,
                             precision_recall_curve, top_k_accuracy_score)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "clauses", "metrics.json")
N_BINS = 10
sys.path.insert(0, os.path.join(ROOT, "tools"))
from bench_clause_peers import tune_threshold as peer_tune_threshold  # noqa: E402
from make_prediction_fixtures import ece  # noqa: E402  (one ECE for every fixture)


def ranking_cases(rng):
    def case(name, y, s, ks=(1, 3, 5), families=None):
        y = np.asarray(y)
        s = np.asarray(s, dtype=float)
        classes = s.shape[1]
        predicted = np.argmax(s, axis=1)
        if families is None:
            families = [f"family-{c // 2}" for c in range(classes)]
        return {
            "name": name, "gold": y.tolist(), "scores": s.tolist(), "families": families,
            "predicted": predicted.tolist(),
            "accuracy": float(accuracy_score(y, predicted)),
            "macro_f1": float(f1_score(y, predicted, average="macro", zero_division=0)),
            "family_accuracy": float(np.mean([families[g] == families[p] for g, p in zip(y, predicted)])),
            "top_k": {str(k): float(top_k_accuracy_score(y, s, k=k, labels=list(range(classes)))) for k in ks if k < classes},
        }
    cases = []
    y = rng.integers(0, 9, 80)
    y[y == 4] = 5  # a class that never occurs in gold
    cases.append(case("continuous scores", y, rng.normal(0, 1, (80, 9)) + 1.5 * np.eye(9)[y]))
    y = rng.integers(0, 6, 60)
    cases.append(case("tied scores", y, rng.random((60, 6)).round(1), ks=(1, 2, 5)))
    cases.append(case("all scores equal", rng.integers(0, 4, 10), np.full((10, 4), 0.5), ks=(1, 2, 3)))
    y = rng.integers(0, 5, 30)
    s = rng.normal(0, 1, (30, 5))
    cases.append(case("one family per class", y, s, ks=(1, 3), families=["a", "b", "c", "d", "e"]))
    return cases


def binary_cases(rng):
    levels = [0.5, 0.8, 1.0]

    def case(name, y, s):
        y = np.asarray(y, dtype=int)
        s = np.asarray(s, dtype=float)
        out = {"name": name, "labels": y.tolist(), "scores": s.tolist(), "levels": levels}
        if y.sum() == 0:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out["sklearn_ap_without_positive"] = float(average_precision_score(y, s))
            out["average_precision"] = None
            out["precision_at_recall"] = [None for _ in levels]
            return out
        precision, recall, _ = precision_recall_curve(y, s)
        out["average_precision"] = float(average_precision_score(y, s))
        out["precision_at_recall"] = [float(precision[recall >= r].max()) for r in levels]
        return out

    cases = []
    y = rng.binomial(1, 0.3, 200)
    cases.append(case("continuous scores", y, rng.normal(0, 1, 200) + 1.2 * y))
    y = rng.binomial(1, 0.4, 150)
    cases.append(case("scores tied to one decimal", y, np.clip(0.4 + 0.2 * y + rng.normal(0, 0.25, 150), 0, 1).round(1)))
    y = rng.binomial(1, 0.5, 40)
    cases.append(case("three distinct scores", y, rng.choice([0.1, 0.5, 0.9], 40)))
    cases.append(case("constant score", rng.binomial(1, 0.3, 25), np.full(25, 0.2)))
    y = np.zeros(30, dtype=int)
    y[7] = 1
    cases.append(case("one positive", y, rng.random(30)))
    cases.append(case("all positive", np.ones(12, dtype=int), rng.random(12)))
    cases.append(case("no positive", np.zeros(12, dtype=int), rng.random(12)))
    s = rng.random(20)
    cases.append(case("perfect ranking", (s > 0.6).astype(int), s))
    cases.append(case("reversed ranking", (s < 0.3).astype(int), s))
    # Five positives: the fourth one found reaches recall 4/5, exactly the 0.8 level.
    y = np.array([1, 0, 1, 1, 0, 1, 0, 0, 0, 1])
    cases.append(case("recall exactly 0.8 reached", y, np.array([0.9, 0.8, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1])))
    return cases


def hot(sets, labels):
    return np.array([[1 if l in s else 0 for l in range(labels)] for s in sets], dtype=int).reshape(len(sets), labels)


def with_other(h):
    return np.hstack([h, (h.sum(axis=1) == 0).astype(int)[:, None]])


def multilabel_cases(rng):
    cases = []
    for name, n, labels, rate in [("eight labels, mostly empty rows", 120, 8, 0.06), ("five labels, dense", 50, 5, 0.35),
                                  ("three labels, tiny", 6, 3, 0.3)]:
        gold = [sorted(l for l in range(labels) if rng.random() < rate) for _ in range(n)]
        probabilities = np.clip(np.array([[0.7 * (l in g) + rng.normal(0.2, 0.2) for l in range(labels)] for g in gold]), 0, 1)
        probabilities = probabilities.round(3)  # ties, some on bin edges
        predicted = [sorted(np.flatnonzero(row >= 0.5).tolist()) for row in probabilities]
        g, p = hot(gold, labels), hot(predicted, labels)
        g9, p9 = with_other(g), with_other(p)
        cases.append({
            "name": name, "label_count": labels, "gold": gold, "predicted": predicted, "probabilities": probabilities.tolist(),
            "micro_f1": float(f1_score(g, p, average="micro", zero_division=0)),
            "macro_f1": float(f1_score(g, p, average="macro", zero_division=0)),
            "macro_f1_with_other": float(f1_score(g9, p9, average="macro", zero_division=0)),
            "micro_f1_with_other": float(f1_score(g9, p9, average="micro", zero_division=0)),
            "ece": ece(g.ravel(), probabilities.ravel()),
        })
    return cases


def brute_force_threshold(y, s, fallback):
    """Every distinct score as threshold, F1 from sklearn; ties to the larger threshold."""
    if y.sum() == 0:
        return fallback
    best, best_f1 = None, -1.0
    for t in sorted(set(s.tolist()), reverse=True):
        f = f1_score(y, (s >= t).astype(int), zero_division=0)
        if f > best_f1:
            best, best_f1 = t, f
    return float(best)


def threshold_cases(rng):
    cases = []
    for name, labels, fallback, rounding in [("probabilities with ties", 6, 0.5, 2), ("margins", 4, 0.0, None)]:
        def draw(n):
            gold = [sorted(l for l in range(labels) if rng.random() < 0.2 + 0.05 * l) for _ in range(n)]
            h = hot(gold, labels)
            if fallback == 0.5:
                s = np.clip(0.3 + 0.35 * h + rng.normal(0, 0.2, h.shape), 0, 1)
            else:
                s = -1 + 1.5 * h + rng.normal(0, 0.8, h.shape)
            if rounding is not None:
                s = s.round(rounding)
            return gold, h, s
        dev_gold, dev_h, dev_s = draw(90)
        # Label 1 has no dev positive (keeps the fallback); label 2 is positive everywhere.
        dev_gold = [sorted((set(g) - {1}) | {2}) for g in dev_gold]
        dev_h = hot(dev_gold, labels)
        test_gold, test_h, test_s = draw(70)
        thresholds = [brute_force_threshold(dev_h[:, l], dev_s[:, l], fallback) for l in range(labels)]
        peer = [peer_tune_threshold(dev_h[:, l], dev_s[:, l], fallback) for l in range(labels)]
        assert thresholds == peer, f"bench_clause_peers.tune_threshold differs: {peer} vs {thresholds}"
        predicted = (test_s >= np.array(thresholds)[None, :]).astype(int)
        cases.append({
            "name": name, "label_count": labels, "fallback": fallback,
            "dev_gold": dev_gold, "dev_scores": dev_s.tolist(), "test_gold": test_gold, "test_scores": test_s.tolist(),
            "thresholds": thresholds,
            "test_predicted": [np.flatnonzero(row).tolist() for row in predicted],
            "test_micro_f1": float(f1_score(test_h, predicted, average="micro", zero_division=0)),
            "test_macro_f1": float(f1_score(test_h, predicted, average="macro", zero_division=0)),
            "test_macro_f1_with_other": float(f1_score(with_other(test_h), with_other(predicted), average="macro", zero_division=0)),
        })
    return cases


def main():
    rng = np.random.default_rng(20260512)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    fixture = {"generator": "tools/make_clause_metric_fixtures.py", "sklearn": sklearn.__version__, "numpy": np.__version__,
               "ranking": ranking_cases(rng), "binary": binary_cases(rng), "multilabel": multilabel_cases(rng),
               "thresholds": threshold_cases(rng)}
    with open(OUT, "w") as f:
        json.dump(fixture, f)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
