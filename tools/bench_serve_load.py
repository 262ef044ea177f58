#!/usr/bin/env python3
"""Load and soak benchmark of `lexgraph serve` (a benchmark, not a test).

The server runs as its own process on a loopback port; this script is the load generator
(a second process: Python asyncio, HTTP/1.1 keep-alive connections, no third-party
packages). Requests are sent open-loop at a fixed rate: each one has a scheduled send
time, and its latency is measured from that time (so a server that falls behind is
charged for the queue it builds, not hidden by a client that waits: no coordinated
omission). Steps at rising rates per request kind, then a mixed soak with the server's
RSS sampled every 5 s. In the same run, the floors:
  - in-process CLI: `lexgraph query --repeat N` (the same one-hop query, one start node)
    and `lexgraph model bench --batch 1 --seq 128` (one 128-token clause through the
    encoder the clause model uses);
  - a bare route of the same server: `GET /v2/health/live` at the same rates.

Request kinds: `live` (bare route), `hop1` / `hop2` / `hop3` (tx/commit, 1..k hops over
CITES from a random case with citations), `clause` (`POST /v2/models/NAME/infer`, one
clause of <= 128 tokens), `review` (`POST /v1/review`, a one-clause contract). Case
predictions are not in the workload (see the README's service section).

Setup (once per --work folder): `lexgraph build scotus contracts`, an analyst token, and,
when --clause-run is given (a `lexgraph finetune` run folder), its registration as
`bench-clauses`; --make-clause-run trains one on MiniLM (head only, 1 epoch, 300
clause-types examples: the latency of a forward pass does not depend on how well the head
is trained).

Usage: python3 tools/bench_serve_load.py [--lexgraph .build/release/lexgraph]
       [--data ../shared/data] [--work /tmp/lexgraph-serve-bench] [--clause-run DIR |
       --make-clause-run] [--step-seconds 15] [--soak-seconds 240] [--json OUT]
"""
import argparse, asyncio, json, os, random, re, resource, statistics, subprocess, sys, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser()
p.add_argument("--lexgraph", default=os.path.join(root, ".build", "release", "lexgraph"))
p.add_argument("--data", default=os.path.join(root, "..", "shared", "data"))
p.add_argument("--model", default=os.path.join(root, "models", "all-minilm-l6-v2"))
p.add_argument("--work", default="/tmp/lexgraph-serve-bench")
p.add_argument("--clause-run", help="a `lexgraph finetune` run folder to serve as bench-clauses")
p.add_argument("--make-clause-run", action="store_true", help="train one (head only, 1 epoch) into WORK/clause-run")
p.add_argument("--step-seconds", type=float, default=15)
p.add_argument("--soak-seconds", type=float, default=240)
p.add_argument("--soak-scale", type=float, default=1.0, help="multiplies the soak mix's rates")
p.add_argument("--connections", type=int, default=64, help="keep-alive connections per step (the most requests in flight)")
p.add_argument("--only", default="", help="comma-separated step kinds to run (default: all), e.g. live,hop1")
p.add_argument("--json", help="write every figure here too")
args = p.parse_args()

LEX = os.path.abspath(args.lexgraph)
os.makedirs(args.work, exist_ok=True)
DB = os.path.join(args.work, "bench.sqlite")
HOP = {
    1: "MATCH (a)-[:CITES]->(b) WHERE id(a) = $start RETURN b.name AS name",
    2: "MATCH (a)-[:CITES*1..2]->(b) WHERE id(a) = $start RETURN count(DISTINCT b) AS n",
    3: "MATCH (a)-[:CITES*1..3]->(b) WHERE id(a) = $start RETURN count(DISTINCT b) AS n",
}
CLAUSE = ("Governing Law. This Agreement and any dispute arising out of or in connection with it shall be "
          "governed by and construed in accordance with the laws of the State of New York, without regard "
          "to its conflict of laws principles, and the parties submit to the exclusive jurisdiction of the "
          "state and federal courts located in New York County.")


