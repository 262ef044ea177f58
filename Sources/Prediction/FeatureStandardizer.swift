/// Standardizes feature vectors with the TRAINING rows' mean and population standard
/// deviation, as scikit-learn's `StandardScaler`: a feature whose deviation is below 10
/// machine epsilons (a constant one) gets scale 1. Fit on training cases only and saved
/// with the model that uses it (the graph-feature logistic model, the fused model's head).
public struct FeatureStandardizer: Sendable, Codable, Equatable {
    public var means: [Double]
    public var deviations: [Double]

    public init(means: [Double], deviations: [Double]) { self.means = means; self.deviations = deviations }

    public init(training rows: [[Double]]) {
        let n = Double(max(rows.count, 1)), width = rows.first?.count ?? 0
        var mean = [Double](repeating: 0, count: width), variance = [Double](repeating: 0, count: width)
        for r in rows { for j in 0..<width { mean[j] += r[j] } }
        mean = mean.map { $0 / n }
        for r in rows { for j in 0..<width { variance[j] += (r[j] - mean[j]) * (r[j] - mean[j]) } }
        means = mean
        deviations = variance.map { v in
            let sd = (v / n).squareRoot()
            return sd < 10 * Double.ulpOfOne ? 1 : sd
        }
    }

    /// (x − mean) / deviation per feature; a row of another width is an error.
    public func standardize(_ row: [Double]) throws -> [Double] {
        guard row.count == means.count else { throw PredictionError("feature vector has \(row.count) values, the model was trained on \(means.count)") }
        return (0..<row.count).map { (row[$0] - means[$0]) / deviations[$0] }
    }

    /// `standardize` in single precision, for model inputs.
    public func apply(_ row: [Double]) throws -> [Float] { try standardize(row).map(Float.init) }
}
