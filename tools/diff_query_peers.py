#!/usr/bin/env python3
"""Differential test of Lexgraph's query language against peer graph engines (a tool,
not a test): every query of graphs/queries/*.cypher runs through
`lexgraph query --format json` and through each peer on the same graph, and the results
are compared.

Peers: Kùzu (embedded property graph; node and rel tables, COPY FROM CSV), GraphQLite
(a SQLite extension with Cypher, schema-free) and FalkorDB (FalkorDBLite: the FalkorDB
module in an embedded redis-server, schema-free), all loaded by tools/peer_graph.py from
a Lexgraph database holding the SCOTUS and ECtHR graphs (`lexgraph build scotus echr --db
DB`). Where a peer's syntax differs (Kùzu: `* TRAIL` for path counts because its default
counts walks, `label()`, tables instead of the abstract `Case`; GraphQLite and FalkorDB:
the abstract `Case` as its subtypes; all: AS OF written out as validity conditions) the
translation is written out in graphs/queries/X.PEER.cypher under the same name; nothing
is translated silently.

Comparison: results are bags (multisets of rows), compared in order only for queries
flagged `ordered` (their ORDER BY is a total order); numbers compare by value with a
relative tolerance of 1e-9 (an int equals the float of the same value); lists in order.
Prints per peer and query `agree` or `DIFFER` with the rows only one side has, then
`N agree, N differ, N peer timeouts` per peer and for all peers (a peer query
interrupted after --peer-timeout seconds is reported, not compared); exits 1 when any
comparison differs or fails, except where the query is flagged `known-differ:PEER` (a
peer answer the README explains as wrong).

Set-up (once; FalkorDBLite needs Python >= 3.12, and Kùzu and GraphQLite install there too):
  python3.12 -m venv tools/.venv
  tools/.venv/bin/pip install kuzu==0.11.3 graphqlite==0.12.0 pysqlite3-binary falkordblite==0.11.0
Usage: tools/.venv/bin/python tools/diff_query_peers.py --db /tmp/legal.sqlite
       [--lexgraph .build/release/lexgraph] [--peer kuzu] [--peer graphqlite] [--peer falkordb]
       [--only NAME] [--work /tmp/lexgraph-diff-peers] [--reuse] [--peer-timeout 120]
A peer that is not installed is skipped with a note unless it was asked for with --peer.
"""
import argparse, collections, json, math, os, subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_graph  # noqa: E402

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def canonical(v):
    """A hashable, comparable form of a result value (numbers rounded to 12 significant digits)."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return (type(v).__name__, v)
    if isinstance(v, (int, float)):
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return ("num", str(v))
        return ("num", float(f"{float(v):.12g}"))
    if isinstance(v, (list, tuple)):
        return ("list", tuple(canonical(x) for x in v))
    if isinstance(v, dict):
        return ("map", tuple(sorted((k, canonical(x)) for k, x in v.items())))
    return ("other", str(v))


def close(a, b):
    """Rows equal up to the float tolerance."""
    if a == b:
        return True
    if a[0] == "num" and b[0] == "num" and isinstance(a[1], float) and isinstance(b[1], float):
        return math.isclose(a[1], b[1], rel_tol=1e-9, abs_tol=1e-12)
    if a[0] == b[0] and a[0] in ("list", "map", "row") and len(a[1]) == len(b[1]):
        return all(close(x, y) for x, y in zip(a[1], b[1]))
    return False


def run_lexgraph(exe, db, text):
    out = subprocess.run([exe, "query", text, "--format", "json", "--db", db, "--time-limit", "600"],
                         cwd=root, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip()[-2000:])
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def as_rows(columns, dicts):
    return [("row", tuple(canonical(d.get(c)) for c in columns)) for d in dicts]


def compare(ours, theirs, ordered):
    """(agree, only_ours, only_theirs)."""
    if ordered:
        if len(ours) == len(theirs) and all(close(a, b) for a, b in zip(ours, theirs)):
            return True, [], []
        first = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if not close(a, b)), min(len(ours), len(theirs)))
        return False, ours[first:first + 5], theirs[first:first + 5]
    left = collections.Counter(ours)
    right = collections.Counter(theirs)
    only_ours = left - right
    only_theirs = right - left
    # Pair up rows equal within the float tolerance.
    for a in list(only_ours.elements()):
        match = next((b for b in only_theirs if only_theirs[b] > 0 and close(a, b)), None)
        if match is not None:
            only_ours[a] -= 1
            only_theirs[match] -= 1
    only_ours = list((+only_ours).elements())
    only_theirs = list((+only_theirs).elements())
    return not only_ours and not only_theirs, only_ours, only_theirs


def show(row):
    return "(" + ", ".join(repr(x[1]) if x[0] != "list" else repr([y[1] for y in x[1]]) for x in row[1]) + ")"


class KuzuPeer:
    name = "kuzu"

    def __init__(self, graph, folder, reuse):
        import kuzu
        self.version = kuzu.__version__
        if reuse and os.path.exists(os.path.join(folder, "kuzu.db")):
            self.conn = kuzu.Connection(kuzu.Database(os.path.join(folder, "kuzu.db")))
        else:
            self.conn = peer_graph.load_kuzu(graph(), folder)

    def run(self, text, timeout):
        self.conn.set_query_timeout(int(timeout * 1000))
        result = self.conn.execute(text)
        columns = result.get_column_names()
        rows = []
        while result.has_next():
            rows.append(dict(zip(columns, result.get_next())))
        return columns, rows


class GraphQLitePeer:
    name = "graphqlite"

    def __init__(self, graph, folder, reuse):
        import graphqlite
        self.version = graphqlite.__version__
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "graphqlite.sqlite")
        if reuse and os.path.exists(path):
            import pysqlite3.dbapi2
            import graphqlite.connection
            graphqlite.connection.sqlite3 = pysqlite3.dbapi2
            self.g = graphqlite.graph(path)
        else:
            self.g = peer_graph.load_graphqlite(graph(), path)

    def run(self, text, timeout):
        timer = threading.Timer(timeout, self.g.connection.sqlite_connection.interrupt)
        timer.start()
        try:
            rows = self.g.query(text)
        finally:
            timer.cancel()
        columns = list(rows[0].keys()) if rows else []
        return columns, rows


class FalkorDBPeer:
    name = "falkordb"

    def __init__(self, graph, folder, reuse):
        import importlib.metadata
        import redislite.falkordb_client  # noqa: F401 (ImportError: not installed)
        self.version = importlib.metadata.version("falkordblite")
        path = os.path.join(folder, "falkordb.rdb")
        if reuse and os.path.exists(path):
            self.db = peer_graph.open_falkordb(path, fresh=False)
            if "legal" in self.db.list_graphs():
                self.g = self.db.select_graph("legal")
                return
            self.db.close()
        self.db, self.g = peer_graph.load_falkordb(graph(), path)

    def run(self, text, timeout):
        result = self.g.ro_query(text, timeout=int(timeout * 1000))
        columns = [name for _, name in result.header]
        return columns, [dict(zip(columns, row)) for row in result.result_set]


PEERS = {"kuzu": KuzuPeer, "graphqlite": GraphQLitePeer, "falkordb": FalkorDBPeer}


def is_timeout(error):
    """A peer's answer to its query time limit (Kùzu: interrupted, GraphQLite: SQLite's
    interrupt, FalkorDB: "Query timed out")."""
    text = str(error).lower()
    return "interrupt" in text or "timeout" in text or "timed out" in text


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, help="Lexgraph database with the scotus and echr graphs")
    p.add_argument("--lexgraph", default=os.path.join(root, ".build", "release", "lexgraph"))
    p.add_argument("--queries", default=os.path.join(root, "graphs", "queries"))
    p.add_argument("--peer", action="append", choices=sorted(PEERS), help="peer engines (default: every one installed)")
    p.add_argument("--work", default="/tmp/lexgraph-diff-peers", help="folder for the peers' databases")
    p.add_argument("--reuse", action="store_true", help="reuse the peer databases a previous run left in --work")
    p.add_argument("--only", action="append", help="run only this query (repeatable)")
    p.add_argument("--peer-timeout", type=float, default=120, help="seconds before a peer's query is interrupted")
    args = p.parse_args()

    cache = {}

    def graph():
        if "g" not in cache:
            cache["g"] = peer_graph.read_graph(args.db)
        return cache["g"]
    peers = []
    for name in args.peer or sorted(PEERS):
        start = time.perf_counter()
        try:
            peer = PEERS[name](graph, os.path.join(args.work, name), args.reuse)
        except ImportError as e:
            if args.peer:
                raise
            print(f"{name}: not installed ({e}); skipped")
            continue
        peers.append(peer)
        print(f"{name} {peer.version}: ready in {time.perf_counter() - start:.1f} s", flush=True)

    ours_cache = {}
    tally = {peer.name: collections.Counter() for peer in peers}  # agree / differ / known / timeout
    for peer in peers:
        count = tally[peer.name]
        queries = peer_graph.query_files(args.queries, peer.name)
        if args.only:
            queries = [q for q in queries if q[0].name in args.only]
        for q, peer_text in queries:
            ordered = "ordered" in q.flags
            label = f"{peer.name:10s} {q.name}"
            try:
                theirs_columns, theirs = peer.run(peer_text, args.peer_timeout)
            except Exception as e:  # a peer failure is a disagreement to look at, not a crash
                if is_timeout(e):
                    count["timeout"] += 1
                    print(f"TIMEOUT {label}: {peer.name} gave no answer within {args.peer_timeout:g} s")
                    continue
                count["differ"] += 1
                print(f"DIFFER {label}: {peer.name} failed: {e}")
                continue
            try:
                if q.name not in ours_cache:
                    ours_cache[q.name] = run_lexgraph(args.lexgraph, args.db, q.text)
                ours = ours_cache[q.name]
            except Exception as e:
                count["differ"] += 1
                print(f"DIFFER {label}: lexgraph failed: {e}")
                continue
            if ours and theirs and set(ours[0]) != set(theirs_columns):
                count["differ"] += 1
                print(f"DIFFER {label}: columns lexgraph {sorted(ours[0])} vs {peer.name} {theirs_columns}")
                continue
            columns = theirs_columns or (list(ours[0]) if ours else [])
            ok, only_ours, only_theirs = compare(as_rows(columns, ours), as_rows(columns, theirs), ordered)
            if ok:
                count["agree"] += 1
                print(f"agree  {label}: {len(ours)} row{'s' if len(ours) != 1 else ''}{' (in order)' if ordered else ''}")
            else:
                count["differ"] += 1
                expected = f"known-differ:{peer.name}" in q.flags
                count["known"] += expected
                print(f"DIFFER {label}: lexgraph {len(ours)} rows, {peer.name} {len(theirs)} rows{' (in order)' if ordered else ''}"
                      + (" -- known, explained in the README" if expected else ""))
                for r in only_ours[:5]:
                    print(f"    lexgraph only: {show(r)}")
                for r in only_theirs[:5]:
                    print(f"    {peer.name} only: {show(r)}")
    for name, count in tally.items():
        print(f"{name}: {summary(count)}")
    total = sum(tally.values(), collections.Counter())
    print(f"all peers: {summary(total)}")
    sys.exit(1 if total["differ"] > total["known"] else 0)


def summary(count):
    return (f"{count['agree']} agree, {count['differ']} differ ({count['known']} known and explained in the README), "
            f"{count['timeout']} peer timeouts")


if __name__ == "__main__":
    main()
