/// The SentencePiece Unigram tokenizer of ALBERT (and XLNet's kind), matching Hugging Face's
/// fast tokenizer over its `tokenizer.json` id for id and offset for offset: added tokens
/// matched in the raw text; the normalizer sequence (quote `Replace`s, NFKD, StripAccents,
/// Lowercase, the SentencePiece `Precompiled` charsmap, runs of spaces collapsed) with every
/// scalar's origin tracked; the Metaspace pre-tokenizer ("▁" for spaces, one prepended, a
/// piece at each "▁"), optionally after a whitespace split; the Unigram model's best path;
/// then truncation, `[CLS] A [SEP] (B [SEP])` with type 1 for the second text, and padding.
///
/// Offsets are in Unicode scalars of the original text (see `TokenOffset`): a token points at
/// the original characters its normalized scalars came from (the prepended "▁" at the
/// character after it). Immutable and `Sendable`.
public struct UnigramTokenizer: Sendable {
    public let model: UnigramModel
    public var vocabulary: Vocabulary { model.vocabulary }
    public let specialTokens: SpecialTokens
    public let clsId: Int32
    public let sepId: Int32
    public let padId: Int32
    public let unkId: Int32
    public let maskId: Int32
    public let modelMaxLength: Int
    let normalizer: [SentencePieceNormalizerStep]
    /// Whether pieces are split at whitespace before Metaspace (transformers 5's ALBERT).
    let whitespaceSplit: Bool
    let metaspace: Metaspace
    private let added: AddedVocabulary
    public var addedTokens: [String: Int32] { added.table }
    public var specialIds: Set<Int32> { added.specialIds }

    /// ALBERT's special tokens.
    public static let albertSpecialTokens = SpecialTokens(cls: "[CLS]", sep: "[SEP]", pad: "<pad>", unk: "<unk>", mask: "[MASK]")

    /// The Metaspace pre-tokenizer's settings.
    struct Metaspace: Sendable {
        var replacement: Unicode.Scalar = "\u{2581}"
        /// "always" (every piece) or "never" ("first" is refused when loading).
        var prependScheme: String = "always"
        var split: Bool = true
    }

    init(model: UnigramModel, specialTokens: SpecialTokens, modelMaxLength: Int, normalizer: [SentencePieceNormalizerStep],
         whitespaceSplit: Bool, metaspace: Metaspace, addedTokens: [AddedToken]) throws {
        guard modelMaxLength > 0 else { throw TokenizerError("model_max_length must be positive, got \(modelMaxLength)") }
        self.model = model
        self.specialTokens = specialTokens
        let ids = try SpecialTokenIds(specialTokens, in: model.vocabulary)
        (clsId, sepId, padId, unkId, maskId) = (ids.cls, ids.sep, ids.pad, ids.unk, ids.mask)
        self.modelMaxLength = modelMaxLength
        self.normalizer = normalizer
        self.whitespaceSplit = whitespaceSplit
        self.metaspace = metaspace
        added = try AddedVocabulary(addedTokens, vocabularyCount: model.vocabulary.count)
    }

    // MARK: - Encoding

    /// Encodes one text, or a pair, like `tokenizer(text, pair, ...)` in transformers.
    public func encode(_ text: String, pair: String? = nil, options: EncodeOptions = EncodeOptions()) throws -> Encoding {
        var encoding = try encodeUnpadded(text, pair: pair, options: options)
        EncodingAssembly.padSingle(&encoding, options: options, modelMaxLength: modelMaxLength, padId: padId)
        return encoding
    }

    /// Encodes many texts (or pairs), in parallel for large batches, then pads them together.
    public func encodeBatch(_ texts: [String], pairs: [String]? = nil, options: EncodeOptions = EncodeOptions()) throws -> [Encoding] {
        try EncodingAssembly.batch(count: texts.count, pairCount: pairs?.count, options: options, modelMaxLength: modelMaxLength,
                                   padId: padId) { [self] i in try self.encodeUnpadded(texts[i], pair: pairs?[i], options: options) }
    }

    public func pad(_ encoding: inout Encoding, to length: Int) {
        EncodingAssembly.pad(&encoding, to: length, padId: padId)
    }

