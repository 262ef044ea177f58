"""Lexgraph's SQLite graph as seen by the peer engines (shared by tools/diff_query_peers.py
and tools/bench_query_peers.py).

- `read_graph(db_path)`: every node (id, type, props) and edge (id, type, src, dst, props,
  valid_from, valid_to) of a Lexgraph database (tables `node` and `edge`, see
  Sources/GraphStore/Schema.swift).
- `load_kuzu(graph, folder)`: the same graph in a fresh Kùzu database: one node table per
  node type and one rel table per edge type (with a FROM/TO pair for every pair of node
  types it connects), loaded with COPY FROM CSV. Every node table has `id` (Lexgraph's node
  id, the primary key), `valid_from`, `valid_to` and one column per property key its nodes
  carry, typed from the values (INT64, DOUBLE, BOOLEAN, else STRING); edges keep their
  properties the same way.
- `load_graphqlite(graph, path)`: the same graph in a fresh GraphQLite database (a SQLite
  extension with Cypher; schema-free): one label per node (its type), every property, and
  `valid_from` / `valid_to` as properties where set. Python's own sqlite3 here is built
  without loadable extensions, so GraphQLite runs over pysqlite3-binary's SQLite.
- `load_falkordb(graph, path)`: the same graph in a fresh FalkorDBLite database (the
  FalkorDB module in an embedded redis-server; schema-free): one label per node (its
  type, as in GraphQLite), every property, `id` (Lexgraph's node or edge id) and
  `valid_from` / `valid_to` where set, loaded with batched `UNWIND $rows ... CREATE`
  (`falkordb_bulk_load`, shared with tools/bench_query_peers.py).
- `query_files(folder, peer)`: the committed queries of graphs/queries/*.cypher and their
  explicit translations for a peer (graphs/queries/*.PEER.cypher, e.g. legal.kuzu.cypher).

Set-up (once; FalkorDBLite needs Python >= 3.12, and the other peers install there too):
python3.12 -m venv tools/.venv && tools/.venv/bin/pip install kuzu==0.11.3 graphqlite==0.12.0 pysqlite3-binary falkordblite==0.11.0
"""
import collections, csv, json, os, re, shutil, sqlite3


class Graph:
    def __init__(self, nodes, edges):
        self.nodes = nodes  # [(id, type, props dict, valid_from, valid_to)]
        self.edges = edges  # [(id, type, src, dst, props dict, valid_from, valid_to)]


def read_graph(db_path):
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    nodes = [(i, t, json.loads(p), vf, vt) for i, t, p, vf, vt in db.execute("SELECT id, type, props, valid_from, valid_to FROM node ORDER BY id")]
    edges = [(i, t, s, d, json.loads(p), vf, vt) for i, t, s, d, p, vf, vt in
             db.execute("SELECT id, type, src, dst, props, valid_from, valid_to FROM edge ORDER BY id")]
    db.close()
    return Graph(nodes, edges)


def _column_types(records):
    """Property key -> Kùzu type, from every value the records carry (lists become STRING JSON)."""
    seen = collections.defaultdict(set)
    for props in records:
        for k, v in props.items():
            if v is None:
                continue
            seen[k].add(bool if isinstance(v, bool) else int if isinstance(v, int) else float if isinstance(v, float) else str)
    types = {}
    for k, kinds in sorted(seen.items()):
        if kinds == {bool}:
            types[k] = "BOOLEAN"
        elif kinds == {int}:
            types[k] = "INT64"
        elif kinds <= {int, float}:
            types[k] = "DOUBLE"
        else:
            types[k] = "STRING"
    return types


def _cell(value, kind):
    if value is None:
        return ""
    if kind == "BOOLEAN":
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return value


def _ident(name):
    return "`" + name.replace("`", "") + "`"


