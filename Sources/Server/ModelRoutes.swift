import Dispatch
import Foundation
import GraphStore
import Hummingbird
import LexgraphCore
import Prediction

/// The KServe / Open Inference Protocol v2 model routes over the model registry:
/// - `GET /v2/models/{name}[/versions/{v}]` (reader): metadata (`name`, `versions`,
///   `platform`, `inputs`, `outputs`, plus the version served, its aliases and labels);
/// - `GET .../ready` (reader): 200 `{"name", "version", "ready": true}` once the version
///   is loaded (this loads it), else 503 with `"ready": false` and the reason;
/// - `POST .../infer` (analyst): texts in, the top label (BYTES, `[n]`) and every label's
///   probability (FP32, `[n, labels]`, row-major) out; for a case-outcome run, pending
///   cases in (BYTES `case`) and P(first party wins), the side it favours and the as-of
///   date out (`inferCases`).
///
/// `{name}` without a version is the version the `production` alias points at, asked of
/// the registry on every request: promoting or rolling back moves the next request, with
/// no restart. Problems answer in KServe's error shape, `{"error": "..."}`: 404 for an
/// unknown model, version or missing alias, 400 for a malformed infer body, 503 for a run
/// folder gone from disk or a model that cannot be loaded (the server stays up).
struct ModelRoutes: Sendable {
    let registry: ModelRegistry
    let cache: ModelCache
    let metrics: ServerMetrics
    let maxBodyBytes: Int

    /// A refusal in KServe's shape.
    struct Refusal: Error {
        var status: HTTPResponse.Status
        var message: String
        var extra: [String: Value] = [:]
        var response: Response { JSONResponse.make(status, .map(extra.merging(["error": .string(message)]) { _, b in b })) }
    }

    static func version(_ context: ServerContext) -> String? { context.parameters.get("version") }

    func resolve(_ context: ServerContext) throws -> StoredModelVersion {
        let name = context.parameters.get("name") ?? ""
        do {
            return try registry.resolve(name: name, version: Self.version(context))
        } catch let error as ModelRegistry.LookupError {
            throw Refusal(status: error.status == 404 ? .notFound : .init(code: error.status), message: error.message)
        } catch {
            throw Refusal(status: .serviceUnavailable, message: "cannot read the model registry: \(error)")
        }
    }

    /// Loads (or finds loaded) a version, off the async threads: loading reads weights.
    func load(_ version: StoredModelVersion) async throws -> any LoadedModel {
        do {
            return try await Self.offThread { [cache] in try cache.model(version) }
        } catch let error as ServedModel.FolderGone {
            throw Refusal(status: .serviceUnavailable, message: error.message)
        } catch let error as ServerError {
            throw Refusal(status: .serviceUnavailable, message: error.message)
        }
    }

    static func isCaseOutcome(_ version: StoredModelVersion) -> Bool { version.kind == ModelRegistry.Kind.caseOutcome.rawValue }

    /// Reads an infer-shaped body: 400 naming the problem when it is not one.
    func parseBody(_ request: Request, signature: InferRequest.Signature) async throws -> InferRequest {
        let bytes = try await JSONBody.bytes(of: request, limit: maxBodyBytes)
        do {
            return try InferRequest.parse(try Value.parseJSON(bytes: bytes), signature: signature)
        } catch let error as JSONError {
            throw Refusal(status: .badRequest, message: "the body is not valid JSON: \(error.message)" + (error.location.map { " at byte \($0.column ?? 0)" } ?? ""))
        } catch let error as InferRequest.Problem {
            throw Refusal(status: .badRequest, message: error.message)
        }
    }

    func answer(_ body: (ServerContext) async throws -> Response, _ context: ServerContext) async -> Response {
        do {
            return try await body(context)
        } catch let refusal as Refusal {
            return refusal.response
        } catch let error as APIError {
            // Body limits and content type, in this route family's shape.
            return JSONResponse.make(error.status, .map(["error": .string(error.message)]))
        } catch {
            return Refusal(status: .internalServerError, message: "model request failed: \(error)").response
        }
    }

