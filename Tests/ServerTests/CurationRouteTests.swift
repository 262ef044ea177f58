import ActiveLearning
import Foundation
import LexgraphCore
import XCTest
import Server

/// The label queue over real HTTP: a curator session started in a state folder as
/// `lexgraph label` starts one (a pool file, two classes, pool embeddings saved in the
/// folder), served by `curation.state`. The batches are the session's own (read back
/// from the folder by `CuratorSession.resume`, the model's suggestions included), answers
/// are applied all or none, and refusals name `answers[i]`.
final class CurationRouteTests: XCTestCase {
    static let classes = ["confidentiality", "payment"]

    /// A session folder over a 12-example pool; examples 0-5 are about confidentiality,
    /// 6-11 about payment, and their embeddings say so (two clusters).
    func sessionFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-curation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        var lines = "", rows: [[Float]] = []
        for i in 0..<12 {
            let topic = i < 6 ? "keep the information secret" : "pay the invoice"
            lines += Value.map(["id": .string("p\(i)"), "text": .string("Clause \(i): the parties \(topic).")]).jsonText + "\n"
            rows.append(i < 6 ? [1, 0.1 * Float(i), 0] : [0, 0.1 * Float(i - 6), 1])
        }
        let poolPath = folder.appendingPathComponent("pool.jsonl").path
        try Data(lines.utf8).write(to: URL(fileURLWithPath: poolPath))
        let state = folder.appendingPathComponent("state").path
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try EmbeddingMatrix(rows: rows).save(to: state + "/" + CuratorState.embeddingsFile, key: "test")
        _ = try CuratorSession(pool: try LabelPool.load(path: poolPath), classes: ClassList(names: Self.classes), embeddings: EmbeddingMatrix(rows: rows),
                               directory: state, strategy: .margin, k: 3, seed: 7)
        return state
    }

    func post(_ s: ServerHarness, _ body: String, role: Role = .curator) async throws -> ServerHarness.Reply {
        try await s.request("POST", "/v1/curation/answers", token: s.tokens[role], body: Data(body.utf8))
    }

    func batch(_ reply: ServerHarness.Reply) -> [[String: Any]] { reply.json["batch"] as? [[String: Any]] ?? [] }

    func testTheQueueIsTheSessionsAndAnswersAreSaved() async throws {
        let state = try sessionFolder()
        let s = try await startServer { $0.curationState = state }
        let first = try await s.request("GET", "/v1/curation/next", token: s.tokens[.curator])
        XCTAssertEqual(first.status, 200, "\(first)")
        XCTAssertEqual(first.json["round"] as? Int, 1)
        XCTAssertEqual(first.json["labelled"] as? Int, 0)
        XCTAssertEqual(first.json["pool"] as? Int, 12)
        XCTAssertEqual(first.json["classes"] as? [String], Self.classes)
        let ids = batch(first).compactMap { $0["id"] as? String }
        XCTAssertEqual(ids.count, 3, "\(first)")
        // The folder holds the same batch, as `lexgraph label` would resume it.
        XCTAssertEqual(try XCTUnwrap(try CuratorState.load(directory: state)).queue, ids)
        let pool = try LabelPool.load(path: try XCTUnwrap(try CuratorState.load(directory: state)).pool)
        for example in batch(first) {
            let id = try XCTUnwrap(example["id"] as? String)
            XCTAssertEqual(example["text"] as? String, pool.items[try XCTUnwrap(pool.position(of: id))].text)
            XCTAssertNil(example["suggested"], "no label yet, no model")
        }

        // Label two, skip one.
        let label = { (id: String) in Int(id.dropFirst())! < 6 ? "confidentiality" : "payment" }
        let answers = #"{"answers":[{"id":"\#(ids[0])","label":"\#(label(ids[0]))"},{"id":"\#(ids[1])","label":"\#(label(ids[1]))"},{"id":"\#(ids[2])","label":null}]}"#
        let applied = try await post(s, answers)
        XCTAssertEqual(applied.status, 200, "\(applied)")
        let counts = applied.json["applied"] as? [String: Any] ?? [:]
        XCTAssertEqual([counts["labelled"] as? Int, counts["skipped"] as? Int], [2, 1], "\(applied)")
        XCTAssertEqual(applied.json["labelled"] as? Int, 2)
        let saved = try XCTUnwrap(try CuratorState.load(directory: state))
        XCTAssertEqual(saved.labels.map(\.id), [ids[0], ids[1]])
        XCTAssertEqual(saved.labels.map(\.label), [label(ids[0]), label(ids[1])])
        XCTAssertEqual(saved.skipped, [ids[2]])

        // The next batch comes from the head retrained on those labels, with suggestions:
        // the ones the session itself gives, read back from the folder.
        let second = try await s.request("GET", "/v1/curation/next", token: s.tokens[.curator])
        XCTAssertEqual(second.status, 200, "\(second)")
        XCTAssertEqual(second.json["round"] as? Int, 2)
        let next = batch(second)
        XCTAssertEqual(next.count, 3)
        XCTAssertTrue(Set(next.compactMap { $0["id"] as? String }).isDisjoint(with: ids))
        let resumed = try CuratorSession.resume(directory: state)
        XCTAssertEqual(try resumed.nextBatch(), next.compactMap { $0["id"] as? String })
        for example in next {
            let id = try XCTUnwrap(example["id"] as? String)
            let suggestion = try XCTUnwrap(resumed.suggestion(for: id))
            XCTAssertEqual(example["suggested"] as? String, suggestion.label)
            XCTAssertEqual(try XCTUnwrap(example["probability"] as? Double), Double(suggestion.probability), accuracy: 1e-6)
        }
    }

    func testAnswersAreAllOrNoneAndRefusalsNameTheAnswer() async throws {
        let state = try sessionFolder()
        let s = try await startServer { $0.curationState = state }
        let refusals: [(String, String)] = [
            (#"{"answers":[{"id":"p0","label":"confidentiality"},{"id":"p1","label":"rent"}]}"#, "answers[1]: unknown class \"rent\" (classes: confidentiality, payment)"),
            (#"{"answers":[{"id":"p0","label":"confidentiality"},{"id":"p99","label":"payment"}]}"#, "answers[1]: id \"p99\" is not in the pool"),
            (#"{"answers":[{"id":"p0","label":"confidentiality"},{"id":"p0","label":"payment"}]}"#, "answers[1]: id \"p0\" is answered twice (first at answers[0])"),
            (#"{"answers":[{"id":"p0","label":3.5}]}"#, "answers[0].label must be a class name or null (skip), got 3.5"),
            (#"{"answers":[{"label":"payment"}]}"#, "answers[0] has no \"id\" (a string)"),
            (#"{"answers":[]}"#, "\"answers\" holds no answers"),
            (#"{"labels":[]}"#, "the body has no \"answers\" list"),
        ]
        for (body, message) in refusals {
            let reply = try await post(s, body)
            XCTAssertEqual(reply.status, 400, "\(body): \(reply)")
            XCTAssertEqual(reply.error["message"] as? String, message, "\(reply)")
        }
        // Nothing of the refused batches was kept.
        let saved = try XCTUnwrap(try CuratorState.load(directory: state))
        XCTAssertEqual(saved.labels, [])
        XCTAssertEqual(saved.skipped, [])
        for role in [Role.reader, .analyst] {
            let next = try await s.request("GET", "/v1/curation/next", token: s.tokens[role])
            XCTAssertEqual(next.status, 403, "\(next)")
            let answer = try await post(s, #"{"answers":[{"id":"p0","label":"payment"}]}"#, role: role)
            XCTAssertEqual(answer.status, 403, "\(answer)")
        }
        XCTAssertEqual(try XCTUnwrap(try CuratorState.load(directory: state)).labels, [])
    }

    func testWithoutASessionTheRoutesSaySo() async throws {
        let s = try await startServer()
        let reply = try await s.request("GET", "/v1/curation/next", token: s.tokens[.curator])
        XCTAssertEqual(reply.status, 404, "\(reply)")
        XCTAssertTrue((reply.error["message"] as? String ?? "").hasPrefix("this server serves no curation session"), "\(reply)")
        // A folder that holds no session stops the start, naming it.
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-no-session-\(UUID().uuidString)").path
        do {
            _ = try await ServerHarness { $0.curationState = empty }
            XCTFail("a server started on a folder without a session")
        } catch {
            XCTAssertTrue("\(error)".hasPrefix("\(empty): no curator session here"), "\(error)")
        }
    }
}
