import GRDB
import GraphStore
import LexgraphCore

/// Reads the labels, types and properties of matched elements, caching per query.
/// Matching itself returns only ids (SQL does that part); this is the Swift side
/// that expressions use when they look inside an element. The cache lives as long as the
/// query and is counted in its memory budget.
final class GraphAccess {
    struct NodeData { var labels: [String]; var properties: [String: CypherValue] }
    struct RelationshipData { var type: String; var start: Int64; var end: Int64; var properties: [String: CypherValue] }

    let db: Database
    let memory: MemoryBudget
    private var nodes: [Int64: NodeData] = [:]
    private var relationships: [Int64: RelationshipData] = [:]

    init(db: Database, memory: MemoryBudget) {
        self.db = db
        self.memory = memory
    }

    /// A cache entry: its slot, the labels and the properties.
    private func pin(labels: [String], properties: [String: CypherValue]) throws {
        var bytes = 64 + MemoryBudget.size(of: .map(properties), atMost: Int.max)
        for label in labels { bytes += MemoryLayout<String>.stride + MemoryBudget.stringBytes(utf8Count: label.utf8.count) }
        try memory.pin(bytes)
    }

    func node(_ id: Int64) throws -> NodeData {
        if let hit = nodes[id] { return hit }
        guard let props = try GraphReads.nodeProperties(db, id: id) else {
            throw QueryError(.runtime, "EntityNotFound", "node \(id) no longer exists")
        }
        let labels = try GraphReads.nodeLabels(db, id: id)
        let data = NodeData(labels: labels, properties: try GraphAccess.properties(props))
        try pin(labels: labels, properties: data.properties)
        nodes[id] = data
        return data
    }

    func relationship(_ id: Int64) throws -> RelationshipData {
        if let hit = relationships[id] { return hit }
        guard let row = try GraphReads.edge(db, id: id) else {
            throw QueryError(.runtime, "EntityNotFound", "relationship \(id) no longer exists")
        }
        let data = RelationshipData(type: row.type, start: row.source, end: row.target, properties: try GraphAccess.properties(row.properties))
        try pin(labels: [data.type], properties: data.properties)
        relationships[id] = data
        return data
    }

    /// The node's stable external key (`scotus:384US436`).
    func key(ofNode id: Int64) throws -> String {
        guard let key = try GraphReads.nodeKey(db, id: id) else {
            throw QueryError(.runtime, "EntityNotFound", "node \(id) no longer exists")
        }
        return key
    }

    /// The full-text index's syntax error for `terms`, or nil when it accepts them.
    func fullTextSyntaxError(_ terms: String) throws -> String? {
        try GraphReads.fullTextSyntaxError(db, terms: terms)
    }

    static func properties(_ json: String?) throws -> [String: CypherValue] {
        guard let json, case .map(let m) = try Value.parseJSON(json) else { return [:] }
        return m.mapValues(CypherValue.init)
    }
}
