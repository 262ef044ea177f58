import Foundation
import LexgraphCore
import Reports

/// A run's `report.md` and its charts: what was trained on which cases, how the threshold
/// is chosen, the scores of the model and the baselines on the same test cases with 95%
/// intervals, the learning curve, ROC and calibration plots, and a few explained test
/// predictions.
public struct RunReport {
    public var runName: String
    public var config: RunConfig
    public var evaluation: EvaluationReport
    public var epochs: [EpochRecord]
    public var samples: [ExplainedPrediction]
    public var seconds: Double

    public static let learningCurveFile = "learning-curve.svg"
    public static let rocFile = "roc.svg"
    public static let calibrationFile = "calibration.svg"

    public init(runName: String, config: RunConfig, evaluation: EvaluationReport, epochs: [EpochRecord], samples: [ExplainedPrediction],
                seconds: Double) {
        self.runName = runName; self.config = config; self.evaluation = evaluation; self.epochs = epochs
        self.samples = samples; self.seconds = seconds
    }

    /// The charts by file name (the learning curve only when the model has epochs).
    public var charts: [(file: String, svg: String)] {
        // The run's model first, then the baselines.
        let order = evaluation.modelNames.filter { $0 == config.modelName } + evaluation.modelNames.filter { $0 != config.modelName }
        let test = order.compactMap { name in evaluation.predictions[name].map { (name, $0) } }
        var out: [(String, String)] = []
        if !epochs.isEmpty {
            let points = epochs.map { StandardCharts.EpochPoint(epoch: $0.epoch, trainLoss: $0.trainLoss, devLoss: $0.devLoss, devAUC: $0.devAUC) }
            out.append((Self.learningCurveFile, StandardCharts.learningCurve(title: "\(runName): learning curve", epochs: points).svg))
        }
        out.append((Self.rocFile, StandardCharts.roc(title: "\(runName): ROC on \(evaluation.testCases) test cases (\(evaluation.plan.name))",
                                                     models: test.map { ($0.0, $0.1.map(\.label), $0.1.map(\.probability)) }).svg))
        out.append((Self.calibrationFile, StandardCharts.calibration(title: "\(runName): reliability on the test cases",
                                                                     models: test.map { ($0.0, $0.1.map(\.label), $0.1.map(\.probability)) }).svg))
        return out
    }

