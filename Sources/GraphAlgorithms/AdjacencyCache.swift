import Foundation
import GRDB
import GraphStore

/// The `TraversalGraph`s (and node validity) a query engine keeps between queries, never
/// used once the graph may have changed.
///
/// Kept per SQLite connection: a read transaction sees one snapshot, and the only
/// change signal that is exact for it is the connection's own `PRAGMA data_version`
/// (it moves when any other connection, of this process or another, has committed,
/// and describes the transaction's snapshot). Commits of the connection itself
/// (a `DatabaseQueue` reads where it writes) are counted by `GraphChangeObserver` on
/// the store's writer. An entry is used only when both are what they were when it was
/// read; otherwise the connection's entries are dropped and read again. Sharing one copy
/// between connections would need to know that two snapshots are the same, which SQLite
/// does not say; a pool therefore holds at most one copy per reader connection it uses.
/// Callers must not use it inside a write transaction (its own uncommitted changes).
public final class AdjacencyCache: @unchecked Sendable {
    private let changes: GraphChangeObserver?
    private let lock = NSLock()
    private var connections: [ObjectIdentifier: Entries] = [:]

    private final class Entries {
        weak var connection: Database?
        var dataVersion: Int
        var generation: Int
        var graphs: [[String]: TraversalGraph] = [:]
        var nodes: NodeValidity?

        init(connection: Database, dataVersion: Int, generation: Int) {
            self.connection = connection
            self.dataVersion = dataVersion
            self.generation = generation
        }
    }

    /// What a lookup did, for PROFILE and the benchmark: whether the edges were read now
    /// (and how long that took), how many, and the bytes they take.
    public struct Use: Sendable {
        public var built: Bool
        public var buildSeconds: Double
        public var edges: Int
        public var bytes: Int
    }

    public init(changes: GraphChangeObserver?) { self.changes = changes }

    /// The traversal graph of `types` (sorted; empty: every type) as of `db`'s snapshot,
    /// read now if the connection has none or the graph changed; nil when the store's
    /// node ids do not fit (`TraversalGraph.maxNodeID`). With `asOf`, also the nodes'
    /// validity.
    public func graph(_ db: Database, types: [String], asOf: Bool) throws -> (graph: TraversalGraph, nodes: NodeValidity?, use: Use)? {
        let version = try GraphReads.dataVersion(db)
        let generation = changes?.generation ?? 0
        lock.lock()
        let entries = { () -> Entries in
            let key = ObjectIdentifier(db)
            if let found = connections[key], found.connection === db, found.dataVersion == version, found.generation == generation {
                return found
            }
            // Forget connections that are gone, and this one's stale copy.
            connections = connections.filter { $0.value.connection != nil && $0.key != key }
            let fresh = Entries(connection: db, dataVersion: version, generation: generation)
            connections[key] = fresh
            return fresh
        }()
        lock.unlock()
        // One connection runs one transaction at a time: its entries need no lock below.
        var built = false
        var graph = entries.graphs[types]
        if graph == nil {
            guard let read = try TraversalGraph.read(db, types: types) else { return nil }
            entries.graphs[types] = read
            graph = read
            built = true
        }
        if asOf && entries.nodes == nil {
            entries.nodes = try NodeValidity.read(db)
        }
        let g = graph!
        return (g, asOf ? entries.nodes : nil, Use(built: built, buildSeconds: built ? g.buildSeconds : 0, edges: g.edgeCount, bytes: g.bytes))
    }

}
