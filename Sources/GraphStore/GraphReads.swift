import GRDB

/// The statements other modules need over the graph tables, besides the compiled
/// MATCH (see `SQLDialect` for the plan): the query evaluator's element reads, the
/// snapshot loads of GraphAlgorithms and Grounding's property and edge scans. Each runs
/// in a read (or write) the caller holds. Statements run per query row use GRDB's
/// statement cache.
public enum GraphReads {
    // MARK: Elements (query evaluation)

    /// A node's properties as stored (JSON text); nil when no node has this id.
    public static func nodeProperties(_ db: Database, id: Int64) throws -> String?? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT props FROM node WHERE id = ?"), arguments: [id]) else { return nil }
        return .some(row["props"])
    }

    /// A node's labels (permissive mode's `node_label` rows), sorted.
    public static func nodeLabels(_ db: Database, id: Int64) throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT label FROM node_label WHERE node_id = ? ORDER BY label"), arguments: [id])
    }

    /// A relationship's type, ends and properties (JSON text); nil when none has this id.
    public static func edge(_ db: Database, id: Int64) throws -> (type: String, source: Int64, target: Int64, properties: String?)? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT type, src, dst, props FROM edge WHERE id = ?"), arguments: [id]) else {
            return nil
        }
        return (row["type"], row["src"], row["dst"], row["props"])
    }

    /// A node's external key.
    public static func nodeKey(_ db: Database, id: Int64) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT key FROM node WHERE id = ?"), arguments: [id])
    }

    /// A node's store id.
    public static func nodeID(_ db: Database, key: String) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM node WHERE key = ?"), arguments: [key])
    }

    /// The full-text index's syntax error for `terms` (`"unbalanced`, `AND AND`), or nil
    /// when it accepts them. Asked of the index itself, so the rules are FTS5's own.
    public static func fullTextSyntaxError(_ db: Database, terms: String) throws -> String? {
        do {
            _ = try Row.fetchOne(db.cachedStatement(sql: "SELECT rowid FROM node_fts WHERE node_fts MATCH ? LIMIT 1"), arguments: [terms])
            return nil
        } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR {
            return error.message ?? "\(error)"
        }
    }

    /// The node's full-text relevance for `terms` (BM25, negated so that higher is
    /// better), or nil when it does not match. Bad terms throw the index's error.
    public static func fullTextScore(_ db: Database, terms: String, nodeID: Int64) throws -> Double? {
        try Double.fetchOne(db.cachedStatement(sql: "SELECT -bm25(node_fts) FROM node_fts WHERE node_fts MATCH ? AND rowid = ?"),
                            arguments: [terms, nodeID])
    }

    /// How many edges have one of `types`, counting no further than `limit`.
    public static func edgeCount(_ db: Database, types: [String], upTo limit: Int) throws -> Int {
        let placeholders = types.map { _ in "?" }.joined(separator: ", ")
        var values: [(any DatabaseValueConvertible)?] = types.map { $0 }
        values.append(limit)
        return try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM (SELECT 1 FROM edge WHERE type IN (\(placeholders)) LIMIT ?)"),
                                arguments: StatementArguments(values)) ?? 0
    }

    /// The largest edge id (0 without edges): an upper bound of the edge count that
    /// costs one index probe.
    public static func maxEdgeID(_ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM edge")) ?? 0
    }

    /// What changes whenever the active ontology or the store's mode does: the newest
    /// ontology version, its checksum and the mode ("" without an ontology).
    /// Read again only after a commit (`StoreStamps`).
    public static func ontologyStamp(_ db: Database) throws -> String {
        try StoreStamps.shared.stamps(db).ontology
    }

    /// The engine's plan of `sql` (SQLite's EXPLAIN QUERY PLAN detail lines).
    public static func queryPlan(_ db: Database, sql: String, arguments: [DatabaseValue]) throws -> [String] {
        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(arguments.map { $0 as (any DatabaseValueConvertible)? }))
            .map { $0["detail"] as String? ?? "" }
    }

    // MARK: Snapshots (GraphAlgorithms)

    /// A node row for a walkable snapshot.
    public struct SnapshotNodeRow {
        public var id: Int64
        public var key: String
        public var type: String
        public var validFrom: String?
        public var validTo: String?

        public init(id: Int64, key: String, type: String, validFrom: String?, validTo: String?) {
            (self.id, self.key, self.type, self.validFrom, self.validTo) = (id, key, type, validFrom, validTo)
        }
    }

    /// An edge row for a walkable snapshot, with its `treatment` property when that is a string.
    public struct SnapshotEdgeRow {
        public var id: Int64
        public var type: String
        public var source: Int64
        public var target: Int64
        public var validFrom: String?
        public var validTo: String?
        public var treatment: String?

        public init(id: Int64, type: String, source: Int64, target: Int64, validFrom: String?, validTo: String?, treatment: String?) {
            (self.id, self.type, self.source, self.target) = (id, type, source, target)
            (self.validFrom, self.validTo, self.treatment) = (validFrom, validTo, treatment)
        }
    }

    /// Which edges a snapshot load reads.
    public enum EdgeSelection {
        case all
        /// Edges into `targets` of one of `types`, and (`treated`) those of another type
        /// whose `treatment` property is the given string.
        case into([Int64], types: [String], treated: (type: String, treatment: String)?)
        /// Edges out of `sources` of one of `types`.
        case outOf([Int64], types: [String])
    }

    /// Ids per statement of a chunked `IN (...)` (SQLite binds at most 32,766 values).
    static let idChunk = 500

    /// Every node (`ids` nil) or the nodes with these ids, in no promised order.
    public static func forEachSnapshotNode(_ db: Database, ids: [Int64]?, _ body: (SnapshotNodeRow) throws -> Void) throws {
        func run(_ condition: String, _ arguments: StatementArguments) throws {
            let rows = try Row.fetchCursor(db, sql: "SELECT id, key, type, valid_from, valid_to FROM node WHERE \(condition)", arguments: arguments)
            while let row = try rows.next() {
                try body(SnapshotNodeRow(id: row[0], key: row[1], type: row[2], validFrom: row[3], validTo: row[4]))
            }
        }
        guard let ids else { return try run("1", []) }
        for chunk in chunks(ids) { try run("id IN (\(placeholders(chunk.count)))", StatementArguments(chunk)) }
    }

    /// The selected edges, in no promised order.
    public static func forEachSnapshotEdge(_ db: Database, _ selection: EdgeSelection, _ body: (SnapshotEdgeRow) throws -> Void) throws {
        func run(_ condition: String, _ arguments: StatementArguments) throws {
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, type, src, dst, valid_from, valid_to, json_extract(props, '$.treatment') FROM edge WHERE \(condition)
                """, arguments: arguments)
            while let row = try rows.next() {
                let treatment: DatabaseValue = row[6]
                try body(SnapshotEdgeRow(id: row[0], type: row[1], source: row[2], target: row[3], validFrom: row[4], validTo: row[5],
                                         treatment: String.fromDatabaseValue(treatment)))
            }
        }
        switch selection {
        case .all:
            try run("1", [])
        case .into(let targets, let types, let treated):
            // One target: the (dst, type) index; several: chunks of an IN list.
            var typeTest = "type IN (\(placeholders(types.count)))"
            var typeArguments: [(any DatabaseValueConvertible)?] = types.map { $0 }
            if let treated {
                typeTest = "(\(typeTest) OR (type = ? AND json_extract(props, '$.treatment') = ?))"
                typeArguments += [treated.type, treated.treatment]
            }
            for chunk in chunks(targets) {
                try run("\(typeTest) AND dst IN (\(placeholders(chunk.count)))", StatementArguments(typeArguments + chunk.map { $0 as (any DatabaseValueConvertible)? }))
            }
        case .outOf(let sources, let types):
            for chunk in chunks(sources) {
                try run("type IN (\(placeholders(types.count))) AND src IN (\(placeholders(chunk.count)))",
                        StatementArguments(types.map { $0 as (any DatabaseValueConvertible)? } + chunk.map { $0 as (any DatabaseValueConvertible)? }))
            }
        }
    }

    // MARK: Grounding

    /// The node `key`'s id and its properties `fields` (top-level keys; null where
    /// absent), as stored; nil when no node has the key.
    public static func nodeFields(_ db: Database, key: String, fields: [String]) throws -> (id: Int64, values: [DatabaseValue])? {
        let columns = fields.map { _ in ", json_extract(props, ?)" }.joined()
        let values: [(any DatabaseValueConvertible)?] = fields.map { IdentifierIndexes.jsonPath($0) } + [key]
        guard let row = try Row.fetchOne(db, sql: "SELECT id\(columns) FROM node WHERE key = ?", arguments: StatementArguments(values)) else {
            return nil
        }
        return (row[0], (0..<fields.count).map { row[$0 + 1] })
    }

    /// The keys of the nodes that edges of `types` out of node `id` lead to, in edge order.
    public static func targetKeys(_ db: Database, from id: Int64, types: [String]) throws -> [String] {
        var values: [(any DatabaseValueConvertible)?] = [id]
        values += types.map { $0 as (any DatabaseValueConvertible)? }
        return try String.fetchAll(db, sql: """
            SELECT d.key FROM edge e JOIN node d ON d.id = e.dst
            WHERE e.src = ? AND e.type IN (\(placeholders(types.count))) ORDER BY e.id
            """, arguments: StatementArguments(values))
    }

    /// Every node's key, properties `fields` (as `nodeFields`) and `valid_to`.
    public static func forEachNodeFields(_ db: Database, fields: [String],
                                         _ body: (_ key: String, _ values: [DatabaseValue], _ validTo: String?) throws -> Void) throws {
        let columns = fields.map { _ in "json_extract(props, ?), " }.joined()
        let rows = try Row.fetchCursor(db, sql: "SELECT key, \(columns)valid_to FROM node",
                                       arguments: StatementArguments(fields.map { IdentifierIndexes.jsonPath($0) }))
        while let row = try rows.next() {
            try body(row[0], (0..<fields.count).map { row[$0 + 1] }, row[fields.count + 1])
        }
    }

    /// An edge with its ends' keys and its target's type.
    public struct KeyedEdge {
        public var type: String
        public var sourceKey: String
        public var targetKey: String
        public var validFrom: String?
        public var targetType: String
    }

    /// The edges of `types` out of nodes of type `sourceType`, in edge order.
    public static func forEachEdge(_ db: Database, fromNodesOfType sourceType: String, types: [String],
                                   _ body: (KeyedEdge) throws -> Void) throws {
        var values: [(any DatabaseValueConvertible)?] = [sourceType]
        values += types.map { $0 as (any DatabaseValueConvertible)? }
        let rows = try Row.fetchCursor(db, sql: """
            SELECT e.type, s.key, d.key, e.valid_from, d.type FROM edge e
            JOIN node s ON s.id = e.src JOIN node d ON d.id = e.dst
            WHERE s.type = ? AND e.type IN (\(placeholders(types.count)))
            ORDER BY e.id
            """, arguments: StatementArguments(values))
        while let row = try rows.next() {
            try body(KeyedEdge(type: row[0], sourceKey: row[1], targetKey: row[2], validFrom: row[3], targetType: row[4]))
        }
    }

    // MARK: Helpers

    static func placeholders(_ n: Int) -> String {
        Array(repeating: "?", count: n).joined(separator: ",")
    }

    static func chunks(_ ids: [Int64]) -> [ArraySlice<Int64>] {
        stride(from: 0, to: ids.count, by: idChunk).map { ids[$0..<Swift.min($0 + idChunk, ids.count)] }
    }
}
