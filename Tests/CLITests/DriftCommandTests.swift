import Foundation
import TestRequirements
import XCTest

/// `lexgraph drift` over a run folder's config (split_full, the shared data, the MiniLM
/// encoder) and pending cases of term 2013: the table, the JSON, the report folder, and
/// the errors for a missing run, an unknown column, an empty file and an outcome field.
/// Values are held to scipy and Evidently by MonitoringTests and
/// tools/check_drift_with_evidently.py; here the command's output itself is checked.
final class DriftCommandTests: XCTestCase {
    /// $LEXGRAPH_DATA when set (a worktree beside no ../shared), else ../shared/data.
    static let data = ProcessInfo.processInfo.environment["LEXGRAPH_DATA"].map { URL(fileURLWithPath: $0) }
        ?? CLI.root.appendingPathComponent("../shared/data").standardizedFileURL
    static let encoder = CLI.root.appendingPathComponent("models/all-minilm-l6-v2").standardizedFileURL

    /// A run folder holding only config.json (all drift reads), and a pending file of
    /// `count` term-2013 cases with the allowed fields.
    func setUpRun(count: Int = 20) throws -> (run: URL, cases: URL, folder: URL) {
        let casesFile = Self.data.appendingPathComponent("scotus/cases.jsonl")
        try TestRequirements.requireFile(casesFile.path, "the shared SCOTUS data")
        try TestRequirements.requireFile(Self.encoder.appendingPathComponent("vocab.txt").path, "the MiniLM encoder (tools/setup.sh)")
        let folder = try CLI.temporaryFolder(self)
        let run = folder.appendingPathComponent("run-split-full")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        let config: [String: Any] = ["model_kind": "fused-transformer", "model_name": "text", "task": "scotus-outcome", "plan": "split_full",
                                     "options": [:], "data_path": Self.data.path, "db_path": "/nonexistent.sqlite",
                                     "encoder_path": Self.encoder.path, "seed": 42, "created": "2026-12-07T00:00:00Z",
                                     "lexgraph_version": "lexgraph 0.1.0 (run folder format 1)"]
        try JSONSerialization.data(withJSONObject: config).write(to: run.appendingPathComponent("config.json"))
        let allowed: Set<String> = ["oyez_id", "name", "docket", "term_for_split", "first_party", "second_party", "facts", "usid",
                                    "fowler_caseid", "scdb_caseId", "scdb_term", "scdb_petitioner", "scdb_respondent",
                                    "scdb_lcDisposition", "scdb_certReason", "scdb_issue", "scdb_issueArea", "scdb_lawType", "scdb_lawSupp"]
        var lines: [String] = []
        for line in try String(contentsOf: casesFile, encoding: .utf8).split(separator: "\n") where lines.count < count {
            guard var object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  object["term_for_split"] as? Int == 2013 else { continue }
            object = object.filter { allowed.contains($0.key) }
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        }
        XCTAssertEqual(lines.count, count)
        let pending = folder.appendingPathComponent("pending.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: pending, atomically: true, encoding: .utf8)
        return (run, pending, folder)
    }

    func testTableJSONAndReport() throws {
        let (run, cases, folder) = try setUpRun()
        let report = folder.appendingPathComponent("drift-report")
        let table = try CLI.run(["drift", "--run", run.path, "--cases", cases.path, "--report", report.path])
        XCTAssertEqual(table.status, 0, "\(table)")
        XCTAssertTrue(table.lines[0].hasPrefix("20 incoming cases against 2319 training cases of run run-split-full: "), table.stdout)
        XCTAssertTrue(table.lines[0].contains("features drifted (p < 0.05): term"), table.stdout)
        XCTAssertEqual(table.lines[1].split(separator: " ", omittingEmptySubsequences: true).prefix(5).map(String.init),
                       ["feature", "test", "statistic", "p-value", "drift"])
        let termRow = try XCTUnwrap(table.lines.first { $0.hasPrefix("term ") }).split(separator: " ").map(String.init)
        XCTAssertEqual(Array(termRow.prefix(3)), ["term", "ks", "1.000"], "every 2013 case is later than every training case")
        XCTAssertEqual(termRow[4], "DRIFT")
        XCTAssertTrue(table.lines.contains { $0.hasPrefix("facts.oov_rate ") }, table.stdout)
        XCTAssertTrue(table.stderr.contains("report written to \(report.path)/report.md"), "\(table)")

        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try CLI.run(["drift", "--run", run.path, "--cases", cases.path,
                                                                                             "--format", "json"]).stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["train_cases"] as? Int, 2319)
        XCTAssertEqual(json["incoming_cases"] as? Int, 20)
        XCTAssertEqual(json["vocabulary"] as? String, Self.encoder.path)
        let features = try XCTUnwrap(json["features"] as? [[String: Any]])
        XCTAssertEqual(features.map { $0["feature"] as? String ?? "" },
                       ["term", "issueArea", "issue", "petitioner", "respondent", "lcDisposition", "certReason", "lawType", "lawSupp",
                        "caseSource", "caseOrigin", "lcDispositionDirection", "jurisdiction", "lcDisagreement", "adminAction",
                        "threeJudgeFdc", "facts.words", "facts.oov_rate"])
        for f in features {
            XCTAssertEqual((f["train_count"] as? Int ?? 0) + (f["train_missing"] as? Int ?? 0), 2319, "\(f)")
            XCTAssertEqual((f["incoming_count"] as? Int ?? 0) + (f["incoming_missing"] as? Int ?? 0), 20, "\(f)")
            XCTAssertEqual(f["test"] as? String, ["term", "facts.words", "facts.oov_rate"].contains(f["feature"] as? String) ? "ks" : "chi-square")
            if let p = f["p_value"] as? Double { XCTAssertEqual(f["drift"] as? Bool, p < 0.05, "\(f)") }
        }
        let term = features[0]
        XCTAssertEqual(term["statistic"] as? Double, 1.0)
        XCTAssertEqual(json["drifted"] as? [String] ?? [], features.filter { $0["drift"] as? Bool == true }.map { $0["feature"] as! String })
        let oov = try XCTUnwrap(features.last)
        XCTAssertGreaterThan(oov["train_mean"] as? Double ?? 0, 0.001)
        XCTAssertLessThan(oov["train_mean"] as? Double ?? 1, 0.2)

        let markdown = try String(contentsOf: report.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(markdown.hasPrefix("# Drift: \(cases.path) against run run-split-full\n"), markdown)
        XCTAssertTrue(markdown.contains("| term | ks | 1.000 |"), markdown)
        XCTAssertTrue(markdown.contains("![PSI per feature](psi.svg)"))
        let svg = try String(contentsOf: report.appendingPathComponent("psi.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("<svg") && svg.contains("Population stability index per feature") && svg.contains("facts.oov_rate"))
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: report.appendingPathComponent("drift.json"))) as? [String: Any]
        XCTAssertEqual(saved?["train_cases"] as? Int, 2319)

        let again = try CLI.run(["drift", "--run", run.path, "--cases", cases.path, "--report", report.path])
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.stderr, "lexgraph: error: report folder \(report.path) already exists: choose another --report or pass --overwrite\n")
        let columns = try CLI.run(["drift", "--run", run.path, "--cases", cases.path, "--columns", "issueArea,facts", "--format", "json"])
        let picked = (try JSONSerialization.jsonObject(with: Data(columns.stdout.utf8)) as? [String: Any])?["features"] as? [[String: Any]]
        XCTAssertEqual(picked?.map { $0["feature"] as? String ?? "" }, ["issueArea", "facts.words", "facts.oov_rate"], "\(columns)")
    }

