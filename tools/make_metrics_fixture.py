#!/usr/bin/env python3
"""Reference values for Lexgraph's fine-tuning metrics from scikit-learn.

Writes Tests/Fixtures/finetune/metrics_reference.json: seeded random gold/predicted labels
for single-label classification (accuracy, macro-F1) and multi-label classification
(micro-/macro-F1), with the scores scikit-learn computes for them (zero_division=0).
Rerun: python3 tools/make_metrics_fixture.py
"""
import json
import os
import random

import sklearn
from sklearn.metrics import accuracy_score, f1_score

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "Tests", "Fixtures", "finetune", "metrics_reference.json")
rng = random.Random(7)

classify = []
for n, classes, predicted_classes in [(40, 3, 3), (57, 5, 4), (25, 4, 6), (10, 2, 1)]:
    gold = [rng.randrange(classes) for _ in range(n)]
    # Mostly right, some noise, and predictions may use classes gold never has.
    pred = [g if rng.random() < 0.6 else rng.randrange(predicted_classes) for g in gold]
    classify.append({
        "gold": gold, "predicted": pred,
        "accuracy": accuracy_score(gold, pred),
        "macro_f1": f1_score(gold, pred, average="macro", zero_division=0),
    })

multilabel = []
for n, labels in [(30, 4), (50, 6), (12, 5)]:
    gold = [sorted(l for l in range(labels) if rng.random() < 0.3) for _ in range(n)]
    pred = [sorted(l for l in range(labels) if (l in g and rng.random() < 0.7) or (l not in g and rng.random() < 0.15)) for g in gold]
    def hot(rows):
        return [[1 if l in r else 0 for l in range(labels)] for r in rows]
    multilabel.append({
        "label_count": labels, "gold": gold, "predicted": pred,
        "micro_f1": f1_score(hot(gold), hot(pred), average="micro", zero_division=0),
        "macro_f1": f1_score(hot(gold), hot(pred), average="macro", zero_division=0),
    })

with open(out, "w") as f:
    json.dump({"peer": f"scikit-learn {sklearn.__version__}", "classify": classify, "multilabel": multilabel}, f, indent=1)
print("wrote", out)
