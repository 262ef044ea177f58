import LexgraphCore
import Prediction
import XCTest

/// Metrics against scikit-learn (Tests/Fixtures/prediction/metrics.json, written by
/// tools/make_prediction_fixtures.py).
final class MetricsTests: XCTestCase {
    func testMetricsMatchScikitLearn() throws {
        let fixture = try TestSupport.fixture("metrics.json")
        let cases = TestSupport.list(fixture["cases"])
        XCTAssertEqual(cases.count, 5)
        for item in cases {
            let c = TestSupport.map(item)
            let name = c["name"]?.stringValue ?? "?"
            let labels = TestSupport.bools(c["labels"])
            let probabilities = TestSupport.doubles(c["probabilities"])
            XCTAssertEqual(labels.count, probabilities.count)
            let threshold = c["threshold"]?.doubleValue ?? .nan
            let got = try Metrics.all(labels: labels, probabilities: probabilities, threshold: threshold)
            for (metric, key) in [(Metric.accuracy, "accuracy"), (.macroF1, "macro_f1"), (.rocAUC, "roc_auc"),
                                  (.brier, "brier"), (.ece, "ece")] {
                let expected = try XCTUnwrap(c[key]?.doubleValue, "\(name): fixture lacks \(key)")
                let value = try XCTUnwrap(got[metric], "\(name): no \(key)")
                XCTAssertEqual(value, expected, accuracy: 1e-9, "\(name): \(key)")
            }
        }
    }

    func testPercentileMatchesNumpy() throws {
        let p = TestSupport.map(try XCTUnwrap(try TestSupport.fixture("metrics.json")["percentile"]))
        let values = TestSupport.doubles(p["values"])
        let qs = TestSupport.doubles(p["q"])
        let expected = TestSupport.doubles(p["percentiles"])
        XCTAssertEqual(qs.count, expected.count)
        for (q, e) in zip(qs, expected) {
            XCTAssertEqual(Bootstrap.percentile(values, q), e, accuracy: 1e-12, "q=\(q)")
        }
    }

    func testAUCUndefinedWithOneClass() throws {
        XCTAssertNil(Metrics.rocAUC(labels: [true, true, true], scores: [0.1, 0.5, 0.9]))
        let all = try Metrics.all(labels: [true, true], probabilities: [0.3, 0.8])
        XCTAssertNil(all[.rocAUC])
        XCTAssertEqual(all[.accuracy], 0.5)
    }

    func testBadProbabilitiesAreNamed() {
        XCTAssertThrowsError(try Metrics.all(labels: [true, false], probabilities: [0.2, 1.5])) { error in
            XCTAssertTrue("\(error)".contains("1.5"), "\(error)")
            XCTAssertTrue("\(error)".contains("case 1"), "\(error)")
        }
        XCTAssertThrowsError(try Metrics.all(labels: [true], probabilities: [0.2, 0.4])) { error in
            XCTAssertTrue("\(error)".contains("1 labels but 2 probabilities"), "\(error)")
        }
    }

    /// The bootstrap is reproducible from its seed, its intervals bracket the point
    /// estimate, and a different seed draws different resamples.
    func testBootstrapIsSeededAndBracketsTheEstimate() throws {
        let c = TestSupport.map(TestSupport.list(try TestSupport.fixture("metrics.json")["cases"])[0])
        let labels = TestSupport.bools(c["labels"])
        let probabilities = TestSupport.doubles(c["probabilities"])
        let a = try Bootstrap(resamples: 300, seed: 7).intervals(labels: labels, probabilities: probabilities)
        let b = try Bootstrap(resamples: 300, seed: 7).intervals(labels: labels, probabilities: probabilities)
        let other = try Bootstrap(resamples: 300, seed: 8).intervals(labels: labels, probabilities: probabilities)
        let point = try Metrics.all(labels: labels, probabilities: probabilities)
        for metric in Metric.allCases {
            let ci = try XCTUnwrap(a[metric], "\(metric)")
            XCTAssertEqual(ci, b[metric], "\(metric) not reproducible")
            XCTAssertNotEqual(ci, other[metric], "\(metric) ignores the seed")
            XCTAssertLessThan(ci.lowerBound, ci.upperBound)
            let value = try XCTUnwrap(point[metric])
            XCTAssertTrue(ci.contains(value) || metric == .ece, "\(metric): \(value) outside \(ci)")
        }
    }
}
