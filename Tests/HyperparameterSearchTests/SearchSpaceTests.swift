import HyperparameterSearch
import Transformer
import XCTest

/// Space files: what a good one reads as, and each kind of mistake reported at its line
/// with the offending value.
final class SearchSpaceTests: XCTestCase {
    static let good = """
        # ASHA over a few fine-tuning settings
        search:
          trials: 9
          reduction_factor: 3
          min_epochs: 1
          max_epochs: 9
          seed: 4
        space:
          learning_rate: {log_uniform: [1.0e-4, 1.0e-2]}
          head_learning_rate: {choice: [1.0e-3, 3.0e-3]}
          batch_size: {choice: [8, 16]}
          epochs: {int: [3, 9]}
          warmup_ratio: {uniform: [0, 0.2]}
          dropout: {uniform: [0.0, 0.2]}
          seed: {int: [1, 100]}
        """

    static var sampled: SearchSpace { try! SearchSpace.parse(good, file: "space.yaml") }

    func testGoodFileReadsAndSamplesInRange() throws {
        let space = try SearchSpace.parse(Self.good, file: "space.yaml")
        XCTAssertEqual(space.trials, 9)
        XCTAssertEqual(space.rungs(baseWarmupRatio: 0.1), [1, 3, 9])
        XCTAssertEqual(space.entries.map(\.name), ["learning_rate", "head_learning_rate", "batch_size", "epochs", "warmup_ratio", "dropout", "seed"])
        XCTAssertEqual(space.entries[0].distribution, .logUniform(low: 1e-4, high: 1e-2))
        XCTAssertEqual(space.entries[3].distribution, .intRange(low: 3, high: 9))
        XCTAssertNil(space.grid)
        for i in 0..<50 {
            let c = space.configuration(i)
            XCTAssertEqual(c, space.configuration(i), "a configuration depends only on (seed, index)")
            let lr = try XCTUnwrap(c["learning_rate"]).double
            XCTAssertTrue((1e-4...1e-2).contains(lr), "\(lr)")
            guard case .int(let epochs)? = c["epochs"] else { return XCTFail("epochs \(String(describing: c["epochs"]))") }
            XCTAssertTrue((3...9).contains(epochs))
            XCTAssertTrue([ParameterValue.int(8), .int(16)].contains(try XCTUnwrap(c["batch_size"])))
            let options = Hyperparameter.options(FineTuneOptions(task: .classify), with: c)
            XCTAssertEqual(Double(options.learningRate), lr, accuracy: lr * 1e-6)
            XCTAssertEqual(options.epochs, epochs)
            XCTAssertNotNil(options.headLearningRate)
            let dropout = try XCTUnwrap(options.dropoutRate)
            XCTAssertTrue((0...0.2).contains(dropout), "\(dropout)")
        }
        // Log-uniform: about half the draws below the geometric mean 1e-3.
        let below = (0..<400).filter { try! XCTUnwrap(space.configuration($0)["learning_rate"]).double < 1e-3 }.count
        XCTAssertTrue((160...240).contains(below), "\(below) of 400 below 1e-3")
    }

    func testAllChoiceSpaceIsAGridDrawnWithoutReplacement() throws {
        let space = try SearchSpace.parse("""
            search: {trials: 6, max_epochs: 4, reduction_factor: 2}
            space:
              learning_rate: {choice: [1.0e-3, 3.0e-3, 1.0e-2]}
              batch_size: {choice: [8, 16]}
            """, file: "grid.yaml")
        XCTAssertEqual(space.rungs(baseWarmupRatio: 0.1), [1, 2, 4])
        let grid = try XCTUnwrap(space.grid)
        XCTAssertEqual(grid.count, 6)
        XCTAssertEqual(Set((0..<6).map(space.configuration)), Set(grid), "six draws are the six grid points")
    }

    /// Rung 0 after the latest warm-up: the space's largest warmup_ratio (or the trials'
    /// own) times its largest epochs (or max_epochs), plus after_warmup; fractions allowed.
    func testRungZeroAfterTheWarmUp() throws {
        let plain = try SearchSpace.parse("search: {trials: 2, after_warmup: 0.6, max_epochs: 9}\nspace:\n  learning_rate: {choice: [1.0e-3, 1.0e-2]}\n", file: "s.yaml")
        XCTAssertEqual(plain.afterWarmup, 0.6)
        XCTAssertEqual(plain.warmupEnd(baseWarmupRatio: 0.1), 0.9, accuracy: 1e-12)
        XCTAssertEqual(plain.rungs(baseWarmupRatio: 0.1), [0.1 * 9 + 0.6, (0.1 * 9 + 0.6) * 3, 9])
        XCTAssertEqual(plain.rungs(baseWarmupRatio: 0.1).first ?? 0, 1.5, accuracy: 1e-12)
        let searched = try SearchSpace.parse("""
            search: {trials: 9, after_warmup: 0.25, max_epochs: 10}
            space:
              warmup_ratio: {uniform: [0.0, 0.2]}
              epochs: {choice: [4, 8]}
            """, file: "s.yaml")
        XCTAssertEqual(searched.warmupEnd(baseWarmupRatio: 0.1), 0.2 * 8, accuracy: 1e-12, "the largest ratio times the largest epochs")
        XCTAssertEqual(searched.rungs(baseWarmupRatio: 0.1), [0.2 * 8 + 0.25, (0.2 * 8 + 0.25) * 3, 10])
        let fraction = try SearchSpace.parse("search: {trials: 4, min_epochs: 0.5, max_epochs: 4, reduction_factor: 2}\nspace:\n  seed: {int: [1, 9]}\n", file: "s.yaml")
        XCTAssertEqual(fraction.rungs(baseWarmupRatio: 0.1), [0.5, 1, 2, 4])
        XCTAssertEqual([1.5, 4.5, 9].map { SearchSpace.steps(epochs: $0, stepsPerEpoch: 13) }, [19, 58, 117], "updates round down")
    }

