import Dispatch

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
    /// Added tokens matched literally in the input, and the ids `decode` skips as special.
    public let addedTokens: [String: Int32]
    public let specialIds: Set<Int32>
    private let matcher: AddedTokenMatcher

    /// Builds a tokenizer from its parts. Every special token must be in the vocabulary.
    /// `addedTokens` defaults to the five special tokens.
    public init(vocabulary: Vocabulary, normalizer: BertNormalizer = BertNormalizer(), specialTokens: SpecialTokens = SpecialTokens(),
                continuingSubwordPrefix: String = "##", maxInputCharsPerWord: Int = 100, modelMaxLength: Int = 512,
                addedTokens: [AddedToken]? = nil, decoderCleanup: Bool = true) throws {
        func id(_ name: String, _ role: String) throws -> Int32 {
            guard let id = vocabulary.id(for: name) else {
                throw TokenizerError("\(role) token '\(name)' is not in the vocabulary")
            }
            return id
        }
        guard modelMaxLength > 0 else { throw TokenizerError("model_max_length must be positive, got \(modelMaxLength)") }
        guard maxInputCharsPerWord > 0 else { throw TokenizerError("max_input_chars_per_word must be positive, got \(maxInputCharsPerWord)") }
        self.vocabulary = vocabulary
        self.normalizer = normalizer
        self.specialTokens = specialTokens
        clsId = try id(specialTokens.cls, "classifier")
        sepId = try id(specialTokens.sep, "separator")
        padId = try id(specialTokens.pad, "padding")
        unkId = try id(specialTokens.unk, "unknown")
        maskId = try id(specialTokens.mask, "mask")
        wordPiece = try WordPiece(vocabulary: vocabulary, unknownToken: specialTokens.unk,
                                  continuingSubwordPrefix: continuingSubwordPrefix, maxInputCharsPerWord: maxInputCharsPerWord)
        self.modelMaxLength = modelMaxLength
        self.decoderCleanup = decoderCleanup
        let added = try addedTokens ?? specialTokens.all.map { AddedToken(content: $0, id: try id($0, "special")) }
        var table: [String: Int32] = [:]
        var specialIds: Set<Int32> = []
        for token in added {
            guard token.id >= 0, Int(token.id) < vocabulary.count else {
                throw TokenizerError("added token '\(token.content)' has id \(token.id) outside the vocabulary (size \(vocabulary.count))")
            }
            table[token.content] = token.id
            if token.special { specialIds.insert(token.id) }
        }
        self.addedTokens = table
        self.specialIds = specialIds
        matcher = AddedTokenMatcher(tokens: added.map { (content: $0.content, id: $0.id) })
    }

    // MARK: - Encoding

    /// Encodes one text, or a pair, like `tokenizer(text, pair, ...)` in transformers.
    /// Throws when the truncation strategy cannot meet `maxLength` (as the peer does).
    /// An empty `pair` is an empty second sequence ([CLS] A [SEP] [SEP]), as in the peer's
    /// batch encoding; transformers' single call `tokenizer(text, "")` instead drops "" as if
    /// no pair had been given; pass nil for that.
    public func encode(_ text: String, pair: String? = nil, options: EncodeOptions = EncodeOptions()) throws -> Encoding {
        var encoding = try encodeUnpadded(text, pair: pair, options: options)
        if options.padding == .maxLength {
            pad(&encoding, to: options.maxLength ?? modelMaxLength)
        }
        return encoding
    }

    /// Encodes many texts (or pairs: `pairs` as long as `texts`), in parallel for large
    /// batches, then pads them together (`.longest` pads to the longest of this batch).
    public func encodeBatch(_ texts: [String], pairs: [String]? = nil, options: EncodeOptions = EncodeOptions()) throws -> [Encoding] {
        if let pairs, pairs.count != texts.count {
            throw TokenizerError("batch has \(texts.count) texts but \(pairs.count) second texts")
        }
        var results = [Result<Encoding, TokenizerError>](repeating: .success(Encoding()), count: texts.count)
        let work: @Sendable (Int) -> Result<Encoding, TokenizerError> = { [self] i in
            do { return .success(try self.encodeUnpadded(texts[i], pair: pairs?[i], options: options)) } catch let e as TokenizerError {
                return .failure(TokenizerError("batch item \(i): \(e.message)"))
            } catch {
                return .failure(TokenizerError("batch item \(i): \(error)"))
            }
        }
        if texts.count >= 64 {
            results.withUnsafeMutableBufferPointer { buffer in
                let out = UncheckedSendableBuffer(buffer: buffer)
                DispatchQueue.concurrentPerform(iterations: texts.count) { i in out.buffer[i] = work(i) }
            }
        } else {
            for i in texts.indices { results[i] = work(i) }
        }
        var encodings = try results.map { try $0.get() }
        let target: Int?
        switch options.padding {
        case .doNotPad: target = nil
        case .longest: target = encodings.map(\.count).max()
        case .maxLength: target = options.maxLength ?? modelMaxLength
        }
        if let target {
            for i in encodings.indices { pad(&encodings[i], to: target) }
        }
        return encodings
    }

    /// The WordPiece tokens of a text, without special tokens (`tokenizer.tokenize(text)`).
    public func tokenize(_ text: String) -> [String] {
        let (ids, _) = sequence(text)
        return ids.map { vocabulary.tokens[Int($0)] }
    }

    /// Token texts for ids (unknown ids become the unknown token's text).
    public func tokens(for ids: [Int32]) -> [String] {
        ids.map { vocabulary.token(for: $0) ?? specialTokens.unk }
    }

    /// Truncation and special tokens, no padding.
    func encodeUnpadded(_ text: String, pair: String?, options: EncodeOptions) throws -> Encoding {
        var first = sequence(text)
        var second = pair.map { sequence($0) }
        if options.truncation != .doNotTruncate {
            let limit = options.maxLength ?? modelMaxLength
            let added = options.addSpecialTokens ? (second == nil ? 2 : 3) : 0
            // Like the peer: a limit below the number of added tokens disables truncation
            // (its unsigned subtraction wraps around).
            if limit >= added {
                let (n1, n2) = try truncatedLengths(first.ids.count, second?.ids.count, limit: limit - added, strategy: options.truncation)
                first.ids.removeSubrange(n1...)
                first.offsets.removeSubrange(n1...)
                if let n2 {
                    second!.ids.removeSubrange(n2...)
                    second!.offsets.removeSubrange(n2...)
                }
            }
        }
        var encoding = Encoding()
        let total = first.ids.count + (second?.ids.count ?? 0) + (options.addSpecialTokens ? 3 : 0)
        encoding.ids.reserveCapacity(total)
        if options.addSpecialTokens { encoding.append(id: clsId, typeId: 0, offset: .none, special: true) }
        for (id, offset) in zip(first.ids, first.offsets) { encoding.append(id: id, typeId: 0, offset: offset, special: false) }
        if options.addSpecialTokens { encoding.append(id: sepId, typeId: 0, offset: .none, special: true) }
        if let second {
            for (id, offset) in zip(second.ids, second.offsets) { encoding.append(id: id, typeId: 1, offset: offset, special: false) }
            if options.addSpecialTokens { encoding.append(id: sepId, typeId: 1, offset: .none, special: true) }
        }
        return encoding
    }

    /// Right-pads to `length` (no-op when already that long or longer).
    public func pad(_ encoding: inout Encoding, to length: Int) {
        while encoding.count < length {
            encoding.append(id: padId, typeId: 0, offset: .none, special: true, attended: false)
        }
    }

    /// One text through added-token matching, normalization, pre-tokenization and WordPiece.
    func sequence(_ text: String) -> (ids: [Int32], offsets: [TokenOffset]) {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int32] = []
        var offsets: [TokenOffset] = []
        ids.reserveCapacity(scalars.count / 4 + 4)
        offsets.reserveCapacity(scalars.count / 4 + 4)
        var normalized = NormalizedText()
        var ranges: [Range<Int>] = []
        for segment in matcher.split(scalars) {
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
        return (ids, offsets)
    }
}

/// Lets `concurrentPerform` workers write disjoint slots of one buffer.
private struct UncheckedSendableBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
}
