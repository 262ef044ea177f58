#!/usr/bin/env python3
"""One `lexgraph serve` replica against two over one PostgreSQL graph (a benchmark, not a
test; issue 16's scale-out).

The synthetic citation graph of tools/synthetic_graph.py (default 5,000 nodes, 50,000
edges) is loaded into a fresh PostgreSQL database and into a SQLite file (the SQLite
peer, and the service file with the API token, one copy per PostgreSQL replica). Then, in one run, a closed-loop load generator
(this process: asyncio, `--connections` HTTP/1.1 keep-alive connections, each sending
its next request when the last is answered) sends `--seconds` of 1..k-hop queries from
random start nodes to:
  - sqlite-1: one server over the SQLite file (the peer);
  - pg-1: one server over PostgreSQL;
  - pg-2: two servers over the same PostgreSQL database, the connections split between
    them (what a load balancer in front would do).
Every answer is checked (status 200, no errors); a failure stops the script. Prints per
setup the throughput and latency percentiles, and the ratios pg-2/pg-1 and pg-1/sqlite-1,
with the load average before and after (the cores are shared: with 2 cores, two replicas
and the PostgreSQL server compete for the same CPUs, so pg-2/pg-1 shows scaling only on a
machine with cores to spare).

Needs the server of tools/pg_test_server.sh:
  export LEXGRAPH_PG_PORT=55450; eval "$(tools/pg_test_server.sh start)"
  python3 tools/bench_serve_replicas.py --seconds 10 --connections 8
  tools/pg_test_server.sh stop
"""
import argparse, asyncio, json, os, random, re, shutil, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_graph  # noqa: E402

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser()
p.add_argument("--nodes", type=int, default=5_000)
p.add_argument("--edges", type=int, default=50_000)
p.add_argument("--hops", type=int, default=2, help="k of (a)-[:CITES*1..k]->(b)")
p.add_argument("--seconds", type=float, default=10, help="load per setup")
p.add_argument("--warmup", type=float, default=2, help="unmeasured load before each setup's measurement")
p.add_argument("--connections", type=int, default=8, help="keep-alive connections (requests in flight)")
p.add_argument("--lexgraph", default=os.path.join(root, ".build", "release", "lexgraph"))
p.add_argument("--port", default=os.environ.get("LEXGRAPH_PG_PORT"))
p.add_argument("--psql", default=os.environ.get("LEXGRAPH_PG_PSQL", "/usr/lib/postgresql/15/bin/psql"))
args = p.parse_args()
if not args.port:
    sys.exit("no PostgreSQL server: start tools/pg_test_server.sh (sets LEXGRAPH_PG_PORT) or pass --port")

work = tempfile.mkdtemp(prefix="lexgraph-bench-replicas-")
env = {k: v for k, v in os.environ.items() if not k.startswith("LEXGRAPH_")}
env["LEXGRAPH_ROOT"] = root


