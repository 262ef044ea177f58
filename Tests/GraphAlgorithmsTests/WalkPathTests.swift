import XCTest
import GraphAlgorithms
import LexgraphCore

/// Explaining paths, filters, overruled handling and input errors of `walk`, on the
/// fixture graph (cases c01..c12 decided on 1 January of 1900, 1910, ..., 2010).
final class WalkPathTests: XCTestCase {
    var snapshot: GraphSnapshot!

    override func setUpWithError() throws {
        snapshot = try FixtureGraph.snapshot()
    }

    func day(_ s: String) -> LegalDate { LegalDate(iso: s)! }

    func testShortestPathsAreReturnedStepByStep() throws {
        let result = try snapshot.walk(from: [WalkSeed(key: "c12")],
                                       options: WalkOptions(asOf: day("2010-01-01"), depth: 2, edgeTypes: ["CITES"], direction: .out))
        let byKey = Dictionary(uniqueKeysWithValues: result.hits.map { ($0.key, $0) })
        // Without PageRank: by distance, then key.
        XCTAssertEqual(result.hits.map(\.key), ["c07", "c09", "c11", "c02", "c04", "c05", "c06", "c08", "c10"])
        XCTAssertNil(byKey["c04"]?.score)
        // c12 cites c07 (2010), which distinguished c04 (1960): the only 2-hop route.
        XCTAssertEqual(byKey["c04"]?.path, [
            PathStep(edgeType: "CITES", direction: .out, nodeKey: "c07", edgeValidFrom: day("2010-01-01")),
            PathStep(edgeType: "CITES", direction: .out, nodeKey: "c04", treatment: "distinguished", edgeValidFrom: day("1960-01-01")),
        ])
        XCTAssertEqual(byKey["c04"]?.pathDescription, "c12 -[CITES]-> c07 -[CITES distinguished]-> c04")
        XCTAssertEqual(byKey["c04"]?.seed, "c12")
        // c04 was overruled by c10 in 1990: marked, not dropped.
        XCTAssertEqual(byKey["c04"]?.overruled, true)
        XCTAssertEqual(byKey["c07"]?.overruled, false)
    }

    func testInEdgesAndMixedTypesGiveReversedSteps() throws {
        // From provision p2 to the cases applying it, then what those cite.
        let result = try snapshot.walk(from: [WalkSeed(key: "p2")],
                                       options: WalkOptions(asOf: day("1965-01-01"), depth: 2, edgeTypes: ["APPLIES", "CITES"], direction: .both))
        let byKey = Dictionary(uniqueKeysWithValues: result.hits.map { ($0.key, $0) })
        XCTAssertEqual(Set(byKey.keys), ["c07", "c04", "c06"])  // c11 applies p2 only from 2000
        XCTAssertEqual(byKey["c06"]?.pathDescription, "p2 <-[APPLIES]- c07 -[CITES]-> c06")
        XCTAssertEqual(byKey["c06"]?.path.first?.direction, .in)
    }

    func testNodeTypeFilterUsesSubtypesAndKeepsTraversalThroughOtherTypes() throws {
        let options = WalkOptions(asOf: day("1985-01-01"), depth: 2, edgeTypes: ["APPLIES"], direction: .both, resultNodeTypes: ["Case"])
        let result = try snapshot.walk(from: [WalkSeed(key: "c03")], options: options)
        // Through p1 (a Provision, not returned) to the other cases applying it.
        XCTAssertEqual(result.hits.map(\.key), ["c05", "c09"])
        XCTAssertEqual(result.hits.first?.pathDescription, "c03 -[APPLIES]-> p1 <-[APPLIES]- c05")
        XCTAssertEqual(result.reachedCount, 4)
    }

