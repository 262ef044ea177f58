import Foundation
import Tensor
import Transformer
import XCTest

/// The fine-tuning loop on a tiny random model: same seed, same run; a saved and resumed
/// run equals an uninterrupted one; length bucketing covers every example once per epoch.
final class FineTuneLoopTests: XCTestCase {
    func options(freeze: Int = 0, seed: UInt64 = 9) -> FineTuneOptions {
        var o = FineTuneOptions(task: .classify)
        o.epochs = 3; o.batchSize = 4; o.accumulationSteps = 2; o.learningRate = 2e-3; o.freezeLayers = freeze; o.seed = seed
        o.bucketBatches = 2
        return o
    }

    func losses(_ tuner: FineTuner, steps: Int) throws -> [Float] { try (0..<steps).map { _ in try tuner.step().loss } }

    func testSameSeedGivesTheSameLossCurve() throws {
        let examples = try TinyTask.examples(20, seed: 2)
        func curve(seed: UInt64) throws -> ([Float], [Float]) {
            let tuner = try FineTuner(model: try TinyTask.model(seed: 4), examples: examples, options: options(seed: seed))
            var all: [Float] = []
            while !tuner.isFinished { all += try tuner.trainEpoch() }
            return (all, TinyTask.values(tuner.model))
        }
        let (a, weightsA) = try curve(seed: 9)
        let (b, weightsB) = try curve(seed: 9)
        let (c, _) = try curve(seed: 10)
        XCTAssertEqual(a.count, 9, "5 micro-batches of ≤4 → 3 updates per epoch (accumulating 2), 3 epochs")
        XCTAssertEqual(a, b, "same seed: identical loss curve")
        XCTAssertTrue(weightsA == weightsB, "same seed: identical weights")
        XCTAssertNotEqual(a, c, "another seed shuffles and drops out differently")
        print("[determinism] loss curve \(a)")
    }

    func testResumedRunEqualsAnUninterruptedRun() throws {
        let examples = try TinyTask.examples(20, seed: 2)
        for freeze in [0, 1] {
            let straight = try FineTuner(model: try TinyTask.model(seed: 4), examples: examples, options: options(freeze: freeze))
            let straightLosses = try losses(straight, steps: 7)

            let first = try FineTuner(model: try TinyTask.model(seed: 4), examples: examples, options: options(freeze: freeze))
            var resumedLosses = try losses(first, steps: 4)  // stops mid-epoch 2
            XCTAssertEqual(first.position.epoch, 1)
            XCTAssertEqual(first.position.batchesDone, 2)
            let dir = try TinyTask.temporaryDirectory("resume")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try first.saveState(to: dir)
            let resumed = try FineTuner.resume(from: dir, examples: examples, options: options(freeze: freeze))
            XCTAssertEqual(resumed.position, first.position)
            XCTAssertEqual(resumed.loop.optimizers[0].step, 4)
            resumedLosses += try losses(resumed, steps: 3)

            XCTAssertEqual(resumedLosses, straightLosses, "freeze \(freeze): loss per update")
            let a = TinyTask.values(straight.model), b = TinyTask.values(resumed.model)
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            XCTAssertEqual(worst, 0, "freeze \(freeze): weights after 4 + 3 updates equal 7 straight updates bit for bit")
        }
    }

    func testResumeRejectsAStateThatDoesNotFit() throws {
        let examples = try TinyTask.examples(20, seed: 2)
        let tuner = try FineTuner(model: try TinyTask.model(seed: 4), examples: examples, options: options())
        try tuner.step()
        let dir = try TinyTask.temporaryDirectory("resume-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try tuner.saveState(to: dir)
        try Data("{\"epoch\":0,\"batchesDone\":2,\"step\":5,\"epochLosses\":[]}".utf8).write(to: URL(fileURLWithPath: dir + "/trainer_state.json"))
        XCTAssertThrowsError(try FineTuner.resume(from: dir, examples: examples, options: options())) {
            XCTAssertTrue("\($0)".contains("trainer state is at update 5 but the optimizer state at 1"), "\($0)")
        }
        try FileManager.default.removeItem(atPath: dir + "/optimizer.safetensors")
        XCTAssertThrowsError(try FineTuner.resume(from: dir, examples: examples, options: options())) {
            XCTAssertTrue("\($0)".contains("optimizer.safetensors"), "\($0)")
        }
    }

    func testLengthBucketingKeepsEveryExampleOncePerEpoch() {
        var rng = SeededGenerator(seed: 1)
        let lengths = (0..<203).map { _ in 3 + Int(rng.next() % 120) }
        var firstBatches: Set<[Int]> = []
        for seed: UInt64 in [1, 2] {
            for epoch in 0..<4 {
                let plan = LengthBucketing.plan(lengths: lengths, batchSize: 8, seed: seed, epoch: epoch, bucketBatches: 5)
                XCTAssertEqual(plan.flatMap { $0 }.sorted(), Array(0..<203), "seed \(seed) epoch \(epoch): every example exactly once")
                XCTAssertEqual(plan.count, 26)
                XCTAssertEqual(plan.filter { $0.count != 8 }.map(\.count), [3])
                XCTAssertEqual(plan, LengthBucketing.plan(lengths: lengths, batchSize: 8, seed: seed, epoch: epoch, bucketBatches: 5), "a plan is a function of seed and epoch")
                firstBatches.insert(plan[0])
                // Bucketing pads far less than a random cut of the same shuffled order would.
                let padded = plan.reduce(0) { $0 + $1.count * ($1.map { lengths[$0] }.max() ?? 0) }
                let random = stride(from: 0, to: 203, by: 8).reduce(0) { sum, s in
                    let b = Array(s..<min(s + 8, 203))
                    return sum + b.count * (b.map { lengths[$0] }.max() ?? 0)
                }
                XCTAssertLessThan(padded, random * 3 / 4, "bucketed batches pad \(padded) token slots vs \(random) unsorted")
            }
        }
        XCTAssertEqual(firstBatches.count, 8, "each (seed, epoch) orders the data differently")
    }
}
