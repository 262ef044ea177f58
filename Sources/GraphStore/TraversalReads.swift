import Foundation
import GRDB

/// What the query engine's adjacency cache reads (`GraphAlgorithms.AdjacencyCache`):
/// the edges of some types with their validity, the nodes' validity, and what tells a
/// cached copy of them from the graph now (`PRAGMA data_version`, `GraphChangeObserver`).
extension GraphReads {
    /// One edge as a traversal needs it; validity as stored (ISO text, nil = unbounded).
    public struct TraversalEdgeRow {
        public var id: Int64
        public var source: Int64
        public var target: Int64
        public var validFrom: String?
        public var validTo: String?
    }

    /// Every edge whose type is one of `types` (every edge when `types` is empty), in id order.
    public static func forEachTraversalEdge(_ db: Database, types: [String], _ body: (TraversalEdgeRow) throws -> Void) throws {
        let condition = types.isEmpty ? "1" : "type IN (\(placeholders(types.count)))"
        let rows = try Row.fetchCursor(db, sql: "SELECT id, src, dst, valid_from, valid_to FROM edge WHERE \(condition) ORDER BY id",
                                       arguments: StatementArguments(types))
        while let row = try rows.next() {
            try body(TraversalEdgeRow(id: row[0], source: row[1], target: row[2], validFrom: row[3], validTo: row[4]))
        }
    }

    /// Every node with a bounded validity: (id, valid_from, valid_to) as stored.
    public static func forEachDatedNode(_ db: Database, _ body: (Int64, String?, String?) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT id, valid_from, valid_to FROM node WHERE valid_from IS NOT NULL OR valid_to IS NOT NULL")
        while let row = try rows.next() { try body(row[0], row[1], row[2]) }
    }

    /// SQLite's `PRAGMA data_version` of this connection: it changes whenever another
    /// connection (of this process or another) has committed since the last time this
    /// connection asked, and within a read transaction it describes that transaction's
    /// snapshot. Commits of the connection itself do not change it (`GraphChangeObserver`).
    public static func dataVersion(_ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
    }
}

/// Counts the commits of a store's writer connection that changed nodes or edges: the
/// part of "has the graph changed since?" that `PRAGMA data_version` cannot see (a
/// connection's own commits; a `DatabaseQueue` reads on the connection it writes with).
/// Every write path (a query's CREATE, loads, ontology migrations) goes through that
/// connection, so none is missed.
public final class GraphChangeObserver: TransactionObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var dirty = false

    public init() {}

    /// Attaches an observer to `store`'s writer (none for a read-only store, which this
    /// process cannot write).
    public static func attached(to store: GraphStore) -> GraphChangeObserver {
        let observer = GraphChangeObserver()
        if !store.isReadOnly { store.database.add(transactionObserver: observer, extent: .observerLifetime) }
        return observer
    }

    /// How many graph-changing commits the writer has made.
    public var generation: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    public func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        eventKind.tableName == "edge" || eventKind.tableName == "node"
    }

    public func databaseDidChange(with event: DatabaseEvent) { dirty = true }

    public func databaseDidCommit(_ db: Database) {
        guard dirty else { return }
        dirty = false
        lock.lock()
        count += 1
        lock.unlock()
    }

    public func databaseDidRollback(_ db: Database) { dirty = false }
}
