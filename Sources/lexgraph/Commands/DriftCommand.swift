import ArgumentParser
import Foundation
import Monitoring
import Prediction

/// `lexgraph drift --run RUN --cases FILE.jsonl`: are incoming cases still like the cases
/// the run was trained on? Per input column: a two-sample test (KS for numbers, chi-square
/// for SCDB codes) and the population stability index; for the facts text, its length
/// and out-of-vocabulary rate against the run's WordPiece vocabulary.
struct DriftCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json]
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare incoming cases with a case-outcome run's training cases, feature by feature.",
        discussion: """
            The training cases are the ones the run's plan (config.json) trained on, read from its data folder (--data \
            overrides it). Incoming cases are pending cases as `lexgraph predict` reads them (the same allowed fields). \
            A feature drifts when its test's p-value is below 0.05; PSI >= 0.1 is a moderate shift, >= 0.25 a major one.
            Columns: \(DriftColumn.all.map(\.name).joined(separator: ", ")).
            Example: lexgraph drift --run runs/segment-head --cases pending.jsonl --report reports/drift-2014
            """)

    @Option(name: .customLong("run"), help: "Run folder written by lexgraph train.") var runPath: String
    @Option(help: "Incoming cases, JSON Lines with cases.jsonl fields and no outcome.") var cases: String
    @Option(help: DriftCommand.formatHelp()) var format: OutputFormat = .table
    @Option(help: "Comma-separated columns to compare (default: all).") var columns: String?
    @Option(help: "Folder for report.md, drift.json and psi.svg.") var report: String?
    @Flag(help: "Replace an existing --report folder.") var overwrite = false
    @Option(help: "Tokenizer folder for the out-of-vocabulary rate (default: the run's encoder).") var encoder: String?
    @Option(name: .long, help: "Shared data folder (default: the run's).") var data: String?

    func validate() throws {
        try validateFormat()
    }

    func run() throws {
        let selected = try DriftColumn.selected(columns.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
        let training = try RunTrainingCases(run: runPath, dataFolder: data, encoder: encoder)
        let scdb = try SCDBTable(path: CaseDataset.scdbTablePath(dataFolder: data ?? training.config.dataPath))
        let incoming = try PendingCases.read(path: cases, scdb: scdb)
        let analysis = try DriftAnalysis.compare(reference: training.cases, current: incoming, columns: selected,
                                                 profile: TextProfile(tokenizer: training.tokenizer))
        let result = DriftReport(analysis: analysis, run: training.folder.name, casesFile: cases, tokenizerFolder: training.tokenizerFolder)
        if let report { try result.write(folder: report, overwrite: overwrite) }
        switch format {
        case .json: Console.data(result.json.jsonText)
        case .table, .csv, .markdown: Console.text(result.table, terminator: "")
        }
        if let report { Console.note("report written to \(report)/report.md") }
    }
}
