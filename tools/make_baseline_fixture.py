#!/usr/bin/env python3
"""Writes Tests/Fixtures/prediction/baselines_split_full.json: the three baselines of
`lexgraph baselines --split split_full`, computed independently of the Swift code from the
shared data with the standard library, numpy and scikit-learn, as the README and
Sources/Prediction document them:

- majority: the training win rate for every case;
- past-outcome: per case, the petitioner win rate among past outcomes with the case's SCDB
  issue area known strictly before its reference date, Beta-smoothed (prior strength 10)
  towards the Laplace-smoothed overall past rate;
- scdb-logistic: one-hot SCDB codes seen at least 30 times in training, an "argued"
  indicator and the 7 historical rates standardised on the training cases, fit by
  sklearn's LogisticRegression(C=1, lbfgs) (the intercept unpenalised).

The reference date is the SCDB argument date, else 1 October of the term; a labelled
case's outcome counts as known from its decision date (else 30 September after its term);
past outcomes are the labelled cases plus the SCDB rows with partyWinning 0/1 and a
decision date that no case of cases.jsonl names.

The fixture holds each model's test metrics (accuracy at 0.5, ROC AUC, Brier) and its
probability per test case line: derived numbers only, nothing of the data is copied.

  python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scikit-learn numpy
  /tmp/venv/bin/python tools/make_baseline_fixture.py [--data ../shared/data]
"""
import argparse
import csv
import datetime
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, brier_score_loss, roc_auc_score

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "prediction", "baselines_split_full.json")
PRIOR_STRENGTH = 10.0
MINIMUM_COUNT = 30
HISTORICAL_KEYS = ["caseSource", "issue", "issueArea", "petitioner", "respondent", "naturalCourt"]
# The categorical fields, from cases.jsonl ("case") or the joined SCDB row ("scdb").
CATEGORICAL = [("issueArea", "case", "scdb_issueArea"), ("issue", "case", "scdb_issue"),
               ("petitioner", "case", "scdb_petitioner"), ("respondent", "case", "scdb_respondent"),
               ("lcDisposition", "case", "scdb_lcDisposition"), ("certReason", "case", "scdb_certReason"),
               ("lawType", "case", "scdb_lawType"), ("lawSupp", "case", "scdb_lawSupp"),
               ("caseSource", "scdb", "caseSource"), ("caseOrigin", "scdb", "caseOrigin"),
               ("lcDispositionDirection", "scdb", "lcDispositionDirection"), ("jurisdiction", "scdb", "jurisdiction"),
               ("lcDisagreement", "scdb", "lcDisagreement"), ("adminAction", "scdb", "adminAction"),
               ("threeJudgeFdc", "scdb", "threeJudgeFdc")]


def code(text):
    """An SCDB code: blank is None; '12' and '12.0' are 12."""
    if text == "":
        return None
    value = float(text)
    assert value == int(value), text
    return int(value)


def mdy(text):
    if text == "":
        return None
    m, d, y = (int(p) for p in text.split("/"))
    return datetime.date(y, m, d)


def load(data):
    with open(os.path.join(data, "scdb", "SCDB_2020_01_caseCentered_Citation.csv"), newline="", encoding="utf-8") as f:
        scdb = {row["caseId"]: row for row in csv.DictReader(f)}
    cases = []
    with open(os.path.join(data, "scotus", "cases.jsonl"), encoding="utf-8") as f:
        for line_number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            c = json.loads(line)
            row = scdb.get(c.get("scdb_caseId")) if c.get("scdb_caseId") else None
            argued = mdy(row["dateArgument"]) if row else None
            term = int(c["term_for_split"])
            decided = datetime.date.fromisoformat(c["decision_date"]) if c.get("decision_date") else None
            values = {}
            for name, source, key in CATEGORICAL:
                if source == "case":
                    values[name] = int(c[key]) if c.get(key) is not None else None
                else:
                    values[name] = code(row[key]) if row else None
            values["naturalCourt"] = code(row["naturalCourt"]) if row else None
            cases.append({
                "line": line_number, "term": term, "label": c.get("label_first_party_winner"),
                "split": c.get("split_full"), "scdb_id": c.get("scdb_caseId"),
                "as_of": argued or datetime.date(term, 10, 1), "argued": argued is not None,
                "known_from": decided or datetime.date(term + 1, 9, 30), "values": values,
            })
    covered = {c["scdb_id"] for c in cases if c["scdb_id"]}
    past = [(c["known_from"], {k: c["values"][k] for k in HISTORICAL_KEYS}, bool(c["label"]))
            for c in cases if c["label"] is not None]
    for case_id, row in scdb.items():
        won, decided = code(row["partyWinning"]), mdy(row["dateDecision"])
        if case_id in covered or decided is None or won not in (0, 1):
            continue
        attributes = {k: code(row[k]) for k in HISTORICAL_KEYS}
        past.append((decided, attributes, won == 1))
    return cases, past


