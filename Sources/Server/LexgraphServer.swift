import Foundation
import LexgraphCore
import GraphStore
import Hummingbird
import NIOCore
import Logging
import Query
import ServiceLifecycle
import UnixSignals

/// `lexgraph serve`: the graph as an HTTP service (Hummingbird 2).
///
/// Routes (every one but the health checks needs an API token, `AuthMiddleware`):
/// - `GET /v2/health/live`, `GET /v2/health/ready`: KServe / Open Inference Protocol v2
///   health (`{"live": true}`, `{"ready": true}`; not ready is a 503).
/// - `POST /db/{name}/tx/commit` (reader; writes need curator): Neo4j's transaction
///   endpoint (`TransactionRoute`).
/// - `GET /metrics` (reader): Prometheus text (`ServerMetrics`).
/// - `GET /v1/tokens` (admin): the API tokens, without secrets.
/// - `GET /v2/models/{name}[/versions/{v}]`, `.../ready` (reader) and `POST .../infer`
///   (analyst): KServe / Open Inference Protocol v2 over the model registry (`ModelRoutes`):
///   texts for sequence classifiers, pending cases for case-outcome runs.
/// - `POST /v1/models/{name}[/versions/{v}]/explain` (analyst): a case-outcome run's
///   predictions with their reasons and graph paths (`ExplanationRoute`).
/// - `POST /v1/review` (analyst): a contract review with registered models (`ReviewRoute`).
/// - `GET /v1/curation/next`, `POST /v1/curation/answers` (curator): the label queue of the
///   active-learning session in `curation.state` (`CurationRoutes`).
/// - `POST /v1/ontology/validate|diff|apply` (curator): `lexgraph ontology validate|diff|apply`
///   on a file sent as the body (`OntologyRoutes`).
///
/// The database is opened twice: read-only connections for every read (many at once)
/// and one writer for CREATE and the requests' audit entries (`RequestAuditLog`), unless
/// the configuration says read-only. With a graph on PostgreSQL (`ServedGraph`), queries
/// and ontology updates go to the server and the tokens, model registry and audit entries
/// to the SQLite file `database.service_path`. Shutdown on SIGTERM or SIGINT is graceful: the
/// listener closes, requests in progress finish, and their audit entries are written.
public final class LexgraphServer: Sendable {
    /// The version `lexgraph_build_info` reports.
    public static let version = "0.1.0"

    public let config: ServerConfig
    /// The service's SQLite file, read-only: the graph's own file, or with a graph on
    /// PostgreSQL the `database.service_path` file (tokens, model registry).
    let readStore: GraphStore
    /// The graph the queries and ontology routes use (`ServedGraph`).
    let graph: ServedGraph
    var readEngine: any StatementEngine { graph.readEngine }
    /// Where the served graph is (a file path, or `postgres://user@host:port/db`).
    public var graphLocation: String { graph.location }
    var writeEngine: (any StatementEngine)? { graph.writeEngine }
    let tokens: APITokens
    let metrics: ServerMetrics
    let models: ModelCache
    let logger: Logger
    /// The requests' audit trail writer; nil when the service is read-only (it then
    /// writes nothing, the audit trail included, and says so at start).
    let audit: RequestAuditLog?
    /// The active-learning session of `curation.state` (nil: none configured).
    let curation: CurationRoutes?

