import Foundation
import GraphStore
import PostgresStore
import Query

/// What runs a request's statements (`TransactionRoute`): the query engine over the
/// service's SQLite file, or the same compiled queries on a PostgreSQL server.
protocol StatementEngine: Sendable {
    func writes(_ text: String, limits: QueryLimits) throws -> Bool
    func run(_ text: String, parameters: [String: CypherValue], options: QueryOptions) throws -> QueryResult
}

extension StatementEngine {
    func writes(_ text: String) throws -> Bool { try writes(text, limits: QueryLimits()) }
}

extension QueryEngine: StatementEngine {}
extension RemoteQueryEngine: StatementEngine {}

/// Where the served graph is. In its SQLite file (`database.path`), with the service's
/// own tables (API tokens, model registry, request audit trail) beside it; or on a
/// PostgreSQL server (`database.path` a `postgres://` URL), the service's own tables then
/// in the SQLite file `database.service_path`. Any number of services (replicas) may
/// serve one PostgreSQL graph: every query checks the graph's ontology stamp, so a write
/// through one is seen by the next query of every other, and writes go to the server the
/// URL names (the primary).
struct ServedGraph: Sendable {
    let readEngine: any StatementEngine
    /// Nil when the service is read-only.
    let writeEngine: (any StatementEngine)?
    /// The graph on PostgreSQL, nil for a SQLite graph.
    let postgres: PostgresGraphStore?
    /// The service's SQLite file, writable (nil when read-only): the graph's writer too
    /// when the graph is in it. Opened before `fileReader`: opening it brings an older
    /// schema up to date, which the read-only connections then expect.
    let fileWriter: GraphStore?
    /// The service's SQLite file, read-only (the graph's reader too when the graph is in it).
    let fileReader: GraphStore

    /// Opens the graph of `config`: PostgreSQL first, so that a server that is down, a
    /// refused login or a database of another schema version stop the start at once.
    static func open(_ config: ServerConfig, key: DatabaseKeySetting) throws -> ServedGraph {
        var postgres: PostgresGraphStore?
        var servicePath = config.databasePath
        if PostgresLocation.isURL(config.databasePath) {
            let location = try PostgresLocation(url: config.databasePath)
            guard let path = config.servicePath else {
                throw ServerError("database.path names a graph on PostgreSQL (\(location)): name database.service_path too (--service-db, $LEXGRAPH_SERVICE_DB), the SQLite file that keeps this service's API tokens, model registry and request audit trail")
            }
            postgres = try PostgresGraphStore(location)
            servicePath = path
        }
        let writer = config.readOnly ? nil : try GraphStore(path: servicePath, mode: .readWrite, key: key)
        let reader = try GraphStore(path: servicePath, mode: .readOnly, key: key)
        if let postgres {
            let remote = RemoteQueryEngine(graph: postgres)
            return ServedGraph(readEngine: remote, writeEngine: config.readOnly ? nil : remote, postgres: postgres, fileWriter: writer, fileReader: reader)
        }
        return ServedGraph(readEngine: QueryEngine(store: reader), writeEngine: writer.map(QueryEngine.init(store:)), postgres: nil,
                           fileWriter: writer, fileReader: reader)
    }

    /// Where the graph is, for the start-up line and messages.
    var location: String { postgres?.location ?? fileReader.path ?? "(memory)" }

    /// Runs `body` on a store of the graph. SQLite: the read-only store, or the writer
    /// when `write`. PostgreSQL: a staging copy of the graph, whose changes (none when
    /// `dryRun` or not `write`) go to the server in one transaction, refused whole if the
    /// server refuses any row or another write came first.
    func withStore<T>(write: Bool, dryRun: Bool = false, _ body: (GraphStore) throws -> T) throws -> T {
        if let postgres {
            return try postgres.stagedWrite(dryRun: dryRun || !write) { path in
                try body(try GraphStore(path: path, mode: .readWrite, key: .noKey))
            }.result
        }
        if write {
            guard let fileWriter else { throw ServerError("this server runs read-only (database.read_only)") }
            return try body(fileWriter)
        }
        return try body(fileReader)
    }

    /// Whether the graph answers: the SQLite file opens, the PostgreSQL server answers.
    func checkReady() throws {
        _ = try fileReader.mode()
        if let postgres { _ = try postgres.ontologyStamp() }
    }
}
