import LexgraphCore

/// xoshiro256** seeded through SplitMix64: a small, fast, reproducible generator for
/// dropout masks and weight initialization (same seed, same masks, on every platform).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s = (seeder.next(), seeder.next(), seeder.next(), seeder.next())
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 random bits.
    @inline(__always)
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Standard normal by Box–Muller.
    public mutating func nextNormal() -> Float {
        let u1 = max(Double(next() >> 11) * 0x1p-53, 1e-300)
        let u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
    }
}

/// Inverted dropout: masks hold 0 (dropped, probability p) or 1/(1−p) (kept).
public enum Dropout {
    public static func fillMask(_ mask: UnsafeMutablePointer<Float>, count: Int, p: Float, rng: inout SeededGenerator) {
        let keep = 1 / (1 - p)
        for i in 0..<count { mask[i] = rng.nextUnitFloat() < p ? 0 : keep }
    }

    /// The same draws as `fillMask`, stored as keep flags (0 dropped, 1 kept) that the
    /// kernels scale by 1/(1−p): a quarter of the memory of a float mask.
    public static func fillKeepMask(_ mask: UnsafeMutablePointer<UInt8>, count: Int, p: Float, rng: inout SeededGenerator) {
        for i in 0..<count { mask[i] = rng.nextUnitFloat() < p ? 0 : 1 }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
