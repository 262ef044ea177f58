import Foundation
import XCTest

/// Every failure prints `lexgraph: error: MESSAGE` on stderr, exit 64 for usage errors and
/// 1 for the rest; a missing default path names what was tried and how to change it.
final class ErrorStyleTests: XCTestCase {
    static let prefix = "lexgraph: error: "

    func assertError(_ r: CLI.Result, status: Int32, contains parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, "\(r)", file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix(Self.prefix), "stderr does not start with '\(Self.prefix)': \(r)", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Error: "), "ArgumentParser's own prefix leaked: \(r)", file: file, line: line)
        for part in parts { XCTAssertTrue(r.stderr.contains(part), "stderr lacks '\(part)': \(r)", file: file, line: line) }
        XCTAssertEqual(r.stdout, "", "an error prints nothing on stdout: \(r)", file: file, line: line)
    }

    func testUsageErrorsExit64WithTheUsageLine() throws {
        // An unknown option, a missing argument, a bad value, a failed validate().
        assertError(try CLI.run(["query", "RETURN 1", "--no-such-option"]), status: 64, contains: ["--no-such-option", "Usage: lexgraph query"])
        assertError(try CLI.run(["show"]), status: 64, contains: ["Missing expected argument", "Usage: lexgraph show"])
        assertError(try CLI.run(["query", "RETURN 1", "--format", "xml"]), status: 64, contains: ["xml"])
        assertError(try CLI.run(["tokenize", "x", "--max-length", "0"]), status: 64, contains: ["--max-length must be at least 1"])
        assertError(try CLI.run(["no-such-command"]), status: 64, contains: ["no-such-command"])
    }

    func testRuntimeErrorsExit1() throws {
        let dir = try CLI.temporaryFolder(self)
        let missingDB = dir.appendingPathComponent("none.sqlite").path
        // A missing database given by --db, and by the default (relative to the directory).
        assertError(try CLI.run(["stats", "--db", missingDB]), status: 1, contains: ["no graph database at \(missingDB)", "lexgraph build"])
        assertError(try CLI.run(["stats"], in: dir), status: 1,
                    contains: ["no graph database at var/lexgraph.sqlite (the default, relative to \(dir.path))", "pass --db PATH or set LEXGRAPH_DB"])
        assertError(try CLI.run(["stats"], in: dir, environment: ["LEXGRAPH_DB": "elsewhere.sqlite"]), status: 1,
                    contains: ["no graph database at elsewhere.sqlite (from $LEXGRAPH_DB, relative to \(dir.path))"])
        // A query error keeps its position and caret under the prefix.
        let db = try SharedGraph.database()
        assertError(try CLI.run(["query", "MATCH (c:SupremeCourtCase) RETURN c.nme LIMIT 1", "--db", db]), status: 1, contains: ["1:", "nme", "^"])
        // Errors the commands used to print themselves ("error: ...").
        assertError(try CLI.run(["show", "scotus:no-such-case", "--db", db]), status: 1, contains: ["no node matches 'scotus:no-such-case'"])
        let badModel = dir.appendingPathComponent("empty-model")
        try FileManager.default.createDirectory(at: badModel, withIntermediateDirectories: true)
        assertError(try CLI.run(["tokenize", "--model", badModel.path, "text"]), status: 1, contains: [badModel.path])
    }

    /// Outside the repository, the relative defaults are missing: the message says which
    /// path was tried, relative to which directory, and how to give another.
    func testMissingDefaultsNameThePathTried() throws {
        let dir = try CLI.temporaryFolder(self)
        assertError(try CLI.run(["tokenize", "Mapp v. Ohio"], in: dir), status: 1,
                    contains: ["no tokenizer at models/all-minilm-l6-v2 (the default, relative to \(dir.path)): pass --model PATH or set LEXGRAPH_MODEL"])
        assertError(try CLI.run(["model", "info"], in: dir), status: 1,
                    contains: ["no model folder at models/all-minilm-l6-v2 (the default, relative to \(dir.path))", "LEXGRAPH_MODEL"])
        let update = CLI.root.appendingPathComponent("ontology/updates/0002-2026-11-29-ecthr-judgment.yaml").path
        assertError(try CLI.run(["ontology", "validate", update], in: dir), status: 1,
                    contains: ["no base ontology document at ontology/legal-core.yaml (the default, relative to \(dir.path)): pass --base PATH"])
        assertError(try CLI.run(["ontology", "validate", "nothing.yaml"], in: dir), status: 1,
                    contains: ["no ontology file at nothing.yaml (relative to \(dir.path))"])
        assertError(try CLI.run(["baselines"], in: dir), status: 1,
                    contains: ["no data folder at ../shared/data (the default, relative to \(dir.path)): pass --data PATH or set LEXGRAPH_DATA"])
        // With the paths given, the same commands work from anywhere.
        let model = CLI.root.appendingPathComponent("models/all-minilm-l6-v2").path
        let tokens = try CLI.run(["tokenize", "--model", model, "Mapp v. Ohio"], in: dir)
        XCTAssertEqual(tokens.status, 0, "\(tokens)")
        let validated = try CLI.run(["ontology", "validate", update, "--base", CLI.root.appendingPathComponent("ontology/legal-core.yaml").path], in: dir)
        XCTAssertEqual(validated.status, 0, "\(validated)")
        XCTAssertTrue(validated.stdout.hasPrefix("OK: update 2"), "\(validated)")
    }
}
