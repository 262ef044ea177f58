import ContractReview
import Foundation
import GraphStore
import Hummingbird
import LexgraphCore

/// `POST /v1/review` (analyst): a contract review, the JSON `lexgraph review --format json`
/// prints for the same contract (`ContractReviewer` over the server's graph, rendered by
/// `ReviewReport.json`), with the models named from the registry.
///
/// Body: `{"text": "...", "types_model": "NAME", "unfair_model": "NAME", ...}`:
/// - `text` (required): the contract, plain text or Markdown;
/// - `name` (default `contract.txt`): what the report calls it; a `.md` name reads it as Markdown;
/// - `types_model` (required) / `unfair_model` (optional): registered sequence classifiers,
///   their `production` version unless `types_model_version` / `unfair_model_version` names one;
/// - `contract_type`, `suggestions` (3), `top` (3): as `--contract-type`, `--suggestions`, `--top`.
///
/// Problems answer in the `/v1` shape (`APIError`): 400 naming the field, 404 for an unknown
/// model or version, 422 for a contract the reviewer refuses, 503 for a model that
/// cannot be loaded or a graph without the contracts graph.
struct ReviewRoute: Sendable {
    let models: ModelRoutes
    let registry: ModelRegistry
    /// The PostgreSQL graph this server serves, if any: a review reads the contracts
    /// graph through a SQLite store, so it is refused there.
    var graphOnServer: String? = nil

    static let fields = ["text", "name", "types_model", "types_model_version", "unfair_model", "unfair_model_version",
                         "contract_type", "suggestions", "top"]

    struct Body: Sendable {
        var text: String
        var name = "contract.txt"
        var typesModel: (name: String, version: String?)
        var unfairModel: (name: String, version: String?)?
        var options = ReviewOptions()
    }

    func handle(_ request: Request, context: ServerContext) async throws -> Response {
        if let graphOnServer {
            throw APIError(.serviceUnavailable, "ServiceUnavailable", "this server cannot review contracts: its graph is on \(graphOnServer), where reviews are not served yet")
        }
        let bytes = try await JSONBody.bytes(of: request, limit: models.maxBodyBytes)
        let body = try Self.parse(bytes)
        let types = try await model(body.typesModel, field: "types_model")
        var unfair: ServedModel?
        if let named = body.unfairModel { unfair = try await model(named, field: "unfair_model") }
        let unfairModel = unfair
        let document: ContractDocument
        do {
            let ext = (body.name as NSString).pathExtension.lowercased()
            document = try ContractDocument(text: body.text, name: body.name, format: ext == "md" || ext == "markdown" ? .markdown : .plainText)
        } catch let error as ContractReviewError {
            throw APIError(.unprocessableContent, "UnprocessableContent", "text: \(error.description)")
        }
        let store = registry.store
        let report = try await ModelRoutes.offThread { () throws -> ReviewReport in
            try ServedModel.with(types, unfairModel) { typesModel, unfairModel in
                let reviewer: ContractReviewer
                do { reviewer = try ContractReviewer(typesModel: typesModel, unfairModel: unfairModel, store: store) } catch let error as ContractReviewError {
                    throw APIError(.serviceUnavailable, "ServiceUnavailable", "this server cannot review contracts: \(error.description)")
                }
                do { return try reviewer.review(document, options: body.options) } catch let error as ContractReviewError {
                    throw APIError(.unprocessableContent, "UnprocessableContent", error.description)
                }
            }
        }
        return JSONResponse.make(.ok, report.json)
    }

    /// A registered sequence classifier, loaded: 404 for a name or version the registry
    /// lacks, 400 for a model of the wrong kind, 503 for one that cannot be loaded.
    func model(_ named: (name: String, version: String?), field: String) async throws -> ServedModel {
        do {
            let version: StoredModelVersion
            do { version = try registry.resolve(name: named.name, version: named.version) } catch let error as ModelRegistry.LookupError {
                throw APIError(.init(code: error.status), APIError.code(.init(code: error.status)), "\(field): \(error.message)")
            }
            guard version.kind == ModelRegistry.Kind.sequenceClassifier.rawValue else {
                throw APIError(.badRequest, "BadRequest", "\(field): model \(version.name) version \(version.version) is a \(version.kind) run; a review needs a sequence classifier (`lexgraph finetune`)")
            }
            guard let model = try await models.load(version) as? ServedModel else {
                throw APIError(.internalServerError, "InternalServerError", "\(field): model \(version.name) version \(version.version) did not load as a sequence classifier")
            }
            return model
        } catch let refusal as ModelRoutes.Refusal {
            throw APIError(refusal.status, APIError.code(refusal.status), "\(field): \(refusal.message)")
        }
    }

    static func parse(_ bytes: [UInt8]) throws -> Body {
        func bad(_ message: String) -> APIError { APIError(.badRequest, "BadRequest", message) }
        let value: Value
        do { value = try Value.parseJSON(bytes: bytes) } catch let error as JSONError {
            throw bad("the body is not valid JSON: \(error.message)" + (error.location.map { " at byte \($0.column ?? 0)" } ?? ""))
        }
        guard case .map(let object) = value else {
            throw bad("the body must be a JSON object {\"text\": \"...\", \"types_model\": \"NAME\"}, got \(value.jsonKind)")
        }
        if let key = object.keys.sorted().first(where: { !fields.contains($0) }) {
            throw bad("unknown field \"\(key)\" in the body (fields: \(fields.map { "\"\($0)\"" }.joined(separator: ", ")))")
        }
        func string(_ key: String) throws -> String? {
            guard let v = object[key], !v.isNull else { return nil }
            guard case .string(let s) = v else { throw bad("\"\(key)\" must be a string, got \(v.jsonKind)") }
            return s
        }
        func version(_ key: String) throws -> String? {
            guard let v = object[key], !v.isNull else { return nil }
            if case .string(let s) = v { return s }
            guard let n = v.intValue else { throw bad("\"\(key)\" must be a version number, got \(v.jsonText)") }
            return String(n)
        }
        func count(_ key: String, min: Int, default value: Int) throws -> Int {
            guard let v = object[key], !v.isNull else { return value }
            guard let n = v.intValue, n >= min, n <= 100 else { throw bad("\"\(key)\" must be an integer from \(min) to 100, got \(v.jsonText)") }
            return Int(n)
        }
        guard let text = try string("text") else { throw bad("the body has no \"text\" (the contract)") }
        guard let types = try string("types_model") else { throw bad("the body has no \"types_model\" (a registered clause-type model)") }
        var body = Body(text: text, typesModel: (types, try version("types_model_version")))
        if let name = try string("name") { body.name = name }
        if let unfair = try string("unfair_model") {
            body.unfairModel = (unfair, try version("unfair_model_version"))
        } else if object["unfair_model_version"].map({ !$0.isNull }) ?? false {
            throw bad("\"unfair_model_version\" is given without \"unfair_model\"")
        }
        body.options = ReviewOptions(contractType: try string("contract_type"))
        body.options.suggestions = try count("suggestions", min: 0, default: 3)
        body.options.topTypes = try count("top", min: 1, default: 3)
        return body
    }
}
