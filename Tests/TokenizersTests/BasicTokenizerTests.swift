import Tokenizers
import XCTest

/// The pieces one at a time: normalizer steps, pre-tokenizer, WordPiece, truncation rules.
/// Expected values are BERT's documented behaviour, checked against the peer where noted.
final class BasicTokenizerTests: XCTestCase {
    func testCleaningDropsControlAndFormatCharactersAndMapsWhitespace() {
        let n = BertNormalizer(cleanText: true, handleChineseChars: false, stripAccents: false, lowercase: false)
        XCTAssertEqual(n.normalize("a\u{0}b\u{FFFD}c\u{7}d\u{200B}e\u{AD}f").text, "abcdef")
        XCTAssertEqual(n.normalize("a\tb\nc\r\nd\u{A0}e\u{3000}f").text, "a b c  d e f")
        // U+000B/U+000C/U+0085 are whitespace in Unicode but control characters first: dropped.
        XCTAssertEqual(n.normalize("a\u{B}b\u{C}c\u{85}d").text, "abcd")
    }

    func testOriginsPointBackIntoTheInput() {
        let n = BertNormalizer()
        let out = n.normalize("A\u{200B}É中")
        XCTAssertEqual(out.text, "ae 中 ")
        XCTAssertEqual(out.origins, [0, 2, 3, 3, 3])
    }

    func testAccentStrippingFollowsLowercaseUnlessSet() {
        XCTAssertEqual(BertNormalizer().normalize("Café Ångström cafe\u{301}").text, "cafe angstrom cafe")
        XCTAssertEqual(BertNormalizer(stripAccents: false).normalize("Café").text, "café")
        XCTAssertEqual(BertNormalizer(stripAccents: true, lowercase: false).normalize("Café").text, "Cafe")
        XCTAssertEqual(BertNormalizer(lowercase: false).normalize("Café").text, "Café")
    }

    func testLowercaseUsesFullMappings() {
        // İ decomposes to I + U+0307 first (stripped), so only "i" remains.
        XCTAssertEqual(BertNormalizer().normalize("İSTANBUL ΣΟΦΙΑ").text, "istanbul σοφια")
        XCTAssertEqual(BertNormalizer(stripAccents: false).normalize("İ").text, "i\u{307}")
    }

    func testChineseCharactersArePadded() {
        let n = BertNormalizer(handleChineseChars: true, stripAccents: false, lowercase: false)
        XCTAssertEqual(n.normalize("法律abc").text, " 法  律 abc")
        XCTAssertEqual(n.normalize("ひらがな한국").text, "ひらがな한국")
        XCTAssertTrue(BertCharacterClass.isChineseCharacter("中"))
        XCTAssertFalse(BertCharacterClass.isChineseCharacter("あ"))
    }

    func testPunctuationIncludesAsciiSymbols() {
        for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars {
            XCTAssertTrue(BertCharacterClass.isPunctuation(c), "\(c)")
        }
        for c in "§¶—–“”‘’«»¡¿…".unicodeScalars { XCTAssertTrue(BertCharacterClass.isPunctuation(c), "\(c)") }
        for c in "aZ09 €≈½😀".unicodeScalars { XCTAssertFalse(BertCharacterClass.isPunctuation(c), "\(c)") }
    }

    func testPreTokenizerSplitsWhitespaceAndIsolatesPunctuation() {
        XCTAssertEqual(BertPreTokenizer.words("42 u.s.c. § 1983(a)"), ["42", "u", ".", "s", ".", "c", ".", "§", "1983", "(", "a", ")"])
        XCTAssertEqual(BertPreTokenizer.words("  don't\t--x  "), ["don", "'", "t", "-", "-", "x"])
        XCTAssertEqual(BertPreTokenizer.words(""), [])
    }

    private func smallWordPiece(maxChars: Int = 100) throws -> WordPiece {
        let vocab = Vocabulary(tokens: ["[UNK]", "un", "##aff", "##able", "##ab", "a", "##le", "aff", "##a"])
        return try WordPiece(vocabulary: vocab, maxInputCharsPerWord: maxChars)
    }

    func testWordPieceIsGreedyLongestMatchFirst() throws {
        let wp = try smallWordPiece()
        XCTAssertEqual(wp.pieces(of: "unaffable"), ["un", "##aff", "##able"])
        XCTAssertEqual(wp.pieces(of: "affable"), ["aff", "##able"])
        XCTAssertEqual(wp.pieces(of: "aaa"), ["a", "##a", "##a"])
    }

