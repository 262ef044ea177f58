import GRDB
import GraphStore
import LexgraphCore
import Ontology

extension GraphSnapshot {
    /// Reads every node and edge of `store` into a snapshot (ids in store order, so
    /// walks break ties the same way on every load), with the store's active ontology
    /// for node type filters. About a second of CPU for the SCOTUS graph; do it once
    /// per run and share the snapshot (it is immutable and `Sendable`).
    public static func load(_ store: GraphStore) throws -> GraphSnapshot {
        let ontology = try store.activeOntology()
        return try store.read { db in
            var reader = SnapshotReader()
            try reader.readNodes(SnapshotRows(db), ids: nil)
            try reader.readEdges(SnapshotRows(db), .all)
            return try reader.snapshot(ontology: ontology)
        }
    }

    /// The same from a graph on a server (`RemoteGraph`): the same rows in the same (id)
    /// order, so a walk over it breaks ties as over the SQLite file the graph was copied
    /// from. Two statements, the whole graph over the wire.
    public static func load(_ remote: any RemoteGraph) throws -> GraphSnapshot {
        let ontology = try remote.activeOntology()
        var reader = SnapshotReader()
        let rows = SnapshotRows(remote)
        try reader.readNodes(rows, ids: nil)
        try reader.readEdges(rows, .all)
        return try reader.snapshot(ontology: ontology)
    }

    /// Reads only what `citatorStatus(of: key, asOf:, hops: hops)` looks at, with a few
    /// indexed queries instead of the whole graph: the CITES and OVERRULES edges into
    /// the case, its out-CITES paths up to `hops`, and the edges that overrule any node
    /// on them. For one-off status checks (the CLI); the result is the same as on a
    /// full snapshot.
    public static func loadCitatorNeighborhood(_ store: GraphStore, of key: String, hops: Int) throws -> GraphSnapshot {
        let ontology = try store.activeOntology()
        return try store.read { db in try loadCitatorNeighborhood(db, ontology: ontology, of: key, hops: hops) }
    }

    /// The same, inside a read the caller already holds (the query language's `citator()`).
    public static func loadCitatorNeighborhood(_ db: Database, ontology: Ontology, of key: String, hops: Int) throws -> GraphSnapshot {
        try loadCitatorNeighborhood(SnapshotRows(db), ontology: ontology, of: key, hops: hops)
    }

    /// The same on a graph held by a server (`citator()` on PostgreSQL): the same
    /// statements, each one round trip.
    public static func loadCitatorNeighborhood(_ remote: any RemoteGraph, ontology: Ontology, of key: String, hops: Int) throws -> GraphSnapshot {
        try loadCitatorNeighborhood(SnapshotRows(remote), ontology: ontology, of: key, hops: hops)
    }

    static func loadCitatorNeighborhood(_ rows: SnapshotRows, ontology: Ontology, of key: String, hops: Int) throws -> GraphSnapshot {
        guard let id = try rows.nodeID(key) else {
            throw GraphAlgorithmsError(message: "no node with key '\(key)' in the graph")
        }
        let citing = CitatorVocabulary.cites, overruling = CitatorVocabulary.overrules
        var reader = SnapshotReader()
        try reader.readEdges(rows, .into([id], types: [citing, overruling], treated: nil))
        var reached: Set<Int64> = [id], frontier: [Int64] = [id]
        for _ in 0..<max(hops, 0) where !frontier.isEmpty {
            let targets = try reader.readEdges(rows, .outOf(frontier, types: [citing])).map(\.target)
            frontier = targets.filter { reached.insert($0).inserted }
        }
        try reader.readEdges(rows, .into(Array(reached), types: [overruling], treated: (citing, CitatorVocabulary.overruledTreatment)))
        try reader.readNodes(rows, ids: reader.endpoints + [id])
        return try reader.snapshot(ontology: ontology)
    }
}

/// Where a snapshot's rows come from: a SQLite read (`GraphReads`) or a server
/// (`RemoteGraph`, which answers the same reads in its own SQL).
struct SnapshotRows {
    let nodeID: (String) throws -> Int64?
    let nodes: ([Int64]?, (GraphReads.SnapshotNodeRow) throws -> Void) throws -> Void
    let edges: (GraphReads.EdgeSelection, (GraphReads.SnapshotEdgeRow) throws -> Void) throws -> Void

