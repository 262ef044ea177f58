import Foundation
import Reports
import XCTest

/// ROC points and calibration bins against scikit-learn on the fixture written by
/// tools/make_report_fixtures.py (ties, probabilities on bin edges, empty bins).
final class CurvesAgainstScikitLearnTests: XCTestCase {
    struct FixtureCase {
        let name: String
        let labels: [Bool]
        let probabilities: [Double]
        let roc: [String: Any]
        let calibration: [String: Any]
    }

    static func fixture() throws -> [FixtureCase] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/reports/curves.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let cases = try XCTUnwrap(object?["cases"] as? [[String: Any]])
        return try cases.map { c in
            FixtureCase(name: try XCTUnwrap(c["name"] as? String),
                        labels: try XCTUnwrap(c["labels"] as? [Int]).map { $0 != 0 },
                        probabilities: try XCTUnwrap(c["probabilities"] as? [Double]),
                        roc: try XCTUnwrap(c["roc"] as? [String: Any]),
                        calibration: try XCTUnwrap(c["calibration"] as? [String: Any]))
        }
    }

    func testROCCurveMatchesRocCurveWithoutDroppingIntermediatePoints() throws {
        let cases = try Self.fixture()
        XCTAssertEqual(cases.count, 3)
        for c in cases {
            let curve = try XCTUnwrap(ROCCurve(labels: c.labels, scores: c.probabilities), c.name)
            let fpr = try XCTUnwrap(c.roc["fpr"] as? [Double]), tpr = try XCTUnwrap(c.roc["tpr"] as? [Double])
            let thresholds = try XCTUnwrap(c.roc["thresholds"] as? [Any])
            XCTAssertEqual(curve.falsePositiveRates.count, fpr.count, c.name)
            XCTAssertEqual(curve.thresholds.count, thresholds.count, c.name)
            for k in 0..<min(fpr.count, curve.falsePositiveRates.count) {
                XCTAssertEqual(curve.falsePositiveRates[k], fpr[k], accuracy: 1e-12, "\(c.name) point \(k)")
                XCTAssertEqual(curve.truePositiveRates[k], tpr[k], accuracy: 1e-12, "\(c.name) point \(k)")
                if let t = thresholds[k] as? Double {
                    XCTAssertEqual(curve.thresholds[k], t, "\(c.name) threshold \(k)")
                } else {
                    XCTAssertEqual(curve.thresholds[k], .infinity, "\(c.name) threshold \(k) is +inf in sklearn")
                }
            }
            XCTAssertEqual(curve.area, try XCTUnwrap(c.roc["auc"] as? Double), accuracy: 1e-12, c.name)
        }
    }

    func testCalibrationBinsMatchCalibrationCurveUniform() throws {
        for c in try Self.fixture() {
            let curve = CalibrationCurve(labels: c.labels, probabilities: c.probabilities)
            let probTrue = try XCTUnwrap(c.calibration["prob_true"] as? [Double])
            let probPred = try XCTUnwrap(c.calibration["prob_pred"] as? [Double])
            XCTAssertEqual(curve.bins.map(\.index), try XCTUnwrap(c.calibration["bin_index"] as? [Int]), c.name)
            XCTAssertEqual(curve.bins.map(\.count), try XCTUnwrap(c.calibration["count"] as? [Int]), c.name)
            XCTAssertEqual(curve.bins.count, probTrue.count, c.name)
            for (k, bin) in curve.bins.enumerated() where k < probTrue.count {
                XCTAssertEqual(bin.fractionPositive, probTrue[k], accuracy: 1e-12, "\(c.name) bin \(bin.index)")
                XCTAssertEqual(bin.meanPredicted, probPred[k], accuracy: 1e-12, "\(c.name) bin \(bin.index)")
            }
        }
    }

    func testOneClassHasNoROCCurve() {
        XCTAssertNil(ROCCurve(labels: [true, true], scores: [0.2, 0.8]))
        XCTAssertNil(ROCCurve(labels: [true], scores: [0.2, 0.8]))
    }
}
