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

    /// Where the graph is: a SQLite store's transaction, or a server (`RemoteGraph`).
    enum Source {
        case sqlite(Database)
        case remote(any RemoteGraph)
    }

    let source: Source
    let memory: MemoryBudget
    private var nodes: [Int64: NodeData] = [:]
    private var relationships: [Int64: RelationshipData] = [:]

    init(_ source: Source, memory: MemoryBudget) {
        self.source = source
        self.memory = memory
    }

    /// The SQLite transaction, for what only a SQLite store offers (a CREATE's reads,
    /// which run in a SQLite store: on a server, in its staging copy); on a server, an
    /// error naming `feature`.
    func sqlite(_ feature: String) throws -> Database {
        switch source {
        case .sqlite(let db): return db
        case .remote(let remote):
            throw QueryError(.runtime, "NotOnServer", "\(feature) is not available on \(remote.location); use a SQLite database for it")
        }
    }

    /// The server, if the graph is on one.
    var remote: (any RemoteGraph)? {
        if case .remote(let remote) = source { return remote }
        return nil
    }

    /// A cache entry: its slot, the labels and the properties.
    private func pin(labels: [String], properties: [String: CypherValue]) throws {
        var bytes = 64 + MemoryBudget.size(of: .map(properties), atMost: Int.max)
        for label in labels { bytes += MemoryLayout<String>.stride + MemoryBudget.stringBytes(utf8Count: label.utf8.count) }
        try memory.pin(bytes)
    }

    func node(_ id: Int64) throws -> NodeData {
        if let hit = nodes[id] { return hit }
        let props: String??, labels: [String]
        switch source {
        case .sqlite(let db):
            props = try GraphReads.nodeProperties(db, id: id)
            labels = props == nil ? [] : try GraphReads.nodeLabels(db, id: id)
        case .remote(let remote):
            let found = try remote.node(id: id)
            props = found.map(\.properties)
            labels = found?.labels ?? []
        }
        guard let props else {
            throw QueryError(.runtime, "EntityNotFound", "node \(id) no longer exists")
        }
        let data = NodeData(labels: labels, properties: try GraphAccess.properties(props))
        try pin(labels: labels, properties: data.properties)
        nodes[id] = data
        return data
    }

    func relationship(_ id: Int64) throws -> RelationshipData {
        if let hit = relationships[id] { return hit }
        let found: (type: String, source: Int64, target: Int64, properties: String?)?
        switch source {
        case .sqlite(let db): found = try GraphReads.edge(db, id: id)
        case .remote(let remote): found = try remote.edge(id: id)
        }
        guard let row = found else {
            throw QueryError(.runtime, "EntityNotFound", "relationship \(id) no longer exists")
        }
        let data = RelationshipData(type: row.type, start: row.source, end: row.target, properties: try GraphAccess.properties(row.properties))
        try pin(labels: [data.type], properties: data.properties)
        relationships[id] = data
        return data
    }

    /// The node's stable external key (`scotus:384US436`).
    func key(ofNode id: Int64) throws -> String {
        let found: String?
        switch source {
        case .sqlite(let db): found = try GraphReads.nodeKey(db, id: id)
        case .remote(let remote): found = try remote.nodeKey(id: id)
        }
        guard let key = found else {
            throw QueryError(.runtime, "EntityNotFound", "node \(id) no longer exists")
        }
        return key
    }

    /// The full-text index's syntax error for `terms`, or nil when it accepts them.
    func fullTextSyntaxError(_ terms: String) throws -> String? {
        switch source {
        case .sqlite(let db): return try GraphReads.fullTextSyntaxError(db, terms: terms)
        case .remote(let remote): return try remote.fullTextSyntaxError(terms)
        }
    }

    /// The node's full-text relevance for `terms` (BM25, higher is better), nil when it
    /// does not match.
    func fullTextScore(terms: String, nodeID: Int64) throws -> Double? {
        switch source {
        case .sqlite(let db): return try GraphReads.fullTextScore(db, terms: terms, nodeID: nodeID)
        case .remote(let remote): return try remote.fullTextScore(terms: terms, nodeID: nodeID)
        }
    }

    /// How many edges have one of `types`, counting no further than `limit`.
    func edgeCount(types: [String], upTo limit: Int) throws -> Int {
        switch source {
        case .sqlite(let db): return try GraphReads.edgeCount(db, types: types, upTo: limit)
        case .remote(let remote): return try remote.edgeCount(types: types, upTo: limit)
        }
    }

    /// The largest edge id (0 without edges).
    func maxEdgeID() throws -> Int {
        switch source {
        case .sqlite(let db): return try GraphReads.maxEdgeID(db)
        case .remote(let remote): return try remote.maxEdgeID()
        }
    }

    /// The engine's plan of a compiled statement.
    func queryPlan(_ sql: String, arguments: [DatabaseValue]) throws -> [String] {
        switch source {
        case .sqlite(let db): return try GraphReads.queryPlan(db, sql: sql, arguments: arguments)
        case .remote(let remote): return try remote.queryPlan(sql, arguments: arguments)
        }
    }

    static func properties(_ json: String?) throws -> [String: CypherValue] {
        guard let json, case .map(let m) = try Value.parseJSON(json) else { return [:] }
        return m.mapValues(CypherValue.init)
    }
}
