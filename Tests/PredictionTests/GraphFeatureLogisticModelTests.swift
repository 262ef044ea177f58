import Foundation
import Grounding
import LexgraphCore
import Prediction
import XCTest

/// The graph-features-only logistic regression on the synthetic graph: it learns the
/// issue's past win rate, reloads to identical probabilities, and its explanations are
/// the occlusion effects they claim to be, with the graph path of the matching fact.
final class GraphFeatureLogisticModelTests: XCTestCase {
    nonisolated(unsafe) static var built: SyntheticCaseGraph.Built?

    func fitted() throws -> (GraphFeatureLogisticModel, SyntheticCaseGraph.Built) {
        let built = try Self.built ?? SyntheticCaseGraph.build()
        Self.built = built
        var model = GraphFeatureLogisticModel(grounder: CaseGrounder(graph: built.graph))
        let fold = try XCTUnwrap(built.dataset.folds(.fixed(.full)).first)
        try model.fit(train: fold.train.compactMap(\.example), dev: [])
        return (model, built)
    }

    func testLearnsTheIssuesPastWinRate() throws {
        let (model, built) = try fitted()
        let test = try XCTUnwrap(built.dataset.folds(.fixed(.full)).first).test
        let p = try model.predictProbabilities(test.map(\.query))
        let issue1 = zip(test, p).filter { $0.0.input.scdbIssue == 1 }.map(\.1)
        let issue2 = zip(test, p).filter { $0.0.input.scdbIssue == 2 }.map(\.1)
        XCTAssertEqual(issue1.count, 10)
        // Issue 1 (4 of 5 won in the past) above 0.5 for every case, issue 2 (2 of 5) below.
        XCTAssertGreaterThan(try XCTUnwrap(issue1.min()), 0.5)
        XCTAssertLessThan(try XCTUnwrap(issue2.max()), 0.5)
        XCTAssertEqual(model.history, [])
    }

    func testSaveAndLoadGiveIdenticalProbabilities() throws {
        let (model, built) = try fitted()
        let folder = SyntheticCaseGraph.temporaryFolder("glr")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try model.save(to: folder)
        // A fresh grounder: nothing cached from the fit.
        let loaded = try GraphFeatureLogisticModel.load(from: folder, grounder: CaseGrounder(graph: built.graph))
        let queries = built.dataset.cases.map(\.query)
        XCTAssertEqual(try loaded.predictProbabilities(queries), try model.predictProbabilities(queries))
        XCTAssertEqual(loaded.standardizer, model.standardizer)
        XCTAssertEqual(loaded.regression.weights, model.regression.weights)

        // Through RunModels, by kind.
        let viaKind = try RunModels.load(kind: "graph-logistic", directory: folder, grounder: CaseGrounder(graph: built.graph))
        XCTAssertEqual(try viaKind.predictProbabilities(queries), try model.predictProbabilities(queries))

        // Grounding with the cases' own citations would change the features: refused.
        XCTAssertThrowsError(try GraphFeatureLogisticModel.load(
            from: folder, grounder: CaseGrounder(graph: built.graph, options: GroundingOptions(includeOwnCitations: true)))) {
            XCTAssertTrue("\($0)".contains("include_own_citations"), "\($0)")
        }
    }

    func testCorruptOrMissingModelFileIsAClearError() throws {
        let (_, built) = try fitted()
        let folder = SyntheticCaseGraph.temporaryFolder("glr-bad")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        XCTAssertThrowsError(try GraphFeatureLogisticModel.load(from: folder, grounder: CaseGrounder(graph: built.graph))) {
            XCTAssertTrue("\($0)".contains("graph-logistic.json") && "\($0)".contains("missing"), "\($0)")
        }
        try Data(#"{"kind": "graph-logistic", "weights": [1]}"#.utf8).write(to: URL(fileURLWithPath: folder + "/graph-logistic.json"))
        XCTAssertThrowsError(try GraphFeatureLogisticModel.load(from: folder, grounder: CaseGrounder(graph: built.graph))) {
            XCTAssertTrue("\($0)".contains("corrupt graph-logistic model"), "\($0)")
        }
    }

    func testExplanationsAreOcclusionEffectsWithGraphPaths() throws {
        let (model, built) = try fitted()
        let test = try XCTUnwrap(built.dataset.folds(.fixed(.full)).first).test
        let query = try XCTUnwrap(test.first { $0.input.scdbIssue == 1 }).query
        let all = try model.explain(query, top: 100)
        XCTAssertEqual(all.count, GraphFeatures.names.count)
        XCTAssertEqual(try model.explain(query, top: 3).count, 3)
        // Strongest first.
        XCTAssertEqual(all.map { abs($0.effect) }, all.map { abs($0.effect) }.sorted(by: >))

        // Recompute each effect independently: P(x) - P(x with feature j at its mean).
        let raw = try CaseGrounder(graph: built.graph).grounding(for: query).features.values
        let x = zip(raw, zip(model.standardizer.means, model.standardizer.deviations)).map { ($0 - $1.0) / $1.1 }
        func p(_ v: [Double]) -> Double {
            let z = zip(v, model.regression.weights).reduce(model.regression.intercept) { $0 + $1.0 * $1.1 }
            return 1 / (1 + exp(-z))
        }
        let full = try XCTUnwrap(model.predictProbabilities([query]).first)
        XCTAssertEqual(full, p(x), accuracy: 1e-12)
        for (j, name) in GraphFeatures.names.enumerated() {
            var occluded = x
            occluded[j] = 0
            let c = try XCTUnwrap(all.first { $0.text.hasPrefix(name + " = ") }, name)
            XCTAssertEqual(c.effect, full - p(occluded), accuracy: 1e-12, name)
            XCTAssertEqual(c.source, .graphFeature)
        }

        // The issue's win rate carries the history fact's path: anchor issue node, then
        // the most recent earlier case on that issue.
        let issueRate = try XCTUnwrap(all.first { $0.text.hasPrefix("win_rate.issue = ") })
        XCTAssertTrue(issueRate.text.contains("Earlier cases on this issue"), issueRate.text)
        let path = try XCTUnwrap(issueRate.path)
        XCTAssertTrue(path.hasPrefix("scdb:issue:1 "), path)
        XCTAssertTrue(path.contains("HAS_ISSUE"), path)
        XCTAssertGreaterThan(issueRate.effect, 0, "an issue the petitioner usually wins pushes towards the petitioner")
        // The overall rate has no seed node and so no path.
        XCTAssertNil(try XCTUnwrap(all.first { $0.text.hasPrefix("win_rate.all = ") }).path)
    }

    func testUnfittedModelRefusesToPredict() throws {
        let built = try Self.built ?? SyntheticCaseGraph.build()
        let model = GraphFeatureLogisticModel(grounder: CaseGrounder(graph: built.graph))
        XCTAssertThrowsError(try model.predictProbabilities([built.dataset.cases[0].query])) {
            XCTAssertTrue("\($0)".contains("not fitted"), "\($0)")
        }
    }
}
