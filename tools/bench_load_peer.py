#!/usr/bin/env python3
"""Load-speed comparison (a benchmark, not a test): the SCOTUS citation network
(citation_nodes.csv + citation_edges.csv: 30,288 nodes, 216,738 edges) and a synthetic
graph (100,000 nodes, 1,000,000 edges) loaded

  - into Kùzu with COPY FROM (the peer graph engine; pip install kuzu in tools/.venv),
  - into SQLite with Python's executemany (node + edge tables with Lexgraph's indexes),
  - into the same SQLite tables with no per-row Python: CSV columns into temp tables,
    one INSERT ... SELECT, indexes built afterwards ("sqlite floor": the B-tree work any
    loader over this schema has to do),
  - with `lexgraph load` (validated against the ontology, upsert by key, one transaction),

each on a fresh database, in the same run. Prints each run's seconds, the medians and
lexgraph's ratio to each peer.

Usage: tools/.venv/bin/python tools/bench_load_peer.py [--data ../shared/data] [--runs 3]
       [--lexgraph .build/release/lexgraph] [--skip-synthetic]
"""
import argparse, csv, os, shutil, sqlite3, statistics, subprocess, sys, tempfile, time

import kuzu

import synthetic_graph  # tools/synthetic_graph.py (this script's folder is on sys.path)

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser()
p.add_argument("--data", default=os.path.join(root, "..", "shared", "data"))
p.add_argument("--runs", type=int, default=3)
p.add_argument("--lexgraph", default=os.path.join(root, ".build", "release", "lexgraph"))
p.add_argument("--skip-synthetic", action="store_true")
args = p.parse_args()

work = tempfile.mkdtemp(prefix="lexgraph-bench-")


def write_graph(name, keys, edges):
    """nodes: key column; edges: from,to. Same files for every engine."""
    return synthetic_graph.write_load_files(os.path.join(work, name), keys, edges)


def kuzu_load(folder):
    db_dir = os.path.join(folder, "kuzu.db")
    shutil.rmtree(db_dir, ignore_errors=True)
    if os.path.exists(db_dir):
        os.remove(db_dir)
    start = time.perf_counter()
    db = kuzu.Database(db_dir)
    conn = kuzu.Connection(db)
    conn.execute("CREATE NODE TABLE Opinion(key STRING, PRIMARY KEY(key))")
    conn.execute("CREATE REL TABLE CITES(FROM Opinion TO Opinion)")
    conn.execute(f"COPY Opinion FROM '{folder}/nodes.csv' (HEADER=true)")
    conn.execute(f"COPY CITES FROM '{folder}/edges.csv' (HEADER=true)")
    n = conn.execute("MATCH ()-[e:CITES]->() RETURN count(e)").get_next()[0]
    elapsed = time.perf_counter() - start
    conn.close(); db.close()
    return elapsed, n


TABLES = """
    CREATE TABLE node (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, type TEXT NOT NULL, props TEXT NOT NULL DEFAULT '{}');
    CREATE TABLE edge (id INTEGER PRIMARY KEY, key TEXT, type TEXT NOT NULL, src INTEGER NOT NULL, dst INTEGER NOT NULL, props TEXT NOT NULL DEFAULT '{}');
"""
INDEXES = """
    CREATE UNIQUE INDEX edge_key ON edge(key);
    CREATE INDEX edge_out ON edge(src, type, dst);
    CREATE INDEX edge_in ON edge(dst, type, src);
    CREATE INDEX edge_by_type ON edge(type);
"""


