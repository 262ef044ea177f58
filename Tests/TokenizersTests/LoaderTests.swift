import Foundation
import Tokenizers
import XCTest

/// Loading: the two file formats agree, and damaged files are refused with the file (and, for
/// vocab.txt, the line) named.
final class LoaderTests: XCTestCase {
    func testBothLoadersBuildTheSameTokenizer() throws {
        try TestSupport.requireModel()
        let json = try TestSupport.fromJSON.get()
        let vocab = try TestSupport.fromVocab.get()
        XCTAssertEqual(json.vocabulary.tokens, vocab.vocabulary.tokens)
        XCTAssertEqual(json.vocabulary.count, 30522)
        XCTAssertEqual(json.normalizer, vocab.normalizer)
        XCTAssertEqual(json.normalizer, BertNormalizer(cleanText: true, handleChineseChars: true, stripAccents: nil, lowercase: true))
        XCTAssertEqual([json.padId, json.unkId, json.clsId, json.sepId, json.maskId], [0, 100, 101, 102, 103])
        XCTAssertEqual([vocab.padId, vocab.unkId, vocab.clsId, vocab.sepId, vocab.maskId], [0, 100, 101, 102, 103])
        XCTAssertEqual(json.modelMaxLength, 512)
        XCTAssertEqual(vocab.modelMaxLength, 512)
        XCTAssertEqual(json.wordPiece.maxInputCharsPerWord, 100)
        XCTAssertEqual(json.wordPiece.continuingSubwordPrefix, "##")
        XCTAssertEqual(json.addedTokens, vocab.addedTokens)
        XCTAssertEqual(json.specialIds, vocab.specialIds)
    }

