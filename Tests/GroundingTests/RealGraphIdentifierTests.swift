import Foundation
import GraphAlgorithms
import GraphStore
import Grounding
import LexgraphCore
import XCTest

/// Identifier resolution and data horizons on the real SCOTUS graph. In the class that
/// owns the shared build (its tear-down removes it), so the graph is built once.
///
/// Expected dates, computed from the shared files: the latest citing opinion of
/// citation_edges.csv was decided 2002-02-27 (its SCDB dateDecision); the latest
/// overruling in citation_nodes.csv's lists 1994-06-06; the latest SCDB case 2014-07-01.
extension RealGraphGroundingTests {
    func testLawyersIdentifiersFindTheRealCases() throws {
        let (store, _) = try RealScotusGraph.shared()
        // Arkansas Game & Fish Commission v. United States (2012): no Fowler opinion, so
        // keyed by its SCDB id; the failing `context scotus:568US23`.
        for text in ["scotus:568US23", "568 U.S. 23", "568 US 23", "568US23", "2012-001"] {
            XCTAssertEqual(try store.resolveNode(text).key, "scotus:scdb:2012-001", text)
        }
        XCTAssertEqual(try store.resolveNode("Mapp v Ohio").key, "scotus:367US643")
        XCTAssertEqual(try store.resolveNode("Lochner v. New York").key, "scotus:198US45")
        XCTAssertEqual(try store.resolveNode("410 U.S. 113").key, "scotus:410US113")
        do {
            _ = try store.resolveNode("Mapp v. Ohoi")
            XCTFail("a misspelt name must not resolve")
        } catch let error as NodeLookupError {
            XCTAssertEqual(error.kind, .notFound)
            XCTAssertEqual(error.candidates.first?.key, "scotus:367US643", error.message)
        }
        do {
            _ = try store.resolveNode("399 U.S. 520")
            XCTFail("one cite of two SCDB cases must be ambiguous")
        } catch let error as NodeLookupError {
            XCTAssertEqual(error.kind, .ambiguous)
            XCTAssertEqual(Set(error.candidates.map(\.key)), ["scotus:399US520", "scotus:scdb:1969-136"], error.message)
        }
    }

    func testStatusAndContextCarryTheRealDataHorizon() throws {
        let (store, graph) = try RealScotusGraph.shared()
        let today = LegalDate(year: 2026, month: 12, day: 6)!
        let lochner = try store.citatorStatus(of: try store.resolveNode("198 U.S. 45").key, asOf: today)
        XCTAssertEqual(lochner.level, .goodLaw)
        XCTAssertEqual(lochner.horizon?.byEdgeType, ["CITES": LegalDate(iso: "2002-02-27")!, "OVERRULES": LegalDate(iso: "1994-06-06")!])
        XCTAssertEqual(lochner.horizon?.phrase, ", with data to 2002-02-27")
        XCTAssertEqual(lochner.caveats, ["note: 2026-12-06 is past the graph's data (CITES to 2002-02-27, OVERRULES to 1994-06-06); "
                                         + "nothing after that is known, so the answer may be out of date"])

        let roe = try store.citatorStatus(of: "scotus:410US113", asOf: today)
        XCTAssertEqual(roe.level, .overruled)
        XCTAssertEqual(roe.overruledBy.map(\.citingKey), ["scotus:492US490"])
        XCTAssertTrue(roe.caveats.contains("note: " + CitatorVocabulary.overrulingScopeNote), "\(roe.caveats)")

        XCTAssertEqual(graph.horizon.byEdgeType["CITES"], LegalDate(iso: "2002-02-27"))
        XCTAssertEqual(graph.horizon.byEdgeType["HAS_ISSUE"], LegalDate(iso: "2014-07-01"))
        XCTAssertEqual(graph.horizon.latest, LegalDate(iso: "2014-07-01"))
        let (attributes, asOf) = try attributesAndDate("scotus:scdb:2012-001", store)
        let grounding = try graph.ground(attributes, asOf: asOf)
        XCTAssertEqual(grounding.horizon, graph.horizon)
        XCTAssertEqual(grounding.horizon.endingBefore(asOf).map(\.edgeType), ["CITES", "OVERRULES"])
    }
}
