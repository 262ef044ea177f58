#!/usr/bin/env python3
"""Writes decided SCOTUS cases as *pending* cases for `lexgraph predict`: each line of
cases.jsonl keeps only the fields a case carries before its decision (the whitelist of
Sources/Prediction/CaseInput.swift, `CaseInput.allowedFields`; `lexgraph predict` refuses
any other field), so the outcome and everything dated after the decision are dropped.

Usage: python3 tools/make_pending_cases.py [--data ../shared/data] [--term 2013] [--count 3]
       > pending.jsonl
"""
import argparse, json, os, sys

ALLOWED = ["oyez_id", "name", "docket", "term_for_split", "first_party", "second_party", "facts",
           "usid", "fowler_caseid", "scdb_caseId", "scdb_term", "scdb_petitioner", "scdb_respondent",
           "scdb_lcDisposition", "scdb_certReason", "scdb_issue", "scdb_issueArea", "scdb_lawType",
           "scdb_lawSupp"]

p = argparse.ArgumentParser()
p.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
p.add_argument("--term", type=int, default=2013)
p.add_argument("--count", type=int, default=3)
args = p.parse_args()

written = 0
with open(os.path.join(args.data, "scotus", "cases.jsonl"), encoding="utf-8") as f:
    for line in f:
        case = json.loads(line)
        if case.get("term_for_split") != args.term or not case.get("facts"):
            continue
        print(json.dumps({k: case[k] for k in ALLOWED if k in case}, ensure_ascii=False))
        written += 1
        if written == args.count:
            break
if written == 0:
    sys.exit(f"no case of term {args.term} with facts in {args.data}/scotus/cases.jsonl")
