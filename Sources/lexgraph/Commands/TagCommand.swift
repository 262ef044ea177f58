import ArgumentParser
import ContractReview
import Foundation
import GraphStore
import LexgraphCore
import Tensor

/// `lexgraph tag FILE.jsonl`: batch tagging with the review's models. Each input line is a
/// JSON object with `text` (and optionally `id`); each output line is
/// `{"line", "id", "types": [{label, probability}], "windows", "unfair": [{label,
/// probability, threshold, evidence}]}`, in input order, written as each batch finishes;
/// every line is checked first, so a bad line stops the command before any output.
struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "Tag the texts of a JSONL file with clause types and unfair terms, one JSON line per input line.",
        discussion: """
            Input: one JSON object per line with a "text" string and an optional "id" (string or number); blank lines are \
            skipped. Errors name FILE:LINE. The models are `lexgraph finetune` run folders as for `lexgraph review`. \
            Texts over a model's token limit are scored in overlapping windows ("windows" > 1), never cut.
            Example: lexgraph tag clauses.jsonl --types-model runs/types --unfair-model runs/unfair
            """)

    @Argument(help: "Input .jsonl file.") var file: String
    @Option(help: "Run folder of the clause-type model (lexgraph finetune, task classify).") var typesModel: String
    @Option(help: "Run folder of the unfair-terms model (lexgraph finetune, task multilabel).") var unfairModel: String?
    @Option(help: "Clause types listed per text.") var top = 3
    @Option(help: "Texts per batch (output is written batch by batch).") var batch = 256
    @Option(name: .long, help: "BLAS threads (default: $LEXGRAPH_BLAS_THREADS or 1).") var threads: Int?

    func validate() throws {
        if top < 1 { throw ValidationError("--top must be at least 1, got \(top)") }
        if batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    struct Item { var line: Int; var id: Value; var text: String }

    func run() throws {
        if let threads { BLAS.threadCount = threads }
        guard FileManager.default.fileExists(atPath: file) else { throw CLIError("no such file: \(file)") }
        // Every line is checked before anything is tagged, so a bad line leaves no partial output.
        var items: [Item] = []
        try RecordReader.read(path: file, displayName: file, format: .jsonl) { record in
            guard record.hasField("text") else { throw ContractReviewError("missing field \"text\"", file: file, line: record.line) }
            guard case .string(let text) = record.value("text") else {
                if case .null = record.value("text") { throw ContractReviewError("field \"text\" is empty", file: file, line: record.line) }
                throw ContractReviewError("field \"text\" must be a string, found \(record.value("text").jsonText.prefix(60))", file: file, line: record.line)
            }
            let id = record.value("id")
            switch id {
            case .null, .string, .int: break
            default: throw ContractReviewError("field \"id\" must be a string or an integer, found \(id.jsonText.prefix(60))", file: file, line: record.line)
            }
            items.append(Item(line: record.line, id: id, text: text))
        }
        if items.isEmpty { throw ContractReviewError("no lines to tag: the file has no JSON objects", file: file) }
        let tagger = try ClauseTagger(typesModel: try ClauseModel(run: typesModel), unfairModel: try unfairModel.map { try ClauseModel(run: $0) })
        for start in stride(from: 0, to: items.count, by: batch) {
            let part = Array(items[start..<min(start + batch, items.count)])
            let texts = part.map(\.text)
            let types = try tagger.types(texts, top: top)
            let flags = try tagger.flags(texts, evidence: 1)
            var out = ""
            for (k, item) in part.enumerated() {
                let line: Value = .map([
                    "line": .int(Int64(item.line)), "id": item.id,
                    "types": .list(types[k].types.map { .map(["label": .string($0.label), "probability": .float($0.probability)]) }),
                    "windows": .int(Int64(types[k].windows)),
                    "unfair": .list(flags[k].map { f in
                        .map(["label": .string(f.label), "probability": .float(f.probability), "threshold": .float(f.threshold),
                              "evidence": .string(f.evidence.first?.sentence ?? "")])
                    }),
                ])
                out += line.jsonText + "\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }
}
