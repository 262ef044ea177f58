import Foundation
import GRDB
import LexgraphCore
import Ontology

/// Runs recipes against a store: reads every source, validates every node and edge
/// against the active ontology, and writes them in ONE transaction, so a load either
/// happens whole or not at all (also when the process is killed half-way: SQLite's
/// WAL keeps the uncommitted pages out of the database). Re-loading the same files
/// upserts by key and reports nothing new or changed.
public struct GraphLoader {
    public let store: GraphStore
    public let dataFolder: URL
    /// Who the load log records (`$USER` by default).
    public var user: String
    /// Stage messages ("reading scotus/citation_edges.csv"), for the CLI's stderr.
    public var progress: @Sendable (String) -> Void
    /// Called inside the load's transaction after its `load_log` row (not for a dry
    /// run), so an audit entry commits with the load or not at all.
    public var audit: AuditHook?
    /// Called once the records are read, before the load's transaction, with the keys it
    /// is about to write or look up: its nodes' and its edges' endpoints (`nodeKeys`) and
    /// its edges' (`edgeKeys`). A PostgreSQL load fetches exactly those stored rows into
    /// its staging copy here, instead of the whole graph (`PostgresGraphStore.deltaLoad`).
    public var beforeWrite: ((_ store: GraphStore, _ nodeKeys: [String], _ edgeKeys: [String]) throws -> Void)?

    public init(store: GraphStore, dataFolder: URL, user: String? = nil, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.store = store
        self.dataFolder = dataFolder
        self.user = user ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        self.progress = progress
    }

