import Foundation
import GraphStore
import LexgraphCore
import XCTest
import Server

/// What a registration records from a run folder: the data fingerprint follows the run's
/// training data and record, a run whose data file is gone is refused by name, and a
/// case-outcome run is registered with its evaluation and report (served by
/// CaseOutcomeRouteTests; one without a saved model is a 503, not a crash).
final class ModelRegistryTests: XCTestCase {
    /// A fine-tuning run folder: the fixture's checkpoint, and a run-level config.json
    /// with a `lexgraph_finetune` record naming `train` as its training file.
    func fineTuneRun(in folder: URL, name: String, train: URL) throws -> URL {
        let run = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: ModelRouteTests.fixtures.appendingPathComponent("run-a/checkpoint"), to: run.appendingPathComponent("checkpoint"))
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("checkpoint/config.json"))) as! [String: Any]
        config["lexgraph_finetune"] = ["inputs": ["trainPath": train.path, "devPath": NSNull(), "modelDirectory": "base"], "options": ["maxLength": 32]]
        try JSONSerialization.data(withJSONObject: config).write(to: run.appendingPathComponent("config.json"))
        try Data(#"{"epoch":1,"dev":{"accuracy":0.5}}"#.utf8).write(to: run.appendingPathComponent("metrics.jsonl"))
        try Data("# summary\n".utf8).write(to: run.appendingPathComponent("summary.md"))
        return run
    }

    func testTheFingerprintFollowsTheTrainingData() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-registry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let store = try ServerHarness.legalStore(at: folder.appendingPathComponent("g.sqlite").path)
        let registry = ModelRegistry(store: store)
        let train = folder.appendingPathComponent("train.jsonl")
        try Data(#"{"text":"a","label":"x"}"#.utf8).write(to: train)
        let one = try registry.register(run: try fineTuneRun(in: folder, name: "one", train: train).path, name: "m")
        let two = try registry.register(run: try fineTuneRun(in: folder, name: "two", train: train).path, name: "m")
        XCTAssertEqual(one.dataFingerprint, two.dataFingerprint, "same record, same data")
        XCTAssertEqual([one.version, two.version], [1, 2])
        XCTAssertEqual(one.reportPath, folder.appendingPathComponent("one/summary.md").path)
        let metrics = try Value.parseJSON(one.metricsJSON)
        guard case .map(let m) = metrics, case .list(let epochs)? = m["epochs"] else { return XCTFail(one.metricsJSON) }
        XCTAssertEqual(epochs.count, 1)
        try Data(#"{"text":"b","label":"x"}"#.utf8).write(to: train)
        let three = try registry.register(run: try fineTuneRun(in: folder, name: "three", train: train).path, name: "m")
        XCTAssertNotEqual(three.dataFingerprint, one.dataFingerprint, "changed training data, changed fingerprint")
        try FileManager.default.removeItem(at: train)
        XCTAssertThrowsError(try registry.register(run: try fineTuneRun(in: folder, name: "four", train: train).path, name: "m")) { error in
            XCTAssertTrue("\(error)".hasPrefix("the run's training file \(train.path) ("), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("cannot be read: the data fingerprint needs it"), "\(error)")
        }
        XCTAssertEqual(try store.modelVersions(name: "m").count, 3, "a refused registration stores nothing")
    }

    func testACaseOutcomeRunIsRegisteredWithItsEvaluation() async throws {
        let s = try await startServer()
        let run = s.folder.appendingPathComponent("outcome-run")
        try FileManager.default.createDirectory(at: run.appendingPathComponent("model"), withIntermediateDirectories: true)
        try Data(#"{"modelKind":"graph-logistic","seed":1}"#.utf8).write(to: run.appendingPathComponent("config.json"))
        try Data(#"{"test":{"auc":0.7}}"#.utf8).write(to: run.appendingPathComponent("evaluation.json"))
        try Data("# report\n".utf8).write(to: run.appendingPathComponent("report.md"))
        let stored = try ModelRegistry(store: try GraphStore(path: s.databasePath, mode: .readWrite)).register(run: run.path, name: "outcome", alias: "production")
        XCTAssertEqual(stored.kind, "case-outcome")
        XCTAssertEqual(stored.reportPath, run.appendingPathComponent("report.md").path)
        XCTAssertTrue(stored.metricsJSON.contains("\"auc\":0.7"), stored.metricsJSON)
        let meta = try await s.request("GET", "/v2/models/outcome", token: s.tokens[.reader])
        XCTAssertEqual(meta.status, 200, "\(meta)")
        XCTAssertEqual(meta.json["platform"] as? String, "lexgraph-case-outcome")
        let text = #"{"inputs":[{"name":"text","datatype":"BYTES","shape":[1],"data":["a"]}]}"#
        let texts = try await s.request("POST", "/v2/models/outcome/infer", token: s.tokens[.analyst], body: Data(text.utf8))
        XCTAssertEqual(texts.status, 400, "\(texts)")
        XCTAssertTrue((texts.json["error"] as? String ?? "").hasPrefix("inputs[0] is named \"text\"; this model takes one input, \"case\""), "\(texts)")
        // Its model/ folder is empty: the run cannot be loaded, and the server says so.
        let body = #"{"inputs":[{"name":"case","datatype":"BYTES","shape":[1],"data":[{"term_for_split":2002}]}]}"#
        let infer = try await s.request("POST", "/v2/models/outcome/infer", token: s.tokens[.analyst], body: Data(body.utf8))
        XCTAssertEqual(infer.status, 503, "\(infer)")
        XCTAssertTrue((infer.json["error"] as? String ?? "").hasPrefix("model outcome version 1 cannot be loaded from \(run.path): "), "\(infer)")
    }
}
