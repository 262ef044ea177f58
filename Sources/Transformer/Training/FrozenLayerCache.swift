import Tensor

/// Partial fine-tuning's cache: the output of the frozen embeddings and bottom `layer`
/// encoder layers for every example, computed once (evaluation mode, no dropout) and kept
/// as fp32 rows of each example's own length in one block. Training then runs only the
/// layers from `layer` up, starting from `layerInput(for:)`; with every layer frozen
/// (`layer` = depth) only the head trains (and the pooler under it, pooling [CLS]).
public final class FrozenLayerCache {
    public let layer: Int
    let hiddenSize: Int
    let storage: FloatStorage
    let offsets: [Int]
    let lengths: [Int]

    public convenience init(model: BertModel, examples: [EncodedExample], layer: Int, batchSize: Int = 32, padTokenId: Int32 = 0) throws {
        try self.init(model: model, lengths: examples.map(\.length), layer: layer, batchSize: batchSize) { indices in
            try BatchCollation.batch(indices.map { examples[$0] }, padTokenId: padTokenId)
        }
    }

    /// The same for inputs of any kind: `lengths` per example and `makeBatch`, which pads the
    /// examples at the given indices into one batch (with position ids or an attention bias
    /// where the inputs have them, as K-BERT inputs do). `progress` gets (examples done, total).
    public init(model: BertModel, lengths: [Int], layer: Int, batchSize: Int = 32, progress: ((Int, Int) -> Void)? = nil,
                makeBatch: ([Int]) throws -> BertBatch) throws {
        guard (1...model.config.numHiddenLayers).contains(layer) else {
            throw TransformerError("can freeze 1...\(model.config.numHiddenLayers) layers of this model and cache their outputs, not \(layer)")
        }
        let h = model.config.hiddenSize
        self.layer = layer
        hiddenSize = h
        self.lengths = lengths
        var offsets: [Int] = [], total = 0
        for n in lengths { offsets.append(total); total += n * h }
        self.offsets = offsets
        storage = FloatStorage(count: total)
        var done = 0
        for indices in LengthBucketing.sortedBatches(lengths: lengths, batchSize: batchSize) {
            let states = try model.hiddenStates(try makeBatch(indices), belowLayer: layer)
            let t = states.shape[1]
            for (row, e) in indices.enumerated() {
                (storage.base + offsets[e]).update(from: states.data + row * t * h, count: lengths[e] * h)
            }
            done += indices.count
            progress?(done, lengths.count)
        }
    }

    /// Floats held (memory = 4 bytes each).
    public var floatCount: Int { storage.count }

    /// The cached states of examples `indices` as one `[B, T, H]` input to layer `layer`,
    /// right-padded with zeros to `sequenceLength` (padded keys are masked, so their values
    /// never reach a real token).
    public func layerInput(for indices: [Int], sequenceLength t: Int) -> LayerInput {
        let h = hiddenSize
        let out = Tensor(shape: [indices.count, t, h])
        for (row, e) in indices.enumerated() {
            (out.data + row * t * h).update(from: storage.base + offsets[e], count: min(lengths[e], t) * h)
        }
        return LayerInput(layer: layer, hiddenStates: out)
    }
}
