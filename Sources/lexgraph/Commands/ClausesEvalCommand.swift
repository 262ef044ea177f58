import ArgumentParser
import ContractReview
import Foundation
import GraphStore
import LexgraphCore
import Tensor

/// `lexgraph clauses eval --data DIR --run RUN`: scores a `lexgraph finetune` run on a
/// prepared clause task (DIR from `lexgraph clauses prepare`): dev-tuned thresholds,
/// the task's test metrics, RUN/test_metrics.json and RUN/test_predictions.jsonl.
struct ClausesEvalCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json]
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a fine-tuned clause model on a prepared task's test split (thresholds tuned on dev).",
        discussion: """
        Metrics: clause-types accuracy, top-5, family accuracy (families from the contracts graph in --db) \
        and macro-F1; cuad per-category AUPR and precision at 80% recall (mean and worst); unfair-tos \
        macro-F1 and micro-F1 over the 8 labels + Other (LexGLUE's way; the 8 alone beside), and ECE. Writes RUN/test_metrics.json \
        and RUN/test_predictions.jsonl. Example: lexgraph clauses eval --data runs/prep/unfair-1 --run runs/unfair-1
        """
    )

    @Option(name: .long, help: "Prepared task folder (task.json, dev.jsonl, test.jsonl).")
    var data: String
    @Option(name: .customLong("run"), help: "Run folder written by lexgraph finetune.")
    var runFolder: String
    @Option(name: .long, help: "The task, checked against the folder's task.json (clause-types, cuad, unfair-tos).")
    var task: ClauseTask?
    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: ClausesEvalCommand.formatHelp())
    var format: OutputFormat = .table
    @Option(name: .long, help: "Items per inference batch.")
    var batchSize = 32
    @Option(name: .long, help: "BLAS threads (default: $LEXGRAPH_BLAS_THREADS or 1).")
    var threads: Int?

    func validate() throws {
        try validateFormat()
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        if let threads { BLAS.threadCount = threads }
        try PathSetting.argument(data).require("prepared task folder", folder: true)
        try PathSetting.argument(runFolder).require("run folder", folder: true)
        let prepared = try PreparedClauseTask.read(directory: data)
        if let task, task != prepared.task {
            throw ValidationError("--task \(task.rawValue) but \(data)/task.json is a \(prepared.task.rawValue) task")
        }
        var evaluation = ClauseEvaluation(task: prepared, runDirectory: runFolder, families: try families(for: prepared.task))
        evaluation.batchSize = batchSize
        let result = try evaluation.run(log: { Console.note($0) })
        try ClauseEvaluation.write(result)
        switch format {
        case .table: Console.text(ClauseEvaluation.table(result), terminator: "")
        case .json, .csv, .markdown: Console.data(ClauseEvaluation.metricsJSON(result).jsonText)
        }
    }

    /// Clause types are scored by family too, from the contracts graph: required when
    /// --db or $LEXGRAPH_DB names it; when only the default path is tried, a missing
    /// database or one without families is a note and no family accuracy.
    func families(for task: ClauseTask) throws -> ClauseFamilies? {
        try Self.families(for: task, database: database)
    }

    static func families(for task: ClauseTask, database: DatabaseOptions) throws -> ClauseFamilies? {
        guard task == .clauseTypes else { return nil }
        let setting = database.setting
        let skip = "no family accuracy (pass --db with the contracts graph)"
        if setting.origin == .defaultValue, !FileManager.default.fileExists(atPath: setting.path) {
            Console.note("no graph database at \(setting.described): \(skip)")
            return nil
        }
        let families = try ClauseFamilies(store: database.openReadOnly())
        if setting.origin == .defaultValue, families.familyByType.isEmpty {
            Console.note("the graph database at \(setting.described) has no clause families: \(skip)")
            return nil
        }
        return families
    }
}

