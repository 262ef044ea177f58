import Tokenizers
import XCTest

/// Pair truncation lengths. The table is the peer's own unit test
/// (huggingface/tokenizers, tokenizers/src/utils/truncation.rs,
/// `truncate_encodings_longest_first`, max_length 7, no special tokens); the fixture cases in
/// reference.jsonl cover the same rules with special tokens.
final class TruncationTests: XCTestCase {
    private func tokenizer() throws -> BertTokenizer {
        let vocab = Vocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a"])
        return try BertTokenizer(vocabulary: vocab)
    }

    private func text(_ n: Int) -> String { Array(repeating: "a", count: n).joined(separator: " ") }

    func testLongestFirstTableFromThePeer() throws {
        let t = try tokenizer()
        let options = EncodeOptions(truncation: .longestFirst, maxLength: 7, addSpecialTokens: false)
        // (n1, n2) -> (kept1, kept2): lengths 0 (empty), 2 (short), 4 (medium), 8 (long).
        let table: [(Int, Int, Int, Int)] = [
            (0, 0, 0, 0), (0, 2, 0, 2), (0, 4, 0, 4), (0, 8, 0, 7),
            (2, 0, 2, 0), (2, 2, 2, 2), (2, 4, 2, 4), (2, 8, 2, 5),
            (4, 0, 4, 0), (4, 2, 4, 2), (4, 4, 3, 4), (4, 8, 3, 4),
            (8, 0, 7, 0), (8, 2, 5, 2), (8, 4, 4, 3), (8, 8, 3, 4),
        ]
        for (n1, n2, k1, k2) in table {
            let e = try t.encode(text(n1), pair: text(n2), options: options)
            XCTAssertEqual(e.typeIds.filter { $0 == 0 }.count, k1, "\(n1),\(n2)")
            XCTAssertEqual(e.typeIds.filter { $0 == 1 }.count, k2, "\(n1),\(n2)")
        }
    }

    func testOnlyStrategiesRefuseWhatTheyCannotCut() throws {
        let t = try tokenizer()
        XCTAssertThrowsError(try t.encode(text(3), pair: text(10), options: EncodeOptions(truncation: .onlyFirst, maxLength: 8)))
        XCTAssertThrowsError(try t.encode(text(10), options: EncodeOptions(truncation: .onlySecond, maxLength: 8)))
        let e = try t.encode(text(3), pair: text(10), options: EncodeOptions(truncation: .onlySecond, maxLength: 8))
        XCTAssertEqual(e.count, 8)
        XCTAssertEqual(e.typeIds, [0, 0, 0, 0, 0, 1, 1, 1])
    }

    func testDoNotTruncateIgnoresMaxLength() throws {
        let e = try tokenizer().encode(text(10), options: EncodeOptions(truncation: .doNotTruncate, maxLength: 4))
        XCTAssertEqual(e.count, 12)
    }
}
