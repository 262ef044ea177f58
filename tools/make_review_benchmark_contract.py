#!/usr/bin/env python3
"""Write the 45,000-character agreement `lexgraph review` is benchmarked on.

The Common Paper DPA as a user pastes it (contracts/commonpaper-DPA.txt, 11 sections, 75
clauses), followed by further numbered sections taken from the clause corpus
(clauses/clause_types_395.csv): the first clause of each type in type order, written as
`N. **Heading**. text` like the Common Paper NDA, until the document reaches 45,000
characters (Unicode code points). Deterministic: the same data gives the same file.

    python3 tools/make_review_benchmark_contract.py --data ../shared/data --out /tmp/agreement-45k.md
"""
import argparse
import csv
import os

TARGET = 45_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.environ.get("LEXGRAPH_DATA", "../shared/data"))
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    with open(os.path.join(args.data, "contracts", "commonpaper-DPA.txt"), encoding="utf-8") as f:
        text = f.read().rstrip("\n") + "\n"
    first_of_type = {}
    with open(os.path.join(args.data, "clauses", "clause_types_395.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            first_of_type.setdefault(row["clause_type"], row["clause_text"])
    section = 11
    for clause_type in sorted(first_of_type):
        if len(text) >= TARGET:
            break
        clause = " ".join(first_of_type[clause_type].split())
        heading, sep, body = clause.partition(". ")
        if not sep or len(heading.split()) > 8:
            continue
        section += 1
        text += f"\n{section}. **{heading}**. {body}\n"
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"{args.out}: {len(text)} characters, sections 1-{section}")


if __name__ == "__main__":
    main()
