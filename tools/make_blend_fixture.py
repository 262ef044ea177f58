#!/usr/bin/env python3
"""Writes Tests/Fixtures/prediction/classical_blend_2001.json: the `classical-blend` model
(Sources/Prediction/ClassicalBlendModel.swift) fitted independently with numpy and
scikit-learn on one walk-forward fold of the shared data (train: every labelled case of
cases.jsonl before term 2001; test: term 2001), for `ClassicalBlendModelTests`.

The blend, as the Swift model documents it:
- tabular part: the SCDB logistic regression of tools/make_baseline_fixture.py (one-hot
  SCDB codes seen >= 30 times in its training rows, an "argued" indicator, the 7 historical
  rates standardised on its training rows; LogisticRegression(C=1)), trained on the fold's
  labelled cases AND every SCDB row without Oyez text (partyWinning 0/1, a decision date)
  whose term is at most the last training term and whose decision date precedes the
  fold's first test reference date;
- text part: TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True) on the
  facts of the training cases, LogisticRegression(C=TEXT_C);
- calibration: an inner time split of the training cases: the last CALIBRATION_TERMS terms
  are held out, both parts are refit on what precedes them (the SCDB rows by the same
  rule, against the held-out cases' first reference date), and on the held-out cases'
  logits the blend weight w (grid 0, 0.05, ..., 1) is the one whose Platt fit
  (LogisticRegression(C=PLATT_C) on z = (1 - w) z_tab + w z_text) has the lowest log
  loss; a second Platt fit on z_tab alone serves cases without text; the threshold
  (0.30 ... 0.70 by 0.01) maximises the held-out accuracy of the calibrated blend (ties:
  nearest 0.5);
- final: both parts refit on the whole fold; P = sigmoid(a z + b).

Stored: the choices (w, Platt coefficients, threshold), the test cases' tabular and text
logits and calibrated probabilities by cases.jsonl line: derived numbers only.

  python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scikit-learn numpy
  /tmp/venv/bin/python tools/make_blend_fixture.py [--data ../shared/data]
  /tmp/venv/bin/python tools/make_blend_fixture.py --preview   # walk-forward 2001-13 AUCs, no fixture
"""
import argparse
import bisect
import datetime
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_baseline_fixture as base  # noqa: E402  (the SCDB features, one home)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "prediction", "classical_blend_2001.json")
FIXTURE_TERM = 2001
TEXT_C = 10.0
PLATT_C = 1e4
CALIBRATION_TERMS = 4
WEIGHTS = [round(0.05 * i, 2) for i in range(21)]
THRESHOLDS = [round(0.30 + 0.01 * i, 2) for i in range(41)]
TOL = 1e-10


