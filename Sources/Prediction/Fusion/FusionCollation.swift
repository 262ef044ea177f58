import Transformer

/// Pads encoded cases into one `BertBatch`: right padding with [PAD], explicit position
/// ids, and for cases with K-BERT branches an additive attention bias of −10000 on hidden
/// pairs (what a 0/1 visibility mask becomes; exp(−10000) is 0 in float32).
public enum FusionCollation {
    /// Bias on a hidden query/key pair.
    public static let hiddenBias: Float = -10000

    public static func batch(_ cases: [EncodedCase], padTokenId: Int32 = 0) throws -> BertBatch {
        guard let t = cases.map(\.length).max(), t > 0 else { throw PredictionError("cannot batch zero cases") }
        let b = cases.count
        var ids = [Int32](repeating: padTokenId, count: b * t), types = [Int32](repeating: 0, count: b * t)
        var pos = [Int32](repeating: 0, count: b * t), mask = [Float](repeating: 0, count: b * t)
        let needsBias = cases.contains { !$0.branches.isEmpty }
        var bias: [Float]? = needsBias ? [Float](repeating: 0, count: b * t * t) : nil
        for (row, c) in cases.enumerated() {
            let base = row * t
            for i in 0..<c.length {
                ids[base + i] = c.ids[i]; types[base + i] = c.typeIds[i]; pos[base + i] = c.positionIds[i]; mask[base + i] = 1
            }
            guard !c.branches.isEmpty else { continue }
            // Padded keys are already masked; padded query rows see everything (their outputs are unused).
            for q in 0..<c.length {
                for k in 0..<c.length where !c.isVisible(query: q, key: k) { bias![row * t * t + q * t + k] = hiddenBias }
            }
        }
        return try BertBatch(batchSize: b, sequenceLength: t, inputIds: ids, tokenTypeIds: types, attentionMask: mask,
                             attentionBias: bias, positionIds: pos)
    }
}