    func testFolderFallsBackToVocabTxt() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n".write(to: dir.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let t = try BertTokenizer.load(directory: dir.path)
        XCTAssertEqual(try t.encode("Hello").ids, [2, 5, 3])
    }

    private func expectError(_ body: () throws -> Void, mentions parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(error is TokenizerError, "not a TokenizerError: \(text)", file: file, line: line)
            for part in parts { XCTAssertTrue(text.contains(part), "'\(text)' does not mention '\(part)'", file: file, line: line) }
        }
    }

    func testMissingFilesAndFolders() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        expectError({ _ = try BertTokenizer.load(directory: dir.path) }, mentions: [dir.path, "no tokenizer.json or vocab.txt"])
        expectError({ _ = try BertTokenizer.load(directory: dir.path + "/nope") }, mentions: ["nope", "does not exist"])
        expectError({ _ = try BertTokenizer.load(vocabTxt: dir.path + "/vocab.txt") }, mentions: ["vocab.txt", "cannot read"])
        expectError({ _ = try BertTokenizer.load(tokenizerJSON: dir.path + "/tokenizer.json") }, mentions: ["tokenizer.json", "cannot read"])
    }

    func testCorruptVocabTxtNamesTheLine() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("vocab.txt")
        try "[PAD]\n[UNK]\n\n[CLS]\n".write(to: path, atomically: true, encoding: .utf8)
        expectError({ _ = try Vocabulary.load(vocabTxt: path.path) }, mentions: ["vocab.txt:3", "empty line"])
        try Data([0x5B, 0x50, 0x41, 0x44, 0x5D, 0x0A, 0x61, 0xFF, 0xFE, 0x0A]).write(to: path)
        expectError({ _ = try Vocabulary.load(vocabTxt: path.path) }, mentions: ["vocab.txt:2", "UTF-8"])
        try "[PAD]\r\n[UNK]\r\nhello world\r\n".write(to: path, atomically: true, encoding: .utf8)
        expectError({ _ = try Vocabulary.load(vocabTxt: path.path) }, mentions: ["vocab.txt:3", "whitespace"])
        try "".write(to: path, atomically: true, encoding: .utf8)
        expectError({ _ = try Vocabulary.load(vocabTxt: path.path) }, mentions: ["vocab.txt", "empty"])
        try "[PAD]\n[CLS]\n[SEP]\n[MASK]\n".write(to: path, atomically: true, encoding: .utf8)
        expectError({ _ = try BertTokenizer.load(vocabTxt: path.path) }, mentions: ["vocab.txt", "[UNK]", "not in the vocabulary"])
        // CRLF files load like LF files.
        try "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\n[MASK]\r\nx".write(to: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Vocabulary.load(vocabTxt: path.path).tokens, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "x"])
    }

    func testCorruptTokenizerJSON() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("tokenizer.json")
        func write(_ s: String) throws { try s.write(to: path, atomically: true, encoding: .utf8) }
        let vocab = #""vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4, "a": 5}"#
        try write(#"{"model": {"type": "WordPiece", "#)
        expectError({ _ = try BertTokenizer.load(tokenizerJSON: path.path) }, mentions: ["tokenizer.json", "invalid JSON"])
        try write(#"{"model": {"type": "BPE", \#(vocab)}}"#)
        expectError({ _ = try BertTokenizer.load(tokenizerJSON: path.path) }, mentions: ["tokenizer.json", "'BPE'", "WordPiece"])
        try write(#"{"model": {"type": "WordPiece", "vocab": {"a": 0, "b": 0}}}"#)
        expectError({ _ = try BertTokenizer.load(tokenizerJSON: path.path) }, mentions: ["tokenizer.json", "id 0"])
        try write(#"{"model": {"type": "WordPiece", "vocab": {"a": "x"}}}"#)
        expectError({ _ = try BertTokenizer.load(tokenizerJSON: path.path) }, mentions: ["tokenizer.json", "'a'"])
        try write(#"{"model": {"type": "WordPiece", \#(vocab)}, "normalizer": {"type": "NFKC"}}"#)
        expectError({ _ = try BertTokenizer.load(tokenizerJSON: path.path) }, mentions: ["tokenizer.json", "NFKC"])
        try write(#"{"model": {"type": "WordPiece", \#(vocab)}, "normalizer": {"type": "BertNormalizer", "lowercase": "yes"}}"#)
        expectError({ _ = try BertTokenizer.load(tokenizerJSON: path.path) }, mentions: ["tokenizer.json", "'lowercase'"])
        try write(#"{"model": {"type": "WordPiece", \#(vocab), "unk_token": "<unk>"}}"#)
        expectError({ _ = try BertTokenizer.load(tokenizerJSON: path.path) }, mentions: ["tokenizer.json", "<unk>"])
        try write(#"{"model": {"type": "WordPiece", \#(vocab)}, "added_tokens": [{"id": 9, "content": "[X]"}]}"#)
        expectError({ _ = try BertTokenizer.load(tokenizerJSON: path.path) }, mentions: ["tokenizer.json", "added_tokens[0]"])
        // A minimal valid file loads, with BERT defaults for what it leaves out.
        try write(#"{"model": {"type": "WordPiece", \#(vocab)}, "normalizer": {"type": "BertNormalizer"}}"#)
        XCTAssertEqual(try BertTokenizer.load(tokenizerJSON: path.path).encode("A a").ids, [2, 5, 5, 3])
    }

    func testCorruptTokenizerConfig() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nA\na\n".write(to: dir.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("tokenizer_config.json")
        try #"{"do_lower_case": 1}"#.write(to: config, atomically: true, encoding: .utf8)
        expectError({ _ = try BertTokenizer.load(directory: dir.path) }, mentions: ["tokenizer_config.json", "do_lower_case"])
        try #"{"do_lower_case": false, "model_max_length": 1000000000000000019884624838656}"#.write(to: config, atomically: true, encoding: .utf8)
        let t = try BertTokenizer.load(directory: dir.path)
        XCTAssertEqual(try t.encode("A a").ids, [2, 5, 6, 3])
    }
}
