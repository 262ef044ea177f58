import ArgumentParser
import Foundation
import Prediction

/// `lexgraph baselines`: scores the majority-class, most-frequent-past-outcome and
/// time-safe SCDB logistic-regression baselines on a split's test cases, with bootstrap
/// 95% intervals.
struct BaselinesCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json]
    static let configuration = CommandConfiguration(
        commandName: "baselines",
        abstract: "Score the outcome-prediction baselines on a time split or walk-forward 2001-2013."
    )

    enum Split: String, ExpressibleByArgument, CaseIterable {
        case full = "split_full"
        case graphWindow = "split_graph_window"
        case walkForward = "walk-forward"
    }

    @Option(name: .long, help: "split_full, split_graph_window or walk-forward (terms 2001-2013).")
    var split: Split = .full

    @OptionGroup var data: DataOptions

    @Option(name: .long, help: BaselinesCommand.formatHelp())
    var format: OutputFormat = .table

    @Option(name: .long, help: "Bootstrap resamples for the 95% intervals.")
    var resamples: Int = 1000

    func validate() throws { try validateFormat() }

    func run() throws {
        guard resamples > 0 else { throw CLIError("--resamples must be positive, got \(resamples)") }
        let folder = try data.folder()
        let dataset = try CaseDataset.load(dataFolder: folder.path)
        let plan: EvaluationPlan
        switch split {
        case .full: plan = .fixed(.full)
        case .graphWindow: plan = .fixed(.graphWindow)
        case .walkForward: plan = .standardWalkForward
        }
        let evaluator = Evaluator(bootstrap: Bootstrap(resamples: resamples))
        let report = try evaluator.evaluate(plan, dataset: dataset, models: Evaluator.baselines(dataset: dataset))
        switch format {
        case .json: Console.data(report.json.jsonText)
        default: Console.text(report.table, terminator: "")
        }
    }
}
