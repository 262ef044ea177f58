import ArgumentParser
import Compliance
import Foundation
import GraphStore
import Grounding
import LexgraphCore
import Prediction

/// `lexgraph train`: evaluates one outcome model with the baselines on the same cases
/// under a split (or walk-forward) and writes a run folder with its predictions, the
/// fitted model and a report. Model options are stored in the run's config for the model
/// kind to read; `graph-logistic` reads none of the fusion/encoder options.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train and evaluate a case-outcome model against the baselines; write a run folder with a report.",
        discussion: """
            Example: lexgraph train --task scotus-outcome --split split_full --model graph-logistic --out runs/glr
            The run folder is written as <out>.partial and renamed when complete. Models: \(RunModels.knownKinds.joined(separator: ", ")).
            """)

    enum Fusion: String, ExpressibleByArgument, CaseIterable { case none, segment, kbert }
    enum Switch: String, ExpressibleByArgument, CaseIterable { case on, off }
    enum Join: String, ExpressibleByArgument, CaseIterable { case concat, gating }

    @Option(help: "Task (only scotus-outcome).") var task = RunConfig.scotusOutcome
    @Option(help: "split_full, split_graph_window or walk-forward (terms 2001-2013).") var split: RunPlan = .splitFull
    @Option(help: "Model kind: \(RunModels.knownKinds.joined(separator: ", ")).") var model: String
    @Option(help: "Run folder to write (default: runs/<model>-<split>).") var out: String?
    @Flag(help: "Replace an existing run folder.") var overwrite = false

    @Option(help: "Graph context fusion: none (text only), segment or kbert.") var fusion: Fusion = .segment
    @Option(name: .customLong("graph-head"), help: "Graph-feature head: on or off.") var graphHead: Switch = .on
    @Option(name: .customLong("fusion-join"), help: "How the graph head joins [CLS]: concat or gating.") var fusionJoin: Join = .concat
    @Option(help: "Training epochs.") var epochs = 3
    @Option(name: .customLong("trainable-layers"), help: "Top encoder layers fine-tuned (the rest frozen and cached once per run; 0: only the pooler and the head train).") var trainableLayers = 1
    @Option(name: .customLong("max-length"), help: "Token limit per input, special tokens included.") var maxLength = 256
    @Option(name: .customLong("batch-size"), help: "Examples per batch.") var batchSize = 16
    @Option(name: .customLong("context-tokens"), help: "Most tokens of graph context in the input (segment B or K-BERT branches).") var contextTokens = 96
    @Option(name: .customLong("learning-rate"), help: "Peak learning rate of the encoder.") var learningRate = 4e-5
    @Option(name: .customLong("head-learning-rate"), help: "Peak learning rate of the graph head and classifier.") var headLearningRate = 1e-3
    @Option(help: "Seed for initialization and batch order.") var seed: UInt64 = 42
    @Option(help: "BLAS threads of the fused transformer (default 2).") var threads: Int?
    @Flag(name: .customLong("with-own-citations"), help: "Ground with the precedents the case's own opinion cites (written at decision time).")
    var withOwnCitations = false
    @Option(help: "Base encoder folder (default: $LEXGRAPH_MODEL or models/all-minilm-l6-v2).") var encoder: String?
    @Option(help: "Bootstrap resamples for the 95% intervals.") var resamples = 1000

    @OptionGroup var masking: TrainingMaskOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var data: DataOptions

    func validate() throws {
        guard task == RunConfig.scotusOutcome else { throw ValidationError("unknown task '\(task)' (known: \(RunConfig.scotusOutcome))") }
        guard RunModels.knownKinds.contains(model) else {
            throw ValidationError("unknown model kind '\(model)' (known: \(RunModels.knownKinds.joined(separator: ", ")))")
        }
        for (name, value) in [("--epochs", epochs), ("--max-length", maxLength), ("--batch-size", batchSize), ("--resamples", resamples)] where value < 1 {
            throw ValidationError("\(name) must be at least 1, got \(value)")
        }
        if trainableLayers < 0 { throw ValidationError("--trainable-layers must not be negative, got \(trainableLayers)") }
        if contextTokens < 0 { throw ValidationError("--context-tokens must not be negative, got \(contextTokens)") }
        if !(learningRate > 0) { throw ValidationError("--learning-rate must be positive, got \(learningRate)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// The options the model kind reads from the run's config (only those, so the config
    /// and the report list what shaped the model).
    var options: [String: Value] {
        var o: [String: Value] = ["with_own_citations": .bool(withOwnCitations)]
        if model == ClassicalBlendModel.kind {
            let blend = ClassicalBlendOptions()
            o["text_c"] = .float(blend.textC)
            o["min_df"] = .int(Int64(blend.minDocumentFrequency))
            o["calibration_terms"] = .int(Int64(blend.calibrationTerms))
        }
        guard model == FusedOutcomeModel.kind else { return o }
        o.merge([
            "fusion": .string(fusion.rawValue), "graph_head": .bool(graphHead == .on), "fusion_join": .string(fusionJoin.rawValue),
            "epochs": .int(Int64(epochs)), "trainable_layers": .int(Int64(trainableLayers)), "max_length": .int(Int64(maxLength)),
            "context_tokens": .int(Int64(contextTokens)), "batch_size": .int(Int64(batchSize)),
            "learning_rate": .float(learningRate), "head_learning_rate": .float(headLearningRate),
        ]) { _, new in new }
        if let threads { o["threads"] = .int(Int64(threads)) }
        return o
    }

    func run() throws {
        _ = try data.folder()
        let outPath = out ?? "runs/\(model)-\(split.rawValue)"
        try database.setting.require("graph database", "; `lexgraph build all` creates it")
        var encoderPath: String?
        if model == FusedOutcomeModel.kind {
            encoderPath = PathSetting.absolute(try ModelPath.setting(encoder, option: "--encoder").require("encoder folder", folder: true))
        }
        // The policy goes into the config: `predict` and the service mask pending cases with it.
        var options = self.options
        let masking = try self.masking.policy().map(CaseMasking.init(policy:))
        if let masking { options[CaseMasking.configKey] = masking.configValue }
        // Absolute paths: `predict` and `eval` read the run from any directory.
        let config = RunConfig(modelKind: model, plan: split, options: options, dataPath: data.setting.absolute,
                               databasePath: database.setting.absolute, encoderPath: encoderPath, seed: seed)
        let outcome = try Self.train(config: config, out: outPath, overwrite: overwrite, resamples: resamples)
        Console.text(outcome.evaluation.table, terminator: "")
        Console.text(String(format: "run folder: %@ (%.1f s; report: %@)", outcome.folder.path, outcome.seconds,
                     outcome.folder.file(RunFolder.reportFile)))
    }

    /// Trains `config` (its data folder, graph, model kind, options, masking and seed) into
    /// the run folder `out`: the one code path of `train` and of `retrain`, which passes a
    /// production run's own config.
    static func train(config: RunConfig, out: String, overwrite: Bool, resamples: Int) throws -> RunTraining.Outcome {
        let writer = try RunFolderWriter(path: out, overwrite: overwrite)
        let log = StderrLog()
        log.line("train: loading \(config.dataPath) and the graph \(config.databasePath)")
        let dataset = try CaseDataset.load(dataFolder: config.dataPath)
        let store = try GraphStore(path: config.databasePath, mode: .readOnly)
        let graphStart = Date()
        let grounder = try RunModels.grounder(config: config, graph: try GroundingGraph(store: store))
        if let masking = try CaseMasking(config: config) {
            log.line("train: masking every case's facts, name, parties and graph context before tokenization (\(masking.description))")
        }
        log.line(String(format: "train: graph index loaded in %.1f s", Date().timeIntervalSince(graphStart)))
        let display = EvaluationProgressDisplay(log: log, modelsPerFold: Evaluator.baselines(dataset: dataset).count + 1)
        return try RunTraining(config: config, evaluator: Evaluator(bootstrap: Bootstrap(resamples: resamples)))
            .run(dataset: dataset, grounder: grounder, writer: writer, progress: display.update, modelProgress: display.model)
    }
}

extension RunPlan: ExpressibleByArgument {}
