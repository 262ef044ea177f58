"""The synthetic citation graph shared by the peer benchmarks (tools/bench_load_peer.py,
tools/bench_query_peers.py): 100,000 nodes `n0`..`n99999` and 1,000,000 distinct directed
edges between distinct nodes, drawn uniformly with `random.Random(7)` and sorted, so every
engine and every run sees the same graph.
"""
import csv
import os
import random


def citation_graph(n_nodes=100_000, n_edges=1_000_000, seed=7):
    """Returns (keys, edges): node keys and sorted (from_key, to_key) pairs."""
    rng = random.Random(seed)
    keys = [f"n{i}" for i in range(n_nodes)]
    pairs = set()
    while len(pairs) < n_edges:
        a, b = rng.randrange(n_nodes), rng.randrange(n_nodes)
        if a != b:
            pairs.add((a, b))
    return keys, [(keys[a], keys[b]) for a, b in sorted(pairs)]


def write_csv_pair(folder, node_column, nodes, edges):
    """`nodes.csv` (one column, `node_column`) and `edges.csv` (from,to) in `folder`."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "nodes.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([node_column])
        w.writerows([n] for n in nodes)
    with open(os.path.join(folder, "edges.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["from", "to"])
        w.writerows(edges)


def write_load_files(folder, keys, edges):
    """Writes `nodes.csv` (key), `edges.csv` (from,to) and a `recipe.yaml` that loads them
    as SupremeCourtCase nodes and CITES edges: the same files for every engine."""
    write_csv_pair(folder, "key", keys, edges)
    with open(os.path.join(folder, "recipe.yaml"), "w") as f:
        f.write("""recipe: bench
sources:
  - file: nodes.csv
    nodes: [{key: "{key}", type: SupremeCourtCase}]
  - file: edges.csv
    edges: [{type: CITES, from: "{from}", to: "{to}"}]
""")
    return folder
