import Foundation

/// "Nice" axis ticks: steps of 1, 2 or 5 times a power of ten, about `target` of them,
/// covering the data range (the axis is widened to the outer ticks).
public struct AxisTicks: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var step: Double
    public var values: [Double]

    public init(covering low: Double, _ high: Double, target: Int = 5) {
        var lo = low.isFinite ? low : 0, hi = high.isFinite ? high : 1
        if lo > hi { swap(&lo, &hi) }
        if hi - lo < 1e-12 {  // one value: a unit-wide window around it
            let pad = abs(lo) > 0 ? abs(lo) * 0.1 : 0.5
            lo -= pad; hi += pad
        }
        let raw = (hi - lo) / Double(max(1, target))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let fraction = raw / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        let step = nice * magnitude
        let lower = (lo / step).rounded(.down) * step, upper = (hi / step).rounded(.up) * step
        let count = Int(((upper - lower) / step).rounded())
        self.step = step
        self.lower = lower
        self.upper = upper
        values = (0...count).map { lower + Double($0) * step }
    }

    /// Fixed ticks over a fixed range (probabilities: 0, 0.2, ..., 1).
    public init(from lower: Double, to upper: Double, step: Double) {
        self.lower = lower
        self.upper = upper
        self.step = step
        let count = Int(((upper - lower) / step).rounded())
        values = (0...max(0, count)).map { lower + Double($0) * step }
    }
}
