import Foundation
import GRDB
import GraphStore
import LexgraphCore
import Logging
import NIOCore
import PostgresNIO

/// Moving a whole graph between a SQLite store and the server: COPY in (a load's last
/// step, one transaction) and a staging copy out (a load's first step).
extension PostgresGraphStore {
    /// What a copy moved.
    public struct CopyCounts: Sendable, Equatable {
        /// Rows written (new or changed) per table.
        public var nodes = 0, edges = 0, labels = 0
        /// Rows removed, over all tables (an incremental copy's), and audit entries added.
        public var removed = 0, auditEntries = 0
        /// Rows a delta load's staging copy fetched from the server (`deltaLoad`; 0 for a
        /// whole copy).
        public var staged = 0
        /// The graph's generation after the copy (see `generation()`).
        public var generation = 0
    }

    /// Locks `store_meta` for the rest of the transaction, so no other load commits
    /// meanwhile, and returns the graph's generation; with `expecting` (the generation the
    /// load's staging copy was taken at), a different one means another load committed
    /// since, and nothing is written.
    static func lockGeneration(_ connection: PostgresConnection, expecting: Int?, location: PostgresLocation, logger: Logger) async throws -> Int {
        try await connection.query("LOCK TABLE store_meta IN EXCLUSIVE MODE", logger: logger)
        var current = 0
        for try await (value) in try await connection.query("SELECT value FROM store_meta WHERE key = 'lexgraph_generation'", logger: logger)
            .decode(String.self) { current = Int(value) ?? 0 }
        if let expecting, expecting != current {
            throw GraphStoreError(message: "the graph on \(location) changed while this write ran (generation \(expecting) became \(current): another load or write committed); nothing was written: run it again")
        }
        return current
    }

    /// The server's column names for a copied table (the full text is `node_id, body`
    /// here), as COPY takes them (it quotes each).
    static func serverColumns(_ table: GraphCopy.Table) -> [String] {
        table == .nodeText ? ["node_id", "body"] : table.columns
    }

    /// Keys of `store_meta` that belong to this server's copy, never to a staging store.
    static let serverMetaKeys = ["lexgraph_schema", "lexgraph_generation"]

    /// How many times the graph on the server has been replaced: a load remembers it
    /// from its staging copy and refuses to commit when it has moved meanwhile.
    public func generation() throws -> Int {
        try values("SELECT value FROM store_meta WHERE key = 'lexgraph_generation'").first
            .flatMap { String.fromDatabaseValue($0) }.flatMap { Int($0) } ?? 0
    }

    /// Copies the graph on the server into `store` (a fresh staging SQLite store),
    /// replacing what it held, with the server's last audit entry (what the load's own
    /// entries chain to); returns the generation it copied and that entry's number.
    /// With `tables`, only those are copied (a delta load's small tables: the ontology,
    /// the load log and the settings; it fetches the graph rows it touches later).
    @discardableResult
    public func stage(into store: GraphStore, tables copied: [GraphCopy.Table] = GraphCopy.Table.loadOrder) throws -> StagedFrom {
        let generation = try self.generation()
        let lastAudit = try auditRows("ORDER BY seq DESC LIMIT 1").first
        var tables: [(GraphCopy.Table, [[DatabaseValue]])] = []
        for table in copied {
            // `user` is a keyword; `props` is read as its JSON text.
            let filter = table == .storeMeta ? " WHERE key NOT IN ('lexgraph_schema', 'lexgraph_generation')" : ""
            let order = table == .nodeLabel ? "node_id, label COLLATE \"C\"" : table == .storeMeta ? "key COLLATE \"C\"" : PostgresGraphStore.serverColumns(table)[0]
            tables.append((table, try stagedRows(table, "\(filter) ORDER BY \(order)")))
        }
        try GraphCopy.replace(store, with: tables)
        if let lastAudit { try store.writeTransaction { try AuditLogTable.insert(lastAudit, in: $0) } }
        return StagedFrom(generation: generation, lastAuditEntry: lastAudit?.seq ?? 0)
    }

