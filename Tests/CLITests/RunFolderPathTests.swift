import Foundation
import XCTest

/// A run folder works from any directory: `train` stores absolute database and data
/// paths in its config even when given relative ones, so `predict` elsewhere needs no
/// `--db`; and `predict --format json` prints JSON Lines, one case per line, like `query`.
final class RunFolderPathTests: XCTestCase {
    /// The fields a pending case may carry (tools/make_pending_cases.py, CaseInput.allowedFields).
    static let allowed = ["oyez_id", "name", "docket", "term_for_split", "first_party", "second_party", "facts", "usid",
                          "fowler_caseid", "scdb_caseId", "scdb_term", "scdb_petitioner", "scdb_respondent", "scdb_lcDisposition",
                          "scdb_certReason", "scdb_issue", "scdb_issueArea", "scdb_lawType", "scdb_lawSupp"]

    /// The first `count` cases of term 2013 with facts in the shared data, as pending-case
    /// JSON lines: only their pre-decision fields.
    static func pendingCases(_ count: Int, data: URL) throws -> [String] {
        var pending: [String] = []
        let cases = try String(contentsOf: data.appendingPathComponent("scotus/cases.jsonl"), encoding: .utf8)
        for line in cases.split(separator: "\n") where pending.count < count {
            guard let c = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  c["term_for_split"] as? Int == 2013, (c["facts"] as? String)?.isEmpty == false else { continue }
            let kept = c.filter { allowed.contains($0.key) }
            pending.append(String(decoding: try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys]), as: UTF8.self))
        }
        return pending
    }

    func testTrainedRunWorksFromAnyDirectory() throws {
        let database = try SharedGraph.database()
        let data = CLI.root.appendingPathComponent("../shared/data").standardizedFileURL
        let trainDir = try CLI.temporaryFolder(self), elsewhere = try CLI.temporaryFolder(self)
        try FileManager.default.createSymbolicLink(atPath: trainDir.appendingPathComponent("graph.sqlite").path, withDestinationPath: database)
        try FileManager.default.createSymbolicLink(atPath: trainDir.appendingPathComponent("data").path, withDestinationPath: data.path)

        let train = try CLI.run(["train", "--split", "split_full", "--model", "graph-logistic", "--out", "runs/glr", "--db", "graph.sqlite", "--data", "data"],
                                in: trainDir)
        XCTAssertEqual(train.status, 0, "\(train)")
        let run = trainDir.appendingPathComponent("runs/glr")
        let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["db_path"] as? String, trainDir.appendingPathComponent("graph.sqlite").path)
        XCTAssertEqual(config["data_path"] as? String, trainDir.appendingPathComponent("data").path)

        let pending = try Self.pendingCases(2, data: data)
        XCTAssertEqual(pending.count, 2)
        let pendingFile = elsewhere.appendingPathComponent("pending.jsonl")
        try (pending.joined(separator: "\n") + "\n").write(to: pendingFile, atomically: true, encoding: .utf8)

        // From another directory, without --db or --data.
        let predict = try CLI.run(["predict", "--run", run.path, "--cases", "pending.jsonl", "--format", "json", "--top", "2"], in: elsewhere)
        XCTAssertEqual(predict.status, 0, "\(predict)")
        let rows = try CLI.jsonLines(predict.stdout)
        XCTAssertEqual(rows.count, 2, "one line per pending case: \(predict.stdout)")
        for (row, line) in zip(rows, pending) {
            let input = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(row["name"] as? String, input["name"] as? String)
            let p = try XCTUnwrap(row["p_first_party_wins"] as? Double)
            XCTAssertTrue((0...1).contains(p), "\(p)")
        }
    }
}
