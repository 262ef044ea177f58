#!/usr/bin/env python3
"""Encryption-at-rest overhead (a benchmark, not a test): the same synthetic citation graph
(tools/synthetic_graph.py, by default 30,000 nodes and 300,000 CITES edges) loaded with
`lexgraph load --init` into a plain database and into an encrypted one
($LEXGRAPH_DB_KEY_FILE set: AES-256-GCM pages through the CLexgraphCrypt VFS), in the same
run, alternating which goes first; then the same queries on both, timed inside the
process by `lexgraph query --repeat N` (one warm-up, then N runs; medians):

  hop1      1-hop neighbours of one node (a few pages: mostly SQLite's page cache)
  hop2      distinct nodes within 2 hops
  indegree  the 10 most-cited nodes: a scan of every edge (far more pages than the
            page cache holds, so most reads decrypt)

The key derivation (PBKDF2, 200,000 rounds, once per process) is in the load's wall
time and outside the query medians. Prints each run, the medians and the ratios
encrypted / plain (target: <= 1.15).

Usage: python3 tools/bench_encryption.py [--lexgraph .build/release/lexgraph]
       [--nodes 30000] [--edges 300000] [--runs 3] [--repeat 20] [--work DIR]
"""
import argparse, os, re, shutil, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_graph  # noqa: E402

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser()
p.add_argument("--lexgraph", default=os.path.join(root, ".build", "release", "lexgraph"))
p.add_argument("--nodes", type=int, default=30_000)
p.add_argument("--edges", type=int, default=300_000)
p.add_argument("--runs", type=int, default=3, help="loads per side")
p.add_argument("--repeat", type=int, default=20, help="timed runs per query")
p.add_argument("--work", default=None)
args = p.parse_args()

QUERIES = {
    "hop1": "MATCH (a)-[:CITES]->(b) WHERE id(a) = 1 RETURN count(DISTINCT b) AS n",
    "hop2": "MATCH (a)-[:CITES*1..2]->(b) WHERE id(a) = 1 RETURN count(DISTINCT b) AS n",
    "indegree": "MATCH ()-[:CITES]->(b) RETURN id(b) AS b, count(*) AS n ORDER BY n DESC, b LIMIT 10",
}

work = args.work or tempfile.mkdtemp(prefix="lexgraph-bench-crypt-")
os.makedirs(work, exist_ok=True)
keys, edges = synthetic_graph.citation_graph(args.nodes, args.edges)
data = synthetic_graph.write_load_files(os.path.join(work, "data"), keys, edges)
key_file = os.path.join(work, "bench.key")
if os.path.exists(key_file):
    os.remove(key_file)
subprocess.run([args.lexgraph, "key", "generate", "--out", key_file], check=True, stdout=subprocess.DEVNULL)
base_env = {k: v for k, v in os.environ.items() if not k.startswith("LEXGRAPH_")}
env = {"plain": base_env, "encrypted": dict(base_env, LEXGRAPH_DB_KEY_FILE=key_file)}


def db_path(side, run):
    return os.path.join(work, f"{side}-{run}.sqlite")


def remove_db(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def load(side, run):
    path = db_path(side, run)
    remove_db(path)
    t = time.perf_counter()
    out = subprocess.run([args.lexgraph, "load", os.path.join(data, "recipe.yaml"), "--init", "--db", path, "--data", data],
                         env=env[side], cwd=root, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if out.returncode != 0:
        sys.exit(f"load ({side}) failed: {out.stderr[-800:]}")
    return seconds


def query(side, path, text):
    out = subprocess.run([args.lexgraph, "query", text, "--db", path, "--format", "csv", "--repeat", str(args.repeat),
                          "--time-limit", "600", "--row-limit", "1000000"],
                         env=env[side], cwd=root, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"query ({side}) failed: {out.stderr[-800:]}")
    wall = re.search(r"repeat [0-9]+: median ([0-9.]+) ms", out.stderr)
    cpu = re.search(r"cpu: median ([0-9.]+) ms", out.stderr)
    if wall is None or cpu is None:
        sys.exit(f"no latency line from --repeat: {out.stderr[-500:]}")
    return out.stdout, float(wall.group(1)), float(cpu.group(1))


print(f"graph: {args.nodes} nodes, {args.edges} edges; {args.runs} loads per side; queries x{args.repeat} after one warm-up", flush=True)
loads = {"plain": [], "encrypted": []}
for run in range(args.runs):
    order = ["plain", "encrypted"] if run % 2 == 0 else ["encrypted", "plain"]
    for side in order:
        s = load(side, run)
        loads[side].append(s)
        print(f"load run {run + 1} {side}: {s:.2f} s", flush=True)
with open(db_path("encrypted", 0), "rb") as f:
    assert not f.read(16).startswith(b"SQLite format 3"), "the encrypted database has a plain SQLite header"

print(f"\n{'':10} {'plain':>12} {'encrypted':>12} {'ratio':>7}")
med = {side: statistics.median(v) for side, v in loads.items()}
print(f"{'load (s)':10} {med['plain']:12.2f} {med['encrypted']:12.2f} {med['encrypted'] / med['plain']:7.3f}")
for name, text in QUERIES.items():
    answers, walls, cpus = {}, {}, {}
    for side in ("plain", "encrypted"):
        answers[side], walls[side], cpus[side] = query(side, db_path(side, 0), text)
    if answers["plain"] != answers["encrypted"]:
        sys.exit(f"{name}: the answers differ:\n{answers['plain'][:300]}\n{answers['encrypted'][:300]}")
    print(f"{name + ' (ms)':10} {walls['plain']:12.3f} {walls['encrypted']:12.3f} {walls['encrypted'] / walls['plain']:7.3f}"
          f"   cpu {cpus['plain']:.3f} / {cpus['encrypted']:.3f} = {cpus['encrypted'] / cpus['plain']:.3f}")
try:
    print(f"\nload average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
except OSError:
    pass
if not args.work:
    shutil.rmtree(work)