    /// The rows of `table` that `condition` (a WHERE and ORDER BY clause over its server
    /// columns, `$n` for `arguments`) selects, in `GraphCopy`'s column order and form.
    func stagedRows(_ table: GraphCopy.Table, _ condition: String, _ arguments: [DatabaseValue] = []) throws -> [[DatabaseValue]] {
        let columns = PostgresGraphStore.serverColumns(table).map { $0 == "props" ? "props::text" : $0 == "user" ? "\"user\"" : $0 }
        var found = try rows("SELECT \(columns.joined(separator: ", ")) FROM \(table.rawValue)\(condition)", arguments: arguments)
        // jsonb keeps the value, not the text: write it back as the writer wrote it,
        // so that a re-load compares equal and reports "unchanged".
        if let props = table.columns.firstIndex(of: "props") {
            for i in found.indices {
                guard let text = String.fromDatabaseValue(found[i][props]) else { continue }
                let value = try Value.parseJSON(text)
                if case .map(let m) = value, m.isEmpty { found[i][props] = "{}".databaseValue } else { found[i][props] = value.jsonText.databaseValue }
            }
        }
        return found
    }

    /// Replaces the graph on the server by `store`'s in ONE transaction: the tables are
    /// locked, emptied and filled with COPY, then analysed. Any failure (a row the server
    /// refuses, a dropped connection) rolls it all back: the server keeps the graph it had.
    /// With `expecting`, the graph's generation must still be that one (the staging copy's),
    /// or nothing is written: another load committed in between.
    @discardableResult
    public func replaceGraph(with store: GraphStore, expecting: Int? = nil) throws -> CopyCounts {
        // The rows in COPY's text format, per table, in chunks of about 1 MiB.
        var payload: [(table: GraphCopy.Table, chunks: [ByteBuffer], rows: Int)] = []
        try store.read { db in
            for table in GraphCopy.Table.loadOrder {
                var chunks: [ByteBuffer] = []
                var buffer = ByteBuffer()
                var count = 0
                try GraphCopy.forEachRow(db, table) { values in
                    if table == .storeMeta, let key = String.fromDatabaseValue(values[0]), PostgresGraphStore.serverMetaKeys.contains(key) { return }
                    PostgresValues.copyLine(values, into: &buffer)
                    count += 1
                    if buffer.readableBytes >= 1 << 20 {
                        chunks.append(buffer)
                        buffer = ByteBuffer()
                    }
                }
                if buffer.readableBytes > 0 { chunks.append(buffer) }
                payload.append((table, chunks, count))
            }
        }
        // The audit trail is not replaced: it only grows.
        let tables = GraphCopy.Table.loadOrder.reversed().map(\.rawValue).joined(separator: ", ")
        let prepared = payload
        let location = postgres
        return try run { client, logger in
            try await client.withTransaction(logger: logger) { connection -> CopyCounts in
                let current = try await PostgresGraphStore.lockGeneration(connection, expecting: expecting, location: location, logger: logger)
                try await connection.query(PostgresQuery(unsafeSQL: "TRUNCATE \(tables)"), logger: logger)
                var counts = CopyCounts()
                for (table, chunks, rows) in prepared {
                    try await connection.copyFrom(table: table.rawValue, columns: PostgresGraphStore.serverColumns(table), logger: logger) { writer in
                        for chunk in chunks { try await writer.write(chunk) }
                    }
                    switch table {
                    case .node: counts.nodes = rows
                    case .edge: counts.edges = rows
                    case .nodeLabel: counts.labels = rows
                    default: break
                    }
                }
                counts.generation = current + 1
                try await connection.query("""
                    INSERT INTO store_meta(key, value) VALUES ('lexgraph_schema', \(String(PostgresSchema.version))),
                        ('lexgraph_generation', \(String(counts.generation)))
                    """, logger: logger)
                try await connection.query("ANALYZE node, node_label, edge, node_fts", logger: logger)
                return counts
            }
        }
    }
}
