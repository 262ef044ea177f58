#!/usr/bin/env python3
"""Query-latency benchmark (a tool, not a test): Lexgraph's compiled queries against Kùzu,
FalkorDB (FalkorDBLite), GraphQLite and a hand-written SQLite recursive CTE, side by side
in one run, on

  - the citation graph of a Lexgraph database built with `lexgraph build scotus --db DB`
    (all its CITES edges: 216,738 between Supreme Court opinions, plus the ECtHR
    network's if `echr` was built into it too), starting at Mapp v. Ohio (367 U.S. 643),
    and
  - the synthetic 1M-edge citation graph of tools/synthetic_graph.py (100,000 nodes),
    loaded with `lexgraph load` into a fresh database, starting at node `n0`.

Queries (the start node is given by its Lexgraph node id on every side; the peers hold
the CITES edges alone, their nodes labelled `C` with the Lexgraph id as key `id`):
  hop1 / hop2 / hop3  distinct nodes reachable by 1..k CITES hops (reachability);
  trails3             number of trails of 1..3 CITES hops (Kùzu: `* TRAIL`, since its
                      default counts walks; FalkorDB and GraphQLite never repeat a
                      relationship within one variable-length relationship; the CTE
                      refuses a repeated edge as we do);
  indegree            grouped aggregate over all CITES edges: the 10 most-cited nodes.

Lexgraph is timed inside its process by `lexgraph query --repeat N` (one warm-up, then N
runs; it prints wall and CPU median and p90 to stderr), the peers and the CTE by
Python's perf_counter and process_time around execute + fetch of all rows (one warm-up,
then N runs), the CTE on the same database file as Lexgraph. FalkorDB runs its queries
in its embedded redis-server process, on that server's threads: its CPU time is the
server's (all its threads, from /proc/PID/task/*/schedstat) plus the Python client's.
Every side's answer is checked to be equal. A peer query that runs past --peer-timeout
seconds is interrupted and shown as `timeout`. Prints per graph and
query the medians and p90s, wall and CPU, and lexgraph's ratio of medians to each peer
(> 1: lexgraph slower), and the load average: on a busy machine wall time mostly
measures the wait for a core, and CPU time (all threads of the process, Kùzu uses
several; for FalkorDB its server process's too) is the figure to compare.

Set-up (once; FalkorDBLite needs Python >= 3.12, and Kùzu and GraphQLite install there too):
  python3.12 -m venv tools/.venv
  tools/.venv/bin/pip install kuzu==0.11.3 graphqlite==0.12.0 pysqlite3-binary falkordblite==0.11.0
Usage: tools/.venv/bin/python tools/bench_query_peers.py --db /tmp/scotus.sqlite
       [--runs 20] [--aggregate-runs 5] [--lexgraph .build/release/lexgraph] [--skip-synthetic]
       [--peer kuzu] [--peer falkordb] [--peer graphqlite] [--peer-timeout 60] [--work /tmp/...]
A peer that is not installed is skipped with a note unless it was asked for with --peer.
"""
import argparse, os, re, resource, shutil, sqlite3, statistics, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_graph  # noqa: E402
import synthetic_graph  # noqa: E402

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

