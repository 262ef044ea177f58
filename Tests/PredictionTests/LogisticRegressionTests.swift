import LexgraphCore
import Prediction
import XCTest

/// The Newton logistic regression against scikit-learn LogisticRegression(C, lbfgs)
/// (Tests/Fixtures/prediction/logistic.json, written by tools/make_prediction_fixtures.py).
final class LogisticRegressionTests: XCTestCase {
    func testMatchesScikitLearn() throws {
        let cases = TestSupport.list(try TestSupport.fixture("logistic.json")["cases"])
        XCTAssertEqual(cases.count, 3)
        for item in cases {
            let c = TestSupport.map(item)
            let name = c["name"]?.stringValue ?? "?"
            let x = TestSupport.list(c["x"]).map { TestSupport.doubles($0) }
            let labels = TestSupport.bools(c["labels"])
            let expectedCoefficients = TestSupport.doubles(c["coefficients"])
            let k = expectedCoefficients.count
            var model = LogisticRegression(c: try XCTUnwrap(c["c"]?.doubleValue))
            try model.fit(rows: x.map { SparseVector(dense: $0) }, labels: labels, featureCount: k)
            for j in 0..<k {
                XCTAssertEqual(model.weights[j], expectedCoefficients[j], accuracy: 1e-5, "\(name): w[\(j)]")
            }
            XCTAssertEqual(model.intercept, try XCTUnwrap(c["intercept"]?.doubleValue), accuracy: 1e-5, "\(name): intercept")
            for (row, expected) in zip(x, TestSupport.doubles(c["probabilities"])) {
                XCTAssertEqual(model.probability(SparseVector(dense: row)), expected, accuracy: 1e-6, name)
            }
            XCTAssertLessThan(model.iterations, 30, "\(name): Newton should converge in a few steps")
        }
    }

    func testBadInputIsNamed() {
        var model = LogisticRegression()
        XCTAssertThrowsError(try model.fit(rows: [SparseVector(indices: [3], values: [1])], labels: [true], featureCount: 2)) { error in
            XCTAssertTrue("\(error)".contains("feature index 3 outside 0..<2"), "\(error)")
        }
        XCTAssertThrowsError(try model.fit(rows: [SparseVector(indices: [0], values: [.nan])], labels: [true], featureCount: 1)) { error in
            XCTAssertTrue("\(error)".contains("non-finite"), "\(error)")
        }
        XCTAssertThrowsError(try model.fit(rows: [], labels: [], featureCount: 1))
    }
}
