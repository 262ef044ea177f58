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
            try reader.readNodes(db, where: "1", arguments: [])
            try reader.readEdges(db, where: "1", arguments: [])
            return try reader.snapshot(ontology: ontology)
        }
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
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM node WHERE key = ?", arguments: [key]) else {
            throw GraphAlgorithmsError(message: "no node with key '\(key)' in the graph")
        }
        let citing = "'\(CitatorVocabulary.cites)'", overruling = "'\(CitatorVocabulary.overrules)'"
        var reader = SnapshotReader()
        try reader.readEdges(db, where: "dst = ? AND type IN (\(citing), \(overruling))", arguments: [id])
        var reached: Set<Int64> = [id], frontier: [Int64] = [id]
        for _ in 0..<max(hops, 0) where !frontier.isEmpty {
            let targets = try reader.readEdges(db, where: "type = \(citing) AND src IN", ids: frontier).map(\.target)
            frontier = targets.filter { reached.insert($0).inserted }
        }
        try reader.readEdges(db, where: """
            (type = \(overruling) OR (type = \(citing) AND json_extract(props, '$.treatment') = '\(CitatorVocabulary.overruledTreatment)'))
            AND dst IN
            """, ids: Array(reached))
        try reader.readNodes(db, where: "id IN", ids: reader.endpoints + [id])
        return try reader.snapshot(ontology: ontology)
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

    mutating func readNodes(_ db: Database, where condition: String, arguments: StatementArguments) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT id, key, type, valid_from, valid_to FROM node WHERE \(condition)", arguments: arguments)
        while let row = try rows.next() {
            let id: Int64 = row[0], key: String = row[1]
            guard seenNodes.insert(id).inserted else { continue }
            nodes.append((id, SnapshotNode(key: key, type: row[2], validFrom: try date(row[3], field: "valid_from", of: "node '\(key)'"),
                                         validTo: try date(row[4], field: "valid_to", of: "node '\(key)'"))))
        }
    }

    mutating func readNodes(_ db: Database, where condition: String, ids: [Int64]) throws {
        for chunk in ids.chunked(500) {
            try readNodes(db, where: "\(condition) (\(placeholders(chunk.count)))", arguments: StatementArguments(chunk))
        }
    }

    /// Reads edges; returns the (source, target) store ids of those read by this call.
    @discardableResult
    mutating func readEdges(_ db: Database, where condition: String, arguments: StatementArguments) throws -> [(source: Int64, target: Int64)] {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT id, type, src, dst, valid_from, valid_to, json_extract(props, '$.treatment') FROM edge WHERE \(condition)
            """, arguments: arguments)
        var read: [(source: Int64, target: Int64)] = []
        while let row = try rows.next() {
            let id: Int64 = row[0], type: String = row[1], source: Int64 = row[2], target: Int64 = row[3]
            read.append((source, target))
            guard seenEdges.insert(id).inserted else { continue }
            let treatment: DatabaseValue = row[6]
            let edge = SnapshotEdge(source: -1, target: -1, type: type, treatment: String.fromDatabaseValue(treatment),
                                    validFrom: try date(row[4], field: "valid_from", of: "edge #\(id) (\(type))"),
                                    validTo: try date(row[5], field: "valid_to", of: "edge #\(id) (\(type))"))
            edges.append((id, source, target, edge))
        }
        return read
    }

    @discardableResult
    mutating func readEdges(_ db: Database, where condition: String, ids: [Int64]) throws -> [(source: Int64, target: Int64)] {
        var read: [(source: Int64, target: Int64)] = []
        for chunk in ids.chunked(500) {
            read += try readEdges(db, where: "\(condition) (\(placeholders(chunk.count)))", arguments: StatementArguments(chunk))
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

    private func placeholders(_ n: Int) -> String {
        Array(repeating: "?", count: n).joined(separator: ",")
    }
}

private extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
