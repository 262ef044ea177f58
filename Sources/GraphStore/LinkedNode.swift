import GRDB
import LexgraphCore

/// The node at the other end of an edge, with the edge's properties.
public struct LinkedNode: Sendable, Equatable {
    public var node: StoredNode
    public var edgeProperties: [String: Value]

    public init(node: StoredNode, edgeProperties: [String: Value] = [:]) {
        self.node = node; self.edgeProperties = edgeProperties
    }
}

extension GraphStore {
    /// The targets of the edges of `type` leaving the node `key` (whatever their dates),
    /// ordered by target key; none when no node has that key.
    public func edges(ofType type: String, from key: String) throws -> [LinkedNode] {
        try linked(by: type, at: key, near: "src", far: "dst")
    }

    /// The sources of the edges of `type` reaching the node `key` (whatever their dates),
    /// ordered by source key; none when no node has that key.
    public func edges(ofType type: String, to key: String) throws -> [LinkedNode] {
        try linked(by: type, at: key, near: "dst", far: "src")
    }

    private func linked(by type: String, at key: String, near: String, far: String) throws -> [LinkedNode] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT n.key AS key, n.type AS type, n.props AS props, e.props AS edge_props
                FROM edge e JOIN node here ON here.id = e.\(near) JOIN node n ON n.id = e.\(far)
                WHERE e.type = ? AND here.key = ? ORDER BY n.key, e.id
                """, arguments: [type, key]).map { row in
                let other: String = row["key"]
                return LinkedNode(node: StoredNode(key: other, type: row["type"], properties: try StoredNode.properties(row["props"], of: "node \(other)")),
                                  edgeProperties: try StoredNode.properties(row["edge_props"], of: "the \(type) edge between \(key) and \(other)"))
            }
        }
    }
}
