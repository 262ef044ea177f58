import Foundation

/// The three charts of a run report, built from plain numbers so any caller (a training
/// run, `lexgraph eval`) can draw them.
public enum StandardCharts {
    /// One epoch's point of a learning curve.
    public struct EpochPoint: Sendable {
        public var epoch: Int
        public var trainLoss: Double
        public var devLoss: Double?
        public var devAUC: Double?

        public init(epoch: Int, trainLoss: Double, devLoss: Double?, devAUC: Double?) {
            self.epoch = epoch; self.trainLoss = trainLoss; self.devLoss = devLoss; self.devAUC = devAUC
        }
    }

    /// Train loss, dev loss and dev ROC AUC by epoch, on one value axis.
    public static func learningCurve(title: String, epochs: [EpochPoint]) -> LineChart {
        var series = [ChartSeries(name: "train loss", points: epochs.map { (x: Double($0.epoch), y: $0.trainLoss) }, showsMarkers: true)]
        let devLoss: [(x: Double, y: Double)] = epochs.compactMap { e in e.devLoss.map { (x: Double(e.epoch), y: $0) } }
        if !devLoss.isEmpty { series.append(ChartSeries(name: "dev loss", points: devLoss, showsMarkers: true)) }
        let devAUC: [(x: Double, y: Double)] = epochs.compactMap { e in e.devAUC.map { (x: Double(e.epoch), y: $0) } }
        if !devAUC.isEmpty { series.append(ChartSeries(name: "dev ROC AUC", points: devAUC, showsMarkers: true, dashed: true)) }
        let last = Double(epochs.map(\.epoch).max() ?? 1)
        let xAxis = AxisTicks(from: 0, to: max(1, last), step: max(1, (max(1, last) / 10).rounded(.up)))
        return LineChart(title: title, xLabel: "epoch", yLabel: "loss / ROC AUC", series: series, xAxis: xAxis)
    }

    /// ROC curves of several models on the same cases, each named with its AUC, over the
    /// chance diagonal. Models whose labels hold one class are left out.
    public static func roc(title: String, models: [(name: String, labels: [Bool], scores: [Double])]) -> LineChart {
        let series = models.compactMap { m -> ChartSeries? in
            guard let curve = ROCCurve(labels: m.labels, scores: m.scores) else { return nil }
            return ChartSeries(name: "\(m.name) (AUC \(String(format: "%.3f", curve.area)))",
                               points: Array(zip(curve.falsePositiveRates, curve.truePositiveRates)).map { (x: $0.0, y: $0.1) })
        }
        let unit = AxisTicks(from: 0, to: 1, step: 0.2)
        return LineChart(title: title, xLabel: "false positive rate", yLabel: "true positive rate", series: series,
                         xAxis: unit, yAxis: unit, diagonal: "chance", legendPosition: .bottomRight)
    }

    /// Reliability diagram: per model, the fraction of first-party wins against the mean
    /// predicted probability in 10 equal-width bins, over the perfect-calibration
    /// diagonal. The first model's points carry their bin counts ("n=12").
    public static func calibration(title: String, models: [(name: String, labels: [Bool], probabilities: [Double])]) -> LineChart {
        let series = models.enumerated().map { k, m -> ChartSeries in
            let curve = CalibrationCurve(labels: m.labels, probabilities: m.probabilities)
            return ChartSeries(name: "\(m.name) (ECE \(String(format: "%.3f", curve.expectedCalibrationError)))",
                               points: curve.bins.map { (x: $0.meanPredicted, y: $0.fractionPositive) }, showsMarkers: true,
                               pointLabels: k == 0 ? curve.bins.map { "n=\($0.count)" } : [])
        }
        let unit = AxisTicks(from: 0, to: 1, step: 0.2)
        return LineChart(title: title, xLabel: "mean predicted probability (10 equal-width bins)",
                         yLabel: "fraction of first-party wins", series: series, xAxis: unit, yAxis: unit,
                         diagonal: "perfectly calibrated", legendPosition: .topLeft)
    }
}