def historical_rates(case, past):
    """[overall rate] + one Beta-smoothed rate per HISTORICAL_KEYS entry, as of the case's date."""
    before = [(attributes, won) for known, attributes, won in past if known < case["as_of"]]
    wins, n = sum(won for _, won in before), len(before)
    p0 = (wins + 1) / (n + 2)
    rates = [p0]
    for key in HISTORICAL_KEYS:
        value = case["values"][key]
        same = [won for attributes, won in before if value is not None and attributes[key] == value]
        rates.append((sum(same) + PRIOR_STRENGTH * p0) / (len(same) + PRIOR_STRENGTH) if same else p0)
    return rates


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    args = ap.parse_args()
    cases, past = load(args.data)
    labelled = [c for c in cases if c["label"] is not None]
    train = [c for c in labelled if c["split"] == "train"]
    test = [c for c in labelled if c["split"] == "test"]
    y_train = np.array([int(c["label"]) for c in train])
    y_test = np.array([int(c["label"]) for c in test])

    rates = {c["line"]: historical_rates(c, past) for c in train + test}
    probabilities = {"majority": np.full(len(test), y_train.mean())}
    probabilities["past-outcome"] = np.array([rates[c["line"]][1 + HISTORICAL_KEYS.index("issueArea")] for c in test])

    columns = {}
    for name, _, _ in CATEGORICAL:
        counts = {}
        for c in train:
            v = c["values"][name]
            if v is not None:
                counts[v] = counts.get(v, 0) + 1
        for v in sorted(counts):
            if counts[v] >= MINIMUM_COUNT:
                columns[(name, v)] = len(columns)
    dense_train = np.array([rates[c["line"]] for c in train])
    mean, std = dense_train.mean(axis=0), dense_train.std(axis=0)
    std[std ** 2 <= 1e-12] = 1

    def design(rows):
        x = np.zeros((len(rows), len(columns) + 1 + len(mean)))
        for i, c in enumerate(rows):
            for name, _, _ in CATEGORICAL:
                j = columns.get((name, c["values"][name]))
                if j is not None:
                    x[i, j] = 1
            x[i, len(columns)] = 1.0 if c["argued"] else 0.0
            x[i, len(columns) + 1:] = (np.array(rates[c["line"]]) - mean) / std
        return x

    model = LogisticRegression(C=1.0, solver="lbfgs", tol=1e-12, max_iter=100_000).fit(design(train), y_train)
    probabilities["scdb-logistic"] = model.predict_proba(design(test))[:, 1]

    out = {"generator": "tools/make_baseline_fixture.py", "sklearn": sklearn.__version__, "numpy": np.__version__,
           "split": "split_full", "train_cases": len(train), "test_cases": len(test), "features": len(columns) + 1 + len(mean),
           "models": {}}
    for name, p in probabilities.items():
        out["models"][name] = {
            "accuracy": float(accuracy_score(y_test, (p >= 0.5).astype(int))),
            "roc_auc": float(roc_auc_score(y_test, p)),
            "brier": float(brier_score_loss(y_test, p)),
            "probabilities": {str(c["line"]): float(q) for c, q in zip(test, p)},
        }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    for name, m in out["models"].items():
        print(f"{name}: accuracy {m['accuracy']:.4f}, ROC AUC {m['roc_auc']:.4f}, Brier {m['brier']:.4f}")


if __name__ == "__main__":
    main()
