import ActiveLearning
import Foundation
import XCTest

/// The query strategies against small-text 1.4 (tools/active_learning_reference.py) and
/// on hand-made rows whose picks are known.
final class QueryStrategyTests: XCTestCase {
    struct Reference: Decodable {
        struct Picks: Decodable { let picks: [Int]; let small_text_scores: [Double] }
        struct KCenter: Decodable { let points: [[Float]]; let unlabelled: [Int]; let labelled: [Int]; let k: Int; let picks: [Int] }
        struct Kappa: Decodable { let a: [Int]; let b: [Int]; let sklearn: Double }
        let probabilities: [[Float]]
        let k: Int
        let strategies: [String: Picks]
        let kcenter: KCenter
        let kappa: Kappa
    }

    static func reference() throws -> Reference {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/active-learning/reference.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    func testUncertaintyPicksAndScoresMatchSmallText() throws {
        let ref = try Self.reference()
        let candidates = Array(ref.probabilities.indices)
        for (name, expected) in ref.strategies {
            let strategy = try XCTUnwrap(QueryStrategy(rawValue: name))
            let picks = try QuerySelection.select(strategy, k: ref.k, candidates: candidates, probabilities: ref.probabilities, seed: 0)
            XCTAssertEqual(picks.sorted(), expected.picks, name)
            // small-text's confidence: max p (lower is picked), the best-vs-second margin, the entropy.
            for (row, theirs) in zip(ref.probabilities, expected.small_text_scores) {
                let ours = strategy.score(row)
                let mapped = strategy == .leastConfidence ? 1 - theirs : strategy == .margin ? -theirs : theirs
                XCTAssertEqual(ours, mapped, accuracy: 1e-5, name)
            }
        }
    }

    func testHandMadeRowsGiveKnownPicks() throws {
        let rows: [[Float]] = [
            [0.90, 0.05, 0.05],  // 0: confident
            [0.40, 0.40, 0.20],  // 1: a tie at the top: margin 0
            [0.34, 0.33, 0.33],  // 2: flattest: least confident, highest entropy
            [0.50, 0.25, 0.25],  // 3
        ]
        let c = Array(rows.indices)
        XCTAssertEqual(try QuerySelection.select(.margin, k: 2, candidates: c, probabilities: rows, seed: 0), [1, 2])
        XCTAssertEqual(try QuerySelection.select(.leastConfidence, k: 2, candidates: c, probabilities: rows, seed: 0), [2, 1])
        XCTAssertEqual(try QuerySelection.select(.entropy, k: 1, candidates: c, probabilities: rows, seed: 0), [2])
        // Candidates are pool indices: the picks name them, not their positions.
        XCTAssertEqual(try QuerySelection.select(.margin, k: 1, candidates: [10, 11, 12, 13], probabilities: rows, seed: 0), [11])
    }

    func testEqualScoresKeepPoolOrder() throws {
        let rows: [[Float]] = [[0.7, 0.3], [0.5, 0.5], [0.9, 0.1], [0.5, 0.5], [0.5, 0.5]]
        for s in [QueryStrategy.leastConfidence, .margin, .entropy] {
            XCTAssertEqual(try QuerySelection.select(s, k: 2, candidates: [4, 7, 9, 12, 15], probabilities: rows, seed: 0), [7, 12], s.rawValue)
        }
    }

    func testRandomIsSeeded() throws {
        let c = Array(100..<200)
        let a = try QuerySelection.select(.random, k: 10, candidates: c, seed: 3)
        XCTAssertEqual(a, try QuerySelection.select(.random, k: 10, candidates: c, seed: 3))
        XCTAssertNotEqual(a, try QuerySelection.select(.random, k: 10, candidates: c, seed: 4))
        XCTAssertEqual(Set(a).count, 10)
        XCTAssertTrue(a.allSatisfy(c.contains))
        XCTAssertEqual(try QuerySelection.select(.random, k: 500, candidates: c, seed: 3).sorted(), c, "k above the pool takes all of it")
    }

    func testKCenterMatchesSmallTextGreedyCoreset() throws {
        let ref = try Self.reference().kcenter
        let matrix = EmbeddingMatrix(rows: ref.points)
        let picks = try QuerySelection.select(.kcenter, k: ref.k, candidates: ref.unlabelled, embeddings: matrix, labelled: ref.labelled, seed: 0)
        XCTAssertEqual(picks, ref.picks)
    }

    func testKCenterOnALine() throws {
        let matrix = EmbeddingMatrix(rows: [[0], [1], [2], [10], [11]])
        // From 0: 11 is farthest; then 2 (4 from 0, 81 from 11) beats 1 and 10.
        XCTAssertEqual(try QuerySelection.select(.kcenter, k: 2, candidates: [1, 2, 3, 4], embeddings: matrix, labelled: [0], seed: 0), [4, 2])
        // Nothing labelled: a seeded first pick, the same on every run.
        let a = try QuerySelection.select(.kcenter, k: 3, candidates: [0, 1, 2, 3, 4], embeddings: matrix, seed: 9)
        XCTAssertEqual(a, try QuerySelection.select(.kcenter, k: 3, candidates: [0, 1, 2, 3, 4], embeddings: matrix, seed: 9))
        XCTAssertEqual(Set(a).count, 3)
    }

    func testBadRequestsAreErrors() {
        XCTAssertThrowsError(try QuerySelection.select(.random, k: 0, candidates: [1, 2], seed: 0)) {
            XCTAssertEqual("\($0)", "k must be at least 1, got 0")
        }
        XCTAssertThrowsError(try QuerySelection.select(.margin, k: 1, candidates: [1, 2], probabilities: [[0.5, 0.5]], seed: 0))
        XCTAssertThrowsError(try QuerySelection.select(.kcenter, k: 1, candidates: [1, 2], seed: 0))
    }

    func testKappaMatchesScikitLearn() throws {
        let ref = try Self.reference().kappa
        XCTAssertEqual(StabilizingPredictions.kappa(ref.a, ref.b), ref.sklearn, accuracy: 1e-12)
        XCTAssertEqual(StabilizingPredictions.kappa([1, 1, 1], [1, 1, 1]), 1)
        XCTAssertEqual(StabilizingPredictions.kappa([0, 1, 0, 1], [1, 0, 1, 0]), -1)
    }

    func testStoppingRuleNeedsAWindowOfStableRounds() {
        var rule = StabilizingPredictions(window: 3, threshold: 0.99)
        rule.record([0, 1, 2, 0])
        rule.record([0, 1, 1, 0])
        XCTAssertNil(rule.recentAgreement)
        for _ in 0..<2 { rule.record([0, 1, 1, 0]) }
        XCTAssertFalse(rule.shouldStop, "the first change still counts in the window")
        rule.record([0, 1, 1, 0])
        XCTAssertEqual(rule.agreements.suffix(3), [1, 1, 1])
        XCTAssertTrue(rule.shouldStop)
        XCTAssertEqual(StabilizingPredictions.stopSet(poolSize: 50, size: 10, seed: 1), StabilizingPredictions.stopSet(poolSize: 50, size: 10, seed: 1))
        XCTAssertEqual(StabilizingPredictions.stopSet(poolSize: 5, size: 10, seed: 1), [0, 1, 2, 3, 4])
    }
}
