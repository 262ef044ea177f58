/// SplitMix64 (Steele, Lea and Flood 2014): a tiny, fast, seedable generator, so every
/// seeded procedure (bootstrap resampling, synthetic graphs, weight initialization)
/// reproduces on every platform. One implementation for the whole package.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }

    /// In 0..<n (by modulo: fine for the small n used with it); 0 when n <= 1.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
}
