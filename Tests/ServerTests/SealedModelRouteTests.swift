import Foundation
import GraphStore
import Sealing
import Server
import XCTest

/// A registered run whose checkpoint is sealed with the artifact key serves the same
/// answers as the plain one; under another key its readiness is a 503 that names the
/// file and where the key came from, never the key.
final class SealedModelRouteTests: XCTestCase {
    override func tearDown() {
        SealedFiles.reset()
        super.tearDown()
    }

    func testASealedCheckpointServesTheSameAnswersWithItsKeyOnly() async throws {
        let s = try await startServer()
        let run = s.folder.appendingPathComponent("sealed-run")
        try FileManager.default.copyItem(at: ModelRouteTests.fixtures.appendingPathComponent("run-a"), to: run)
        let weights = run.appendingPathComponent("checkpoint/model.safetensors").path
        SealedFiles.use(try ArtifactKey(material: Array(String(repeating: "ab", count: 32).utf8), source: "the test key"))
        try SealedFiles.write(try Data(contentsOf: URL(fileURLWithPath: weights)), to: weights)
        XCTAssertTrue(SealedFiles.isSealed(try Data(contentsOf: URL(fileURLWithPath: weights))))
        let registry = ModelRegistry(store: try GraphStore(path: s.databasePath, mode: .readWrite))
        _ = try registry.register(run: run.path, name: "sealed", alias: nil)
        _ = try registry.register(run: ModelRouteTests.run("run-a"), name: "plain", alias: nil)

        let texts = try ModelRouteTests.expected().texts
        func infer(_ name: String) async throws -> ServerHarness.Reply {
            let body: [String: Any] = ["inputs": [["name": "text", "datatype": "BYTES", "shape": [texts.count], "data": texts]]]
            return try await s.request("POST", "/v2/models/\(name)/versions/1/infer", token: s.tokens[.analyst], body: try JSONSerialization.data(withJSONObject: body))
        }
        let sealed = try await infer("sealed"), plain = try await infer("plain")
        XCTAssertEqual(sealed.status, 200, "\(sealed)")
        XCTAssertEqual(plain.status, 200, "\(plain)")
        let outputs = { (r: ServerHarness.Reply) in (r.json["outputs"] as? [[String: Any]])?.first { $0["name"] as? String == "probabilities" }?["data"] as? [Double] }
        XCTAssertNotNil(outputs(sealed))
        XCTAssertEqual(outputs(sealed), outputs(plain), "the same weights")

        SealedFiles.use(try ArtifactKey(material: Array(String(repeating: "cd", count: 32).utf8), source: "another key"))
        _ = try registry.register(run: run.path, name: "other", alias: nil)
        let refused = try await s.request("GET", "/v2/models/other/versions/1/ready", token: s.tokens[.reader])
        XCTAssertEqual(refused.status, 503, "\(refused)")
        XCTAssertTrue(refused.text.replacingOccurrences(of: "\\/", with: "/").contains("\(weights): cannot decrypt the file with the artifact key from another key: wrong key"), refused.text)
        XCTAssertFalse(refused.text.contains("cdcdcdcd"), "no key in the answer")
    }
}
