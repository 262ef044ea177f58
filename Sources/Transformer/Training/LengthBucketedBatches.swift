/// The order of one training epoch: examples shuffled with the epoch's seed, cut into
/// chunks of `batchSize × bucketBatches`, each chunk sorted by length and cut into batches
/// (so a batch pads to lengths close to its own), then the batches shuffled. Every example
/// appears exactly once per epoch; the plan depends only on the lengths, the seed and the
/// epoch, which is what lets a resumed run continue mid-epoch.
public enum LengthBucketing {
    public static func plan(lengths: [Int], batchSize: Int, seed: UInt64, epoch: Int, bucketBatches: Int = 50) -> [[Int]] {
        let size = max(1, batchSize)
        var rng = SeededGenerator(seed: derivedSeed(seed, stream: 0xBA7C, index: epoch))
        var order = Array(lengths.indices)
        shuffle(&order, rng: &rng)
        var batches: [[Int]] = []
        let chunk = size * max(1, bucketBatches)
        for start in stride(from: 0, to: order.count, by: chunk) {
            let sorted = order[start..<min(start + chunk, order.count)].sorted { (lengths[$0], $0) < (lengths[$1], $1) }
            for b in stride(from: 0, to: sorted.count, by: size) { batches.append(Array(sorted[b..<min(b + size, sorted.count)])) }
        }
        shuffle(&batches, rng: &rng)
        return batches
    }

    /// Batches of examples sorted by length, in order (evaluation and caching: the least
    /// padding, no randomness).
    public static func sortedBatches(lengths: [Int], batchSize: Int) -> [[Int]] {
        let sorted = lengths.indices.sorted { (lengths[$0], $0) < (lengths[$1], $1) }
        return stride(from: 0, to: sorted.count, by: max(1, batchSize)).map { Array(sorted[$0..<min($0 + max(1, batchSize), sorted.count)]) }
    }

    /// Fisher–Yates with our own generator, so the order never depends on the standard
    /// library's shuffle algorithm.
    static func shuffle<T>(_ a: inout [T], rng: inout SeededGenerator) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            a.swapAt(i, j)
        }
    }
}

/// An independent seed for stream `stream`, item `index` of a run seeded with `seed`
/// (epoch shuffles, per-step dropout), so each can be recreated without replaying the others.
public func derivedSeed(_ seed: UInt64, stream: UInt64, index: Int) -> UInt64 {
    var g = SeededGenerator(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(truncatingIfNeeded: index) &* 0xBF58_476D_1CE4_E5B9))
    return g.next()
}