    func metadata(_ request: Request, context: ServerContext) async -> Response {
        await answer({ context in
            let version = try resolve(context)
            let all = try registry.store.modelVersions(name: version.name)
            let aliases = try registry.store.modelAliases(name: version.name)
            var body: [String: Value] = [
                "name": .string(version.name),
                "versions": .list(all.map { .string(String($0.version)) }),
                "version": .string(String(version.version)),
                "aliases": .map(Dictionary(uniqueKeysWithValues: aliases.map { ($0.alias, Value.string(String($0.version))) })),
                "kind": .string(version.kind),
                "created_at": .string(version.createdAt),
                "data_fingerprint": .string(version.dataFingerprint),
            ]
            if version.kind == ModelRegistry.Kind.sequenceClassifier.rawValue {
                let labels = Self.labels(of: version)
                body["platform"] = .string("lexgraph-bert-sequence-classification")
                body["inputs"] = .list([Self.tensor("text", "BYTES", [-1])])
                body["outputs"] = .list([Self.tensor("label", "BYTES", [-1]), Self.tensor("probabilities", "FP32", [-1, labels.count])])
                body["labels"] = .list(labels.map(Value.string))
            } else {
                body["platform"] = .string("lexgraph-case-outcome")
                body["inputs"] = .list([Self.tensor(InferRequest.Signature.cases.input, "BYTES", [-1])])
                body["outputs"] = .list([Self.tensor("p_first_party_wins", "FP32", [-1]), Self.tensor("label", "BYTES", [-1]),
                                         Self.tensor("as_of", "BYTES", [-1])])
            }
            return JSONResponse.make(.ok, .map(body))
        }, context)
    }

    func ready(_ request: Request, context: ServerContext) async -> Response {
        await answer({ context in
            let version = try resolve(context)
            let identity: [String: Value] = ["name": .string(version.name), "version": .string(String(version.version))]
            do {
                _ = try await load(version)
            } catch var refusal as Refusal {
                refusal.extra = identity.merging(["ready": .bool(false)]) { a, _ in a }
                throw refusal
            }
            return JSONResponse.make(.ok, .map(identity.merging(["ready": .bool(true)]) { a, _ in a }))
        }, context)
    }

    func infer(_ request: Request, context: ServerContext) async -> Response {
        await answer({ context in
            let version = try resolve(context)
            let parsed = try await parseBody(request, signature: Self.isCaseOutcome(version) ? .cases : .text)
            let loaded = try await load(version)
            if let outcome = loaded as? ServedCaseModel { return try await inferCases(parsed, outcome) }
            guard let model = loaded as? ServedModel else {
                throw Refusal(status: .internalServerError, message: "model \(version.name) version \(version.version) loaded as \(type(of: loaded))")
            }
            let started = DispatchTime.now().uptimeNanoseconds
            let output: ServedModel.Output
            do {
                output = try await Self.offThread { try model.infer(parsed.texts) }
            } catch {
                metrics.inferenceFinished(model: version.name, version: version.version, ok: false, nanoseconds: DispatchTime.now().uptimeNanoseconds - started)
                throw Refusal(status: .internalServerError, message: "model \(version.name) version \(version.version) failed on this input: \(error)")
            }
            metrics.inferenceFinished(model: version.name, version: version.version, ok: true, nanoseconds: DispatchTime.now().uptimeNanoseconds - started)
            let n = parsed.texts.count
            var tensors: [String: Value] = [
                "label": .map(Self.tensor("label", "BYTES", [n]).mapFields(["data": .list(output.top.map(Value.string))])),
                "probabilities": .map(Self.tensor("probabilities", "FP32", [n, output.labels.count]).mapFields([
                    "data": .list(output.probabilities.flatMap { $0.map { Value.float(Double($0)) } }),
                    "parameters": .map(["labels": .list(output.labels.map(Value.string)), "problem": .string(model.problem)]),
                ])),
            ]
            tensors = tensors.filter { parsed.outputs?.contains($0.key) ?? true }
            var body: [String: Value] = [
                "model_name": .string(version.name), "model_version": .string(String(version.version)),
                "outputs": .list((parsed.outputs ?? InferRequest.outputNames).compactMap { tensors[$0] }),
            ]
            if let id = parsed.id { body["id"] = .string(id) }
            return JSONResponse.make(.ok, .map(body))
        }, context)
    }

