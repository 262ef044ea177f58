#!/usr/bin/env python3
"""The PostgreSQL backend against SQLite and against hand-written PostgreSQL (a benchmark,
not a test). On the synthetic citation graph of tools/synthetic_graph.py (by default
20,000 nodes and 200,000 edges; --nodes/--edges for the 100k/1M one), in one run:

  - load: `lexgraph load recipe.yaml --init` into a new SQLite file, and into a new
    PostgreSQL database (`--db postgres://...`: the same validated load on a staging
    SQLite copy, then COPY in one transaction), wall seconds of the whole command;
  - incremental loads on the graphs of the last run: the same files again (nothing
    changes) and a small delta (--delta-nodes new nodes, --delta-edges new edges), each
    `lexgraph load` on both backends (PostgreSQL copies only what the load changed);
  - 1-3 hops (count(DISTINCT b) of `(a)-[:CITES*1..k]->(b)` from one node): `lexgraph
    query --repeat N` on each backend (timed inside the process: parse, plan, the SQL, the
    projection), the SQL lexgraph sends (its EXPLAIN, arguments written in) run N times by
    psql, and the same answer written by hand as a PostgreSQL recursive CTE, run N times
    by psql with \\timing (client round trip included, as lexgraph's is).

Prints the medians, the ratios PostgreSQL/SQLite, lexgraph-on-PostgreSQL/psql-same-SQL and
lexgraph-on-PostgreSQL/hand-written, and the load average before and after (the cores
are shared). Every engine must give the same counts, or the script stops.

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
p.add_argument("--delta-nodes", type=int, default=100, help="new nodes of the incremental load")
p.add_argument("--delta-edges", type=int, default=1000, help="new edges of the incremental load")
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


print("load average before: %.2f %.2f %.2f" % os.getloadavg())
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

# ---- incremental loads ----------------------------------------------------------------
delta_keys = [f"delta:{i}" for i in range(args.delta_nodes)]
delta_edges = [(delta_keys[i % len(delta_keys)], keys[(i * 7919) % len(keys)]) for i in range(args.delta_edges)]
delta = synthetic_graph.write_load_files(os.path.join(work, "delta"), delta_keys, delta_edges)
for name, data in (("same files again", folder), (f"delta (+{args.delta_nodes} nodes, +{args.delta_edges} edges)", delta)):
    times = {}
    for backend, db in (("sqlite", sqlite_db), ("postgresql", url(pg_db))):
        t = time.perf_counter()
        out = lexgraph("load", os.path.join(data, "recipe.yaml"), "--data", data, "--db", db)
        times[backend] = time.perf_counter() - t
        copied = re.search(r"copied to .*", out.stdout)
    print(f"load, {name}: sqlite {times['sqlite']:.2f} s, postgresql {times['postgresql']:.2f} s, "
          f"postgresql/sqlite {times['postgresql'] / times['sqlite']:.2f}x ({copied.group(0) if copied else 'no copy line'})")
count = int(psql("SELECT count(*) FROM edge", pg_db))
if count != len(edges) + len(delta_edges):
    sys.exit(f"PostgreSQL holds {count} edges after the delta, expected {len(edges) + len(delta_edges)}")

# ---- hops ----------------------------------------------------------------------------
QUERY = "MATCH (a)-[:CITES*1..{k}]->(b) WHERE id(a) = $start RETURN count(DISTINCT b) AS n"
CTE = {1: "SELECT count(DISTINCT dst) FROM edge WHERE src = {s} AND type = 'CITES'"}
for k in (2, 3):
    CTE[k] = ("WITH RECURSIVE r(node, depth) AS (SELECT {s}::bigint, 0 UNION "
              "SELECT e.dst, r.depth + 1 FROM r JOIN edge e ON e.src = r.node AND e.type = 'CITES' WHERE r.depth < %d) "
              "SELECT count(DISTINCT node) FROM r WHERE depth >= 1" % k)


def hop_text(k):
    return QUERY.format(k=k) if k > 1 else "MATCH (a)-[:CITES]->(b) WHERE id(a) = $start RETURN count(DISTINCT b) AS n"


def lexgraph_query(k, db):
    text = hop_text(k)
    out = lexgraph("query", text, "--param", f"start={args.start}", "--format", "csv", "--db", db, "--repeat", str(args.repeat))
    m = re.search(r"repeat [0-9]+: median ([0-9.]+) ms", out.stderr)
    return int(out.stdout.split()[1]), float(m.group(1))


def psql_timed(sql, prepared=False):
    """psql runs `sql` repeat+1 times with \\timing (as a prepared statement, parsed and
    planned once, with `prepared`); its output and the median."""
    if prepared:
        script = f"PREPARE lexgraph_q AS {sql};\n\\timing on\n" + "EXECUTE lexgraph_q;\n" * (args.repeat + 1)
    else:
        script = "\\timing on\n" + (sql + ";\n") * (args.repeat + 1)
    out = subprocess.run([args.psql, "-h", "127.0.0.1", "-p", str(args.port), "-U", "postgres", "-d", pg_db, "-qAt",
                          "-v", "ON_ERROR_STOP=1"], input=script, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"psql: {out.stderr}")
    times = [float(t) for t in re.findall(r"Time: ([0-9.]+) ms", out.stdout)][1:]  # first run warms up
    return out.stdout, statistics.median(times)


def hand_written(k):
    out, median = psql_timed(CTE[k].format(s=args.start))
    return int(out.split("\n")[0]), median


def same_sql(k):
    """The statement lexgraph sends for the hop query (its EXPLAIN on PostgreSQL), its
    arguments written in as literals, run by psql; the answer is the distinct end nodes."""
    out = lexgraph("query", "EXPLAIN " + hop_text(k), "--param", f"start={args.start}", "--db", url(pg_db))
    m = re.search(r"-- MATCH[^\n]*\n(.*?);\n-- arguments: ([^\n]*)\n", out.stdout, re.S)
    if not m:
        sys.exit(f"no statement in lexgraph's EXPLAIN: {out.stdout[:2000]}")
    sql, arguments = m.group(1), [a.strip() for a in m.group(2).split(",")]
    for i in range(len(arguments), 0, -1):
        value = arguments[i - 1]
        literal = value if re.fullmatch(r"-?[0-9]+", value) else "'" + value.strip('"').replace("'", "''") + "'"
        sql = sql.replace(f"${i}", literal)
    text, median = psql_timed(sql)
    _, prepared = psql_timed(sql, prepared=True)
    rows = [line for line in text.split("\n") if line and not line.startswith("Time:")]
    return len(rows) // (args.repeat + 1), median, prepared


print("psql same: lexgraph's statement run by psql (prepared: parsed and planned once); its rows are lexgraph's input")
print(f"{'query':8} {'sqlite ms':>10} {'pg ms':>10} {'psql same':>10} {'prepared':>10} {'pg CTE ms':>10} {'pg/sqlite':>10} {'pg/same':>8} {'pg/CTE':>8}  answer  rows")
for k in (1, 2, 3):
    (a1, s), (a2, pg), (a3, cte), (rows, same, prep) = lexgraph_query(k, sqlite_db), lexgraph_query(k, url(pg_db)), hand_written(k), same_sql(k)
    if not a1 == a2 == a3:
        sys.exit(f"hop{k}: answers differ: sqlite {a1}, postgresql {a2}, hand-written {a3}")
    print(f"hop{k:<5} {s:10.3f} {pg:10.3f} {same:10.3f} {prep:10.3f} {cte:10.3f} {pg / s:9.2f}x {pg / same:7.2f}x {pg / cte:7.2f}x  {a1:6}  {rows}")

# Where a query's time goes: `RETURN 1` costs the engine and the ontology stamp (one round
# trip on PostgreSQL, nothing to send on SQLite); a whole `lexgraph query` command adds
# process start and, on PostgreSQL, the connection set-up and schema check.
def repeat_ms(text, db):
    out = lexgraph("query", text, "--format", "csv", "--db", db, "--repeat", str(args.repeat))
    return float(re.search(r"repeat [0-9]+: median ([0-9.]+) ms", out.stderr).group(1))


def command_s(db, runs=5):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        lexgraph("query", hop_text(1), "--param", f"start={args.start}", "--format", "csv", "--db", db)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


rs, rp = repeat_ms("RETURN 1 AS x", sqlite_db), repeat_ms("RETURN 1 AS x", url(pg_db))
print(f"RETURN 1 (stamp only)  sqlite {rs:.3f} ms, pg {rp:.3f} ms: one round trip and the engine")
cs, cp = command_s(sqlite_db), command_s(url(pg_db))
print(f"hop1, whole command    sqlite {cs * 1000:.1f} ms, pg {cp * 1000:.1f} ms, pg/sqlite {cp / cs:.2f}x (median of 5)")
psql(f"DROP DATABASE {pg_db}")
print("load average after: %.2f %.2f %.2f" % os.getloadavg())
