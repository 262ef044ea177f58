import Foundation
import GraphStore
import LexgraphCore
import XCTest

/// Every kind of bad record is reported with file:line, the field and the value, and a
/// load with any error writes nothing.
final class LoadValidationTests: XCTestCase {
    typealias S = LoadTestSupport

    private let goodCase = #"{"key": "scotus:1US1", "type": "SupremeCourtCase", "props": {"name": "A v. B", "decision_date": "1790-02-01"}}"#

    func testUnknownType() throws {
        let (failure, _) = try S.expectFailure(self, nodes: [goodCase, #"{"key": "x:1", "type": "Cse", "props": {}}"#])
        XCTAssertEqual(failure.total, 1)
        let message = failure.errors[0].description
        XCTAssertTrue(message.hasPrefix("nodes.jsonl:2:"), message)
        XCTAssertTrue(message.contains("unknown node type 'Cse'"), message)
        XCTAssertTrue(message.contains("'x:1'"), message)
    }

    func testMissingRequiredProperty() throws {
        let (failure, _) = try S.expectFailure(self, nodes: [goodCase, #"{"key": "court:x", "type": "Court", "props": {"court_id": "x"}}"#])
        let message = failure.errors[0].description
        XCTAssertTrue(message.hasPrefix("nodes.jsonl:2:"), message)
        XCTAssertTrue(message.contains("missing required property 'name'"), message)
        XCTAssertTrue(message.contains("'court:x'"), message)
    }

    func testWrongPropertyType() throws {
        let (failure, _) = try S.expectFailure(self, nodes: [goodCase, #"{"key": "scotus:2US1", "type": "SupremeCourtCase", "props": {"term": "nineteen"}}"#])
        let message = failure.errors[0].description
        XCTAssertTrue(message.hasPrefix("nodes.jsonl:2:"), message)
        XCTAssertTrue(message.contains("field 'props.term'"), message)
        XCTAssertTrue(message.contains("property 'term'"), message)
        XCTAssertTrue(message.contains("must be int, got \"nineteen\""), message)
    }

    func testEdgeViolatingDomain() throws {
        let court = #"{"key": "court:x", "type": "Court", "props": {"name": "X"}}"#
        let (failure, _) = try S.expectFailure(self, nodes: [goodCase, court], edges: ["CITES,court:x,scotus:1US1"])
        let message = failure.errors[0].description
        XCTAssertTrue(message.hasPrefix("edges.csv:2:"), message)
        XCTAssertTrue(message.contains("edge court:x -[CITES]-> scotus:1US1"), message)
        XCTAssertTrue(message.contains("cannot start at a Court"), message)
    }

    func testEdgeViolatingRange() throws {
        let court = #"{"key": "court:x", "type": "Court", "props": {"name": "X"}}"#
        let (failure, _) = try S.expectFailure(self, nodes: [goodCase, court], edges: ["CITES,scotus:1US1,scotus:1US1", "CITES,scotus:1US1,court:x"])
        XCTAssertEqual(failure.total, 1)
        let message = failure.errors[0].description
        XCTAssertTrue(message.hasPrefix("edges.csv:3:"), message)
        XCTAssertTrue(message.contains("cannot end at a Court"), message)
    }

    func testDanglingEndpoint() throws {
        let (failure, _) = try S.expectFailure(self, nodes: [goodCase], edges: ["CITES,scotus:1US1,scotus:999US1"])
        let message = failure.errors[0].description
        XCTAssertTrue(message.hasPrefix("edges.csv:2:"), message)
        XCTAssertTrue(message.contains("dangling endpoint: no node 'scotus:999US1'"), message)
    }

    func testDuplicateKeyWithDifferentContentNamesBothLines() throws {
        let other = #"{"key": "scotus:1US1", "type": "SupremeCourtCase", "props": {"name": "A v. C", "decision_date": "1790-02-01"}}"#
        let (failure, _) = try S.expectFailure(self, nodes: [goodCase, goodCase, other])
        XCTAssertEqual(failure.total, 1, "an identical repeat is not an error")
        let message = failure.errors[0].description
        XCTAssertTrue(message.hasPrefix("nodes.jsonl:3:"), message)
        XCTAssertTrue(message.contains("duplicate key 'scotus:1US1'"), message)
        XCTAssertTrue(message.contains("first at nodes.jsonl:1"), message)
        XCTAssertTrue(message.contains("property 'name' \"A v. B\" vs \"A v. C\""), message)
    }

    func testMalformedDateInALaidOutColumn() throws {
        let dir = try S.tempFolder(self)
        try S.write(["cases.csv": "usid,decided\n1US1,2/1/1790\n1US2,13/45/1790\n"], in: dir)
        let recipe = try S.recipe("""
            recipe: dates
            sources:
              - file: cases.csv
                nodes:
                  - key: "scotus:{usid}"
                    type: SupremeCourtCase
                    properties:
                      decision_date: {column: decided, date: M/D/YYYY}
            """, in: dir)
        let store = try S.newStore(in: dir)
        XCTAssertThrowsError(try GraphLoader(store: store, dataFolder: dir).load([recipe])) { error in
            guard let failure = error as? LoadFailure else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.total, 1)
            let message = failure.errors[0].description
            XCTAssertTrue(message.hasPrefix("cases.csv:3:"), message)
            XCTAssertTrue(message.contains("column 'decided' -> property 'decision_date'"), message)
            XCTAssertTrue(message.contains("not a date in layout M/D/YYYY, got \"13/45/1790\""), message)
        }
        XCTAssertEqual(try S.count(store, "node"), 0)
    }

    func testMalformedISODate() throws {
        let (failure, _) = try S.expectFailure(self, nodes: [#"{"key": "scotus:1US1", "type": "SupremeCourtCase", "props": {"decision_date": "1961-02-30"}}"#])
        let message = failure.errors[0].description
        XCTAssertTrue(message.hasPrefix("nodes.jsonl:1:"), message)
        XCTAssertTrue(message.contains("property 'decision_date'"), message)
        XCTAssertTrue(message.contains("\"1961-02-30\""), message)
    }

    func testMalformedIdentifier() throws {
        let (failure, _) = try S.expectFailure(self, nodes: [goodCase, #"{"key": "scotus:367US643", "type": "SupremeCourtCase", "props": {"us_cite": "367 US 643"}}"#])
        let message = failure.errors[0].description
        XCTAssertTrue(message.hasPrefix("nodes.jsonl:2:"), message)
        XCTAssertTrue(message.contains("property 'us_cite' value \"367 US 643\" is not a valid us_reports"), message)
    }

    func testRecipeNamingAMissingColumnIsARecipeError() throws {
        let dir = try S.tempFolder(self)
        try S.write(["cases.csv": "usid,decided\n1US1,2/1/1790\n"], in: dir)
        let recipe = try S.recipe("""
            recipe: typo
            sources:
              - file: cases.csv
                nodes:
                  - {key: "scotus:{usid}", type: SupremeCourtCase, properties: {decision_date: {column: decidd, date: M/D/YYYY}}}
            """, in: dir)
        XCTAssertThrowsError(try GraphLoader(store: try S.newStore(in: dir), dataFolder: dir).load([recipe])) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("recipe.yaml:5"), message)
            XCTAssertTrue(message.contains("column 'decidd' is not in cases.csv"), message)
        }
    }

    func testUnknownRecipeKeyNamesTheRecipeLine() throws {
        let dir = try S.tempFolder(self)
        XCTAssertThrowsError(try S.recipe("recipe: x\nsources:\n  - file: a.csv\n    nodez: []\n", in: dir)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("recipe.yaml:4"), message)
            XCTAssertTrue(message.contains("unknown key 'nodez'"), message)
        }
    }
}
