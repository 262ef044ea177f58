import Foundation
import GRDB
import GraphStore
import Logging
import NIOCore
import PostgresNIO

/// A load's changes, and only those, written to the server in ONE transaction.
///
/// The load ran on a staging SQLite copy of the server's graph; a snapshot of that copy
/// was taken before it (`GraphCopy.snapshot`). What differs between the two, row by
/// row (`GraphCopy.changes`), is what the load inserted, updated, closed or removed;
/// the entries it appended to the staging audit trail are those after the server's last
/// one. Both go to the server in one transaction: removals first (children before
/// parents), then the new and changed rows per table in load order, through a temporary
/// table and `INSERT ... ON CONFLICT DO UPDATE` (a table the server held empty takes a
/// plain COPY), then the audit entries and the new generation. Any failure, a row the
/// server refuses half-way or a dropped connection, rolls all of it back.
extension PostgresGraphStore {
    /// What the staging copy started from: the graph's generation and the number of the
    /// server's last audit entry (0: none).
    public struct StagedFrom: Sendable, Equatable {
        public var generation: Int
        public var lastAuditEntry: Int64
    }

    /// One table's changes, ready for COPY.
    struct TableChanges {
        var table: GraphCopy.Table
        var changed = CopyChunks()
        var removed = CopyChunks()
        var baselineRows = 0
        /// Rows may be on the server that the staging copy did not hold (a delta load's):
        /// never a plain COPY.
        var serverMayHoldRows = false
    }

    /// Rows in COPY's text format, in chunks of about 1 MiB.
    struct CopyChunks {
        var chunks: [ByteBuffer] = []
        var rows = 0
        private var buffer = ByteBuffer()

        mutating func append(_ values: [DatabaseValue]) {
            PostgresValues.copyLine(values, into: &buffer)
            rows += 1
            if buffer.readableBytes >= 1 << 20 { flush() }
        }

        mutating func flush() {
            if buffer.readableBytes > 0 { chunks.append(buffer) }
            buffer = ByteBuffer()
        }
    }

    /// Writes to the server what `store` (the staging copy) changed since the snapshot at
    /// `baseline`, in one transaction; nothing when the graph's generation is no longer
    /// `staged.generation` (another load committed meanwhile). `partial`: the staging
    /// copy held only the rows the load touched (`deltaLoad`), so how big a table is (for
    /// ANALYZE) is the server's estimate, and a table is never taken for empty.
    public func applyChanges(of store: GraphStore, since baseline: String, staged: StagedFrom, partial: Bool = false) throws -> CopyCounts {
        var tables: [TableChanges] = []
        var audit = CopyChunks()
        try GraphCopy.withBaseline(store, at: baseline, as: "lexgraph_base") { db in
            for table in GraphCopy.Table.loadOrder {
                var changes = TableChanges(table: table)
                let serverKey = { (values: [DatabaseValue]) -> Bool in
                    table == .storeMeta && PostgresGraphStore.serverMetaKeys.contains(String.fromDatabaseValue(values[0]) ?? "")
                }
                var changed = CopyChunks(), removed = CopyChunks()
                changes.baselineRows = try GraphCopy.changes(db, table, baseline: "lexgraph_base",
                    changed: { if !serverKey($0) { changed.append($0) } },
                    removed: { if !serverKey($0) { removed.append($0) } })
                changes.changed = changed
                changes.removed = removed
                changes.changed.flush()
                changes.removed.flush()
                tables.append(changes)
            }
            for row in try AuditLogTable.after(staged.lastAuditEntry, in: db) {
                audit.append([row.seq.databaseValue, row.at.databaseValue, row.principal.databaseValue, row.action.databaseValue,
                              row.subject.databaseValue, row.outcome.databaseValue, row.prevHash.databaseValue, row.hash.databaseValue])
            }
            audit.flush()
        }
        let preparedTables = tables, entries = audit
        let location = postgres
        return try run { client, logger in
            try await client.withTransaction(logger: logger) { connection -> CopyCounts in
                let current = try await PostgresGraphStore.lockGeneration(connection, expecting: staged.generation, location: location, logger: logger)
                var counts = CopyCounts()
                var prepared = preparedTables
                if partial {
                    let sizes = try await PostgresGraphStore.estimatedRows(prepared.map(\.table.rawValue), on: connection, logger: logger)
                    for i in prepared.indices {
                        prepared[i].baselineRows = sizes[prepared[i].table.rawValue] ?? 0
                        prepared[i].serverMayHoldRows = true
                    }
                }
                for changes in prepared.reversed() where changes.removed.rows > 0 {
                    counts.removed += changes.removed.rows
                    try await PostgresGraphStore.remove(changes, on: connection, logger: logger)
                }
                for changes in prepared where changes.changed.rows > 0 {
                    try await PostgresGraphStore.write(changes, on: connection, logger: logger)
                    switch changes.table {
                    case .node: counts.nodes = changes.changed.rows
                    case .edge: counts.edges = changes.changed.rows
                    case .nodeLabel: counts.labels = changes.changed.rows
                    default: break
                    }
                }
                if entries.rows > 0 {
                    try await connection.copyFrom(table: "audit_log", columns: ["seq", "at", "principal", "action", "subject", "outcome", "prev_hash", "hash"],
                                                  logger: logger) { writer in
                        for chunk in entries.chunks { try await writer.write(chunk) }
                    }
                }
                counts.auditEntries = entries.rows
                counts.generation = current + 1
                try await connection.query("""
                    INSERT INTO store_meta(key, value) VALUES ('lexgraph_generation', \(String(counts.generation)))
                    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                    """, logger: logger)
                // Statistics for the planner when a table changed by a tenth or more (a
                // first load always); autovacuum keeps them after smaller loads.
                let stale = prepared.filter { $0.changed.rows + $0.removed.rows > 0 && ($0.changed.rows + $0.removed.rows) * 10 >= $0.baselineRows }
                    .map(\.table.rawValue)
                if !stale.isEmpty {
                    try await connection.query(PostgresQuery(unsafeSQL: "ANALYZE " + stale.joined(separator: ", ")), logger: logger)
                }
                return counts
            }
        }
    }

