import Foundation
import LexgraphCore
import Prediction
import XCTest

/// The classical blend on the real data: reproduced by an independent scikit-learn fit,
/// time-safe in everything it trains and calibrates on, and the same after save and load.
final class ClassicalBlendModelTests: XCTestCase {
    /// One fit of the fixture's fold (walk-forward term 2001) with the solver as tight as
    /// the peer's, captured from the evaluator.
    func fitFixtureFold(_ dataset: CaseDataset) throws -> (ClassicalBlendModel, EvaluationReport, Fold) {
        var options = ClassicalBlendOptions()
        options.textTolerance = 1e-10
        var fitted: (Fold, ClassicalBlendModel)?
        let report = try Evaluator(bootstrap: Bootstrap(resamples: 20))
            .evaluate(.walkForward(2001...2001), dataset: dataset, models: [ClassicalBlendModel(dataset: dataset, options: options)], fitted: { fold, model in
                if let blend = model as? ClassicalBlendModel { fitted = (fold, blend) }
            })
        let (fold, model) = try XCTUnwrap(fitted)
        return (model, report, fold)
    }

    /// tools/make_blend_fixture.py fits the same blend with scikit-learn (TfidfVectorizer,
    /// LogisticRegression for both parts and for Platt scaling) on the same fold: the same
    /// SCDB rows admitted, the same weight and threshold chosen, and every test case's
    /// probability within 2e-4 (the TF-IDF rows are float32 on both sides and the solvers
    /// stop at tolerances, so agreement is to about 1e-6 in the logits, not to the last bit).
    func testMatchesScikitLearnPeer() throws {
        let dataset = try CaseDataset.load(dataFolder: try TestSupport.requireSharedData())
        let (model, report, fold) = try fitFixtureFold(dataset)
        let fixture = try TestSupport.fixture("classical_blend_2001.json")
        XCTAssertEqual(fixture["train_cases"], .int(Int64(fold.train.filter { $0.label != nil }.count)))
        XCTAssertEqual(fixture["test_cases"], .int(Int64(report.testCases)))
        let audit = try XCTUnwrap(model.audit)
        XCTAssertEqual(fixture["admitted_scdb_rows"], .int(Int64(audit.admitted.count)))
        XCTAssertGreaterThan(audit.admitted.count, 3000, "the tabular part trains on the SCDB cases without text")
        let calibration = try XCTUnwrap(model.calibration)
        XCTAssertEqual(fixture["first_calibration_term"], .int(Int64(calibration.firstCalibrationTerm)))
        XCTAssertEqual(fixture["calibration_cases"], .int(Int64(calibration.calibrationCases)))
        XCTAssertEqual(try XCTUnwrap(fixture["weight"]?.doubleValue), calibration.weight)
        XCTAssertEqual(try XCTUnwrap(fixture["threshold"]?.doubleValue), calibration.threshold)
        XCTAssertEqual(model.chosenThreshold, calibration.threshold)
        XCTAssertEqual(report.thresholds[model.name], calibration.threshold...calibration.threshold, "eval scores the blend at its own threshold")
        for (key, value) in [("a", calibration.a), ("b", calibration.b), ("tabular_a", calibration.tabularA), ("tabular_b", calibration.tabularB)] {
            let expected = try XCTUnwrap(fixture[key]?.doubleValue, key)
            XCTAssertEqual(value, expected, accuracy: 1e-3 * max(1, abs(expected)), key)
        }
        let cases = TestSupport.map(try XCTUnwrap(fixture["cases"]))
        let predictions = try XCTUnwrap(report.predictions[ClassicalBlendModel.kind])
        XCTAssertEqual(predictions.count, cases.count)
        let byLine = Dictionary(uniqueKeysWithValues: fold.test.map { ($0.line, $0) })
        var worst = 0.0
        for p in predictions {
            let expected = TestSupport.map(try XCTUnwrap(cases[String(p.caseLine)], "line \(p.caseLine)"))
            let probability = try XCTUnwrap(expected["probability"]?.doubleValue)
            worst = max(worst, abs(p.probability - probability))
            XCTAssertEqual(p.probability, probability, accuracy: 2e-4, "line \(p.caseLine)")
            let query = try XCTUnwrap(byLine[p.caseLine]).query
            XCTAssertEqual(model.tabular.logit(query), try XCTUnwrap(expected["tabular_logit"]?.doubleValue), accuracy: 1e-4, "line \(p.caseLine)")
            XCTAssertEqual(model.text.logits([query.input.facts])[0], try XCTUnwrap(expected["text_logit"]?.doubleValue), accuracy: 1e-4,
                           "line \(p.caseLine)")
        }
        print("classical-blend vs scikit-learn: largest probability difference \(worst)")
    }

