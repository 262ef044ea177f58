import Foundation
import Transformer
import XCTest

/// Dataset files, labels and metrics: JSONL and TSV reading with errors that name file and
/// line, label sets, and the metrics checked against scikit-learn.
final class FineTuneDataTests: XCTestCase {
    func write(_ text: String, _ name: String) throws -> String {
        let dir = try TinyTask.temporaryDirectory("data")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testReadsJSONLAndTSVWithPairsAndMultipleLabels() throws {
        let jsonl = try write("""
        {"text": "The court held.", "second": "Appeal denied.", "label": ["3", "6"], "id": 17}

        {"text": "No claim.", "second": "x", "label": []}
        """, "a.jsonl")
        let items = try TextDataset.load(path: jsonl, fields: TextDatasetFields(pair: "second", id: "id"), multiLabel: true)
        XCTAssertEqual(items, [LabeledText(text: "The court held.", pair: "Appeal denied.", labels: ["3", "6"], id: "17", line: 1),
                               LabeledText(text: "No claim.", pair: "x", labels: [], line: 3)])
        let tsv = try write("category\tlabel\ttext\nGoverning Law\tYes\tThis Agreement is governed by Delaware law.\nCap\tNo\tA\r\n", "b.tsv")
        let rows = try TextDataset.load(path: tsv, fields: TextDatasetFields(label: "category"), multiLabel: false)
        XCTAssertEqual(rows.map(\.labels), [["Governing Law"], ["Cap"]])
        XCTAssertEqual(rows.map(\.line), [2, 3])
        XCTAssertEqual(rows[1].text, "A")
        let multi = try write("text\tlabels\na\tx|y\nb\t[\"z\"]\nc\t\n", "c.tsv")
        XCTAssertEqual(try TextDataset.load(path: multi, fields: TextDatasetFields(label: "labels"), multiLabel: true).map(\.labels), [["x", "y"], ["z"], []])
        XCTAssertEqual(try LabelSet(collecting: [LabeledText(text: "", labels: ["10", "9"], line: 1), LabeledText(text: "", labels: ["2"], line: 2)]).names,
                       ["2", "9", "10"], "integer labels sort numerically")
    }

    func testBadRowsAreErrorsNamingFileAndLine() throws {
        let bad = try write("{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": 3.5, \"label\": \"x\"}\n", "bad.jsonl")
        XCTAssertThrowsError(try TextDataset.load(path: bad, fields: TextDatasetFields(), multiLabel: false)) {
            XCTAssertEqual("\($0)", "\(bad):2: field \"text\" must be a string, found 3.5")
        }
        let broken = try write("{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"a\"\n", "broken.jsonl")
        XCTAssertThrowsError(try TextDataset.load(path: broken, fields: TextDatasetFields(), multiLabel: false)) {
            XCTAssertTrue("\($0)".hasPrefix("\(broken):2: line is not valid JSON"), "\($0)")
        }
        let missing = try write("{\"text\": \"a\"}\n", "missing.jsonl")
        XCTAssertThrowsError(try TextDataset.load(path: missing, fields: TextDatasetFields(), multiLabel: false)) {
            XCTAssertEqual("\($0)", "\(missing):1: missing label field \"label\"")
        }
        let list = try write("{\"text\": \"a\", \"label\": [\"x\", \"y\"]}\n", "list.jsonl")
        XCTAssertThrowsError(try TextDataset.load(path: list, fields: TextDatasetFields(), multiLabel: false)) {
            XCTAssertTrue("\($0)".contains(":1: label field \"label\" is a list; use the multilabel task"), "\($0)")
        }
        let ragged = try write("text\tlabel\na\tb\tc\n", "ragged.tsv")
        XCTAssertThrowsError(try TextDataset.load(path: ragged, fields: TextDatasetFields(), multiLabel: false)) {
            XCTAssertEqual("\($0)", "\(ragged):2: row has 3 tab-separated cells, the header has 2")
        }
        let noColumn = try write("body\tlabel\na\tb\n", "nocol.tsv")
        XCTAssertThrowsError(try TextDataset.load(path: noColumn, fields: TextDatasetFields(), multiLabel: false)) {
            XCTAssertEqual("\($0)", "\(noColumn):1: no column \"text\" in the header (columns: body, label)")
        }
        let unseen = [LabeledText(text: "court", labels: ["tax"], line: 4)]
        XCTAssertThrowsError(try EncodedExample.encode(unseen, tokenizer: try TinyTask.tokenizer(), maxLength: 8, labels: try LabelSet(names: ["court"]), path: "dev.jsonl")) {
            XCTAssertEqual("\($0)", "dev.jsonl:4: label \"tax\" is not among the training labels (court)")
        }
    }

    func testEncodingTruncatesToMaxLength() throws {
        let items = [LabeledText(text: Array(repeating: "court", count: 40).joined(separator: " "), labels: ["court"], line: 1)]
        let encoded = try EncodedExample.encode(items, tokenizer: try TinyTask.tokenizer(), maxLength: 16, labels: try LabelSet(names: ["court"]))
        XCTAssertEqual(encoded[0].length, 16)
        XCTAssertEqual(encoded[0].ids.first, 2)
        XCTAssertEqual(encoded[0].ids.last, 3)
        XCTAssertEqual(encoded[0].labels, [0])
    }

    func testMetricsMatchScikitLearn() throws {
        let fixture = try Fixtures.json("../finetune/metrics_reference.json")
        let classify = try XCTUnwrap(fixture["classify"] as? [[String: Any]])
        let multilabel = try XCTUnwrap(fixture["multilabel"] as? [[String: Any]])
        XCTAssertEqual(classify.count, 4)
        for case_ in classify {
            let gold = try XCTUnwrap(case_["gold"] as? [Int]), predicted = try XCTUnwrap(case_["predicted"] as? [Int])
            XCTAssertEqual(ClassificationMetrics.accuracy(gold: gold, predicted: predicted), try XCTUnwrap(case_["accuracy"] as? Double), accuracy: 1e-12)
            XCTAssertEqual(ClassificationMetrics.macroF1(gold: gold, predicted: predicted), try XCTUnwrap(case_["macro_f1"] as? Double), accuracy: 1e-12)
        }
        for case_ in multilabel {
            let gold = try XCTUnwrap(case_["gold"] as? [[Int]]).map(Set.init), predicted = try XCTUnwrap(case_["predicted"] as? [[Int]]).map(Set.init)
            let f = ClassificationMetrics.multiLabelF1(gold: gold, predicted: predicted, labelCount: try XCTUnwrap(case_["label_count"] as? Int))
            XCTAssertEqual(f.micro, try XCTUnwrap(case_["micro_f1"] as? Double), accuracy: 1e-12)
            XCTAssertEqual(f.macro, try XCTUnwrap(case_["macro_f1"] as? Double), accuracy: 1e-12)
        }
    }

    func testProgressLineShowsLossRateAndETA() {
        XCTAssertEqual(ProgressBar.render(title: "epoch 1/3", done: 12, total: 30, meanLoss: 0.64123, updatesPerSecond: 1.5, examplesPerSecond: 24.25, eta: 12),
                       "epoch 1/3 [########------------] 12/30 loss 0.6412 | 1.50 it/s 24.2 ex/s | ETA 0:12")
        XCTAssertEqual(ProgressBar.duration(3725), "1:02:05")
    }
}
