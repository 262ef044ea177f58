import Tokenizers

/// What masking needs to know of a WordPiece vocabulary: its size, the [MASK] id, which
/// ids are special (never masked, never drawn as a random replacement) and which are
/// `##` continuations of the word before them.
public struct MaskingVocabulary: Sendable {
    public let size: Int
    public let maskId: Int32
    public let specialIds: Set<Int32>
    /// By id: whether the token is a WordPiece continuation (`##…`).
    public let isContinuation: [Bool]
    /// The ids a random replacement is drawn from: every non-special one.
    let replacementIds: [Int32]

    /// `special` are the tokens never masked: [PAD], [CLS], [SEP] (HF's special-tokens
    /// mask), [MASK] itself and [UNK] (an unknown-token label teaches nothing).
    public init(_ vocabulary: Vocabulary, maskToken: String = "[MASK]",
                special: [String] = ["[PAD]", "[CLS]", "[SEP]", "[MASK]", "[UNK]"]) throws {
        guard let mask = vocabulary.id(for: maskToken) else {
            throw TransformerError("the vocabulary has no mask token \"\(maskToken)\"")
        }
        size = vocabulary.count
        maskId = mask
        let specials = Set(special.compactMap { vocabulary.id(for: $0) })
        specialIds = specials
        isContinuation = vocabulary.tokens.map { $0.hasPrefix("##") && $0.count > 2 }
        replacementIds = (0..<Int32(vocabulary.count)).filter { !specials.contains($0) }
        guard !replacementIds.isEmpty else { throw TransformerError("the vocabulary has no ordinary token to draw random replacements from") }
    }
}

/// BERT's masked-language-modelling corruption with whole-word masking: each word (a
/// token and the `##` pieces after it) is chosen with probability `probability` (15%), so
/// 15% of the maskable tokens are chosen in expectation and a word's pieces always
/// together; each chosen token is then replaced by [MASK] (80%), by a random ordinary
/// token (10%) or kept (10%), per token as HF's collators decide. Special tokens and
/// padding are never chosen. Labels hold the original id at chosen tokens and
/// `Loss.ignoreIndex` (-100) elsewhere. Every draw comes from the caller's seeded
/// generator: the same seed gives the same masks.
public struct WholeWordMasker: Sendable {
    public let vocabulary: MaskingVocabulary
    public var probability: Float
    public var maskFraction: Float
    public var randomFraction: Float
    /// false: every token is its own word (token-level masking, as BERT's original recipe).
    public var wholeWords: Bool

    public init(vocabulary: MaskingVocabulary, probability: Float = 0.15, maskFraction: Float = 0.8, randomFraction: Float = 0.1,
                wholeWords: Bool = true) throws {
        guard probability > 0, probability <= 1 else { throw TransformerError("masking probability must be in (0, 1], got \(probability)") }
        guard maskFraction >= 0, randomFraction >= 0, maskFraction + randomFraction <= 1 else {
            throw TransformerError("mask fraction \(maskFraction) and random fraction \(randomFraction) must be >= 0 and sum to at most 1")
        }
        self.vocabulary = vocabulary
        self.probability = probability
        self.maskFraction = maskFraction
        self.randomFraction = randomFraction
        self.wholeWords = wholeWords
    }

    /// The word each token belongs to: the start index of its word, or nil for a token
    /// never masked (special, padding, or an id outside the vocabulary).
    public func wordStarts(_ ids: [Int32], attentionMask: [Float]? = nil) -> [Int?] {
        var starts = [Int?](repeating: nil, count: ids.count)
        var current: Int? = nil
        for (i, id) in ids.enumerated() {
            let real = (attentionMask?[i] ?? 1) != 0 && id >= 0 && Int(id) < vocabulary.size && !vocabulary.specialIds.contains(id)
            guard real else { current = nil; continue }
            if !(wholeWords && vocabulary.isContinuation[Int(id)] && current != nil) { current = i }
            starts[i] = current
        }
        return starts
    }

    /// One sequence masked: the corrupted ids and the labels.
    public func mask(_ ids: [Int32], attentionMask: [Float]? = nil, rng: inout SeededGenerator) -> (inputIds: [Int32], labels: [Int32]) {
        var input = ids
        var labels = [Int32](repeating: Int32(Loss.ignoreIndex), count: ids.count)
        let starts = wordStarts(ids, attentionMask: attentionMask)
        var chosen = false
        for i in ids.indices {
            guard let start = starts[i] else { continue }
            if start == i { chosen = rng.nextUnitFloat() < probability }  // one draw per word
            guard chosen else { continue }
            labels[i] = ids[i]
            let r = rng.nextUnitFloat()
            if r < maskFraction {
                input[i] = vocabulary.maskId
            } else if r < maskFraction + randomFraction {
                input[i] = vocabulary.replacementIds[Int(rng.next() % UInt64(vocabulary.replacementIds.count))]
            }
        }
        return (input, labels)
    }

    /// Every row of `batch` masked (padding never): the corrupted batch and its `[B, T]` labels.
    public func mask(_ batch: BertBatch, rng: inout SeededGenerator) throws -> (batch: BertBatch, labels: [Int32]) {
        let t = batch.sequenceLength
        var ids: [Int32] = [], labels: [Int32] = []
        ids.reserveCapacity(batch.inputIds.count)
        labels.reserveCapacity(batch.inputIds.count)
        for b in 0..<batch.batchSize {
            let r = b * t ..< (b + 1) * t
            let (row, rowLabels) = mask(Array(batch.inputIds[r]), attentionMask: Array(batch.attentionMask[r]), rng: &rng)
            ids += row
            labels += rowLabels
        }
        let masked = try BertBatch(batchSize: batch.batchSize, sequenceLength: t, inputIds: ids, tokenTypeIds: batch.tokenTypeIds,
                                   attentionMask: batch.attentionMask, attentionBias: batch.attentionBias, positionIds: batch.positionIds)
        return (masked, labels)
    }
}
