import Foundation
import LexgraphCore
import Reports

/// The three forms of a drift comparison: a terminal table, JSON, and a Markdown report
/// with a PSI chart (`Reports`' SVG line chart and Markdown table).
public struct DriftReport: Sendable {
    public var analysis: DriftAnalysis
    /// The run folder and the incoming cases file, as named on the command line.
    public var run: String
    public var casesFile: String
    public var tokenizerFolder: String?

    public init(analysis: DriftAnalysis, run: String, casesFile: String, tokenizerFolder: String?) {
        self.analysis = analysis
        self.run = run
        self.casesFile = casesFile
        self.tokenizerFolder = tokenizerFolder
    }

    static let header = ["feature", "test", "statistic", "p-value", "drift", "PSI", "PSI level", "train mean", "incoming mean", "missing (train/incoming)"]

    func row(_ f: FeatureDrift) -> [String] {
        func number(_ x: Double?, _ format: String = "%.3f") -> String {
            guard let x else { return "-" }
            return x.isInfinite ? "inf" : String(format: format, x)
        }
        let p = f.pValue.map { $0 < 0.001 ? String(format: "%.1e", $0) : String(format: "%.3f", $0) } ?? "-"
        let drift = f.note ?? (f.drifted ? "DRIFT" : "no")
        return [f.feature, f.test.rawValue, number(f.statistic), p, drift, number(f.psi), f.psiLevel?.rawValue ?? "-",
                number(f.referenceMean, "%.2f"), number(f.currentMean, "%.2f"), "\(f.referenceMissing)/\(f.currentMissing)"]
    }

    var summaryLine: String {
        let drifted = analysis.driftedFeatures.map(\.feature)
        return "\(analysis.currentCases) incoming cases against \(analysis.referenceCases) training cases of run \(run): "
            + "\(drifted.count) of \(analysis.features.count) features drifted (p < \(DriftAnalysis.alpha))"
            + (drifted.isEmpty ? "" : ": " + drifted.joined(separator: ", "))
    }

