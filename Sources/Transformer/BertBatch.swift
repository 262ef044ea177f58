/// One batch of encoder inputs, row-major `[batchSize, sequenceLength]`. Token ids come
/// from any tokenizer; this type only checks shapes here and ranges against a config
/// when the model runs.
public struct BertBatch: Sendable {
    public let batchSize: Int
    public let sequenceLength: Int
    public let inputIds: [Int32]
    /// Segment ids (0/1 for sentence pairs); all zeros when not given.
    public let tokenTypeIds: [Int32]
    /// 1 for real tokens, 0 for padding: padded keys receive no attention.
    public let attentionMask: [Float]
    /// Optional additive attention bias `[batchSize, T (query), T (key)]`, added to the
    /// scaled scores before softmax (e.g. a K-BERT visibility matrix: 0 visible, −10000 hidden).
    public let attentionBias: [Float]?
    /// Optional position ids `[batchSize, T]` into the position-embedding table (K-BERT soft
    /// positions: an injected branch continues from its anchor's position); nil means
    /// 0..<T in every row.
    public let positionIds: [Int32]?
    /// Longformer's `global_attention_mask` `[batchSize, T]`: 1 where a token attends to and
    /// is attended by every token; nil means the first token of each row, as HF
    /// `LongformerForSequenceClassification` sets it.
    public let globalAttentionMask: [Int32]?

    public init(batchSize: Int, sequenceLength: Int, inputIds: [Int32], tokenTypeIds: [Int32]? = nil,
                attentionMask: [Float]? = nil, attentionBias: [Float]? = nil, positionIds: [Int32]? = nil,
                globalAttentionMask: [Int32]? = nil) throws {
        let n = batchSize * sequenceLength
        guard batchSize > 0, sequenceLength > 0 else {
            throw TransformerError("batch shape \(batchSize)x\(sequenceLength) must be positive")
        }
        guard inputIds.count == n else { throw TransformerError("input_ids has \(inputIds.count) values, batch shape \(batchSize)x\(sequenceLength) needs \(n)") }
        if let t = tokenTypeIds, t.count != n { throw TransformerError("token_type_ids has \(t.count) values, batch shape \(batchSize)x\(sequenceLength) needs \(n)") }
        if let m = attentionMask, m.count != n { throw TransformerError("attention_mask has \(m.count) values, batch shape \(batchSize)x\(sequenceLength) needs \(n)") }
        if let b = attentionBias, b.count != n * sequenceLength {
            throw TransformerError("attention bias has \(b.count) values, shape [\(batchSize), \(sequenceLength), \(sequenceLength)] needs \(n * sequenceLength)")
        }
        if let p = positionIds, p.count != n { throw TransformerError("position_ids has \(p.count) values, batch shape \(batchSize)x\(sequenceLength) needs \(n)") }
        if let g = globalAttentionMask {
            guard g.count == n else { throw TransformerError("global_attention_mask has \(g.count) values, batch shape \(batchSize)x\(sequenceLength) needs \(n)") }
            if let i = g.firstIndex(where: { $0 != 0 && $0 != 1 }) {
                throw TransformerError("global_attention_mask[\(i / sequenceLength)][\(i % sequenceLength)] = \(g[i]) is not 0 or 1")
            }
        }
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        self.inputIds = inputIds
        self.tokenTypeIds = tokenTypeIds ?? [Int32](repeating: 0, count: n)
        self.attentionMask = attentionMask ?? [Float](repeating: 1, count: n)
        self.attentionBias = attentionBias
        self.positionIds = positionIds
        self.globalAttentionMask = globalAttentionMask
    }

    /// Pads ragged sequences to the longest with `padTokenId` and builds the mask.
    public init(sequences: [[Int32]], tokenTypes: [[Int32]]? = nil, padTokenId: Int32 = 0) throws {
        guard let longest = sequences.map(\.count).max(), longest > 0 else { throw TransformerError("empty batch") }
        var ids: [Int32] = [], types: [Int32] = [], mask: [Float] = []
        for (b, seq) in sequences.enumerated() {
            let pad = longest - seq.count
            ids += seq + [Int32](repeating: padTokenId, count: pad)
            let t = tokenTypes?[b] ?? [Int32](repeating: 0, count: seq.count)
            guard t.count == seq.count else { throw TransformerError("sequence \(b): \(seq.count) tokens but \(t.count) token types") }
            types += t + [Int32](repeating: 0, count: pad)
            mask += [Float](repeating: 1, count: seq.count) + [Float](repeating: 0, count: pad)
        }
        try self.init(batchSize: sequences.count, sequenceLength: longest, inputIds: ids, tokenTypeIds: types, attentionMask: mask)
    }

