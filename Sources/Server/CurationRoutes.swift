import ActiveLearning
import Foundation
import Hummingbird
import LexgraphCore

/// The label queue of an active-learning session over HTTP (curator), the session a
/// `lexgraph label` run left in the configured state folder (`curation.state`):
/// - `GET /v1/curation/next`: the batch to label (what is left of the current one, else a
///   new batch from the head retrained on every label), each example with its text and
///   the model's suggestion, as `queue.jsonl` lists them; with the round, the counts and
///   the stopping rule's view;
/// - `POST /v1/curation/answers` with `{"answers": [{"id": "...", "label": "class" | null}]}`
///   (null skips): every answer is checked first (an id not in the pool, an unknown class,
///   an id answered twice is a 400 naming `answers[i]`), then all are applied and the
///   state saved once: all or none.
///
/// One session, so requests take turns (its state is one set of files); the folder keeps
/// working with `lexgraph label` between server runs.
final class CurationRoutes: @unchecked Sendable {
    let session: CuratorSession
    let maxBodyBytes: Int
    private let lock = NSLock()

    init(directory: String, maxBodyBytes: Int) throws {
        session = try CuratorSession.resume(directory: directory)
        self.maxBodyBytes = maxBodyBytes
    }

    func next(_ request: Request, context: ServerContext) async throws -> Response {
        let body = try await ModelRoutes.offThread { [self] () throws -> Value in
            lock.lock()
            defer { lock.unlock() }
            let batch = try session.nextBatch()
            let pool = session.pool
            let examples: [Value] = batch.compactMap { id in
                guard let p = pool.position(of: id) else { return nil }
                var example: [String: Value] = ["id": .string(id), "text": .string(pool.items[p].text)]
                if let s = session.suggestion(for: id) {
                    example["suggested"] = .string(s.label)
                    example["probability"] = .float(Double(s.probability))
                }
                return .map(example)
            }
            return .map(status(session).merging(["batch": .list(examples)]) { _, b in b })
        }
        return JSONResponse.make(.ok, body)
    }

    func answers(_ request: Request, context: ServerContext) async throws -> Response {
        let bytes = try await JSONBody.bytes(of: request, limit: maxBodyBytes)
        let answers = try Self.parse(bytes)
        let body = try await ModelRoutes.offThread { [self] () throws -> Value in
            lock.lock()
            defer { lock.unlock() }
            do { try AnswersFile.check(answers, classes: session.classes, pool: session.pool, file: nil) } catch let error as ActiveLearningError {
                throw APIError(.badRequest, "BadRequest", error.description)
            }
            let applied = try session.apply(answers)
            return .map(status(session).merging(["applied": .map(["labelled": .int(Int64(applied.labelled)), "skipped": .int(Int64(applied.skipped))])]) { _, b in b })
        }
        return JSONResponse.make(.ok, body)
    }

    func status(_ session: CuratorSession) -> [String: Value] {
        ["round": .int(Int64(session.state.round)), "labelled": .int(Int64(session.labelledCount)),
         "skipped": .int(Int64(session.state.skipped.count)), "pool": .int(Int64(session.pool.count)),
         "classes": .list(session.classes.names.map(Value.string)), "stopping": .string(session.stoppingMessage)]
    }

    static func parse(_ bytes: [UInt8]) throws -> [AnswersFile.Answer] {
        func bad(_ message: String) -> APIError { APIError(.badRequest, "BadRequest", message) }
        let value: Value
        do { value = try Value.parseJSON(bytes: bytes) } catch let error as JSONError {
            throw bad("the body is not valid JSON: \(error.message)" + (error.location.map { " at byte \($0.column ?? 0)" } ?? ""))
        }
        guard case .map(let object) = value else { throw bad("the body must be a JSON object {\"answers\": [{\"id\": \"...\", \"label\": \"...\"}]}, got \(value.jsonKind)") }
        guard let list = object["answers"] else { throw bad("the body has no \"answers\" list") }
        guard case .list(let items) = list else { throw bad("\"answers\" must be a list, got \(list.jsonKind)") }
        guard !items.isEmpty else { throw bad("\"answers\" holds no answers") }
        return try items.enumerated().map { i, item in
            guard case .map(let fields) = item else { throw bad("answers[\(i)] must be an object {\"id\", \"label\"}, got \(item.jsonKind)") }
            let id: String
            switch fields["id"] {
            case .string(let s)?: id = s
            case .int(let n)?: id = String(n)
            default: throw bad("answers[\(i)] has no \"id\" (a string)")
            }
            let label: String?
            switch fields["label"] {
            case nil, .null?: label = nil
            case .string(let s)?: label = s.isEmpty ? nil : s
            case let other?: throw bad("answers[\(i)].label must be a class name or null (skip), got \(other.jsonText)")
            }
            return AnswersFile.Answer(id: id, label: label, line: i)
        }
    }
}