def psql(sql, db="postgres"):
    out = subprocess.run([args.psql, "-h", "127.0.0.1", "-p", str(args.port), "-U", "postgres", "-d", db, "-qAt",
                          "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"psql: {out.stderr}")
    return out.stdout


def lexgraph(*argv):
    out = subprocess.run([args.lexgraph, *argv], capture_output=True, text=True, env=env, cwd=work)
    if out.returncode != 0:
        sys.exit(f"lexgraph {' '.join(argv[:2])}: {out.stderr[-2000:]}")
    return out


def start_server(name, db, service=None):
    """A `lexgraph serve` on a free loopback port; its log in a file (never a pipe)."""
    log_path = os.path.join(work, f"{name}.log")
    log = open(log_path, "w")
    argv = [args.lexgraph, "serve", "--db", db] + (["--service-db", service] if service else [])
    server_env = dict(env, LEXGRAPH_BIND="127.0.0.1:0", LEXGRAPH_LOG_LEVEL="warning",
                      LEXGRAPH_MAX_CONCURRENT_REQUESTS=str(max(16, args.connections)))
    proc = subprocess.Popen(argv, stderr=log, stdout=log, env=server_env, cwd=work)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        with open(log_path) as f:
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", f.read())
        if m:
            return proc, int(m.group(1))
        time.sleep(0.2)
    proc.kill()
    sys.exit(f"{name} did not start; see {log_path}")


def stop_server(proc):
    proc.terminate()
    if proc.wait(timeout=60) != 0:
        sys.exit(f"a server exited with {proc.returncode}")


QUERY = "MATCH (a)-[:CITES*1..%d]->(b) WHERE id(a) = $start RETURN count(DISTINCT b) AS n" % args.hops


def request(token, start):
    body = json.dumps({"statements": [{"statement": QUERY, "parameters": {"start": start}}]}).encode()
    head = ("POST /db/lexgraph/tx/commit HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (token, len(body)))
    return head.encode() + body


async def connection(port, token, starts, until, measure_from, latencies, answers):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while True:
        now = time.perf_counter()
        if now >= until:
            break
        start = random.choice(starts)
        writer.write(request(token, start))
        head = await reader.readuntil(b"\r\n\r\n")
        m = re.search(rb"(?i)content-length:\s*(\d+)", head)
        body = await reader.readexactly(int(m.group(1))) if m else b""
        if head[9:12] != b"200" or b'"errors":[]' not in body:
            sys.exit(f"a request failed on port {port}: {head[:12]!r} {body[:300]!r}")
        n = json.loads(body)["results"][0]["data"][0]["row"][0]
        if answers.setdefault(start, n) != n:
            sys.exit(f"start {start}: {n} here, {answers[start]} before")
        if now >= measure_from:
            latencies.append(time.perf_counter() - now)
    writer.close()


def drive(ports, token, starts, answers):
    """`--connections` connections split round-robin over `ports`; the measured requests'
    latencies (s) and the measured seconds."""
    latencies = []

    async def run():
        begin = time.perf_counter()
        measure_from = begin + args.warmup
        until = measure_from + args.seconds
        await asyncio.gather(*(connection(ports[i % len(ports)], token, starts, until, measure_from, latencies, answers)
                               for i in range(args.connections)))
    asyncio.run(run())
    return latencies


print("load average before: %.2f %.2f %.2f" % os.getloadavg())
keys, edges = synthetic_graph.citation_graph(args.nodes, args.edges)
folder = synthetic_graph.write_load_files(os.path.join(work, "graph"), keys, edges)
sqlite = os.path.join(work, "service.sqlite")
lexgraph("load", os.path.join(folder, "recipe.yaml"), "--init", "--data", folder, "--db", sqlite)
database = f"lexgraph_replicas_{os.getpid()}"
psql(f"DROP DATABASE IF EXISTS {database}")
psql(f"CREATE DATABASE {database}")
pg = f"postgres://postgres@127.0.0.1:{args.port}/{database}"
lexgraph("load", os.path.join(folder, "recipe.yaml"), "--init", "--data", folder, "--db", pg)
token = lexgraph("token", "create", "--name", "bench", "--role", "reader", "--db", sqlite).stdout.strip()
starts = [int(v) for v in psql("SELECT DISTINCT src FROM edge ORDER BY 1 LIMIT 500", database).split()]
print(f"graph: {len(keys):,} nodes, {len(edges):,} edges; {args.hops} hops from {len(starts)} start nodes; "
      f"{args.connections} connections, {args.seconds:g} s per setup after {args.warmup:g} s warm-up")

results, answers = {}, {}
# Each PostgreSQL replica its own copy of the service file (SQLite files are not shared
# between servers), made after the token.
copies = []
for i in range(2):
    copies.append(os.path.join(work, f"service-{i}.sqlite"))
    shutil.copyfile(sqlite, copies[-1])
for name, dbs in (("sqlite-1", [(sqlite, None)]), ("pg-1", [(pg, copies[0])]), ("pg-2", [(pg, copies[0]), (pg, copies[1])])):
    servers = [start_server(f"{name}-{i}", db, service) for i, (db, service) in enumerate(dbs)]
    latencies = drive([port for _, port in servers], token, starts, answers)
    for proc, _ in servers:
        stop_server(proc)
    latencies.sort()
    results[name] = {"rps": len(latencies) / args.seconds, "p50": 1000 * statistics.median(latencies),
                     "p99": 1000 * latencies[int(0.99 * (len(latencies) - 1))], "n": len(latencies)}
    r = results[name]
    print(f"{name}: {r['rps']:.1f} req/s, p50 {r['p50']:.2f} ms, p99 {r['p99']:.2f} ms ({r['n']} requests)")

psql(f"DROP DATABASE {database} WITH (FORCE)")
one, two, lite = results["pg-1"], results["pg-2"], results["sqlite-1"]
print(f"pg-2/pg-1: throughput {two['rps'] / one['rps']:.2f}x, p50 {two['p50'] / one['p50']:.2f}x, p99 {two['p99'] / one['p99']:.2f}x")
print(f"pg-1/sqlite-1: throughput {one['rps'] / lite['rps']:.2f}x, p50 {one['p50'] / lite['p50']:.2f}x, p99 {one['p99'] / lite['p99']:.2f}x")
print("load average after: %.2f %.2f %.2f" % os.getloadavg())