    /// Rows `range` of this batch as a new batch (gradient accumulation over micro-batches).
    public func slice(_ range: Range<Int>) throws -> BertBatch {
        let t = sequenceLength
        let r = range.lowerBound * t ..< range.upperBound * t
        return try BertBatch(batchSize: range.count, sequenceLength: t, inputIds: Array(inputIds[r]), tokenTypeIds: Array(tokenTypeIds[r]),
                             attentionMask: Array(attentionMask[r]),
                             attentionBias: attentionBias.map { Array($0[range.lowerBound * t * t ..< range.upperBound * t * t]) },
                             positionIds: positionIds.map { Array($0[r]) }, globalAttentionMask: globalAttentionMask.map { Array($0[r]) })
    }

    /// The position id of flattened row `row` (explicit ids, else its index in the sequence).
    @inline(__always) func positionId(ofRow row: Int) -> Int {
        if let positionIds { return Int(positionIds[row]) }
        return row % sequenceLength
    }

    /// RoBERTa's position ids when the batch gives none (HF `create_position_ids_from_input_ids`):
    /// a padding token sits at `pad_token_id`, the k-th real token (k from 1) at
    /// `pad_token_id + k`. Nil for the other architectures (positions 0..<T).
    func offsetPositionIds(_ config: BertConfig) -> [Int]? {
        guard config.architecture.offsetsPositions, positionIds == nil else { return nil }
        let pad = config.padTokenId, t = sequenceLength
        var out = [Int](repeating: pad, count: inputIds.count)
        for i in 0..<batchSize {
            var count = 0
            for j in 0..<t where Int(inputIds[i * t + j]) != pad {
                count += 1
                out[i * t + j] = pad + count
            }
        }
        return out
    }

    /// Longformer's global tokens of each row: those `globalAttentionMask` marks (the first
    /// token when it is nil), less padding, which HF's merged mask drops too. Empty rows for
    /// the other architectures.
    func globalRows(_ config: BertConfig) -> [[Int]] {
        guard config.architecture.isLongformer else { return Array(repeating: [], count: batchSize) }
        let t = sequenceLength
        return (0..<batchSize).map { i in
            (0..<t).filter { j in (globalAttentionMask.map { $0[i * t + j] != 0 } ?? (j == 0)) && attentionMask[i * t + j] != 0 }
        }
    }

    /// Checks ids against the model's vocabulary, type vocabulary and position table.
    func validate(against config: BertConfig) throws {
        if globalAttentionMask != nil && !config.architecture.isLongformer {
            throw TransformerError("global_attention_mask is a Longformer input; this model is \(config.architecture.rawValue)")
        }
        // Longformer's attention is linear in the length; a [T, T] bias would not be.
        if attentionBias != nil && config.architecture.isLongformer {
            throw TransformerError("an attention bias [B, T, T] is not supported by Longformer's sliding-window attention")
        }
        // With explicit (soft) positions the physical length may exceed the table; the ids may not.
        // RoBERTa's positions start past pad_token_id.
        let offset = config.architecture.offsetsPositions && positionIds == nil ? config.padTokenId + 1 : 0
        guard positionIds != nil || sequenceLength + offset <= config.maxPositionEmbeddings else {
            throw TransformerError("sequence length \(sequenceLength) exceeds \(offset == 0 ? "" : "the \(config.maxPositionEmbeddings - offset) positions past pad_token_id in ")"
                                   + "max_position_embeddings \(config.maxPositionEmbeddings)")
        }
        for (i, id) in inputIds.enumerated() where id < 0 || Int(id) >= config.vocabSize {
            throw TransformerError("input_ids[\(i / sequenceLength)][\(i % sequenceLength)] = \(id) is outside the vocabulary 0..<\(config.vocabSize)")
        }
        // DistilBERT has no token types: the ids a pair tokenizer gives are ignored, as HF's tokenizer drops them.
        for (i, id) in tokenTypeIds.enumerated() where config.architecture.hasTokenTypes && (id < 0 || Int(id) >= config.typeVocabSize) {
            throw TransformerError("token_type_ids[\(i / sequenceLength)][\(i % sequenceLength)] = \(id) is outside 0..<\(config.typeVocabSize)")
        }
        for (i, id) in (positionIds ?? []).enumerated() where id < 0 || Int(id) >= config.maxPositionEmbeddings {
            throw TransformerError("position_ids[\(i / sequenceLength)][\(i % sequenceLength)] = \(id) is outside max_position_embeddings 0..<\(config.maxPositionEmbeddings)")
        }
    }
}
