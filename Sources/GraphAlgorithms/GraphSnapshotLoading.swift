import GRDB
import GraphStore
import LexgraphCore

extension GraphSnapshot {
    /// Reads every node and edge of `store` into a snapshot (ids in store order, so
    /// walks break ties the same way on every load), with the store's active ontology
    /// for node type filters. About a second for the SCOTUS graph; do it once per run.
    public static func load(_ store: GraphStore) throws -> GraphSnapshot {
        let ontology = try store.activeOntology()
        var dates = DateCache()
        return try store.read { db in
            var nodes: [SnapshotNode] = []
            var indexByID: [Int64: Int] = [:]
            let nodeRows = try Row.fetchCursor(db, sql: "SELECT id, key, type, valid_from, valid_to FROM node ORDER BY id")
            while let row = try nodeRows.next() {
                let key: String = row[1]
                let place = "node '\(key)'"
                indexByID[row[0]] = nodes.count
                nodes.append(SnapshotNode(key: key, type: row[2],
                                          validFrom: try dates.parse(row[3], field: "valid_from", of: place),
                                          validTo: try dates.parse(row[4], field: "valid_to", of: place)))
            }
            var edges: [SnapshotEdge] = []
            let edgeRows = try Row.fetchCursor(db, sql: """
                SELECT id, type, src, dst, valid_from, valid_to, json_extract(props, '$.treatment') FROM edge ORDER BY id
                """)
            while let row = try edgeRows.next() {
                let id: Int64 = row[0], type: String = row[1]
                let place = "edge #\(id) (\(type))"
                guard let source = indexByID[row[2]], let target = indexByID[row[3]] else {
                    throw GraphAlgorithmsError(message: "\(place) joins a node that does not exist")
                }
                let treatment: DatabaseValue = row[6]
                edges.append(SnapshotEdge(source: source, target: target, type: type,
                                          treatment: String.fromDatabaseValue(treatment),
                                          validFrom: try dates.parse(row[4], field: "valid_from", of: place),
                                          validTo: try dates.parse(row[5], field: "valid_to", of: place)))
            }
            return try GraphSnapshot(nodes: nodes, edges: edges, ontology: ontology)
        }
    }
}

/// Parses stored ISO dates once per distinct string (a few thousand distinct decision
/// dates among hundreds of thousands of rows).
private struct DateCache {
    private var parsed: [String: LegalDate] = [:]

    mutating func parse(_ text: String?, field: String, of place: String) throws -> LegalDate? {
        guard let text else { return nil }
        if let hit = parsed[text] { return hit }
        guard let date = LegalDate(iso: text) else {
            throw GraphAlgorithmsError(message: "\(place) has \(field) '\(text)', which is not a YYYY-MM-DD date")
        }
        parsed[text] = date
        return date
    }
}
