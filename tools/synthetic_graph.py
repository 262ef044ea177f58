"""The synthetic citation graph shared by the peer benchmarks (tools/bench_load_peer.py,
tools/bench_query_peers.py): 100,000 nodes `n0`..`n99999` and 1,000,000 distinct directed
edges between distinct nodes, drawn uniformly with `random.Random(7)` and sorted, so every
engine and every run sees the same graph.
"""
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
