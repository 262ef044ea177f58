import Foundation
import GRDB
import GraphStore
import LexgraphCore

extension PostgresGraphStore {
    /// A load or build of the graph held here, through the one validating writer: the graph
    /// is copied into a staging SQLite file (a private temporary folder, removed after) and
    /// a snapshot taken of it, `body` loads into the store at that path (the same recipes,
    /// ontology checks, updates, refusals, load log and audit entries as on SQLite), and
    /// unless `dryRun` what it changed is written here in one transaction
    /// (`applyChanges`). When `body` throws, or the copy fails, the server keeps the graph
    /// it had.
    public func load(dryRun: Bool, _ body: (_ stagingPath: String) throws -> LoadReport) throws -> (report: LoadReport, copied: CopyCounts?) {
        let (report, copied) = try stagedWrite(dryRun: dryRun, body)
        return (report, copied)
    }

    /// The same for any write of the one validating writer (a load, an ontology update):
    /// `body` writes the staging store at its path and returns what to report.
    public func stagedWrite<T>(dryRun: Bool, _ body: (_ stagingPath: String) throws -> T) throws -> (result: T, copied: CopyCounts?) {
        try withStaging { path, baseline in
            let staged: StagedFrom
            do {
                let store = try GraphStore(path: path, mode: .create, key: .noKey)
                staged = try stage(into: store)
                try GraphCopy.snapshot(store, to: baseline)
            }
            let result = try body(path)
            if dryRun { return (result, nil) }
            return (result, try applyChanges(of: try GraphStore(path: path, mode: .readWrite, key: .noKey), since: baseline, staged: staged))
        }
    }

    /// `RemoteGraph.writeThroughStaging` (a query's CREATE): the whole graph is staged, since
    /// a query's MATCH may read any of it, and what the query changed is written back.
    public func writeThroughStaging<T>(_ body: (GraphStore) throws -> T) throws -> T {
        try stagedWrite(dryRun: false) { path in try body(try GraphStore(path: path, mode: .readWrite, key: .noKey)) }.result
    }

    /// A load whose cost follows its own size, not the graph's (`lexgraph load` without
    /// `--init`): the staging copy starts with the small tables only (ontology, load log,
    /// settings, the last audit entry), and `body` hands `fetch` to its loader
    /// (`GraphLoader.beforeWrite`), which calls it with the keys the load names once its
    /// records are read. `fetch` copies exactly the stored rows the writer will compare
    /// or look up: the nodes with those keys or at the ends of the edges with those
    /// keys, their labels and text, those edges, and the node and edge with the highest
    /// id (new rows get the next ids, as they do in SQLite and in a whole copy). The
    /// writer then does on the staging copy what it does on a SQLite file (same upserts,
    /// same counts, same ids), and what it changed goes to the server as `load` sends it.
    /// A load may only change rows it names, so nothing it does is missed; an ontology
    /// update (`--init`, `ontology apply`) may rewrite any row and keeps the whole copy.
    /// The generation is read before anything else: a load committed in between makes
    /// this one refuse, as always.
    public func deltaLoad(dryRun: Bool, _ body: (_ stagingPath: String, _ fetch: @escaping (GraphStore, [String], [String]) throws -> Void) throws -> LoadReport)
        throws -> (report: LoadReport, copied: CopyCounts?) {
        try withStaging { path, baseline in
            let staged: StagedFrom
            do {
                let store = try GraphStore(path: path, mode: .create, key: .noKey)
                staged = try stage(into: store, tables: [.storeMeta, .ontologyVersion, .loadLog])
            }
            let fetched = FetchedRows()
            let report = try body(path) { store, nodeKeys, edgeKeys in
                guard fetched.count == nil else { throw GraphStoreError(message: "a delta load fetched its rows twice (one loader per staging copy)") }
                fetched.count = try self.stageRows(into: store, nodeKeys: nodeKeys, edgeKeys: edgeKeys)
                try GraphCopy.snapshot(store, to: baseline)
            }
            if dryRun { return (report, nil) }
            guard let count = fetched.count else {
                throw GraphStoreError(message: "the load never said which rows it writes (GraphLoader.beforeWrite unset): nothing was written to \(location)")
            }
            var copied = try applyChanges(of: try GraphStore(path: path, mode: .readWrite, key: .noKey), since: baseline, staged: staged, partial: true)
            copied.staged = count
            return (report, copied)
        }
    }

    /// Rows fetched by a delta load (nil: not yet).
    private final class FetchedRows: @unchecked Sendable { var count: Int? }

    /// Copies into `store` the stored rows a load of `nodeKeys` and `edgeKeys` touches
    /// (see `deltaLoad`); returns how many rows it copied. Keys go over as one JSON
    /// array per list.
    func stageRows(into store: GraphStore, nodeKeys: [String], edgeKeys: [String]) throws -> Int {
        func json<S: Sequence>(_ items: S) -> DatabaseValue where S.Element == Value { Value.list(Array(items)).jsonText.databaseValue }
        let edges = try stagedRows(.edge, """
             WHERE id IN (SELECT id FROM edge WHERE key IN (SELECT jsonb_array_elements_text($1::jsonb))
                          UNION ALL SELECT max(id) FROM edge) ORDER BY id
            """, [json(edgeKeys.map(Value.string))])
        var ends = Set<Int64>()
        for edge in edges {
            if let src = Int64.fromDatabaseValue(edge[3]) { ends.insert(src) }
            if let dst = Int64.fromDatabaseValue(edge[4]) { ends.insert(dst) }
        }
        let nodes = try stagedRows(.node, """
             WHERE id IN (SELECT id FROM node WHERE key IN (SELECT jsonb_array_elements_text($1::jsonb))
                          UNION ALL SELECT jsonb_array_elements_text($2::jsonb)::bigint UNION ALL SELECT max(id) FROM node) ORDER BY id
            """, [json(nodeKeys.map(Value.string)), json(ends.sorted().map(Value.int))])
        let ids = json(nodes.compactMap { Int64.fromDatabaseValue($0[0]) }.map(Value.int))
        let labels = try stagedRows(.nodeLabel, " WHERE node_id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint) ORDER BY node_id, label COLLATE \"C\"", [ids])
        let text = try stagedRows(.nodeText, " WHERE node_id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint) ORDER BY node_id", [ids])
        try GraphCopy.add(store, [(.node, nodes), (.nodeLabel, labels), (.edge, edges), (.nodeText, text)])
        return nodes.count + labels.count + edges.count + text.count
    }

    /// Runs `body` with the paths of a staging store and its baseline snapshot in a
    /// private temporary folder, removed after.
    func withStaging<T>(_ body: (_ path: String, _ baseline: String) throws -> T) throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-stage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: folder) }
        return try body(folder.appendingPathComponent("graph.sqlite").path, folder.appendingPathComponent("before.sqlite").path)
    }
}
