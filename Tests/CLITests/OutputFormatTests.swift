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

    /// One `--format` option in every command: a format the command does not print is
    /// refused before anything runs, in the same words everywhere, naming what it offers;
    /// `md` is `markdown`.
    func testEveryCommandRefusesAFormatItDoesNotOfferTheSameWay() throws {
        // The command, the arguments it needs to parse, what it offers, a format to refuse.
        let commands: [(command: [String], arguments: [String], offered: String, refused: String)] = [
            (["show"], ["x"], "table or json", "csv"),
            (["stats"], [], "table, json or csv", "markdown"),
            (["status"], ["x"], "table or json", "csv"),
            (["context"], ["x"], "table or json", "csv"),
            (["walk"], ["x"], "table, json or csv", "md"),
            (["query"], ["RETURN 1"], "table, json or csv", "markdown"),
            (["shell"], [], "table, json or csv", "markdown"),
            (["baselines"], [], "table or json", "csv"),
            (["eval"], ["run"], "table, json or markdown", "csv"),
            (["predict"], ["--run", "r", "--cases", "c.jsonl"], "table or json", "csv"),
            (["drift"], ["--run", "r", "--cases", "c.jsonl"], "table or json", "markdown"),
            (["review"], ["c.txt", "--types-model", "m"], "table, json or markdown", "csv"),
            (["tokenize"], ["a text"], "table or json", "csv"),
            (["clauses", "eval"], ["--data", "d", "--run", "r"], "table or json", "csv"),
            (["clauses", "fit"], ["--data", "d", "--method", "knn", "--out", "o"], "table or json", "markdown"),
            (["ontology", "history"], [], "table, json or csv", "markdown"),
            (["audit", "show"], [], "table, json or csv", "markdown"),
            (["token", "create"], ["--name", "n", "--role", "reader"], "table or json", "csv"),
            (["token", "list"], [], "table, json or csv", "markdown"),
            (["model", "list"], [], "table, json or csv", "markdown"),
            (["model", "infer"], ["m", "a text"], "table or json", "csv"),
        ]
        for c in commands {
            let name = c.command.joined(separator: " ")
            let r = try CLI.run(c.command + c.arguments + ["--format", c.refused])
            XCTAssertEqual(r.status, 64, "\(name): a usage error\n\(r)")
            let shown = c.refused == "md" ? "markdown" : c.refused
            XCTAssertTrue(r.stderr.hasPrefix("lexgraph: error: --format \(shown) is not offered by this command: use \(c.offered)\n"), "\(name): \(r)")
            XCTAssertEqual(r.stdout, "", name)
            let help = try CLI.run(c.command + ["--help"])
            XCTAssertTrue(help.stdout.contains("Output format: \(c.offered)"), "\(name) --help: \(help)")
        }
        // `md` is accepted where markdown is offered: the run folder is what fails.
        let eval = try CLI.run(["eval", "no-such-run", "--format", "md"])
        XCTAssertEqual(eval.status, 1, "\(eval)")
        XCTAssertFalse(eval.stderr.contains("--format"), "\(eval)")
        let unknown = try CLI.run(["show", "x", "--format", "xml"])
        XCTAssertTrue(unknown.stderr.contains("The value 'xml' is invalid for '--format <format>'") && unknown.stderr.contains("Output format: table or json."), "\(unknown)")
    }
}
