import ContractReview
import Foundation
import LexgraphCore
import XCTest

/// The files `lexgraph clauses prepare` writes: one JSON object per item and split, and
/// task.json describing them.
final class PreparedTaskFilesTests: XCTestCase {
    typealias D = ClauseTestData

    func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    func testClauseTypesFilesWithoutHeadings() throws {
        let dir = try D.temporaryFolder(self)
        let corpus = try ClauseCorpus.load(.clauseTypes, path: D.fixture("clause_types_small.csv"))
        let splits = try ClauseSplits.load(path: D.fixture("clause_types_small_split.csv"), corpus: corpus)
        let files = PreparedTaskFiles(corpus: corpus, splits: splits, keepHeadings: false, dataPath: "/data/clause_types_small.csv", splitFilePath: "/splits/s.csv")
        try files.write(to: dir.path)
        XCTAssertEqual(try lines(dir.appendingPathComponent("train.jsonl")), [
            #"{"id":"clause:clause-corpus:1","label":"governing-law","text":"This Agreement shall be governed by the laws of the State of New York."}"#,
            #"{"id":"clause:clause-corpus:4","label":"time","text":"Time is of the essence of this Agreement."}"#,
            "",
        ])
        XCTAssertEqual(try lines(dir.appendingPathComponent("dev.jsonl")), [
            #"{"id":"clause:clause-corpus:2","label":"notices","text":"All notices shall be in writing, signed by the sender,\r\nand delivered by hand or by \"overnight\" courier."}"#,
            "",
        ])
        XCTAssertEqual(try lines(dir.appendingPathComponent("test.jsonl")), [
            #"{"id":"clause:clause-corpus:3","label":"amendments-and-waivers","text":"No amendment of this Agreement shall be effective unless in writing."}"#,
            "",
        ])
        let task = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("task.json"))) as? [String: Any])
        XCTAssertEqual(task["task"] as? String, "clause-types")
        XCTAssertTrue(task["fold"] is NSNull)
        XCTAssertEqual(task["keep_headings"] as? Bool, false)
        XCTAssertEqual(task["labels"] as? [String], ["amendments-and-waivers", "governing-law", "notices", "time"])
        XCTAssertEqual(task["counts"] as? [String: Int], ["train": 2, "dev": 1, "test": 1])
        XCTAssertEqual(task["data"] as? String, "/data/clause_types_small.csv")
        XCTAssertEqual(task["split_file"] as? String, "/splits/s.csv")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["dev.jsonl", "task.json", "test.jsonl", "train.jsonl"],
                       "no partial files left behind")

        // --keep-headings: the texts as the file has them.
        let kept = PreparedTaskFiles(corpus: corpus, splits: splits, keepHeadings: true, dataPath: "d", splitFilePath: "s")
        XCTAssertEqual(kept.jsonLine(corpus.items[2]),
                       #"{"id":"clause:clause-corpus:3","label":"amendments-and-waivers","text":"Amendments; Waivers. No amendment of this Agreement shall be effective unless in writing."}"#)
        XCTAssertEqual(kept.taskDescription.object?["keep_headings"], .bool(true))
    }

    func testMultiLabelFilesListLabelsAndFold() throws {
        let dir = try D.temporaryFolder(self)
        let corpus = try ClauseCorpus.load(.unfairTOS, path: D.fixture("unfair_small.tsv"))
        let splits = try ClauseSplits.load(path: D.fixture("unfair_small_folds.csv"), corpus: corpus, fold: 1)
        try PreparedTaskFiles(corpus: corpus, splits: splits, keepHeadings: false, dataPath: "d", splitFilePath: "s").write(to: dir.path)
        XCTAssertEqual(try lines(dir.appendingPathComponent("test.jsonl")), [
            #"{"id":"clause:unfair-tos:1","label":["Unilateral change"],"text":"we may change these terms at any time . "}"#, "",
        ])
        XCTAssertEqual(try lines(dir.appendingPathComponent("dev.jsonl")), [
            #"{"id":"clause:unfair-tos:2","label":[],"text":"last updated : may 1 , 2017 "}"#, "",
        ])
        let task = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("task.json"))) as? [String: Any])
        XCTAssertEqual(task["fold"] as? Int, 1)
        XCTAssertEqual(task["labels"] as? [String], ["Arbitration", "Unilateral change"])
    }

    func testAnOutputPathThatIsAFileIsRefused() throws {
        let dir = try D.temporaryFolder(self)
        let file = try D.write("x", "taken", in: dir)
        let corpus = try ClauseCorpus.load(.clauseTypes, path: D.fixture("clause_types_small.csv"))
        let splits = try ClauseSplits.load(path: D.fixture("clause_types_small_split.csv"), corpus: corpus)
        let files = PreparedTaskFiles(corpus: corpus, splits: splits, keepHeadings: false, dataPath: "d", splitFilePath: "s")
        XCTAssertEqual(D.message { try files.write(to: file) }, "\(file): the output path is a file, not a folder")
    }
}

private extension Value {
    var object: [String: Value]? { if case .map(let m) = self { return m } else { return nil } }
}
