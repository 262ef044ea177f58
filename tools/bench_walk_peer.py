#!/usr/bin/env python3
"""Times Lexgraph's as-of walk with personalized PageRank against networkx on the same
synthetic SCOTUS-sized graph and the same walks, and checks that both give the same
reached nodes and scores.

Runs `lexgraph walk-bench --export DIR` (build it first: swift build -c release), which
generates the graph (30k cases, 217k CITES, 58k other edges by default), times its own
walks (all of --walks), and exports the graph plus the first --compare walks with their
scores. Then, for those walks, networkx does the same work: keep nodes and edges dated on
or before the walk's date, BFS to the depth from the seed along edges in both directions,
and nx.pagerank (alpha 0.85 = restart 0.15, personalization on the seed) over the
reached subgraph with the same stopping rule (L1 change < 1e-6).

Usage: python3 tools/bench_walk_peer.py [--lexgraph .build/release/lexgraph] [--walks 200] [--compare 20]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import networkx as nx


def load(folder):
    keys, valid_from = [], []
    with open(os.path.join(folder, "nodes.tsv")) as f:
        next(f)
        for line in f:
            key, _type, date = line.rstrip("\n").split("\t")
            keys.append(key)
            valid_from.append(date or None)
    out_adj = [[] for _ in keys]
    in_adj = [[] for _ in keys]
    with open(os.path.join(folder, "edges.tsv")) as f:
        next(f)
        for line in f:
            s, t, _type, date = line.rstrip("\n").split("\t")
            s, t = int(s), int(t)
            out_adj[s].append((t, date or None))
            in_adj[t].append((s, date or None))
    return keys, valid_from, out_adj, in_adj


def walk(index, valid_from, out_adj, in_adj, seed, date, depth, tolerance):
    """The networkx-side walk; returns ({node: score}, seconds spent in nx.pagerank)."""
    def ok(d):
        return d is None or d <= date
    start = index[seed]
    dist = {start: 0}
    frontier = [start]
    for hop in range(1, depth + 1):
        nxt = []
        for u in frontier:
            for adj in (out_adj[u], in_adj[u]):
                for v, d in adj:
                    if v not in dist and ok(d) and ok(valid_from[v]):
                        dist[v] = hop
                        nxt.append(v)
        frontier = nxt
    g = nx.MultiDiGraph()
    g.add_nodes_from(dist)
    for u in dist:
        for v, d in out_adj[u]:
            if v in dist and ok(d):
                g.add_edge(u, v)
                g.add_edge(v, u)
    t0 = time.perf_counter()
    personalization = {n: 0.0 for n in dist}
    personalization[start] = 1.0
    scores = nx.pagerank(g, alpha=0.85, personalization=personalization, tol=tolerance / len(dist), max_iter=1000)
    return scores, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lexgraph", default=".build/release/lexgraph")
    ap.add_argument("--walks", type=int, default=200)
    ap.add_argument("--compare", type=int, default=20)
    ap.add_argument("--depths", default="2,3")
    args = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="walk-bench-")
    cmd = [args.lexgraph, "walk-bench", "--walks", str(args.walks), "--compare", str(args.compare),
           "--depths", args.depths, "--export", folder]
    print("$", " ".join(cmd))
    sys.stdout.flush()
    subprocess.run(cmd, check=True)
    keys, valid_from, out_adj, in_adj = load(folder)
    index = {k: i for i, k in enumerate(keys)}
    with open(os.path.join(folder, "walks.json")) as f:
        meta = json.load(f)
    assert meta["direction"] == "both"
    print(f"\nnetworkx {nx.__version__}, {args.compare} walks per depth (the first of the Swift run's walks)")
    print("depth  swift_median_ms  nx_walk_median_ms  nx_pagerank_only_median_ms  ratio_walk  ratio_pagerank_only  max_score_diff  same_nodes")
    for run in meta["runs"]:
        depth = run["depth"]
        nx_total, nx_pr, max_diff, same = [], [], 0.0, True
        for w in run["walks"]:
            t0 = time.perf_counter()
            scores, pr_seconds = walk(index, valid_from, out_adj, in_adj, w["seed"], w["as_of"], depth, meta["tolerance"])
            nx_total.append((time.perf_counter() - t0) * 1000)
            nx_pr.append(pr_seconds * 1000)
            swift = w["scores"]
            named = {keys[n]: s for n, s in scores.items()}
            same = same and set(named) == set(swift)
            for k, s in named.items():
                max_diff = max(max_diff, abs(s - swift.get(k, 0.0)))
        swift_median = statistics.median(run["times_ms"][: len(run["walks"])])
        total, pr = statistics.median(nx_total), statistics.median(nx_pr)
        print(f"{depth:5d}  {swift_median:15.2f}  {total:17.2f}  {pr:26.2f}  {total / swift_median:10.1f}  "
              f"{pr / swift_median:19.1f}  {max_diff:14.2e}  {same}")
    print(f"\n(Swift medians above are over the same {args.compare} walks; the Swift table above is over all {args.walks}.)")


if __name__ == "__main__":
    main()
