import ArgumentParser
import Foundation
import LexgraphCore
import Prediction

/// `lexgraph eval RUN [RUN ...]`: the ablation table. Reloads each run's stored test
/// predictions, checks that every run was tested on the same cases, and scores each run's
/// model (named by its run folder) and, once, the baselines (from the first run) with
/// paired bootstrap 95% intervals on those cases.
struct EvalCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json, .markdown]
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Compare runs' test predictions with the baselines on the same cases (bootstrap 95% intervals).",
        discussion: "Example: lexgraph eval runs/text-only runs/segment runs/segment-head --format md")

    @Argument(help: "Run folders written by lexgraph train.") var runs: [String]
    @Option(help: EvalCommand.formatHelp("(md for short)")) var format: OutputFormat = .table
    @Option(help: "Bootstrap resamples for the 95% intervals.") var resamples = 1000

    func validate() throws {
        try validateFormat()
        if runs.isEmpty { throw ValidationError("name at least one run folder") }
        if resamples < 1 { throw ValidationError("--resamples must be at least 1, got \(resamples)") }
    }

    func run() throws {
        let ablation = try RunComparison.load(runs.map { try RunFolder(existing: $0) })
        let scores = try Evaluator(bootstrap: Bootstrap(resamples: resamples)).scores(of: ablation.models)
        let thresholds = Evaluator.thresholds(ablation.models)
        let heading = "\(ablation.caseCount) test cases (\(ablation.plans.joined(separator: ", "))), first party won "
            + String(format: "%.3f", ablation.petitionerRate) + "; " + EvaluationReport.thresholdText(thresholds, models: ablation.models.map(\.model))
        switch format {
        case .table: Console.text(heading + "\n" + EvaluationReport.scoreTable(scores), terminator: "")
        case .markdown: Console.text(heading + "\n\n" + EvaluationReport.markdown(scores), terminator: "")
        case .json, .csv:
            Console.data(Value.map(["test_cases": .int(Int64(ablation.caseCount)), "plans": .list(ablation.plans.map(Value.string)),
                             "test_petitioner_rate": .float(ablation.petitionerRate), "threshold": .float(decisionThreshold),
                             "own_thresholds": EvaluationReport.ownThresholdsJSON(thresholds),
                             "runs": .list(ablation.runNames.map(Value.string)),
                             "test": EvaluationReport.scoresJSON(scores)]).jsonText)
        }
    }
}
