import Compliance
import Foundation
import GraphStore
import Hummingbird
import LexgraphCore
import Ontology

/// The curator's ontology workflow over HTTP (curator role), each route a few lines over
/// the `GraphStore` call that `lexgraph ontology validate|diff|apply` makes:
/// - `POST /v1/ontology/validate`: the file parsed, an update planned on the active ontology;
/// - `POST /v1/ontology/diff`: what it would change in the stored data (a dry run, rolled back);
/// - `POST /v1/ontology/apply` (`?force=true`, `?dry_run=true`): an update in one
///   transaction with its audit entry (`ontology.apply`, the token as principal), or
///   nothing at all when it is refused.
///
/// The body is the file: raw YAML (`Content-Type: application/yaml`, also
/// `application/x-yaml`, `text/yaml`, `text/x-yaml`), or JSON `{"yaml": "..."}` for
/// clients that only send JSON. `?file=NAME` names it in error locations, the ontology
/// history and the audit trail (default `request`); a name `NNNN-YYYY-MM-DD-slug.yaml`
/// is checked against the update's number and date as the CLI checks its file names.
struct OntologyRoutes {
    let server: LexgraphServer

    static let yamlTypes: Set<String> = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"]

    func validate(_ request: Request, context: ServerContext) async throws -> Response {
        let (file, _) = try await read(request, options: [])
        let graph = server.graph
        let validation = try await Self.answering { try graph.withStore(write: false) { try $0.validateOntologyFile(file.parsed) } }
        return JSONResponse.make(.ok, OntologyJSON.validation(validation, source: file.name))
    }

    func diff(_ request: Request, context: ServerContext) async throws -> Response {
        let (file, _) = try await read(request, options: [])
        let graph = server.graph
        let diff = try await Self.answering { try graph.withStore(write: false) { try $0.diffOntologyFile(file.parsed, source: file.name) } }
        return JSONResponse.make(.ok, .map(OntologyJSON.report(diff.report).mapFields(["note": diff.note.map(Value.string) ?? .null])))
    }

    /// On a PostgreSQL graph the update runs on a staging copy and what it changed goes to
    /// the server (the primary) in one transaction with its audit entry.
    func apply(_ request: Request, context: ServerContext) async throws -> Response {
        guard server.writeEngine != nil else {
            throw APIError(.forbidden, "Forbidden", "ontology updates write, but this server runs read-only (database.read_only)")
        }
        guard let principal = context.principal else { throw APIError.unauthorized(APITokens.Refusal.missing.message) }
        let (file, flags) = try await read(request, options: ["force", "dry_run"])
        let options = OntologyApplyOptions(force: flags["force"] ?? false, dryRun: flags["dry_run"] ?? false,
                                           audit: AuditChain.hook(action: "ontology.apply", subject: file.name,
                                                                  principal: "token \(principal.tokenID) (\(principal.name))"))
        let graph = server.graph
        let report = try await Self.answering {
            try graph.withStore(write: true, dryRun: options.dryRun) { try $0.applyOntologyFile(file.parsed, source: file.name, options: options) }
        }
        return JSONResponse.make(.ok, OntologyJSON.report(report))
    }

    struct File: Sendable {
        var name: String
        var parsed: OntologyFile
    }

    /// The body parsed as a curator's file, and the boolean query options among `options`
    /// (`true`/`false`); anything else in the query is a 400.
    func read(_ request: Request, options: Set<String>) async throws -> (File, [String: Bool]) {
        func bad(_ message: String) -> APIError { APIError(.badRequest, "BadRequest", message) }
        var name = "request"
        var flags: [String: Bool] = [:]
        for (key, value) in request.uri.queryParameters {
            let key = String(key), value = String(value)
            if key == "file" {
                guard !value.isEmpty, !value.contains("/") else { throw bad("query parameter file must be a file name (no '/'), got '\(value)'") }
                name = value
            } else if options.contains(key) {
                guard let flag = Bool(value.lowercased()) else { throw bad("query parameter \(key) must be true or false, got '\(value)'") }
                flags[key] = flag
            } else {
                throw bad("unknown query parameter '\(key)' (this route takes: \((["file"] + options.sorted()).joined(separator: ", ")))")
            }
        }
        let (mediaType, bytes) = try await JSONBody.bytes(
            of: request, limit: server.config.maxBodyBytes, accepting: Self.yamlTypes.union(["application/json"]),
            takes: "an ontology document or update as YAML (Content-Type: application/yaml) or as JSON {\"yaml\": \"...\"} (Content-Type: application/json)")
        let text: String
        if mediaType == "application/json" {
            let value: Value
            do { value = try Value.parseJSON(bytes: bytes) } catch let error as JSONError {
                throw bad("the body is not valid JSON: \(error.message)" + (error.location.map { " at byte \($0.column ?? 0)" } ?? ""))
            }
            guard case .map(let fields) = value else { throw bad("the body must be a JSON object {\"yaml\": \"...\"}, got \(value.jsonKind)") }
            if let other = fields.keys.sorted().first(where: { $0 != "yaml" }) { throw bad("unknown field \"\(other)\": the body is {\"yaml\": \"...\"}") }
            guard let yaml = fields["yaml"] else { throw bad("the body has no \"yaml\" field (the ontology file's text)") }
            guard case .string(let s) = yaml else { throw bad("\"yaml\" must be a string (the ontology file's text), got \(yaml.jsonKind)") }
            text = s
        } else {
            guard let s = String(validating: bytes, as: UTF8.self) else { throw bad("the YAML body is not valid UTF-8") }
            text = s
        }
        let fileName = name
        let parsed = try await Self.answering { try OntologyFile.parse(text: text, file: fileName) }
        return (File(name: fileName, parsed: parsed), flags)
    }

    /// Runs `work` off the event loop; its errors become the service's JSON refusals: an
    /// ontology problem (parse, plan, a document given to apply) is a 422 with its
    /// `location` (file, line, column), a refusal by the store (breaking changes without
    /// migration, an update out of order or edited after it was applied) a 409.
    static func answering<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await ModelRoutes.offThread(work)
        } catch let error as OntologyError {
            throw APIError(.unprocessableContent, "InvalidOntology", error.description, details: OntologyJSON.location(error.location))
        } catch let error as GraphStoreError {
            throw APIError(.conflict, "Refused", error.description, details: OntologyJSON.location(error.location))
        }
    }
}
