import Foundation
import LexgraphCore
import TestRequirements
import Tokenizers
import XCTest

/// ALBERT's tokenizer read from a SentencePiece `spiece.model` alone (no tokenizer.json),
/// against transformers' AutoTokenizer on the same folders (tools/make_spiece_fixtures.py,
/// Tests/Fixtures/tokenizer-spiece): a 1,500-piece Unigram model trained there with
/// `sentencepiece` on the shared legal corpus, with a small custom normalization rule set.
final class SentencePieceModelTests: XCTestCase {
    static let folder = TestSupport.root.appendingPathComponent("Tests/Fixtures/tokenizer-spiece")
    static let cased = folder.appendingPathComponent("cased")
    static let tokenizer: Result<UnigramTokenizer, Error> = Result { try UnigramTokenizer.load(directory: folder.path) }

    /// Quotes, accents, numbers with commas (and the user-defined piece "1,"), runs of
    /// spaces, CJK, emoji, the empty string, the normalization rules, real texts, pairs under
    /// every truncation strategy, padded batches and fuzz strings: ids, types, offsets and
    /// decoded texts identical to the peer's.
    func testSpieceFolderMatchesPeer() throws {
        let cases = try PeerCases.load(["reference.jsonl"], in: Self.folder)
        func with(_ prefix: String) -> [PeerCases.Case] { cases.filter { $0.id.hasPrefix(prefix) } }
        for (prefix, minimum) in [("adversarial-", 40), ("scotus-", 20), ("cuad-", 20), ("tos-", 10), ("pair-", 40), ("batch-", 4), ("fuzz-", 100)] {
            XCTAssertGreaterThanOrEqual(with(prefix).count, minimum, prefix)
        }
        let texts = cases.compactMap { $0.json["text"]?.stringValue }
        XCTAssertTrue(texts.contains("") && texts.contains { $0.contains("``") && $0.contains("''") } && texts.contains { $0.contains("12,345") }
                      && texts.contains { $0.contains("   ") } && texts.contains { $0.contains("日本") } && texts.contains { $0.contains("😀") }, "hard texts")
        let refused = cases.filter { $0.json["error"] != nil }.count
        let compared = try PeerCases.check(try Self.tokenizer.get(), against: cases)
        XCTAssertEqual(compared, cases.count - refused, "every case the peer answered was compared")
    }

    /// tokenizer_config.json with do_lower_case false, keep_accents true and
    /// model_max_length 48 over the same spiece.model.
    func testCasedVariantMatchesPeer() throws {
        let cases = try PeerCases.load(["reference.jsonl"], in: Self.cased)
        XCTAssertGreaterThan(cases.count, 150)
        let tokenizer = try UnigramTokenizer.load(directory: Self.cased.path)
        XCTAssertEqual(tokenizer.modelMaxLength, 48)
        XCTAssertEqual(tokenizer.normalize("Café ``Ⅱ''"), "Café \"II\"", "accents and case kept; quotes and the charsmap rules applied")
        XCTAssertEqual(try Self.tokenizer.get().normalize("Café ``Ⅱ''"), "cafe \"ii\"")
        let refused = cases.filter { $0.json["error"] != nil }.count
        XCTAssertEqual(try PeerCases.check(tokenizer, against: cases), cases.count - refused)
    }

    /// 2,000 SCOTUS sentences (read in the shared data): ids and offsets digest to the peer's.
    func testLegalSentencesMatchPeer() throws {
        let (checked, mismatches) = try PeerCases.checkSentenceDigests(try Self.tokenizer.get(), fixture: Self.folder.appendingPathComponent("sentences.jsonl"))
        XCTAssertEqual(checked, 2_000)
        XCTAssertTrue(mismatches.isEmpty, "sentences whose ids or offsets differ from the peer's:\n" + mismatches.joined(separator: "\n"))
    }

    /// What the file holds, as the training script asked sentencepiece for.
    func testModelFileFields() throws {
        let file = try SentencePieceModelFile(contentsOf: Self.folder.appendingPathComponent("spiece.model").path)
        XCTAssertEqual(file.pieces.count, 1500)
        XCTAssertEqual(file.modelType, .unigram)
        XCTAssertEqual([file.unkId, file.bosId, file.eosId, file.padId], [1, -1, -1, 0])
        XCTAssertFalse(file.byteFallback)
        XCTAssertEqual(file.pieces.prefix(6).map(\.text), ["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]", "1,"])
        XCTAssertEqual(file.pieces.prefix(6).map(\.type), [.control, .unknown, .control, .control, .control, .userDefined])
        XCTAssertEqual(file.normalizerName, "user_defined")
        XCTAssertFalse(file.precompiledCharsmap.isEmpty)
        XCTAssertTrue(file.pieces.dropFirst(6).allSatisfy { $0.type == .normal && $0.score < 0 })
        let bpe = try SentencePieceModelFile(contentsOf: Self.folder.appendingPathComponent("bpe/spiece.model").path)
        XCTAssertEqual(bpe.modelType, .bpe)
        XCTAssertEqual(bpe.normalizerName, "identity")
        XCTAssertTrue(bpe.precompiledCharsmap.isEmpty)
    }