def lex(*argv, check=True, **kw):
    r = subprocess.run([LEX, *argv], capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        sys.exit(f"lexgraph {' '.join(argv)} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    return r


def setup():
    if not os.path.exists(DB):
        t = time.time()
        lex("build", "scotus", "contracts", "--db", DB, "--data", args.data)
        print(f"(built {DB} in {time.time() - t:.0f} s)", flush=True)
    token = lex("token", "create", "--name", f"bench {time.time():.0f}", "--role", "analyst", "--db", DB).stdout.strip()
    run = args.clause_run
    if args.make_clause_run and not run:
        run = os.path.join(args.work, "clause-run")
        if not os.path.exists(os.path.join(run, "config.json")):
            data = os.path.join(args.work, "clause-data")
            lex("clauses", "prepare", "--task", "clause-types", "--out", data, "--data", args.data)
            # 300 training and 100 dev clauses: the head's quality does not change the
            # latency of a forward pass, and encoding the full 17,700 takes long on 2 cores.
            # (a random 300; dev keeps the labels the training sample has, as finetune requires)
            random.seed(7)
            with open(f"{data}/train.jsonl") as f:
                train = random.sample(f.readlines(), 300)
            labels = {json.loads(t)["label"] for t in train}
            with open(f"{data}/dev.jsonl") as f:
                dev = [d for d in f if json.loads(d)["label"] in labels][:100]
            for split, rows in (("train", train), ("dev", dev)):
                with open(f"{data}/{split}-small.jsonl", "w") as g:
                    g.writelines(rows)
            t = time.time()
            lex("finetune", "--train", f"{data}/train-small.jsonl", "--dev", f"{data}/dev-small.jsonl", "--task", "classify",
                "--id-field", "id", "--freeze-layers", "6", "--pooling", "cls", "--lr", "3e-3", "--epochs", "1",
                "--batch-size", "32", "--threads", "2", "--model", args.model, "--out", run)
            print(f"(trained {run} in {time.time() - t:.0f} s)", flush=True)
    if run:
        lex("model", "register", run, "--name", "bench-clauses", "--alias", "production", "--db", DB)
    return token, run


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(token):
    config = os.path.join(args.work, "serve.yaml")
    with open(config, "w") as f:
        f.write(f"database:\n  path: {DB}\nhttp:\n  bind: 127.0.0.1:0\n"
                f"limits:\n  max_concurrent_requests: {args.connections}\nlog:\n  format: json\n  level: info\n")
    # The server's log goes straight to a file, not through a pipe of this script: a
    # server whose stderr reader has gone crashes at its next log line (see the README).
    path = os.path.join(args.work, "serve.log")
    log = open(path, "w")
    proc = subprocess.Popen([LEX, "serve", "--config", config], stderr=log, stdout=log)
    deadline = time.time() + 120
    m = None
    while m is None and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
        with open(path) as f:
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", f.read())
    if m is None:
        proc.kill()
        sys.exit(f"the server did not start; see {path}")
    return proc, int(m.group(1))


class Client:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    async def send(self, raw):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        m = re.search(rb"(?i)content-length:\s*(\d+)", head)
        body = await self.reader.readexactly(int(m.group(1))) if m else b""
        if re.search(rb"(?i)connection:\s*close", head):
            self.writer.close()
            self.writer = None
        return status, body


def request(method, path, token, body=None, content_type="application/json"):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    data = b""
    if body is not None:
        data = json.dumps(body).encode()
        lines += [f"Content-Type: {content_type}", f"Content-Length: {len(data)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


class Workload:
    def __init__(self, token, starts, clause_model):
        self.token, self.starts, self.clause_model = token, starts, clause_model

    def make(self, kind):
        """The request bytes and a check of the answer's body (True: a success)."""
        if kind == "live":
            return request("GET", "/v2/health/live", None), lambda b: b'"live":true' in b
        if kind.startswith("hop"):
            body = {"statements": [{"statement": HOP[int(kind[3])], "parameters": {"start": random.choice(self.starts)}}]}
            return request("POST", "/db/lexgraph/tx/commit", self.token, body), lambda b: b'"errors":[]' in b
        if kind == "clause":
            body = {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1], "data": [CLAUSE]}]}
            return request("POST", f"/v2/models/{self.clause_model}/infer", self.token, body), lambda b: b'"outputs"' in b
        if kind == "review":
            body = {"text": "1. " + CLAUSE, "types_model": self.clause_model}
            return request("POST", "/v1/review", self.token, body), lambda b: b'"clauses"' in b
        raise ValueError(kind)


