import Foundation
import TestRequirements
import XCTest

/// `lexgraph clauses prepare` on the real UNFAIR-ToS file: the files it writes hold every
/// text once, no text in two splits, counts as task.json says and as Python counts them
/// (Tests/Fixtures/clauses/expected_real.json), and ids that are the contracts graph's
/// keys for the rows they name.
final class ClausesPrepareTests: XCTestCase {
    static let data = CLI.root.appendingPathComponent("../shared/data").standardizedFileURL

    func jsonLines(_ url: URL) throws -> [[String: Any]] {
        try CLI.jsonLines(String(contentsOf: url, encoding: .utf8))
    }

    func testUnfairFoldFilesAreTextDisjointAndKeyedByRow() throws {
        let source = Self.data.appendingPathComponent("clauses/unfair_tos.tsv")
        try TestRequirements.requireFile(source.path, "the shared clause data")
        let out = try CLI.temporaryFolder(self).appendingPathComponent("unfair-2")
        let run = try CLI.run(["clauses", "prepare", "--task", "unfair-tos", "--fold", "2", "--out", out.path, "--data", Self.data.path])
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertEqual(run.lines.count, 4, "a header line and one line per split: \(run.stdout)")
        XCTAssertTrue(run.lines[0].hasPrefix("unfair-tos, test fold 2: 3822 items from 3850 records of "), run.stdout)

        let task = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("task.json"))) as? [String: Any])
        let fixture = try JSONSerialization.jsonObject(with: Data(contentsOf: CLI.root.appendingPathComponent("Tests/Fixtures/clauses/expected_real.json"))) as? [String: Any]
        let expected = try XCTUnwrap(((fixture?["unfair-tos"] as? [String: Any])?["folds"] as? [String: Any])?["2"] as? [String: Int])
        XCTAssertEqual(task["counts"] as? [String: Int], expected)
        XCTAssertEqual(task["fold"] as? Int, 2)
        XCTAssertEqual(task["data"] as? String, source.path)
        XCTAssertEqual(task["split_file"] as? String, CLI.root.appendingPathComponent("graphs/contracts/splits/unfair_tos.csv").standardizedFileURL.path)
        let labels = try XCTUnwrap(task["labels"] as? [String])
        XCTAssertEqual(labels.count, 8)
        XCTAssertFalse(labels.contains("Other"))

        // The source rows, read here line by line (TSV without quoting, header first).
        let rows = try String(contentsOf: source, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        var textsBySplit: [String: Set<String>] = [:]
        for split in ["train", "dev", "test"] {
            let items = try jsonLines(out.appendingPathComponent("\(split).jsonl"))
            XCTAssertEqual(items.count, expected[split], split)
            for item in items {
                let id = try XCTUnwrap(item["id"] as? String)
                let text = try XCTUnwrap(item["text"] as? String)
                let itemLabels = try XCTUnwrap(item["label"] as? [String], "a list for unfair-tos: \(id)")
                XCTAssertTrue(itemLabels.allSatisfy(labels.contains), id)
                XCTAssertTrue(id.hasPrefix("clause:unfair-tos:"), id)
                let row = try XCTUnwrap(Int(id.dropFirst("clause:unfair-tos:".count)), id)
                XCTAssertEqual(String(rows[row - 1][0]), text, "the id names the row holding the text: \(id)")
                textsBySplit[split, default: []].insert(text)
            }
            XCTAssertEqual(textsBySplit[split]?.count, items.count, "\(split): one item per text")
        }
        let (train, dev, test) = (textsBySplit["train"]!, textsBySplit["dev"]!, textsBySplit["test"]!)
        XCTAssertTrue(train.isDisjoint(with: test) && train.isDisjoint(with: dev) && dev.isDisjoint(with: test))
        XCTAssertEqual(train.count + dev.count + test.count, Set(rows.map { String($0[0]) }).count, "every text once")
        // The ids are the recipe's keys: graphs/contracts.yaml keys these clauses by `_row`.
        let recipe = try String(contentsOf: CLI.root.appendingPathComponent("graphs/contracts.yaml"), encoding: .utf8)
        XCTAssertTrue(recipe.contains(#"key: "clause:unfair-tos:{_row}""#))
    }

    /// `--mask` writes the same items with each text exactly as `lexgraph mask` masks the
    /// unmasked files' texts read in the same order (train, dev, test: one masker, so its
    /// numbering and the names it learns carry across the corpus), and says so in
    /// task.json; the texts that held personal data differ, the rest stay as they were.
    func testMaskWritesTheTextsLexgraphMaskWrites() throws {
        let source = Self.data.appendingPathComponent("clauses/unfair_tos.tsv")
        try TestRequirements.requireFile(source.path, "the shared clause data")
        let dir = try CLI.temporaryFolder(self)
        let plain = dir.appendingPathComponent("plain"), masked = dir.appendingPathComponent("masked")
        let common = ["clauses", "prepare", "--task", "unfair-tos", "--fold", "1", "--data", Self.data.path]
        let plainRun = try CLI.run(common + ["--out", plain.path])
        XCTAssertEqual(plainRun.status, 0, "\(plainRun)")
        let maskedRun = try CLI.run(common + ["--out", masked.path, "--mask"])
        XCTAssertEqual(maskedRun.status, 0, "\(maskedRun)")
        XCTAssertEqual(maskedRun.lines.count, 5, "the unmasked run's lines and one about masking: \(maskedRun.stdout)")
        XCTAssertEqual(Array(maskedRun.lines.prefix(4)), plainRun.lines.map { $0.replacingOccurrences(of: plain.path, with: masked.path) })
        XCTAssertTrue(maskedRun.lines[4].hasPrefix("masked the texts (placeholder of "), maskedRun.stdout)

        let task = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: masked.appendingPathComponent("task.json"))) as? [String: Any])
        XCTAssertTrue((task["masking"] as? String)?.hasPrefix("placeholder of ") == true, "\(task)")
        let plainTask = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: plain.appendingPathComponent("task.json"))) as? [String: Any])
        XCTAssertTrue(plainTask["masking"] is NSNull, "\(plainTask)")

        // The unmasked texts in the same order, masked by `lexgraph mask`.
        var plainItems: [[String: Any]] = [], maskedItems: [[String: Any]] = []
        for split in ["train", "dev", "test"] {
            plainItems += try jsonLines(plain.appendingPathComponent("\(split).jsonl"))
            maskedItems += try jsonLines(masked.appendingPathComponent("\(split).jsonl"))
        }
        let all = dir.appendingPathComponent("all.jsonl")
        try (plainItems.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }.joined(separator: "\n") + "\n")
            .write(to: all, atomically: true, encoding: .utf8)
        let peer = try CLI.run(["mask", all.path, "--field", "text"])
        XCTAssertEqual(peer.status, 0, "\(peer)")
        let expected = try CLI.jsonLines(peer.stdout)
        XCTAssertEqual(expected.count, maskedItems.count)
        var changed = 0
        for (i, item) in maskedItems.enumerated() {
            XCTAssertEqual(item["id"] as? String, plainItems[i]["id"] as? String)
            XCTAssertEqual(item["label"] as? [String], plainItems[i]["label"] as? [String])
            XCTAssertEqual(item["text"] as? String, expected[i]["text"] as? String, "\(item["id"] ?? "")")
            if item["text"] as? String != plainItems[i]["text"] as? String { changed += 1 }
        }
        XCTAssertGreaterThan(changed, 0, "some UNFAIR-ToS texts hold contact data or names")
        XCTAssertLessThan(changed, maskedItems.count / 2, "most terms of service name no person")
    }

    func testUsageAndDataErrors() throws {
        let dir = try CLI.temporaryFolder(self)
        func check(_ arguments: [String], status: Int32, contains message: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let r = try CLI.run(["clauses", "prepare"] + arguments)
            XCTAssertEqual(r.status, status, "\(r)", file: file, line: line)
            XCTAssertTrue(r.stderr.hasPrefix("lexgraph: error: "), "\(r)", file: file, line: line)
            XCTAssertTrue(r.stderr.contains(message), "\(r)", file: file, line: line)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/task.json").path), file: file, line: line)
        }
        let out = dir.appendingPathComponent("out").path
        try check(["--task", "ledgar", "--out", out], status: 64, contains: "'ledgar'")
        try check(["--task", "cuad", "--fold", "1", "--out", out], status: 64, contains: "--fold is for unfair-tos only")
        try check(["--task", "unfair-tos", "--fold", "6", "--out", out], status: 64, contains: "--fold must be 1...5, got 6")
        try check(["--task", "unfair-tos", "--out", out], status: 64, contains: "pass --fold K (1-5)")
        try check(["--task", "cuad", "--keep-headings", "--out", out], status: 64, contains: "--keep-headings is for clause-types only")
        // A data folder without the clause files names the file it looked for.
        try check(["--task", "cuad", "--out", out, "--data", dir.path], status: 1,
                  contains: "no cuad data file at \(dir.path)/clauses/cuad.tsv (clauses/cuad.tsv in the data folder \(dir.path)): pass --data PATH or set LEXGRAPH_DATA")
        // A split file that misses a record names itself and the record's line.
        let source = Self.data.appendingPathComponent("clauses/unfair_tos.tsv")
        try TestRequirements.requireFile(source.path, "the shared clause data")
        let split = dir.appendingPathComponent("short.csv")
        try "row,fold\n1,1\n".write(to: split, atomically: true, encoding: .utf8)
        try check(["--task", "unfair-tos", "--fold", "1", "--out", out, "--data", Self.data.path, "--split-file", split.path], status: 1,
                  contains: "\(split.path): covers 1 of the 3850 records of \(source.path): no fold for row 2 (\(source.path):3) and 3848 more")
    }
}