    /// Deletes the rows whose keys `changes.removed` holds (a node's labels, edges and
    /// text go with it: the references cascade).
    static func remove(_ changes: TableChanges, on connection: PostgresConnection, logger: Logger) async throws {
        let table = changes.table.rawValue, keys = serverKeyColumns(changes.table)
        let scratch = "lexgraph_gone_\(table)"
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE TEMP TABLE \(scratch) ON COMMIT DROP AS SELECT \(keys.joined(separator: ", ")) FROM \(table) WITH NO DATA"), logger: logger)
        try await connection.copyFrom(table: scratch, columns: keys, logger: logger) { writer in
            for chunk in changes.removed.chunks { try await writer.write(chunk) }
        }
        let match = keys.map { "t.\($0) = g.\($0)" }.joined(separator: " AND ")
        try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table) t USING \(scratch) g WHERE \(match)"), logger: logger)
    }

    /// Inserts or updates the rows of `changes.changed`: a plain COPY into a table the
    /// staging copy found empty, else COPY into a temporary table and an upsert by key.
    static func write(_ changes: TableChanges, on connection: PostgresConnection, logger: Logger) async throws {
        let table = changes.table.rawValue, columns = serverColumns(changes.table)
        let quoted = columns.map { $0 == "user" ? "\"user\"" : $0 }
        if changes.baselineRows == 0 && !changes.serverMayHoldRows {
            try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                for chunk in changes.changed.chunks { try await writer.write(chunk) }
            }
            return
        }
        let scratch = "lexgraph_new_\(table)"
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE TEMP TABLE \(scratch) ON COMMIT DROP AS SELECT \(quoted.joined(separator: ", ")) FROM \(table) WITH NO DATA"), logger: logger)
        try await connection.copyFrom(table: scratch, columns: columns, logger: logger) { writer in
            for chunk in changes.changed.chunks { try await writer.write(chunk) }
        }
        let keys = serverKeyColumns(changes.table)
        let others = zip(columns, quoted).filter { !keys.contains($0.0) }.map { $0.1 }
        let onConflict = others.isEmpty ? "DO NOTHING" : "DO UPDATE SET " + others.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(table) (\(quoted.joined(separator: ", "))) SELECT \(quoted.joined(separator: ", ")) FROM \(scratch)
            ON CONFLICT (\(keys.joined(separator: ", "))) \(onConflict)
            """), logger: logger)
    }

    /// The planner's row estimate of each of `tables` (0 for a table never analysed).
    static func estimatedRows(_ tables: [String], on connection: PostgresConnection, logger: Logger) async throws -> [String: Int] {
        var out: [String: Int] = [:]
        let list = tables.map { "'\($0)'" }.joined(separator: ", ")
        for try await (name, rows) in try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT relname::text, greatest(reltuples, 0)::bigint FROM pg_class
            WHERE relname IN (\(list)) AND relnamespace = current_schema()::text::regnamespace
            """), logger: logger).decode((String, Int64).self) { out[name] = Int(rows) }
        return out
    }

    /// `GraphCopy.keyColumns` with the server's name for the full text's key.
    static func serverKeyColumns(_ table: GraphCopy.Table) -> [String] {
        table == .nodeText ? ["node_id"] : GraphCopy.keyColumns(table)
    }
}