    func testWordPieceUnknownCoversTheWholeWord() throws {
        let wp = try smallWordPiece()
        XCTAssertEqual(wp.pieces(of: "unx"), ["[UNK]"])
        XCTAssertEqual(wp.pieces(of: "xun"), ["[UNK]"])
        let scalars = Array("unaffx".unicodeScalars)
        var ids: [Int32] = []
        var ranges: [Range<Int>] = []
        wp.tokenize(scalars, word: 0..<scalars.count, ids: &ids, ranges: &ranges)
        XCTAssertEqual(ids, [0])
        XCTAssertEqual(ranges, [0..<6])
    }

    func testWordPieceLongWordsBecomeUnknown() throws {
        let wp = try smallWordPiece(maxChars: 5)
        XCTAssertEqual(wp.pieces(of: "aaaaa"), ["a", "##a", "##a", "##a", "##a"])
        XCTAssertEqual(wp.pieces(of: "aaaaaa"), ["[UNK]"])
    }

    func testWordPieceNeedsItsUnknownToken() {
        XCTAssertThrowsError(try WordPiece(vocabulary: Vocabulary(tokens: ["a"]))) { error in
            XCTAssertTrue("\(error)".contains("[UNK]"), "\(error)")
        }
    }

    func testEncodeWithSmallVocabulary() throws {
        let vocab = Vocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "court", "held", ",", "##s"])
        let tokenizer = try BertTokenizer(vocabulary: vocab, modelMaxLength: 8)
        let e = try tokenizer.encode("The Courts HELD, [MASK] x")
        XCTAssertEqual(tokenizer.tokens(for: e.ids), ["[CLS]", "the", "court", "##s", "held", ",", "[MASK]", "[UNK]", "[SEP]"])
        XCTAssertEqual(e.offsets.map { [$0.start, $0.end] }, [[0, 0], [0, 3], [4, 9], [9, 10], [11, 15], [15, 16], [17, 23], [24, 25], [0, 0]])
        XCTAssertEqual(e.specialTokensMask, [1, 0, 0, 0, 0, 0, 0, 0, 1])
        let truncated = try tokenizer.encode("The Courts HELD, [MASK] x", options: .truncated())
        XCTAssertEqual(truncated.count, 8)
        let padded = try tokenizer.encode("the", options: EncodeOptions(padding: .maxLength))
        XCTAssertEqual(padded.ids, [2, 5, 3, 0, 0, 0, 0, 0])
        XCTAssertEqual(padded.attentionMask, [1, 1, 1, 0, 0, 0, 0, 0])
        // [UNK] and [MASK] are special tokens too: skipped (the peer decodes ids of this
        // shape in the full vocabulary to "the courts,").
        XCTAssertEqual(tokenizer.decode(e.ids, skipSpecialTokens: true), "the courts held,")
        XCTAssertEqual(tokenizer.decode(e.ids), "[CLS] the courts held, [MASK] [UNK] [SEP]")
        // A word WordPiece cannot cover after an added token and partial pieces: "courtx".
        XCTAssertEqual(tokenizer.tokens(for: try tokenizer.encode("[MASK] courtx courts").ids), ["[CLS]", "[MASK]", "[UNK]", "court", "##s", "[SEP]"])
    }

    func testScalarRangeMapsOffsetsBackToTheString() throws {
        let text = "😀 Café"
        let range = try XCTUnwrap(text.scalarRange(TokenOffset(start: 2, end: 6)))
        XCTAssertEqual(String(text[range]), "Café")
        XCTAssertNil(text.scalarRange(TokenOffset(start: 5, end: 9)))
    }

    func testBatchNeedsMatchingPairs() throws {
        let vocab = Vocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
        let tokenizer = try BertTokenizer(vocabulary: vocab)
        XCTAssertThrowsError(try tokenizer.encodeBatch(["a", "b"], pairs: ["c"]))
    }

    func testLargeBatchEqualsOneByOne() throws {
        try TestSupport.requireModel()
        let tokenizer = try TestSupport.fromJSON.get()
        let texts = (0..<200).map { "Case \($0): the court held, under 42 U.S.C. § 1983, that Ms. Núñez's claim № \($0 * 7) fails." }
        let batch = try tokenizer.encodeBatch(texts, options: EncodeOptions(truncation: .longestFirst, maxLength: 24, padding: .longest))
        for (text, encoding) in zip(texts, batch) {
            var single = try tokenizer.encode(text, options: .truncated(to: 24))
            tokenizer.pad(&single, to: batch[0].count)
            XCTAssertEqual(encoding, single)
        }
    }
}
