import Foundation
import LexgraphCore
import Tokenizers
import XCTest

/// Training a byte-level BPE against Hugging Face `tokenizers`: the same 400 legal texts
/// (Tests/Fixtures/tokenizer-bpe/train-corpus.jsonl) give the vocabulary and merges the
/// peer's `ByteLevelBPETokenizer.train_from_iterator` wrote to train-reference/
/// (tools/make_bpe_fixtures.py), token for token and merge for merge.
final class ByteLevelBPETrainerTests: XCTestCase {
    static let folder = ByteLevelBPEFixtureTests.folder

    static func corpus() throws -> [String] {
        let text = try String(contentsOfFile: folder.appendingPathComponent("train-corpus.jsonl").path, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            guard let t = try Value.parseJSON(String(line))["text"]?.stringValue else { throw TokenizerError("corpus line without text") }
            return t
        }
    }

    func testTrainingReproducesThePeer() throws {
        let texts = try Self.corpus()
        XCTAssertEqual(texts.count, 400)
        let trainer = try ByteLevelBPETrainer(vocabularySize: 1000, minFrequency: 2)
        let (vocabulary, merges) = try trainer.train(wordCounts: ByteLevelBPETrainer.countWords(texts))

        let reference = try Value.parseJSON(try String(contentsOfFile: Self.folder.appendingPathComponent("train-reference/tokenizer.json").path, encoding: .utf8))
        guard case .map(let vocab)? = reference["model"]?["vocab"], let peerMerges = reference["model"]?["merges"]?.listValue else {
            return XCTFail("reference has no model.vocab or model.merges")
        }
        var peerTokens = [String](repeating: "", count: vocab.count)
        for (token, id) in vocab { peerTokens[Int(id.intValue ?? 0)] = token }
        XCTAssertEqual(vocabulary.count, 1000)
        if let at = zip(vocabulary.tokens, peerTokens).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            XCTFail("token \(at) differs: \(vocabulary.tokens[at]) vs the peer's \(peerTokens[at])")
        }
        XCTAssertEqual(vocabulary.tokens, peerTokens)
        let expected = peerMerges.map { m in (m.listValue?[0].stringValue ?? "", m.listValue?[1].stringValue ?? "") }
        XCTAssertEqual(merges.count, expected.count)
        if let at = zip(merges, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            XCTFail("merge \(at) differs: \(merges[at]) vs the peer's \(expected[at])")
        }
    }

    /// The peer's own example of one merge inside a word: "hello" with (l, l) -> ll.
    func testMergeInsideAWordReportsTheNeighbourChanges() {
        var word: [Int32] = [0, 1, 2, 2, 3]  // h e l l o
        let changes = ByteLevelBPETrainer.merge(&word, 2, 2, into: 4)
        XCTAssertEqual(word, [0, 1, 4, 3])
        let key = { (a: Int32, b: Int32) in UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }
        XCTAssertEqual(changes.map(\.0), [key(1, 2), key(1, 4), key(2, 3), key(4, 3)])
        XCTAssertEqual(changes.map(\.1), [-1, 1, -1, 1])
    }

    func testSettingsThatCannotTrainAreRefused() {
        XCTAssertThrowsError(try ByteLevelBPETrainer(vocabularySize: 200)) { XCTAssertTrue("\($0)".contains("leaves no room"), "\($0)") }
        XCTAssertThrowsError(try ByteLevelBPETrainer(vocabularySize: 1000, minFrequency: -1))
        XCTAssertThrowsError(try ByteLevelBPETrainer(vocabularySize: 1000, specialTokens: ["<s>", ""]))
    }
}
