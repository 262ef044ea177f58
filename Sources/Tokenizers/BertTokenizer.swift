/// The BERT WordPiece tokenizer, matching Hugging Face `BertTokenizerFast`
/// (`AutoTokenizer.from_pretrained(...)`) id for id and offset for offset: added tokens
/// matched in the raw text, `BertNormalizer`, `BertPreTokenizer`, `WordPiece`, then
/// truncation, [CLS] A [SEP] (B [SEP]) and padding.
///
/// Offsets are in Unicode scalars of the original text (see `TokenOffset`). Immutable and
/// `Sendable`: one instance can serve every thread.
public struct BertTokenizer: Sendable {
    public let vocabulary: Vocabulary
    public let normalizer: BertNormalizer
    public let wordPiece: WordPiece
    public let specialTokens: SpecialTokens
    public let clsId: Int32
    public let sepId: Int32
    public let padId: Int32
    public let unkId: Int32
    public let maskId: Int32
    /// The default `maxLength` of truncation and `.maxLength` padding (HF `model_max_length`).
    public let modelMaxLength: Int
    /// Whether `decode` applies the WordPiece decoder's cleanup (" ," -> "," ...).
    public let decoderCleanup: Bool
    private let added: AddedVocabulary
    /// Added tokens matched literally in the input, and the ids `decode` skips as special.
    public var addedTokens: [String: Int32] { added.table }
    public var specialIds: Set<Int32> { added.specialIds }

    /// Builds a tokenizer from its parts. Every special token must be in the vocabulary.
    /// `addedTokens` defaults to the five special tokens.
    public init(vocabulary: Vocabulary, normalizer: BertNormalizer = BertNormalizer(), specialTokens: SpecialTokens = SpecialTokens(),
                continuingSubwordPrefix: String = "##", maxInputCharsPerWord: Int = 100, modelMaxLength: Int = 512,
                addedTokens: [AddedToken]? = nil, decoderCleanup: Bool = true) throws {
        guard modelMaxLength > 0 else { throw TokenizerError("model_max_length must be positive, got \(modelMaxLength)") }
        guard maxInputCharsPerWord > 0 else { throw TokenizerError("max_input_chars_per_word must be positive, got \(maxInputCharsPerWord)") }
        self.vocabulary = vocabulary
        self.normalizer = normalizer
        self.specialTokens = specialTokens
        let ids = try SpecialTokenIds(specialTokens, in: vocabulary)
        (clsId, sepId, padId, unkId, maskId) = (ids.cls, ids.sep, ids.pad, ids.unk, ids.mask)
        wordPiece = try WordPiece(vocabulary: vocabulary, unknownToken: specialTokens.unk,
                                  continuingSubwordPrefix: continuingSubwordPrefix, maxInputCharsPerWord: maxInputCharsPerWord)
        self.modelMaxLength = modelMaxLength
        self.decoderCleanup = decoderCleanup
        added = try AddedVocabulary(addedTokens ?? specialTokens.all.map { AddedToken(content: $0, id: try SpecialTokenIds.id($0, "special", vocabulary)) },
                                    vocabularyCount: vocabulary.count)
    }

    // MARK: - Encoding

    /// Encodes one text, or a pair, like `tokenizer(text, pair, ...)` in transformers.
    /// Throws when the truncation strategy cannot meet `maxLength` (as the peer does).
    /// An empty `pair` is an empty second sequence ([CLS] A [SEP] [SEP]), as in the peer's
    /// batch encoding; transformers' single call `tokenizer(text, "")` instead drops "" as if
    /// no pair had been given; pass nil for that.
    public func encode(_ text: String, pair: String? = nil, options: EncodeOptions = EncodeOptions()) throws -> Encoding {
        var encoding = try encodeUnpadded(text, pair: pair, options: options)
        EncodingAssembly.padSingle(&encoding, options: options, modelMaxLength: modelMaxLength, padId: padId)
        return encoding
    }

    /// Encodes many texts (or pairs: `pairs` as long as `texts`), in parallel for large
    /// batches, then pads them together (`.longest` pads to the longest of this batch).
    public func encodeBatch(_ texts: [String], pairs: [String]? = nil, options: EncodeOptions = EncodeOptions()) throws -> [Encoding] {
        try EncodingAssembly.batch(count: texts.count, pairCount: pairs?.count, options: options, modelMaxLength: modelMaxLength,
                                   padId: padId) { [self] i in try self.encodeUnpadded(texts[i], pair: pairs?[i], options: options) }
    }

    /// The WordPiece tokens of a text, without special tokens (`tokenizer.tokenize(text)`).
    public func tokenize(_ text: String) -> [String] {
        sequence(text).ids.map { vocabulary.tokens[Int($0)] }
    }

    /// Truncation and special tokens, no padding.
    func encodeUnpadded(_ text: String, pair: String?, options: EncodeOptions) throws -> Encoding {
        try EncodingAssembly.assemble(sequence(text), pair.map { sequence($0) }, layout: layout, options: options, modelMaxLength: modelMaxLength)
    }

    /// Right-pads to `length` (no-op when already that long or longer).
    public func pad(_ encoding: inout Encoding, to length: Int) {
        EncodingAssembly.pad(&encoding, to: length, padId: padId)
    }

    /// One text through added-token matching, normalization, pre-tokenization and WordPiece.
    func sequence(_ text: String) -> TokenSequence {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int32] = []
        var offsets: [TokenOffset] = []
        ids.reserveCapacity(scalars.count / 4 + 4)
        offsets.reserveCapacity(scalars.count / 4 + 4)
        var normalized = NormalizedText()
        var ranges: [Range<Int>] = []
        for segment in added.matcher.split(scalars) {
            switch segment {
            case .token(let id, let range):
                ids.append(id)
                offsets.append(TokenOffset(start: range.lowerBound, end: range.upperBound))
            case .text(let range):
                normalizer.normalize(scalars, range: range, into: &normalized)
                let firstNew = ids.count
                ranges.removeAll(keepingCapacity: true)
                BertPreTokenizer.forEachWord(in: normalized.scalars) { word in
                    wordPiece.tokenize(normalized.scalars, word: word, ids: &ids, ranges: &ranges)
                }
                for r in ranges {
                    offsets.append(TokenOffset(start: Int(normalized.origins[r.lowerBound]), end: Int(normalized.origins[r.upperBound - 1]) + 1))
                }
                assert(ids.count - firstNew == ranges.count)
            }
        }
        return TokenSequence(ids: ids, offsets: offsets)
    }

    private var layout: SpecialTokenLayout { SpecialTokenLayout(cls: clsId, sep: sepId, separatorsBetween: 1, secondTypeId: 1) }
}