    func testSkippingOverruledAuthorityNeitherReturnsNorPassesIt() throws {
        // As of 1975, c03 is overruled (c08 treated it 'overruled' in 1970).
        let base = WalkOptions(asOf: day("1975-01-01"), depth: 2, edgeTypes: ["CITES"], direction: .out)
        let marked = try snapshot.walk(from: [WalkSeed(key: "c05")], options: base)
        XCTAssertEqual(marked.hits.map(\.key), ["c03", "c04", "c01", "c02"])
        XCTAssertEqual(marked.hits.map(\.overruled), [true, false, false, false])
        var skip = base
        skip.skipOverruled = true
        let skipped = try snapshot.walk(from: [WalkSeed(key: "c05")], options: skip)
        // c01 was reached only through c03; c02 also through c04.
        XCTAssertEqual(skipped.hits.map(\.key), ["c04", "c02"])
        XCTAssertEqual(skipped.hits.last?.pathDescription, "c05 -[CITES]-> c04 -[CITES]-> c02")
    }

    func testLimitAndSeedsAndPageRankRanking() throws {
        var options = WalkOptions(asOf: day("2010-01-01"), depth: 3, direction: .out, pageRank: PageRankOptions(), includeSeeds: true)
        let all = try snapshot.walk(from: [WalkSeed(key: "c12")], options: options)
        let seed = try XCTUnwrap(all.hits.first { $0.key == "c12" })
        XCTAssertEqual(seed.distance, 0)
        XCTAssertEqual(seed.path, [])
        XCTAssertNotNil(all.pageRankIterations)
        XCTAssertEqual(all.hits.compactMap(\.score).reduce(0, +), 1, accuracy: 1e-5)
        options.limit = 3
        let limited = try snapshot.walk(from: [WalkSeed(key: "c12")], options: options)
        XCTAssertEqual(limited.hits.map(\.key), Array(all.hits.prefix(3).map(\.key)))
        options.includeSeeds = false
        options.limit = nil
        XCTAssertEqual(try snapshot.walk(from: [WalkSeed(key: "c12")], options: options).hits.map(\.key),
                       all.hits.map(\.key).filter { $0 != "c12" })
    }

    func testBadInputIsAClearError() throws {
        let asOf = WalkOptions(asOf: day("1950-06-01"))
        XCTAssertThrowsError(try snapshot.walk(from: [WalkSeed(key: "c99")], options: asOf)) {
            XCTAssertEqual("\($0)", "no node with key 'c99' in the graph")
        }
        XCTAssertThrowsError(try snapshot.walk(from: [WalkSeed(key: "c07")], options: asOf)) {
            XCTAssertEqual("\($0)", "seed 'c07' is not in the graph as of 1950-06-01 (valid from 1960-01-01)")
        }
        XCTAssertThrowsError(try snapshot.walk(from: [WalkSeed(key: "c01")], options: WalkOptions(edgeTypes: ["CITE"]))) {
            XCTAssertTrue("\($0)".hasPrefix("unknown edge type 'CITE' (did you mean CITES?)"), "\($0)")
        }
        XCTAssertThrowsError(try snapshot.walk(from: [WalkSeed(key: "c01")], options: WalkOptions(resultNodeTypes: ["Cases"]))) {
            XCTAssertTrue("\($0)".hasPrefix("unknown node type 'Cases' (did you mean Case?)"), "\($0)")
        }
        XCTAssertThrowsError(try snapshot.walk(from: [WalkSeed(key: "c01", weight: 0)], options: WalkOptions()))
        XCTAssertThrowsError(try snapshot.walk(from: [], options: WalkOptions()))
        XCTAssertThrowsError(try snapshot.walk(from: [WalkSeed(key: "c01")], options: WalkOptions(depth: -1)))
        XCTAssertThrowsError(try snapshot.walk(from: [WalkSeed(key: "c01")],
                                               options: WalkOptions(pageRank: PageRankOptions(restartProbability: 0))))
        // A type the ontology knows but no edge uses is fine and matches nothing.
        XCTAssertEqual(try snapshot.walk(from: [WalkSeed(key: "c01")], options: WalkOptions(edgeTypes: ["AMENDS"])).hits.count, 0)
    }
}
