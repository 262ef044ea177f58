import Foundation
import Reports

/// The files of `lexgraph label simulate --out DIR`: `curves.csv` (every round of every
/// strategy and seed), `summary.csv` and `summary.md` (per strategy: area under the curve
/// against random, labels to reach 95% of the full-data score, seconds per round) and
/// `learning-curves.svg` (mean curve per strategy, the full-data score and its 95% line).
public enum SimulationReport {
    public static func curvesCSV(_ result: SimulationResult) -> String {
        var out = "strategy,seed,round,labels,macro_f1,seconds\n"
        for p in result.points {
            out += "\(p.strategy.rawValue),\(p.seed),\(p.round),\(p.labels),\(String(format: "%.4f", p.macroF1)),\(String(format: "%.4f", p.seconds))\n"
        }
        return out
    }

    /// Summary rows: strategy, AUC (macro-F1 points), its sd, AUC minus random's, labels to
    /// 95% of full data (and share of the train pool), final macro-F1, seconds per round.
    public static func summaryRows(_ result: SimulationResult) -> (header: [String], rows: [[String]]) {
        let summary = result.summary()
        let random = summary.first { $0.strategy == .random }?.area
        let header = ["strategy", "auc", "auc_sd", "auc_minus_random", "labels_to_95pct_full", "share_of_train", "final_macro_f1", "seconds_per_round"]
        let rows = summary.map { s -> [String] in
            [s.strategy.rawValue, String(format: "%.1f", s.area * 100), String(format: "%.1f", s.areaStandardDeviation * 100),
             random.map { String(format: "%+.1f", (s.area - $0) * 100) } ?? "",
             s.labelsToTarget.map(String.init) ?? "not reached",
             s.labelsToTarget.map { String(format: "%.1f%%", 100 * Double($0) / Double(result.trainCount)) } ?? "",
             String(format: "%.1f", s.finalF1 * 100), String(format: "%.3f", s.secondsPerRound)]
        }
        return (header, rows)
    }

    public static func summaryCSV(_ result: SimulationResult) -> String {
        let (header, rows) = summaryRows(result)
        return ([header] + rows).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    public static func summaryMarkdown(_ result: SimulationResult, title: String) -> String {
        let (header, rows) = summaryRows(result)
        let s = result.settings
        var out = "# \(title)\n\n"
        out += "\(result.trainCount) train examples, \(result.classCount) classes; \(s.seeds.count) seeds, initial random batch of \(s.initial ?? s.k), then \(s.rounds) rounds of k = \(s.k).\n"
        out += String(format: "Full-data macro-F1 (same head on every train label, mean over seeds): %.1f; 95%% of it: %.1f.\n",
                      result.meanFullDataF1 * 100, result.meanFullDataF1 * 95)
        out += "AUC: mean macro-F1 over the curve (area under macro-F1 against labels, divided by the label range), in points.\n\n"
        out += MarkdownTable(header: header, alignments: [.left] + header.dropFirst().map { _ in .right }, rows: rows).text
        return out
    }

    public static func chart(_ result: SimulationResult, title: String) -> LineChart {
        var series = result.settings.strategies.map { s in
            ChartSeries(name: s.rawValue, points: result.meanCurve(s).map { (Double($0.labels), $0.f1 * 100) }, showsMarkers: true,
                        dashed: s == .random)
        }
        let xs = result.points.map { Double($0.labels) }
        let lo = xs.min() ?? 0, hi = xs.max() ?? 1
        series.append(ChartSeries(name: "full data (\(result.trainCount) labels)", points: [(lo, result.meanFullDataF1 * 100), (hi, result.meanFullDataF1 * 100)],
                                  dashed: true, color: "#555555"))
        series.append(ChartSeries(name: "95% of full data", points: [(lo, result.meanFullDataF1 * 95), (hi, result.meanFullDataF1 * 95)],
                                  dashed: true, color: "#aaaaaa"))
        return LineChart(title: title, xLabel: "labels used", yLabel: "dev macro-F1 (mean of \(result.settings.seeds.count) seeds)", series: series,
                         legendPosition: .bottomRight)
    }

    /// Writes the four files into `directory` (created if needed), each atomically.
    public static func write(_ result: SimulationResult, to directory: String, title: String) throws {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw ActiveLearningError("cannot create the output folder: \(error.localizedDescription)", file: directory)
        }
        try AtomicFile.write(curvesCSV(result), to: directory + "/curves.csv")
        try AtomicFile.write(summaryCSV(result), to: directory + "/summary.csv")
        try AtomicFile.write(summaryMarkdown(result, title: title), to: directory + "/summary.md")
        try AtomicFile.write(chart(result, title: title).svg, to: directory + "/learning-curves.svg")
    }
}