    /// Leakage: per fold, nothing the blend trains or calibrates on is dated on or after
    /// the fold's first test reference date (so before its first decision): the SCDB-only
    /// cases' decision dates, the training and calibration cases' outcome dates, and the
    /// inner split's inputs against the first calibration case. And flipping the outcome of
    /// every SCDB-only case decided on or after the cutoff changes no prediction.
    func testNothingFromTheFoldsFutureReachesTraining() throws {
        let dataset = try CaseDataset.load(dataFolder: try TestSupport.requireSharedData())
        var checked = 0
        for plan in [EvaluationPlan.walkForward(2001...2002), .fixed(.full)] {
            _ = try Evaluator(bootstrap: Bootstrap(resamples: 20)).evaluate(plan, dataset: dataset, models: [ClassicalBlendModel(dataset: dataset)], fitted: { fold, model in
                guard let blend = model as? ClassicalBlendModel, let audit = blend.audit else { return XCTFail("no audit for \(fold.name)") }
                let firstTest = fold.test.map(\.asOf).min()!
                let cutoff = (fold.dev + fold.test).map(\.asOf).min()!
                XCTAssertEqual(audit.cutoff, cutoff, fold.name)
                XCTAssertLessThanOrEqual(cutoff, firstTest)
                XCTAssertTrue(audit.admitted.allSatisfy { $0.decisionDate < cutoff }, fold.name)
                let knownFrom = Dictionary(fold.train.map { ($0.query, $0.outcomeKnownFrom) }, uniquingKeysWith: { max($0, $1) })
                for q in audit.trainingQueries {
                    let known = try? XCTUnwrap(knownFrom[q], "\(fold.name): a training query that is not a training case")
                    XCTAssertLessThan(known ?? firstTest, firstTest, "\(fold.name): training case of term \(q.input.term)")
                }
                let trainingSet = Set(audit.trainingQueries)
                XCTAssertTrue(audit.calibrationQueries.allSatisfy { trainingSet.contains($0) }, fold.name)
                XCTAssertTrue(Set(audit.calibrationQueries).isDisjoint(with: fold.test.map(\.query)), fold.name)
                let firstCalibration = audit.calibrationQueries.map(\.asOf).min()!
                XCTAssertTrue(audit.innerAdmitted.allSatisfy { $0.decisionDate < firstCalibration }, fold.name)
                XCTAssertTrue(Set(audit.innerQueries).isDisjoint(with: audit.calibrationQueries), fold.name)
                let calibrationTerm = try? XCTUnwrap(blend.calibration?.firstCalibrationTerm)
                XCTAssertTrue(audit.innerQueries.allSatisfy { $0.input.term < (calibrationTerm ?? Int.min) }, fold.name)
                checked += 1
            })
        }
        XCTAssertEqual(checked, 3)

        // The future of the SCDB-only cases, flipped, changes nothing in fold 2001.
        let plan = EvaluationPlan.walkForward(2001...2001)
        let cutoff = dataset.folds(plan)[0].test.map(\.asOf).min()!
        let flipped = dataset.scdbOnlyCases.map { c in
            c.decisionDate < cutoff ? c : SCDBOnlyCase(input: c.input, label: !c.label, decisionDate: c.decisionDate, line: c.line)
        }
        XCTAssertGreaterThan(zip(flipped, dataset.scdbOnlyCases).filter { $0.label != $1.label }.count, 10)
        let other = CaseDataset(cases: dataset.cases, pastOutcomes: dataset.pastOutcomes, scdbOnlyCases: flipped)
        func probabilities(_ d: CaseDataset) throws -> [Double] {
            let report = try Evaluator(bootstrap: Bootstrap(resamples: 20)).evaluate(plan, dataset: d, models: [ClassicalBlendModel(dataset: d)])
            return try XCTUnwrap(report.predictions[ClassicalBlendModel.kind]).map(\.probability)
        }
        XCTAssertEqual(try probabilities(dataset), try probabilities(other))
    }

    /// Saved and loaded through the run-model registry, the blend gives the same
    /// probabilities and explanations, needing no dataset.
    func testSaveAndLoadReproducePredictions() throws {
        let dataset = try CaseDataset.load(dataFolder: try TestSupport.requireSharedData())
        let (model, _, fold) = try fitFixtureFold(dataset)
        let folder = SyntheticCaseGraph.temporaryFolder("blend")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try model.save(to: folder)
        let loaded = try ClassicalBlendModel.load(from: folder)
        let queries = fold.test.map(\.query)
        XCTAssertEqual(try loaded.predictProbabilities(queries), try model.predictProbabilities(queries))
        XCTAssertEqual(loaded.calibration, model.calibration)
        for q in queries.prefix(5) {
            XCTAssertEqual(try loaded.explain(q, top: 6), try model.explain(q, top: 6))
        }
        // `predict` names the winner at the blend's own threshold, not at 0.5.
        XCTAssertNotEqual(loaded.chosenThreshold, decisionThreshold, "fold 2001 chose 0.47 (the fixture)")
        for q in queries.prefix(20) {
            let explained = try ExplainedPrediction.make(loaded, query: q, label: nil, top: 1)
            XCTAssertEqual(explained.threshold, loaded.chosenThreshold)
            XCTAssertEqual(explained.predictedWinner, explained.probability >= loaded.chosenThreshold ? "first party" : "second party")
        }
        // A case without facts text is predicted by the tabular part alone.
        var bare = queries[0].input
        bare.facts = ""
        let p = try loaded.predictProbabilities([PredictionQuery(input: bare)])[0]
        let c = try XCTUnwrap(loaded.calibration)
        XCTAssertEqual(p, 1 / (1 + exp(-(c.tabularA * loaded.tabular.logit(PredictionQuery(input: bare)) + c.tabularB))), accuracy: 1e-12)
        XCTAssertTrue(try loaded.explain(PredictionQuery(input: bare), top: 50).allSatisfy { $0.source == .caseFeature })

        // A corrupt file is refused with its path.
        let path = folder + "/" + ClassicalBlendModel.fileName
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"classical-blend\"", with: "\"graph-logistic\"")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ClassicalBlendModel.load(from: folder)) {
            XCTAssertTrue("\($0)".contains(path) && "\($0)".contains("expected 'classical-blend'"), "\($0)")
        }
    }
}
