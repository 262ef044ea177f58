#!/usr/bin/env python3
"""Writes Tests/Fixtures/walks/networkx_walks.json: a small dated legal graph and, for a
set of walks over it, the hop distances and personalized PageRank scores computed by
networkx (the peer). GraphAlgorithmsTests loads the same graph into a GraphStore, runs
the same walks with GraphSnapshot.walk and compares.

As-of semantics mirrored here independently: a node or edge exists on date D when
valid_from <= D < valid_to (open ends pass); an edge's valid_from defaults to its source
node's. A walk follows allowed edge types between existing nodes (direction out, in or
both), BFS to `depth` from the seeds; PageRank runs on the subgraph induced by the
reached nodes (scope "reached") or by all existing nodes (scope "graph"), with restart
probability 0.15 (networkx alpha 0.85), personalization = normalised seed weights, and
parallel edges counted once each (MultiDiGraph).

Rerun: python3 tools/make_walk_fixture.py
"""
import json
import os

import networkx as nx

CASES = [
    ("c01", "1900-01-01"), ("c02", "1910-01-01"), ("c03", "1920-01-01"), ("c04", "1930-01-01"),
    ("c05", "1940-01-01"), ("c06", "1950-01-01"), ("c07", "1960-01-01"), ("c08", "1970-01-01"),
    ("c09", "1980-01-01"), ("c10", "1990-01-01"), ("c11", "2000-01-01"), ("c12", "2010-01-01"),
]
# Provisions: undated (always valid) except p3, repealed (valid_to) on 1975-01-01.
PROVISIONS = [("p1", None, None), ("p2", None, None), ("p3", None, "1975-01-01")]
# (type, from, to, treatment)
EDGES = [
    ("CITES", "c02", "c01", None), ("CITES", "c03", "c01", None), ("CITES", "c03", "c02", "followed"),
    ("CITES", "c04", "c02", None), ("CITES", "c05", "c03", None), ("CITES", "c05", "c04", None),
    ("CITES", "c06", "c01", "questioned"), ("CITES", "c06", "c05", None), ("CITES", "c07", "c04", "distinguished"),
    ("CITES", "c07", "c06", None), ("CITES", "c08", "c03", "overruled"), ("CITES", "c08", "c07", None),
    ("CITES", "c09", "c05", "applied"), ("CITES", "c09", "c08", None), ("CITES", "c10", "c06", None),
    ("CITES", "c10", "c09", None), ("CITES", "c10", "c04", None), ("OVERRULES", "c10", "c04", None),
    ("CITES", "c11", "c02", None), ("CITES", "c11", "c10", None), ("CITES", "c12", "c11", None),
    ("CITES", "c12", "c07", None), ("CITES", "c12", "c09", None),
    ("APPLIES", "c03", "p1", None), ("APPLIES", "c05", "p1", None), ("APPLIES", "c09", "p1", None),
    ("APPLIES", "c07", "p2", None), ("APPLIES", "c11", "p2", None), ("APPLIES", "c12", "p1", None),
    ("APPLIES", "c05", "p3", None), ("APPLIES", "c08", "p3", None),
]
WALKS = [
    {"name": "recent case, citations out", "seeds": [["c12", 1]], "as_of": "2010-01-01", "depth": 2,
     "types": ["CITES"], "direction": "out", "scope": "reached"},
    {"name": "mid case, everything, both ways", "seeds": [["c09", 1]], "as_of": "1985-06-30", "depth": 3,
     "types": None, "direction": "both", "scope": "reached"},
    {"name": "two weighted seeds, global scope", "seeds": [["c05", 2], ["c07", 1]], "as_of": "1975-01-01", "depth": 2,
     "types": ["CITES", "APPLIES"], "direction": "both", "scope": "graph"},
    {"name": "who cites c03 before 1965", "seeds": [["c03", 1]], "as_of": "1965-01-01", "depth": 2,
     "types": ["CITES"], "direction": "in", "scope": "reached"},
    {"name": "no date, in-edges", "seeds": [["c01", 1]], "as_of": None, "depth": 3,
     "types": None, "direction": "in", "scope": "reached"},
    {"name": "provision seed, global scope", "seeds": [["p1", 1]], "as_of": "1990-01-01", "depth": 2,
     "types": ["APPLIES", "CITES"], "direction": "both", "scope": "graph"},
    {"name": "repealed provision gone", "seeds": [["c05", 1]], "as_of": "1980-01-01", "depth": 2,
     "types": ["APPLIES"], "direction": "both", "scope": "reached"},
]


def valid(start, end, date):
    if date is None:
        return True
    return (start is None or start <= date) and (end is None or date < end)


def run(walk):
    date = walk["as_of"]
    nodes = {k: (d, None) for k, d in CASES}
    nodes.update({k: (s, e) for k, s, e in PROVISIONS})
    alive = {k for k, (s, e) in nodes.items() if valid(s, e, date)}
    g = nx.MultiDiGraph()
    g.add_nodes_from(sorted(alive))
    for t, a, b, _ in EDGES:
        start = nodes[a][0]  # an edge starts when its source does
        if a in alive and b in alive and valid(start, None, date) and (walk["types"] is None or t in walk["types"]):
            if walk["direction"] in ("out", "both"):
                g.add_edge(a, b)
            if walk["direction"] in ("in", "both"):
                g.add_edge(b, a)
    seeds = [k for k, _ in walk["seeds"]]
    dist = nx.multi_source_dijkstra_path_length(g, seeds, cutoff=walk["depth"])
    members = sorted(dist) if walk["scope"] == "reached" else sorted(alive)
    sub = g.subgraph(members)
    total = sum(w for _, w in walk["seeds"])
    personalization = {k: 0.0 for k in members}
    for k, w in walk["seeds"]:
        personalization[k] += w / total
    scores = nx.pagerank(sub, alpha=0.85, personalization=personalization, max_iter=10000, tol=1e-15)
    return {"distances": {k: int(d) for k, d in sorted(dist.items())},
            "scores": {k: scores[k] for k in sorted(dist)}}


def main():
    out = {
        "peer": f"networkx {nx.__version__}",
        "cases": [{"key": k, "decision_date": d} for k, d in CASES],
        "provisions": [{"key": k, "valid_from": s, "valid_to": e} for k, s, e in PROVISIONS],
        "edges": [{"type": t, "from": a, "to": b, "treatment": tr} for t, a, b, tr in EDGES],
        "walks": [dict(w, expected=run(w)) for w in WALKS],
    }
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, "Tests", "Fixtures", "walks", "networkx_walks.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