    /// The pieces of a text, without special tokens (`tokenizer.tokenize(text)`), "▁court".
    public func tokenize(_ text: String) -> [String] {
        sequence(text).ids.map { vocabulary.tokens[Int($0)] }
    }

    func encodeUnpadded(_ text: String, pair: String?, options: EncodeOptions) throws -> Encoding {
        let layout = SpecialTokenLayout(cls: clsId, sep: sepId, separatorsBetween: 1, secondTypeId: 1)
        return try EncodingAssembly.assemble(sequence(text), pair.map { sequence($0) }, layout: layout, options: options,
                                             modelMaxLength: modelMaxLength)
    }

    /// The normalized form of a text (the peer's `normalizer.normalize_str`), for the sweep.
    public func normalize(_ text: String) -> String {
        var aligned = AlignedText(ArraySlice(Array(text.unicodeScalars)))
        for step in normalizer { step.apply(&aligned) }
        var out = ""
        out.unicodeScalars.append(contentsOf: aligned.scalars)
        return out
    }

    /// One text through added-token matching, normalization, pre-tokenization and the model.
    func sequence(_ text: String) -> TokenSequence {
        let scalars = Array(text.unicodeScalars)
        var out = TokenSequence()
        var ranges: [Range<Int>] = []
        for segment in added.matcher.split(scalars) {
            switch segment {
            case .token(let id, let range):
                out.ids.append(id)
                out.offsets.append(TokenOffset(start: range.lowerBound, end: range.upperBound))
            case .text(let range):
                var aligned = AlignedText(scalars[range])
                for step in normalizer { step.apply(&aligned) }
                for piece in pieces(aligned) {
                    ranges.removeAll(keepingCapacity: true)
                    model.encode(piece.scalars[...], ids: &out.ids, ranges: &ranges)
                    for r in ranges {
                        let o = piece.originalRange(r)
                        out.offsets.append(TokenOffset(start: o.lowerBound, end: o.upperBound))
                    }
                }
            }
        }
        return out
    }

    /// The pre-tokenizer: the whitespace split (when on), then Metaspace on each piece.
    private func pieces(_ text: AlignedText) -> [AlignedText] {
        Self.preTokenize(text, whitespaceSplit: whitespaceSplit, metaspace: metaspace)
    }

    /// The pre-tokenizer's pieces of a normalized text (also the words Unigram training counts).
    static func preTokenize(_ text: AlignedText, whitespaceSplit: Bool, metaspace: Metaspace) -> [AlignedText] {
        var words: [AlignedText] = []
        if whitespaceSplit {
            var start: Int?
            for (k, s) in text.scalars.enumerated() {
                if s.properties.isWhitespace {
                    if let b = start { words.append(text.slice(b..<k)); start = nil }
                } else if start == nil {
                    start = k
                }
            }
            if let b = start { words.append(text.slice(b..<text.scalars.count)) }
        } else {
            words = [text]
        }
        var out: [AlignedText] = []
        for var word in words {
            word.replace([" "], with: [metaspace.replacement])
            if metaspace.prependScheme == "always", word.scalars.first != metaspace.replacement { word.prepend(metaspace.replacement) }
            guard metaspace.split else { if !word.isEmpty { out.append(word) }; continue }
            var b = 0
            for k in word.scalars.indices where k > b && word.scalars[k] == metaspace.replacement {
                out.append(word.slice(b..<k))
                b = k
            }
            if b < word.scalars.count { out.append(word.slice(b..<word.scalars.count)) }
        }
        return out
    }

    // MARK: - Decoding

    /// Ids back to text, like transformers' `tokenizer.decode(ids, skip_special_tokens=...)`:
    /// the Metaspace decoder ("▁" back to a space, the first token's leading one dropped).
    /// Ids outside the vocabulary are skipped.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = false) -> String {
        var out = ""
        var first = true
        for id in ids {
            if skipSpecialTokens, specialIds.contains(id) { continue }
            guard let token = vocabulary.token(for: id) else { continue }
            for (j, s) in token.unicodeScalars.enumerated() {
                if s == metaspace.replacement {
                    if first && j == 0 && metaspace.prependScheme != "never" { continue }
                    out.unicodeScalars.append(" ")
                } else {
                    out.unicodeScalars.append(s)
                }
            }
            first = false
        }
        return out
    }
}
