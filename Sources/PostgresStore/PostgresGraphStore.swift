import Foundation
import GRDB
import GraphStore
import LexgraphCore
import Logging
import NIOCore
import NIOPosix
import Ontology
import PostgresNIO

/// A Lexgraph graph on a PostgreSQL 15 server, through a pool of postgres-nio connections
/// (`PostgresClient`).
///
/// What it holds is what a SQLite store holds of the graph (`GraphCopy.Table`), in the
/// schema of `PostgresSchema`, and it answers the query engine's reads (`RemoteGraph`:
/// the compiled MATCH statements in `PostgreSQLDialect`, the element reads).
///
/// Writes go through the one validating code path: a load or build runs on a staging
/// SQLite copy (the same ontology checks, migrations, refusals and load log as a SQLite
/// store), and `replaceGraph(with:expecting:)` then writes the result here in ONE
/// transaction with COPY: a row the server refuses mid-copy rolls everything back, and
/// a concurrent load (the graph's generation changed since the staging copy was taken)
/// is refused. A `build` (or an ontology update) stages the whole graph; a `load` only
/// the rows its keys touch (`deltaLoad`).
public final class PostgresGraphStore: RemoteGraph, @unchecked Sendable {
    public let postgres: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    let reader: ReadConnections
    let fullText = FullTextCache()
    private let running: Task<Void, Never>

    public var dialect: any SQLDialect { PostgreSQLDialect() }
    public var location: String { postgres.description }

    /// Connects (a direct connection first, so an unreachable server or bad credentials
    /// fail at once with a clear message), checks the schema and starts the pool. With
    /// `create`, an empty database gets the schema (one transaction); without it, a
    /// database with no Lexgraph graph is an error that says how to build one.
    public init(_ location: PostgresLocation, create: Bool = false, maximumConnections: Int = 8) throws {
        postgres = location
        var logger = Logger(label: "lexgraph.postgres")
        logger.logLevel = .critical
        self.logger = logger
        reader = ReadConnections(first: ReadConnection(try PostgresGraphStore.openChecked(location, create: create, logger: logger), location: location, logger: logger),
                                 limit: maximumConnections, location: location, logger: logger)
        var configuration = PostgresClient.Configuration(host: location.host, port: location.port, username: location.user,
                                                         password: location.password, database: location.database, tls: .disable)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(10)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        running = Task.detached { await client.run() }
    }

    deinit {
        reader.close()
        running.cancel()
    }

    /// Closes the read connection and stops the pool (its connections are closed).
    public func close() {
        reader.close()
        running.cancel()
    }

    /// Statements this store has sent for reads, each one round trip (a query's count is
    /// the difference before and after it).
    public var statementsSent: Int { reader.statementsSent }

    // MARK: Opening

