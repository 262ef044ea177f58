#!/usr/bin/env python3
"""The PostgreSQL backend against SQLite and against hand-written PostgreSQL (a benchmark,
not a test). On the synthetic citation graph of tools/synthetic_graph.py (by default
20,000 nodes and 200,000 edges; --nodes/--edges for the 100k/1M one), in one run:

  - load: `lexgraph load recipe.yaml --init` into a new SQLite file, and into a new
    PostgreSQL database (`--db postgres://...`: the same validated load on a staging
    SQLite copy, then COPY in one transaction), wall seconds of the whole command;
  - 1-3 hops (count(DISTINCT b) of `(a)-[:CITES*1..k]->(b)` from one node): `lexgraph
    query --repeat N` on each backend (timed inside the process: parse, plan, the SQL, the
    projection), and the same answer written by hand as a PostgreSQL recursive CTE, run
    N times by psql with \\timing (client round trip included, as lexgraph's is).

Prints the medians and the ratios PostgreSQL/SQLite and lexgraph-on-PostgreSQL/hand-written.
Every engine must give the same counts, or the script stops.

Needs a PostgreSQL 15 server: the one of tools/pg_test_server.sh ($LEXGRAPH_PG_PORT, user
postgres, trust), e.g.
  eval "$(LEXGRAPH_PG_PORT=55450 tools/pg_test_server.sh start)"
  python3 tools/bench_postgres.py --runs 3 --repeat 20
  LEXGRAPH_PG_PORT=55450 tools/pg_test_server.sh stop
"""
import argparse, os, re, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_graph  # noqa: E402

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser()
p.add_argument("--nodes", type=int, default=20_000)
p.add_argument("--edges", type=int, default=200_000)
p.add_argument("--runs", type=int, default=3, help="loads per backend")
p.add_argument("--repeat", type=int, default=20, help="timed runs per query")
p.add_argument("--start", type=int, default=1, help="node id the hops start from")
p.add_argument("--lexgraph", default=os.path.join(root, ".build", "release", "lexgraph"))
p.add_argument("--port", default=os.environ.get("LEXGRAPH_PG_PORT"))
p.add_argument("--psql", default=os.environ.get("LEXGRAPH_PG_PSQL", "/usr/lib/postgresql/15/bin/psql"))
args = p.parse_args()
if not args.port:
    sys.exit("no PostgreSQL server: start tools/pg_test_server.sh (sets LEXGRAPH_PG_PORT) or pass --port")

work = tempfile.mkdtemp(prefix="lexgraph-bench-pg-")
env = {k: v for k, v in os.environ.items() if not k.startswith("LEXGRAPH_")}
env["LEXGRAPH_ROOT"] = root


def psql(sql, db="postgres"):
    out = subprocess.run([args.psql, "-h", "127.0.0.1", "-p", str(args.port), "-U", "postgres", "-d", db, "-qAt",
                          "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"psql: {out.stderr}")
    return out.stdout


def url(db):
    return f"postgres://postgres@127.0.0.1:{args.port}/{db}"


def lexgraph(*argv):
    out = subprocess.run([args.lexgraph, *argv], capture_output=True, text=True, env=env, cwd=work)
    if out.returncode != 0:
        sys.exit(f"lexgraph {' '.join(argv[:2])}: {out.stderr[-2000:]}")
    return out


keys, edges = synthetic_graph.citation_graph(args.nodes, args.edges)
folder = synthetic_graph.write_load_files(os.path.join(work, "graph"), keys, edges)
print(f"graph: {len(keys):,} nodes, {len(edges):,} edges ({folder})")

# ---- load ----------------------------------------------------------------------------
load = {"sqlite": [], "postgresql": []}
for run in range(args.runs):
    path = os.path.join(work, f"run{run}.sqlite")
    t = time.perf_counter()
    lexgraph("load", os.path.join(folder, "recipe.yaml"), "--init", "--data", folder, "--db", path)
    load["sqlite"].append(time.perf_counter() - t)
    db = f"lexgraph_bench_{os.getpid()}_{run}"
    psql(f"DROP DATABASE IF EXISTS {db}")
    psql(f"CREATE DATABASE {db}")
    t = time.perf_counter()
    lexgraph("load", os.path.join(folder, "recipe.yaml"), "--init", "--data", folder, "--db", url(db))
    load["postgresql"].append(time.perf_counter() - t)
    if run < args.runs - 1:
        psql(f"DROP DATABASE {db}")
sqlite_db, pg_db = path, db
count = int(psql("SELECT count(*) FROM edge", pg_db))
if count != len(edges):
    sys.exit(f"PostgreSQL holds {count} edges, expected {len(edges)}")
ls, lp = statistics.median(load["sqlite"]), statistics.median(load["postgresql"])
print(f"load (median of {args.runs}): sqlite {ls:.2f} s, postgresql {lp:.2f} s, postgresql/sqlite {lp / ls:.2f}x")

# ---- hops ----------------------------------------------------------------------------
QUERY = "MATCH (a)-[:CITES*1..{k}]->(b) WHERE id(a) = $start RETURN count(DISTINCT b) AS n"
CTE = {1: "SELECT count(DISTINCT dst) FROM edge WHERE src = {s} AND type = 'CITES'"}
for k in (2, 3):
    CTE[k] = ("WITH RECURSIVE r(node, depth) AS (SELECT {s}::bigint, 0 UNION "
              "SELECT e.dst, r.depth + 1 FROM r JOIN edge e ON e.src = r.node AND e.type = 'CITES' WHERE r.depth < %d) "
              "SELECT count(DISTINCT node) FROM r WHERE depth >= 1" % k)


def lexgraph_query(k, db):
    text = QUERY.format(k=k) if k > 1 else "MATCH (a)-[:CITES]->(b) WHERE id(a) = $start RETURN count(DISTINCT b) AS n"
    out = lexgraph("query", text, "--param", f"start={args.start}", "--format", "csv", "--db", db, "--repeat", str(args.repeat))
    m = re.search(r"repeat [0-9]+: median ([0-9.]+) ms", out.stderr)
    return int(out.stdout.split()[1]), float(m.group(1))


def hand_written(k):
    sql = CTE[k].format(s=args.start)
    script = "\\timing on\n" + (sql + ";\n") * (args.repeat + 1)
    out = subprocess.run([args.psql, "-h", "127.0.0.1", "-p", str(args.port), "-U", "postgres", "-d", pg_db, "-qAt",
                          "-v", "ON_ERROR_STOP=1"], input=script, capture_output=True, text=True)
    times = [float(t) for t in re.findall(r"Time: ([0-9.]+) ms", out.stdout)][1:]  # first run warms up
    answer = int(out.stdout.split("\n")[0])
    return answer, statistics.median(times)


print(f"{'query':8} {'sqlite ms':>10} {'pg ms':>10} {'pg CTE ms':>10} {'pg/sqlite':>10} {'pg/CTE':>8}  answer")
for k in (1, 2, 3):
    (a1, s), (a2, pg), (a3, cte) = lexgraph_query(k, sqlite_db), lexgraph_query(k, url(pg_db)), hand_written(k)
    if not a1 == a2 == a3:
        sys.exit(f"hop{k}: answers differ: sqlite {a1}, postgresql {a2}, hand-written {a3}")
    print(f"hop{k:<5} {s:10.3f} {pg:10.3f} {cte:10.3f} {pg / s:9.2f}x {pg / cte:7.2f}x  {a1}")
psql(f"DROP DATABASE {pg_db}")
