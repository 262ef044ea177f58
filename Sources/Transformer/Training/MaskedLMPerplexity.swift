import Foundation

/// Held-out perplexity of a masked language model: exp of the mean cross-entropy over
/// every masked token of the set (not a mean of per-batch means).
public struct MaskedLMPerplexity: Sendable, Equatable, Codable {
    /// Mean loss per masked token (nats).
    public let loss: Double
    public let maskedTokens: Int
    public var perplexity: Double { exp(loss) }
}

extension MaskedLanguageModel {
    /// Perplexity over `examples` under fixed masks: batches of examples sorted by length,
    /// batch k masked with a generator seeded `derivedSeed(seed, stream: 0x4D4C4D, index: k)`,
    /// so every evaluation of the same examples with the same seed masks the same tokens
    /// and perplexities before and after training compare like for like. No dropout.
    public func perplexity(_ examples: [EncodedExample], masker: WholeWordMasker, seed: UInt64, batchSize: Int = 32,
                           padTokenId: Int32 = 0) throws -> MaskedLMPerplexity {
        var sum = 0.0, tokens = 0
        for (k, batch) in LengthBucketing.sortedBatches(lengths: examples.map(\.length), batchSize: batchSize).enumerated() {
            var rng = SeededGenerator(seed: derivedSeed(seed, stream: 0x4D4C4D, index: k))
            let (masked, labels) = try masker.mask(try BatchCollation.batch(batch.map { examples[$0] }, padTokenId: padTokenId), rng: &rng)
            let e = try evaluate(masked, maskedLabels: labels)
            sum += e.sum
            tokens += e.maskedTokens
        }
        guard tokens > 0 else { throw TransformerError("no token of the \(examples.count) examples was masked: perplexity is undefined") }
        return MaskedLMPerplexity(loss: sum / Double(tokens), maskedTokens: tokens)
    }
}
