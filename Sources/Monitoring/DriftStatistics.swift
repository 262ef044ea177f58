import Foundation

/// The two-sample statistics drift is judged by, defined as scipy and Evidently define them
/// so that `tools/check_drift_with_evidently.py` can hold each figure to theirs:
/// - `kolmogorovSmirnov`: scipy's `ks_2samp` (two-sided, exact p-value);
/// - `chiSquare`: Evidently's `chisquare` test (expected counts are the reference counts
///   scaled to the current sample's size; scipy's `chisquare` p-value);
/// - `populationStabilityIndex`: Evidently's `psi` (binning below).
/// Missing values are left out before any of them, as Evidently drops them.
public enum DriftStatistics {
    public struct KSResult: Sendable, Equatable {
        public var statistic: Double
        public var pValue: Double
    }

    public struct ChiSquareResult: Sendable, Equatable {
        public var statistic: Double
        public var degreesOfFreedom: Int
        public var pValue: Double
    }

    // MARK: Kolmogorov-Smirnov

    /// The two-sided two-sample Kolmogorov-Smirnov test. Both samples must be non-empty.
    /// The p-value is the exact probability of a statistic at least as large under the null
    /// (lattice-path counting, Hodges 1958, in the 1-p recursion of Viehmann 2021, which
    /// keeps small p-values accurate); scipy computes the same for samples of up to 10,000.
    public static func kolmogorovSmirnov(_ reference: [Double], _ current: [Double]) -> KSResult {
        precondition(!reference.isEmpty && !current.isEmpty, "KS needs two non-empty samples")
        let a = reference.sorted(), b = current.sorted()
        let n1 = a.count, n2 = b.count
        // The largest gap between the two empirical CDFs, evaluated after each distinct value.
        var i = 0, j = 0, d = 0.0
        while i < n1 || j < n2 {
            let x = i < n1 && j < n2 ? min(a[i], b[j]) : (i < n1 ? a[i] : b[j])
            while i < n1 && a[i] <= x { i += 1 }
            while j < n2 && b[j] <= x { j += 1 }
            d = max(d, abs(Double(i) / Double(n1) - Double(j) / Double(n2)))
        }
        let g = gcd(n1, n2)
        let lcm = (n1 / g) * n2
        // The statistic is a multiple of 1/lcm: snap it to the lattice before counting paths.
        let h = Int((d * Double(lcm)).rounded())
        let snapped = Double(h) / Double(lcm)
        guard h > 0 else { return KSResult(statistic: snapped, pValue: 1) }
        let p = n1 == n2 ? equalSizeTail(n: n1, h: h) : outsideProbability(n1, n2, g: g, h: h)
        return KSResult(statistic: snapped, pValue: min(max(p, 0), 1))
    }

