import Foundation
import XCTest

/// Control characters stored in the graph are shown, not sent to the terminal, by every
/// table printer; JSON keeps them as JSON escapes and CSV keeps them exactly (README);
/// record lists print as JSON Lines.
final class OutputFormatTests: XCTestCase {
    /// Red text, a carriage return that would overwrite the line, a C1 CSI, and a
    /// right-to-left override that would show "evil" reversed.
    static let hostileName = "Red \u{1B}[31mAlert\u{1B}[0m v.\rOver \u{9B}2J \u{202E}live"

    /// A two-case database whose names hold `hostileName`, made by `lexgraph load --init`.
    func hostileDatabase() throws -> String {
        let quoted = "\"" + Self.hostileName.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        return try CLI.citationGraph(self, nodes: "h1,\(quoted),1990-01-02\nh2,Plain v. Case,1991-03-04\n", edges: "h2,h1\n")
    }

    /// No byte a terminal acts on: ESC, CR, C1, bidi overrides (line feeds lay out lines).
    func assertTerminalSafe(_ text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let bad = text.unicodeScalars.filter { s in
            (s.value < 0x20 && s != "\n") || (0x7F...0x9F).contains(s.value) || (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value)
        }
        XCTAssertTrue(bad.isEmpty, "\(what) printed raw control characters \(bad.map { String($0.value, radix: 16) }): \(text.debugDescription)", file: file, line: line)
    }

    func testTablePrintersEscapeControlCharacters() throws {
        let db = try hostileDatabase()
        let escapedName = #"Red \u{1B}[31mAlert\u{1B}[0m v.\rOver \u{9B}2J \u{202E}live"#

        let query = try CLI.run(["query", "MATCH (c:SupremeCourtCase {decision_date: '1990-01-02'}) RETURN c.name AS name, c", "--db", db])
        XCTAssertEqual(query.status, 0, "\(query)")
        assertTerminalSafe(query.stdout, "query")
        XCTAssertTrue(query.stdout.contains("'" + escapedName + "'"), "\(query)")
        XCTAssertTrue(query.stdout.contains("(1 row)"), "the escaped cell stays on its row: \(query)")

        let show = try CLI.run(["show", "h1", "--db", db])
        XCTAssertEqual(show.status, 0, "\(show)")
        assertTerminalSafe(show.stdout, "show")
        XCTAssertTrue(show.stdout.contains("name: " + escapedName), "\(show)")
        let neighbour = try CLI.run(["show", "h2", "--db", db])
        assertTerminalSafe(neighbour.stdout, "show (neighbour names)")
        XCTAssertTrue(neighbour.stdout.contains("h1  (SupremeCourtCase)  " + escapedName), "\(neighbour)")

        let walk = try CLI.run(["walk", "h2", "--db", db, "--depth", "1"])
        XCTAssertEqual(walk.status, 0, "\(walk)")
        assertTerminalSafe(walk.stdout, "walk")
        XCTAssertTrue(walk.stdout.contains("h1"), "\(walk)")

        // The shell prints query tables the same way.
        let shell = try CLI.run(["shell", "--db", db], input: "MATCH (c) WHERE c.decision_date = '1990-01-02' RETURN c.name;\n")
        XCTAssertEqual(shell.status, 0, "\(shell)")
        assertTerminalSafe(shell.stdout, "shell")
        XCTAssertTrue(shell.stdout.contains(escapedName), "\(shell)")
    }

    func testJSONKeepsTheDataAndCSVKeepsItExactly() throws {
        let db = try hostileDatabase()
        let json = try CLI.run(["query", "MATCH (c:SupremeCourtCase) RETURN c.name AS name ORDER BY c.decision_date", "--format", "json", "--db", db])
        XCTAssertEqual(json.status, 0, "\(json)")
        let rows = try CLI.jsonLines(json.stdout)
        XCTAssertEqual(rows.map { $0["name"] as? String }, [Self.hostileName, "Plain v. Case"], "JSON Lines, one row per line, the text exact")
        XCTAssertFalse(json.stdout.contains("\u{1B}"), "JSON escapes ESC itself")
        let none = try CLI.run(["query", "MATCH (c:SupremeCourtCase {name: 'nobody'}) RETURN c.name AS name", "--format", "json", "--db", db])
        XCTAssertEqual(none.status, 0, "\(none)")
        XCTAssertEqual(none.stdout, "", "no rows: no line")

        let csv = try CLI.run(["query", "MATCH (c:SupremeCourtCase) RETURN c.name AS name ORDER BY c.decision_date", "--format", "csv", "--db", db])
        XCTAssertEqual(csv.status, 0, "\(csv)")
        XCTAssertTrue(csv.stdout.hasPrefix("name\n\"" + Self.hostileName + "\"\nPlain v. Case"), "CSV keeps the stored text: \(csv.stdout.debugDescription)")

        let show = try CLI.run(["show", "h1", "--format", "json", "--db", db])
        let object = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
        XCTAssertEqual((object?["properties"] as? [String: Any])?["name"] as? String, Self.hostileName)
    }

    /// Lists of records print as JSON Lines, like `query --format json`.
    func testRecordListsPrintAsJSONLines() throws {
        let db = try SharedGraph.database()
        let history = try CLI.run(["ontology", "history", "--format", "json", "--db", db])
        XCTAssertEqual(history.status, 0, "\(history)")
        let versions = try CLI.jsonLines(history.stdout).map { $0["version"] as? Int }
        // The build installs version 1 and applies every update file in ontology/updates/.
        let updates = try FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("ontology/updates").path).filter { $0.hasSuffix(".yaml") }
        XCTAssertEqual(versions, Array(1...(1 + updates.count)).map { Optional($0) }, history.stdout)

        let query = try CLI.run(["query", "MATCH (m:SupremeCourtCase {usid: '367US643'})-[:CITES]->(p) RETURN p.usid AS usid LIMIT 3", "--format", "json", "--db", db])
        let rows = try CLI.jsonLines(query.stdout)
        XCTAssertEqual(rows.count, 3, query.stdout)
        XCTAssertTrue(rows.allSatisfy { $0.keys.sorted() == ["usid"] }, query.stdout)
    }
}
