import GRDB
import LexgraphCore

/// A node with its properties and, per edge type and direction, its first neighbours
/// and how many there are in all: what `lexgraph show` prints.
public struct Neighbourhood: Sendable {
    public struct Group: Sendable {
        public var direction: String   // "out" or "in"
        public var type: String
        public var total: Int
        public var neighbours: [(key: String, type: String, name: String?)]
    }
    public var key: String
    public var type: String
    public var properties: [String: Value]
    public var validFrom: String?
    public var validTo: String?
    public var groups: [Group]

    public var text: String {
        var lines = ["\(key)  (\(type))" + (validFrom.map { "  valid from \($0)" } ?? "") + (validTo.map { " to \($0)" } ?? "")]
        for name in properties.keys.sorted() {
            var v = properties[name].flatMap { SourceRecordText.text($0) } ?? "null"
            if v.count > 200 { v = String(v.prefix(200)) + "…" }
            lines.append("  \(name): \(v.replacingOccurrences(of: "\n", with: " "))")
        }
        for g in groups {
            lines.append("\(g.direction == "out" ? "-[\(g.type)]->" : "<-[\(g.type)]-") \(g.total)")
            for n in g.neighbours { lines.append("    \(n.key)  (\(n.type))" + (n.name.map { "  \($0)" } ?? "")) }
            if g.total > g.neighbours.count { lines.append("    … \(g.total - g.neighbours.count) more") }
        }
        return lines.joined(separator: "\n")
    }

    public var json: String {
        let groupsValue: [Value] = groups.map { g in
            .map(["direction": .string(g.direction), "type": .string(g.type), "total": .int(Int64(g.total)),
                  "neighbours": .list(g.neighbours.map { .map(["key": .string($0.key), "type": .string($0.type), "name": $0.name.map(Value.string) ?? .null]) })])
        }
        return Value.map(["key": .string(key), "type": .string(type), "properties": .map(properties),
                          "valid_from": validFrom.map(Value.string) ?? .null, "valid_to": validTo.map(Value.string) ?? .null,
                          "edges": .list(groupsValue)]).jsonText
    }
}

enum SourceRecordText {
    static func text(_ v: Value) -> String? { SourceRecord.text(of: v) }
}

extension GraphStore {
    /// The node with `key` and up to `limit` neighbours per edge type and direction.
    public func neighbourhood(of key: String, limit: Int = 10) throws -> Neighbourhood? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, type, props, valid_from, valid_to FROM node WHERE key = ?", arguments: [key]) else { return nil }
            let id: Int64 = row["id"]
            var props: [String: Value] = [:]
            if case .map(let m) = try Value.parseJSON(row["props"] as String) { props = m }
            var groups: [Neighbourhood.Group] = []
            for (direction, mine, other) in [("out", "src", "dst"), ("in", "dst", "src")] {
                let totals = try Row.fetchAll(db, sql: "SELECT type, count(*) AS n FROM edge WHERE \(mine) = ? GROUP BY type ORDER BY type", arguments: [id])
                for t in totals {
                    let type: String = t["type"]
                    let rows = try Row.fetchAll(db, sql: """
                        SELECT n.key, n.type, json_extract(n.props, '$.name') AS name FROM edge e JOIN node n ON n.id = e.\(other)
                        WHERE e.\(mine) = ? AND e.type = ? ORDER BY n.key LIMIT ?
                        """, arguments: [id, type, limit])
                    groups.append(.init(direction: direction, type: type, total: t["n"],
                                        neighbours: rows.map { (key: $0["key"], type: $0["type"], name: $0["name"]) }))
                }
            }
            return Neighbourhood(key: key, type: row["type"], properties: props, validFrom: row["valid_from"], validTo: row["valid_to"], groups: groups)
        }
    }
}
