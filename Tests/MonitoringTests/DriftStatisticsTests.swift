import Foundation
import Monitoring
import XCTest

/// Our KS, chi-square and PSI against scipy's `ks_2samp` and Evidently's `psi` and
/// chi-square test on the samples of Tests/Fixtures/drift/statistics.json (written by
/// `tools/check_drift_with_evidently.py fixture`: SCOTUS split_full columns, a few
/// synthetic edge cases). Tolerances: KS statistic 1e-12; p-values 1e-9 absolute or 1e-6
/// relative (p-values of 1e-54 included); PSI 1e-9 relative.
final class DriftStatisticsTests: XCTestCase {
    struct Sample {
        let name: String
        let numeric: Bool
        let reference: [Double]
        let current: [Double]
        let expected: [String: Double]
    }

    static func samples() throws -> [Sample] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/drift/statistics.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let samples = try XCTUnwrap(object?["samples"] as? [[String: Any]])
        return try samples.map { s in
            var expected: [String: Double] = [:]
            for key in ["ks_statistic", "ks_p_value", "chi_square_p_value", "psi"] { if let v = s[key] as? Double { expected[key] = v } }
            return Sample(name: try XCTUnwrap(s["name"] as? String), numeric: (s["kind"] as? String) == "numeric",
                          reference: try XCTUnwrap(s["reference"] as? [Double]), current: try XCTUnwrap(s["current"] as? [Double]),
                          expected: expected)
        }
    }

    /// 1e-9 absolute (1e-6 relative above 1e-3); below 1e-9, 1e-6 relative; a peer's 0 must be our 0.
    func assertPValue(_ ours: Double, _ theirs: Double, _ what: String) {
        let tolerance = theirs < 1e-9 ? 1e-6 * theirs : max(1e-9, 1e-6 * theirs)
        XCTAssertEqual(ours, theirs, accuracy: tolerance, "\(what): ours \(ours), peer \(theirs)")
    }

    func testKolmogorovSmirnovMatchesScipy() throws {
        let numeric = try Self.samples().filter(\.numeric)
        XCTAssertEqual(numeric.count, 5)
        for s in numeric {
            let ks = DriftStatistics.kolmogorovSmirnov(s.reference, s.current)
            XCTAssertEqual(ks.statistic, try XCTUnwrap(s.expected["ks_statistic"]), accuracy: 1e-12, s.name)
            assertPValue(ks.pValue, try XCTUnwrap(s.expected["ks_p_value"]), s.name)
        }
    }

    func testChiSquareMatchesEvidentlysTest() throws {
        let categorical = try Self.samples().filter { !$0.numeric }
        XCTAssertEqual(categorical.count, 6)
        for s in categorical {
            let keys = Array(Set(s.reference).union(s.current)).sorted()
            let chi = DriftStatistics.chiSquare(referenceCounts: keys.map { k in s.reference.filter { $0 == k }.count },
                                           currentCounts: keys.map { k in s.current.filter { $0 == k }.count })
            assertPValue(chi.pValue, try XCTUnwrap(s.expected["chi_square_p_value"]), s.name)
        }
    }

    func testPopulationStabilityIndexMatchesEvidently() throws {
        for s in try Self.samples() {
            let psi = DriftStatistics.populationStabilityIndex(reference: s.reference, current: s.current, numeric: s.numeric)
            let theirs = try XCTUnwrap(s.expected["psi"])
            XCTAssertEqual(psi, theirs, accuracy: 1e-9 * max(1, abs(theirs)), s.name)
        }
    }

    /// The p-values span the interesting range (not all 0 or 1), so the match above says something.
    func testFixtureCoversSmallMiddleAndLargePValues() throws {
        let ps = try Self.samples().compactMap { $0.expected["ks_p_value"] ?? $0.expected["chi_square_p_value"] }
        XCTAssertTrue(ps.contains { $0 > 0 && $0 < 1e-10 })
        XCTAssertTrue(ps.contains { $0 > 0.01 && $0 < 0.05 })
        XCTAssertTrue(ps.contains { $0 > 0.5 })
    }

    /// scipy's chi-square survival function at known points (scipy.stats.chi2.sf).
    func testChiSquareSurvivalFunction() {
        // chi2.sf(3.84145882069412, 1) = 0.05; chi2.sf(18.307038053275146, 10) = 0.05; chi2.sf(1, 2) = exp(-0.5)
        XCTAssertEqual(SpecialFunctions.regularizedGammaQ(0.5, 3.84145882069412 / 2), 0.05, accuracy: 1e-12)
        XCTAssertEqual(SpecialFunctions.regularizedGammaQ(5, 18.307038053275146 / 2), 0.05, accuracy: 1e-12)
        XCTAssertEqual(SpecialFunctions.regularizedGammaQ(1, 0.5), exp(-0.5), accuracy: 1e-14)
    }
}
