import Foundation
import TestRequirements
import XCTest

/// `lexgraph finetune` with the head options: mean pooling, balanced class weights and
/// every layer frozen reach the run folder; a bad choice is a usage error and a depth past
/// the model's a runtime error naming the option.
final class FineTuneCommandTests: XCTestCase {
    func testHeadOptionsReachTheRunFolder() throws {
        let dir = try TinyTask.temporaryDirectory("finetune-cli")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try TinyTask.runInputs(dir)
        let common = ["finetune", "--model", inputs.modelDirectory, "--train", inputs.trainPath, "--dev", try XCTUnwrap(inputs.devPath),
                      "--task", "classify", "--id-field", "id", "--epochs", "2", "--lr", "5e-3", "--batch-size", "4", "--max-length", "24"]
        let ok = try LexgraphBinary.run(common + ["--pooling", "mean", "--class-weight", "balanced", "--freeze-layers", "2", "--out", dir + "/run"])
        XCTAssertEqual(ok.status, 0, "\(ok)")
        XCTAssertTrue(ok.stderr.contains("cached the output of 2 frozen layers for 33 examples"), ok.stderr)
        XCTAssertTrue(ok.stderr.contains("class weights (cross-entropy weight): contract 1, court 1, statute 1"), ok.stderr)
        XCTAssertTrue(ok.stdout.contains("run folder: \(dir)/run (2 epoch(s)"), ok.stdout)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/run/checkpoint/config.json"))) as? [String: Any])
        XCTAssertEqual(config["lexgraph_pooling"] as? String, "mean")
        let record = try XCTUnwrap(config["lexgraph_finetune"] as? [String: Any])
        XCTAssertEqual(record["classWeights"] as? [Double], [1, 1, 1])
        XCTAssertEqual((record["options"] as? [String: Any])?["freezeLayers"] as? Int, 2)

        let badChoice = try LexgraphBinary.run(common + ["--pooling", "max", "--out", dir + "/bad"])
        XCTAssertEqual(badChoice.status, 64, "\(badChoice)")
        XCTAssertTrue(badChoice.stderr.contains("max"), badChoice.stderr)
        let tooDeep = try LexgraphBinary.run(common + ["--freeze-layers", "3", "--out", dir + "/deep"])
        XCTAssertEqual(tooDeep.status, 1, "\(tooDeep)")
        XCTAssertTrue(tooDeep.stderr.contains("lexgraph: error: fine-tuning option freeze layers must be in 0...2 for this model"), tooDeep.stderr)
    }
}
