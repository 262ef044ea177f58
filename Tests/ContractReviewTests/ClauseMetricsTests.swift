import Foundation
import LexgraphCore
import Transformer
import XCTest
import ContractReview

/// The clause metrics against scikit-learn (Tests/Fixtures/clauses/metrics.json, written
/// by tools/make_clause_metric_fixtures.py), within 1e-9.
final class ClauseMetricsTests: XCTestCase {
    static func fixture() throws -> [String: Value] {
        let url = ClauseTestSupport.packageRoot.appendingPathComponent("Tests/Fixtures/clauses/metrics.json")
        guard case .map(let object) = try Value.parseJSON(bytes: [UInt8](try Data(contentsOf: url))) else {
            throw ClauseTestSupport.Failure(description: "metrics.json is not a JSON object")
        }
        return object
    }

    func cases(_ key: String) throws -> [[String: Value]] {
        let list = ClauseTestSupport.list(try Self.fixture()[key])
        XCTAssertFalse(list.isEmpty, "fixture has no \(key) cases")
        return list.map(ClauseTestSupport.map)
    }

    func testTopKFamilyAccuracyAndMacroF1MatchScikitLearn() throws {
        for c in try cases("ranking") {
            let name = c["name"]?.stringValue ?? "?"
            let gold = ClauseTestSupport.ints(c["gold"])
            let scores = ClauseTestSupport.list(c["scores"]).map(ClauseTestSupport.doubles)
            let predicted = scores.map(ClauseMetrics.argmax)
            XCTAssertEqual(predicted, ClauseTestSupport.ints(c["predicted"]), "\(name): argmax (first of tied maxima)")
            let families = ClauseTestSupport.list(c["families"]).compactMap(\.stringValue)
            XCTAssertEqual(ClauseMetrics.familyAccuracy(gold: gold, predicted: predicted, family: families),
                           try XCTUnwrap(c["family_accuracy"]?.doubleValue), accuracy: 1e-9, "\(name): family accuracy")
            let single = ClauseScoring.score(task: .clauseTypes, labels: families.indices.map { "t\($0)" }, gold: gold.map { [$0] },
                                             probabilities: scores, families: families)
            XCTAssertEqual(try XCTUnwrap(single.metrics["accuracy"]), try XCTUnwrap(c["accuracy"]?.doubleValue), accuracy: 1e-9, name)
            XCTAssertEqual(try XCTUnwrap(single.metrics["macro_f1"]), try XCTUnwrap(c["macro_f1"]?.doubleValue), accuracy: 1e-9, name)
            let topK = ClauseTestSupport.map(try XCTUnwrap(c["top_k"]))
            XCTAssertFalse(topK.isEmpty)
            for (k, expected) in topK {
                XCTAssertEqual(ClauseMetrics.topKAccuracy(gold: gold, scores: scores, k: Int(k)!), try XCTUnwrap(expected.doubleValue),
                               accuracy: 1e-9, "\(name): top-\(k)")
            }
            if let top5 = topK["5"]?.doubleValue { XCTAssertEqual(try XCTUnwrap(single.metrics["top5"]), top5, accuracy: 1e-9, name) }
        }
    }

    func testAveragePrecisionAndPrecisionAtRecallMatchScikitLearn() throws {
        for c in try cases("binary") {
            let name = c["name"]?.stringValue ?? "?"
            let labels = ClauseTestSupport.ints(c["labels"]).map { $0 != 0 }
            let scores = ClauseTestSupport.doubles(c["scores"])
            let levels = ClauseTestSupport.doubles(c["levels"])
            let ap = ClauseMetrics.averagePrecision(labels: labels, scores: scores)
            if let expected = c["average_precision"]?.doubleValue {
                XCTAssertEqual(try XCTUnwrap(ap, name), expected, accuracy: 1e-9, "\(name): AP")
            } else {
                XCTAssertNil(ap, "\(name): AP is undefined without a positive (sklearn answers \(c["sklearn_ap_without_positive"]?.doubleValue ?? .nan))")
            }
            let expected = ClauseTestSupport.list(c["precision_at_recall"])
            XCTAssertEqual(expected.count, levels.count)
            for (level, e) in zip(levels, expected) {
                let got = ClauseMetrics.precisionAtRecall(level, labels: labels, scores: scores)
                if let e = e.doubleValue {
                    XCTAssertEqual(try XCTUnwrap(got, "\(name) r=\(level)"), e, accuracy: 1e-9, "\(name): precision at recall \(level)")
                } else {
                    XCTAssertNil(got, "\(name) r=\(level)")
                }
            }
        }
    }

