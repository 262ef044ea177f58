import Foundation
import LexgraphCore
import TestRequirements
import Tokenizers
import XCTest

/// The SentencePiece Unigram tokenizer against Hugging Face on the fixtures of
/// tools/make_unigram_fixtures.py (Tests/Fixtures/tokenizer-unigram): a 2,000-piece model
/// trained there with `sentencepiece` on the shared legal corpus, converted to ALBERT's
/// tokenizer.json by transformers, and loaded by its AutoTokenizer and by us.
final class UnigramFixtureTests: XCTestCase {
    static let folder = TestSupport.root.appendingPathComponent("Tests/Fixtures/tokenizer-unigram")
    static let tokenizer: Result<UnigramTokenizer, Error> = Result { try UnigramTokenizer.load(directory: folder.path) }

    /// Real texts of every corpus, adversarial strings (quotes the normalizer rewrites,
    /// compatibility characters, accents, "▁" in the text), fuzz strings, pairs under every
    /// truncation strategy, padded batches and the peer's refusals: all identical.
    func testReferenceAndFuzzCasesMatchPeer() throws {
        let cases = try PeerCases.load(["reference.jsonl", "fuzz.jsonl"], in: Self.folder)
        func with(_ prefix: String) -> [PeerCases.Case] { cases.filter { $0.id.hasPrefix(prefix) } }
        for (prefix, minimum) in [("scotus-", 30), ("cuad-", 30), ("echr-", 50), ("tos-", 20), ("pair-", 40), ("batch-", 4), ("fuzz-", 200)] {
            XCTAssertGreaterThanOrEqual(with(prefix).count, minimum, prefix)
        }
        let refused = cases.filter { $0.json["error"] != nil }.count
        XCTAssertGreaterThan(refused, 5, "peer refusals to match")
        let adversarial = with("adversarial-").compactMap { $0.json["text"]?.stringValue }.joined()
        XCTAssertTrue(adversarial.contains("``") && adversarial.contains("\u{2581}") && adversarial.contains("ﬁ"), "normalizer cases")
        let compared = try PeerCases.check(try Self.tokenizer.get(), against: cases)
        XCTAssertEqual(compared, cases.count - refused, "every case the peer answered was compared")
    }

    /// 10,000 sentences of the SCOTUS facts (read where they stand in the shared data, which
    /// the fixture only points into): ids and offsets (with [CLS] and [SEP]) digest to the peer's.
    func testTenThousandLegalSentencesMatchPeer() throws {
        let (checked, mismatches) = try PeerCases.checkSentenceDigests(try Self.tokenizer.get(), fixture: Self.folder.appendingPathComponent("sentences.jsonl"))
        XCTAssertEqual(checked, 10_000)
        XCTAssertTrue(mismatches.isEmpty, "sentences whose ids or offsets differ from the peer's:\n" + mismatches.joined(separator: "\n"))
    }

    /// Every Unicode scalar c through the whole normalizer (NFKD, accents, lowercase, the
    /// precompiled charsmap) and in "a" + c + "b" through the tokenizer: normalized forms and
    /// token offsets digest, per block of 4,096 scalars, to the peer's.
    func testUnicodeSweepMatchesPeer() throws {
        let tokenizer = try Self.tokenizer.get()
        let path = Self.folder.appendingPathComponent("normalizer_sweep.json").path
        let root = try Value.parseJSON(try String(contentsOfFile: path, encoding: .utf8))
        let digests = root["digests"]?.listValue?.compactMap(\.stringValue) ?? []
        XCTAssertEqual(digests.count, 0x110000 / 4096)
        var differing: [String] = []
        for (b, digest) in digests.enumerated() {
            var lines = ""
            for value in UInt32(b * 4096)..<UInt32((b + 1) * 4096) {
                guard let c = Unicode.Scalar(value) else { continue }
                var probe = "a"
                probe.unicodeScalars.append(c)
                probe += "b"
                let offsets = (try tokenizer.encode(probe, pair: nil, options: EncodeOptions(addSpecialTokens: false))).offsets
                lines += "\(value):\(tokenizer.normalize(String(c))):\(offsets.map { "\($0.start),\($0.end)" }.joined(separator: ","));"
            }
            if String(Checksum.sha256Hex(lines).prefix(16)) != digest {
                differing.append("U+\(String(b * 4096, radix: 16, uppercase: true))...U+\(String(b * 4096 + 4095, radix: 16, uppercase: true))")
            }
        }
        XCTAssertTrue(differing.isEmpty, "blocks whose normalization or offsets differ from the peer's: " + differing.joined(separator: ", "))
    }