    /// Opens the database (the writer first: opening it brings an older schema up to
    /// date, which the read-only connections then expect).
    public init(config: ServerConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        let key: DatabaseKeySetting = try config.databaseKeyFile.map { .key(try DatabaseKey.file($0)) } ?? .environment
        let graph = try ServedGraph.open(config, key: key)
        self.graph = graph
        let writeStore = graph.fileWriter
        readStore = graph.fileReader
        tokens = APITokens(store: readStore)
        metrics = ServerMetrics(store: readStore)
        models = ModelCache(loader: ModelCache.loader(store: readStore, graphOnServer: graph.postgres?.location))
        audit = writeStore.map { RequestAuditLog(store: $0, logger: logger) }
        curation = try config.curationState.map { try CurationRoutes(directory: $0, maxBodyBytes: config.maxBodyBytes) }
        if audit == nil {
            logger.warning("read-only: requests are not recorded in the audit trail (audit_log needs a writable database)")
        }
        if !LexgraphServer.isLoopback(config.host) {
            logger.warning("listening beyond loopback without TLS: API tokens cross the network in clear text; put a TLS-terminating proxy in front",
                           metadata: ["bind": .string(ServerConfig.url(host: config.host, port: config.port))])
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// A logger writing `config`'s format at its level to standard error.
    public static func logger(for config: ServerConfig, label: String = "lexgraph.serve") -> Logger {
        var logger = Logger(label: label) { label in
            config.logFormat == .json ? JSONLogHandler(label: label) as any LogHandler : StreamLogHandler.standardError(label: label)
        }
        logger.logLevel = config.logLevel
        return logger
    }

    func router() -> Router<ServerContext> {
        let router = Router(context: ServerContext.self)
        // Middlewares apply to the routes added after them.
        router.middlewares.add(ObservationMiddleware(metrics: metrics, audit: audit))
        router.middlewares.add(AdmissionMiddleware(gate: ConcurrencyGate(limit: config.maxConcurrentRequests), timeLimit: config.requestTimeLimit))

        router.get("/v2/health/live") { _, _ in JSONResponse.make(.ok, .map(["live": .bool(true)])) }
        router.get("/v2/health/ready") { [graph] _, _ in
            do {
                // Off the event loop: a PostgreSQL graph answers over the network.
                try await ModelRoutes.offThread { try graph.checkReady() }
                return JSONResponse.make(.ok, .map(["ready": .bool(true)]))
            } catch {
                return JSONResponse.make(.serviceUnavailable, .map(["ready": .bool(false), "error": .string(String(describing: error))]))
            }
        }
        let transaction = TransactionRoute(server: self)
        router.group().add(middleware: AuthMiddleware(tokens: tokens, minimum: .reader))
            .post("/db/{name}/tx/commit") { request, context in try await transaction.handle(request, context: context) }
        router.group().add(middleware: AuthMiddleware(tokens: tokens, minimum: .reader))
            .get("/metrics") { [metrics] _, _ in
                Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                         body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
            }
        router.group().add(middleware: AuthMiddleware(tokens: tokens, minimum: .admin))
            .get("/v1/tokens") { [tokens] _, _ in
                let list = try tokens.list().map { t -> LexgraphCore.Value in
                    .map(["id": .string(t.id), "name": .string(t.name), "role": .string(t.role), "created_at": .string(t.createdAt),
                          "expires_at": t.expiresAt.map(LexgraphCore.Value.string) ?? .null,
                          "revoked_at": t.revokedAt.map(LexgraphCore.Value.string) ?? .null])
                }
                return JSONResponse.make(.ok, .map(["tokens": .list(list)]))
            }
        // Metadata and readiness name models and labels, which any caller may read;
        // inference spends CPU on the caller's texts, which is the analyst's work.
        let modelRoutes = ModelRoutes(registry: ModelRegistry(store: readStore), cache: models, metrics: metrics, maxBodyBytes: config.maxBodyBytes)
        for prefix in ["/v2/models/{name}", "/v2/models/{name}/versions/{version}"] {
            router.group().add(middleware: AuthMiddleware(tokens: tokens, minimum: .reader))
                .get(RouterPath(prefix)) { request, context in await modelRoutes.metadata(request, context: context) }
                .get(RouterPath(prefix + "/ready")) { request, context in await modelRoutes.ready(request, context: context) }
            router.group().add(middleware: AuthMiddleware(tokens: tokens, minimum: .analyst))
                .post(RouterPath(prefix + "/infer")) { request, context in await modelRoutes.infer(request, context: context) }
        }
        // Explanations and reviews spend CPU on the caller's cases and contracts, as inference does.
        let explanations = ExplanationRoute(models: modelRoutes)
        let outcomes = OutcomeRoute(models: modelRoutes, server: self)
        for prefix in ["/v1/models/{name}", "/v1/models/{name}/versions/{version}"] {
            router.group().add(middleware: AuthMiddleware(tokens: tokens, minimum: .analyst))
                .post(RouterPath(prefix + "/explain")) { request, context in try await explanations.handle(request, context: context) }
            // Arrived outcomes write to the registry's database: the curator's work.
            router.group().add(middleware: AuthMiddleware(tokens: tokens, minimum: .curator))
                .post(RouterPath(prefix + "/outcomes")) { request, context in try await outcomes.handle(request, context: context) }
        }
        let review = ReviewRoute(models: modelRoutes, registry: modelRoutes.registry, graphOnServer: graph.postgres?.location)
        router.group().add(middleware: AuthMiddleware(tokens: tokens, minimum: .analyst))
            .post("/v1/review") { request, context in try await review.handle(request, context: context) }
        // Labels change what the models learn: the curator's work.
        let curation = self.curation
        let noSession = APIError(.notFound, "NotFound", "this server serves no curation session (curation.state in the configuration names a `lexgraph label` state folder)")
        router.group().add(middleware: AuthMiddleware(tokens: tokens, minimum: .curator))
            .get("/v1/curation/next") { request, context in
                guard let curation else { throw noSession }
                return try await curation.next(request, context: context)
            }
            .post("/v1/curation/answers") { request, context in
                guard let curation else { throw noSession }
                return try await curation.answers(request, context: context)
            }
        // Ontology updates change what every write is checked against: the curator's work.
        let ontology = OntologyRoutes(server: self)
        router.group().add(middleware: AuthMiddleware(tokens: tokens, minimum: .curator))
            .post("/v1/ontology/validate") { request, context in try await ontology.validate(request, context: context) }
            .post("/v1/ontology/diff") { request, context in try await ontology.diff(request, context: context) }
            .post("/v1/ontology/apply") { request, context in try await ontology.apply(request, context: context) }
        return router
    }

    /// The server as a service group: run it, and it serves until one of `signals`
    /// arrives or `triggerGracefulShutdown()` is called. `onRunning` gets the bound
    /// host and port (the real one when the configuration asked for port 0).
    public func serviceGroup(signals: [UnixSignal] = [.sigterm, .sigint],
                             onRunning: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }) -> ServiceGroup {
        let host = config.host
        let application = Application(
            router: router(),
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(config.idleTimeout * 1000)))),
            configuration: .init(address: .hostname(host, port: config.port), serverName: "lexgraph"),
            onServerRunning: { channel in await onRunning(host, channel.localAddress?.port ?? 0) },
            logger: logger)
        // Shut down in reverse order: the server finishes its requests, then the audit
        // writer appends what they queued.
        let services: [any Service] = (audit.map { [$0] } ?? []) + [application]
        return ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: signals, logger: logger))
    }
}
