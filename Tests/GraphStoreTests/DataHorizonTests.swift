import Foundation
import GRDB
import GraphStore
import LexgraphCore
import XCTest

/// `GraphStore.dataHorizon`: the latest start date per edge type, within one graph when
/// asked, and the wording answers use for it.
final class DataHorizonTests: XCTestCase {
    private func date(_ s: String) -> LegalDate { LegalDate(iso: s)! }

    func testTheHorizonIsTheLatestEdgeOfEachTypeTouchingTheGivenNodeTypes() throws {
        let store = try IdentifiedCasesFixture.inMemoryStore(root: LoadTestSupport.root)
        let scotus = try store.dataHorizon(edgeTypes: ["CITES", "OVERRULES", "APPLIES"], touching: ["SupremeCourtCase"])
        // Webster's citation and overruling of Roe are the latest SCOTUS edges; the ECtHR
        // graph's 2015 citation is another graph's; APPLIES has no edge at all.
        XCTAssertEqual(scotus.byEdgeType, ["CITES": date("1989-07-03"), "OVERRULES": date("1989-07-03")])
        XCTAssertEqual(scotus.latest, date("1989-07-03"))
        let everything = try store.dataHorizon(edgeTypes: ["CITES", "OVERRULES"])
        XCTAssertEqual(everything.byEdgeType, ["CITES": date("2015-10-15"), "OVERRULES": date("1989-07-03")])
        let echr = try store.dataHorizon(edgeTypes: ["CITES", "OVERRULES"], touching: ["ECtHRJudgment"])
        XCTAssertEqual(echr.byEdgeType, ["CITES": date("2015-10-15")])

        // An undated edge says nothing about how far the data reaches.
        try store.write { writer in
            _ = try writer.upsert(EdgeInput(type: "CITES", from: "scotus:scdb:2012-001", to: "scotus:367US643"))
            try writer.db.execute(sql: "UPDATE edge SET valid_from = NULL WHERE src = (SELECT id FROM node WHERE key = 'scotus:scdb:2012-001')")
        }
        XCTAssertEqual(try store.dataHorizon(edgeTypes: ["CITES"], touching: ["SupremeCourtCase"]).latest, date("1989-07-03"))
    }

    func testADatePastTheHorizonOfAnyEdgeTypeIsFlaggedNamingIt() {
        let horizon = DataHorizon(byEdgeType: ["CITES": date("2002-06-28"), "HAS_ISSUE": date("2014-06-26")])
        XCTAssertEqual(horizon.phrase, ", with data to 2014-06-26")
        XCTAssertNil(horizon.warning(asOf: date("2002-06-28")))
        XCTAssertEqual(horizon.warning(asOf: date("2013-10-01")),
                       "note: 2013-10-01 is past the graph's data (CITES to 2002-06-28); nothing after that is known, so the answer may be out of date")
        XCTAssertEqual(horizon.endingBefore(date("2026-12-06")).map(\.edgeType), ["CITES", "HAS_ISSUE"])
        XCTAssertEqual(DataHorizon(byEdgeType: [:]).phrase, ", with no dated data")
        XCTAssertEqual(horizon.json, .map(["CITES": .string("2002-06-28"), "HAS_ISSUE": .string("2014-06-26")]))
    }
}
