import ArgumentParser
import ContractReview
import Foundation
import GraphStore

/// `lexgraph clauses prepare --task T --out DIR`: reads a clause task's source file from
/// the shared data and its committed split (graphs/contracts/splits/), and writes
/// DIR/train.jsonl, dev.jsonl, test.jsonl and task.json (see `PreparedTaskFiles`).
struct ClausesPrepareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Write a clause task's train/dev/test files (JSON Lines) from the shared data and its committed split.",
        discussion: """
        clause-types: one item per clause, its type as "label", the leading heading removed (--keep-headings \
        keeps it). cuad and unfair-tos: one item per unique text, "label" the list of its categories \
        (unfair-tos: without Other; an empty list is Other). unfair-tos is 5-fold: --fold K tests on fold K \
        and tunes on fold K % 5 + 1. --mask (or --mask-policy FILE) writes every text masked (persons, \
        addresses, identifiers: see `lexgraph mask`), so no personal data reaches a model trained on the files; \
        task.json records the masking.
        """
    )

    @Option(name: .long, help: "clause-types, cuad or unfair-tos.")
    var task: ClauseTask

    @Option(name: .long, help: "Folder to write train.jsonl, dev.jsonl, test.jsonl and task.json into.")
    var out: String

    @Option(name: .long, help: "Test fold of unfair-tos (1-5).")
    var fold: Int?

    @Flag(name: .long, help: "Keep the clause-type texts' leading headings.")
    var keepHeadings = false

    @Option(name: .long, help: "Split file (default: the task's file in graphs/contracts/splits/).")
    var splitFile: String?

    @OptionGroup var data: DataOptions

    @OptionGroup var masking: TrainingMaskOptions

    func validate() throws {
        if let fold {
            guard task.usesFolds else {
                throw ValidationError("--fold is for unfair-tos only: \(task.rawValue) has a fixed train/dev/test split")
            }
            guard (1...ClauseTask.foldCount).contains(fold) else {
                throw ValidationError("--fold must be 1...\(ClauseTask.foldCount), got \(fold)")
            }
        } else if task.usesFolds {
            throw ValidationError("unfair-tos is scored by \(ClauseTask.foldCount)-fold cross-validation: pass --fold K (1-\(ClauseTask.foldCount))")
        }
        if keepHeadings, task != .clauseTypes {
            throw ValidationError("--keep-headings is for clause-types only (the \(task.rawValue) texts keep theirs)")
        }
    }

    func run() throws {
        let folder = try data.folder()
        let dataPath = folder.appendingPathComponent(task.dataFile).path
        guard FileManager.default.fileExists(atPath: dataPath) else {
            throw CLIError("no \(task.rawValue) data file at \(dataPath) (\(task.dataFile) in the data folder \(data.setting.described)): \(data.setting.hint)")
        }
        let splitPath: String
        if let splitFile {
            splitPath = try PathSetting.argument(splitFile).require("split file")
        } else {
            guard let root = BuildCatalog.projectRoot() else {
                throw CLIError("cannot find \(task.splitFile): run lexgraph from the project folder, set LEXGRAPH_ROOT or pass --split-file")
            }
            splitPath = root.appendingPathComponent(task.splitFile).path
        }
        let corpus = try ClauseCorpus.load(task, path: dataPath)
        let splits = try ClauseSplits.load(path: splitPath, corpus: corpus, fold: fold)
        var files = PreparedTaskFiles(corpus: corpus, splits: splits, keepHeadings: keepHeadings,
                                      dataPath: PathSetting.absolute(dataPath), splitFilePath: PathSetting.absolute(splitPath))
        var maskedSummary: String?
        if let masker = try masking.masker() {
            maskedSummary = "masked the texts (\(masker.description)): \(TrainingMaskOptions.summary(files.mask(description: masker.description, masker.mask)))"
        }
        try files.write(to: out)

        let what = fold.map { "\(task.rawValue), test fold \($0)" } ?? task.rawValue
        Console.text("\(what): \(corpus.items.count) items from \(corpus.recordCount) records of \(dataPath), \(corpus.labelNames.count) labels")
        for split in ClauseSplitName.allCases {
            let items = splits.items(split, of: corpus)
            let rows = items.reduce(0) { $0 + $1.rows.count }
            let labelled = Set(items.flatMap(\.labels)).count
            let path = URL(fileURLWithPath: out).appendingPathComponent("\(split.rawValue).jsonl").path
            Console.text("\(split.rawValue): \(items.count) items (\(rows) records, \(labelled) labels present) -> \(path)")
        }
        if task == .clauseTypes {
            let removed = keepHeadings ? 0 : corpus.items.reduce(0) { $0 + (ClauseHeading.split($1.text) == nil ? 0 : 1) }
            Console.text(keepHeadings ? "headings kept" : "headings removed from \(removed) of \(corpus.items.count) texts (--keep-headings keeps them)")
        }
        if let maskedSummary { Console.text(maskedSummary) }
    }
}

extension ClauseTask: ExpressibleByArgument {}