    /// Loads `recipes` in order, in one transaction. With `dryRun` everything is read,
    /// checked and written inside a transaction that is then rolled back: the report
    /// says what would change, and every error is reported, nothing is kept.
    /// Throws `LoadFailure` (all errors, capped) when anything is wrong. A refused load
    /// writes nothing at all, not even a `load_log` row (the file stays byte-identical):
    /// its errors go to the caller; the log holds the loads that happened.
    @discardableResult
    public func load(_ recipes: [Recipe], dryRun: Bool = false, source: String? = nil) throws -> LoadReport {
        let started = Date()
        let startedAt = Timestamp.now()
        let ontology = try store.activeOntology()
        var batch = LoadBatch(ontology: ontology)
        var report = LoadReport(recipes: recipes.map(\.name), dryRun: dryRun)
        let sourceText = source ?? recipes.map(\.file).joined(separator: ", ")
        do {
            for recipe in recipes {
                try batch.add(recipe: recipe, dataFolder: dataFolder, progress: progress)
            }
            report.recordsRead = batch.recordsRead
            report.skipped = batch.skipped
            for n in batch.nodes { report.nodesByType[n.type, default: 0] += 1 }
            for e in batch.edges { report.edgesByType[e.type, default: 0] += 1 }
            progress("checking \(batch.nodes.count) nodes and \(batch.edges.count) edges against \(ontology.name) v\(ontology.version)")
            if let beforeWrite {
                var nodeKeys = batch.nodes.map(\.key), seen = Set(nodeKeys)
                for edge in batch.edges {
                    if seen.insert(edge.from).inserted { nodeKeys.append(edge.from) }
                    if seen.insert(edge.to).inserted { nodeKeys.append(edge.to) }
                }
                try beforeWrite(store, nodeKeys, batch.edges.map(\.key))
            }
            let body: (Database) throws -> WriteCounts = { db in
                // A big page cache keeps a large load from re-reading (and spilling) pages.
                try db.execute(sql: "PRAGMA cache_size = -262144")
                let writer = GraphWriter(db: db, ontology: ontology)
                try GraphLoader.validate(&batch, writer: writer)
                if let failure = batch.issues.failure { throw failure }
                writer.inputPrevalidated = true
                writer.nodesKnownNew = try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT 1 FROM node LIMIT 1)") == 0
                writer.edgesKnownNew = try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT 1 FROM edge LIMIT 1)") == 0
                let counts = try GraphLoader.write(batch, writer: writer, progress: progress)
                var quality = LoadQuality.measure(batch, recipes: report.recipes)
                if let previous = try LoadQualityTable.previous(db, recipes: report.recipes) { quality.compare(with: previous.quality, loadID: previous.id) }
                if !dryRun {
                    try GraphLoader.log(db: db, startedAt: startedAt, user: user, source: sourceText,
                                        recipes: report.recipes, counts: counts, status: "ok", message: nil)
                    try LoadQualityTable.insert(db, loadID: db.lastInsertedRowID, quality: quality)
                    try audit?(db, "ok: \(counts)")
                }
                report.quality = quality
                return counts
            }
            if !dryRun, let failure = batch.issues.failure { throw failure }
            report.counts = try store.database.writeWithoutTransaction { db in
                try GraphLoader.withoutForeignKeyChecks(db) {
                    var counts = WriteCounts()
                    try db.inTransaction(.immediate) {
                        counts = try body(db)
                        return dryRun ? .rollback : .commit
                    }
                    return counts
                }
            }
        } catch let error as GraphStoreError {
            throw LoadFailure(errors: [error], total: 1)
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    static func log(db: Database, startedAt: String, user: String, source: String, recipes: [String],
                    counts: WriteCounts, status: String, message: String?) throws {
        try db.execute(sql: """
            INSERT INTO load_log(started_at, finished_at, user, source, recipe, nodes_inserted, nodes_updated, nodes_unchanged,
                                 edges_inserted, edges_updated, edges_unchanged, status, message)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [startedAt, Timestamp.now(), user, source, recipes.joined(separator: ","),
                             counts.nodesInserted, counts.nodesUpdated, counts.nodesUnchanged,
                             counts.edgesInserted, counts.edgesUpdated, counts.edgesUnchanged, status, message])
    }

    /// Runs `body` (which opens the load's transaction) with SQLite's per-row foreign-key
    /// checks off, restoring them afterwards whatever happens. A load writes every
    /// edge's `src`/`dst` from ids it just read or inserted in the same transaction (a
    /// dangling endpoint is an error before any row is written), and it never deletes a
    /// node, so the checks can find nothing; on a bulk insert they cost two lookups in
    /// `node` and a statement journal per edge (a third of SQLite's insert time). The
    /// setting belongs to this connection only and cannot change inside a transaction,
    /// hence outside it here; a killed process leaves nothing behind.
    static func withoutForeignKeyChecks<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        let enabled = try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false
        if enabled { try db.execute(sql: "PRAGMA foreign_keys = OFF") }
        defer { if enabled { try? db.execute(sql: "PRAGMA foreign_keys = ON") } }
        return try body()
    }

    // MARK: Validation and writing

    /// Checks every pending node and edge against the ontology and the endpoints
    /// against this load and the database, collecting all errors into the batch.
    static func validate(_ batch: inout LoadBatch, writer: GraphWriter) throws {
        for node in batch.nodes {
            for problem in writer.problems(with: node.input) {
                batch.issues.add(node.location, "node '\(node.key)' (\(node.type)): \(problem)")
            }
        }
        var storedTypes: [String: String?] = [:]
        func type(of key: String) throws -> String? {
            if let i = batch.nodeIndex[key] { return batch.nodes[i].type }
            if let cached = storedTypes[key] { return cached }
            let found = try writer.lookup(key)?.type
            storedTypes[key] = found
            return found
        }
        // Edges without properties are checked once per (type, from type, to type).
        var checked: [EdgeSignature: [String]] = [:]
        for edge in batch.edges {
            let fromType = try type(of: edge.from), toType = try type(of: edge.to)
            if fromType == nil { batch.issues.add(edge.location, "edge \(edge.from) -[\(edge.type)]-> \(edge.to): dangling endpoint: no node '\(edge.from)' in this load or the database") }
            if toType == nil { batch.issues.add(edge.location, "edge \(edge.from) -[\(edge.type)]-> \(edge.to): dangling endpoint: no node '\(edge.to)' in this load or the database") }
            guard let fromType, let toType else { continue }
            let problems: [String]
            if edge.properties.isEmpty {
                let signature = EdgeSignature(type: edge.type, from: fromType, to: toType)
                if let known = checked[signature] { problems = known } else {
                    problems = batch.ontology.violations(edgeType: edge.type, fromType: fromType, toType: toType, properties: [:])
                    checked[signature] = problems
                }
            } else {
                problems = batch.ontology.violations(edgeType: edge.type, fromType: fromType, toType: toType, properties: edge.properties)
            }
            for problem in problems {
                batch.issues.add(edge.location, "edge \(edge.from) -[\(edge.type)]-> \(edge.to): \(problem)")
            }
        }
    }

    static func write(_ batch: LoadBatch, writer: GraphWriter, progress: (String) -> Void) throws -> WriteCounts {
        var counts = WriteCounts()
        progress("writing \(batch.nodes.count) nodes")
        if writer.nodesKnownNew {
            try writer.insertNew(nodes: batch.nodes.lazy.map(\.input))
            counts.nodesInserted = batch.nodes.count
        } else {
            for node in batch.nodes { counts.count(node: try writer.upsert(node.input)) }
        }
        progress("writing \(batch.edges.count) edges")
        if writer.edgesKnownNew {
            try writer.insertNew(edges: batch.edges.lazy.map(\.input)) { progress("  \($0) edges written") }
            counts.edgesInserted = batch.edges.count
        } else {
            for (i, edge) in batch.edges.enumerated() {
                counts.count(edge: try writer.upsert(edge.input))
                if i > 0 && i % 50_000 == 0 { progress("  \(i) edges written") }
            }
        }
        return counts
    }
}

struct EdgeSignature: Hashable {
    let type: String, from: String, to: String
}

extension PendingNode {
    var input: NodeInput {
        NodeInput(key: key, type: type, properties: properties, location: location)
    }
}

extension PendingEdge {
    var input: EdgeInput {
        EdgeInput(key: key, type: type, from: from, to: to, properties: properties, location: location)
    }
}