    func testFolderLoaderPicksTheModelKind() throws {
        XCTAssertTrue(try TokenizerFolder.load(directory: Self.folder.path) is UnigramTokenizer)
        let tokenizer = try Self.tokenizer.get()
        XCTAssertEqual([tokenizer.padId, tokenizer.unkId, tokenizer.clsId, tokenizer.sepId, tokenizer.maskId], [0, 1, 2, 3, 4])
        XCTAssertEqual(tokenizer.modelMaxLength, 512)
        XCTAssertEqual(tokenizer.tokenize("The Court"), ["\u{2581}the", "\u{2581}court"])
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
        let xlnetTemplate: Value = .list([.map(["Sequence": .map(["id": .string("A"), "type_id": .int(0)])]),
                                          .map(["SpecialToken": .map(["id": .string("<sep>"), "type_id": .int(0)])]),
                                          .map(["SpecialToken": .map(["id": .string("<cls>"), "type_id": .int(2)])])])
        let refusals: [(String, (inout [String: Value]) -> Void)] = [
            ("byte_fallback", set("model", "byte_fallback", .bool(true))),
            ("'NFC'", { $0["normalizer"] = .map(["type": .string("NFC")]) }),
            ("Replace pattern", { $0["normalizer"] = .map(["type": .string("Replace"), "pattern": .map(["Regex": .string("\\s+")]), "content": .string(" ")]) }),
            ("pre_tokenizer", { $0["pre_tokenizer"] = .map(["type": .string("Whitespace")]) }),
            ("prepend_scheme", { root in
                root["pre_tokenizer"] = .map(["type": .string("Metaspace"), "replacement": .string("\u{2581}"), "prepend_scheme": .string("first")])
            }),
            ("post_processor", set("post_processor", "single", xlnetTemplate)),
            ("post_processor", { $0["post_processor"] = .map(["type": .string("BertProcessing")]) }),
            ("unk_id", set("model", "unk_id", .int(99_999))),
            ("model.vocab[0]", set("model", "vocab", .list([.list([.string("a")])]))),
            ("rstrip", { root in
                if case .list(var tokens)? = root["added_tokens"], case .map(var t) = tokens[4] {
                    t["rstrip"] = .bool(true); tokens[4] = .map(t); root["added_tokens"] = .list(tokens)
                }
            }),
        ]
        for (expected, edit) in refusals {
            let dir = try variant(edit)
            XCTAssertThrowsError(try UnigramTokenizer.load(directory: dir), expected) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(expected), "\(expected): \(text)")
                XCTAssertTrue(text.contains("tokenizer.json"), "\(expected) names the file: \(text)")
            }
        }
        // A tokenizer_config.json whose do_lower_case, keep_accents or add_prefix_space
        // contradicts the pipeline tokenizer.json holds.
        for key in ["do_lower_case\": false", "keep_accents\": true", "add_prefix_space\": false"] {
            let dir = try variant { _ in }
            try "{\"\(key)}".write(toFile: dir + "/tokenizer_config.json", atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try UnigramTokenizer.load(directory: dir)) { error in
                XCTAssertTrue("\(error)".contains("tokenizer_config.json") && "\(error)".contains(String(key.prefix { $0 != "\"" })), "\(error)")
            }
        }
    }
}
