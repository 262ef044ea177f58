import Foundation
import Hummingbird
import LexgraphCore
import Prediction

/// `POST /v1/models/{name}[/versions/{v}]/explain` (analyst): a registered case-outcome
/// run's predictions with their reasons, each one `lexgraph predict --format json`'s line
/// for the same case (`ExplainedPrediction.json`: P(first party wins), the as-of date, and
/// the contributions with their graph paths and context facts).
///
/// Body: `{"cases": [{cases.jsonl fields}, ...], "top": 5}` (`top` optional: reasons per
/// case, as `--top`). `{name}` without a version is its `production` alias, as on the v2
/// routes. Problems answer in the `/v1` shape (`APIError`): 400 naming the case and field,
/// 404 for an unknown model or version, 503 for a run that cannot be loaded.
struct ExplanationRoute: Sendable {
    let models: ModelRoutes
    /// The most reasons a request may ask for per case.
    static let maxTop = 100

    func handle(_ request: Request, context: ServerContext) async throws -> Response {
        do {
            return try await explain(request, context: context)
        } catch let refusal as ModelRoutes.Refusal {
            throw APIError(refusal.status, APIError.code(refusal.status), refusal.message)
        }
    }

    func explain(_ request: Request, context: ServerContext) async throws -> Response {
        let version = try models.resolve(context)
        let bytes = try await JSONBody.bytes(of: request, limit: models.maxBodyBytes)
        let body = try Self.parse(bytes)
        guard ModelRoutes.isCaseOutcome(version) else {
            throw APIError(.badRequest, "BadRequest", "model \(version.name) version \(version.version) is a \(version.kind) run: explanations are given for case-outcome runs (`lexgraph train`)")
        }
        guard let model = try await models.load(version) as? ServedCaseModel else {
            throw APIError(.internalServerError, "InternalServerError", "model \(version.name) version \(version.version) did not load as a case-outcome run")
        }
        let explained = try await ModelRoutes.offThread { () throws -> [ExplainedPrediction] in
            let cases = try ModelRoutes.checkedCases(body.cases, model)
            return try model.predictor.explain(cases, top: body.top)
        }
        return JSONResponse.make(.ok, .map([
            "model_name": .string(version.name), "model_version": .string(String(version.version)),
            "predictions": .list(explained.map(\.json)),
        ]))
    }

    struct Body {
        var cases: [([String: Value], SourceLocation)]
        var top: Int
    }

    static func parse(_ bytes: [UInt8]) throws -> Body {
        func bad(_ message: String) -> APIError { APIError(.badRequest, "BadRequest", message) }
        let value: Value
        do { value = try Value.parseJSON(bytes: bytes) } catch let error as JSONError {
            throw bad("the body is not valid JSON: \(error.message)" + (error.location.map { " at byte \($0.column ?? 0)" } ?? ""))
        }
        guard case .map(let object) = value else { throw bad("the body must be a JSON object {\"cases\": [{...}], \"top\": 5}, got \(value.jsonKind)") }
        if let key = object.keys.sorted().first(where: { $0 != "cases" && $0 != "top" }) {
            throw bad("unknown field \"\(key)\" in the body (fields: \"cases\", \"top\")")
        }
        guard let casesValue = object["cases"] else { throw bad("the body has no \"cases\" list") }
        guard case .list(let items) = casesValue else { throw bad("\"cases\" must be a list, got \(casesValue.jsonKind)") }
        guard !items.isEmpty else { throw bad("\"cases\" holds no cases") }
        let cases = try items.enumerated().map { i, item -> ([String: Value], SourceLocation) in
            guard case .map(let fields) = item else { throw bad("cases[\(i)] must be an object (a case), got \(item.jsonKind)") }
            return (fields, SourceLocation(file: "cases[\(i)]"))
        }
        var top = 5
        if let t = object["top"], !t.isNull {
            guard let n = t.intValue, (0...Int64(maxTop)).contains(n) else { throw bad("\"top\" must be an integer from 0 to \(maxTop), got \(t.jsonText)") }
            top = Int(n)
        }
        return Body(cases: cases, top: top)
    }
}
