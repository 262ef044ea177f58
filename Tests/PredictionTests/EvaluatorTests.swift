import LexgraphCore
import Prediction
import XCTest

/// The evaluation runner on a small synthetic dataset, with a plug-in model that checks
/// the protocol: it never predicts a case of a term it was trained on or before.
final class EvaluatorTests: XCTestCase {
    /// Records what it was trained on; predicts by term parity.
    final class ProtocolCheckingModel: OutcomeModel {
        let name = "protocol-check"
        var latestTrainingTerm = Int.min
        var fits = 0
        var violations: [String] = []

        func fit(train: [TrainingExample], dev: [TrainingExample]) throws {
            fits += 1
            latestTrainingTerm = train.map(\.query.input.term).max() ?? Int.min
        }

        func predictProbabilities(_ queries: [PredictionQuery]) throws -> [Double] {
            for q in queries where q.input.term <= latestTrainingTerm {
                violations.append("predicted term \(q.input.term) after training on term \(latestTrainingTerm)")
            }
            return queries.map { $0.input.term % 2 == 0 ? 0.8 : 0.3 }
        }
    }

    static func dataset() -> CaseDataset {
        var cases: [LabelledCase] = []
        for term in 1995...2003 {
            for k in 0..<6 {
                var input = CaseInput(term: term, facts: "case \(term)-\(k)")
                input.scdbIssueArea = k % 3
                let role: SplitRole = term <= 2000 ? .train : term == 2001 ? .dev : .test
                // Even terms: the petitioner mostly wins; odd terms: mostly loses.
                let label: Bool? = (term == 2002 && k == 5) ? nil : ((k < 4) == (term % 2 == 0))
                cases.append(LabelledCase(input: input, label: label,
                                          decisionDate: LegalDate(year: term + 1, month: 3, day: 1 + k),
                                          splits: [.full: role], line: cases.count + 1))
            }
        }
        let records = cases.compactMap { c in
            c.label.map { OutcomeRecord(attributes: c.input.historicalAttributes, knownFrom: c.outcomeKnownFrom, petitionerWon: $0) }
        }
        return CaseDataset(cases: cases, pastOutcomes: records)
    }

    func testWalkForwardNeverPredictsTrainedTerms() throws {
        let data = Self.dataset()
        let model = ProtocolCheckingModel()
        let report = try Evaluator(bootstrap: Bootstrap(resamples: 50))
            .evaluate(.walkForward(2001...2003), dataset: data, models: [MajorityClassModel(), model])
        XCTAssertEqual(model.fits, 3)
        XCTAssertEqual(model.violations, [])
        XCTAssertEqual(report.testCases, 17)  // 3 terms x 6 cases, one unlabelled
        XCTAssertEqual(report.unlabelledExcluded, 1)
        // Parity model: 4 of 6 right in each full term, 4 of 5 in 2002 (the unlabelled one was a loss).
        XCTAssertEqual(try XCTUnwrap(report.test[1].metrics[.accuracy]), 12.0 / 17.0, accuracy: 1e-12)
        XCTAssertEqual(report.predictions["protocol-check"]?.count, 17)
    }

    /// A model that chose its own threshold is scored at it: the parity model's 0.8 and 0.3
    /// both fall below 0.85, so it predicts a second-party win everywhere.
    func testModelsOwnThresholdDecidesItsPredictedLabels() throws {
        final class HighThresholdModel: OutcomeModel {
            let name = "high-threshold"
            let inner = ProtocolCheckingModel()
            var chosenThreshold: Double { 0.85 }
            func fit(train: [TrainingExample], dev: [TrainingExample]) throws { try inner.fit(train: train, dev: dev) }
            func predictProbabilities(_ queries: [PredictionQuery]) throws -> [Double] { try inner.predictProbabilities(queries) }
        }
        let data = Self.dataset()
        let report = try Evaluator(bootstrap: Bootstrap(resamples: 50))
            .evaluate(.walkForward(2001...2003), dataset: data, models: [ProtocolCheckingModel(), HighThresholdModel()])
        let own = try XCTUnwrap(report.predictions["high-threshold"])
        XCTAssertEqual(Set(own.map(\.threshold)), [0.85])
        XCTAssertEqual(report.thresholds["high-threshold"], 0.85...0.85)
        XCTAssertEqual(report.thresholds["protocol-check"], decisionThreshold...decisionThreshold)
        let labels = own.map(\.label)
        XCTAssertEqual(try XCTUnwrap(report.test[1].metrics[.accuracy]),
                       Metrics.accuracy(labels: labels, predicted: labels.map { _ in false }), accuracy: 1e-12)
        // Same probabilities, so the same AUC as the 0.5 model; only the labels differ.
        XCTAssertEqual(report.test[1].metrics[.rocAUC], report.test[0].metrics[.rocAUC])
        XCTAssertNotEqual(report.test[1].metrics[.accuracy], report.test[0].metrics[.accuracy])
    }

    func testFixedSplitScoresTestAndDevSeparately() throws {
        let data = Self.dataset()
        let model = ProtocolCheckingModel()
        let report = try Evaluator(bootstrap: Bootstrap(resamples: 50)).evaluate(.fixed(.full), dataset: data, models: [model])
        XCTAssertEqual(model.violations, [])
        XCTAssertEqual(report.trainCases, 36)
        XCTAssertEqual(report.devCases, 6)
        XCTAssertEqual(report.testCases, 11)
        XCTAssertEqual(report.dev.first?.cases, 6)
    }

    func testRejectsDuplicateNamesAndNoModels() {
        let data = Self.dataset()
        XCTAssertThrowsError(try Evaluator().evaluate(.fixed(.full), dataset: data, models: [MajorityClassModel(), MajorityClassModel()])) {
            XCTAssertTrue("\($0)".contains("unique"), "\($0)")
        }
        XCTAssertThrowsError(try Evaluator().evaluate(.fixed(.full), dataset: data, models: []))
    }
}