def load(data):
    """cases.jsonl cases (with facts) and the SCDB rows without text as training cases."""
    cases, past = base.load(data)
    with open(os.path.join(data, "scotus", "cases.jsonl"), encoding="utf-8") as f:
        facts = {n: json.loads(line).get("facts") or "" for n, line in enumerate(f, start=1) if line.strip()}
    for c in cases:
        c["facts"] = facts[c["line"]]
    covered = {c["scdb_id"] for c in cases if c["scdb_id"]}
    import csv
    extras = []
    with open(os.path.join(data, "scdb", "SCDB_2020_01_caseCentered_Citation.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            won, decided, term = base.code(row["partyWinning"]), base.mdy(row["dateDecision"]), base.code(row["term"])
            if row["caseId"] in covered or decided is None or won not in (0, 1) or term is None:
                continue
            argued = base.mdy(row["dateArgument"])
            values = {name: base.code(row[name]) for name, _, _ in base.CATEGORICAL}
            values["naturalCourt"] = base.code(row["naturalCourt"])
            extras.append({"line": None, "term": term, "label": won == 1, "as_of": argued or datetime.date(term, 10, 1),
                           "argued": argued is not None, "known_from": decided, "values": values, "facts": ""})
    return cases, extras, past


class Rates:
    """base.historical_rates, by binary search over dated records (the same numbers)."""

    def __init__(self, past):
        past = sorted(past, key=lambda r: r[0])
        self.dates = [r[0] for r in past]
        self.wins = np.concatenate([[0], np.cumsum([r[2] for r in past])])
        self.groups = {}
        for known, attributes, won in past:
            for key in base.HISTORICAL_KEYS:
                v = attributes[key]
                if v is not None:
                    self.groups.setdefault((key, v), []).append((known, won))
        self.groups = {k: ([d for d, _ in g], np.concatenate([[0], np.cumsum([w for _, w in g])])) for k, g in self.groups.items()}
        self.cache = {}

    def __call__(self, case):
        key0 = (case["as_of"], tuple(case["values"][k] for k in base.HISTORICAL_KEYS))
        if key0 in self.cache:
            return self.cache[key0]
        n = bisect.bisect_left(self.dates, case["as_of"])
        p0 = (self.wins[n] + 1) / (n + 2)
        rates = [p0]
        for key in base.HISTORICAL_KEYS:
            v = case["values"][key]
            group = self.groups.get((key, v)) if v is not None else None
            m = bisect.bisect_left(group[0], case["as_of"]) if group else 0
            rates.append((group[1][m] + base.PRIOR_STRENGTH * p0) / (m + base.PRIOR_STRENGTH) if m else p0)
        self.cache[key0] = rates
        return rates


def fit_tabular(rows, rates):
    columns = {}
    for name, _, _ in base.CATEGORICAL:
        counts = {}
        for c in rows:
            v = c["values"][name]
            if v is not None:
                counts[v] = counts.get(v, 0) + 1
        for v in sorted(counts):
            if counts[v] >= base.MINIMUM_COUNT:
                columns[(name, v)] = len(columns)
    dense = np.array([rates(c) for c in rows])
    mean, std = dense.mean(axis=0), dense.std(axis=0)
    std[std ** 2 <= 1e-12] = 1

    def design(cs):
        x = np.zeros((len(cs), len(columns) + 1 + len(mean)))
        for i, c in enumerate(cs):
            for name, _, _ in base.CATEGORICAL:
                j = columns.get((name, c["values"][name]))
                if j is not None:
                    x[i, j] = 1
            x[i, len(columns)] = 1.0 if c["argued"] else 0.0
            x[i, len(columns) + 1:] = (np.array(rates(c)) - mean) / std
        return x

    model = LogisticRegression(C=1.0, solver="lbfgs", tol=1e-12, max_iter=100_000).fit(design(rows), [int(c["label"]) for c in rows])
    return lambda cs: model.decision_function(design(cs))


def fit_text(rows):
    rows = [c for c in rows if c["facts"]]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, dtype=np.float32)
    x = vectorizer.fit_transform([c["facts"] for c in rows]).astype(np.float64)
    model = LogisticRegression(C=TEXT_C, solver="lbfgs", tol=TOL, max_iter=100_000).fit(x, [int(c["label"]) for c in rows])
    return lambda cs: model.decision_function(vectorizer.transform([c["facts"] for c in cs]).astype(np.float64))


def parts(train, extras, cutoff, rates):
    """Both parts fit on `train` (labelled cases) plus the SCDB rows the rule admits."""
    last_term = max(c["term"] for c in train)
    admitted = [e for e in extras if e["term"] <= last_term and e["known_from"] < cutoff]
    return fit_tabular(train + admitted, rates), fit_text(train), admitted


def platt(z, y):
    m = LogisticRegression(C=PLATT_C, solver="lbfgs", tol=1e-12, max_iter=100_000).fit(z.reshape(-1, 1), y)
    return float(m.coef_[0, 0]), float(m.intercept_[0])


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def log_loss(p, y):
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def fit_blend(train, extras, cutoff, rates):
    terms = sorted({c["term"] for c in train})
    first_calibration = terms[-CALIBRATION_TERMS]
    inner = [c for c in train if c["term"] < first_calibration]
    held = [c for c in train if c["term"] >= first_calibration]
    tab, text, _ = parts(inner, extras, min(c["as_of"] for c in held), rates)
    y = np.array([int(c["label"]) for c in held])
    zt, zx = tab(held), text(held)
    best = None
    for w in WEIGHTS:
        a, b = platt((1 - w) * zt + w * zx, y)
        loss = log_loss(sigmoid(a * ((1 - w) * zt + w * zx) + b), y)
        if best is None or loss < best[0] - 1e-12:
            best = (loss, w, a, b)
    _, w, a, b = best
    at, bt = platt(zt, y)
    p = sigmoid(a * ((1 - w) * zt + w * zx) + b)
    threshold = max(THRESHOLDS, key=lambda t: (np.mean((p >= t) == (y == 1)), -abs(t - 0.5)))
    tab, text, admitted = parts(train, extras, cutoff, rates)
    return {"weight": w, "a": a, "b": b, "tabular_a": at, "tabular_b": bt, "threshold": threshold,
            "first_calibration_term": first_calibration, "calibration_cases": len(held),
            "admitted_scdb_rows": len(admitted), "tab": tab, "text": text}


def predict(blend, cases):
    zt, zx = blend["tab"](cases), blend["text"](cases)
    w = blend["weight"]
    return zt, zx, sigmoid(blend["a"] * ((1 - w) * zt + w * zx) + blend["b"])


def fold(labelled, term):
    return [c for c in labelled if c["term"] < term], [c for c in labelled if c["term"] == term]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--preview", action="store_true", help="walk-forward 2001-13 AUCs of the parts and the blend; no fixture")
    args = ap.parse_args()
    cases, extras, past = load(args.data)
    rates = Rates(past)
    labelled = [c for c in cases if c["label"] is not None]
    if args.preview:
        pooled = {"tabular": [], "text": [], "blend": [], "y": []}
        for term in range(2001, 2014):
            train, test = fold(labelled, term)
            blend = fit_blend(train, extras, min(c["as_of"] for c in test), rates)
            zt, zx, p = predict(blend, test)
            pooled["tabular"] += list(zt); pooled["text"] += list(zx); pooled["blend"] += list(p)
            pooled["y"] += [int(c["label"]) for c in test]
            print(term, "w", blend["weight"], "t", blend["threshold"], "rows", blend["admitted_scdb_rows"], flush=True)
        y = np.array(pooled["y"])
        for k in ("tabular", "text", "blend"):
            print(k, "AUC %.3f" % roc_auc_score(y, pooled[k]))
        print("blend accuracy %.3f at 0.5" % np.mean((np.array(pooled["blend"]) >= 0.5) == (y == 1)))
        return
    train, test = fold(labelled, FIXTURE_TERM)
    blend = fit_blend(train, extras, min(c["as_of"] for c in test), rates)
    zt, zx, p = predict(blend, test)
    out = {"generator": "tools/make_blend_fixture.py", "sklearn": sklearn.__version__, "numpy": np.__version__,
           "term": FIXTURE_TERM, "train_cases": len(train), "test_cases": len(test),
           "admitted_scdb_rows": blend["admitted_scdb_rows"], "first_calibration_term": blend["first_calibration_term"],
           "calibration_cases": blend["calibration_cases"], "text_c": TEXT_C, "platt_c": PLATT_C,
           "calibration_terms": CALIBRATION_TERMS, "weight": blend["weight"], "a": blend["a"], "b": blend["b"],
           "tabular_a": blend["tabular_a"], "tabular_b": blend["tabular_b"], "threshold": blend["threshold"],
           "roc_auc": float(roc_auc_score([int(c["label"]) for c in test], p)),
           "cases": {str(c["line"]): {"tabular_logit": float(a), "text_logit": float(b), "probability": float(q)}
                     for c, a, b, q in zip(test, zt, zx, p)}}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print({k: v for k, v in out.items() if k != "cases"})


if __name__ == "__main__":
    main()
