import ContractReview
import Foundation
import XCTest

/// The readers of the three clause files: record numbers as the contracts recipe counts
/// them (`_row`, header excluded; a quoted CSV record may span lines), grouping of CUAD and
/// UNFAIR-ToS rows by text, and labels.
final class ClauseCorpusTests: XCTestCase {
    typealias D = ClauseTestData

    func testClauseTypesReadsQuotedCSVWithMultiLineRecords() throws {
        let corpus = try ClauseCorpus.load(.clauseTypes, path: D.fixture("clause_types_small.csv"))
        XCTAssertEqual(corpus.recordCount, 4)
        XCTAssertEqual(corpus.items.map(\.id), (1...4).map { "clause:clause-corpus:\($0)" })
        XCTAssertEqual(corpus.items.map(\.labels), [["governing-law"], ["notices"], ["amendments-and-waivers"], ["time"]])
        // Record 2 spans lines 3-4 (CRLF inside the quotes), so record 3 starts on line 5.
        XCTAssertEqual(corpus.items.map(\.line), [2, 3, 5, 6])
        XCTAssertEqual(corpus.items[1].text, "Notices. All notices shall be in writing, signed by the sender,\r\nand delivered by hand or by \"overnight\" courier.")
        XCTAssertEqual(corpus.labelNames, ["amendments-and-waivers", "governing-law", "notices", "time"])
        XCTAssertEqual(corpus.itemIndexOfRow, [0, 1, 2, 3])
    }

    func testCUADGroupsRowsByTextAndKeepsOnlyYesCategories() throws {
        let corpus = try ClauseCorpus.load(.cuad, path: D.fixture("cuad_small.tsv"))
        XCTAssertEqual(corpus.recordCount, 5)
        XCTAssertEqual(corpus.items.count, 3)
        let delaware = corpus.items[0]
        XCTAssertEqual(delaware.id, "clause:cuad:1")
        XCTAssertEqual(delaware.rows, [1, 2, 5])
        // Jurisdiction has a No row (2) and a Yes row (5) for this text: a Yes row makes it a label.
        XCTAssertEqual(delaware.labels, ["Governing Law", "Jurisdiction"])
        // TSV without quoting: the leading quote is part of the text.
        XCTAssertEqual(corpus.items[1].text, "\"Neither party may assign this Agreement without consent.")
        XCTAssertEqual(corpus.items[1].labels, ["Anti-Assignment"])
        // A text seen only in No rows is an item without labels.
        XCTAssertEqual(corpus.items[2].id, "clause:cuad:4")
        XCTAssertEqual(corpus.items[2].labels, [])
        XCTAssertEqual(corpus.itemIndexOfRow, [0, 0, 1, 2, 0])
        XCTAssertEqual(corpus.labelNames, ["Anti-Assignment", "Governing Law", "Jurisdiction"])
    }

    func testUnfairGroupsRowsByTextAndDropsOther() throws {
        let corpus = try ClauseCorpus.load(.unfairTOS, path: D.fixture("unfair_small.tsv"))
        XCTAssertEqual(corpus.items.map(\.id), ["clause:unfair-tos:1", "clause:unfair-tos:2", "clause:unfair-tos:3"])
        XCTAssertEqual(corpus.items.map(\.rows), [[1, 4], [2], [3]])
        XCTAssertEqual(corpus.items.map(\.labels), [["Unilateral change"], [], ["Arbitration"]])
        XCTAssertEqual(corpus.items[0].text, "we may change these terms at any time . ", "trailing space kept, as the recipe stores it")
        XCTAssertEqual(corpus.labelNames, ["Arbitration", "Unilateral change"])
    }

    func testBadFilesAreErrorsNamingFileAndLine() throws {
        let dir = try D.temporaryFolder(self)
        let missing = dir.appendingPathComponent("nope.tsv").path
        XCTAssertEqual(D.message { _ = try ClauseCorpus.load(.cuad, path: missing) },
                       "\(missing): no cuad data file here (clauses/cuad.tsv of the shared data)")
        let noColumn = try D.write("text\tcategory\nsome text\tGoverning Law\n", "a.tsv", in: dir)
        XCTAssertEqual(D.message { _ = try ClauseCorpus.load(.cuad, path: noColumn) },
                       "\(noColumn):1: no column 'label' (the cuad file has text, category, label; found text, category)")
        let badLabel = try D.write("category\tlabel\tsplit\ttext\nGoverning Law\tYes\ttest\tA.\nGoverning Law\tMaybe\ttest\tB.\n", "b.tsv", in: dir)
        XCTAssertEqual(D.message { _ = try ClauseCorpus.load(.cuad, path: badLabel) },
                       "\(badLabel):3: record 2: label must be Yes or No, got 'Maybe'")
        let emptyText = try D.write("clause_text,clause_type\n\"Notices. All notices...\",notices\n,notices\n", "c.csv", in: dir)
        XCTAssertEqual(D.message { _ = try ClauseCorpus.load(.clauseTypes, path: emptyText) },
                       "\(emptyText):3: record 2 has an empty 'clause_text'")
        let noLabel = try D.write("text\tlabel\nwe may change these terms . \t\n", "d.tsv", in: dir)
        XCTAssertEqual(D.message { _ = try ClauseCorpus.load(.unfairTOS, path: noLabel) },
                       "\(noLabel):2: record 1 has an empty 'label'")
    }

    /// The real files against the counts, label names and sample items Python's csv module
    /// gives (tools/make_clause_fixtures.py).
    func testRealFilesMatchPythonsReading() throws {
        for task in ClauseTask.allCases {
            let corpus = try D.realCorpus(task)
            let expected = try D.expected(task)
            XCTAssertEqual(corpus.recordCount, expected["records"] as? Int, task.rawValue)
            XCTAssertEqual(corpus.items.count, expected["items"] as? Int, task.rawValue)
            XCTAssertEqual(corpus.labelNames, expected["labels"] as? [String], task.rawValue)
            XCTAssertEqual(corpus.items.reduce(0) { $0 + $1.rows.count }, corpus.recordCount)
            let byID = Dictionary(uniqueKeysWithValues: corpus.items.map { ($0.id, $0) })
            let samples = try XCTUnwrap(expected["samples"] as? [[String: Any]])
            XCTAssertGreaterThanOrEqual(samples.count, 3)
            for sample in samples {
                let id = try XCTUnwrap(sample["id"] as? String)
                let item = try XCTUnwrap(byID[id], "\(task.rawValue): no item \(id)")
                XCTAssertEqual(item.rows, sample["rows"] as? [Int], id)
                XCTAssertEqual(item.labels, sample["labels"] as? [String], id)
                XCTAssertEqual(item.text.unicodeScalars.count, sample["length"] as? Int, id)
                XCTAssertEqual(String(item.text.unicodeScalars.prefix(60)), sample["start"] as? String, id)
            }
        }
    }
}
