import XCTest
import GraphAlgorithms
import LexgraphCore

/// Citator levels and their evidence on the fixture graph, whose history is: c06
/// questioned c01 (1950), c07 distinguished c04 (1960), c08 treated c03 'overruled'
/// (1970), c10 overruled c04 by an OVERRULES edge and also cites it (1990).
final class CitatorTests: XCTestCase {
    var snapshot: GraphSnapshot!

    override func setUpWithError() throws {
        snapshot = try FixtureGraph.snapshot()
    }

    func day(_ s: String) -> LegalDate { LegalDate(iso: s)! }

    func testOverruledByAnOverrulesEdgeOnlyFromItsDate() throws {
        let after = try snapshot.citatorStatus(of: "c04", asOf: day("1995-01-01"))
        XCTAssertEqual(after.level, .overruled)
        XCTAssertEqual(after.overruledBy, [CitingTreatment(citingKey: "c10", edgeType: "OVERRULES", treatment: nil, date: day("1990-01-01"))])
        XCTAssertEqual(after.explanation, ["overruled by c10 (OVERRULES, 1990-01-01)"])
        // The distinguishing by c07 is still reported as evidence.
        XCTAssertEqual(after.negativeTreatments.map(\.citingKey), ["c07"])
        XCTAssertEqual(after.treatmentCounts, ["(none)": 2, "distinguished": 1])  // c05, c10 plain; c07
        XCTAssertEqual(after.citingCount, 3)

        let before = try snapshot.citatorStatus(of: "c04", asOf: day("1989-12-31"))
        XCTAssertEqual(before.level, .negativeTreatment)
        XCTAssertEqual(before.explanation, ["distinguished by c07 on 1960-01-01"])

        let early = try snapshot.citatorStatus(of: "c04", asOf: day("1955-01-01"))
        XCTAssertEqual(early.level, .goodLaw)
        XCTAssertEqual(early.citingCount, 1)
    }

    func testOverruledThroughACitationTreatment() throws {
        let status = try snapshot.citatorStatus(of: "c03", asOf: day("1970-01-01"))
        XCTAssertEqual(status.level, .overruled)
        XCTAssertEqual(status.overruledBy.map(\.description), ["c08 (CITES overruled, 1970-01-01)"])
        XCTAssertEqual(try snapshot.citatorStatus(of: "c03", asOf: day("1969-12-31")).level, .goodLaw)
    }

    func testQuestionedIsNegativeTreatment() throws {
        XCTAssertEqual(try snapshot.citatorStatus(of: "c01", asOf: day("1955-01-01")).level, .negativeTreatment)
        XCTAssertEqual(try snapshot.citatorStatus(of: "c01", asOf: day("1945-01-01")).level, .goodLaw)
    }

    func testRelianceOnOverruledAuthorityCarriesThePath() throws {
        // c05 cites c03 (overruled 1970) and c04 (overruled 1990).
        let status = try snapshot.citatorStatus(of: "c05", asOf: day("1995-01-01"))
        XCTAssertEqual(status.level, .reliesOnOverruledAuthority)
        XCTAssertEqual(status.reliances.map(\.authority), ["c03", "c04"])
        XCTAssertEqual(status.explanation, [
            "relies on c03, overruled by c08 (CITES overruled, 1970-01-01): c05 -[CITES]-> c03",
            "relies on c04, overruled by c10 (OVERRULES, 1990-01-01): c05 -[CITES]-> c04",
        ])
        XCTAssertEqual(try snapshot.citatorStatus(of: "c05", asOf: day("1975-01-01")).reliances.map(\.authority), ["c03"])
        XCTAssertEqual(try snapshot.citatorStatus(of: "c05", asOf: day("1965-01-01")).level, .goodLaw)
    }

    func testIndirectRelianceNeedsEnoughHops() throws {
        // c09 -> c05 -> {c03, c04}; c09's direct citations (c05, c08) are not overruled.
        XCTAssertEqual(try snapshot.citatorStatus(of: "c09", asOf: day("1995-01-01"), hops: 1).level, .goodLaw)
        let two = try snapshot.citatorStatus(of: "c09", asOf: day("1995-01-01"), hops: 2)
        XCTAssertEqual(two.level, .reliesOnOverruledAuthority)
        XCTAssertEqual(two.reliances.map(\.distance), [2, 2])
        XCTAssertEqual(two.reliances.first?.path.map(\.nodeKey), ["c05", "c03"])
        XCTAssertEqual(two.reliances.first?.path.first?.treatment, "applied")
    }

    func testOverrulingAndCriticalCitationsAreNotReliance() throws {
        // c10 overrules c04 and also cites it plainly; c08 cites c03 treating it overruled;
        // c07 distinguished c04 before c04 was overruled.
        XCTAssertEqual(try snapshot.citatorStatus(of: "c10", asOf: day("1995-01-01"), hops: 1).level, .goodLaw)
        XCTAssertEqual(try snapshot.citatorStatus(of: "c08", asOf: day("1995-01-01"), hops: 2).level, .goodLaw)
        XCTAssertEqual(try snapshot.citatorStatus(of: "c07", asOf: day("1995-01-01"), hops: 1).level, .goodLaw)
    }

    func testCaseNotYetDecidedIsAnError() throws {
        XCTAssertThrowsError(try snapshot.citatorStatus(of: "c12", asOf: day("2000-01-01"))) {
            XCTAssertEqual("\($0)", "'c12' is not in the graph as of 2000-01-01 (decided 2010-01-01)")
        }
        XCTAssertThrowsError(try snapshot.citatorStatus(of: "nope", asOf: day("2000-01-01")))
    }

    /// The one-off loader reads just enough of the store to give the same answers.
    func testNeighborhoodLoadGivesTheSameStatusAsTheFullGraph() throws {
        let store = try FixtureGraph.store()
        for key in snapshot.keys where snapshot.type(ofNode: snapshot.index(ofKey: key)!) == "SupremeCourtCase" {
            for hops in 0...3 {
                let part = try GraphSnapshot.loadCitatorNeighborhood(store, of: key, hops: hops)
                XCTAssertLessThan(part.nodeCount, snapshot.nodeCount)
                for year in stride(from: 1905, through: 2015, by: 5) {
                    let date = LegalDate(year: year, month: 1, day: 1)!
                    guard snapshot.validFrom(ofNode: snapshot.index(ofKey: key)!)! <= date else { continue }
                    let full = try snapshot.citatorStatus(of: key, asOf: date, hops: hops)
                    let local = try part.citatorStatus(of: key, asOf: date, hops: hops)
                    XCTAssertEqual(local.level, full.level, "\(key) \(date) \(hops)")
                    XCTAssertEqual(local.explanation, full.explanation, "\(key) \(date) \(hops)")
                    XCTAssertEqual(local.treatmentCounts, full.treatmentCounts)
                    XCTAssertEqual(local.negativeTreatments, full.negativeTreatments)
                    XCTAssertEqual(local.reliances.map(\.path), full.reliances.map(\.path))
                }
            }
        }
        XCTAssertThrowsError(try GraphSnapshot.loadCitatorNeighborhood(store, of: "nope", hops: 1)) {
            XCTAssertEqual("\($0)", "no node with key 'nope' in the graph")
        }
    }
}
