import XCTest
import GRDB
import GraphAlgorithms
import GraphStore
import LexgraphCore

/// Loading a snapshot from a store: what it holds, and clear errors for stored data it
/// cannot use.
final class SnapshotLoadTests: XCTestCase {
    func testLoadKeepsNodesEdgesTypesAndDates() throws {
        let snapshot = try FixtureGraph.snapshot()
        let fixture = try FixtureGraph.fixture()
        XCTAssertEqual(snapshot.nodeCount, fixture.cases.count + fixture.provisions.count)
        XCTAssertEqual(snapshot.edgeCount, fixture.edges.count)
        XCTAssertEqual(Set(snapshot.edgeTypeNames), ["CITES", "OVERRULES", "APPLIES"])
        XCTAssertEqual(Set(snapshot.treatmentNames), ["followed", "questioned", "distinguished", "overruled", "applied"])
        let c07 = try XCTUnwrap(snapshot.index(ofKey: "c07"))
        XCTAssertEqual(snapshot.type(ofNode: c07), "SupremeCourtCase")
        XCTAssertEqual(snapshot.validFrom(ofNode: c07), LegalDate(iso: "1960-01-01"))
        XCTAssertEqual(try snapshot.isOverruled(key: "c04", asOf: LegalDate(iso: "1989-12-31")), false)
        XCTAssertEqual(try snapshot.isOverruled(key: "c04", asOf: LegalDate(iso: "1990-01-01")), true)
    }

    func testAStoredDateThatIsNotISOIsNamed() throws {
        let store = try FixtureGraph.emptyStore()
        try store.database.write { db in
            try db.execute(sql: "INSERT INTO node(key, type, valid_from) VALUES ('bad', 'SupremeCourtCase', '1961-13-01')")
        }
        XCTAssertThrowsError(try GraphSnapshot.load(store)) {
            XCTAssertEqual("\($0)", "node 'bad' has valid_from '1961-13-01', which is not a YYYY-MM-DD date")
        }
    }

    func testSnapshotInputErrors() {
        XCTAssertThrowsError(try GraphSnapshot(nodes: [SnapshotNode(key: "a", type: "T"), SnapshotNode(key: "a", type: "T")], edges: [])) {
            XCTAssertEqual("\($0)", "node key 'a' appears twice in the snapshot input")
        }
        XCTAssertThrowsError(try GraphSnapshot(nodes: [SnapshotNode(key: "a", type: "T")], edges: [SnapshotEdge(source: 0, target: 3, type: "E")])) {
            XCTAssertEqual("\($0)", "edge #0 (E) joins node indices 0 -> 3, but there are only 1 nodes")
        }
    }
}
