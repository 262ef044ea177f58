import Foundation
import Tensor
import Transformer

/// The outputs of a fused model's frozen encoder layers per case, kept for a whole run so a
/// walk-forward evaluation (which refits the same model once per term) runs a case's
/// frozen layers once instead of once per fold.
///
/// Sharing is safe because nothing stored depends on the fold: a case's input (facts text
/// and graph context as of the case's own decision date) and the frozen pretrained weights
/// are the same in every fold. Entries are keyed by everything the output depends on (the
/// case, its token ids, types, positions and visibility, the layer, and a fingerprint of
/// the frozen weights), so a changed input or weight can never be served a stale entry.
/// What is fit per fold (seed vocabulary, feature standardization, trained weights) is
/// never stored here.
///
/// States are computed in batches of inputs of one length (no padding), so a case's rows
/// are the same whichever fold, and whichever other cases, it is computed with.
public final class FusedRunCache: @unchecked Sendable {
    struct Key: Hashable {
        let query: PredictionQuery
        let input: EncodedCase
        let layer: Int
        let weights: UInt64
    }

    private var rows: [Key: [Float]] = [:]
    private let lock = NSLock()
    /// Cases whose frozen states were computed, and requests served from the cache.
    public private(set) var computed = 0
    public private(set) var reused = 0

    public init() {}

    /// Cases held.
    public var count: Int { lock.withLock { rows.count } }

    /// The frozen states entering layer `layer` of `encoder` for each case (in order),
    /// computing the ones not held yet. At the last layer only the [CLS] row is kept: the
    /// pooler reads nothing else. `progress` gets (computed, to compute).
    func states(_ cases: [(query: PredictionQuery, input: EncodedCase)], encoder: BertModel, layer: Int, batchSize: Int,
                padTokenId: Int32, progress: ((Int, Int) -> Void)? = nil) throws -> FrozenLayerCache {
        let depth = encoder.config.numHiddenLayers
        guard (1...depth).contains(layer) else {
            throw PredictionError("frozen layers: can cache the input of layers 1...\(depth), not \(layer)")
        }
        let fingerprint = Self.fingerprint(encoder, belowLayer: layer)
        let keys = cases.map { Key(query: $0.query, input: $0.input, layer: layer, weights: fingerprint) }
        var missing: [Int] = []
        var seen = Set<Key>()
        lock.withLock {
            for (i, key) in keys.enumerated() where rows[key] == nil && seen.insert(key).inserted { missing.append(i) }
            reused += keys.count - missing.count
        }

        let h = encoder.config.hiddenSize
        let keptRows: (Int) -> Int = { layer == depth ? 1 : $0 }
        let byLength = Dictionary(grouping: missing) { cases[$0].input.length }.sorted { $0.key < $1.key }
        var done = 0
        for (length, group) in byLength {
            for start in stride(from: 0, to: group.count, by: batchSize) {
                let indices = Array(group[start..<min(start + batchSize, group.count)])
                let batch = try FusionCollation.batch(indices.map { cases[$0].input }, padTokenId: padTokenId)
                let states = try encoder.hiddenStates(batch, belowLayer: layer)
                let kept = keptRows(length)
                lock.withLock {
                    for (row, i) in indices.enumerated() {
                        rows[keys[i]] = Array(UnsafeBufferPointer(start: states.data + row * length * h, count: kept * h))
                    }
                    computed += indices.count
                }
                done += indices.count
                progress?(done, missing.count)
            }
        }
        let held = lock.withLock { keys.map { rows[$0]! } }
        return FrozenLayerCache(layer: layer, hiddenSize: h, rows: held)
    }

    /// FNV-1a over the bit patterns of the parameters below `layer` (embeddings and the
    /// frozen layers): which weights the cached states were computed with.
    static func fingerprint(_ encoder: BertModel, belowLayer layer: Int) -> UInt64 {
        let frozen = encoder.parameterNames(belowLayer: layer)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ word: UInt64) { hash = (hash ^ word) &* 0x0000_0100_0000_01b3 }
        mix(UInt64(layer))
        for p in encoder.parameters.parameters where frozen.contains(p.name) {
            mix(UInt64(p.value.count))
            let values = p.value.data
            for i in 0..<p.value.count { mix(UInt64(values[i].bitPattern)) }
        }
        return hash
    }
}
