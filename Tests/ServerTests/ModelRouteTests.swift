import ContractReview
import Foundation
import GraphStore
import LexgraphCore
import XCTest
import Server

/// The KServe / Open Inference Protocol v2 model routes over real HTTP, with the two tiny
/// classifiers of Tests/Fixtures/serving (tools/make_serving_fixtures.py; their
/// transformers probabilities in expected.json): metadata, readiness, inference against
/// the CLI's façade and transformers, hot swap by promote and rollback, a run folder
/// deleted under the server, and malformed requests.
final class ModelRouteTests: XCTestCase {
    static let fixtures = ServerHarness.root.appendingPathComponent("Tests/Fixtures/serving")

    struct Expected: Decodable {
        var texts: [String]
        var labels: [String]
        var probabilities: [String: [[Double]]]
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: fixtures.appendingPathComponent("expected.json")))
    }

    static func run(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    func register(_ s: ServerHarness, _ run: String, name: String = "clauses", alias: String? = nil) throws -> StoredModelVersion {
        try ModelRegistry(store: try GraphStore(path: s.databasePath, mode: .readWrite)).register(run: run, name: name, alias: alias)
    }

    func infer(_ s: ServerHarness, _ path: String, texts: [String], role: Role = .analyst) async throws -> ServerHarness.Reply {
        let body: [String: Any] = ["id": "r1", "inputs": [["name": "text", "datatype": "BYTES", "shape": [texts.count], "data": texts]]]
        return try await s.request("POST", path, token: s.tokens[role], body: try JSONSerialization.data(withJSONObject: body))
    }

    /// `probabilities` of a reply as rows, after checking the tensor's datatype and shape.
    func probabilities(_ reply: ServerHarness.Reply, rows: Int, labels: Int, file: StaticString = #filePath, line: UInt = #line) -> [[Double]] {
        let outputs = reply.json["outputs"] as? [[String: Any]] ?? []
        guard let p = outputs.first(where: { $0["name"] as? String == "probabilities" }) else {
            XCTFail("no probabilities output: \(reply)", file: file, line: line); return []
        }
        XCTAssertEqual(p["datatype"] as? String, "FP32", file: file, line: line)
        XCTAssertEqual(p["shape"] as? [Int], [rows, labels], file: file, line: line)
        let flat = p["data"] as? [Double] ?? []
        XCTAssertEqual(flat.count, rows * labels, file: file, line: line)
        return stride(from: 0, to: flat.count, by: max(labels, 1)).map { Array(flat[$0..<min($0 + labels, flat.count)]) }
    }

    func labelsOutput(_ reply: ServerHarness.Reply) -> [String] {
        let outputs = reply.json["outputs"] as? [[String: Any]] ?? []
        return outputs.first { $0["name"] as? String == "label" }?["data"] as? [String] ?? []
    }

    func testInferMatchesTheFacadeAndTransformers() async throws {
        let s = try await startServer()
        let expected = try Self.expected()
        let stored = try register(s, Self.run("run-a"), alias: "production")
        XCTAssertEqual(stored.version, 1)
        XCTAssertEqual(stored.kind, "sequence-classifier")
        XCTAssertTrue(stored.dataFingerprint.hasPrefix("sha256:"), stored.dataFingerprint)

        let reply = try await infer(s, "/v2/models/clauses/infer", texts: expected.texts)
        XCTAssertEqual(reply.status, 200, "\(reply)")
        XCTAssertEqual(reply.json["model_name"] as? String, "clauses")
        XCTAssertEqual(reply.json["model_version"] as? String, "1")
        XCTAssertEqual(reply.json["id"] as? String, "r1")
        let served = probabilities(reply, rows: expected.texts.count, labels: 3)
        // The same run through the library's façade, as `lexgraph model infer` and
        // `lexgraph tag` load it: the same numbers, to the float.
        let facade = try ClauseModel(run: Self.run("run-a")).score(expected.texts).map(\.probabilities)
        XCTAssertEqual(served.map { row in row.map { Float($0) } }, facade)
        // transformers on the same checkpoint (expected.json).
        var worst = 0.0
        for (mine, theirs) in zip(served, expected.probabilities["run-a"]!) {
            for (a, b) in zip(mine, theirs) { worst = max(worst, abs(a - b)) }
        }
        XCTAssertLessThan(worst, 1e-5, "max |served - transformers| \(worst)")
        print("ModelRouteTests: max |served - transformers| = \(worst)")
        let top = expected.probabilities["run-a"]!.map { row in expected.labels[row.indices.max { row[$0] < row[$1] }!] }
        XCTAssertEqual(labelsOutput(reply), top)

        // The version's own path gives the same answer; asking for one output gives that one.
        let byVersion = try await infer(s, "/v2/models/clauses/versions/1/infer", texts: expected.texts)
        XCTAssertEqual(probabilities(byVersion, rows: expected.texts.count, labels: 3), served)
        let onlyLabels = try await s.request("POST", "/v2/models/clauses/infer", token: s.tokens[.analyst], body: try JSONSerialization.data(withJSONObject: [
            "inputs": [["name": "text", "datatype": "BYTES", "shape": [1, 1], "data": [[expected.texts[0]]]]], "outputs": [["name": "label"]]]))
        XCTAssertEqual(onlyLabels.status, 200, "\(onlyLabels)")
        XCTAssertEqual((onlyLabels.json["outputs"] as? [[String: Any]])?.map { $0["name"] as? String }, ["label"])
        XCTAssertEqual(labelsOutput(onlyLabels), [top[0]])

        // Metadata and readiness (reader), inference needs analyst.
        let meta = try await s.request("GET", "/v2/models/clauses", token: s.tokens[.reader])
        XCTAssertEqual(meta.status, 200, "\(meta)")
        XCTAssertEqual(meta.json["name"] as? String, "clauses")
        XCTAssertEqual(meta.json["versions"] as? [String], ["1"])
        XCTAssertEqual(meta.json["labels"] as? [String], expected.labels)
        XCTAssertEqual(meta.json["aliases"] as? [String: String], ["production": "1"])
        let inputs = meta.json["inputs"] as? [[String: Any]] ?? []
        XCTAssertEqual(inputs.count, 1)
        XCTAssertEqual(inputs.first?["name"] as? String, "text")
        XCTAssertEqual(inputs.first?["datatype"] as? String, "BYTES")
        XCTAssertEqual(inputs.first?["shape"] as? [Int], [-1])
        XCTAssertEqual((meta.json["outputs"] as? [[String: Any]])?.map { $0["shape"] as? [Int] }, [[-1], [-1, 3]])
        let ready = try await s.request("GET", "/v2/models/clauses/versions/1/ready", token: s.tokens[.reader])
        XCTAssertEqual(ready.status, 200, "\(ready)")
        XCTAssertEqual(ready.json["ready"] as? Bool, true)
        let readerInfer = try await infer(s, "/v2/models/clauses/infer", texts: ["x"], role: .reader)
        XCTAssertEqual(readerInfer.status, 403, "\(readerInfer)")

        let metrics = try await s.request("GET", "/metrics", token: s.tokens[.reader])
        XCTAssertTrue(metrics.text.contains("lexgraph_model_inference_duration_seconds_count{model=\"clauses\",version=\"1\",outcome=\"ok\"} 3"), metrics.text)
        XCTAssertTrue(metrics.text.contains("route=\"/v2/models/{name}/infer\""), metrics.text)
    }

    func testPromoteAndRollbackMoveTheNextRequest() async throws {
        let s = try await startServer()
        let expected = try Self.expected()
        let registry = ModelRegistry(store: try GraphStore(path: s.databasePath, mode: .readWrite))
        _ = try register(s, Self.run("run-a"), alias: "production")
        let second = try register(s, Self.run("run-b"), alias: "candidate")
        XCTAssertEqual(second.version, 2)
        func served() async throws -> (String?, [[Double]]) {
            let reply = try await infer(s, "/v2/models/clauses/infer", texts: expected.texts)
            XCTAssertEqual(reply.status, 200, "\(reply)")
            return (reply.json["model_version"] as? String, probabilities(reply, rows: expected.texts.count, labels: 3))
        }
        func close(_ a: [[Double]], _ b: [[Double]]) -> Bool { zip(a.joined(), b.joined()).allSatisfy { abs($0 - $1) < 1e-5 } }
        var (version, rows) = try await served()
        XCTAssertEqual(version, "1")
        XCTAssertTrue(close(rows, expected.probabilities["run-a"]!))
        XCTAssertEqual(try registry.promote(name: "clauses", version: 2, alias: "production"), 1)
        (version, rows) = try await served()
        XCTAssertEqual(version, "2", "the next request after promote is served by the new version")
        XCTAssertTrue(close(rows, expected.probabilities["run-b"]!))
        let meta = try await s.request("GET", "/v2/models/clauses", token: s.tokens[.reader])
        XCTAssertEqual(meta.json["aliases"] as? [String: String], ["production": "2", "candidate": "2"])
        let moved = try registry.rollback(name: "clauses", alias: "production")
        XCTAssertEqual(moved.from, 2)
        XCTAssertEqual(moved.to, 1)
        (version, rows) = try await served()
        XCTAssertEqual(version, "1", "rollback: the previous version serves the next request")
        XCTAssertTrue(close(rows, expected.probabilities["run-a"]!))
        // Nothing before version 1: a second rollback is refused and changes nothing.
        XCTAssertThrowsError(try registry.rollback(name: "clauses", alias: "production")) { error in
            XCTAssertEqual("\(error)", "clauses's alias production points at version 1, with no earlier version to roll back to")
        }
        XCTAssertThrowsError(try registry.promote(name: "clauses", version: 7, alias: "production")) { error in
            XCTAssertEqual("\(error)", "model clauses has no version 7 (versions: 1, 2)")
        }
        (version, _) = try await served()
        XCTAssertEqual(version, "1")
    }

    func testARunFolderDeletedUnderTheServerIsA503() async throws {
        let s = try await startServer()
        let copy = s.folder.appendingPathComponent("run-copy")
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("run-a"), to: copy)
        _ = try register(s, copy.path, alias: "production")
        _ = try register(s, Self.run("run-b"), name: "other", alias: "production")
        let before = try await infer(s, "/v2/models/clauses/infer", texts: ["the court"])
        XCTAssertEqual(before.status, 200, "\(before)")
        try FileManager.default.removeItem(at: copy)
        let after = try await infer(s, "/v2/models/clauses/infer", texts: ["the court"])
        XCTAssertEqual(after.status, 503, "\(after)")
        let message = after.json["error"] as? String ?? ""
        XCTAssertTrue(message.contains("its run folder \(copy.path) is gone"), "\(after)")
        let ready = try await s.request("GET", "/v2/models/clauses/ready", token: s.tokens[.reader])
        XCTAssertEqual(ready.status, 503, "\(ready)")
        XCTAssertEqual(ready.json["ready"] as? Bool, false, "\(ready)")
        XCTAssertTrue((ready.json["error"] as? String ?? "").contains(copy.path), "\(ready)")
        // The server stays up and serves the rest.
        let live = try await s.request("GET", "/v2/health/live")
        XCTAssertEqual(live.status, 200)
        let other = try await infer(s, "/v2/models/other/infer", texts: ["the court"])
        XCTAssertEqual(other.status, 200, "\(other)")
    }

    func testBadRequestsAreClearKServeErrors() async throws {
        let s = try await startServer()
        _ = try register(s, Self.run("run-a"))  // no production alias yet
        func post(_ path: String, _ body: String, contentType: String = "application/json") async throws -> ServerHarness.Reply {
            try await s.request("POST", path, token: s.tokens[.analyst], body: Data(body.utf8), contentType: contentType)
        }
        let good = #"{"inputs":[{"name":"text","datatype":"BYTES","shape":[1],"data":["a"]}]}"#
        let cases: [(String, String, Int, String)] = [
            ("/v2/models/nope/infer", good, 404, "no model named 'nope' is registered (registered: clauses)"),
            ("/v2/models/clauses/infer", good, 404, "model 'clauses' has no production alias, which /v2/models/clauses serves"),
            ("/v2/models/clauses/versions/9/infer", good, 404, "model 'clauses' has no version '9' (versions: 1)"),
            ("/v2/models/clauses/versions/x/infer", good, 404, "model 'clauses' has no version 'x' (versions: 1)"),
            ("/v2/models/clauses/versions/1/infer", "{", 400, "the body is not valid JSON"),
            ("/v2/models/clauses/versions/1/infer", "[]", 400, "the body must be a JSON object with \"inputs\", got a list"),
            ("/v2/models/clauses/versions/1/infer", "{}", 400, "the body has no \"inputs\" list"),
            ("/v2/models/clauses/versions/1/infer", #"{"inputs":[]}"#, 400, "\"inputs\" must hold exactly one tensor, \"text\" (BYTES), got 0"),
            ("/v2/models/clauses/versions/1/infer", #"{"inputs":[{"name":"input_ids","datatype":"INT64","shape":[1],"data":[1]}]}"#, 400,
             "inputs[0] is named \"input_ids\"; this model takes one input, \"text\""),
            ("/v2/models/clauses/versions/1/infer", #"{"inputs":[{"name":"text","datatype":"FP32","shape":[1],"data":[1.5]}]}"#, 400,
             "inputs[0] (\"text\") has datatype FP32; texts are BYTES"),
            ("/v2/models/clauses/versions/1/infer", #"{"inputs":[{"name":"text","datatype":"BYTES","shape":[2],"data":["a"]}]}"#, 400,
             "inputs[0] (\"text\") shape [2] says 2 text(s), data holds 1"),
            ("/v2/models/clauses/versions/1/infer", #"{"inputs":[{"name":"text","datatype":"BYTES","shape":[1,2],"data":["a","b"]}]}"#, 400,
             "inputs[0] (\"text\") shape [1,2] must be [n] or [n, 1] (one text per row)"),
            ("/v2/models/clauses/versions/1/infer", #"{"inputs":[{"name":"text","datatype":"BYTES","shape":[1],"data":[7]}]}"#, 400,
             "inputs[0] (\"text\") data[0] must be a string, got a number"),
            ("/v2/models/clauses/versions/1/infer", #"{"inputs":[{"name":"text","datatype":"BYTES","shape":[0],"data":[]}]}"#, 400,
             "inputs[0] (\"text\") holds no texts"),
            ("/v2/models/clauses/versions/1/infer", #"{"inputs":[{"name":"text","datatype":"BYTES","data":["a"]}]}"#, 400,
             "inputs[0] (\"text\") has no \"shape\" list"),
            ("/v2/models/clauses/versions/1/infer", #"{"inputs":[{"name":"text","datatype":"BYTES","shape":[1],"data":["a"]}],"outputs":[{"name":"logits"}]}"#, 400,
             "outputs[0] asks for \"logits\"; this model's outputs are \"label\", \"probabilities\""),
        ]
        for (path, body, status, message) in cases {
            let reply = try await post(path, body)
            XCTAssertEqual(reply.status, status, "\(path) \(body): \(reply)")
            XCTAssertEqual(Set(reply.json.keys), ["error"], "KServe's error shape: \(reply)")
            XCTAssertTrue((reply.json["error"] as? String ?? "").hasPrefix(message), "\(body): \(reply)")
        }
        let text = try await post("/v2/models/clauses/versions/1/infer", good, contentType: "text/plain")
        XCTAssertEqual(text.status, 415, "\(text)")
        XCTAssertTrue((text.json["error"] as? String ?? "").contains("takes a JSON body"), "\(text)")
        let meta = try await s.request("GET", "/v2/models/nope/versions/1", token: s.tokens[.reader])
        XCTAssertEqual(meta.status, 404, "\(meta)")
        XCTAssertEqual(meta.json["error"] as? String, "no model named 'nope' is registered (registered: clauses)")
        // After all that, the model still answers.
        let fine = try await post("/v2/models/clauses/versions/1/infer", good)
        XCTAssertEqual(fine.status, 200, "\(fine)")
    }
}