async def drive(port, workload, rates, seconds, pid, rss_every=None):
    """Sends each kind at its rate (req/s) for `seconds`, open loop, over a pool of
    connections. Returns per-kind latencies (ms, from the scheduled time), errors and
    the RSS samples."""
    pool = asyncio.Queue()
    for _ in range(args.connections):
        pool.put_nowait(Client(port))
    results = {k: {"lat": [], "service": [], "errors": 0, "statuses": {}} for k in rates}
    in_flight = [0, 0]
    rss = []
    tasks = []
    loop = asyncio.get_running_loop()
    t0 = loop.time() + 0.05

    async def one(kind, scheduled):
        raw, ok = workload.make(kind)
        client = await pool.get()
        in_flight[0] += 1
        in_flight[1] = max(in_flight[1], in_flight[0])
        sent = loop.time()
        r = results[kind]
        try:
            status, body = await client.send(raw)
            if status != 200 or not ok(body):
                r["errors"] += 1
                r["statuses"][status] = r["statuses"].get(status, 0) + 1
                if r["errors"] <= 3:
                    print(f"  {kind}: HTTP {status} {body[:300]!r}", flush=True)
        except Exception as e:  # a refused or dropped connection counts as an error
            r["errors"] += 1
            r["statuses"][type(e).__name__] = r["statuses"].get(type(e).__name__, 0) + 1
            client.writer = None
        done = loop.time()
        in_flight[0] -= 1
        pool.put_nowait(client)
        r["lat"].append((done - scheduled) * 1e3)
        r["service"].append((done - sent) * 1e3)

    async def schedule(kind, rate):
        n = int(rate * seconds)
        for i in range(n):
            at = t0 + i / rate
            delay = at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(kind, at)))

    async def sample():
        while True:
            rss.append((loop.time() - t0, rss_kb(pid)))
            await asyncio.sleep(rss_every)

    sampler = asyncio.ensure_future(sample()) if rss_every else None
    cpu0, wall0 = cpu_seconds(pid), time.time()
    gen0 = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(schedule(k, r) for k, r in rates.items()))
    await asyncio.gather(*tasks)
    wall = time.time() - wall0
    gen1 = resource.getrusage(resource.RUSAGE_SELF)
    if sampler:
        sampler.cancel()
        rss.append((loop.time() - t0, rss_kb(pid)))
    for c in list(pool._queue):
        if c.writer:
            c.writer.close()
    return results, {"wall_s": wall, "server_cpu_s": cpu_seconds(pid) - cpu0,
                     "generator_cpu_s": (gen1.ru_utime + gen1.ru_stime) - (gen0.ru_utime + gen0.ru_stime),
                     "max_in_flight": in_flight[1], "rss": rss}


