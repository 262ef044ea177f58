import LexgraphCore
import Prediction
import XCTest

/// The real SCOTUS dataset through the loader, and the evaluation runner on it.
final class DatasetTests: XCTestCase {
    func testLoadsCasesAndPastOutcomes() throws {
        let dataset = try CaseDataset.load(dataFolder: try TestSupport.requireSharedData())
        // shared/README.md: 2,818 cases, 12 with a null label.
        XCTAssertEqual(dataset.cases.count, 2818)
        XCTAssertEqual(dataset.unlabelledCount, 12)
        let joined = dataset.cases.filter { $0.input.scdbCaseID != nil }
        XCTAssertTrue(joined.allSatisfy { $0.input.scdb != nil })
        // The reference date precedes the decision wherever the decision date is known.
        for c in dataset.cases {
            if let decided = c.decisionDate { XCTAssertLessThanOrEqual(c.asOf, decided, "line \(c.line)") }
            XCTAssertLessThanOrEqual(c.asOf, c.outcomeKnownFrom, "line \(c.line)")
        }
        // Past outcomes: the labelled cases plus SCDB rows without text.
        XCTAssertGreaterThan(dataset.pastOutcomes.count, dataset.labelledCases.count + 5000)
        let full = try XCTUnwrap(dataset.folds(.fixed(.full)).first)
        XCTAssertTrue(full.train.allSatisfy { $0.input.term <= 2007 })
        XCTAssertTrue(full.dev.allSatisfy { (2008...2010).contains($0.input.term) })
        XCTAssertTrue(full.test.allSatisfy { (2011...2013).contains($0.input.term) })
        let walk = dataset.folds(.standardWalkForward)
        XCTAssertEqual(walk.count, 13)
        for fold in walk {
            guard let term = fold.test.first?.input.term else { continue }
            XCTAssertTrue(fold.train.allSatisfy { $0.input.term < term })
        }
    }

    /// The three baselines on split_full: the majority's accuracy as the issue measured it,
    /// and every baseline's probabilities pinned to an independent computation.
    func testBaselinesOnSplitFull() throws {
        let dataset = try CaseDataset.load(dataFolder: try TestSupport.requireSharedData())
        let report = try Evaluator(bootstrap: Bootstrap(resamples: 100))
            .evaluate(.fixed(.full), dataset: dataset, models: Evaluator.baselines(dataset: dataset))
        XCTAssertEqual(report.test.map(\.model), ["majority", "past-outcome", "scdb-logistic"])
        XCTAssertTrue(report.test.allSatisfy { $0.cases == report.testCases })
        // The issue measured always-petitioner at 0.641 on the test years.
        let majority = try XCTUnwrap(report.test.first)
        XCTAssertEqual(try XCTUnwrap(majority.metrics[.accuracy]), 0.641, accuracy: 0.0005)
        XCTAssertEqual(majority.metrics[.rocAUC], 0.5)
        XCTAssertEqual(report.testPetitionerRate, majority.metrics[.accuracy])
        for s in report.test {
            XCTAssertEqual(s.intervals.count, Metric.allCases.count, s.model)
        }
        XCTAssertTrue(report.table.contains("scdb-logistic"))
        guard case .map(let json) = report.json else { return XCTFail("report JSON is not an object") }
        XCTAssertEqual(json["test_cases"], .int(Int64(report.testCases)))

        // Every baseline against an independent computation from the same files
        // (tools/make_baseline_fixture.py: Python, numpy, scikit-learn's LogisticRegression):
        // each test case's probability, and the metrics.
        let fixture = try TestSupport.fixture("baselines_split_full.json")
        XCTAssertEqual(fixture["test_cases"], .int(Int64(report.testCases)))
        XCTAssertEqual(fixture["train_cases"], .int(Int64(report.trainCases)))
        let models = TestSupport.map(try XCTUnwrap(fixture["models"]))
        XCTAssertEqual(Set(models.keys), Set(report.test.map(\.model)))
        for scores in report.test {
            let expected = TestSupport.map(try XCTUnwrap(models[scores.model], scores.model))
            // Newton's method against lbfgs at tol 1e-12: the logistic regression agrees to
            // about 1e-7; the closed-form baselines to rounding.
            let tolerance = scores.model == "scdb-logistic" ? 1e-6 : 1e-12
            let probabilities = TestSupport.map(try XCTUnwrap(expected["probabilities"]))
            let predictions = try XCTUnwrap(report.predictions[scores.model])
            XCTAssertEqual(predictions.count, probabilities.count, scores.model)
            for p in predictions {
                let reference = try XCTUnwrap(probabilities[String(p.caseLine)]?.doubleValue, "\(scores.model): case line \(p.caseLine)")
                XCTAssertEqual(p.probability, reference, accuracy: tolerance, "\(scores.model): case line \(p.caseLine)")
            }
            for (metric, key) in [(Metric.accuracy, "accuracy"), (.rocAUC, "roc_auc"), (.brier, "brier")] {
                XCTAssertEqual(try XCTUnwrap(scores.metrics[metric]), try XCTUnwrap(expected[key]?.doubleValue), accuracy: 1e-6, "\(scores.model) \(key)")
            }
        }
    }
}
