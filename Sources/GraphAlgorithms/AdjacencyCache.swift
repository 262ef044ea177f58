import Foundation
import GRDB
import GraphStore

/// The `TraversalGraph`s (and node validity) the query engines of one database keep
/// between queries: one copy for every reader connection of every store of this process
/// opened on that database (`shared(for:)`), never used for a graph other than the one
/// the reading transaction sees.
///
/// What identifies a graph is its generation (`GraphReads.graphGeneration`), a value
/// in the database that every store writer bumps in the transaction that changes a node
/// or edge, so a transaction on any connection, of this process or another, knows which
/// copy is its own. Copies are immutable `Snapshot`s; a newer generation is a new
/// snapshot swapped in under a lock, while a reader still in an older transaction keeps
/// the one it has (and finds it again while it holds it).
///
/// A newer generation is brought forward from the cached one when this process's
/// writers listed the rows they changed (`GraphChangeLog`) and those are few
/// (`appliesIncrementally`): the changed edges and nodes are looked up by id and merged
/// in (`TraversalGraph.applying`). Otherwise (a commit of another process, a load that
/// rewrote much of the graph) the edges are read again in full. One builder runs at a
/// time; readers of a cached generation do not wait for it.
///
/// A writer that changes the graph without bumping the generation (a tool other than a
/// `GraphStore`, or a lexgraph older than the generation) is not seen. Callers must not
/// use the cache inside a write transaction (its own uncommitted changes).
public final class AdjacencyCache: @unchecked Sendable {
    public let changes: GraphChangeLog
    private let lock = NSLock()
    private let buildLock = NSLock()
    private var current: Snapshot?
    private var recent: [WeakSnapshot] = []
    private var counters = Statistics()

    /// One generation of the graph as cached. Immutable: reading another edge-type set
    /// makes a new snapshot of the same generation.
    public final class Snapshot: @unchecked Sendable {
        public let generation: Int
        let graphs: [[String]: TraversalGraph]
        /// Type sets whose node ids do not fit direct indexing: SQL answers them.
        let unfit: Set<[String]>
        let nodes: NodeValidity?

        init(generation: Int, graphs: [[String]: TraversalGraph], unfit: Set<[String]>, nodes: NodeValidity?) {
            self.generation = generation
            self.graphs = graphs
            self.unfit = unfit
            self.nodes = nodes
        }

        /// Bytes held by its arrays.
        public var bytes: Int { graphs.values.reduce(nodes?.bytes ?? 0) { $0 + $1.bytes } }
    }

    private struct WeakSnapshot { weak var snapshot: Snapshot? }

    /// What a lookup did, for PROFILE and the benchmark: whether the edges were read now
    /// in full, or brought forward from an older generation (how many changed rows), how
    /// long that took, how many edges, and the bytes they take.
    public struct Use: Sendable {
        public var built: Bool
        /// The changed rows applied to an older copy; nil when none was.
        public var applied: Int?
        public var buildSeconds: Double
        public var edges: Int
        public var bytes: Int
    }

    /// Counts since the cache was made, and what its snapshots hold now.
    public struct Statistics: Sendable {
        public var fullReads = 0
        public var incrementalUpdates = 0
        /// Bytes of the distinct snapshots alive (the newest and any a reader holds).
        public var bytes = 0
        public var snapshots = 0
    }

    init(changes: GraphChangeLog) { self.changes = changes }

    private static let registryLock = NSLock()
    nonisolated(unsafe) private static var registry: [ObjectIdentifier: WeakCache] = [:]
    private struct WeakCache { weak var cache: AdjacencyCache? }

    /// The cache of `store`'s database, shared with every other store of this process
    /// opened on it (two databases never share one).
    public static func shared(for store: GraphStore) -> AdjacencyCache {
        registryLock.lock()
        defer { registryLock.unlock() }
        // The cache keeps its log alive, so the key is not reused while the entry lives.
        let key = ObjectIdentifier(store.changes)
        if let cache = registry[key]?.cache { return cache }
        registry = registry.filter { $0.value.cache != nil }
        let cache = AdjacencyCache(changes: store.changes)
        registry[key] = WeakCache(cache: cache)
        return cache
    }

    /// Whether a newer generation is brought forward by applying `changed` rows to a copy
    /// of `edges` edges rather than read in full. A changed row costs a B-tree seek (a few
    /// times a row of the full read's sequential scan) and the merge passes over every
    /// cached edge without SQL; past a quarter of the edges (and at least 10,000 rows)
    /// the seeks cost about what the scan does.
    public static func appliesIncrementally(changed: Int, edges: Int) -> Bool {
        changed <= max(10_000, edges / 4)
    }

    public var statistics: Statistics {
        lock.lock()
        defer { lock.unlock() }
        var s = counters
        var seen = Set<ObjectIdentifier>()
        for snapshot in [current].compactMap({ $0 }) + recent.compactMap(\.snapshot) where seen.insert(ObjectIdentifier(snapshot)).inserted {
            s.bytes += snapshot.bytes
            s.snapshots += 1
        }
        return s
    }

