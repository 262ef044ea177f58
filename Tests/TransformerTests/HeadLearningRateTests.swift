import Foundation
import Tensor
import Transformer
import XCTest

/// `headLearningRate`: the classifier as a second AdamW group at its own rate over the
/// same parameters. One update moves the encoder as a single-group run at the model rate
/// does and the classifier as one at the head rate does; at equal rates the two-group run
/// is the single-group run bit for bit; a run folder with it resumes exactly.
final class HeadLearningRateTests: XCTestCase {
    func options(lr: Float, head: Float?) -> FineTuneOptions {
        var o = FineTuneOptions(task: .classify)
        o.epochs = 2; o.batchSize = 4; o.learningRate = lr; o.headLearningRate = head; o.seed = 3; o.warmupRatio = 0
        o.maxGradNorm = 0.5  // clipping active: the shared set must be clipped once, by one norm
        return o
    }

    func trained(_ o: FineTuneOptions, steps: Int) throws -> BertModel {
        let tuner = try FineTuner(model: try TinyTask.model(seed: 4), examples: try TinyTask.examples(20, seed: 2), options: o)
        for _ in 0..<steps { try tuner.step() }
        return tuner.model
    }

    func values(_ model: BertModel, _ keep: (String) -> Bool) -> [Float] {
        model.parameters.parameters.filter { keep($0.name) }.flatMap { Array(UnsafeBufferPointer(start: $0.value.data, count: $0.value.count)) }
    }

    func testOneUpdateMovesEachGroupAtItsOwnRate() throws {
        let split = try trained(options(lr: 1e-3, head: 3e-2), steps: 1)
        let slow = try trained(options(lr: 1e-3, head: nil), steps: 1)
        let fast = try trained(options(lr: 3e-2, head: nil), steps: 1)
        let isHead: (String) -> Bool = { $0.hasPrefix("classifier.") }
        XCTAssertEqual(values(split, isHead).count, 16 * 3 + 3)
        XCTAssertTrue(values(split, { !isHead($0) }) == values(slow, { !isHead($0) }), "encoder at the model rate")
        XCTAssertTrue(values(split, isHead) == values(fast, isHead), "classifier at the head rate")
        XCTAssertFalse(values(split, isHead) == values(slow, isHead))
    }

    func testEqualRatesEqualTheSingleGroupRun() throws {
        XCTAssertTrue(TinyTask.values(try trained(options(lr: 2e-3, head: 2e-3), steps: 5)) == TinyTask.values(try trained(options(lr: 2e-3, head: nil), steps: 5)))
    }

    func testRunWithAHeadRateResumesExactlyAndRecordsIt() throws {
        let dir = try TinyTask.temporaryDirectory("head-lr")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try TinyTask.runInputs(dir)
        var o = options(lr: 1e-3, head: 1e-2)
        o.maxLength = 24
        let straight = try FineTuneRun(inputs: inputs, options: o, directory: dir + "/a").run(resume: false)
        let run = FineTuneRun(inputs: inputs, options: o, directory: dir + "/b")
        try run.run(resume: false, epochLimit: 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/b/state/optimizer.head.safetensors"))
        let resumed = try run.run(resume: true)
        XCTAssertEqual(resumed.map(\.trainLoss), straight.map(\.trainLoss))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/b/state/model.safetensors")),
                       try Data(contentsOf: URL(fileURLWithPath: dir + "/a/state/model.safetensors")))
        XCTAssertEqual(try FineTuneRun.record(ofRun: dir + "/b").options.headLearningRate, 1e-2)
        XCTAssertTrue(try String(contentsOfFile: dir + "/b/summary.md", encoding: .utf8).contains("lr 0.001 (head 0.01)"))
    }
}