    func testFolderLoaderPicksSpieceModel() throws {
        let loaded = try TokenizerFolder.load(directory: Self.folder.path)
        XCTAssertTrue(loaded is UnigramTokenizer)
        XCTAssertEqual([loaded.padId, loaded.unkId, loaded.clsId, loaded.sepId, loaded.maskId], [0, 1, 2, 3, 4])
        XCTAssertEqual(loaded.modelMaxLength, 512)
        XCTAssertEqual(loaded.tokenize("The Court"), ["\u{2581}the", "\u{2581}court"])
        let empty = try TestSupport.temporaryDirectory()
        XCTAssertThrowsError(try TokenizerFolder.load(directory: empty.path)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("tokenizer.json") && text.contains("spiece.model") && text.contains("vocab.txt") && text.contains(empty.path), text)
        }
        XCTAssertThrowsError(try UnigramTokenizer.load(directory: empty.path)) { error in
            XCTAssertTrue("\(error)".contains("tokenizer.json") && "\(error)".contains("spiece.model"), "\(error)")
        }
    }

    // MARK: - Refusals

    static func modelBytes() throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent("spiece.model")))
    }

    /// A folder holding `bytes` as its spiece.model (and the given extra files).
    func folder(_ bytes: [UInt8], files: [String: String] = [:]) throws -> String {
        let dir = try TestSupport.temporaryDirectory()
        try Data(bytes).write(to: dir.appendingPathComponent("spiece.model"))
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir.path
    }

    func assertRefused(_ dir: String, _ expected: [String], file: String = "spiece.model", line: UInt = #line) {
        XCTAssertThrowsError(try TokenizerFolder.load(directory: dir), line: line) { error in
            let text = "\(error)"
            for e in expected + [dir + "/" + file] { XCTAssertTrue(text.contains(e), "expected '\(e)' in: \(text)", line: line) }
        }
    }

    /// Cut anywhere, the file is refused with its path and the byte offset where reading failed.
    func testTruncatedFileIsRefusedWithTheOffset() throws {
        let bytes = try Self.modelBytes()
        var atFieldBoundary = 0
        for cut in [1, 2, 7, 100, 1_000, 5_000, bytes.count / 2, bytes.count - 3, bytes.count - 1] {
            let dir = try folder(Array(bytes[..<cut]))
            XCTAssertThrowsError(try TokenizerFolder.load(directory: dir), "cut at \(cut)") { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(dir + "/spiece.model") && text.contains("SentencePiece model"), text)
                if text.contains("byte offset") {
                    XCTAssertTrue(text.contains("of \(cut)"), text)
                } else {
                    // Cut between two fields: well-formed, but the specs that follow are missing.
                    XCTAssertTrue(text.contains("its \(cut) bytes end without a") && text.contains("truncated?"), text)
                    atFieldBoundary += 1
                }
            }
        }
        XCTAssertLessThan(atFieldBoundary, 9, "most cuts fall inside a field")
        assertRefused(try folder([]), ["not a SentencePiece model", "no pieces"])
    }

    func testGarbageIsRefused() throws {
        assertRefused(try folder(Array("This is not a model\n".utf8)), ["not a SentencePiece model", "wire type 4", "byte offset 0"])
        assertRefused(try folder(Array("{\"model\": {\"type\": \"Unigram\"}}".utf8)), ["not a SentencePiece model", "wire type 3", "byte offset 0"])
        assertRefused(try folder([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), ["not a SentencePiece model", "byte offset"])
        // A well-formed message with no pieces (one unknown varint field, 9).
        assertRefused(try folder([0x48, 0x01]), ["no pieces"])
        // A piece whose text is not UTF-8.
        assertRefused(try folder([0x0A, 0x04, 0x0A, 0x02, 0xC3, 0x28]), ["not valid UTF-8", "byte offset 2"])
    }

    func testOtherModelKindsAndSettingsAreRefused() throws {
        let bpe = Array(try Data(contentsOf: Self.folder.appendingPathComponent("bpe/spiece.model")))
        assertRefused(try folder(bpe), ["type BPE", "UNIGRAM"])
        // Protobuf merges a repeated trainer_spec (field 2) into the first: appended fields
        // override what the file says, as the peer's protobuf reads them.
        let model = try Self.modelBytes()
        assertRefused(try folder(model + [0x12, 0x03, 0x98, 0x02, 0x01]), ["byte_fallback"])  // byte_fallback (35) = true
        assertRefused(try folder(model + [0x12, 0x02, 0x18, 0x03]), ["type WORD"])  // model_type (3) = WORD
        assertRefused(try folder(model + [0x12, 0x03, 0xC0, 0x02, 0x00]), ["unknown piece is id 0", "'<pad>'"])  // unk_id (40) = 0
        assertRefused(try folder(model, files: ["config.json": "{\"model_type\": \"t5\"}"]), ["model_type 't5'"], file: "config.json")
        assertRefused(try folder(model, files: ["tokenizer_config.json": "{\"mask_token\": \"<mask>\"}"]), ["'<mask>'"], file: "tokenizer_config.json")
        assertRefused(try folder(model, files: ["tokenizer_config.json": "{\"keep_accents\": 1}"]), ["keep_accents"], file: "tokenizer_config.json")
    }
}