    func assertError(_ text: String, line: Int, _ fragment: String, file: StaticString = #filePath, testLine: UInt = #line) {
        XCTAssertThrowsError(try SearchSpace.parse(text, file: "s.yaml"), file: file, line: testLine) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("s.yaml:\(line)"), "expected line \(line): \(message)", file: file, line: testLine)
            XCTAssertTrue(message.contains(fragment), "expected '\(fragment)' in: \(message)", file: file, line: testLine)
        }
    }

    func testBadFilesNameTheLineAndTheValue() {
        let head = "search: {trials: 4, max_epochs: 9}\nspace:\n"
        assertError(head + "  learning_rat: {log_uniform: [1.0e-4, 1.0e-2]}\n", line: 3, "unknown hyperparameter 'learning_rat'")
        assertError(head + "  learning_rate: {log_uniform: [1.0e-2, 1.0e-4]}\n", line: 3, "empty or reversed")
        assertError(head + "  learning_rate: {log_uniform: [0, 1.0e-2]}\n", line: 3, "must be positive, got 0")
        assertError(head + "  warmup_ratio: {uniform: [0, 1.5]}\n", line: 3, "must be in [0, 1], got 1.5")
        assertError(head + "  batch_size: {choice: [8, sixteen]}\n", line: 3, "takes an integer, got 'sixteen'")
        assertError(head + "  batch_size: {log_uniform: [8, 32]}\n", line: 3, "is an integer")
        assertError(head + "  learning_rate: {normal: [1, 2]}\n", line: 3, "unknown distribution 'normal'")
        assertError(head + "  dropout: {uniform: [0, 1]}\n", line: 3, "'dropout' must be in [0, 1), got 1")
        assertError(head + "  dropout: {choice: [true, false]}\n", line: 3, "'dropout' is a rate in [0, 1) (0: none, 0.1: BERT's default), not on/off: got 'true'")
        let seed = "space:\n  seed: {choice: [1, 2]}\n"
        assertError("search:\n  trials: 2\n  max_epochs: 9\n  after_warmup: -0.5\n" + seed, line: 4, "'after_warmup' must be a number of epochs >= 0 (fractions allowed), got '-0.5'")
        assertError("search:\n  trials: 2\n  max_epochs: 9\n  min_epochs: 0\n" + seed, line: 4, "'min_epochs' must be a number of epochs above 0 (fractions allowed), got '0'")
        assertError("search:\n  trials: 2\n  max_epochs: 9\n  min_epochs: one\n" + seed, line: 4, "got 'one'")
        assertError("search:\n  trials: 2\n  max_epochs: 9\n  min_epochs: 12.5\n" + seed, line: 4, "min_epochs 12.5 is above max_epochs 9")
        assertError("search:\n  trials: 2\n  min_epochs: 1\n  max_epochs: 9\n  after_warmup: 0.5\n" + seed, line: 5,
                    "give min_epochs or after_warmup, not both: each sets rung 0 (min_epochs at line 3)")
        assertError("search:\n  trials: 2\n  max_epochs: 9\n  after_warmup: 8.5\n" + seed, line: 4,
                    "after_warmup 8.5 puts rung 0 at 9.4 epochs (the latest warm-up ends at 0.9), not below max_epochs 9")
        assertError(head + "  epochs: {choice: [3, 12]}\n", line: 3, "epochs 12 is above max_epochs 9")
        assertError(head + "  seed: {int: [5]}\n", line: 3, "needs [low, high]")
        assertError(head + "  seed: {choice: [1, 1]}\n", line: 3, "each value once")
        assertError("search: {trials: 4, max_epochs: 9, eta: 3}\nspace:\n  seed: {choice: [1, 2]}\n", line: 1, "unknown search setting 'eta'")
        assertError("search:\n  trials: 0\n  max_epochs: 9\nspace:\n  seed: {int: [1, 9]}\n", line: 2, "'trials' must be an integer >= 1, got '0'")
        assertError("search:\n  trials: 5\n  max_epochs: 9\nspace:\n  seed: {choice: [1, 2]}\n", line: 2, "more than the 2 configurations")
        assertError("search: {trials: 4, max_epochs: 9}\nspaces:\n  seed: {choice: [1, 2]}\n", line: 2, "unknown key 'spaces'")
        assertError("search: {trials: 4}\nspace:\n  seed: {choice: [1, 2]}\n", line: 1, "needs 'max_epochs'")
    }
}
