import Tensor
import Transformer

extension FusedOutcomeModel {
    /// P(first party wins) of each of `cases` (one case's occlusion variants), running the
    /// encoder once per distinct encoder input and the head once over all of them.
    ///
    /// What is shared, exactly: a feature or seed occlusion changes only the head's input,
    /// so it reuses the pooled [CLS] of the case's own pass; two variants whose inputs look
    /// the same to the encoder (`EncodedCase.encoderView`, e.g. a K-BERT fact that got no
    /// branch) share a pass. A context-fact variant changes segment B or a branch, which every
    /// token attends to from the first layer on, so it needs its own pass through every
    /// layer; those passes run in batches of one length (no padding). With a run cache
    /// (inside `lexgraph train`) the frozen bottom layers come from it, as in
    /// `predictProbabilities`.
    func occlusionProbabilities(_ query: PredictionQuery, _ cases: [PreparedCase]) throws -> [Double] {
        var slotOf: [EncodedCase: Int] = [:]
        var distinct: [PreparedCase] = []
        let slots = cases.map { c -> Int in
            let view = c.encoded.encoderView
            if let slot = slotOf[view] { return slot }
            slotOf[view] = distinct.count
            distinct.append(c)
            return distinct.count - 1
        }

        var states: FrozenLayerCache?
        if let runCache, frozenLayerCount > 0 {
            states = try frozenStates(distinct.map { _ in query }, distinct, cache: runCache)
        }
        let h = encoder.config.hiddenSize
        var pooled = [Float](repeating: 0, count: distinct.count * h)
        let byLength = Dictionary(grouping: distinct.indices) { distinct[$0].encoded.length }.sorted { $0.key < $1.key }
        for (_, group) in byLength {
            for start in stride(from: 0, to: group.count, by: max(1, options.batchSize)) {
                let indices = Array(group[start..<min(start + max(1, options.batchSize), group.count)])
                let (batch, input) = try encoderInput(indices.map { distinct[$0] }, indices: indices, states: states)
                let out = try encoder.forward(batch, dropout: false, from: input, forBackward: false)
                for (row, slot) in indices.enumerated() {
                    for j in 0..<h { pooled[slot * h + j] = out.pooledOutput.data[row * h + j] }
                }
            }
        }

        var rows = [Float](repeating: 0, count: cases.count * h)
        for (i, slot) in slots.enumerated() {
            for j in 0..<h { rows[i * h + j] = pooled[slot * h + j] }
        }
        let z = try head.forward(pooled: Tensor(shape: [cases.count, h], values: rows), features: cases.flatMap(\.features),
                                 seeds: cases.flatMap(\.seeds))
        return z.map(sigmoid)
    }
}