def fresh_sqlite(folder, name):
    path = os.path.join(folder, name)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def sqlite_floor(folder):
    """SQLite's own B-tree work for the same rows and indexes, with no per-row host-language
    code: the CSV columns go into index-free temp tables, one INSERT ... SELECT fills node
    and edge (keys built and endpoints joined in SQL), and the indexes are built afterwards
    (sorted, SQLite's fastest way). What any loader over this schema must at least spend."""
    start = time.perf_counter()
    db = fresh_sqlite(folder, "floor.sqlite")
    db.executescript(TABLES)
    with db:
        db.execute("CREATE TEMP TABLE nodes_csv(key TEXT)")
        db.execute("CREATE TEMP TABLE edges_csv(f TEXT, t TEXT)")
        with open(os.path.join(folder, "nodes.csv"), newline="") as f:
            db.executemany("INSERT INTO nodes_csv VALUES (?)", ((r[0],) for r in list(csv.reader(f))[1:]))
        with open(os.path.join(folder, "edges.csv"), newline="") as f:
            db.executemany("INSERT INTO edges_csv VALUES (?, ?)", (tuple(r) for r in list(csv.reader(f))[1:]))
        db.execute("INSERT INTO node(key, type) SELECT key, 'SupremeCourtCase' FROM nodes_csv")
        db.execute("""INSERT INTO edge(key, type, src, dst)
                      SELECT 'CITES|' || e.f || '|' || e.t, 'CITES', a.id, b.id
                      FROM edges_csv e JOIN node a ON a.key = e.f JOIN node b ON b.key = e.t""")
        db.executescript(INDEXES)
    n = db.execute("SELECT count(*) FROM edge").fetchone()[0]
    db.close()
    return time.perf_counter() - start, n


def sqlite_load(folder):
    start = time.perf_counter()
    db = fresh_sqlite(folder, "peer.sqlite")
    db.executescript(TABLES + INDEXES)
    with db:
        with open(os.path.join(folder, "nodes.csv"), newline="") as f:
            keys = [r["key"] for r in csv.DictReader(f)]
        db.executemany("INSERT INTO node(key, type) VALUES (?, 'SupremeCourtCase')", ((k,) for k in keys))
        ids = dict(db.execute("SELECT key, id FROM node"))
        with open(os.path.join(folder, "edges.csv"), newline="") as f:
            rows = [(f"CITES|{r['from']}|{r['to']}", ids[r["from"]], ids[r["to"]]) for r in csv.DictReader(f)]
        db.executemany("INSERT INTO edge(key, type, src, dst) VALUES (?, 'CITES', ?, ?)", rows)
    n = db.execute("SELECT count(*) FROM edge").fetchone()[0]
    db.close()
    return time.perf_counter() - start, n


def lexgraph_load(folder):
    path = os.path.join(folder, "lexgraph.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    start = time.perf_counter()
    out = subprocess.run([args.lexgraph, "load", os.path.join(folder, "recipe.yaml"), "--init", "--db", path, "--data", folder],
                         cwd=root, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit("lexgraph load failed: " + out.stderr[-2000:])
    n = sqlite3.connect(path).execute("SELECT count(*) FROM edge").fetchone()[0]
    return elapsed, n


def bench(name, folder):
    results = {}
    for engine, fn in (("kuzu COPY FROM", kuzu_load), ("sqlite executemany", sqlite_load),
                       ("sqlite floor", sqlite_floor), ("lexgraph load", lexgraph_load)):
        times = []
        for _ in range(args.runs):
            t, n = fn(folder)
            times.append(t)
        results[engine] = statistics.median(times)
        print(f"{name:10s} {engine:20s} edges={n:8d} runs={', '.join(f'{t:.2f}' for t in times)} s  median={results[engine]:.2f} s", flush=True)
    lex = results["lexgraph load"]
    for engine in ("kuzu COPY FROM", "sqlite executemany", "sqlite floor"):
        print(f"{name:10s} lexgraph / {engine}: {lex / results[engine]:.1f}x")


with open(os.path.join(args.data, "scotus/citation_nodes.csv"), newline="") as f:
    usids = [r["usid"] for r in csv.DictReader(f)]
with open(os.path.join(args.data, "scotus/citation_edges.csv"), newline="") as f:
    cites = [(r["citing_usid"], r["cited_usid"]) for r in csv.DictReader(f)]
bench("scotus", write_graph("scotus", usids, cites))

if not args.skip_synthetic:
    keys, edges = synthetic_graph.citation_graph()
    bench("synthetic", write_graph("synthetic", keys, edges))

shutil.rmtree(work, ignore_errors=True)