def pct(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def summary(kind, rate, r, meta, seconds, requests=None):
    """`requests`: every request of the run (a mixed run's server CPU is not split by kind)."""
    lat = r["lat"]
    return {"kind": kind, "rate": rate, "sent": len(lat), "throughput": len(lat) / meta["wall_s"],
            "p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99), "max_ms": max(lat) if lat else float("nan"),
            "service_p50_ms": pct(r["service"], 0.5), "errors": r["errors"], "statuses": r["statuses"],
            "server_cpu_ms_per_req": 1e3 * meta["server_cpu_s"] / max(1, requests or len(lat)),
            "generator_cpu_share": meta["generator_cpu_s"] / meta["wall_s"], "max_in_flight": meta["max_in_flight"]}


def line(s):
    return (f"{s['kind']:>7} {s['rate']:>6} req/s  got {s['throughput']:7.1f}/s  p50 {s['p50_ms']:7.2f} ms  "
            f"p99 {s['p99_ms']:7.2f} ms  max {s['max_ms']:7.1f} ms  errors {s['errors']}  "
            f"server cpu {s['server_cpu_ms_per_req']:.2f} ms/req  in flight <= {s['max_in_flight']}  "
            f"generator {100 * s['generator_cpu_share']:.0f}% cpu")


def cli_floors(start):
    """In-process figures: the one-hop query by `query --repeat`, one clause through the
    encoder by `model bench`."""
    floors = {}
    r = lex("query", HOP[1], "--param", f"start={start}", "--format", "csv", "--db", DB, "--repeat", "200")
    m = re.search(r"median ([\d.]+) ms.*?p90 ([\d.]+) ms", r.stderr.replace("\n", " "))
    floors["query_repeat"] = r.stderr.strip()
    print(f"CLI `lexgraph query --repeat 200` (one hop from node {start}): {r.stderr.strip()}")
    r = lex("model", "bench", "--model", args.model, "--batch", "1", "--seq", "128", "--threads", "1,2",
            "--iterations", "5", "--peer-script", "none", check=False)
    floors["model_bench"] = (r.stdout + r.stderr).strip()
    print("CLI `lexgraph model bench --batch 1 --seq 128` (one 128-token clause, in process):")
    print("  " + floors["model_bench"].replace("\n", "\n  "))
    return floors


async def main():
    token, run = setup()
    proc, port = start_server(token)
    out = {"load_average_start": os.getloadavg(), "steps": [], "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    try:
        client = Client(port)
        status, body = await client.send(request("POST", "/db/lexgraph/tx/commit", token, {"statements": [{
            "statement": "MATCH (a:SupremeCourtCase)-[:CITES]->(b) RETURN DISTINCT id(a) AS i", "parameters": {}}]}))
        starts = [row["row"][0] for row in json.loads(body)["results"][0]["data"]]
        client.writer.close()
        random.seed(7)
        print(f"server pid {proc.pid} on port {port}; {len(starts)} start nodes with citations; "
              f"load average {os.getloadavg()[0]:.2f}", flush=True)
        out["floors"] = cli_floors(starts[0])
        w = Workload(token, starts, "bench-clauses")
        steps = [("live", [100, 500, 1000]), ("hop1", [100, 250, 500, 1000]), ("hop2", [50, 100]), ("hop3", [10, 20])]
        if run:
            steps += [("clause", [5, 10, 20, 40]), ("review", [5, 10, 20])]
        only = set(filter(None, args.only.split(",")))
        for kind, rates in steps:
            if only and kind not in only:
                continue
            for rate in rates:
                results, meta = await drive(port, w, {kind: rate}, args.step_seconds, proc.pid)
                s = summary(kind, rate, results[kind], meta, args.step_seconds)
                out["steps"].append(s)
                print(line(s), flush=True)
        if args.soak_seconds > 0:
            mix = {"hop1": 100, "hop2": 10, "hop3": 2, "live": 10}
            if run:
                mix.update({"clause": 5, "review": 2})
            mix = {k: v * args.soak_scale for k, v in mix.items()}
            print(f"soak: {args.soak_seconds:.0f} s of {mix} (req/s); load average {os.getloadavg()[0]:.2f}", flush=True)
            results, meta = await drive(port, w, mix, args.soak_seconds, proc.pid, rss_every=5)
            out["soak"] = {"mix": mix, "kinds": [summary(k, mix[k], results[k], meta, args.soak_seconds,
                                                     requests=sum(len(v["lat"]) for v in results.values())) for k in mix],
                           "rss_kb": meta["rss"], "max_in_flight": meta["max_in_flight"],
                           "server_cpu_s": meta["server_cpu_s"], "wall_s": meta["wall_s"]}
            for s in out["soak"]["kinds"]:
                print("  " + line(s))
            rss = meta["rss"]
            first_min = [kb for t, kb in rss if t <= 60]
            last_min = [kb for t, kb in rss if t >= rss[-1][0] - 60]
            xs, ys = [t for t, _ in rss], [kb / 1024 for _, kb in rss]
            mx, my = statistics.mean(xs), statistics.mean(ys)
            slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / max(1e-9, sum((x - mx) ** 2 for x in xs)) * 60
            out["soak"]["rss_summary"] = {"start_mb": rss[0][1] / 1024, "end_mb": rss[-1][1] / 1024, "max_mb": max(ys),
                                          "first_minute_median_mb": statistics.median(first_min) / 1024,
                                          "last_minute_median_mb": statistics.median(last_min) / 1024,
                                          "slope_mb_per_min": slope}
            print("  RSS (MB): start {start_mb:.1f}, first-minute median {first_minute_median_mb:.1f}, "
                  "last-minute median {last_minute_median_mb:.1f}, end {end_mb:.1f}, max {max_mb:.1f}, "
                  "slope {slope_mb_per_min:+.2f} MB/min".format(**out["soak"]["rss_summary"]))
        out["load_average_end"] = os.getloadavg()
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min; 2 cores)")
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        print(f"server exit status after SIGTERM: {proc.returncode}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


asyncio.run(main())
