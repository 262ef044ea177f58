#!/usr/bin/env python3
"""Checks `lexgraph drift` against Evidently (legacy Report API, DataDriftPreset with the
tests set per column) and scipy on the SCOTUS time splits, and writes the small fixture
Tests/MonitoringTests hold our statistics to.

  compare  For each fixed split (split_full, split_graph_window) and each later part (dev,
           test): a config-only run folder (plan, data folder, encoder) and the part's cases
           as pending cases (the whitelisted fields only) are written under --work; then
           `lexgraph drift --format json` and Evidently run on the same columns, computed
           here independently from cases.jsonl and the raw SCDB CSV (text: words and
           out-of-vocabulary rate through the run encoder's tokenizer.json, HF tokenizers).
           Prints per comparison the columns flagged the same (KS/chi-square at p < 0.05;
           PSI >= 0.1) and the largest value differences, then the share over all.
  fixture  Writes Tests/Fixtures/drift/statistics.json: small samples (drawn from the
           split_full columns, plus edge cases) with scipy's ks_2samp statistic and
           p-value, Evidently's chi-square p-value and PSI on each.

Usage: python3 tools/check_drift_with_evidently.py compare [--data ../shared/data]
           [--lexgraph .build/release/lexgraph] [--encoder models/all-minilm-l6-v2] [--work /tmp/drift-check]
       python3 tools/check_drift_with_evidently.py fixture [--data ../shared/data]
"""
import argparse, json, math, os, subprocess, sys, warnings

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

warnings.filterwarnings("ignore")
from evidently.legacy.report import Report  # noqa: E402
from evidently.legacy.metric_preset import DataDriftPreset  # noqa: E402
from evidently.legacy.pipeline.column_mapping import ColumnMapping  # noqa: E402
from evidently.legacy.calculations.stattests.psi import _psi  # noqa: E402
from evidently.legacy.calculations.stattests.chisquare_stattest import _chi_stat_test  # noqa: E402
from evidently.legacy.core import ColumnType  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
ALLOWED = ["oyez_id", "name", "docket", "term_for_split", "first_party", "second_party", "facts",
           "usid", "fowler_caseid", "scdb_caseId", "scdb_term", "scdb_petitioner", "scdb_respondent",
           "scdb_lcDisposition", "scdb_certReason", "scdb_issue", "scdb_issueArea", "scdb_lawType",
           "scdb_lawSupp"]
# Sources/Prediction/SCDBFeatures.swift, CategoricalField: name -> where the value comes from.
FROM_CASE = {"issueArea": "scdb_issueArea", "issue": "scdb_issue", "petitioner": "scdb_petitioner",
             "respondent": "scdb_respondent", "lcDisposition": "scdb_lcDisposition",
             "certReason": "scdb_certReason", "lawType": "scdb_lawType", "lawSupp": "scdb_lawSupp"}
FROM_SCDB = ["caseSource", "caseOrigin", "lcDispositionDirection", "jurisdiction", "lcDisagreement",
             "adminAction", "threeJudgeFdc"]
CATEGORICAL = list(FROM_CASE) + FROM_SCDB
NUMERIC = ["term", "facts.words", "facts.oov_rate"]


