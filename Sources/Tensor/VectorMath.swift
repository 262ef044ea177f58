/// Vectorized transcendental functions on `SIMD8<Float>`, so the element-wise kernels
/// (GELU, softmax) run at vector speed instead of calling libm once per element.
public enum VectorMath {
    public typealias V = SIMD8<Float>

    /// `exp(x)` with relative error below 2e-7 on [-87, 88]; inputs below -87 give ~1e-38
    /// (treated as zero by callers), inputs above 88 saturate.
    @inline(__always)
    public static func exp(_ x: V) -> V {
        // Clamp with `replacing` (the generic pointwiseMin/Max were left as calls in profiles).
        var clamped = x.replacing(with: 88, where: x .> 88)
        clamped = clamped.replacing(with: -87, where: clamped .< -87)
        // Round x·log2(e) to the nearest integer n with the 1.5·2²³ trick: adding the magic
        // constant leaves n in the low mantissa bits (no generic float→int conversion, which
        // is slow for SIMD types).
        let magic: Float = 12_582_912
        let shifted = clamped * 1.442_695_040_888_963_4 + magic
        let n = shifted - magic
        // Cody–Waite reduction: r = x − n·ln2 in two parts keeps r exact to float precision.
        let r = clamped - n * 0.693_145_751_953_125 - n * 1.428_606_765_330_187e-6
        // Taylor polynomial to r^7 on |r| ≤ ln2/2.
        var p = V(repeating: 1.0 / 5040)
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((integer &+ 127) &<< 23, to: V.self)
        return p * scale
    }

    /// `1 − erf(x)` for x ≥ 0 by Abramowitz–Stegun 7.1.26 (absolute error ≤ 1.5e-7), written
    /// as `poly(t)·exp(−x²)` so that it keeps relative accuracy in the tail.
    @inline(__always)
    static func erfcNonNegative(_ x: V) -> V {
        let t = 1 / (1 + 0.327_591_1 * x)
        var p = V(repeating: 1.061_405_429)
        p = p * t - 1.453_152_027
        p = p * t + 1.421_413_741
        p = p * t - 0.284_496_736
        p = p * t + 0.254_829_592
        p = p * t
        return p * exp(-(x * x))
    }

    /// The standard normal CDF Φ(x) = ½(1 + erf(x/√2)).
    @inline(__always)
    public static func normalCDF(_ x: V) -> V {
        let z = abs(x) * 0.707_106_781_186_547_5
        let halfTail = 0.5 * erfcNonNegative(z)
        return halfTail.replacing(with: 1 - halfTail, where: x .>= 0)
    }

    @inline(__always)
    static func abs(_ x: V) -> V { x.replacing(with: -x, where: x .< 0) }

    /// Loads `count` ≤ 8 floats, padding with `fill`.
    @inline(__always)
    public static func loadPartial(_ p: UnsafePointer<Float>, _ count: Int, fill: Float = 0) -> V {
        var v = V(repeating: fill)
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    @inline(__always)
    public static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always)
    public static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    @inline(__always)
    public static func storePartial(_ v: V, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count { p[i] = v[i] }
    }
}
