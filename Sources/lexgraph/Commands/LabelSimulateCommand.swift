import ActiveLearning
import ArgumentParser
import ContractReview
import Foundation
import LexgraphCore
import Transformer

/// `lexgraph label simulate --task DIR --out DIR`: active learning replayed on a prepared
/// clause task, each strategy against random sampling over several seeds.
struct LabelSimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Replay active learning on a prepared clause task: learning curves per strategy vs random.",
        discussion: """
        The train split is the pool (its labels revealed as a strategy asks), the dev split scores every \
        round (macro-F1). Each seed starts every strategy from the same random batch. Multi-label tasks \
        (unfair-tos, cuad) are scored as single-label: an item with no label is "Other", one with several \
        counts as its first. Writes OUT/curves.csv, summary.csv, summary.md and learning-curves.svg \
        (embeddings cached in OUT). Full data = the same head trained on every train label.
        """
    )

    @Option(name: .long, help: "Prepared task folder from lexgraph clauses prepare (task.json, train.jsonl, dev.jsonl).")
    var task: String
    @Option(name: .long, parsing: .upToNextOption, help: "Strategies (comma- or space-separated; random is always run as the baseline).")
    var strategies: [String] = QueryStrategy.allCases.map(\.rawValue)
    @Option(name: .long, help: "Seeds (runs per strategy).")
    var seeds = 3
    @Option(name: .long, help: "First seed; the others follow it.")
    var seed: UInt64 = 1
    @Option(name: .long, help: "Batches queried after the initial random one.")
    var rounds = 10
    @Option(name: .long, help: "Examples per batch.")
    var k = 20
    @Option(name: .long, help: "Size of the initial random batch (default: k).")
    var initial: Int?
    @Option(name: .long, help: "Output folder.")
    var out: String
    @OptionGroup var embedder: LabelModelOptions

    func validate() throws {
        if k < 1 { throw ValidationError("--k must be at least 1, got \(k)") }
        if rounds < 1 { throw ValidationError("--rounds must be at least 1, got \(rounds)") }
        if seeds < 1 { throw ValidationError("--seeds must be at least 1, got \(seeds)") }
        if let initial, initial < 1 { throw ValidationError("--initial must be at least 1, got \(initial)") }
        _ = try parsedStrategies()
    }

    func parsedStrategies() throws -> [QueryStrategy] {
        var list: [QueryStrategy] = [.random]
        for name in strategies.flatMap({ $0.split(separator: ",") }).map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let s = QueryStrategy(rawValue: name) else {
                throw ValidationError("unknown strategy \"\(name)\" (known: \(QueryStrategy.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if !list.contains(s) { list.append(s) }
        }
        return list
    }

    func run() throws {
        try PathSetting.argument(task).require("prepared task folder", folder: true)
        let prepared = try PreparedClauseTask.read(directory: task)
        let multi = prepared.task.isMultiLabel
        var classNames = prepared.labels
        if multi && !classNames.contains(ClauseTask.unfairOtherLabel) { classNames.append(ClauseTask.unfairOtherLabel) }
        func split(_ name: String) throws -> (texts: [String], labels: [Int]) {
            let path = prepared.path(of: name)
            let items = try TextDataset.load(path: path, fields: TextDatasetFields(id: "id"), multiLabel: multi)
            let labels = try items.map { item -> Int in
                let name = multi ? (item.labels.sorted().first ?? ClauseTask.unfairOtherLabel) : item.labels[0]
                guard let i = classNames.firstIndex(of: name) else {
                    throw ActiveLearningError("label \"\(name)\" is not among the task's labels in task.json", file: path, line: item.line)
                }
                return i
            }
            return (items.map(\.text), labels)
        }
        let train = try split("train"), dev = try split("dev")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let trainVectors = LabelledVectors(embeddings: try embedder.embeddings(train.texts, cache: out + "/embeddings-train.safetensors", what: "train"),
                                           labels: train.labels)
        let devVectors = LabelledVectors(embeddings: try embedder.embeddings(dev.texts, cache: out + "/embeddings-dev.safetensors", what: "dev"),
                                         labels: dev.labels)
        var settings = SimulationSettings(strategies: try parsedStrategies(), seeds: (0..<UInt64(seeds)).map { seed &+ $0 }, rounds: rounds, k: k,
                                          initial: initial)
        settings.head = embedder.head
        let result = try Simulation.run(train: trainVectors, dev: devVectors, classes: classNames.count, settings: settings,
                                        progress: { Console.note($0) })
        let title = "Active learning on \(prepared.task.rawValue)\(prepared.fold.map { " fold \($0)" } ?? "")"
        try SimulationReport.write(result, to: out, title: title)
        Console.text(SimulationReport.summaryMarkdown(result, title: title), terminator: "")
        Console.text("Wrote \(out)/curves.csv, summary.csv, summary.md and learning-curves.svg.")
    }
}
