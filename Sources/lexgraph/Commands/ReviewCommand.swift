import ArgumentParser
import ContractReview
import Foundation
import GraphStore
import LexgraphCore
import Tensor

/// `lexgraph review CONTRACT`: segments a contract into clauses, labels each with its
/// clause type, flags unfair terms with the sentences that made the flag, lists the
/// clauses a contract of its type should have but lacks (from the graph), and suggests
/// standard clauses from the corpus for each flagged or missing clause.
struct ReviewCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json, .markdown]
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Review a contract: clause types, unfair terms, missing clauses, standard clauses to compare.",
        discussion: """
            CONTRACT is plain text or Markdown in UTF-8 (.docx, .pdf and other binary files are refused: save them as text), \
            at most \(ContractDocument.defaultMaxBytes / 1024 / 1024) MiB (\(ContractDocument.maxBytesVariable) changes the cap). \
            The models are `lexgraph finetune` run folders: a single-label run over the clause types and, optionally, a \
            multi-label run over the unfair-terms labels (thresholds from RUN/test_metrics.json when it has them, else 0.5). \
            The graph (--db) must hold the contracts graph (`lexgraph build contracts`). The contract type is taken from \
            --contract-type, else from title words the graph lists for each type.
            Example: lexgraph review ../shared/data/contracts/commonpaper-Mutual-NDA.md --types-model runs/types --unfair-model runs/unfair
            """)

    @Argument(help: "The contract: a .txt or .md file.") var contract: String
    @Option(help: "Run folder of the clause-type model (lexgraph finetune, task classify).") var typesModel: String
    @Option(help: "Run folder of the unfair-terms model (lexgraph finetune, task multilabel).") var unfairModel: String?
    @Option(help: "Contract type slug (e.g. mutual-nda, data-processing-agreement) instead of detecting it.") var contractType: String?
    @Option(help: ReviewCommand.formatHelp("(json: one object; markdown: a report)")) var format: OutputFormat = .table
    @Option(help: "Standard clauses suggested per flagged or missing clause.") var suggestions = 3
    @Option(help: "Clause types listed per clause.") var top = 3
    @Option(name: .long, help: "BLAS threads (default: $LEXGRAPH_BLAS_THREADS or 1).") var threads: Int?
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        try validateFormat()
        if suggestions < 0 { throw ValidationError("--suggestions must not be negative, got \(suggestions)") }
        if top < 1 { throw ValidationError("--top must be at least 1, got \(top)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        if let threads { BLAS.threadCount = threads }
        let document = try ContractDocument.read(path: contract)
        let store = try database.openReadOnly()
        let reviewer = try ContractReviewer(typesModel: try ClauseModel(run: typesModel), unfairModel: try unfairModel.map { try ClauseModel(run: $0) },
                                            store: store)
        var options = ReviewOptions(contractType: contractType)
        options.suggestions = suggestions
        options.topTypes = top
        let report = try reviewer.review(document, options: options)
        switch format {
        case .json, .csv: Console.data(report.json.jsonText)
        case .table: Console.text(report.table, terminator: "")
        case .markdown: Console.text(report.markdown, terminator: "")
        }
    }
}