LEXGRAPH = {
    "hop1": "MATCH (a)-[:CITES]->(b) WHERE id(a) = $start RETURN count(DISTINCT b) AS n",
    "hop2": "MATCH (a)-[:CITES*1..2]->(b) WHERE id(a) = $start RETURN count(DISTINCT b) AS n",
    "hop3": "MATCH (a)-[:CITES*1..3]->(b) WHERE id(a) = $start RETURN count(DISTINCT b) AS n",
    "trails3": "MATCH (a)-[:CITES*1..3]->(b) WHERE id(a) = $start RETURN count(*) AS n",
    "indegree": "MATCH ()-[:CITES]->(b) RETURN id(b) AS b, count(*) AS n ORDER BY n DESC, b LIMIT 10",
}
KUZU = {
    "hop1": "MATCH (a:C)-[:CITES]->(b:C) WHERE a.id = $start RETURN count(DISTINCT b) AS n",
    "hop2": "MATCH (a:C)-[:CITES*1..2]->(b:C) WHERE a.id = $start RETURN count(DISTINCT b) AS n",
    "hop3": "MATCH (a:C)-[:CITES*1..3]->(b:C) WHERE a.id = $start RETURN count(DISTINCT b) AS n",
    "trails3": "MATCH (a:C)-[:CITES* TRAIL 1..3]->(b:C) WHERE a.id = $start RETURN count(*) AS n",
    "indegree": "MATCH (:C)-[:CITES]->(b:C) RETURN b.id AS b, count(*) AS n ORDER BY n DESC, b LIMIT 10",
}
# FalkorDB and GraphQLite: schema-free, one label; a variable-length relationship never
# repeats a relationship there (checked on tiny graphs), so `*1..3` counts trails as
# written. GraphQLite stores the key `id` as text: the aggregate converts it back so
# that the tie-break orders numerically on every side.
FALKORDB = {
    "hop1": "MATCH (a:C {id: $start})-[:CITES]->(b:C) RETURN count(DISTINCT b) AS n",
    "hop2": "MATCH (a:C {id: $start})-[:CITES*1..2]->(b:C) RETURN count(DISTINCT b) AS n",
    "hop3": "MATCH (a:C {id: $start})-[:CITES*1..3]->(b:C) RETURN count(DISTINCT b) AS n",
    "trails3": "MATCH (a:C {id: $start})-[:CITES*1..3]->(b:C) RETURN count(*) AS n",
    "indegree": "MATCH (:C)-[:CITES]->(b:C) RETURN b.id AS b, count(*) AS n ORDER BY n DESC, b LIMIT 10",
}
# (Its node variable is not called `b` there: GraphQLite 0.12.0 puts every row in one
# group when an alias repeats a variable of its own expression, `toInteger(b.id) AS b`.)
GRAPHQLITE = dict(FALKORDB, indegree="MATCH (:C)-[:CITES]->(c:C) RETURN toInteger(c.id) AS b, count(*) AS n ORDER BY n DESC, b LIMIT 10")
# Hand-written: set semantics (UNION over (node, depth)) for reachability, the edge-id
# path for trails, and a GROUP BY on the edge index for the aggregate.
REACH = """WITH RECURSIVE r(node, depth) AS (
  SELECT :start, 0
  UNION
  SELECT e.dst, r.depth + 1 FROM r JOIN edge e ON e.src = r.node AND e.type = 'CITES' WHERE r.depth < {k})
SELECT count(DISTINCT node) FROM r WHERE depth >= 1"""
CTE = {
    "hop1": "SELECT count(DISTINCT dst) FROM edge WHERE src = :start AND type = 'CITES'",
    "hop2": REACH.format(k=2),
    "hop3": REACH.format(k=3),
    "trails3": """WITH RECURSIVE t(node, depth, path) AS (
  SELECT :start, 0, ','
  UNION ALL
  SELECT e.dst, t.depth + 1, t.path || e.id || ',' FROM t JOIN edge e ON e.src = t.node AND e.type = 'CITES'
  WHERE t.depth < 3 AND instr(t.path, ',' || e.id || ',') = 0)
SELECT count(*) FROM t WHERE depth >= 1""",
    "indegree": "SELECT dst, count(*) AS n FROM edge WHERE type = 'CITES' GROUP BY dst ORDER BY n DESC, dst LIMIT 10",
}


def timed(fn, runs, cpu_clock=time.process_time):
    """(wall seconds, CPU seconds) of each of `runs` calls after one warm-up."""
    fn()
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), cpu_clock()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(cpu_clock() - c)
    return wall, cpu