    static func connectionConfiguration(_ location: PostgresLocation) -> PostgresConnection.Configuration {
        var c = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                 password: location.password, database: location.database, tls: .disable)
        c.options.connectTimeout = .seconds(10)
        return c
    }

    /// Connects and checks the database's state: no tables (installs the schema when
    /// `create`), our schema at our version (an older one is migrated), or a refusal
    /// naming what was found. The connection stays open for the store's reads.
    static func openChecked(_ location: PostgresLocation, create: Bool, logger: Logger) throws -> PostgresConnection {
        let configuration = connectionConfiguration(location)
        do {
            return try blocking {
                let connection = try await PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(),
                                                                      configuration: configuration, id: 1, logger: logger).get()
                do {
                    try await checkSchema(connection, location, create: create, logger: logger)
                    return connection
                } catch {
                    try? await connection.close()
                    throw error
                }
            }
        } catch {
            throw PostgresGraphStore.describe(error, location)
        }
    }

    static func checkSchema(_ connection: PostgresConnection, _ location: PostgresLocation, create: Bool, logger: Logger) async throws {
        var tables: [String] = []
        for try await (name) in try await connection.query(PostgresQuery(unsafeSQL: PostgresSchema.existingTablesSQL), logger: logger)
            .decode(String.self) { tables.append(name) }
        if tables.isEmpty {
            guard create else {
                throw GraphStoreError(message: "the PostgreSQL database \(location) holds no Lexgraph graph yet: run `lexgraph build GRAPH --db \(location)` (or `lexgraph load RECIPE --db \(location)`)")
            }
            try await connection.withTransaction(logger: logger) { c in
                for statement in PostgresSchema.statements { try await c.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
            }
            return
        }
        guard tables.contains("store_meta") else {
            throw GraphStoreError(message: "the PostgreSQL database \(location) is not a Lexgraph database (it has tables of its own: \(tables.prefix(8).joined(separator: ", "))\(tables.count > 8 ? ", ..." : "")); refusing to use it: name an empty database")
        }
        var version: String?
        for try await (value) in try await connection.query(PostgresQuery(unsafeSQL: PostgresSchema.schemaVersionSQL), logger: logger)
            .decode(String.self) { version = value }
        guard let version else {
            throw GraphStoreError(message: "the PostgreSQL database \(location) is not a Lexgraph database (its store_meta has no lexgraph_schema row); refusing to use it: name an empty database")
        }
        if let from = Int(version), let steps = PostgresSchema.migrations[from] {
            // An older graph of ours: brought to this version in one transaction.
            try await connection.withTransaction(logger: logger) { c in
                for statement in steps { try await c.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await c.query(PostgresQuery(unsafeSQL: "UPDATE store_meta SET value = '\(PostgresSchema.version)' WHERE key = 'lexgraph_schema'"), logger: logger)
            }
            return
        }
        guard version == String(PostgresSchema.version) else {
            throw GraphStoreError(message: "the PostgreSQL database \(location) holds a Lexgraph graph of schema version \(version); this lexgraph reads and writes version \(PostgresSchema.version): use the lexgraph that made it, or build the graph again into an empty database")
        }
    }

    // MARK: Running statements

    /// Runs async work on the pool from the store's synchronous API; every failure comes
    /// out as a `GraphStoreError` that names the server.
    func run<T>(_ body: @escaping @Sendable (PostgresClient, Logger) async throws -> T) throws -> T {
        let client = self.client, logger = self.logger
        do {
            return try blocking { try await body(client, logger) }
        } catch {
            throw PostgresGraphStore.describe(error, postgres)
        }
    }

    public func rows(_ sql: String, arguments: [DatabaseValue]) throws -> [[DatabaseValue]] {
        do {
            return try reader.rows(sql, arguments)
        } catch {
            throw PostgresGraphStore.describe(error, postgres)
        }
    }

    func values(_ sql: String, _ arguments: [DatabaseValue] = []) throws -> [DatabaseValue] {
        try rows(sql, arguments: arguments).map { $0.first ?? .null }
    }

    public func queryPlan(_ sql: String, arguments: [DatabaseValue]) throws -> [String] {
        try values("EXPLAIN " + sql, arguments).compactMap { String.fromDatabaseValue($0) }
    }

    // MARK: Element reads (as GraphReads answers them for SQLite)

    public func nodeProperties(id: Int64) throws -> String?? {
        guard let row = try rows("SELECT props::text FROM node WHERE id = $1", arguments: [id.databaseValue]).first else { return nil }
        return .some(String.fromDatabaseValue(row[0]))
    }

    public func nodeLabels(id: Int64) throws -> [String] {
        try values("SELECT label FROM node_label WHERE node_id = $1 ORDER BY label COLLATE \"C\"", [id.databaseValue])
            .compactMap { String.fromDatabaseValue($0) }
    }

    /// One statement where the default asks two: the labels come as a JSON array.
    public func node(id: Int64) throws -> (properties: String?, labels: [String])? {
        guard let row = try rows("""
            SELECT props::text, coalesce((SELECT json_agg(label ORDER BY label COLLATE "C") FROM node_label WHERE node_id = $1), '[]')::text
            FROM node WHERE id = $1
            """, arguments: [id.databaseValue]).first else { return nil }
        guard case .list(let items) = try Value.parseJSON(String.fromDatabaseValue(row[1]) ?? "[]") else { return (String.fromDatabaseValue(row[0]), []) }
        return (String.fromDatabaseValue(row[0]), items.compactMap { item -> String? in
            if case .string(let label) = item { return label }
            return nil
        })
    }

    public func edge(id: Int64) throws -> (type: String, source: Int64, target: Int64, properties: String?)? {
        guard let row = try rows("SELECT type, src, dst, props::text FROM edge WHERE id = $1", arguments: [id.databaseValue]).first,
              let type = String.fromDatabaseValue(row[0]), let source = Int64.fromDatabaseValue(row[1]), let target = Int64.fromDatabaseValue(row[2])
        else { return nil }
        return (type, source, target, String.fromDatabaseValue(row[3]))
    }

    public func nodeKey(id: Int64) throws -> String? {
        try values("SELECT key FROM node WHERE id = $1", [id.databaseValue]).first.flatMap { String.fromDatabaseValue($0) }
    }

    public func edgeCount(types: [String], upTo limit: Int) throws -> Int {
        // SQLite's `type IN ()` matches nothing; PostgreSQL has no empty list.
        if types.isEmpty { return 0 }
        let placeholders = types.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
        let arguments = types.map(\.databaseValue) + [limit.databaseValue]
        return try values("SELECT count(*) FROM (SELECT 1 FROM edge WHERE type IN (\(placeholders)) LIMIT $\(types.count + 1)) AS t", arguments)
            .first.flatMap { Int.fromDatabaseValue($0) } ?? 0
    }

    public func maxEdgeID() throws -> Int {
        try values("SELECT coalesce(max(id), 0) FROM edge").first.flatMap { Int.fromDatabaseValue($0) } ?? 0
    }

    /// `websearch_to_tsquery` accepts any text (unbalanced quotes and stray operators are
    /// read as words), so there is no syntax error to report.
    public func fullTextSyntaxError(_ terms: String) throws -> String? { nil }

    /// One round trip per query. Not folded into the query's
    /// own round trip: postgres-nio sends one statement per round trip (no pipelining), so
    /// that would mean wrapping every compiled statement (and SQL does not promise a
    /// wrapped ORDER BY's order); and not replaced by LISTEN/NOTIFY: a notification of a
    /// change committed just before a query reaches a busy connection only after that
    /// query's rows, so the query could be bound against the old ontology.
    public func ontologyStamp() throws -> String {
        try values("""
            SELECT version || ':' || checksum || ':' || coalesce((SELECT value FROM store_meta WHERE key = 'mode'), '')
            FROM ontology_version ORDER BY version DESC LIMIT 1
            """).first.flatMap { String.fromDatabaseValue($0) } ?? ""
    }

    public func activeOntology() throws -> Ontology {
        let found = try rows("""
            SELECT version, source, document, (SELECT value FROM store_meta WHERE key = 'mode')
            FROM ontology_version ORDER BY version DESC LIMIT 1
            """, arguments: [])
        guard let row = found.first else {
            throw GraphStoreError(message: "the graph on \(location) has no ontology yet: run `lexgraph build all --db \(location)`")
        }
        if String.fromDatabaseValue(row[3]) == "permissive" { return .permissive }
        let source = String.fromDatabaseValue(row[1]) ?? "", version = Int.fromDatabaseValue(row[0]) ?? 0
        return try Ontology(yaml: String.fromDatabaseValue(row[2]) ?? "", file: "\(source) (stored version \(version) on \(location))")
    }

    /// The audit trail's entries in chain order (`lexgraph audit verify` checks SQLite's).
    public func auditEntries() throws -> [AuditLogTable.Row] { try auditRows("ORDER BY seq") }

    /// Audit entries in the order (and limit) `order` gives.
    func auditRows(_ order: String) throws -> [AuditLogTable.Row] {
        try rows("SELECT seq, at, principal, action, subject, outcome, prev_hash, hash FROM audit_log \(order)", arguments: []).map { r in
            AuditLogTable.Row(seq: Int64.fromDatabaseValue(r[0]) ?? 0, at: String.fromDatabaseValue(r[1]) ?? "", principal: String.fromDatabaseValue(r[2]) ?? "",
                              action: String.fromDatabaseValue(r[3]) ?? "", subject: String.fromDatabaseValue(r[4]) ?? "",
                              outcome: String.fromDatabaseValue(r[5]) ?? "", prevHash: String.fromDatabaseValue(r[6]) ?? "", hash: String.fromDatabaseValue(r[7]) ?? "")
        }
    }

    /// Per graph table, how many rows it holds (tests, `lexgraph stats`-like checks).
    public func rowCounts() throws -> [String: Int] {
        var out: [String: Int] = [:]
        for table in PostgresSchema.tables {
            out[table] = try values("SELECT count(*) FROM \(table)").first.flatMap { Int.fromDatabaseValue($0) } ?? 0
        }
        return out
    }
}
