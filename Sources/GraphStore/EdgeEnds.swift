import GRDB

/// One edge's two nodes: their keys and `name` properties.
public struct EdgeEnds: Sendable, Equatable {
    public var from: String
    public var fromName: String?
    public var to: String
    public var toName: String?

    public init(from: String, fromName: String?, to: String, toName: String?) {
        self.from = from; self.fromName = fromName; self.to = to; self.toName = toName
    }
}

extension GraphStore {
    /// Every edge of `type` (whatever its dates), as its two nodes, ordered by source key
    /// then target key: a whole small relation at once, such as clause types' families.
    public func edges(ofType type: String) throws -> [EdgeEnds] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.key AS from_key, CAST(json_extract(s.props, '$.name') AS TEXT) AS from_name,
                       t.key AS to_key, CAST(json_extract(t.props, '$.name') AS TEXT) AS to_name
                FROM edge e JOIN node s ON s.id = e.src JOIN node t ON t.id = e.dst
                WHERE e.type = ? ORDER BY s.key, t.key
                """, arguments: [type]).map {
                EdgeEnds(from: $0["from_key"], fromName: $0["from_name"], to: $0["to_key"], toName: $0["to_name"])
            }
        }
    }
}
