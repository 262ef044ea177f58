import LexgraphCore
import Prediction

/// One arrived outcome as performance tracking needs it: which version predicted the
/// case, the probability it gave that the first party wins, and who did win.
public struct ArrivedOutcome: Sendable, Equatable {
    public var version: Int
    public var probability: Double
    public var firstPartyWon: Bool

    public init(version: Int, probability: Double, firstPartyWon: Bool) {
        self.version = version
        self.probability = probability
        self.firstPartyWon = firstPartyWon
    }
}

/// The scores of one window of a version's arrived outcomes (positions `first...last` in
/// arrival order, from 1), or of all of them (`isOverall`).
public struct PerformanceWindow: Sendable {
    public var version: Int
    public var first: Int
    public var last: Int
    public var isOverall: Bool
    public var firstPartyWonRate: Double
    /// `Metrics.all` of the window: accuracy, macro-F1, ROC AUC (absent with one class
    /// only), Brier, ECE.
    public var metrics: [Metric: Double]

    public var cases: Int { last - first + 1 }
}

/// Rolling scores of arrived outcomes per model version, with the metric definitions of
/// every evaluation (`Metrics`).
public enum OutcomePerformance {
    /// Per version (ascending), the windows of `window` consecutive outcomes ending at
    /// `step`, 2·`step`, ... and at the newest outcome (fewer than `window` outcomes: one
    /// window of all of them), then one overall row.
    public static func windows(_ outcomes: [ArrivedOutcome], window: Int, step: Int) throws -> [PerformanceWindow] {
        guard window >= 1, step >= 1 else { throw MonitoringError("the window and the step must be at least 1 (got \(window) and \(step))") }
        var rows: [PerformanceWindow] = []
        for version in Set(outcomes.map(\.version)).sorted() {
            let mine = outcomes.filter { $0.version == version }
            var ends = Array(stride(from: min(window, mine.count), through: mine.count, by: step))
            if ends.last != mine.count { ends.append(mine.count) }
            for end in ends {
                let start = max(0, end - window)
                rows.append(try scored(mine[start..<end], version: version, first: start + 1, overall: false))
            }
            rows.append(try scored(mine[...], version: version, first: 1, overall: true))
        }
        return rows
    }

    static func scored(_ slice: ArraySlice<ArrivedOutcome>, version: Int, first: Int, overall: Bool) throws -> PerformanceWindow {
        let labels = slice.map(\.firstPartyWon)
        return PerformanceWindow(version: version, first: first, last: first + slice.count - 1, isOverall: overall,
                                 firstPartyWonRate: Double(labels.filter { $0 }.count) / Double(labels.count),
                                 metrics: try Metrics.all(labels: labels, probabilities: slice.map(\.probability)))
    }

    /// The run's own test scores of its model, from its `evaluation.json` (`test`, the
    /// entry named `model`); empty when the run has none.
    public static func testScores(evaluation: Value, model: String) -> [Metric: Double] {
        guard case .map(let report) = evaluation, case .list(let entries)? = report["test"] else { return [:] }
        for case .map(let entry) in entries where entry["model"]?.stringValue == model {
            guard case .map(let metrics)? = entry["metrics"] else { return [:] }
            var out: [Metric: Double] = [:]
            for (key, value) in metrics {
                if let metric = Metric(rawValue: key), case .map(let v) = value, let x = v["value"]?.doubleValue { out[metric] = x }
            }
            return out
        }
        return [:]
    }
}
