import Foundation
import TestRequirements
import XCTest

/// `lexgraph tune` end to end on MiniLM (head only over cached final states) and a dozen
/// texts: the printed results table, the study folder's files, the winner scored on
/// test, a rerun that resumes the finished study without training, and refused input.
final class TuneCommandTests: XCTestCase {
    static let topics = ["termination", "payment", "confidentiality"]
    static let texts = [
        "Either party may terminate this agreement with thirty days notice.", "The customer shall pay all invoices within thirty days.",
        "The recipient shall keep the disclosed information secret.", "This agreement ends automatically if the licensee becomes insolvent.",
        "Fees are payable in advance each month.", "Confidential information may not be shared with third parties.",
        "The supplier may end the contract for material breach.", "Late payments bear interest at two percent per month.",
        "Each party shall protect the other's trade secrets.",
    ]

    func write(_ dir: URL, _ name: String, _ indices: [Int]) throws {
        let lines = try indices.map { i in
            String(decoding: try JSONSerialization.data(withJSONObject: ["text": Self.texts[i], "label": Self.topics[i % 3], "id": "c\(i)"], options: .sortedKeys),
                   as: UTF8.self) + "\n"
        }
        try lines.joined().write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    static let space = """
        search: {trials: 3, reduction_factor: 3, min_epochs: 1, max_epochs: 3, seed: 1}
        space:
          learning_rate: {choice: [1.0e-3, 1.0e-2, 3.0e-2]}
        """

    func testTuneWritesResultsWinnerAndResumes() throws {
        let model = CLI.root.appendingPathComponent("models/all-minilm-l6-v2").path
        try TestRequirements.requireFile(model + "/model.safetensors", "MiniLM (run tools/setup.sh or set LEXGRAPH_MODEL)")
        let dir = try CLI.temporaryFolder(self)
        try write(dir, "train.jsonl", [0, 1, 2, 3, 4, 5])
        try write(dir, "dev.jsonl", [6, 7, 8])
        try write(dir, "test.jsonl", [8, 7, 6, 0])
        try Self.space.write(to: dir.appendingPathComponent("space.yaml"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("study")
        let args = ["tune", "--model", model, "--space", dir.appendingPathComponent("space.yaml").path, "--train", dir.appendingPathComponent("train.jsonl").path,
                    "--dev", dir.appendingPathComponent("dev.jsonl").path, "--test", dir.appendingPathComponent("test.jsonl").path, "--task", "classify",
                    "--freeze-layers", "6", "--max-length", "32", "--threads", "1", "--out", out.path]
        let first = try CLI.run(args)
        XCTAssertEqual(first.status, 0, "\(first)")
        XCTAssertTrue(first.stdout.hasPrefix("ASHA: 3 trial(s), rungs at 1, 3 epoch(s); cost 5 epochs (1.67 full runs of 3 epochs)\n"), "\(first)")
        XCTAssertTrue(first.stdout.contains("| trial | learning_rate | rung | epochs | dev macro_f1 | cost (epochs) |"), "\(first)")
        let rows = first.lines.filter { $0.hasPrefix("| ") && !$0.hasPrefix("| trial") && !$0.hasPrefix("| ---") }
        XCTAssertEqual(rows.count, 3, "\(first)")
        XCTAssertTrue(rows[0].contains(" * |") && rows[0].contains("| 1 | 3 |"), "the winner, first, reached rung 1 at 3 epochs: \(rows[0])")
        XCTAssertEqual(rows.filter { $0.contains("| 0 | 1 |") }.count, 2, "\(rows)")
        XCTAssertTrue(first.stdout.contains("winner run folder: \(out.path)/winner"), "\(first)")
        XCTAssertTrue(first.stdout.contains("test (winner only): accuracy "), "\(first)")
        for file in ["study.sqlite", "results.txt", "results.csv", "results.json", "results.svg", "trials/000/config.json",
                     "winner/config.json", "winner/checkpoint/model.safetensors", "winner/test_metrics.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("results.json"))) as? [String: Any])
        XCTAssertEqual(json["total_cost_epochs"] as? Double, 5)
        XCTAssertEqual(json["rungs"] as? [Double], [1, 3])
        // 4 jobs (3 at rung 0, 1 promoted), each needing the train and dev caches: 2 computed, 6 reused.
        XCTAssertTrue(first.stderr.contains("frozen-layer caches: 2 computed in "), "\(first)")
        XCTAssertTrue(first.stderr.contains(" reused 6 time(s) (about "), "\(first)")

        // The same command again: the study is finished, nothing trains, the same table prints.
        let again = try CLI.run(args)
        XCTAssertEqual(again.status, 0, "\(again)")
        XCTAssertEqual(again.stdout, first.stdout)
        XCTAssertFalse(again.stderr.contains("rung 0 (1 epoch(s))"), "\(again)")

        // Another space for the same study folder is refused.
        try Self.space.replacingOccurrences(of: "3.0e-2]", with: "1.0e-1]").write(to: dir.appendingPathComponent("space.yaml"), atomically: true, encoding: .utf8)
        let changed = try CLI.run(args)
        XCTAssertNotEqual(changed.status, 0)
        XCTAssertTrue(changed.stderr.contains("lexgraph: error: \(out.path)/study.sqlite: cannot resume: the search space file changed"), "\(changed)")

        // A bad space file names its line.
        try "search: {trials: 3, max_epochs: 3}\nspace:\n  learning_rate: {log_uniform: [1.0e-2, 1.0e-4]}\n"
            .write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        var badArgs = args
        badArgs[badArgs.firstIndex(of: "--space")! + 1] = dir.appendingPathComponent("bad.yaml").path
        let bad = try CLI.run(badArgs)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("bad.yaml:3: 'learning_rate': the range [1.0e-2, 1.0e-4] is empty or reversed"), "\(bad)")
    }
}
