import ArgumentParser
import Foundation
import Sealing
import Server

/// `lexgraph serve`: the graph as an HTTP service until SIGTERM or Ctrl-C.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the graph over HTTP: Neo4j-style transactions, health checks, Prometheus metrics.",
        discussion: """
            Settings come from --config (YAML or JSON: database.path, database.service_path, database.name, database.read_only, \
            http.bind, http.idle_timeout_seconds, limits.max_body_size, limits.request_time_limit_seconds, \
            limits.max_concurrent_requests, log.format, log.level), then environment variables (LEXGRAPH_DB, \
            LEXGRAPH_SERVICE_DB, LEXGRAPH_DB_NAME, LEXGRAPH_READ_ONLY, LEXGRAPH_BIND, LEXGRAPH_IDLE_TIMEOUT, LEXGRAPH_MAX_BODY_SIZE, \
            LEXGRAPH_REQUEST_TIME_LIMIT, LEXGRAPH_MAX_CONCURRENT_REQUESTS, LEXGRAPH_LOG_FORMAT, LEXGRAPH_LOG_LEVEL), \
            then --db and --service-db. \
            With --db postgres://user@host:port/db the graph is read from PostgreSQL (any number of servers may \
            serve one database) and --service-db names the SQLite file of the API tokens, model registry and \
            request audit trail. Binds 127.0.0.1:7474 unless told otherwise. Every route but /v2/health/* needs an API \
            token (`lexgraph token create`); each request's token, route and status go to the audit trail             (not in read-only mode). SIGTERM or SIGINT stops it gracefully: requests in progress finish.
            """)

    @Option(help: "Configuration file (YAML or JSON); environment variables override it.")
    var config: String?

    @Option(help: "Graph database file, or postgres://user@host:port/db (overrides database.path and $LEXGRAPH_DB).")
    var db: String?

    @Option(name: .customLong("service-db"), help: "With a postgres:// graph: the SQLite file of the API tokens, model registry and audit trail (overrides database.service_path and $LEXGRAPH_SERVICE_DB).")
    var serviceDB: String?

    func run() throws {
        // A log pipe whose reader went away must not kill the server at its next line:
        // writes then fail with EPIPE, which the log handlers drop.
        signal(SIGPIPE, SIG_IGN)
        var settings = try ServerConfig.load(file: config)
        if let db { settings.databasePath = db }
        if let serviceDB { settings.servicePath = serviceDB }
        // Sealed models open with the artifact key, else the database key: the config's
        // key file counts as the database key when no variable names one.
        if let keyFile = settings.databaseKeyFile, try ArtifactKey.environment() == nil {
            SealedFiles.use(try ArtifactKey.file(keyFile))
        }
        let logger = LexgraphServer.logger(for: settings)
        let server = try LexgraphServer(config: settings, logger: logger)
        let path = server.graphLocation
        let group = server.serviceGroup { host, port in
            Console.note("lexgraph serve: listening on \(ServerConfig.url(host: host, port: port)) (database \(path))")
        }
        // The CLI is synchronous (see `Lexgraph`): the service runs on the async pool
        // while this thread waits, without spinning, for it to stop.
        let finished = DispatchSemaphore(value: 0)
        let failure = LockedBox<Error?>(nil)
        Task {
            do { try await group.run() } catch { failure.value = error }
            finished.signal()
        }
        finished.wait()
        if let error = failure.value { throw error }
        Console.note("lexgraph serve: stopped")
    }
}

/// A value two threads hand over under a lock.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
