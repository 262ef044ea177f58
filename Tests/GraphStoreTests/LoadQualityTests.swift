import Foundation
import GRDB
import GraphStore
import LexgraphCore
import XCTest

/// Each load's data-quality report: empty optional properties, dates out of range,
/// unresolved references, the change against the previous load of the same recipes;
/// stored in the load's transaction (a dry run or a refused load stores none).
final class LoadQualityTests: XCTestCase {
    typealias S = LoadTestSupport

    private func cases(_ range: ClosedRange<Int>, futureAt: Int? = nil, allNamed: Bool = false) -> String {
        range.map { i in
            let date = i == futureAt ? "2990-01-01" : "19\(10 + i % 80)-06-0\(1 + i % 9)"
            let name = i % 2 == 0 || allNamed ? #", "name": "Case \#(i)""# : ""
            return #"{"key": "scotus:\#(i)US1", "type": "SupremeCourtCase", "props": {"decision_date": "\#(date)"\#(name)}}"#
        }.joined(separator: "\n") + "\n"
    }

    func testReportIsStoredWithTheLoadAndComparedWithThePrevious() throws {
        let dir = try S.tempFolder(self)
        try S.write(["nodes.jsonl": cases(1...10, futureAt: 3),
                     "edges.csv": "type,from,to\nCITES,scotus:2US1,scotus:1US1\nCITES,,scotus:1US1\n"], in: dir)
        let store = try S.newStore(in: dir)
        let recipe = try S.recipe(S.genericRecipe, in: dir)
        let loader = GraphLoader(store: store, dataFolder: dir, user: "tester")

        let dry = try loader.load([recipe], dryRun: true)
        XCTAssertEqual(dry.quality?.nodesByType, ["SupremeCourtCase": 10])
        XCTAssertNil(try store.loadQuality(), "a dry run stores no report")

        let first = try XCTUnwrap(try loader.load([recipe]).quality)
        XCTAssertEqual(first.recordsRead, 12)
        XCTAssertEqual(first.edgesByType, ["CITES": 1])
        XCTAssertEqual(first.outOfRange, [.init(type: "SupremeCourtCase", property: "decision_date", count: 1,
                                               example: "scotus:3US1: 2990-01-01 (nodes.jsonl:3)")])
        let name = try XCTUnwrap(first.missing.first { $0.property == "name" })
        XCTAssertEqual([name.missing, name.of], [5, 10], "odd cases have no name")
        XCTAssertNil(first.missing.first { $0.property == "decision_date" }, "every case has a decision date")
        XCTAssertEqual(first.unresolved.values.reduce(0, +), 1, "the CITES row without a from: \(first.unresolved)")
        XCTAssertNil(first.previousLoad)
        XCTAssertTrue(first.summary.hasPrefix("quality: "), first.summary)
        XCTAssertTrue(first.summary.contains("1 dates out of range"), first.summary)
        XCTAssertTrue(first.summary.contains("1 unresolved references"), first.summary)

        let stored = try XCTUnwrap(try store.loadQuality())
        XCTAssertEqual(stored.quality, first)
        let logID = try store.database.read { try Int64.fetchOne($0, sql: "SELECT max(id) FROM load_log") }
        XCTAssertEqual(stored.id, logID)

        // The same recipes again, with 5 more cases (the counts moved by 50%), and every
        // case named now (the empty share of name fell from 50% to 0%).
        try S.write(["nodes.jsonl": cases(1...15, allNamed: true)], in: dir)
        let second = try XCTUnwrap(try loader.load([recipe]).quality)
        XCTAssertEqual(second.previousLoad, stored.id)
        XCTAssertEqual(second.changes, [.init(what: "node SupremeCourtCase", previous: 10, current: 15),
                                        .init(what: "empty SupremeCourtCase.name (percent of nodes)", previous: 50, current: 0)])
        XCTAssertEqual(second.outOfRange, [])
        XCTAssertTrue(second.summary.contains("changed since load #\(stored.id) of the same recipes:\n    node SupremeCourtCase: 10 -> 15"), second.summary)
        XCTAssertEqual(try S.count(store, "load_quality"), 2)

        let third = try XCTUnwrap(try loader.load([recipe]).quality)
        XCTAssertEqual(third.changes, [])
        XCTAssertTrue(third.summary.contains("counts within 10% of load #"), third.summary)
    }

    func testRefusedLoadStoresNoReport() throws {
        let (_, store) = try S.expectFailure(self, nodes: [#"{"key": "scotus:1US1", "type": "SupremeCourtCase", "props": {"term": "x"}}"#])
        XCTAssertEqual(try S.count(store, "load_quality"), 0)
        XCTAssertEqual(try S.count(store, "load_log"), 0)
    }
}
