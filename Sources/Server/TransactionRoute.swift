import Dispatch
import Foundation
import Hummingbird
import LexgraphCore
import Query

/// `POST /db/{name}/tx/commit`: Neo4j's one-shot transaction endpoint over the query
/// engine. Statements run in order; the first that fails stops the rest and is reported
/// in `errors` with Neo4j's status code (HTTP 200, as Neo4j answers).
///
/// Before anything runs, every statement is parsed and the writing ones (CREATE) are
/// checked: a role below curator, or a server started read-only, gets
/// `Neo.ClientError.Security.Forbidden`. Each statement is its own transaction here, so a
/// write must come alone: a batch with a write in it could otherwise be half-applied.
/// Reads go through the read-only connections, writes through the one writer (on a
/// PostgreSQL graph both go to the server, which refuses CREATE for now).
struct TransactionRoute {
    let server: LexgraphServer

    func handle(_ request: Request, context: ServerContext) async throws -> Response {
        let started = Date()
        let name = context.parameters.get("name") ?? ""
        guard name == server.config.databaseName else {
            return JSONResponse.make(.notFound, Neo4jResults.body(results: [], errors: [
                Neo4jResults.error("Neo.ClientError.Database.DatabaseNotFound",
                                   "no database '\(name)' here: this server serves '\(server.config.databaseName)' (database.name)"),
            ]))
        }
        let bytes = try await JSONBody.bytes(of: request, limit: server.config.maxBodyBytes)
        let statements: [Statement]
        do {
            statements = try Statement.list(from: try Value.parseJSON(bytes: bytes))
        } catch let error as JSONError {
            return invalid("the body is not valid JSON: \(error.message)" + (error.location.map { " at byte \($0.column ?? 0)" } ?? ""))
        } catch let error as Statement.Problem {
            return invalid(error.message)
        }
        guard let principal = context.principal else { throw APIError.unauthorized(APITokens.Refusal.missing.message) }

        // Parse all and check the writes before running any.
        var writes: [Bool] = []
        for (i, statement) in statements.enumerated() {
            do {
                writes.append(try server.readEngine.writes(statement.text))
            } catch let error as QueryError {
                return answer([], [Neo4jResults.error(error, statement: i)])
            }
        }
        if let i = writes.firstIndex(of: true) {
            if server.writeEngine == nil {
                return answer([], [Neo4jResults.error("Neo.ClientError.Security.Forbidden",
                                                      "statements[\(i)] writes (CREATE), but this server runs read-only (database.read_only)")])
            }
            if !principal.role.mayWrite {
                return answer([], [Neo4jResults.error("Neo.ClientError.Security.Forbidden",
                                                      "statements[\(i)] writes (CREATE), which needs the role curator or higher; API token \(principal.tokenID) (\(principal.name)) has the role \(principal.role.rawValue)")])
            }
            if statements.count > 1 {
                return answer([], [Neo4jResults.error("Neo.ClientError.Request.Invalid",
                                                      "statements[\(i)] writes (CREATE): send a writing statement alone; each statement runs as its own transaction here, so a batch with a write could be half-applied")])
            }
        }

        var results: [Value] = []
        for (i, statement) in statements.enumerated() {
            // Queries stop before the request's time limit, so the answer can still say
            // which statement ran too long before the request itself is cut off (503).
            // The room left is 10% of the limit but at least half a second (at most half
            // the limit): on a loaded machine a tenth of a short limit is not enough to
            // notice the deadline and answer.
            let limit = server.config.requestTimeLimit
            let room = min(max(limit * 0.1, 0.5), limit * 0.5)
            let remaining = limit - room - Date().timeIntervalSince(started)
            var options = QueryOptions(write: writes[i], timeLimit: max(remaining, 0.001))
            options.limits = QueryLimits(maxQueryLength: server.config.maxBodyBytes)
            let engine = writes[i] ? server.writeEngine! : server.readEngine
            let queryStarted = DispatchTime.now().uptimeNanoseconds
            do {
                let result = try await TransactionRoute.run(engine, statement, options)
                server.metrics.queryFinished(writes: writes[i], ok: true, nanoseconds: DispatchTime.now().uptimeNanoseconds - queryStarted)
                results.append(Neo4jResults.result(result))
            } catch let error as QueryError {
                server.metrics.queryFinished(writes: writes[i], ok: false, nanoseconds: DispatchTime.now().uptimeNanoseconds - queryStarted)
                if error.kind == .cancelled, Task.isCancelled { throw CancellationError() }
                return answer(results, [Neo4jResults.error(error, statement: i)])
            }
        }
        return answer(results, [])
    }

    func answer(_ results: [Value], _ errors: [Value]) -> Response {
        JSONResponse.make(.ok, Neo4jResults.body(results: results, errors: errors))
    }

    func invalid(_ message: String) -> Response {
        JSONResponse.make(.badRequest, Neo4jResults.body(results: [], errors: [Neo4jResults.error("Neo.ClientError.Request.InvalidFormat", message)]))
    }

    /// Runs the query on a dispatch thread (it blocks while SQLite works; the async
    /// pool's few threads must stay free for other requests) and stops it when the
    /// request's task is cancelled (time limit, client gone).
    static func run(_ engine: any StatementEngine, _ statement: Statement, _ options: QueryOptions) async throws -> QueryResult {
        var options = options
        let cancellation = QueryCancellation()
        options.cancellation = cancellation
        let finalOptions = options
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global(qos: .userInitiated).async {
                    continuation.resume(with: Result { try engine.run(statement.text, parameters: statement.parameters, options: finalOptions) })
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    /// One entry of the request's `statements`.
    struct Statement: Sendable {
        var text: String
        var parameters: [String: CypherValue]

        struct Problem: Error { let message: String }

        static func list(from body: Value) throws -> [Statement] {
            guard case .map(let object) = body else {
                throw Problem(message: "the body must be a JSON object {\"statements\": [{\"statement\": \"...\", \"parameters\": {...}}]}, got \(body.jsonKind)")
            }
            guard let listValue = object["statements"] else { throw Problem(message: "the body has no 'statements' list") }
            guard case .list(let items) = listValue else { throw Problem(message: "'statements' must be a list, got \(listValue.jsonKind)") }
            return try items.enumerated().map { i, item in
                guard case .map(let entry) = item else { throw Problem(message: "statements[\(i)] must be an object, got \(item.jsonKind)") }
                guard let textValue = entry["statement"] else { throw Problem(message: "statements[\(i)] has no 'statement'") }
                guard case .string(let text) = textValue else { throw Problem(message: "statements[\(i)].statement must be a string, got \(textValue.jsonKind)") }
                var parameters: [String: CypherValue] = [:]
                if let p = entry["parameters"], !p.isNull {
                    guard case .map(let map) = p else { throw Problem(message: "statements[\(i)].parameters must be an object, got \(p.jsonKind)") }
                    parameters = map.mapValues(CypherValue.init)
                }
                return Statement(text: text, parameters: parameters)
            }
        }
    }
}
