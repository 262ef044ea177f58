#!/usr/bin/env python3
"""Records what the query compiler writes for a fixed set of queries: the EXPLAIN output
(each MATCH's SQL, its bound arguments and SQLite's plan) of a lexgraph binary, on an
empty database with the legal-core ontology and its updates 0002-0005. Tests/QueryTests/CompiledSQLTests.swift
compares the compiler of the working tree with this record line by line, so a refactor of
the compiler (the dialect seam, issue 16) must keep the SQLite SQL byte-identical.

The record in Tests/Fixtures/query-sql/ was written by the compiler before the dialect
seam (commit fa3df30, the release binary of that commit):

  python3 tools/record_compiled_sql.py --lexgraph /path/to/fa3df30/lexgraph \
      --out Tests/Fixtures/query-sql/legal-core-explain.txt

Queries: every query of graphs/queries/legal.cypher, plus the shapes below that it does
not cover (parameters, a bound variable per row, undirected and incoming
variable-length steps, booleans, numbers, full text, a label outside the ontology
(refused: its error is recorded), ORDER BY/SKIP/LIMIT computed in SQL).
"""
import argparse, os, re, subprocess, sys, tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The ontology: legal-core.yaml with these updates applied in order.
UPDATES = ["0002-2026-11-29-ecthr-judgment.yaml", "0003-2026-11-29-same-court.yaml",
           "0004-2026-12-06-clause-families.yaml", "0005-2026-12-06-contract-types.yaml"]

# (name, query, {parameter: value}); values are ints or strings that do not parse as JSON.
EXTRAS = [
    ("param-one-hop", "MATCH (a)-[:CITES]->(b) WHERE id(a) = $start RETURN count(DISTINCT b) AS n", {"start": 7}),
    ("param-string", "MATCH (c:SupremeCourtCase)-[:CITES]->(d) WHERE c.usid = $u RETURN d.usid AS d", {"u": "367US643"}),
    ("bound-per-row", "MATCH (c:SupremeCourtCase {usid: '367US643'}) MATCH (c)-[r:CITES]->(d) WHERE d.year > 1950 RETURN r, d", {}),
    ("undirected-trails", "MATCH (a:SupremeCourtCase {usid: '367US643'})-[:CITES*1..2]-(b) RETURN count(*) AS n", {}),
    ("incoming-reach", "MATCH (a:SupremeCourtCase {usid: '367US643'})<-[:CITES*1..3]-(b) RETURN count(DISTINCT b) AS n", {}),
    ("unbounded-star", "MATCH (a:SupremeCourtCase {usid: '367US643'})-[:CITES*]->(b) RETURN count(DISTINCT b) AS n", {}),
    ("rel-props-varlength", "MATCH (a:SupremeCourtCase {usid: '367US643'})-[:CITES*1..2 {treatment: 'followed'}]->(b) RETURN b", {}),
    ("bool-and-numbers", "MATCH (n:SupremeCourtCase) WHERE n.first_party_won = true AND n.year >= 1950 AND n.term < 1990.5 RETURN n", {}),
    ("flipped-comparison", "MATCH (n:SupremeCourtCase) WHERE 1960 < n.year AND 'Mapp' = n.name RETURN n", {}),
    ("fulltext", "MATCH (n) WHERE fts(n, 'search seizure') IS NOT NULL RETURN n", {}),
    ("unknown-label", "MATCH (n:NoSuchType) RETURN n", {}),
    ("order-skip-limit", "MATCH (a)-[:CITES]->(b) RETURN id(b) AS b, count(*) AS n ORDER BY n DESC, b SKIP 5 LIMIT 10", {}),
    ("distinct-elements", "MATCH (a:SupremeCourtCase)-[r:CITES|OVERRULES]->(b) RETURN DISTINCT b", {}),
    ("as-of-varlength", "AS OF '1970-01-01' MATCH (a:SupremeCourtCase {usid: '367US643'})-[:CITES*1..2]-(b) RETURN b", {}),
    ("optional-and-where-id", "MATCH (a:SupremeCourtCase) WHERE id(a) = 3 OPTIONAL MATCH (a)<-[:OVERRULES]-(x) RETURN a, x", {}),
    ("pattern-predicate", "MATCH (a:SupremeCourtCase)-[:CITES]->(b) WHERE (b)-[:OVERRULES]->() RETURN a, b", {}),
]


def legal_queries():
    text = open(os.path.join(root, "graphs", "queries", "legal.cypher"), encoding="utf-8").read()
    out = []
    for block in re.split(r"^// name: ", text, flags=re.M)[1:]:
        name, rest = block.split("\n", 1)
        body = "\n".join(line for line in rest.splitlines() if not line.startswith("//")).strip()
        out.append((name.strip(), body.rstrip(";").strip(), {}))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lexgraph", required=True, help="the lexgraph binary whose compiler is recorded")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = os.path.join(folder, "empty.sqlite")
        subprocess.run([args.lexgraph, "ontology", "init", os.path.join(root, "ontology", "legal-core.yaml"), "--db", db],
                       check=True, capture_output=True)
        # The updates as of the record, one by one (a later update may change the plans).
        for update in UPDATES:
            subprocess.run([args.lexgraph, "ontology", "apply", os.path.join(root, "ontology", "updates", update), "--db", db],
                           check=True, capture_output=True)
        blocks = ["updates " + " ".join(UPDATES)]
        for name, query, params in legal_queries() + EXTRAS:
            command = [args.lexgraph, "query", "EXPLAIN " + query, "--db", db]
            for k, v in params.items():
                command += ["--param", f"{k}={v}"]
            run = subprocess.run(command, capture_output=True, text=True)
            # A refused query is recorded by its error (the first line, without the
            # program name): the compiler must refuse it alike.
            lines = run.stdout.rstrip("\n").splitlines() if run.returncode == 0 else \
                ["error " + run.stderr.splitlines()[0].removeprefix("lexgraph: error: ")]
            head = [f"=== {name}"] + [f"param {k}={v}" for k, v in params.items()]
            blocks.append("\n".join(head + ["query " + line for line in query.splitlines()] + ["---"] + lines))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(blocks) + "\n")
    print(f"wrote {len(blocks)} queries to {args.out}")


if __name__ == "__main__":
    main()