    public var markdown: String {
        let e = evaluation
        var md = "# Run \(runName)\n\n"
        md += "Model `\(config.modelKind)` (named `\(config.modelName)` in the tables), task `\(config.task)`, plan `\(config.plan.rawValue)` "
        md += "(\(e.plan.name)); created \(config.created) by \(config.lexgraphVersion); \(String(format: "%.1f", seconds)) s.\n\n"
        if !config.options.isEmpty {
            var options = MarkdownTable(header: ["option", "value"])
            for key in config.options.keys.sorted() { options.append([key, config.options[key]?.jsonText ?? ""]) }
            md += "Options:\n\n" + options.text + "\n"
        }
        md += "Data: `\(config.dataPath)`; graph: `\(config.databasePath)`"
        if let encoder = config.encoderPath { md += "; encoder: `\(encoder)`" }
        md += "; seed \(config.seed).\n\n"

        md += "## Cases\n\n"
        if case .fixed = e.plan {
            md += "\(e.trainCases) training cases, \(e.devCases) dev cases"
            if let r = e.devPetitionerRate { md += " (first party won \(pct(r)))" }
            md += ", \(e.testCases) test cases (first party won \(pct(e.testPetitionerRate))).\n"
        } else {
            md += "Walk-forward: each term predicted by a model trained on every earlier term (no dev set); \(e.testCases) pooled test "
            md += "cases (first party won \(pct(e.testPetitionerRate))); the last fold trained on \(e.trainCases) cases.\n"
        }
        md += "\(e.unlabelledExcluded) unlabelled case(s) in the evaluated terms are excluded. Each case is seen as of its reference date "
        md += "(argument date, else 1 October of its term): only graph content dated strictly before it is used. The SCDB codes issue, "
        md += "issue area, law type and lawSupp are assigned by SCDB from the opinion; the data rules allow them as inputs.\n\n"

        md += "## Threshold\n\n"
        md += "A case is predicted as a first-party win when P >= \(String(format: "%.2f", decisionThreshold)), for every model that does not "
        md += "choose its own threshold on earlier terms of its training cases. No threshold is tuned on dev: the dev years 2008-10 are "
        md += "unusually petitioner-heavy (72.4% against about 64% elsewhere), so a threshold tuned on them would lean towards the "
        md += "petitioner. The models' probabilities are fit to the training base rate, for which 0.5 is the Bayes threshold; dev cases "
        md += "serve only early stopping.\n"
        let own = EvaluationReport.ownThresholds(e.thresholds)
        for name in e.modelNames {
            guard let range = own[name] else { continue }
            md += "- \(name) chose its threshold on its inner calibration terms: "
                + (range.lowerBound == range.upperBound ? String(format: "%.2f", range.lowerBound)
                   : String(format: "%.2f to %.2f over the folds", range.lowerBound, range.upperBound)) + ".\n"
        }
        md += "\n"

        md += "## Test scores (same \(e.testCases) cases for every model; bootstrap 95% intervals)\n\n"
        md += EvaluationReport.markdown(e.test) + "\n"
        if !e.dev.isEmpty {
            md += "Dev scores (\(e.devCases) cases):\n\n" + EvaluationReport.markdown(e.dev) + "\n"
        }

        md += "## Learning curve\n\n"
        if epochs.isEmpty {
            md += "None: `\(config.modelKind)` is fit in closed form (no epochs).\n\n"
        } else {
            md += "![learning curve](\(Self.learningCurveFile))\n\n"
            var table = MarkdownTable(header: ["epoch", "train loss", "dev loss", "dev accuracy", "dev ROC AUC", "seconds", "kept"],
                                      alignments: [.right, .right, .right, .right, .right, .right, .center])
            for r in epochs {
                table.append([String(r.epoch), f(r.trainLoss), r.devLoss.map(f) ?? "", r.devAccuracy.map(f) ?? "", r.devAUC.map(f) ?? "",
                              String(format: "%.1f", r.seconds), r.best ? "yes" : ""])
            }
            md += table.text + "\n"
        }
        md += "## ROC and calibration (test cases)\n\n![ROC curves](\(Self.rocFile))\n\n![reliability diagram](\(Self.calibrationFile))\n\n"
        md += "The reliability diagram bins probabilities into 10 equal-width bins; the labels give the bin sizes of `\(config.modelName)`.\n\n"

        if !samples.isEmpty {
            md += "## Sample explained test predictions\n\n"
            md += "Effect: change in P(first party wins) when the input is removed (a graph feature set to its training mean).\n\n"
            for s in samples {
                md += "### \(s.name)" + (s.usid.map { " (\($0))" } ?? "") + ", term \(s.term)\n\n"
                md += "P(first party wins) = \(f(s.probability))"
                if let label = s.label { md += "; the first party \(label ? "won" : "lost")" }
                md += "; as of \(s.asOf.iso).\n\n"
                var table = MarkdownTable(header: ["effect", "reason", "graph path"], alignments: [.right, .left, .left])
                for c in s.contributions { table.append([String(format: "%+.3f", c.effect), c.text, c.path.map { "`\($0)`" } ?? ""]) }
                md += table.text + "\n"
            }
        }
        return md
    }

    /// Writes `report.md` and the charts into the run being written.
    public func write(to writer: RunFolderWriter) throws {
        for (file, svg) in charts { try writer.write(text: svg, named: file) }
        try writer.write(text: markdown, named: RunFolder.reportFile)
    }

    private func f(_ x: Double) -> String { String(format: "%.3f", x) }
    private func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
}
