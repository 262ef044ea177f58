import Foundation
import GRDB

/// The graph's tables row by row, exactly as stored: what copies a graph between this
/// SQLite store and another backend (the PostgreSQL store writes these rows with COPY,
/// and reads them back into a staging store before a load; see PostgresStore).
///
/// Only the graph and its history travel: nodes, labels, edges, the full-text documents,
/// the ontology versions, the load log and the store's settings. The service's own
/// tables (API tokens, the model registry, the audit log) stay with their SQLite file.
public enum GraphCopy {
    public enum Table: String, CaseIterable, Sendable {
        case storeMeta = "store_meta"
        case ontologyVersion = "ontology_version"
        case loadLog = "load_log"
        case node
        case nodeLabel = "node_label"
        case edge
        /// The text each node is found by (FTS5's `node_fts(rowid, text)` here).
        case nodeText = "node_fts"

        /// The columns copied, in order (the same names on every backend, but the full
        /// text's: `rowid, text` here, `node_id, body` on PostgreSQL).
        public var columns: [String] {
            switch self {
            case .storeMeta: return ["key", "value"]
            case .ontologyVersion: return ["version", "name", "applied_at", "source", "checksum", "summary", "document"]
            case .loadLog: return ["id", "started_at", "finished_at", "user", "source", "recipe", "nodes_inserted", "nodes_updated",
                                   "nodes_unchanged", "edges_inserted", "edges_updated", "edges_unchanged", "status", "message"]
            case .node: return ["id", "key", "type", "props", "valid_from", "valid_to"]
            case .nodeLabel: return ["label", "node_id"]
            case .edge: return ["id", "key", "type", "src", "dst", "props", "valid_from", "valid_to"]
            case .nodeText: return ["rowid", "text"]
            }
        }

        /// Tables in an order that satisfies their references (nodes before labels and
        /// edges), for loading.
        public static var loadOrder: [Table] { allCases }
    }

    /// Calls `body` with every row of `table` (values in `table.columns` order), in
    /// primary-key order.
    public static func forEachRow(_ db: Database, _ table: Table, _ body: ([DatabaseValue]) throws -> Void) throws {
        let columns = table.columns.map { $0 == "user" ? "\"user\"" : $0 }.joined(separator: ", ")
        let order = table == .nodeText ? "rowid" : table == .storeMeta ? "key" : table == .nodeLabel ? "node_id, label" : table.columns[0]
        let cursor = try Row.fetchCursor(db, sql: "SELECT \(columns) FROM \(table.rawValue) ORDER BY \(order)")
        let count = table.columns.count
        var values: [DatabaseValue] = []
        values.reserveCapacity(count)
        while let row = try cursor.next() {
            values.removeAll(keepingCapacity: true)
            for i in 0..<count { values.append(row[i] as DatabaseValue) }
            try body(values)
        }
    }

    /// Replaces every copied table of `store` by `tables` (rows in `columns` order), in one
    /// transaction: the staging copy a load runs on.
    public static func replace(_ store: GraphStore, with tables: [(Table, [[DatabaseValue]])]) throws {
        try store.requireWritable()
        try store.database.write { db in
            try clear(db)
            for (table, rows) in tables { try insert(db, table, rows: rows) }
        }
    }

    /// Adds `tables`' rows to `store`, keeping what it holds, in one transaction: the
    /// stored rows a delta load touches, fetched into its staging copy.
    public static func add(_ store: GraphStore, _ tables: [(Table, [[DatabaseValue]])]) throws {
        try store.requireWritable()
        try store.database.write { db in
            for (table, rows) in tables { try insert(db, table, rows: rows) }
        }
    }

    /// Empties the graph tables of a store that is about to receive a copy (in the
    /// caller's transaction).
    static func clear(_ db: Database) throws {
        for table in Table.loadOrder.reversed() { try db.execute(sql: "DELETE FROM \(table.rawValue)") }
    }

    /// Inserts rows of `table` as they were copied (no validation: they come from a
    /// store that validated them), in the caller's transaction.
    static func insert(_ db: Database, _ table: Table, rows: [[DatabaseValue]]) throws {
        let columns = table.columns.map { $0 == "user" ? "\"user\"" : $0 }
        let statement = try db.cachedStatement(sql: "INSERT INTO \(table.rawValue)(\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))")
        for row in rows { try statement.execute(arguments: StatementArguments(row.map { $0 as (any DatabaseValueConvertible)? })) }
    }
}

/// What a load changed in a store, table by table, against a snapshot of the store taken
/// before it (`snapshot(_:to:)`): the rows a PostgreSQL load copies instead of the whole
/// graph. Exact by construction: every column of every row is compared, so an insert,
/// an update (a closed validity, a changed property) and a removal (an ontology
/// migration's) are all found, whichever code path made them.
extension GraphCopy {
    /// The primary key of `table`, as `columns` names it.
    public static func keyColumns(_ table: Table) -> [String] {
        switch table {
        case .storeMeta: return ["key"]
        case .ontologyVersion: return ["version"]
        case .nodeLabel: return ["label", "node_id"]
        case .nodeText: return ["rowid"]
        case .loadLog, .node, .edge: return ["id"]
        }
    }

    /// Writes a copy of `store`'s file as it is now to `path` (the WAL is checkpointed
    /// into the file first; `VACUUM INTO` when a reader holds it back).
    public static func snapshot(_ store: GraphStore, to path: String) throws {
        try store.database.writeWithoutTransaction { db in
            let busy = try Int.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") ?? 1
            if busy == 0, let file = store.path {
                try FileManager.default.copyItem(atPath: file, toPath: path)
            } else {
                try db.execute(sql: "VACUUM INTO ?", arguments: [path])
            }
        }
    }

    /// Calls `changed` with every row of `table` (values in `columns` order) that is new
    /// or differs from the snapshot at `baseline`, and `removed` with the key (in
    /// `keyColumns` order) of every snapshot row that is gone. Returns how many rows the
    /// snapshot held.
    @discardableResult
    public static func changes(_ db: Database, _ table: Table, baseline: String,
                               changed: ([DatabaseValue]) throws -> Void, removed: ([DatabaseValue]) throws -> Void) throws -> Int {
        func select(_ columns: [String], from schema: String) -> String {
            "SELECT \(columns.map { $0 == "user" ? "\"user\"" : $0 }.joined(separator: ", ")) FROM \(schema).\(table.rawValue)"
        }
        func each(_ columns: [String], in from: String, notIn minus: String, _ body: ([DatabaseValue]) throws -> Void) throws {
            let cursor = try Row.fetchCursor(db, sql: "\(select(columns, from: from)) EXCEPT \(select(columns, from: minus))")
            var values: [DatabaseValue] = []
            while let row = try cursor.next() {
                values.removeAll(keepingCapacity: true)
                for i in 0..<columns.count { values.append(row[i] as DatabaseValue) }
                try body(values)
            }
        }
        let before = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(baseline).\(table.rawValue)") ?? 0
        if before == 0 {
            // Everything is new: no set difference to compute (a first load's whole graph).
            try forEachRow(db, table, changed)
            return 0
        }
        try each(table.columns, in: "main", notIn: baseline, changed)
        try each(keyColumns(table), in: baseline, notIn: "main", removed)
        return before
    }

    /// Runs `body` with the snapshot at `path` attached to `store`'s connection as `name`.
    public static func withBaseline<T>(_ store: GraphStore, at path: String, as name: String, _ body: (Database) throws -> T) throws -> T {
        try store.database.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS \(name)", arguments: [path])
            defer { try? db.execute(sql: "DETACH DATABASE \(name)") }
            return try body(db)
        }
    }
}