    init(_ db: Database) {
        nodeID = { try GraphReads.nodeID(db, key: $0) }
        nodes = { try GraphReads.forEachSnapshotNode(db, ids: $0, $1) }
        edges = { try GraphReads.forEachSnapshotEdge(db, $0, $1) }
    }

    init(_ remote: any RemoteGraph) {
        nodeID = { try remote.nodeID(key: $0) }
        nodes = { ids, body in for row in try remote.snapshotNodes(ids: ids) { try body(row) } }
        edges = { selection, body in for row in try remote.snapshotEdges(selection) { try body(row) } }
    }
}

/// Collects node and edge rows (by store id, each once) and turns them into a snapshot
/// in store id order, whatever order the queries returned them in.
private struct SnapshotReader {
    private var nodes: [(id: Int64, node: SnapshotNode)] = []
    private var edges: [(id: Int64, source: Int64, target: Int64, edge: SnapshotEdge)] = []
    private var seenNodes = Set<Int64>(), seenEdges = Set<Int64>()
    private var dates: [String: LegalDate] = [:]

    /// Store ids of every edge endpoint read so far.
    var endpoints: [Int64] { Array(Set(edges.flatMap { [$0.source, $0.target] })) }

    /// Reads every node (`ids` nil) or those with these ids.
    mutating func readNodes(_ rows: SnapshotRows, ids: [Int64]?) throws {
        try rows.nodes(ids) { row in
            guard seenNodes.insert(row.id).inserted else { return }
            let key = row.key
            nodes.append((row.id, SnapshotNode(key: key, type: row.type, validFrom: try date(row.validFrom, field: "valid_from", of: "node '\(key)'"),
                                             validTo: try date(row.validTo, field: "valid_to", of: "node '\(key)'"))))
        }
    }

    /// Reads edges; returns the (source, target) store ids of those read by this call.
    @discardableResult
    mutating func readEdges(_ rows: SnapshotRows, _ selection: GraphReads.EdgeSelection) throws -> [(source: Int64, target: Int64)] {
        var read: [(source: Int64, target: Int64)] = []
        try rows.edges(selection) { row in
            read.append((row.source, row.target))
            guard seenEdges.insert(row.id).inserted else { return }
            let id = row.id, type = row.type
            let edge = SnapshotEdge(source: -1, target: -1, type: type, treatment: row.treatment,
                                    validFrom: try date(row.validFrom, field: "valid_from", of: "edge #\(id) (\(type))"),
                                    validTo: try date(row.validTo, field: "valid_to", of: "edge #\(id) (\(type))"))
            edges.append((id, row.source, row.target, edge))
        }
        return read
    }

    func snapshot(ontology: Ontology) throws -> GraphSnapshot {
        let nodes = self.nodes.sorted { $0.id < $1.id }
        var indexByID: [Int64: Int] = [:]
        indexByID.reserveCapacity(nodes.count)
        for (i, entry) in nodes.enumerated() { indexByID[entry.id] = i }
        let edgeList = try edges.sorted { $0.id < $1.id }.map { entry -> SnapshotEdge in
            guard let source = indexByID[entry.source], let target = indexByID[entry.target] else {
                throw GraphAlgorithmsError(message: "edge #\(entry.id) (\(entry.edge.type)) joins a node that does not exist")
            }
            var edge = entry.edge
            edge.source = source
            edge.target = target
            return edge
        }
        return try GraphSnapshot(nodes: nodes.map(\.node), edges: edgeList, ontology: ontology)
    }

    /// Parses a stored ISO date, once per distinct string.
    private mutating func date(_ text: String?, field: String, of place: @autoclosure () -> String) throws -> LegalDate? {
        guard let text else { return nil }
        if let hit = dates[text] { return hit }
        guard let parsed = LegalDate(iso: text) else {
            throw GraphAlgorithmsError(message: "\(place()) has \(field) '\(text)', which is not a YYYY-MM-DD date")
        }
        dates[text] = parsed
        return parsed
    }
}