    /// P(D >= h/n) for two samples of size n: 2 * sum_k (-1)^(k+1) C(2n, n-kh)/C(2n, n),
    /// summed in nested form so that no term cancels another.
    static func equalSizeTail(n: Int, h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var ratio = 1.0
            for j in 0..<h { ratio = Double(n - k * h - j) * ratio / Double(n + k * h + j + 1) }
            p = ratio * (1 - p)
            k -= 1
        }
        return 2 * p
    }

    /// The share of monotone lattice paths from (0,0) to (m,n) that touch or cross
    /// |x/m - y/n| >= h/lcm(m,n), i.e. the p-value. Each column keeps, for the cells inside
    /// the band, 1 minus the share of paths to the cell that stayed inside.
    static func outsideProbability(_ first: Int, _ second: Int, g: Int, h: Int) -> Double {
        let m = max(first, second), n = min(first, second)
        let mg = m / g, ng = n / g
        var low = 0
        var high = min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var width = high - low
        // One column of the lattice, indexed by y - low; cells past the band stay 1.
        var column = [Double](repeating: 1, count: n + 2)
        for k in low..<high { column[k] = 0 }
        for i in 1...m {
            let lastLow = low, lastWidth = width
            low = min(max(Int((Double(ng * i - h) / Double(mg)).rounded(.down)) + 1, 0), n)
            high = min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
            if high <= low { return 1 }
            var value = low == 0 ? 0.0 : 1.0
            for offset in 0..<(high - low) {
                let y = offset + low
                value = (column[offset + low - lastLow] * Double(i) + value * Double(y)) / Double(i + y)
                column[offset] = value
            }
            width = high - low
            if lastWidth > width { for k in width..<lastWidth { column[k] = 1 } }
        }
        return column[high - low - 1]
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    // MARK: Chi-square

    /// Pearson's chi-square of the current counts against the reference counts scaled to
    /// the current sample's size, over every category either sample holds. A category the
    /// reference never saw has an expected count of 0 and makes the statistic infinite
    /// (p = 0), as in Evidently. Degrees of freedom: categories - 1.
    public static func chiSquare(referenceCounts: [Int], currentCounts: [Int]) -> ChiSquareResult {
        precondition(referenceCounts.count == currentCounts.count)
        let refTotal = Double(referenceCounts.reduce(0, +)), curTotal = Double(currentCounts.reduce(0, +))
        let scale = refTotal > 0 ? curTotal / refTotal : 0
        var statistic = 0.0
        for (r, c) in zip(referenceCounts, currentCounts) {
            let expected = Double(r) * scale, observed = Double(c)
            if expected == 0 {
                if observed > 0 { statistic = .infinity }
                continue
            }
            statistic += (observed - expected) * (observed - expected) / expected
        }
        let df = referenceCounts.count - 1
        guard df > 0 else { return ChiSquareResult(statistic: statistic, degreesOfFreedom: df, pValue: 1) }
        let p = statistic.isInfinite ? 0 : SpecialFunctions.regularizedGammaQ(Double(df) / 2, statistic / 2)
        return ChiSquareResult(statistic: statistic, degreesOfFreedom: df, pValue: p)
    }

    // MARK: Population stability index

    /// Evidently's PSI: sum over bins of (ref% - cur%) * ln(ref% / cur%). A numeric column
    /// whose reference holds more than 20 distinct values is cut into numpy's "sturges" bins
    /// over both samples together (about log2 n + 1 equal-width bins, n the combined size);
    /// any other column has one bin per value. An empty bin gets a share of 0.0001 (or a
    /// millionth of the smallest share, when that is smaller) so the logarithm is defined.
    public static func populationStabilityIndex(reference: [Double], current: [Double], numeric: Bool) -> Double {
        let (ref, cur) = binnedShares(reference: reference, current: current, numeric: numeric)
        var psi = 0.0
        for (r, c) in zip(ref, cur) { psi += (r - c) * log(r / c) }
        return psi
    }

    static func binnedShares(reference: [Double], current: [Double], numeric: Bool) -> ([Double], [Double]) {
        var ref: [Double], cur: [Double]
        if numeric && Set(reference).count > 20 {
            let edges = sturgesEdges(reference + current)
            func shares(_ xs: [Double]) -> [Double] {
                var counts = [Double](repeating: 0, count: edges.count - 1)
                for x in xs { counts[bin(of: x, edges: edges)] += 1 }
                return counts.map { $0 / Double(xs.count) }
            }
            ref = shares(reference)
            cur = shares(current)
        } else {
            let keys = Array(Set(reference).union(current)).sorted()
            var refCounts: [Double: Double] = [:], curCounts: [Double: Double] = [:]
            for x in reference { refCounts[x, default: 0] += 1 }
            for x in current { curCounts[x, default: 0] += 1 }
            ref = keys.map { refCounts[$0, default: 0] / Double(reference.count) }
            cur = keys.map { curCounts[$0, default: 0] / Double(current.count) }
        }
        return (fillZeros(ref), fillZeros(cur))
    }

    /// numpy's `histogram_bin_edges(values, bins="sturges")` for floating-point values: bin
    /// width range / (log2 n + 1), as many equal bins as that width needs, edges as
    /// `linspace` makes them (i * step + low, the last exactly the high end).
    static func sturgesEdges(_ values: [Double]) -> [Double] {
        var low = values.min()!, high = values.max()!
        if low == high { low -= 0.5; high += 0.5 }
        let width = (values.max()! - values.min()!) / (log2(Double(values.count)) + 1)
        let bins = width > 0 ? Int(((high - low) / width).rounded(.up)) : 1
        let step = (high - low) / Double(bins)
        var edges = (0...bins).map { Double($0) * step + low }
        edges[bins] = high
        return edges
    }

    /// The bin numpy's `histogram` counts x in: edges[i] <= x < edges[i+1], the last bin
    /// closed on the right.
    static func bin(of x: Double, edges: [Double]) -> Int {
        // The number of edges <= x, minus one: a binary search for the first edge > x.
        var lo = 0, hi = edges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if edges[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        return min(max(lo - 1, 0), edges.count - 2)
    }

    static func fillZeros(_ shares: [Double]) -> [Double] {
        let positive = shares.filter { $0 > 0 }
        guard let smallest = positive.min() else { return shares }
        let fill = smallest <= 0.0001 ? smallest / 1_000_000 : 0.0001
        return shares.map { $0 == 0 ? fill : $0 }
    }
}
