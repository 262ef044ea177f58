import ArgumentParser
import Compliance
import Foundation
import GraphStore
import Grounding
import LexgraphCore
import Prediction

/// `lexgraph predict --run RUN --cases FILE.jsonl`: P(first party wins) for pending
/// cases with the run's saved model, each attached to the graph from its own fields as of
/// its reference date, with the reasons that moved the probability most and their graph
/// paths. Input lines carry `cases.jsonl` fields; an outcome field is refused, not dropped.
struct PredictCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json]
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict pending cases with a run's model and explain each prediction with graph paths.",
        discussion: """
            Allowed fields: \(CaseInput.allowedFields.joined(separator: ", ")). A case naming scdb_caseId is joined with that \
            SCDB row's pre-decision columns (argument date, courts, natural court). A usid must be well-formed (384US436) and \
            name a case the graph holds; leave it out for a case the graph does not hold. A key repeated in a line is an error. \
            --db and --data default to the run's. A run trained with --mask masks every pending case as it was trained; \
            --mask/--mask-policy here only check that (another policy, or masking on an unmasked run, is refused).
            Without --run, the best walk-forward configuration's run (\(PredictCommand.defaultRun)).
            Example: lexgraph predict --run runs/glr --cases pending.jsonl --top 5
            """)

    /// The best walk-forward configuration (README, case-outcome prediction): the classical
    /// blend's walk-forward run, whose saved model is its last fold's (trained on every term
    /// before 2013, calibrated on 2009-12).
    static let defaultRun = "runs/classical-blend-walk-forward"

    @Option(name: .customLong("run"), help: "Run folder written by lexgraph train (default: the best walk-forward configuration, \(PredictCommand.defaultRun)).")
    var runPath: String = PredictCommand.defaultRun
    @Option(help: "Pending cases, JSON Lines with cases.jsonl fields and no outcome.") var cases: String
    @Option(help: PredictCommand.formatHelp("(JSON Lines: one object per case)")) var format: OutputFormat = .table
    @Option(help: "Reasons shown per case.") var top = 5
    @OptionGroup var masking: TrainingMaskOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var data: DataOptions

    func validate() throws {
        try validateFormat()
        if top < 0 { throw ValidationError("--top must not be negative, got \(top)") }
    }

    func run() throws {
        if runPath == Self.defaultRun, !FileManager.default.fileExists(atPath: runPath) {
            throw CLIError("no run at \(runPath), the default (the best walk-forward configuration): train it with "
                           + "`lexgraph train --model classical-blend --split walk-forward`, or pass --run RUN")
        }
        let folder = try RunFolder(existing: runPath)
        let config = try folder.config()
        try Predictor.checkMasking(requested: try masking.policy(), run: try CaseMasking(config: config), runPath: runPath)
        let predictor = try Self.predictor(run: runPath, config: config, data: data, database: database)
        let explained = try predictor.explain(try predictor.cases(path: cases), top: top)
        switch format {
        case .json, .csv, .markdown: for p in explained { Console.data(p.json.jsonText) }
        case .table: Console.text(table(explained, model: config.modelName, run: folder.name), terminator: "")
        }
    }

    /// The run's predictor over its database and SCDB table (`--db`/`--data` override the
    /// paths its config recorded), each missing one a one-line error saying what to pass.
    static func predictor(run runPath: String, config: RunConfig, data: DataOptions, database: DatabaseOptions) throws -> Predictor {
        let scdbPath = CaseDataset.scdbTablePath(dataFolder: data.data ?? config.dataPath)
        guard FileManager.default.fileExists(atPath: scdbPath) else {
            throw CLIError("missing SCDB table \(scdbPath): pass --data PATH (the shared data folder)")
        }
        let dbPath = database.db ?? config.databasePath
        guard FileManager.default.fileExists(atPath: dbPath) else {
            throw CLIError("no graph database at \(dbPath): pass --db PATH (the run used \(config.databasePath))")
        }
        return try Predictor(run: runPath, store: try GraphStore(path: dbPath, mode: .readOnly), scdb: try SCDBTable(path: scdbPath))
    }

    func table(_ list: [ExplainedPrediction], model: String, run: String) -> String {
        var out = "model \(model) of run \(run); effect = change in P(first party wins) from each reason\n"
        for p in list {
            out += "\n\(p.name)" + (p.usid.map { " (\($0))" } ?? "") + ", term \(p.term), as of \(p.asOf.iso)\n"
            // The threshold is shown only where the model chose its own (0.5 goes without saying).
            let at = p.threshold == decisionThreshold ? "" : String(format: " (threshold %.2f)", p.threshold)
            out += String(format: "  P(first party wins) = %.3f -> %@", p.probability, p.predictedWinner) + at + "\n"
            for c in p.contributions {
                out += String(format: "  %+.3f  ", c.effect) + c.text + "\n"
                if let path = c.path { out += "          path: \(path)\n" }
            }
        }
        return out
    }
}
