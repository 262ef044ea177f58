import Foundation
import Tensor
import Transformer
import XCTest

/// Windowed prediction of texts over the token limit: a text within the limit is its own
/// window and gets exactly the unwindowed logits; a long one is split into overlapping
/// windows that cover every token, and its logits are the mean of theirs.
final class TextWindowsTests: XCTestCase {
    /// A whole (untruncated) encoding of `words` filler words.
    func long(_ words: Int, label: Int = 0) throws -> EncodedExample {
        let text = (0..<words).map { TinyTask.fillers[$0 % TinyTask.fillers.count] }.joined(separator: " ")
        let items = [LabeledText(text: text, labels: [TinyTask.topics[label]], line: 1)]
        return try EncodedExample.encode(items, tokenizer: try TinyTask.tokenizer(), maxLength: nil, labels: try LabelSet(names: TinyTask.topics))[0]
    }

    func testEncodingWithoutALimitKeepsEveryToken() throws {
        let whole = try long(70)
        XCTAssertEqual(whole.length, 72, "[CLS] + 70 words + [SEP]")
        let cut = try EncodedExample.encode([LabeledText(text: (0..<70).map { TinyTask.fillers[$0 % TinyTask.fillers.count] }.joined(separator: " "),
                                                         labels: ["court"], line: 1)],
                                            tokenizer: try TinyTask.tokenizer(), maxLength: 20, labels: try LabelSet(names: TinyTask.topics))[0]
        XCTAssertEqual(cut.length, 20)
    }

    func testWindowsCoverTheTextWithOverlap() throws {
        let example = try long(70)
        let windows = try TextWindows(maxLength: 20)
        XCTAssertEqual(windows.stride, 9, "half of the 18 text tokens")
        let parts = try windows.windows(of: example)
        let body = Array(example.ids[1..<71])
        XCTAssertEqual(parts.count, 7, "starts 0, 9, ..., 45 and 52 (the last ends at the last token)")
        var covered = Set<Int>()
        for (n, w) in parts.enumerated() {
            XCTAssertEqual(w.length, 20)
            XCTAssertEqual(w.ids.first, example.ids.first)
            XCTAssertEqual(w.ids.last, example.ids.last)
            XCTAssertEqual(w.labels, example.labels)
            let start = n < 6 ? n * 9 : 52
            XCTAssertEqual(Array(w.ids[1..<19]), Array(body[start..<(start + 18)]), "window \(n)")
            covered.formUnion(start..<(start + 18))
        }
        XCTAssertEqual(covered, Set(0..<70), "every token is in some window")
        XCTAssertEqual(try windows.windows(of: try long(18)), [try long(18)], "20 tokens fit: one window, the example itself")
    }

    func testShortTextsGetExactlyTheirLogitsAndLongOnesTheMeanOfTheirWindows() throws {
        let model = try TinyTask.model(layers: 2)
        let windows = try TextWindows(maxLength: 24)
        let short = try TinyTask.examples(9, seed: 4)
        XCTAssertTrue(short.allSatisfy { $0.length <= 24 })
        XCTAssertEqual(try model.predictLogits(windowsOf: short, windows: windows), try model.predictLogits(short), "bit for bit")

        let longOne = try long(60, label: 1)
        let parts = try windows.windows(of: longOne)
        XCTAssertEqual(parts.count, 5)
        let perWindow = try model.predictLogits(parts)
        let combined = try model.predictLogits(windowsOf: [longOne], windows: windows)[0]
        for c in 0..<3 {
            let mean = perWindow.map { $0[c] }.reduce(0, +) / Float(parts.count)
            XCTAssertEqual(combined[c], mean, accuracy: 1e-6)
        }
        XCTAssertEqual(try model.windowLogits([short[0], longOne], windows: windows).map(\.count), [1, 5])
        // The model's position table (32) is the hard limit the windows keep under.
        XCTAssertThrowsError(try model.predictLogits([longOne])) { XCTAssertTrue("\($0)".contains("exceeds max_position_embeddings 32"), "\($0)") }
    }

    func testBadWindowSettingsAndLongPairsAreErrors() throws {
        XCTAssertThrowsError(try TextWindows(maxLength: 2)) { XCTAssertTrue("\($0)".contains("at least 3 tokens"), "\($0)") }
        XCTAssertThrowsError(try TextWindows(maxLength: 20, stride: 19)) { XCTAssertTrue("\($0)".contains("stride must be in 1...18"), "\($0)") }
        let pair = EncodedExample(ids: [Int32](repeating: 5, count: 30), typeIds: [Int32](repeating: 0, count: 15) + [Int32](repeating: 1, count: 15), labels: [])
        XCTAssertThrowsError(try TextWindows(maxLength: 20).windows(of: pair)) {
            XCTAssertTrue("\($0)".contains("a text pair of 30 tokens is over the 20-token limit"), "\($0)")
        }
    }
}
