import Foundation

/// Masked language modelling over token windows, for `TrainingLoop`: each micro-batch is
/// padded to its longest window, masked afresh by `masker` (whole words, 80/10/10) and
/// trained on the masked tokens' cross-entropy. Masks and dropout both come from
/// (seed, update number, micro-batch), never from a generator carried across updates, so
/// a run resumed from saved state draws exactly the masks an uninterrupted run would.
///
/// The pooler (`model.unusedParameterNames`) gets no gradient from this loss: give those
/// names to the parameter group's `frozen` set, or weight decay alone would shrink them.
public final class MaskedLanguageModelObjective: TrainingObjective {
    public let model: MaskedLanguageModel
    public let examples: [EncodedExample]
    public let masker: WholeWordMasker
    public let dropout: Bool
    public let seed: UInt64
    public let padTokenId: Int32
    public let exampleLengths: [Int]
    /// The update in progress and how many of its micro-batches were masked so far.
    var update = 0, microBatch = 0

    /// Streams of `derivedSeed`: masking and dropout draw from different generators.
    static let maskStream: UInt64 = 0x4D41_534B, dropoutStream: UInt64 = 0xD209

    public init(model: MaskedLanguageModel, examples: [EncodedExample], masker: WholeWordMasker, dropout: Bool = true, seed: UInt64,
                padTokenId: Int32 = 0) {
        self.model = model; self.examples = examples; self.masker = masker; self.dropout = dropout
        self.seed = seed; self.padTokenId = padTokenId
        exampleLengths = examples.map(\.length)
    }

    public func prepareUpdate(_ update: Int) {
        self.update = update
        microBatch = 0
        model.rng = SeededGenerator(seed: derivedSeed(seed, stream: Self.dropoutStream, index: update))
    }

    public func accumulateGradients(examples indices: [Int], lossScale: Float) throws -> Float {
        // Updates rarely have more than 2^16 micro-batches: (update, micro-batch) -> one index.
        var rng = SeededGenerator(seed: derivedSeed(seed, stream: Self.maskStream, index: update << 16 | microBatch))
        microBatch += 1
        let (batch, labels) = try masker.mask(try BatchCollation.batch(indices.map { examples[$0] }, padTokenId: padTokenId), rng: &rng)
        return try model.lossAndBackward(batch, maskedLabels: labels, dropout: dropout, lossScale: lossScale)
    }
}
