#!/usr/bin/env python3
"""Query latency of two lexgraph binaries side by side (a tool, not a test): a change to
the query compiler (the dialect seam of issue 16) against the binary before it, on the
same database in the same run, with the hand-written SQLite CTE of
tools/bench_query_peers.py as the fixed reference.

Each binary is timed inside its process by `lexgraph query --repeat N` (one warm-up, then
N runs; median CPU and wall time), in alternating order over several rounds so that a
change in the machine's load hits both alike; the CTE is timed by Python around execute
and fetch. Answers must agree. Prints per query and round the medians, then the median
over rounds and the ratio new/base (> 1: the new binary is slower).

Database: --db (the SCOTUS graph of `lexgraph build scotus`, start at Mapp v. Ohio), or
by default the synthetic 100,000-node, 1,000,000-edge citation graph of
tools/synthetic_graph.py loaded by the base binary into --work (start at node n0).

Usage: python3 tools/bench_query_ab.py --base /tmp/base/lexgraph --new .build/release/lexgraph
       [--db DB] [--query hop1] [--runs 200] [--rounds 5] [--work /tmp/qab]
"""
import argparse, os, sqlite3, statistics, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_query_peers as peers  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", required=True, help="the lexgraph binary before the change")
    p.add_argument("--new", required=True, help="the lexgraph binary with the change")
    p.add_argument("--db", help="a database with the scotus graph (default: the synthetic graph in --work)")
    p.add_argument("--query", action="append", choices=sorted(peers.LEXGRAPH), help="queries (default: hop1)")
    p.add_argument("--runs", type=int, default=200, help="runs per `--repeat` process")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--work", help="folder for the synthetic database (kept, and reused when present)")
    args = p.parse_args()
    queries = args.query or ["hop1"]
    if args.db:
        db = args.db
        src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        row = src.execute("SELECT id FROM node WHERE type = 'SupremeCourtCase' AND json_extract(props, '$.usid') = '367US643'").fetchone()
        src.close()
        if row is None:
            sys.exit(f"{db}: no SupremeCourtCase with usid 367US643")
        start, graph = row[0], "scotus"
    else:
        work = args.work or tempfile.mkdtemp(prefix="lexgraph-qab-")
        db = os.path.join(work, "synthetic", "synthetic.sqlite")
        if not os.path.exists(db):
            started = time.perf_counter()
            db = peers.synthetic_db(args.base, os.path.join(work, "synthetic"))
            print(f"(synthetic graph loaded by the base binary in {time.perf_counter() - started:.1f} s: {db})", flush=True)
        start, graph = sqlite3.connect(db).execute("SELECT id FROM node WHERE key = 'n0'").fetchone()[0], "synthetic"
    cte = peers.CTESide(db, None, None)
    print(f"{graph} graph, start node {start}; {args.rounds} rounds of `--repeat {args.runs}` per binary, alternating; "
          f"load average before: {os.getloadavg()[0]:.2f}; times in ms (medians)", flush=True)
    for q in queries:
        per = {"base": [], "new": [], "cte": []}
        for r in range(args.rounds):
            order = [("base", args.base), ("new", args.new)] if r % 2 == 0 else [("new", args.new), ("base", args.base)]
            answers = {}
            for side, exe in order:
                rows, wall, cpu = peers.lexgraph_run(exe, db, peers.LEXGRAPH[q], start, args.runs)
                answers[side] = rows
                per[side].append((cpu[0], wall[0]))
            wall, cpu = peers.timed(lambda: cte.run(q, start), args.runs)
            per["cte"].append((statistics.median(cpu), statistics.median(wall)))
            if answers["base"] != answers["new"] or answers["new"] != cte.run(q, start):
                sys.exit(f"{q}: answers differ: base {answers['base'][:5]}, new {answers['new'][:5]}, CTE {cte.run(q, start)[:5]}")
            print(f"{q} round {r + 1}: CPU base {per['base'][-1][0] * 1e3:.4f}, new {per['new'][-1][0] * 1e3:.4f}, "
                  f"CTE {per['cte'][-1][0] * 1e3:.4f}; wall base {per['base'][-1][1] * 1e3:.4f}, new {per['new'][-1][1] * 1e3:.4f}", flush=True)
        for k, kind in enumerate(("CPU", "wall")):
            base = statistics.median(x[k] for x in per["base"])
            new = statistics.median(x[k] for x in per["new"])
            ref = statistics.median(x[k] for x in per["cte"])
            print(f"{q} {kind}: base {base * 1e3:.4f} ms, new {new * 1e3:.4f} ms, CTE {ref * 1e3:.4f} ms; "
                  f"new/base {new / base:.3f}x; base/CTE {base / ref:.2f}x, new/CTE {new / ref:.2f}x", flush=True)
    cte.close()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
