#!/usr/bin/env python3
"""Writes the reference fixtures for Tests/PredictionTests from scikit-learn.

  pip install scikit-learn numpy
  python3 tools/make_prediction_fixtures.py

Outputs (Tests/Fixtures/prediction/):
  metrics.json   labels/probabilities and sklearn's accuracy, macro-F1, ROC AUC, Brier,
                 and ECE (10 uniform bins) built from sklearn's calibration_curve.
  logistic.json  small designs and sklearn LogisticRegression(C, lbfgs) coefficients,
                 intercepts and probabilities.
All inputs are synthetic (seeded numpy), so nothing from the shared data is copied.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, brier_score_loss, f1_score, roc_auc_score

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "prediction")
THRESHOLD = 0.5
N_BINS = 10


def ece(y, p):
    """ECE from sklearn's calibration_curve (uniform bins). calibration_curve does not
    return bin sizes, so they are counted with its binning (searchsorted on the inner
    edges, side="left": a probability on an edge falls in the lower bin), and the check
    below confirms that binning reproduces sklearn's per-bin mean probabilities."""
    prob_true, prob_pred = calibration_curve(y, p, n_bins=N_BINS, strategy="uniform")
    bins = np.linspace(0.0, 1.0, N_BINS + 1)
    ids = np.searchsorted(bins[1:-1], p, side="left")
    counts = np.bincount(ids, minlength=N_BINS)
    sums = np.bincount(ids, weights=p, minlength=N_BINS)
    nonzero = counts > 0
    # sklearn sums each bin in another order: its means may differ in the last bit.
    assert np.allclose(sums[nonzero] / counts[nonzero], prob_pred, rtol=0, atol=1e-15), "binning differs from sklearn's"
    return float(np.sum(counts[nonzero] / len(y) * np.abs(prob_true - prob_pred)))


def metric_case(name, y, p):
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    pred = (p >= THRESHOLD).astype(int)
    return {
        "name": name,
        "labels": y.tolist(),
        "probabilities": p.tolist(),
        "threshold": THRESHOLD,
        "accuracy": float(accuracy_score(y, pred)),
        "macro_f1": float(f1_score(y, pred, average="macro")),
        "roc_auc": float(roc_auc_score(y, p)),
        "brier": float(brier_score_loss(y, p)),
        "ece": ece(y, p),
    }


def metrics_fixture(rng):
    cases = []
    # Scores rounded to 2 decimals: many ties, and values on the bin edges (0.1, 0.3, ...).
    y = rng.binomial(1, 0.63, 300)
    p = np.clip(0.35 + 0.25 * y + rng.normal(0, 0.2, 300), 0, 1).round(2)
    cases.append(metric_case("tied scores on bin edges", y, p))
    # Continuous scores, including exact 0 and 1.
    y = rng.binomial(1, 0.4, 211)
    p = rng.beta(2, 3, 211) * 0.6 + 0.4 * y * rng.random(211)
    p[:3] = [0.0, 1.0, 0.5]
    cases.append(metric_case("continuous scores", y, p))
    # A constant probability above the threshold: everything predicted positive (one class
    # has no predictions; AUC exactly 0.5).
    y = rng.binomial(1, 0.64, 97)
    cases.append(metric_case("constant majority", y, np.full(97, 0.641)))
    # Very few distinct scores.
    y = rng.binomial(1, 0.5, 40)
    p = rng.choice([0.2, 0.5, 0.8], 40)
    cases.append(metric_case("three distinct scores", y, p))
    # Probabilities exactly on inner bin edges with labels that make the edge rule matter:
    # ECE differs depending on which bin an edge value falls in.
    y = np.array([1, 1, 0, 0, 0, 1, 1, 0])
    p = np.array([0.2, 0.2, 0.25, 0.15, 0.8, 0.75, 0.9, 0.85])
    cases.append(metric_case("edge values decide the bin", y, p))
    bins = np.linspace(0.0, 1.0, N_BINS + 1)
    right = np.searchsorted(bins[1:-1], p, side="right")
    assert not np.array_equal(right, np.searchsorted(bins[1:-1], p, side="left"))
    return cases


def percentile_fixture(rng):
    """numpy's default (linear) percentiles, the bootstrap's interval definition."""
    values = sorted(rng.normal(0.6, 0.05, 37).tolist())
    qs = [0.0, 2.5, 50.0, 97.5, 100.0]
    return {"values": values, "q": [q / 100 for q in qs], "percentiles": [float(np.percentile(values, q)) for q in qs]}


def logistic_fixture(rng):
    cases = []
    n, k = 160, 6
    x = rng.normal(0, 1, (n, k))
    x[:, 4] = rng.binomial(1, 0.3, n)  # indicator columns, as the one-hot features are
    x[:, 5] = rng.binomial(1, 0.1, n)
    w = np.array([0.8, -0.5, 0.0, 1.2, 0.7, -1.0])
    y = rng.binomial(1, 1 / (1 + np.exp(-(x @ w + 0.4))))
    for c in [0.05, 1.0, 20.0]:
        model = LogisticRegression(C=c, solver="lbfgs", tol=1e-12, max_iter=100000)
        model.fit(x, y)
        cases.append({
            "name": f"dense n={n} k={k} C={c}",
            "c": c,
            "x": x.tolist(),
            "labels": y.tolist(),
            "coefficients": model.coef_[0].tolist(),
            "intercept": float(model.intercept_[0]),
            "probabilities": model.predict_proba(x)[:, 1].tolist(),
        })
    return cases


def main():
    rng = np.random.default_rng(20240501)
    os.makedirs(OUT, exist_ok=True)
    meta = {"generator": "tools/make_prediction_fixtures.py", "sklearn": sklearn.__version__, "numpy": np.__version__}
    with open(os.path.join(OUT, "metrics.json"), "w") as f:
        json.dump({**meta, "cases": metrics_fixture(rng), "percentile": percentile_fixture(rng)}, f)
    with open(os.path.join(OUT, "logistic.json"), "w") as f:
        json.dump({**meta, "cases": logistic_fixture(rng)}, f)


if __name__ == "__main__":
    main()