def load_cases(data):
    scdb = pd.read_csv(os.path.join(data, "scdb", "SCDB_2020_01_caseCentered_Citation.csv"), dtype=str,
                       keep_default_na=False, encoding="utf-8", encoding_errors="replace")
    scdb = scdb.set_index("caseId")
    cases = []
    with open(os.path.join(data, "scotus", "cases.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                cases.append(json.loads(line))
    return cases, scdb


def code(text):
    if text is None or text == "":
        return np.nan
    return float(int(float(text)))


def features(cases, scdb, tokenizer=None):
    """One row of drift features per case; without a tokenizer, the SCDB and term columns only."""
    vocab = tokenizer.get_vocab() if tokenizer else None
    rows = []
    for c in cases:
        row = {"term": float(c["term_for_split"])}
        for name, key in FROM_CASE.items():
            row[name] = np.nan if c.get(key) is None else float(c[key])
        scdb_row = scdb.loc[c["scdb_caseId"]] if c.get("scdb_caseId") else None
        for name in FROM_SCDB:
            row[name] = np.nan if scdb_row is None else code(scdb_row[name])
        if tokenizer is None:
            rows.append(row)
            continue
        facts = c.get("facts") or ""
        if facts:
            normalized = tokenizer.normalizer.normalize_str(facts)
            words = [w for w, _ in tokenizer.pre_tokenizer.pre_tokenize_str(normalized)]
            row["facts.words"] = float(len(words))
            row["facts.oov_rate"] = sum(w not in vocab for w in words) / len(words) if words else np.nan
        else:
            row["facts.words"] = np.nan
            row["facts.oov_rate"] = np.nan
        rows.append(row)
    return pd.DataFrame(rows, columns=NUMERIC + CATEGORICAL) if tokenizer else pd.DataFrame(rows)


def part(cases, split, role):
    return [c for c in cases if c.get("label_first_party_winner") is not None and c.get(split) == role]


def evidently_drift(ref, cur, method):
    """Evidently's verdict and score per column; method 'test' = KS / chi-square, 'psi'."""
    columns = [c for c in NUMERIC + CATEGORICAL if ref[c].notna().any() and cur[c].notna().any()]
    per_column = {c: ("psi" if method == "psi" else "ks" if c in NUMERIC else "chisquare") for c in columns}
    mapping = ColumnMapping(numerical_features=[c for c in columns if c in NUMERIC],
                            categorical_features=[c for c in columns if c in CATEGORICAL])
    report = Report(metrics=[DataDriftPreset(columns=columns, per_column_stattest=per_column)])
    report.run(reference_data=ref[columns], current_data=cur[columns], column_mapping=mapping)
    for metric in report.as_dict()["metrics"]:
        if "drift_by_columns" in metric["result"]:
            return {k: (v["drift_score"], v["drift_detected"]) for k, v in metric["result"]["drift_by_columns"].items()}
    raise SystemExit("Evidently's report has no drift_by_columns")


def compare(args):
    from tokenizers import Tokenizer
    tokenizer = Tokenizer.from_file(os.path.join(args.encoder, "tokenizer.json"))
    cases, scdb = load_cases(args.data)
    os.makedirs(args.work, exist_ok=True)
    same_test = same_psi = total = 0
    worst = {"p": 0.0, "psi": 0.0}
    for split in ["split_full", "split_graph_window"]:
        run = os.path.join(args.work, "run-" + split)
        os.makedirs(run, exist_ok=True)
        with open(os.path.join(run, "config.json"), "w") as f:
            json.dump({"model_kind": "fused-transformer", "model_name": "config only (drift check)", "task": "scotus-outcome",
                       "plan": split, "options": {}, "data_path": os.path.abspath(args.data), "db_path": "/nonexistent",
                       "encoder_path": os.path.abspath(args.encoder), "seed": 42, "created": "2026-12-07T00:00:00Z",
                       "lexgraph_version": "lexgraph 0.1.0 (run folder format 1)"}, f)
        ref = features(part(cases, split, "train"), scdb, tokenizer)
        for role in ["dev", "test"]:
            incoming = part(cases, split, role)
            path = os.path.join(args.work, f"{split}-{role}.jsonl")
            with open(path, "w", encoding="utf-8") as f:
                for c in incoming:
                    f.write(json.dumps({k: c[k] for k in ALLOWED if k in c}, ensure_ascii=False) + "\n")
            out = subprocess.run([args.lexgraph, "drift", "--run", run, "--cases", path, "--format", "json"],
                                 capture_output=True, text=True)
            if out.returncode != 0:
                raise SystemExit(f"lexgraph drift failed: {out.stderr}")
            ours = {f["feature"]: f for f in json.loads(out.stdout)["features"]}
            cur = features(incoming, scdb, tokenizer)
            tests, psis = evidently_drift(ref, cur, "test"), evidently_drift(ref, cur, "psi")
            agree_test = agree_psi = 0
            lines = []
            for column in tests:
                o = ours[column]
                p_ev, flag_ev = tests[column]
                psi_ev, psi_flag_ev = psis[column]
                our_psi_flag = o["psi"] is not None and o["psi"] >= 0.1
                agree_test += o["drift"] == flag_ev
                agree_psi += our_psi_flag == psi_flag_ev
                worst["p"] = max(worst["p"], abs(o["p_value"] - p_ev))
                worst["psi"] = max(worst["psi"], abs(o["psi"] - psi_ev) / max(1.0, abs(psi_ev)))
                if o["drift"] != flag_ev or our_psi_flag != psi_flag_ev:
                    lines.append(f"    differs: {column}: ours p={o['p_value']:.4g} psi={o['psi']:.4g}, "
                                 f"Evidently p={p_ev:.4g} psi={psi_ev:.4g}")
            n = len(tests)
            print(f"{split} train ({len(ref)}) vs {role} ({len(cur)}): {n} columns; test flags agree {agree_test}/{n}, "
                  f"PSI flags agree {agree_psi}/{n}; drifted (ours): {', '.join(c for c in tests if ours[c]['drift']) or 'none'}")
            for line in lines:
                print(line)
            same_test += agree_test
            same_psi += agree_psi
            total += n
    print(f"\nall: KS/chi-square flags agree on {same_test}/{total} = {same_test / total:.1%} of columns, "
          f"PSI flags on {same_psi}/{total} = {same_psi / total:.1%} (target >= 95%)")
    print(f"largest |p-value difference| {worst['p']:.2e}; largest PSI difference (relative above 1) {worst['psi']:.2e}")


def fixture(args):
    cases, scdb = load_cases(args.data)
    frame = lambda part_cases: features(part_cases, scdb)
    ref = frame(part(cases, "split_full", "train"))
    cur = frame(part(cases, "split_full", "test"))
    rng = np.random.default_rng(14)
    samples = []

    def add(name, kind, a, b):
        a = [float(x) for x in a if not math.isnan(x)]
        b = [float(x) for x in b if not math.isnan(x)]
        entry = {"name": name, "kind": kind, "reference": a, "current": b}
        ra, rb = pd.Series(a), pd.Series(b)
        if kind == "numeric":
            ks = ks_2samp(a, b)
            entry["ks_statistic"] = float(ks.statistic)
            entry["ks_p_value"] = float(ks.pvalue)
            entry["psi"] = float(_psi(ra, rb, ColumnType.Numerical, 0.1)[0])
        else:
            entry["chi_square_p_value"] = float(_chi_stat_test(ra, rb, ColumnType.Categorical, 0.05)[0])
            entry["psi"] = float(_psi(ra, rb, ColumnType.Categorical, 0.1)[0])
        samples.append(entry)

    pick = lambda frame_, column, n: rng.choice(frame_[column].dropna().to_numpy(), size=n, replace=False)
    add("term, split_full train vs test (150 / 60)", "numeric", pick(ref, "term", 150), pick(cur, "term", 60))
    add("term, two draws from split_full train (120 / 80)", "numeric", pick(ref, "term", 120), pick(ref, "term", 80))
    add("term, equal sizes (70 / 70)", "numeric", pick(ref, "term", 70), pick(ref, "term", 70))
    add("normal with a small shift (200 / 90)", "numeric", np.round(rng.normal(0, 1, 200), 4), np.round(rng.normal(0.25, 1, 90), 4))
    add("few distinct values (<= 20 bins: one per value)", "numeric", rng.integers(0, 6, 150), rng.integers(1, 7, 50))
    add("issueArea, split_full train vs test (200 / 80)", "categorical", pick(ref, "issueArea", 200), pick(cur, "issueArea", 80))
    add("petitioner, split_full train vs test (200 / 80)", "categorical", pick(ref, "petitioner", 200), pick(cur, "petitioner", 80))
    add("lcDisposition, two draws from train (150 / 100)", "categorical", pick(ref, "lcDisposition", 150), pick(ref, "lcDisposition", 100))
    a = pick(ref, "issueArea", 300)
    b = [x for x in pick(cur, "issueArea", 120) if x in set(a)]
    add("issueArea, train vs test, incoming kept to the reference's values", "categorical", a, b)
    a = pick(ref, "lawType", 250)
    b = [x for x in pick(ref, "lawType", 100) if x in set(a)]
    add("lawType, two draws from train, incoming kept to the reference's values", "categorical", a, b)
    add("an incoming category the reference lacks", "categorical", [1, 1, 2, 2, 2, 3] * 10, [1, 2, 3, 4] * 5)
    path = os.path.join(ROOT, "Tests", "Fixtures", "drift", "statistics.json")
    import scipy, evidently
    with open(path, "w") as f:
        head = {"written_by": "tools/check_drift_with_evidently.py fixture",
                "peers": f"scipy {scipy.__version__} (ks_2samp, chisquare), evidently {evidently.__version__} (psi, chi-square test)"}
        f.write(json.dumps(head)[:-1] + ', "samples": [\n')
        f.write(",\n".join(json.dumps(s) for s in samples) + "\n]}\n")
    print(f"wrote {path}: {len(samples)} samples")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["compare", "fixture"])
    p.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    p.add_argument("--lexgraph", default=os.path.join(ROOT, ".build", "release", "lexgraph"))
    p.add_argument("--encoder", default=os.path.join(ROOT, "models", "all-minilm-l6-v2"))
    p.add_argument("--work", default="/tmp/lexgraph-drift-check")
    args = p.parse_args()
    compare(args) if args.what == "compare" else fixture(args)


if __name__ == "__main__":
    main()
