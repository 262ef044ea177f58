import GRDB
import LexgraphCore

/// A node as the graph holds it: its key, type and properties.
public struct StoredNode: Sendable, Equatable {
    public var key: String
    public var type: String
    public var properties: [String: Value]

    public init(key: String, type: String, properties: [String: Value] = [:]) {
        self.key = key; self.type = type; self.properties = properties
    }

    /// A `props` column as a map; anything else is a damaged database, named by `owner`.
    static func properties(_ json: String, of owner: String) throws -> [String: Value] {
        guard case .map(let m)? = try? Value.parseJSON(json) else {
            throw GraphStoreError(message: "\(owner) has stored properties that are not a JSON object: \(json.prefix(80))")
        }
        return m
    }
}

extension GraphStore {
    /// Every node of `type` (whatever its dates), ordered by key: a small vocabulary at
    /// once, such as the contract types.
    public func nodes(ofType type: String) throws -> [StoredNode] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT key, props FROM node WHERE type = ? ORDER BY key", arguments: [type]).map { row in
                let key: String = row["key"]
                return StoredNode(key: key, type: type, properties: try StoredNode.properties(row["props"], of: "node \(key)"))
            }
        }
    }
}