    /// Aligned columns for a terminal, then a line per unseen category and the legend.
    public var table: String {
        let rows = [DriftReport.header] + analysis.features.map(row)
        let widths = (0..<DriftReport.header.count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        var out = TerminalText.escaped(summaryLine) + "\n\n"
        for (k, r) in rows.enumerated() {
            out += zip(r, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces) + "\n"
            if k == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        out += notes.map { "\n" + $0 }.joined()
        return out + "\n"
    }

    var notes: [String] {
        var lines: [String] = []
        for f in analysis.features where !f.unseenCategories.isEmpty {
            lines.append("\(f.feature): incoming values never seen in training: \(f.unseenCategories.map(String.init).joined(separator: ", "))")
        }
        lines.append("tests: ks = two-sample Kolmogorov-Smirnov (numeric), chi-square against the training shares (SCDB codes); "
                     + "DRIFT when p < \(DriftAnalysis.alpha). PSI: stable < \(DriftAnalysis.psiModerate) <= moderate < \(DriftAnalysis.psiMajor) <= major.")
        if analysis.hasVocabulary {
            lines.append("facts.words: words per text; facts.oov_rate: share of words not whole tokens of \(tokenizerFolder ?? "the run's vocabulary").")
        } else {
            lines.append("facts.oov_rate: not measured (the run has no WordPiece vocabulary; pass --encoder FOLDER).")
        }
        return lines
    }

    public var json: Value {
        func number(_ x: Double?) -> Value {
            guard let x else { return .null }
            return x.isInfinite ? .string("inf") : .float(x)
        }
        let features: [Value] = analysis.features.map { f in
            var m: [String: Value] = [
                "feature": .string(f.feature), "column": .string(f.column), "test": .string(f.test.rawValue),
                "statistic": number(f.statistic), "p_value": number(f.pValue), "drift": .bool(f.drifted),
                "psi": number(f.psi), "psi_level": f.psiLevel.map { Value.string($0.rawValue) } ?? Value.null,
                "train_count": .int(Int64(f.referenceCount)), "train_missing": .int(Int64(f.referenceMissing)),
                "incoming_count": .int(Int64(f.currentCount)), "incoming_missing": .int(Int64(f.currentMissing)),
                "train_mean": number(f.referenceMean), "incoming_mean": number(f.currentMean),
                "unseen_categories": .list(f.unseenCategories.map { .int(Int64($0)) }),
            ]
            m["note"] = f.note.map(Value.string) ?? .null
            return .map(m)
        }
        return .map([
            "run": .string(run), "cases_file": .string(casesFile),
            "train_cases": .int(Int64(analysis.referenceCases)), "incoming_cases": .int(Int64(analysis.currentCases)),
            "thresholds": .map(["p_value": .float(DriftAnalysis.alpha), "psi_moderate": .float(DriftAnalysis.psiModerate),
                                "psi_major": .float(DriftAnalysis.psiMajor)]),
            "vocabulary": tokenizerFolder.map(Value.string) ?? .null,
            "drifted": .list(analysis.driftedFeatures.map { .string($0.feature) }),
            "features": .list(features),
        ])
    }

    public static let chartFile = "psi.svg"

    /// PSI of every feature that has one, against the two thresholds.
    public var chart: LineChart {
        let measured = analysis.features.filter { $0.psi != nil }
        let points = measured.enumerated().map { (x: Double($0.offset + 1), y: min($0.element.psi!, 5)) }
        let last = Double(max(measured.count, 1)) + 1
        let series = [
            ChartSeries(name: "PSI (capped at 5)", points: points, showsMarkers: true, pointLabels: measured.map(\.feature)),
            ChartSeries(name: "moderate (\(DriftAnalysis.psiModerate))", points: [(x: 0, y: DriftAnalysis.psiModerate), (x: last, y: DriftAnalysis.psiModerate)], dashed: true),
            ChartSeries(name: "major (\(DriftAnalysis.psiMajor))", points: [(x: 0, y: DriftAnalysis.psiMajor), (x: last, y: DriftAnalysis.psiMajor)], dashed: true),
        ]
        var chart = LineChart(title: "Population stability index per feature", xLabel: "feature (in the order of the table)",
                              yLabel: "PSI", series: series, xAxis: AxisTicks(from: 0, to: last, step: max(1, (last / 10).rounded(.up))))
        chart.width = 900
        return chart
    }

    /// `report.md`: the summary, the table, the notes and the chart.
    public var markdown: String {
        var table = MarkdownTable(header: DriftReport.header)
        for f in analysis.features { table.append(row(f)) }
        var md = "# Drift: \(casesFile) against run \(run)\n\n\(summaryLine).\n\n"
        md += table.text + "\n"
        md += notes.map { "- " + $0 + "\n" }.joined()
        md += "\n![PSI per feature](\(DriftReport.chartFile))\n"
        return md
    }

    /// Writes `report.md`, `drift.json` and `psi.svg` into `folder`, made whole in
    /// `<folder>.partial` and then moved into place, so a failure leaves no half report.
    public func write(folder: String, overwrite: Bool) throws {
        let fm = FileManager.default
        let final = (folder as NSString).standardizingPath
        if fm.fileExists(atPath: final) && !overwrite {
            throw MonitoringError("report folder \(final) already exists: choose another --report or pass --overwrite")
        }
        let partial = final + ".partial"
        do {
            if fm.fileExists(atPath: partial) { try fm.removeItem(atPath: partial) }
            try fm.createDirectory(atPath: partial, withIntermediateDirectories: true)
            for (name, text) in [("report.md", markdown), ("drift.json", json.jsonText + "\n"), (DriftReport.chartFile, chart.svg)] {
                try Data(text.utf8).write(to: URL(fileURLWithPath: (partial as NSString).appendingPathComponent(name)))
            }
            if fm.fileExists(atPath: final) { try fm.removeItem(atPath: final) }
            try fm.moveItem(atPath: partial, toPath: final)
        } catch let error as MonitoringError {
            throw error
        } catch {
            throw MonitoringError("cannot write the report to \(final): \(error.localizedDescription)")
        }
    }
}
