import Tensor
import Tokenizers

/// Sentence embeddings as sentence-transformers computes them for MiniLM: tokenize with
/// truncation, run the encoder, mask-aware mean over tokens, then (by default) L2
/// normalization. Texts are batched by length so padding stays small; results come back
/// in input order.
public struct SentenceEmbedder {
    public let model: BertModel
    public let tokenizer: BertTokenizer
    public var maxLength: Int
    public var normalize: Bool

    public init(model: BertModel, tokenizer: BertTokenizer, maxLength: Int = 256, normalize: Bool = true) {
        self.model = model; self.tokenizer = tokenizer; self.maxLength = maxLength; self.normalize = normalize
    }

    /// One `[hiddenSize]` vector per text.
    public func embed(_ texts: [String], batchSize: Int = 32) throws -> [[Float]] {
        let encodings = try tokenizer.encodeBatch(texts, options: .truncated(to: maxLength))
        var out = [[Float]](repeating: [], count: texts.count)
        for indices in LengthBucketing.sortedBatches(lengths: encodings.map(\.count), batchSize: batchSize) {
            let batch = try BertBatch(sequences: indices.map { encodings[$0].ids }, tokenTypes: indices.map { encodings[$0].typeIds },
                                      padTokenId: tokenizer.padId)
            let hidden = try model.forward(batch).lastHiddenState
            var pooled = SentenceEmbedding.meanPooled(hidden, attentionMask: batch.attentionMask)
            if normalize { pooled = SentenceEmbedding.l2Normalized(pooled) }
            let h = pooled.shape[1]
            for (row, i) in indices.enumerated() { out[i] = Array(UnsafeBufferPointer(start: pooled.data + row * h, count: h)) }
        }
        return out
    }
}
