import Foundation

/// The incomplete gamma function the chi-square p-value needs (Foundation has lgamma only).
public enum SpecialFunctions {
    /// Q(a, x) = Γ(a, x) / Γ(a), the upper regularized incomplete gamma function; the
    /// chi-square survival function with k degrees of freedom is Q(k/2, x/2). A power series
    /// below x < a + 1, a continued fraction (modified Lentz) above, each to double precision.
    public static func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
        precondition(a > 0)
        if x <= 0 { return 1 }
        if x.isInfinite { return 0 }
        let logPrefix = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            // P(a, x) by its series, then Q = 1 - P.
            var term = 1 / a, sum = term, ap = a
            for _ in 0..<10_000 {
                ap += 1
                term *= x / ap
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
            }
            return max(0, 1 - sum * exp(logPrefix))
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, f = d
        for i in 1...10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            f *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return min(1, exp(logPrefix) * f)
    }
}
