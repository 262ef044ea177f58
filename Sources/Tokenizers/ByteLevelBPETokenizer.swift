/// The byte-level BPE tokenizer of RoBERTa and Longformer, matching Hugging Face's fast
/// tokenizer (`AutoTokenizer` over a `tokenizer.json` with a BPE model, the ByteLevel
/// pre-tokenizer and decoder, RobertaProcessing) id for id and offset for offset: added tokens
/// matched in the raw text, the GPT-2 split, each piece's UTF-8 bytes through BPE, offsets
/// trimmed of the space a token carries ("Ġcourt" points at "court"), then truncation,
/// `<s> A </s>` / `<s> A </s></s> B </s>` (type id 0 throughout) and padding.
///
/// Offsets are in Unicode scalars of the original text (see `TokenOffset`); a token that
/// holds part of a character's bytes points at the whole character. Immutable and `Sendable`.
public struct ByteLevelBPETokenizer: Sendable {
    public let model: BytePairEncoding
    public var vocabulary: Vocabulary { model.vocabulary }
    public let specialTokens: SpecialTokens
    public let clsId: Int32
    public let sepId: Int32
    public let padId: Int32
    public let unkId: Int32
    public let maskId: Int32
    public let modelMaxLength: Int
    /// Whether offsets are trimmed of the spaces a token carries (RobertaProcessing `trim_offsets`).
    public let trimOffsets: Bool
    private let added: AddedVocabulary
    public var addedTokens: [String: Int32] { added.table }
    public var specialIds: Set<Int32> { added.specialIds }
    /// Per id: how many leading and trailing characters of the token are spaces ("Ġ") or
    /// whitespace, which offset trimming steps over.
    private let spaceCounts: [(leading: Int32, trailing: Int32)]

    /// RoBERTa's special tokens.
    public static let robertaSpecialTokens = SpecialTokens(cls: "<s>", sep: "</s>", pad: "<pad>", unk: "<unk>", mask: "<mask>")

    public init(model: BytePairEncoding, specialTokens: SpecialTokens = robertaSpecialTokens, modelMaxLength: Int = 512,
                trimOffsets: Bool = true, addedTokens: [AddedToken]? = nil) throws {
        let vocabulary = model.vocabulary
        guard modelMaxLength > 0 else { throw TokenizerError("model_max_length must be positive, got \(modelMaxLength)") }
        self.model = model
        self.specialTokens = specialTokens
        let ids = try SpecialTokenIds(specialTokens, in: vocabulary)
        (clsId, sepId, padId, unkId, maskId) = (ids.cls, ids.sep, ids.pad, ids.unk, ids.mask)
        self.modelMaxLength = modelMaxLength
        self.trimOffsets = trimOffsets
        // RoBERTa's: the special tokens, <mask> swallowing the whitespace before it.
        let defaults = [(specialTokens.cls, ids.cls), (specialTokens.pad, ids.pad), (specialTokens.sep, ids.sep), (specialTokens.unk, ids.unk),
                        (specialTokens.mask, ids.mask)].map { AddedToken(content: $0.0, id: $0.1, lstrip: $0.1 == ids.mask) }
        added = try AddedVocabulary(addedTokens ?? defaults, vocabularyCount: vocabulary.count)
        spaceCounts = vocabulary.tokens.map { token in
            func isSpace(_ s: Unicode.Scalar) -> Bool { s == "\u{120}" || s.properties.isWhitespace }
            let scalars = token.unicodeScalars
            return (Int32(scalars.prefix(while: isSpace).count), Int32(scalars.reversed().prefix(while: isSpace).count))
        }
    }

    // MARK: - Encoding

    /// Encodes one text, or a pair, like `tokenizer(text, pair, ...)` in transformers.
    /// Throws when the truncation strategy cannot meet `maxLength` (as the peer does).
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

    /// Right-pads to `length` (no-op when already that long or longer).
    public func pad(_ encoding: inout Encoding, to length: Int) {
        EncodingAssembly.pad(&encoding, to: length, padId: padId)
    }

    /// The tokens of a text, without special tokens (`tokenizer.tokenize(text)`), in the
    /// byte-level alphabet ("Ġcourt").
    public func tokenize(_ text: String) -> [String] {
        sequence(text).ids.map { vocabulary.tokens[Int($0)] }
    }

    func encodeUnpadded(_ text: String, pair: String?, options: EncodeOptions) throws -> Encoding {
        let layout = SpecialTokenLayout(cls: clsId, sep: sepId, separatorsBetween: 2, secondTypeId: 0)
        return try EncodingAssembly.assemble(sequence(text), pair.map { sequence($0) }, layout: layout, options: options,
                                             modelMaxLength: modelMaxLength)
    }

    /// One text through added-token matching, the GPT-2 split and BPE, with trimmed offsets.
    func sequence(_ text: String) -> TokenSequence {
        let scalars = Array(text.unicodeScalars)
        var out = TokenSequence()
        out.ids.reserveCapacity(scalars.count / 3 + 4)
        out.offsets.reserveCapacity(scalars.count / 3 + 4)
        var bytes: [UInt8] = []
        var byteScalar: [Int32] = []  // the scalar index each byte of `bytes` came from
        var byteRanges: [Range<Int>] = []
        for segment in added.matcher.split(scalars) {
            switch segment {
            case .token(let id, let range):
                out.ids.append(id)
                out.offsets.append(trimmed(TokenOffset(start: range.lowerBound, end: range.upperBound), id: id))
            case .text(let range):
                ByteLevelPreTokenizer.forEachPiece(in: scalars, range: range) { piece in
                    bytes.removeAll(keepingCapacity: true)
                    byteScalar.removeAll(keepingCapacity: true)
                    byteRanges.removeAll(keepingCapacity: true)
                    for k in piece {
                        UTF8.encode(scalars[k]) { byte in
                            bytes.append(byte)
                            byteScalar.append(Int32(k))
                        }
                    }
                    let first = out.ids.count
                    model.encode(word: bytes[...], ids: &out.ids, byteRanges: &byteRanges)
                    for (n, r) in byteRanges.enumerated() {
                        let offset = TokenOffset(start: Int(byteScalar[r.lowerBound]), end: Int(byteScalar[r.upperBound - 1]) + 1)
                        out.offsets.append(trimmed(offset, id: out.ids[first + n]))
                    }
                }
            }
        }
        return out
    }

    /// The peer's `process_offsets`: a token's leading and trailing spaces are not part of
    /// what it points at (an all-space token becomes an empty range at its end).
    private func trimmed(_ offset: TokenOffset, id: Int32) -> TokenOffset {
        guard trimOffsets else { return offset }
        let (leading, trailing) = spaceCounts[Int(id)]
        var o = offset
        if leading > 0 { o.start = min(o.start + Int(leading), o.end) }
        if trailing > 0 && o.end >= Int(trailing) { o.end = max(o.end - Int(trailing), o.start) }
        return o
    }

    // MARK: - Decoding

    /// Ids back to text, like transformers' `tokenizer.decode(ids, skip_special_tokens=...)`:
    /// each token's alphabet characters back to bytes, then UTF-8 with invalid sequences
    /// replaced by U+FFFD. Ids outside the vocabulary are skipped (as the peer does).
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = false) -> String {
        var out: [UInt8] = []
        for id in ids {
            if skipSpecialTokens, specialIds.contains(id) { continue }
            guard let token = vocabulary.token(for: id) else { continue }
            out += ByteLevelAlphabet.decode(token)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