def load_kuzu(graph, folder):
    """Returns a Kùzu connection on a fresh database under `folder` holding `graph`."""
    import kuzu
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    db = kuzu.Database(os.path.join(folder, "kuzu.db"))
    conn = kuzu.Connection(db)
    by_type = collections.defaultdict(list)
    type_of = {}
    for n in graph.nodes:
        by_type[n[1]].append(n)
        type_of[n[0]] = n[1]
    for t, nodes in sorted(by_type.items()):
        cols = _column_types(n[2] for n in nodes)
        ddl = ", ".join(["id INT64", "valid_from STRING", "valid_to STRING"] + [f"{_ident(k)} {v}" for k, v in cols.items()])
        conn.execute(f"CREATE NODE TABLE {_ident(t)}({ddl}, PRIMARY KEY(id))")
        path = os.path.join(folder, f"node-{t}.csv")
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "valid_from", "valid_to"] + list(cols))
            for i, _, props, vf, vt in nodes:
                w.writerow([i, vf or "", vt or ""] + [_cell(props.get(k), v) for k, v in cols.items()])
        conn.execute(f"COPY {_ident(t)} FROM '{path}' (HEADER=true, QUOTE='\"', ESCAPE='\"', PARALLEL=FALSE)")
    edges_by_type = collections.defaultdict(list)
    for e in graph.edges:
        edges_by_type[e[1]].append(e)
    for t, edges in sorted(edges_by_type.items()):
        cols = _column_types(e[4] for e in edges)
        pairs = sorted({(type_of[e[2]], type_of[e[3]]) for e in edges})
        ddl = ", ".join([f"FROM {_ident(a)} TO {_ident(b)}" for a, b in pairs] + ["id INT64", "valid_from STRING", "valid_to STRING"]
                        + [f"{_ident(k)} {v}" for k, v in cols.items()])
        conn.execute(f"CREATE REL TABLE {_ident(t)}({ddl})")
        for a, b in pairs:
            path = os.path.join(folder, f"rel-{t}-{a}-{b}.csv")
            with open(path, "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["from", "to", "id", "valid_from", "valid_to"] + list(cols))
                for i, _, s, d, props, vf, vt in edges:
                    if type_of[s] == a and type_of[d] == b:
                        w.writerow([s, d, i, vf or "", vt or ""] + [_cell(props.get(k), v) for k, v in cols.items()])
            options = "HEADER=true, QUOTE='\"', ESCAPE='\"', PARALLEL=FALSE" + (f", from='{a}', to='{b}'" if len(pairs) > 1 else "")
            conn.execute(f"COPY {_ident(t)} FROM '{path}' ({options})")
    return conn


def load_graphqlite(graph, path):
    """Returns a GraphQLite graph in a fresh database file `path` holding `graph`."""
    import pysqlite3.dbapi2
    import graphqlite.connection
    graphqlite.connection.sqlite3 = pysqlite3.dbapi2  # a SQLite that can load extensions
    import graphqlite
    if os.path.exists(path):
        os.remove(path)
    g = graphqlite.graph(path)

    def with_validity(props, vf, vt):
        out = dict(props)
        if vf is not None:
            out["valid_from"] = vf
        if vt is not None:
            out["valid_to"] = vt
        return out
    ids = g.insert_nodes_bulk([(str(i), with_validity(p, vf, vt), t) for i, t, p, vf, vt in graph.nodes])
    g.insert_edges_bulk([(str(s), str(d), with_validity(p, vf, vt), t) for _, t, s, d, p, vf, vt in graph.edges], ids)
    return g


def open_falkordb(path, fresh):
    """A FalkorDBLite client on the database file `path` (its embedded redis-server is
    started now and stopped when the client is closed or collected). `fresh` removes what
    the file held. Periodic snapshots are switched off: a background save of a graph in
    the middle of a bulk load forks the server and costs more than the load."""
    from redislite.falkordb_client import FalkorDB
    if fresh and os.path.exists(path):
        os.remove(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    db = FalkorDB(path)
    db.client.config_set("save", "")
    return db


def falkordb_server_pid(db):
    """The embedded redis-server's process id (FalkorDB runs its queries there, on its own
    threads, so a client's CPU time does not include them)."""
    return db.client.pid


def falkordb_bulk_load(g, nodes, edges, batch=10_000):
    """Creates `nodes` [(label, key, props dict)] and `edges` [(type, src key, dst key,
    props dict)] in the FalkorDB graph `g` with batched `UNWIND $rows ... CREATE`. Null
    properties are left out (FalkorDB stores no nulls). Edges find their ends by FalkorDB's
    internal node id, which the node batches return: a `NodeByIdSeek` is about seven
    times faster than an index lookup on a key property (300,000 edges: 5.7 s against
    39 s). Returns {key: internal node id}."""
    internal = {}
    by_label = collections.defaultdict(list)
    for label, key, props in nodes:
        by_label[label].append((key, {k: v for k, v in props.items() if v is not None}))
    for label, rows in sorted(by_label.items()):
        for k in range(0, len(rows), batch):
            chunk = rows[k:k + batch]
            result = g.query(f"UNWIND $rows AS r CREATE (n:{_ident(label)}) SET n = r[1] RETURN r[0], id(n)",
                             {"rows": [[key, props] for key, props in chunk]})
            internal.update((key, node) for key, node in result.result_set)
    by_type = collections.defaultdict(list)
    for t, src, dst, props in edges:
        by_type[t].append([internal[src], internal[dst], {k: v for k, v in props.items() if v is not None}])
    for t, rows in sorted(by_type.items()):
        for k in range(0, len(rows), batch):
            g.query("UNWIND $rows AS r MATCH (a) WHERE id(a) = r[0] MATCH (b) WHERE id(b) = r[1] "
                    f"CREATE (a)-[e:{_ident(t)}]->(b) SET e = r[2]", {"rows": rows[k:k + batch]})
    return internal


def load_falkordb(graph, path, name="legal"):
    """Returns (client, graph) of a fresh FalkorDBLite database file `path` whose graph
    `name` holds `graph`, saved to the file (so a later run can reopen it)."""
    db = open_falkordb(path, fresh=True)
    g = db.select_graph(name)

    def with_validity(key, props, vf, vt):
        out = dict(props)
        out["id"] = key
        out["valid_from"] = vf
        out["valid_to"] = vt
        return out
    falkordb_bulk_load(g, ((t, i, with_validity(i, p, vf, vt)) for i, t, p, vf, vt in graph.nodes),
                       ((t, s, d, with_validity(i, p, vf, vt)) for i, t, s, d, p, vf, vt in graph.edges))
    db.client.save()
    return db, g


QueryText = collections.namedtuple("QueryText", "name question flags text")


def parse_queries(path):
    """Blocks `// name: N`, `// question: ...` (may continue on `//` lines), optional
    `// flags: ordered` (compare in order: the ORDER BY is total), then the query text up
    to the next `// name:`; a trailing `;` is dropped."""
    queries = []
    current = None
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*//\s*name:\s*(\S+)", line)
            if m:
                if current:
                    queries.append(current)
                current = {"name": m.group(1), "question": "", "flags": set(), "text": []}
                continue
            if current is None:
                continue
            m = re.match(r"\s*//\s*flags:\s*(.*)", line)
            if m:
                current["flags"] |= set(m.group(1).split())
                continue
            m = re.match(r"\s*//\s*(question:)?\s*(.*)", line)
            if m and line.lstrip().startswith("//"):
                current["question"] = (current["question"] + " " + m.group(2)).strip()
                continue
            current["text"].append(line.rstrip())
    if current:
        queries.append(current)
    out = []
    for q in queries:
        text = "\n".join(q["text"]).strip()
        if text.endswith(";"):
            text = text[:-1].rstrip()
        out.append(QueryText(q["name"], q["question"], q["flags"], text))
    return out


def query_files(folder, peer):
    """[(query, peer_text)] for every graphs/queries/X.cypher; peer_text is the
    translation from X.PEER.cypher when one is given, else the query text itself."""
    out = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".cypher") or name.count(".") > 1:
            continue
        queries = parse_queries(os.path.join(folder, name))
        translation_path = os.path.join(folder, name[:-len(".cypher")] + f".{peer}.cypher")
        translations = {}
        if os.path.exists(translation_path):
            translations = {q.name: q.text for q in parse_queries(translation_path)}
        names = {q.name for q in queries}
        for extra in set(translations) - names:
            raise SystemExit(f"{translation_path}: translation '{extra}' has no query in {name}")
        out += [(q, translations.get(q.name, q.text)) for q in queries]
    return out
