import Foundation
import GRDB

/// What the writers of one database (its file; an in-memory store is its own) in this
/// process changed in the graph, commit by commit: for each commit the graph generation
/// it moved from and to (`GraphReads.graphGeneration`) and the ids of the edges and nodes
/// it inserted, updated or deleted. A reader whose cached copy of the graph is at one
/// generation and whose transaction sees a later one asks `delta(from:to:)` for the rows
/// to read again instead of the whole edge table; nil (a commit of another process, or
/// one too large to list) means reading everything.
///
/// One log per database, shared by every `GraphStore` of this process opened on it
/// (`shared(for:)`), so the server's writer store and its read-only pool see one history.
public final class GraphChangeLog: @unchecked Sendable {
    /// The rows some commits changed.
    public struct Delta: Sendable {
        public var edges: Set<Int64> = []
        public var nodes: Set<Int64> = []
        public var count: Int { edges.count + nodes.count }
    }

    struct Commit {
        let before: Int
        let after: Int
        /// nil: more rows than `maxRowsPerCommit` (not listed).
        let delta: Delta?
    }

    /// A commit changing more rows than this is logged without its ids: a reader then
    /// reads the whole table, which costs about as much as looking that many rows up one
    /// by one, and the ids would hold memory for nothing.
    public static let maxRowsPerCommit = 250_000
    /// How many commits are kept (a reader further behind reads everything).
    static let maxCommits = 256

    private let lock = NSLock()
    private var commits: [Commit] = []

    init() {}

    func record(before: Int, after: Int, delta: Delta?) {
        lock.lock()
        defer { lock.unlock() }
        commits.append(Commit(before: before, after: after, delta: delta))
        if commits.count > GraphChangeLog.maxCommits { commits.removeFirst(commits.count - GraphChangeLog.maxCommits) }
    }

    /// The rows changed between generation `from` and `to` when every commit between them
    /// was made by this process's writers and listed; nil otherwise.
    public func delta(from: Int, to: Int) -> Delta? {
        if from == to { return Delta() }
        lock.lock()
        defer { lock.unlock() }
        // The chain is walked backwards from the newest commit that ends at `to`.
        guard var i = commits.lastIndex(where: { $0.after == to }) else { return nil }
        var chain: [Delta] = []
        while true {
            guard let delta = commits[i].delta else { return nil }
            chain.append(delta)
            let before = commits[i].before
            if before == from { break }
            guard let previous = commits[..<i].lastIndex(where: { $0.after == before }) else { return nil }
            i = previous
        }
        var union = Delta()
        for delta in chain {
            union.edges.formUnion(delta.edges)
            union.nodes.formUnion(delta.nodes)
        }
        return union
    }

    // MARK: One log per database

    private static let registryLock = NSLock()
    nonisolated(unsafe) private static var registry: [String: WeakLog] = [:]
    private struct WeakLog { weak var log: GraphChangeLog? }

    /// The log of the database `identity` names (`GraphStore.databaseIdentity`).
    static func shared(identity: String) -> GraphChangeLog {
        registryLock.lock()
        defer { registryLock.unlock() }
        if let log = registry[identity]?.log { return log }
        registry = registry.filter { $0.value.log != nil }
        let log = GraphChangeLog()
        registry[identity] = WeakLog(log: log)
        return log
    }

    /// Installs on a writer connection what keeps the graph generation and lists the
    /// changed rows: temporary triggers on `node` and `edge` (this connection only;
    /// nothing is written to the file) that report every inserted, updated or deleted row
    /// to `observer` (also rows of statements stepped through SQLite's C API, which GRDB's
    /// own change events do not see, and foreign-key cascades) and, once per transaction
    /// that changes a row, bump `store_meta.lexgraph_generation` in that transaction. The
    /// first bump starts from a random value, so that two databases (or a file deleted
    /// and made again) do not share generations.
    static func installGenerationTriggers(_ db: Database, observer: GraphChangeObserver) throws {
        db.add(function: DatabaseFunction("lexgraph_graph_change", argumentCount: 2, pure: false) { values in
            observer.changed(edge: Int.fromDatabaseValue(values[0]) == 1, id: Int64.fromDatabaseValue(values[1]) ?? 0)
        })
        db.add(function: DatabaseFunction("lexgraph_generation_next", argumentCount: 1, pure: false) { values in
            observer.nextGeneration(after: Int.fromDatabaseValue(values[0]))
        })
        for (table, kind) in [("node", 0), ("edge", 1)] {
            for (event, rows) in [("INSERT", "NEW.id"), ("UPDATE", "OLD.id) | lexgraph_graph_change(\(kind), NEW.id"), ("DELETE", "OLD.id")] {
                try db.execute(sql: """
                    CREATE TEMP TRIGGER IF NOT EXISTS lexgraph_generation_\(table)_\(event.lowercased())
                    AFTER \(event) ON main.\(table) WHEN lexgraph_graph_change(\(kind), \(rows))
                    BEGIN
                        INSERT INTO store_meta(key, value)
                        VALUES ('lexgraph_generation', lexgraph_generation_next((SELECT CAST(value AS INTEGER) FROM store_meta WHERE key = 'lexgraph_generation')))
                        ON CONFLICT(key) DO UPDATE SET value = excluded.value;
                    END
                    """)
            }
        }
    }
}

/// Watches a store's writer connection: collects the ids of the nodes and edges each
/// transaction changes (reported by the generation triggers) and, when it commits,
/// records them in the database's `GraphChangeLog` with the generations the transaction
/// moved between. Every write path (a query's CREATE, loads, copies, ontology
/// migrations) runs on that connection, so none is missed.
public final class GraphChangeObserver: TransactionObserver, @unchecked Sendable {
    let log: GraphChangeLog
    // Used on the writer connection only, one transaction at a time.
    private var bump: (before: Int, after: Int)?
    private var delta = GraphChangeLog.Delta()
    private var overflow = false

    init(log: GraphChangeLog) { self.log = log }

    /// Notes a changed row; 1 when the transaction has not bumped the generation yet.
    func changed(edge: Bool, id: Int64) -> Int {
        if !overflow {
            if edge { delta.edges.insert(id) } else { delta.nodes.insert(id) }
            if delta.count > GraphChangeLog.maxRowsPerCommit {
                overflow = true
                delta = GraphChangeLog.Delta()
            }
        }
        return bump == nil ? 1 : 0
    }

    func nextGeneration(after before: Int?) -> Int {
        let after = before.map { $0 + 1 } ?? Int.random(in: 1...(1 << 52))
        bump = (before ?? 0, after)
        return after
    }

    // The rows come from the triggers; GRDB's events are only what makes it report the
    // transactions' ends.
    public func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        eventKind.tableName == "edge" || eventKind.tableName == "node"
    }

    public func databaseDidChange(with event: DatabaseEvent) {}

    public func databaseDidCommit(_ db: Database) {
        if let bump { log.record(before: bump.before, after: bump.after, delta: overflow ? nil : delta) }
        reset()
    }

    public func databaseDidRollback(_ db: Database) { reset() }

    private func reset() {
        bump = nil
        delta = GraphChangeLog.Delta()
        overflow = false
    }
}