    func testMultiLabelF1WithOtherAndPooledECEMatchScikitLearn() throws {
        for c in try cases("multilabel") {
            let name = c["name"]?.stringValue ?? "?"
            let count = Int(try XCTUnwrap(c["label_count"]?.intValue))
            let gold = ClauseTestSupport.list(c["gold"]).map { Set(ClauseTestSupport.ints($0)) }
            let predicted = ClauseTestSupport.list(c["predicted"]).map { Set(ClauseTestSupport.ints($0)) }
            let probabilities = ClauseTestSupport.list(c["probabilities"]).map(ClauseTestSupport.doubles)
            XCTAssertEqual(ClauseMetrics.predictedSets(scores: probabilities, thresholds: Array(repeating: 0.5, count: count)), predicted, name)
            let labels = (0..<count).map { "l\($0)" }
            let scores = ClauseScoring.score(task: .unfairTOS, labels: labels, gold: gold.map { $0.sorted() }, probabilities: probabilities,
                                             thresholds: Array(repeating: 0.5, count: count))
            for (key, fixtureKey) in [("micro_f1_labels", "micro_f1"), ("macro_f1_labels", "macro_f1"), ("macro_f1", "macro_f1_with_other"),
                                      ("micro_f1", "micro_f1_with_other"), ("ece", "ece")] {
                XCTAssertEqual(try XCTUnwrap(scores.metrics[key], "\(name): \(key)"), try XCTUnwrap(c[fixtureKey]?.doubleValue),
                               accuracy: 1e-9, "\(name): \(key)")
            }
            XCTAssertEqual(scores.perLabel.last?.label, "Other", "unfair-tos lists Other after the labels")
        }
    }

    func testThresholdsTunedOnDevMatchBruteForceWithScikitLearn() throws {
        for c in try cases("thresholds") {
            let name = c["name"]?.stringValue ?? "?"
            let count = Int(try XCTUnwrap(c["label_count"]?.intValue))
            let fallback = try XCTUnwrap(c["fallback"]?.doubleValue)
            let devGold = ClauseTestSupport.list(c["dev_gold"]).map { Set(ClauseTestSupport.ints($0)) }
            let devScores = ClauseTestSupport.list(c["dev_scores"]).map(ClauseTestSupport.doubles)
            let thresholds = ClauseMetrics.tunedThresholds(gold: devGold, scores: devScores, labelCount: count, fallback: fallback)
            // Exactly: a threshold is one of the dev scores (or the fallback).
            XCTAssertEqual(thresholds, ClauseTestSupport.doubles(c["thresholds"]), name)
            let testGold = ClauseTestSupport.list(c["test_gold"]).map { Set(ClauseTestSupport.ints($0)) }
            let testScores = ClauseTestSupport.list(c["test_scores"]).map(ClauseTestSupport.doubles)
            let predicted = ClauseMetrics.predictedSets(scores: testScores, thresholds: thresholds)
            XCTAssertEqual(predicted, ClauseTestSupport.list(c["test_predicted"]).map { Set(ClauseTestSupport.ints($0)) }, name)
            let f1 = ClassificationMetrics.multiLabelF1(gold: testGold, predicted: predicted, labelCount: count)
            XCTAssertEqual(f1.micro, try XCTUnwrap(c["test_micro_f1"]?.doubleValue), accuracy: 1e-9, name)
            XCTAssertEqual(f1.macro, try XCTUnwrap(c["test_macro_f1"]?.doubleValue), accuracy: 1e-9, name)
            XCTAssertEqual(ClauseMetrics.f1WithOther(gold: testGold, predicted: predicted, labelCount: count).macro,
                           try XCTUnwrap(c["test_macro_f1_with_other"]?.doubleValue), accuracy: 1e-9, name)
        }
    }

    func testThresholdTiesGoToTheLargerThresholdAndNoPositiveKeepsFallback() {
        // Thresholds 0.9 and 0.7 both give F1 2/3 (1 of 2 positives; then 2 of 2 with 2 negatives); 0.9 wins.
        let labels = [true, false, true, false]
        XCTAssertEqual(ClauseMetrics.tunedThreshold(labels: labels, scores: [0.9, 0.8, 0.7, 0.7], fallback: 0.5), 0.9)
        XCTAssertEqual(ClauseMetrics.tunedThreshold(labels: [false, false], scores: [0.9, 0.1], fallback: 0.5), 0.5)
        XCTAssertEqual(ClauseMetrics.tunedThreshold(labels: [false, false], scores: [0.9, 0.1], fallback: 0), 0)
    }
}
