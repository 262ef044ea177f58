import Foundation
import LexgraphCore
import TestRequirements
import Tokenizers
import XCTest

/// The byte-level BPE tokenizer against Hugging Face on the fixtures of
/// tools/make_bpe_fixtures.py (Tests/Fixtures/tokenizer-bpe): a 4,000-token tokenizer trained
/// there on the shared legal corpus, loaded by transformers' AutoTokenizer and by us from the
/// same folder.
final class ByteLevelBPEFixtureTests: XCTestCase {
    static let folder = TestSupport.root.appendingPathComponent("Tests/Fixtures/tokenizer-bpe")
    static let tokenizer: Result<ByteLevelBPETokenizer, Error> = Result { try ByteLevelBPETokenizer.load(directory: folder.path) }

    static func cases() throws -> [PeerCases.Case] { try PeerCases.load(["reference.jsonl", "fuzz.jsonl"], in: folder) }

    /// Real texts of every corpus, the adversarial and fuzz strings, pairs under every
    /// truncation strategy, padded batches and the peer's refusals: all identical.
    func testReferenceAndFuzzCasesMatchPeer() throws {
        let cases = try Self.cases()
        func with(_ prefix: String) -> [PeerCases.Case] { cases.filter { $0.id.hasPrefix(prefix) } }
        for (prefix, minimum) in [("scotus-", 80), ("cuad-", 80), ("echr-", 50), ("tos-", 30), ("pair-", 40), ("fuzz-", 400)] {
            XCTAssertGreaterThanOrEqual(with(prefix).count, minimum, prefix)
        }
        let refused = cases.filter { $0.json["error"] != nil }.count
        XCTAssertGreaterThan(refused, 5, "peer refusals to match")
        let adversarial = with("adversarial-").compactMap { $0.json["text"]?.stringValue }.joined()
        XCTAssertTrue(adversarial.contains(" <mask>") && adversarial.contains("'re"), "lstrip mask and contractions")
        let compared = try PeerCases.check(try Self.tokenizer.get(), against: cases)
        XCTAssertEqual(compared, cases.count - refused, "every case the peer answered was compared")
    }

    /// 10,000 sentences of the SCOTUS facts (read where they stand in the shared data, which
    /// the fixture only points into): ids and offsets (with <s> and </s>) digest to the peer's.
    func testTenThousandLegalSentencesMatchPeer() throws {
        let (checked, mismatches) = try PeerCases.checkSentenceDigests(try Self.tokenizer.get(), fixture: Self.folder.appendingPathComponent("sentences.jsonl"))
        XCTAssertEqual(checked, 10_000)
        XCTAssertTrue(mismatches.isEmpty, "sentences whose ids or offsets differ from the peer's:\n" + mismatches.joined(separator: "\n"))
    }

    /// Every Unicode scalar in the probe around letters, digits, spaces and punctuation: the
    /// pieces match the peer's regex (\p{L}, \p{N} and \s as its engine reads them).
    func testPreTokenizerSweepMatchesPeer() throws {
        let path = Self.folder.appendingPathComponent("pretokenizer_sweep.json").path
        let root = try Value.parseJSON(try String(contentsOfFile: path, encoding: .utf8))
        let runs = root["runs"]?.listValue ?? []
        XCTAssertGreaterThan(runs.count, 100)
        var scalars = 0
        var differing: [String] = []
        for run in runs {
            guard let r = run.listValue, r.count == 3, let first = r[0].intValue, let last = r[1].intValue,
                  let ends = r[2].listValue?.compactMap({ $0.intValue.map { Int($0) } }) else { XCTFail("bad run \(run.jsonText)"); continue }
            for value in UInt32(first)...UInt32(last) {
                guard let c = Unicode.Scalar(value) else { continue }
                let probe: [Unicode.Scalar] = ["a", c, "1", c, " ", c, c, ".", c, "'", c]
                var got: [Int] = []
                ByteLevelPreTokenizer.forEachPiece(in: probe, range: 0..<probe.count) { got.append($0.upperBound) }
                if got != ends && differing.count < 10 {
                    differing.append("U+\(String(value, radix: 16, uppercase: true)) (\(ByteLevelPreTokenizer.classify(c))): got \(got), peer \(ends)")
                }
                scalars += 1
            }
        }
        XCTAssertEqual(scalars, 0x110000 - 0x800, "every scalar swept")
        XCTAssertTrue(differing.isEmpty, differing.joined(separator: "\n"))
    }

    func testFolderLoaderPicksTheModelKind() throws {
        XCTAssertTrue(try TokenizerFolder.load(directory: Self.folder.path) is ByteLevelBPETokenizer)
        let bpe = try Self.tokenizer.get()
        XCTAssertEqual([bpe.clsId, bpe.padId, bpe.sepId, bpe.unkId, bpe.maskId], [0, 1, 2, 3, 4])
        XCTAssertEqual(bpe.modelMaxLength, 512)
        XCTAssertEqual(bpe.tokenize(" court"), ["Ġcourt"])
    }

    /// What the implementation does not model is refused with the key that asks for it.
    func testUnsupportedSettingsAreRefusedWithTheFile() throws {
        let original = try Value.parseJSON(try String(contentsOfFile: Self.folder.appendingPathComponent("tokenizer.json").path, encoding: .utf8))
        func variant(_ edit: (inout [String: Value]) -> Void) throws -> String {
            guard case .map(var root) = original else { throw TokenizerError("fixture is not an object") }
            edit(&root)
            let dir = try TestSupport.temporaryDirectory()
            try Value.map(root).jsonText.write(to: dir.appendingPathComponent("tokenizer.json"), atomically: true, encoding: .utf8)
            return dir.path
        }
        func set(_ section: String, _ key: String, _ value: Value) -> (inout [String: Value]) -> Void {
            { root in if case .map(var m)? = root[section] { m[key] = value; root[section] = .map(m) } }
        }
        let refusals: [(String, (inout [String: Value]) -> Void)] = [
            ("add_prefix_space", set("pre_tokenizer", "add_prefix_space", .bool(true))),
            ("normalizer", { $0["normalizer"] = .map(["type": .string("NFC")]) }),
            ("dropout", set("model", "dropout", .float(0.1))),
            ("byte_fallback", set("model", "byte_fallback", .bool(true))),
            ("post_processor", { $0["post_processor"] = .map(["type": .string("BertProcessing")]) }),
            ("model.merges[0]", set("model", "merges", .list([.string("a b c")]))),
            ("rstrip", { root in
                if case .list(var tokens)? = root["added_tokens"], case .map(var t) = tokens[4] {
                    t["rstrip"] = .bool(true); tokens[4] = .map(t); root["added_tokens"] = .list(tokens)
                }
            }),
            ("lacks byte", { root in
                if case .map(var model)? = root["model"], case .map(var vocab)? = model["vocab"] {
                    // Give the space byte's id to a new token: the vocabulary stays dense but lacks "Ġ".
                    vocab["ĠĠĠĠspare"] = vocab.removeValue(forKey: "Ġ")
                    model["vocab"] = .map(vocab); model["merges"] = .list([]); root["model"] = .map(model)
                }
            }),
        ]
        for (expected, edit) in refusals {
            let dir = try variant(edit)
            XCTAssertThrowsError(try ByteLevelBPETokenizer.load(directory: dir), expected) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(expected), "\(expected): \(text)")
                XCTAssertTrue(text.contains("tokenizer.json"), "\(expected) names the file: \(text)")
            }
        }
    }
}
