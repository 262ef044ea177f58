import Foundation
import LexgraphCore
import Reports

extension EvaluationReport {
    /// A plain-text table: one row per model, each metric with its 95% interval.
    public var table: String {
        var out = "\(plan.name): \(testCases) test cases (petitioner won \(fmt(testPetitionerRate)))"
        if case .fixed = plan { out += ", \(trainCases) train, \(devCases) dev" } else { out += ", last fold trained on \(trainCases)" }
        out += "; \(unlabelledExcluded) unlabelled case(s) in the evaluated terms excluded; \(Self.thresholdText(thresholds, models: modelNames))\n"
        out += EvaluationReport.scoreTable(test)
        if !dev.isEmpty, let devRate = devPetitionerRate {
            out += "dev (\(devCases) cases, petitioner won \(fmt(devRate))):\n"
            out += EvaluationReport.scoreTable(dev)
        }
        return out
    }

    /// The models whose thresholds were not all `decisionThreshold`, with their range.
    public static func ownThresholds(_ thresholds: [String: ClosedRange<Double>]) -> [String: ClosedRange<Double>] {
        thresholds.filter { $0.value != decisionThreshold...decisionThreshold }
    }

    /// "threshold 0.5", then the models (in `models` order) that chose their own per fold:
    /// "threshold 0.5 (own: classical-blend 0.38-0.52)".
    public static func thresholdText(_ thresholds: [String: ClosedRange<Double>], models: [String]) -> String {
        let own = ownThresholds(thresholds)
        let named = models.compactMap { name in
            own[name].map { r in "\(name) " + (r.lowerBound == r.upperBound ? "\(r.lowerBound)" : "\(r.lowerBound)-\(r.upperBound)") }
        }
        return "threshold \(decisionThreshold)" + (named.isEmpty ? "" : " (own: " + named.joined(separator: ", ") + ")")
    }

    /// `ownThresholds` as JSON: model name to [lowest, highest].
    public static func ownThresholdsJSON(_ thresholds: [String: ClosedRange<Double>]) -> Value {
        .map(ownThresholds(thresholds).mapValues { .list([.float($0.lowerBound), .float($0.upperBound)]) })
    }

    /// The metrics of a score table, in column order, with their column titles.
    public static let columns: [(Metric, String)] = [(.accuracy, "accuracy"), (.macroF1, "macro-F1"), (.rocAUC, "ROC AUC"),
                                                     (.brier, "Brier"), (.ece, "ECE")]

    /// A plain-text score table: one row per model, each metric with its 95% interval.
    public static func scoreTable(_ scores: [ModelScores]) -> String {
        let metrics = columns
        let width = max(14, (scores.map(\.model.count).max() ?? 0) + 2)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        var out = pad("model", width) + metrics.map { pad($0.1, 22) }.joined() + "\n"
        for s in scores {
            out += pad(s.model, width)
            for (metric, _) in metrics { out += pad(cell(s, metric), 22) }
            out += "\n"
        }
        return out
    }

    /// The same table in Markdown (model, cases, then each metric with its interval).
    public static func markdown(_ scores: [ModelScores]) -> String {
        var table = MarkdownTable(header: ["model", "cases"] + columns.map(\.1),
                                  alignments: [.left, .right] + columns.map { _ in .right })
        for s in scores { table.append([s.model, String(s.cases)] + columns.map { cell(s, $0.0) }) }
        return table.text
    }

    /// "0.667 [0.612, 0.719]", or "n/a" for an undefined metric.
    static func cell(_ s: ModelScores, _ metric: Metric) -> String {
        var cell = s.metrics[metric].map { fmt($0) } ?? "n/a"
        if let ci = s.intervals[metric] { cell += " [\(fmt(ci.lowerBound)), \(fmt(ci.upperBound))]" }
        return cell
    }

    /// Scores as a JSON list: model, cases, and each metric's value with its `ci95` pair.
    public static func scoresJSON(_ list: [ModelScores]) -> Value {
        .list(list.map { s in
            var metrics: [String: Value] = [:]
            for m in Metric.allCases {
                guard let v = s.metrics[m] else { continue }
                var entry: [String: Value] = ["value": .float(v)]
                if let ci = s.intervals[m] { entry["ci95"] = .list([.float(ci.lowerBound), .float(ci.upperBound)]) }
                metrics[m.rawValue] = .map(entry)
            }
            return .map(["model": .string(s.model), "cases": .int(Int64(s.cases)), "metrics": .map(metrics)])
        })
    }

    /// The report as a JSON value (metrics with `ci95` pairs).
    public var json: Value {
        let scoresValue = EvaluationReport.scoresJSON
        var object: [String: Value] = [
            "plan": .string(plan.name),
            "train_cases": .int(Int64(trainCases)),
            "test_cases": .int(Int64(testCases)),
            "test_petitioner_rate": .float(testPetitionerRate),
            "unlabelled_excluded": .int(Int64(unlabelledExcluded)),
            "threshold": .float(decisionThreshold),
            "own_thresholds": Self.ownThresholdsJSON(thresholds),
            "test": scoresValue(test),
        ]
        if !dev.isEmpty {
            object["dev"] = scoresValue(dev)
            object["dev_cases"] = .int(Int64(devCases))
            if let r = devPetitionerRate { object["dev_petitioner_rate"] = .float(r) }
        }
        return .map(object)
    }
}

private func fmt(_ x: Double) -> String { String(format: "%.3f", x) }