    /// The traversal graph of `types` (sorted; empty: every type) as of `db`'s snapshot,
    /// from the cache, brought forward, or read now; nil when the store's node ids do not
    /// fit (`TraversalGraph.maxNodeID`). With `asOf`, also the nodes' validity. The
    /// caller holds `snapshot` for as long as its transaction may ask again.
    public func graph(_ db: Database, types: [String], asOf: Bool) throws -> (graph: TraversalGraph, nodes: NodeValidity?, use: Use, snapshot: Snapshot)? {
        let generation = try GraphReads.graphGeneration(db)
        if let found = lookup(generation, types: types, asOf: asOf) { return answer(found, asOf: asOf) }
        buildLock.lock()
        defer { buildLock.unlock() }
        if let found = lookup(generation, types: types, asOf: asOf) { return answer(found, asOf: asOf) }

        let started = Date()
        lock.lock()
        let same = snapshots(generation).first
        let base = current
        lock.unlock()
        var graphs = same?.graphs ?? [:], unfit = same?.unfit ?? [], nodes = same?.nodes
        var applied: Int?
        if same == nil, let base {
            let edges = base.graphs.values.reduce(0) { $0 + $1.edgeCount }
            if let delta = changes.delta(from: base.generation, to: generation), AdjacencyCache.appliesIncrementally(changed: delta.count, edges: edges) {
                let nodeRows = try GraphReads.nodeValidity(db, ids: Array(delta.nodes))
                let removed = delta.nodes.subtracting(nodeRows.map { $0.0 })
                for (key, graph) in base.graphs {
                    if let next = try graph.applying(changed: delta.edges, removed: removed, in: db) { graphs[key] = next } else { unfit.insert(key) }
                }
                nodes = base.nodes?.applying(changed: delta.nodes, rows: nodeRows)
                applied = delta.count
            }
        }
        var built = false
        if graphs[types] == nil && !unfit.contains(types) {
            if let read = try TraversalGraph.read(db, types: types) { graphs[types] = read } else { unfit.insert(types) }
            built = true
        }
        if asOf && nodes == nil { nodes = try NodeValidity.read(db) }
        let snapshot = Snapshot(generation: generation, graphs: graphs, unfit: unfit, nodes: nodes)
        publish(snapshot, fullRead: built, incremental: applied != nil)
        guard let graph = graphs[types] else { return nil }
        let use = Use(built: built, applied: applied, buildSeconds: Date().timeIntervalSince(started), edges: graph.edgeCount, bytes: graph.bytes)
        return (graph, asOf ? nodes : nil, use, snapshot)
    }

    /// The live snapshots of `generation`, newest first (call with `lock` held).
    private func snapshots(_ generation: Int) -> [Snapshot] {
        ([current].compactMap { $0 } + recent.reversed().compactMap(\.snapshot)).filter { $0.generation == generation }
    }

    private enum Found {
        case graph(TraversalGraph, Snapshot)
        case unfit
    }

    /// A live snapshot of `generation` that answers for `types` (with node validity when
    /// `asOf`), or nil.
    private func lookup(_ generation: Int, types: [String], asOf: Bool) -> Found? {
        lock.lock()
        defer { lock.unlock() }
        for snapshot in snapshots(generation) {
            if snapshot.unfit.contains(types) { return .unfit }
            if let graph = snapshot.graphs[types], !asOf || snapshot.nodes != nil { return .graph(graph, snapshot) }
        }
        return nil
    }

    private func answer(_ found: Found, asOf: Bool) -> (graph: TraversalGraph, nodes: NodeValidity?, use: Use, snapshot: Snapshot)? {
        guard case .graph(let graph, let snapshot) = found else { return nil }
        return (graph, asOf ? snapshot.nodes : nil, Use(built: false, applied: nil, buildSeconds: 0, edges: graph.edgeCount, bytes: graph.bytes), snapshot)
    }

    private func publish(_ snapshot: Snapshot, fullRead: Bool, incremental: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if fullRead { counters.fullReads += 1 }
        if incremental { counters.incrementalUpdates += 1 }
        recent = recent.filter { $0.snapshot != nil }
        if let current, !isNewer(snapshot.generation, than: current.generation) {
            recent.append(WeakSnapshot(snapshot: snapshot))
            return
        }
        if let current, current.generation != snapshot.generation { recent.append(WeakSnapshot(snapshot: current)) }
        current = snapshot
    }

    /// Whether generation `a` came after `b`: by the writers' log when it knows, else by
    /// value (generations only grow).
    private func isNewer(_ a: Int, than b: Int) -> Bool {
        if a == b { return true }
        if changes.delta(from: b, to: a) != nil { return true }
        if changes.delta(from: a, to: b) != nil { return false }
        return a > b
    }
}
