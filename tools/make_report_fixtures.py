#!/usr/bin/env python3
"""Writes Tests/Fixtures/reports/curves.json: ROC curve points and calibration bins from
scikit-learn for a few seeded score sets, which Tests/ReportsTests compare with the Swift
Reports module.

- roc: sklearn.metrics.roc_curve(y, p, drop_intermediate=False) -> fpr, tpr, thresholds
  (the first threshold, +inf, is written as null), and roc_auc_score.
- calibration: sklearn.calibration.calibration_curve(y, p, n_bins=10, strategy="uniform")
  -> prob_true, prob_pred (non-empty bins only). calibration_curve does not return the
  bin counts, so they are computed with the very binning lines of its source
  (np.searchsorted(bins[1:-1], p) with bins = np.linspace(0, 1, 11); np.bincount).

Rerun: python3 tools/make_report_fixtures.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_auc_score, roc_curve

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "reports", "curves.json")


def case(name, y, p):
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    fpr, tpr, thr = roc_curve(y, p, drop_intermediate=False)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
    bins = np.linspace(0.0, 1.0, 11)
    binids = np.searchsorted(bins[1:-1], p)
    counts = np.bincount(binids, minlength=10)
    return {
        "name": name,
        "labels": y.tolist(),
        "probabilities": p.tolist(),
        "roc": {
            "fpr": fpr.tolist(),
            "tpr": tpr.tolist(),
            "thresholds": [None if not np.isfinite(t) else float(t) for t in thr],
            "auc": float(roc_auc_score(y, p)),
        },
        "calibration": {
            "prob_true": prob_true.tolist(),
            "prob_pred": prob_pred.tolist(),
            "bin_index": [int(i) for i in np.nonzero(counts)[0]],
            "count": [int(c) for c in counts[counts > 0]],
        },
    }


def main():
    rng = np.random.default_rng(20261129)
    cases = []
    # Continuous scores, loosely informative.
    y = rng.random(300) < 0.64
    p = np.clip(0.64 + 0.2 * (y - 0.5) + rng.normal(0, 0.2, 300), 0, 1)
    cases.append(case("continuous-300", y, p))
    # Heavy ties (two decimals) and probabilities exactly on the bin edges, 0 and 1.
    y = rng.random(120) < 0.5
    p = np.round(rng.random(120), 2)
    p[:13] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.3, 0.7]
    cases.append(case("ties-and-edges-120", y, p))
    # Few distinct values, empty bins in between.
    y = [1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0]
    p = [0.05, 0.05, 0.55, 0.55, 0.55, 0.95, 0.95, 0.05, 0.62, 0.62, 0.95, 0.33]
    cases.append(case("sparse-12", y, p))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"sklearn": sklearn.__version__, "numpy": np.__version__, "cases": cases}, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
