import Compliance
import Foundation
import GraphStore
import Hummingbird
import LexgraphCore
import Prediction

/// `POST /v1/models/{name}[/versions/{v}]/outcomes` (curator: it writes): arrived outcomes
/// of cases a registered case-outcome version predicts, recorded as `lexgraph model
/// outcomes` records them (`ArrivedOutcomes`: the same checks, one transaction with its
/// `model.outcomes` audit entry, the token as principal). The version's probability is its
/// served predictor's, over the server's graph.
///
/// Body: `{"outcomes": [{pending-case fields, "label_first_party_winner": true}, ...]}`.
/// Answers `{"model_name", "model_version", "recorded": n}`; a bad case is a 400 naming
/// `outcomes[i]` and the case, with nothing recorded; 403 on a read-only server.
struct OutcomeRoute: Sendable {
    let models: ModelRoutes
    let server: LexgraphServer

    func handle(_ request: Request, context: ServerContext) async throws -> Response {
        do {
            return try await record(request, context: context)
        } catch let refusal as ModelRoutes.Refusal {
            throw APIError(refusal.status, APIError.code(refusal.status), refusal.message)
        }
    }

    func record(_ request: Request, context: ServerContext) async throws -> Response {
        guard let store = server.graph.fileWriter else {
            throw APIError(.forbidden, "Forbidden", "recording outcomes writes, but this server runs read-only (database.read_only)")
        }
        guard let principal = context.principal else { throw APIError.unauthorized(APITokens.Refusal.missing.message) }
        let version = try models.resolve(context)
        let bytes = try await JSONBody.bytes(of: request, limit: models.maxBodyBytes)
        func bad(_ message: String) -> APIError { APIError(.badRequest, "BadRequest", message) }
        let value: Value
        do { value = try Value.parseJSON(bytes: bytes) } catch let error as JSONError {
            throw bad("the body is not valid JSON: \(error.message)")
        }
        guard case .map(let object) = value, case .list(let items)? = object["outcomes"], object.count == 1 else {
            throw bad("the body must be {\"outcomes\": [{case fields, \"label_first_party_winner\": true|false}, ...]}")
        }
        let objects = try items.enumerated().map { i, item -> ([String: Value], SourceLocation) in
            guard case .map(let fields) = item else { throw bad("outcomes[\(i)] must be an object (a case with its outcome), got \(item.jsonKind)") }
            return (fields, SourceLocation(file: "outcomes[\(i)]"))
        }
        guard ModelRoutes.isCaseOutcome(version) else {
            throw bad("model \(version.name) version \(version.version) is a \(version.kind) run: outcomes are recorded for case-outcome runs (`lexgraph train`)")
        }
        guard let model = try await models.load(version) as? ServedCaseModel else {
            throw APIError(.internalServerError, "InternalServerError", "model \(version.name) version \(version.version) did not load as a case-outcome run")
        }
        let source = "POST \(request.uri.path)", who = "token \(principal.tokenID) (\(principal.name))"
        let recorded = try await ModelRoutes.offThread { () throws -> Int in
            do {
                return try ArrivedOutcomes.record(objects, for: version, predictor: model.predictor, store: store, source: source,
                                                  audit: AuditChain.hook(action: "model.outcomes", subject: "\(version.name) version \(version.version) POST",
                                                                         principal: who)).count
            } catch let error as PredictionError {
                throw APIError(.badRequest, "BadRequest", error.description)
            } catch let error as ServerError {
                throw APIError(.conflict, "Conflict", error.message)
            }
        }
        return JSONResponse.make(.ok, .map(["model_name": .string(version.name), "model_version": .string(String(version.version)),
                                            "recorded": .int(Int64(recorded))]))
    }
}