    func testBadInputNamesWhatAndWhere() throws {
        let (run, cases, folder) = try setUpRun(count: 2)
        let missing = try CLI.run(["drift", "--run", folder.appendingPathComponent("no-such-run").path, "--cases", cases.path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "lexgraph: error: no run folder at \(folder.appendingPathComponent("no-such-run").path)\n")

        let unknown = try CLI.run(["drift", "--run", run.path, "--cases", cases.path, "--columns", "issueArea,verdict"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.hasPrefix("lexgraph: error: unknown column 'verdict' (columns: term, issueArea, "), "\(unknown)")

        let empty = folder.appendingPathComponent("empty.jsonl")
        try Data().write(to: empty)
        let none = try CLI.run(["drift", "--run", run.path, "--cases", empty.path])
        XCTAssertEqual(none.status, 1)
        XCTAssertEqual(none.stderr, "lexgraph: error: \(empty.path):1: no cases in the file\n")

        let leaky = folder.appendingPathComponent("leaky.jsonl")
        try "{\"term_for_split\": 2014, \"facts\": \"A case.\"}\n{\"term_for_split\": 2014, \"facts\": \"B.\", \"label_first_party_winner\": true}\n"
            .write(to: leaky, atomically: true, encoding: .utf8)
        let outcome = try CLI.run(["drift", "--run", run.path, "--cases", leaky.path])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stderr.hasPrefix("lexgraph: error: \(leaky.path):2: field 'label_first_party_winner' is not allowed"), "\(outcome)")
        XCTAssertEqual(outcome.stdout, "")
    }
}
