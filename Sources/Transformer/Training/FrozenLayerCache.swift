import Foundation
import Tensor

/// Partial fine-tuning's cache: the output of the frozen embeddings and bottom `layer`
/// encoder layers for every example, computed once (evaluation mode, no dropout) and kept
/// as fp32 rows `[length, H]` per example. Training then runs only the layers from `layer`
/// up, starting from `layerInput(for:)`; with every layer frozen (`layer` = depth) only the
/// head trains (and the pooler under it, pooling [CLS]).
public final class FrozenLayerCache {
    public let layer: Int
    public let hiddenSize: Int
    /// Each example's rows, in example order (an array each, so subsets and longer-lived
    /// caches share them without copying).
    let rows: [[Float]]

    public convenience init(model: BertModel, examples: [EncodedExample], layer: Int, batchSize: Int = 32, padTokenId: Int32 = 0) throws {
        try self.init(model: model, lengths: examples.map(\.length), layer: layer, batchSize: batchSize) { indices in
            try BatchCollation.batch(indices.map { examples[$0] }, padTokenId: padTokenId)
        }
    }

    /// The same for inputs of any kind: `lengths` per example and `makeBatch`, which pads the
    /// examples at the given indices into one batch (with position ids or an attention bias
    /// where the inputs have them, as K-BERT inputs do). `progress` gets (examples done, total).
    public convenience init(model: BertModel, lengths: [Int], layer: Int, batchSize: Int = 32, progress: ((Int, Int) -> Void)? = nil,
                            makeBatch: ([Int]) throws -> BertBatch) throws {
        try Self.checkLayer(layer, of: model)
        let h = model.config.hiddenSize
        var rows = [[Float]](repeating: [], count: lengths.count)
        var done = 0
        for indices in LengthBucketing.sortedBatches(lengths: lengths, batchSize: batchSize) {
            let states = try model.hiddenStates(try makeBatch(indices), belowLayer: layer)
            let t = states.shape[1]
            for (row, e) in indices.enumerated() {
                rows[e] = Array(UnsafeBufferPointer(start: states.data + row * t * h, count: lengths[e] * h))
            }
            done += indices.count
            progress?(done, lengths.count)
        }
        self.init(layer: layer, hiddenSize: h, rows: rows)
    }

    /// A cache over rows computed elsewhere (`[length, H]` each, row-major).
    public init(layer: Int, hiddenSize: Int, rows: [[Float]]) {
        self.layer = layer; self.hiddenSize = hiddenSize; self.rows = rows
    }

    static func checkLayer(_ layer: Int, of model: BertModel) throws {
        guard (1...model.config.numHiddenLayers).contains(layer) else {
            throw TransformerError("can freeze 1...\(model.config.numHiddenLayers) layers of this model and cache their outputs, not \(layer)")
        }
    }

    /// Examples held.
    public var count: Int { rows.count }

    /// Floats held (memory = 4 bytes each).
    public var floatCount: Int { rows.reduce(0) { $0 + $1.count } }

    /// The examples at `range`, as a cache of their own (sharing the rows).
    public func subset(_ range: Range<Int>) -> FrozenLayerCache {
        FrozenLayerCache(layer: layer, hiddenSize: hiddenSize, rows: Array(rows[range]))
    }

    /// The cached states of examples `indices` as one `[B, T, H]` input to layer `layer`,
    /// right-padded with zeros to `sequenceLength` (padded keys are masked, so their values
    /// never reach a real token).
    public func layerInput(for indices: [Int], sequenceLength t: Int) -> LayerInput {
        let h = hiddenSize
        let out = Tensor(shape: [indices.count, t, h])
        for (row, e) in indices.enumerated() {
            rows[e].withUnsafeBufferPointer { src in
                guard let base = src.baseAddress else { return }
                (out.data + row * t * h).update(from: base, count: min(src.count, t * h))
            }
        }
        return LayerInput(layer: layer, hiddenStates: out)
    }
}

/// Frozen-layer caches kept across runs that start from the same base model: a run
/// freezing k layers over the same examples (same tokens, same batching) finds the
/// cache an earlier run computed instead of running the bottom k layers again. Frozen
/// layers never train, so a resumed run's own weights give the same states. The owner
/// must share it only among runs of one base model (a hyperparameter study does).
public final class FrozenLayerCaches {
    struct Key: Hashable {
        var layer: Int, batchSize: Int, padTokenId: Int32
        var ids: [[Int32]], typeIds: [[Int32]]
    }
    private var caches: [Key: (cache: FrozenLayerCache, seconds: Double)] = [:]
    /// Caches computed, and requests answered from one computed before.
    public private(set) var computed = 0, reused = 0
    /// Seconds spent computing caches, and the seconds the reuses did not spend (each
    /// reuse: what computing that cache took).
    public private(set) var seconds = 0.0, savedSeconds = 0.0

    public init() {}

    /// The cache of `examples` below `layer`, computed with `model` on first request.
    public func cache(model: BertModel, examples: [EncodedExample], layer: Int, batchSize: Int, padTokenId: Int32) throws -> FrozenLayerCache {
        let key = Key(layer: layer, batchSize: batchSize, padTokenId: padTokenId, ids: examples.map(\.ids), typeIds: examples.map(\.typeIds))
        if let hit = caches[key] {
            reused += 1; savedSeconds += hit.seconds
            return hit.cache
        }
        let start = Date()
        let made = try FrozenLayerCache(model: model, examples: examples, layer: layer, batchSize: batchSize, padTokenId: padTokenId)
        let took = Date().timeIntervalSince(start)
        seconds += took; computed += 1
        caches[key] = (made, took)
        return made
    }
}
