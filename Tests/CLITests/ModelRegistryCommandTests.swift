import Foundation
import GRDB
import TestRequirements
import XCTest

/// `lexgraph model register|list|promote|rollback|infer` as a user runs them, over the
/// two tiny classifiers of Tests/Fixtures/serving (tools/make_serving_fixtures.py wrote
/// them and the probabilities transformers gives, expected.json).
final class ModelRegistryCommandTests: XCTestCase {
    static let fixtures = CLI.root.appendingPathComponent("Tests/Fixtures/serving")

    func testRegisterListPromoteRollbackInfer() throws {
        let db = try LexgraphBinary.oneCaseDatabase(for: self)
        let runA = Self.fixtures.appendingPathComponent("run-a").path, runB = Self.fixtures.appendingPathComponent("run-b").path
        let first = try CLI.run(["model", "register", "Tests/Fixtures/serving/run-a", "--name", "clauses", "--alias", "candidate", "--db", db])
        XCTAssertEqual(first.status, 0, "\(first)")
        XCTAssertEqual(first.lines.first, "registered clauses version 1 (sequence-classifier) from \(runA); candidate -> version 1", "\(first)")
        XCTAssertNotNil(first.lines.last?.range(of: "^data fingerprint sha256:[0-9a-f]{64}$", options: .regularExpression), "\(first)")
        let second = try CLI.run(["model", "register", runB, "--name", "clauses", "--db", db])
        XCTAssertEqual(second.lines.first, "registered clauses version 2 (sequence-classifier) from \(runB)", "\(second)")

        let list = try CLI.run(["model", "list", "--db", db])
        XCTAssertEqual(list.status, 0, "\(list)")
        XCTAssertEqual(list.lines.count, 4, "\(list)")
        XCTAssertEqual(list.lines[0].split(separator: " ").map(String.init), ["NAME", "VERSION", "KIND", "ALIASES", "CREATED", "FINGERPRINT", "RUN"])
        let row1 = list.lines[1].split(separator: " ").map(String.init), row2 = list.lines[2].split(separator: " ").map(String.init)
        XCTAssertEqual([row1[0], row1[1], row1[2], row1[3], row1.last!], ["clauses", "1", "sequence-classifier", "candidate", runA], "\(list)")
        XCTAssertEqual([row2[0], row2[1], row2[3], row2.last!], ["clauses", "2", "-", runB], "\(list)")
        XCTAssertEqual(list.lines[3], "(2 versions of 1 model)")

        let promote = try CLI.run(["model", "promote", "clauses", "--version", "2", "--alias", "production", "--db", db])
        XCTAssertEqual(promote.stdout, "clauses production -> version 2\n", "\(promote)")
        let back = try CLI.run(["model", "promote", "clauses", "--version", "1", "--db", db])
        XCTAssertEqual(back.stdout, "clauses production -> version 1 (was version 2)\n", "\(back)")
        let rollback = try CLI.run(["model", "rollback", "clauses", "--alias", "production", "--db", db])
        XCTAssertEqual(rollback.stdout, "clauses production -> version 2 (rolled back from version 1)\n", "\(rollback)")
        let again = try CLI.run(["model", "rollback", "clauses", "--db", db])
        XCTAssertEqual(again.status, 1, "\(again)")
        XCTAssertEqual(again.stderr, "lexgraph: error: clauses's alias production points at version 2, with no earlier version to roll back to\n")

        let json = try CLI.jsonLines(try CLI.run(["model", "list", "--format", "json", "--db", db]).stdout)
        XCTAssertEqual(json.map { $0["aliases"] as? [String] }, [["candidate"], ["production"]])
        XCTAssertEqual(Set(json[0].keys), ["name", "version", "kind", "run", "aliases", "data_fingerprint", "created_at", "report", "config", "metrics"])
        XCTAssertEqual((json[0]["config"] as? [String: Any])?["problem_type"] as? String, "single_label_classification")

        // production is version 2 (run-b): its probabilities, as transformers computes them.
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixtures.appendingPathComponent("expected.json"))) as! [String: Any]
        let texts = expected["texts"] as! [String], labels = expected["labels"] as! [String]
        let reference = (expected["probabilities"] as! [String: Any])["run-b"] as! [[Double]]
        let infer = try CLI.run(["model", "infer", "clauses"] + texts + ["--format", "json", "--db", db])
        XCTAssertEqual(infer.status, 0, "\(infer)")
        let rows = try CLI.jsonLines(infer.stdout)
        XCTAssertEqual(rows.count, texts.count)
        for (row, theirs) in zip(rows, reference) {
            XCTAssertEqual(row["version"] as? Int, 2)
            let p = row["probabilities"] as? [String: Double] ?? [:]
            for (label, q) in zip(labels, theirs) { XCTAssertEqual(p[label] ?? -1, q, accuracy: 1e-5, "\(row)") }
            XCTAssertEqual(row["label"] as? String, labels[theirs.indices.max { theirs[$0] < theirs[$1] }!])
        }
        let candidate = try CLI.run(["model", "infer", "clauses", texts[0], "--alias", "candidate", "--db", db])
        XCTAssertEqual(candidate.status, 0, "\(candidate)")
        XCTAssertTrue(candidate.stderr.contains("clauses version 1 (\(runA))"), "\(candidate)")

        // Every change is in the audit trail, in order; the refused rollback is not.
        let audit = try DatabaseQueue(path: db).read { db in
            try Row.fetchAll(db, sql: "SELECT action, subject, outcome FROM audit_log WHERE action LIKE 'model.%' ORDER BY seq")
        }
        XCTAssertEqual(audit.map { $0["action"] as String }, ["model.register", "model.register", "model.promote", "model.promote", "model.rollback"])
        XCTAssertEqual(audit[2]["outcome"] as String, "ok: clauses production -> version 2")
        XCTAssertEqual(audit[4]["outcome"] as String, "ok: clauses production -> version 2 (rolled back from version 1)")
        let verify = try CLI.run(["audit", "verify", "--db", db])
        XCTAssertEqual(verify.status, 0, "\(verify)")
    }

    func testBadRegistryInputIsAOneLineError() throws {
        let db = try LexgraphBinary.oneCaseDatabase(for: self)
        let cases: [([String], String)] = [
            (["model", "register", "no/such/run", "--name", "m"], "no run folder at no/such/run"),
            (["model", "register", "Tests/Fixtures/serving/run-a", "--name", "bad name"],
             "a model name must be 1-100 letters, digits, '.', '_' or '-' (not starting with '.' or '-'), got 'bad name'"),
            (["model", "register", "Tests/Fixtures/serving/run-a", "--name", "m", "--alias", "7"],
             "a model alias must not be a number (it would read as a version), got '7'"),
            (["model", "register", "Tests/Fixtures", "--name", "m"], "Tests/Fixtures is not a run folder (no config.json)"),
            (["model", "promote", "m", "--version", "1"], "no model named m is registered (`lexgraph model list` shows them)"),
            (["model", "rollback", "m"], "model m has no alias production to roll back"),
            (["model", "infer", "m", "text"], "no model named 'm' is registered (none is: `lexgraph model register` adds one)"),
        ]
        for (arguments, message) in cases {
            let r = try CLI.run(arguments + ["--db", db])
            XCTAssertEqual(r.status, 1, "\(arguments): \(r)")
            XCTAssertTrue(r.stderr.hasPrefix("lexgraph: error: \(message)"), "\(arguments): \(r)")
        }
        XCTAssertEqual(try CLI.run(["model", "list", "--db", db]).lines, ["NAME  VERSION  KIND  ALIASES  CREATED  FINGERPRINT  RUN", "(0 versions of 0 models)"])
    }
}