def stats(times):
    s = sorted(times)
    return statistics.median(s), s[min(len(s) - 1, max(0, -(-9 * len(s) // 10) - 1))]


def lexgraph_run(exe, db, text, start, runs):
    """(rows as tuples, (wall median, p90), (CPU median, p90)) from `lexgraph query --repeat`."""
    out = subprocess.run([exe, "query", text, "--param", f"start={start}", "--format", "csv", "--db", db,
                          "--repeat", str(runs), "--time-limit", "600", "--row-limit", "1000000"],
                         cwd=root, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"lexgraph failed on {text!r}: {out.stderr[-2000:]}")
    wall = re.search(r"repeat [0-9]+: median ([0-9.]+) ms, p90 ([0-9.]+) ms", out.stderr)
    cpu = re.search(r"cpu: median ([0-9.]+) ms, p90 ([0-9.]+) ms", out.stderr)
    rows = [tuple(int(x) for x in line.split(",")) for line in out.stdout.splitlines()[1:] if line]
    if wall is None:
        sys.exit(f"{exe}: no latency line from --repeat: {out.stderr[-500:]}")
    if cpu is None:  # a lexgraph built before --repeat printed CPU time: its mean from the children's usage
        cpu_mean = (child_cpu(exe, db, text, start, runs + 1) - child_cpu(exe, db, text, start, 1)) / runs
        return rows, (float(wall.group(1)) / 1000, float(wall.group(2)) / 1000), (cpu_mean, float("nan"))
    return rows, (float(wall.group(1)) / 1000, float(wall.group(2)) / 1000), (float(cpu.group(1)) / 1000, float(cpu.group(2)) / 1000)


def child_cpu(exe, db, text, start, runs):
    """CPU seconds of one `lexgraph query --repeat runs` process (start-up and warm-up included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([exe, "query", text, "--param", f"start={start}", "--format", "csv", "--db", db, "--repeat", str(runs),
                    "--time-limit", "600", "--row-limit", "1000000"], cwd=root, capture_output=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


class PeerTimeout(Exception):
    """A peer's query ran past --peer-timeout and was interrupted."""


def cites_edges(db_path):
    """(node ids touched by a CITES edge, [(src, dst)]) of a Lexgraph database."""
    src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    nodes = [r[0] for r in src.execute("SELECT id FROM node WHERE id IN (SELECT src FROM edge WHERE type = 'CITES' "
                                       "UNION SELECT dst FROM edge WHERE type = 'CITES') ORDER BY id")]
    edges = src.execute("SELECT src, dst FROM edge WHERE type = 'CITES'").fetchall()
    src.close()
    return nodes, edges


class CTESide:
    """The hand-written recursive CTE on Lexgraph's own database file."""
    name = "SQLite CTE"
    short = "CTE"

    def __init__(self, db_path, folder, timeout):
        self.conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)

    def run(self, q, start):
        return [tuple(r) for r in self.conn.execute(CTE[q], {"start": start}).fetchall()]

    def close(self):
        self.conn.close()


class KuzuSide:
    name = short = "Kùzu"

    def __init__(self, db_path, folder, timeout):
        import kuzu
        nodes, edges = cites_edges(db_path)
        shutil.rmtree(folder, ignore_errors=True)
        synthetic_graph.write_csv_pair(folder, "id", nodes, edges)
        self.conn = kuzu.Connection(kuzu.Database(os.path.join(folder, "kuzu.db")))
        self.conn.execute("CREATE NODE TABLE C(id INT64, PRIMARY KEY(id))")
        self.conn.execute("CREATE REL TABLE CITES(FROM C TO C)")
        self.conn.execute(f"COPY C FROM '{folder}/nodes.csv' (HEADER=true)")
        self.conn.execute(f"COPY CITES FROM '{folder}/edges.csv' (HEADER=true)")
        self.conn.set_query_timeout(int(timeout * 1000))

    def run(self, q, start):
        try:
            r = self.conn.execute(KUZU[q], {"start": start} if "$start" in KUZU[q] else {})
        except Exception as e:
            if "interrupt" in str(e).lower() or "timeout" in str(e).lower():
                raise PeerTimeout() from e
            raise
        rows = []
        while r.has_next():
            rows.append(tuple(r.get_next()))
        return rows

    def close(self):
        self.conn.close()


def threads_cpu_seconds(pid):
    """CPU time of every thread of process `pid`, from /proc/PID/task/*/schedstat (in
    nanoseconds; /proc/PID/stat and psutil count clock ticks of 10 ms, too coarse for
    queries of a few ms)."""
    total = 0
    folder = f"/proc/{pid}/task"
    for tid in os.listdir(folder):
        try:
            with open(f"{folder}/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:  # a thread that ended meanwhile
            pass
    return total / 1e9


class FalkorDBSide:
    """FalkorDBLite: the graph lives in an embedded redis-server process, which runs the
    queries on its own threads; CPU time is that process's plus ours."""
    name = short = "FalkorDB"

    def __init__(self, db_path, folder, timeout):
        nodes, edges = cites_edges(db_path)
        self.db = peer_graph.open_falkordb(os.path.join(folder, "falkordb.rdb"), fresh=True)
        self.g = self.db.select_graph("cites")
        peer_graph.falkordb_bulk_load(self.g, (("C", n, {"id": n}) for n in nodes), (("CITES", a, b, {}) for a, b in edges))
        self.g.query("CREATE INDEX FOR (n:C) ON (n.id)")
        self.server = peer_graph.falkordb_server_pid(self.db)
        self.timeout_ms = int(timeout * 1000)

    def cpu(self):
        return time.process_time() + threads_cpu_seconds(self.server)

    def run(self, q, start):
        try:
            result = self.g.ro_query(FALKORDB[q], {"start": start}, timeout=self.timeout_ms)
        except Exception as e:
            if "timed out" in str(e).lower():
                raise PeerTimeout() from e
            raise
        return [tuple(r) for r in result.result_set]

    def close(self):
        self.db.close()


class GraphQLiteSide:
    name = short = "GraphQLite"

    def __init__(self, db_path, folder, timeout):
        import pysqlite3.dbapi2
        import graphqlite.connection
        graphqlite.connection.sqlite3 = pysqlite3.dbapi2  # a SQLite that can load extensions
        import graphqlite
        nodes, edges = cites_edges(db_path)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "graphqlite.sqlite")
        if os.path.exists(path):
            os.remove(path)
        self.g = graphqlite.graph(path)
        ids = self.g.insert_nodes_bulk([(str(n), {}, "C") for n in nodes])
        self.g.insert_edges_bulk([(str(a), str(b), {}, "CITES") for a, b in edges], ids)
        self.timeout = timeout

    def run(self, q, start):
        timer = threading.Timer(self.timeout, self.g.connection.sqlite_connection.interrupt)
        timer.start()
        try:
            rows = self.g.query(GRAPHQLITE[q], {"start": str(start)})
        except Exception as e:
            if "interrupt" in str(e).lower():
                raise PeerTimeout() from e
            raise
        finally:
            timer.cancel()
        return [tuple(r.values()) for r in rows]

    def close(self):
        self.g.connection.close()


PEERS = {"kuzu": KuzuSide, "falkordb": FalkorDBSide, "graphqlite": GraphQLiteSide}


def synthetic_db(exe, folder):
    """A Lexgraph database of the synthetic graph, made with `lexgraph load`."""
    keys, edges = synthetic_graph.citation_graph()
    synthetic_graph.write_load_files(folder, keys, edges)
    db = os.path.join(folder, "synthetic.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    out = subprocess.run([exe, "load", os.path.join(folder, "recipe.yaml"), "--init", "--db", db, "--data", folder],
                         cwd=root, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("lexgraph load failed: " + out.stderr[-2000:])
    return db


def bench(name, db, start, args, work):
    """Times every query on every side; returns [(query, {side: (wall (median, p90), cpu (median, p90)) or None})]."""
    sides = [CTESide(db, None, args.peer_timeout)]
    for peer in args.peers:
        started = time.perf_counter()
        sides.append(PEERS[peer](db, os.path.join(work, f"{name}-{peer}"), args.peer_timeout))
        print(f"({name}: {sides[-1].name} loaded in {time.perf_counter() - started:.1f} s)", flush=True)
    edges = sides[0].conn.execute("SELECT count(*) FROM edge WHERE type = 'CITES'").fetchone()[0]
    print(f"\n{name}: {edges} CITES edges; start node id {start}; {args.runs} runs each ({args.aggregate_runs} for indegree) "
          "after one warm-up; medians and p90s in ms; ratios: lexgraph's median over the side's", flush=True)
    cell = 17
    print(f"{'query':9s} {'answer':>7s} | {'lexgraph':>{cell}s} | " + " | ".join(f"{s.name:>{cell}s}" for s in sides)
          + " | " + " ".join(f"{'lex/' + s.short:>13s}" for s in sides))
    table = []
    for q in LEXGRAPH:
        runs = args.aggregate_runs if q == "indegree" else args.runs
        ours, lex_wall, lex_cpu = lexgraph_run(args.lexgraph, db, LEXGRAPH[q], start, runs)
        results = {"lexgraph": (lex_wall, lex_cpu)}
        for side in sides:
            answer = []

            def run_side():
                answer[:] = side.run(q, start)
            try:
                wall, cpu = timed(run_side, runs, getattr(side, "cpu", time.process_time))
            except PeerTimeout:
                results[side.name] = None
                continue
            if answer != ours:
                sys.exit(f"{name} {q}: answers differ: lexgraph {ours[:5]}, {side.name} {answer[:5]}")
            results[side.name] = (stats(wall), stats(cpu))
        answer = str(ours[0][0]) if len(ours) == 1 else f"{len(ours)} rows"
        for k, kind in enumerate(("wall", "CPU")):
            lex = results["lexgraph"][k]
            cells, ratios = [], []
            for side in sides:
                r = results[side.name]
                if r is None:
                    cells.append(f"{'timeout':>{cell}s}")
                    ratios.append(f"{'-':>13s}")
                else:
                    cells.append(f"{r[k][0]*1e3:8.2f} {r[k][1]*1e3:8.2f}")
                    ratios.append(f"{lex[0] / max(r[k][0], 1e-9):12.2f}x")
            print(f"{q if k == 0 else '':9s} {answer if k == 0 else kind.lower():>7s} | {lex[0]*1e3:8.2f} {lex[1]*1e3:8.2f} | "
                  + " | ".join(cells) + " | " + " ".join(ratios) + f"  ({kind})", flush=True)
        table.append((q, results))
    for side in sides:
        side.close()
    return table


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, help="Lexgraph database with the scotus graph")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--aggregate-runs", type=int, default=5, help="runs of the whole-graph aggregate (slow on our side)")
    p.add_argument("--lexgraph", default=os.path.join(root, ".build", "release", "lexgraph"))
    p.add_argument("--skip-synthetic", action="store_true")
    p.add_argument("--peer", action="append", choices=sorted(PEERS), help="peer engines (default: every one installed)")
    p.add_argument("--peer-timeout", type=float, default=60, help="seconds before a peer's query is interrupted")
    p.add_argument("--work", help="folder for the peers' copies and the synthetic database (default: a fresh temp folder)")
    args = p.parse_args()
    args.peers = []
    versions = [f"sqlite {sqlite3.sqlite_version}"]
    for peer in args.peer or list(PEERS):
        module, dist = {"kuzu": ("kuzu", "kuzu"), "falkordb": ("redislite.falkordb_client", "falkordblite"),
                        "graphqlite": ("graphqlite", "graphqlite")}[peer]
        try:
            __import__(module)
        except ImportError as e:
            if args.peer:
                raise
            print(f"{peer}: not installed ({e}); skipped")
            continue
        import importlib.metadata
        args.peers.append(peer)
        versions.append(f"{dist} {importlib.metadata.version(dist)}")
    work = args.work or tempfile.mkdtemp(prefix="lexgraph-qbench-")
    print(f"{', '.join(versions)}; load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    src = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    row = src.execute("SELECT id FROM node WHERE type = 'SupremeCourtCase' AND json_extract(props, '$.usid') = '367US643'").fetchone()
    src.close()
    if row is None:
        sys.exit(f"{args.db}: no SupremeCourtCase with usid 367US643 (build it with `lexgraph build scotus --db {args.db}`)")
    bench("scotus", args.db, row[0], args, work)
    if not args.skip_synthetic:
        started = time.perf_counter()
        db = synthetic_db(args.lexgraph, os.path.join(work, "synthetic"))
        print(f"\n(synthetic graph loaded by lexgraph in {time.perf_counter() - started:.1f} s)")
        start = sqlite3.connect(db).execute("SELECT id FROM node WHERE key = 'n0'").fetchone()[0]
        bench("synthetic", db, start, args, work)
    print(f"\nload average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