    /// A case-outcome run's infer: P(first party wins), the side it favours and the date
    /// each case's graph context was taken as of.
    func inferCases(_ parsed: InferRequest, _ model: ServedCaseModel) async throws -> Response {
        let version = model.version
        let objects: [([String: Value], SourceLocation)]
        do { objects = try parsed.cases() } catch let error as InferRequest.Problem {
            throw Refusal(status: .badRequest, message: error.message)
        }
        let cases = try await Self.offThread { try Self.checkedCases(objects, model) }
        let started = DispatchTime.now().uptimeNanoseconds
        let output: [ServedCaseModel.Output]
        do {
            output = try await Self.offThread { try model.infer(cases) }
        } catch {
            metrics.inferenceFinished(model: version.name, version: version.version, ok: false, nanoseconds: DispatchTime.now().uptimeNanoseconds - started)
            throw Refusal(status: .internalServerError, message: "model \(version.name) version \(version.version) failed on these cases: \(error)")
        }
        metrics.inferenceFinished(model: version.name, version: version.version, ok: true, nanoseconds: DispatchTime.now().uptimeNanoseconds - started)
        let n = output.count
        var tensors: [String: Value] = [
            "p_first_party_wins": .map(Self.tensor("p_first_party_wins", "FP32", [n]).mapFields(["data": .list(output.map { .float($0.probability) })])),
            "label": .map(Self.tensor("label", "BYTES", [n]).mapFields([
                "data": .list(output.map { .string($0.winner) }),
                "parameters": .map(["threshold": .float(output.first?.threshold ?? decisionThreshold)]),
            ])),
            "as_of": .map(Self.tensor("as_of", "BYTES", [n]).mapFields(["data": .list(output.map { .string($0.asOf.iso) })])),
        ]
        tensors = tensors.filter { parsed.outputs?.contains($0.key) ?? true }
        var body: [String: Value] = [
            "model_name": .string(version.name), "model_version": .string(String(version.version)),
            "outputs": .list((parsed.outputs ?? InferRequest.Signature.cases.outputs).compactMap { tensors[$0] }),
        ]
        if let id = parsed.id { body["id"] = .string(id) }
        return JSONResponse.make(.ok, .map(body))
    }

    /// Pending cases through `lexgraph predict`'s checks: a refused field, a usid the graph
    /// lacks, a wrong type is a 400 naming the case and the field.
    static func checkedCases(_ objects: [([String: Value], SourceLocation)], _ model: ServedCaseModel) throws -> [CaseInput] {
        do { return try model.cases(objects) } catch let error as PredictionError {
            throw Refusal(status: .badRequest, message: error.description)
        }
    }

    static func tensor(_ name: String, _ datatype: String, _ shape: [Int]) -> Value {
        .map(["name": .string(name), "datatype": .string(datatype), "shape": .list(shape.map { .int(Int64($0)) })])
    }

    /// The labels a version's config names (id2label in order), without loading it.
    static func labels(of version: StoredModelVersion) -> [String] {
        guard case .map(let config)? = try? Value.parseJSON(version.configJSON), case .map(let id2label)? = config["id2label"] else { return [] }
        return id2label.compactMap { key, value in Int(key).map { ($0, value.stringValue ?? "") } }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Runs blocking work (weights, BLAS) on a dispatch thread, keeping the async pool free.
    static func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try work() }) }
        }
    }
}

extension Value {
    /// This object's fields with `more` added (a non-object is returned as it is).
    func mapFields(_ more: [String: Value]) -> [String: Value] {
        guard case .map(let fields) = self else { return more }
        return fields.merging(more) { _, b in b }
    }
}
