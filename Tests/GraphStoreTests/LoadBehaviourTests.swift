import Foundation
import GRDB
import GraphStore
import LexgraphCore
import XCTest

/// Dry runs, idempotent re-loads, merging across sources, and the record readers.
final class LoadBehaviourTests: XCTestCase {
    typealias S = LoadTestSupport

    private func caseLine(_ i: Int, name: String? = nil, term: String? = nil) -> String {
        #"{"key": "scotus:\#(i)US1", "type": "SupremeCourtCase", "props": {"name": "\#(name ?? "Case \(i)")", "term": \#(term ?? "\(1800 + i)")}}"#
    }

    private func setUp(nodes: [String], edges: [String]) throws -> (URL, GraphStore, Recipe) {
        let dir = try S.tempFolder(self)
        try S.write(["nodes.jsonl": nodes.joined(separator: "\n") + "\n",
                     "edges.csv": (["type,from,to"] + edges).joined(separator: "\n") + "\n"], in: dir)
        return (dir, try S.newStore(in: dir), try S.recipe(S.genericRecipe, in: dir))
    }

    func testDryRunReportsAllErrorsCappedAndWritesNothing() throws {
        let bad = (1...25).map { caseLine($0, term: "\"x\($0)\"") }
        let (dir, store, recipe) = try setUp(nodes: bad, edges: [])
        XCTAssertThrowsError(try GraphLoader(store: store, dataFolder: dir).load([recipe], dryRun: true)) { error in
            guard let failure = error as? LoadFailure else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.total, 25)
            XCTAssertEqual(failure.errors.count, 20)
            XCTAssertTrue(failure.message.contains("... and 5 more"), failure.message)
            XCTAssertTrue(failure.errors[19].description.hasPrefix("nodes.jsonl:20:"), failure.errors[19].description)
        }
        XCTAssertEqual(try S.count(store, "node"), 0)
        XCTAssertEqual(try S.count(store, "load_log"), 0, "a dry run leaves no trace")
    }

    func testValidDryRunSaysWhatWouldChangeButWritesNothing() throws {
        let (dir, store, recipe) = try setUp(nodes: [caseLine(1), caseLine(2)], edges: ["CITES,scotus:2US1,scotus:1US1"])
        let report = try GraphLoader(store: store, dataFolder: dir).load([recipe], dryRun: true)
        XCTAssertTrue(report.dryRun)
        XCTAssertEqual(report.counts.nodesInserted, 2)
        XCTAssertEqual(report.counts.edgesInserted, 1)
        XCTAssertEqual(try S.count(store, "node"), 0)
        XCTAssertEqual(try S.count(store, "edge"), 0)
        XCTAssertEqual(try S.count(store, "node_fts"), 0)
        XCTAssertEqual(report.summary.split(separator: "\n").dropFirst().joined(separator: "\n"), """
            would write nodes: 2 new, 0 changed, 0 unchanged; edges: 1 new, 0 changed, 0 unchanged
              would load node SupremeCourtCase: 2
              would load edge CITES: 1
            """)
        XCTAssertTrue(report.summary.hasPrefix("dry run (nothing written): generic: 3 records read in "), report.summary)
    }

    func testReloadIsIdempotentAndReportsChanges() throws {
        let (dir, store, recipe) = try setUp(nodes: [caseLine(1), caseLine(2)], edges: ["CITES,scotus:2US1,scotus:1US1"])
        let loader = GraphLoader(store: store, dataFolder: dir, user: "tester")
        let first = try loader.load([recipe])
        XCTAssertEqual(first.counts.nodesInserted, 2)
        XCTAssertEqual(first.counts.edgesInserted, 1)
        let second = try loader.load([recipe])
        XCTAssertEqual(second.counts, {
            var c = WriteCounts(); c.nodesUnchanged = 2; c.edgesUnchanged = 1; return c
        }())
        try S.write(["nodes.jsonl": [caseLine(1), caseLine(2, name: "Renamed")].joined(separator: "\n")], in: dir)
        let third = try loader.load([recipe])
        XCTAssertEqual(third.counts.nodesUpdated, 1)
        XCTAssertEqual(third.counts.nodesUnchanged, 1)
        XCTAssertEqual(third.counts.nodesInserted, 0)
        XCTAssertEqual(try S.count(store, "node"), 2)
        let log = try store.read { db in try Row.fetchAll(db, sql: "SELECT user, recipe, status, nodes_inserted, nodes_updated FROM load_log ORDER BY id") }
        XCTAssertEqual(log.count, 3)
        XCTAssertEqual(log.map { $0["status"] as String }, ["ok", "ok", "ok"])
        XCTAssertEqual(log.map { $0["user"] as String }, ["tester", "tester", "tester"])
        XCTAssertEqual(log.map { $0["nodes_inserted"] as Int }, [2, 0, 0])
        XCTAssertEqual(log.map { $0["nodes_updated"] as Int }, [0, 0, 1])
    }

    func testFailedLoadWritesNoLogRowAndLeavesEarlierDataAlone() throws {
        let (dir, store, recipe) = try setUp(nodes: [caseLine(1), caseLine(2)], edges: [])
        let loader = GraphLoader(store: store, dataFolder: dir)
        try loader.load([recipe])
        try S.write(["nodes.jsonl": [caseLine(1, name: "Changed"), caseLine(3), caseLine(4, term: "\"bad\"")].joined(separator: "\n")], in: dir)
        XCTAssertThrowsError(try loader.load([recipe]))
        XCTAssertEqual(try S.count(store, "node"), 2)
        let name = try store.read { db in try String.fetchOne(db, sql: "SELECT json_extract(props, '$.name') FROM node WHERE key = 'scotus:1US1'") }
        XCTAssertEqual(name, "Case 1")
        let statuses = try store.read { db in try String.fetchAll(db, sql: "SELECT status FROM load_log ORDER BY id") }
        XCTAssertEqual(statuses, ["ok"], "a refused load writes nothing, not even a load_log row")
    }

    func testMergeAcrossSourcesWithWeakValues() throws {
        let dir = try S.tempFolder(self)
        try S.write([
            "opinions.csv": "usid,year,parties\n1US1,1790,A v. B\n1US2,1791,C v. D\n",
            "cases.csv": "id,usid,date,name\n1790-001,1US1,3/4/1790,A. v. B. et al.\n",
        ], in: dir)
        let recipe = try S.recipe("""
            recipe: merge
            lookups:
              case_usid: {file: cases.csv, key: id, value: "{usid}"}
            sources:
              - file: opinions.csv
                nodes:
                  - key: "scotus:{usid}"
                    type: SupremeCourtCase
                    properties:
                      name: {column: parties, weak: true}
                      decision_date: {template: "{year}-12-31", weak: true}
                      us_cite: {column: usid, match: '^([0-9]+)US([0-9_]+)$', replace: '$1 U.S. $2'}
              - file: cases.csv
                nodes:
                  - key: ["scotus:{id|lookup:case_usid}", "scotus:scdb:{id}"]
                    type: SupremeCourtCase
                    merge: true
                    properties:
                      name: name
                      scdb_case_id: id
                      decision_date: {column: date, date: M/D/YYYY}
            """, in: dir)
        let store = try S.newStore(in: dir)
        let report = try GraphLoader(store: store, dataFolder: dir).load([recipe])
        XCTAssertEqual(report.nodesByType["SupremeCourtCase"], 2)
        let rows = try store.read { db in try Row.fetchAll(db, sql: "SELECT key, props, valid_from FROM node ORDER BY key") }
        XCTAssertEqual(rows.map { $0["key"] as String }, ["scotus:1US1", "scotus:1US2"])
        XCTAssertEqual(rows[0]["props"] as String,
                       #"{"decision_date":"1790-03-04","name":"A. v. B. et al.","scdb_case_id":"1790-001","us_cite":"1 U.S. 1"}"#)
        XCTAssertEqual(rows[0]["valid_from"] as String?, "1790-03-04")
        XCTAssertEqual(rows[1]["valid_from"] as String?, "1791-12-31", "a year-only case is visible from the last day of its year")
    }

    func testConflictingStrongValuesNameBothLines() throws {
        let dir = try S.tempFolder(self)
        try S.write(["a.csv": "usid,name\n1US1,A v. B\n", "b.csv": "usid,name\nx,y\n1US1,A v. C\n"], in: dir)
        let recipe = try S.recipe("""
            recipe: conflict
            sources:
              - file: a.csv
                nodes: [{key: "scotus:{usid}", type: SupremeCourtCase, properties: {name: name}}]
              - file: b.csv
                where: {column: usid, not_equals: x}
                nodes: [{key: "scotus:{usid}", type: SupremeCourtCase, merge: true, properties: {name: name}}]
            """, in: dir)
        XCTAssertThrowsError(try GraphLoader(store: try S.newStore(in: dir), dataFolder: dir).load([recipe])) { error in
            let message = (error as? LoadFailure)?.errors.first?.description ?? "\(error)"
            XCTAssertTrue(message.hasPrefix("b.csv:3:"), message)
            XCTAssertTrue(message.contains("property 'name' is \"A v. C\" here but \"A v. B\" at a.csv:2"), message)
        }
    }

    // MARK: Readers

    func testCSVWithQuotedNewlinesKeepsLineNumbers() throws {
        let dir = try S.tempFolder(self)
        try S.write(["q.csv": "a,b\r\n\"x, \"\"quoted\"\"\",\"two\nlines\"\r\nz,\n"], in: dir)
        var seen: [(Int, String?, String?)] = []
        try RecordReader.read(path: dir.appendingPathComponent("q.csv").path, displayName: "q.csv", format: .csv) { r in
            seen.append((r.line, r.text("a"), r.text("b")))
        }
        XCTAssertEqual(seen.count, 2)
        XCTAssertEqual(seen[0].0, 2); XCTAssertEqual(seen[0].1, "x, \"quoted\""); XCTAssertEqual(seen[0].2, "two\nlines")
        XCTAssertEqual(seen[1].0, 4); XCTAssertEqual(seen[1].1, "z"); XCTAssertNil(seen[1].2)
    }

    func testMalformedFilesNameTheLine() throws {
        let dir = try S.tempFolder(self)
        try S.write(["u.csv": "a,b\n1,2\n3,\"open\n", "w.csv": "a,b\n1,2,3\n", "j.jsonl": "{\"a\": 1}\n{\"a\": \n", "arr.json": "[\n {\"a\": 1},\n {\"a\": tru}\n]"], in: dir)
        for (file, format, expected) in [("u.csv", SourceFormat.csv, "u.csv:3"), ("w.csv", .csv, "w.csv:2"), ("j.jsonl", .jsonl, "j.jsonl:2"), ("arr.json", .jsonArray, "arr.json:3")] {
            XCTAssertThrowsError(try RecordReader.read(path: dir.appendingPathComponent(file).path, displayName: file, format: format) { _ in }) { error in
                XCTAssertTrue("\(error)".hasPrefix(expected), "\(error)")
            }
        }
    }

    func testJSONArrayAndTSVRecords() throws {
        let dir = try S.tempFolder(self)
        try S.write(["a.json": "[\n  {\"id\": \"1\", \"n\": 2, \"t\": \"has \\\"]\\\" in it\"},\n  {\"id\": \"P1-1\", \"n\": null}\n]\n",
                     "t.tsv": "text\tlabel\nsays \"hi\", twice\tYes\n"], in: dir)
        var rows: [(Int, String?, String?)] = []
        try RecordReader.read(path: dir.appendingPathComponent("a.json").path, displayName: "a.json", format: .jsonArray) { r in
            rows.append((r.line, r.text("id"), r.text("n")))
        }
        XCTAssertEqual(rows.map(\.0), [2, 3])
        XCTAssertEqual(rows.map(\.1), ["1", "P1-1"])
        XCTAssertEqual(rows.map(\.2), ["2", nil])
        try RecordReader.read(path: dir.appendingPathComponent("t.tsv").path, displayName: "t.tsv", format: .tsv) { r in
            XCTAssertEqual(r.text("text"), "says \"hi\", twice")
            XCTAssertEqual(r.text("label"), "Yes")
        }
    }
}
