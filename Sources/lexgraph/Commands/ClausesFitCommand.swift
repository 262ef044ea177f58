import ArgumentParser
import ContractReview
import Foundation
import GraphStore
import LexgraphCore
import Tensor
import Tokenizers
import Transformer

extension ClauseFitMethod: ExpressibleByArgument {}
extension SparseLinearSolver: ExpressibleByArgument {}

/// `lexgraph clauses fit --data DIR --method M --out RUN`: fits a clause model that needs
/// no encoder fine-tuning (frozen-embedding prototypes and neighbours, graph label
/// embeddings, a family-level score, TF-IDF and a TF-IDF + embedding hybrid), chooses its
/// settings on dev and scores test exactly as `clauses eval` does (RUN/test_metrics.json,
/// RUN/test_predictions.jsonl; the settings tried in RUN/fit.json).
struct ClausesFitCommand: ParsableCommand, FormattedOutput {
    static let formats: [OutputFormat] = [.table, .json]
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a clause model over frozen embeddings and/or TF-IDF, settings chosen on dev, scored on test.",
        discussion: """
        Methods: knn, centroid (nearest type prototype), label-graph (prototypes pulled towards the embedding of \
        each type's graph neighbourhood), family (type × family score from the graph's IN_FAMILY), tfidf (TF-IDF \
        1-2 grams, a linear head: SVM or logistic regression solved to tolerance, or AdamW), hybrid (TF-IDF with the frozen embedding as more \
        columns). The first four are for clause-types; tfidf and hybrid for every task. Embeddings are read from \
        `lexgraph embed` output (--embeddings, by item id), so the encoder runs once per text. \
        Example: lexgraph clauses fit --data runs/data/clause-types --method knn --embeddings runs/emb/clause-types-train.jsonl \
        --embeddings runs/emb/clause-types-dev.jsonl --embeddings runs/emb/clause-types-test.jsonl --out runs/ct-knn
        """
    )

    @Option(name: .long, help: "Prepared task folder (task.json, train/dev/test.jsonl).")
    var data: String
    @Option(name: .long, help: "knn, centroid, label-graph, family, tfidf or hybrid.")
    var method: ClauseFitMethod
    @Option(name: .long, help: "Folder to write test_metrics.json, test_predictions.jsonl and fit.json into.")
    var out: String
    @Option(name: .long, parsing: .singleValue, help: "`lexgraph embed` output covering the task's items (repeat for several files).")
    var embeddings: [String] = []
    @Option(name: .long, help: "Encoder for label texts and graph prototypes (default: $LEXGRAPH_MODEL or models/all-minilm-l6-v2); the one that made --embeddings.")
    var model: String?
    @Option(name: .long, help: "Token limit when encoding label texts and prototypes (as the --embeddings were made).")
    var maxLength = 128
    @OptionGroup var database: DatabaseOptions
    @Flag(name: .long, help: "Add the graph's LEDGAR prototype clauses (same-slug LEDGAR categories) to the labelled clauses.")
    var graphPrototypes = false
    @Option(name: .long, help: "Clause types: train on the first N training clauses of each type only.")
    var maxTrainPerType: Int?
    @Option(name: .long, help: "k values tried on dev (knn).")
    var k = "5,10,20,40"
    @Option(name: .long, help: "Softmax temperatures tried on dev.")
    var temperature = "0.02,0.05,0.1"
    @Option(name: .long, help: "Label-embedding weights tried on dev (label-graph).")
    var beta = "0,0.25,0.5,1,2"
    @Option(name: .long, help: "Family-score weights tried on dev (family).")
    var gamma = "0,0.25,0.5,1,2"
    @Option(name: .long, help: "Embedding column scales tried on dev (hybrid).")
    var alpha = "0.5,1,2"
    @Option(name: .long, help: "TF-IDF: minimum document frequency of a term.")
    var minDf = 1
    @Option(name: .long, help: "TF-IDF: keep only this many terms, the most frequent (bounds the head's width).")
    var maxFeatures: Int?
    @Option(name: .long, help: "Linear head: svm (L2-loss linear SVM, dual coordinate descent), logistic (L2 logistic regression, L-BFGS), both one-vs-rest and solved to --tolerance, or adamw (the training loop).")
    var solver: SparseLinearSolver = .svm
    @Option(name: .long, help: "Linear head (svm, logistic): C values tried on dev.")
    var c = "0.1,0.3,1,3,10"
    @Option(name: .long, help: "Linear head (svm, logistic): stopping tolerance (scikit-learn's tol).")
    var tolerance = 1e-4
    @Option(name: .long, help: "Linear head (svm, logistic): passes / iterations per class at most.")
    var maxIterations = 1000
    @Option(name: .long, help: "Linear head (adamw): learning rates tried on dev.")
    var lr = "0.05"
    @Option(name: .long, help: "Linear head (adamw): epochs.")
    var epochs = 10
    @Option(name: .long, help: "Linear head (adamw): rows per update.")
    var batchSize = 64
    @Flag(name: .long, help: "Linear head: balanced class weights (single-label) or BCE pos_weight n_neg/n_pos (multi-label).")
    var balanced = false
    @Option(name: .long, help: "BLAS threads (default: $LEXGRAPH_BLAS_THREADS or 1).")
    var threads: Int?
    @Option(name: .long, help: ClausesFitCommand.formatHelp())
    var format: OutputFormat = .table

    static func list<T: LosslessStringConvertible>(_ text: String, _ option: String) throws -> [T] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap { T($0) }
        guard !parts.isEmpty, values.count == parts.count else {
            throw ValidationError("--\(option) must be a comma-separated list of numbers, got \"\(text)\"")
        }
        return values
    }

    func validate() throws {
        try validateFormat()
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if let maxTrainPerType, maxTrainPerType < 1 { throw ValidationError("--max-train-per-type must be at least 1, got \(maxTrainPerType)") }
        if minDf < 1 { throw ValidationError("--min-df must be at least 1, got \(minDf)") }
        if let maxFeatures, maxFeatures < 1 { throw ValidationError("--max-features must be at least 1, got \(maxFeatures)") }
        if epochs < 1 || batchSize < 1 { throw ValidationError("--epochs and --batch-size must be at least 1") }
        let lrs: [Float] = try Self.list(lr, "lr")
        if lrs.contains(where: { !($0 > 0) }) { throw ValidationError("--lr values must be positive, got \(lr)") }
        let cs: [Double] = try Self.list(c, "c")
        if cs.contains(where: { !($0 > 0) }) { throw ValidationError("--c values must be positive, got \(c)") }
        if !(tolerance > 0) || maxIterations < 1 { throw ValidationError("--tolerance must be positive and --max-iterations at least 1") }
        if method.needsEmbeddings && embeddings.isEmpty {
            throw ValidationError("--method \(method.rawValue) needs --embeddings (the task's items embedded by `lexgraph embed`)")
        }
        let ks: [Int] = try Self.list(k, "k")
        if ks.contains(where: { $0 < 1 }) { throw ValidationError("--k values must be at least 1, got \(k)") }
        let ts: [Double] = try Self.list(temperature, "temperature")
        if ts.contains(where: { !($0 > 0) }) { throw ValidationError("--temperature values must be positive, got \(temperature)") }
        let _: [Float] = try Self.list(beta, "beta"), _: [Double] = try Self.list(gamma, "gamma"), _: [Float] = try Self.list(alpha, "alpha")
    }

    func run() throws {
        if let threads { BLAS.threadCount = threads }
        try PathSetting.argument(data).require("prepared task folder", folder: true)
        let prepared = try PreparedClauseTask.read(directory: data)
        var fit = ClauseFit(task: prepared, method: method, outDirectory: out)
        fit.grid.k = try Self.list(k, "k")
        fit.grid.temperature = try Self.list(temperature, "temperature")
        fit.grid.beta = try Self.list(beta, "beta")
        fit.grid.gamma = try Self.list(gamma, "gamma")
        fit.grid.alpha = try Self.list(alpha, "alpha")
        fit.tfidf = TfidfVectorizer(ngrams: 1...2, minDocumentFrequency: minDf, sublinearTF: true, maxFeatures: maxFeatures)
        fit.grid.learningRate = try Self.list(lr, "lr"); fit.linear.epochs = epochs; fit.linear.batchSize = batchSize; fit.linear.balanced = balanced
        fit.grid.c = try Self.list(c, "c"); fit.linear.solver = solver; fit.linear.tolerance = tolerance; fit.linear.maxIterations = maxIterations
        fit.graphPrototypes = graphPrototypes
        fit.maxTrainPerType = maxTrainPerType
        if method.needsEmbeddings {
            for path in embeddings { try PathSetting.argument(path).require("embeddings file") }
            fit.embeddings = try ClauseEmbeddings.read(paths: embeddings)
        }
        if prepared.task == .clauseTypes {
            fit.families = try ClausesEvalCommand.families(for: prepared.task, database: database)
        }
        if method.needsGraph || graphPrototypes {
            let store = try database.openReadOnly()
            fit.neighbourhood = try ClauseTypeNeighbourhood(store: store, types: prepared.scoredLabels)
        }
        if method == .labelGraph || graphPrototypes {
            let folder = try ModelPath.setting(model).require("model folder", folder: true)
            let embedder = SentenceEmbedder(model: try BertModel.load(directory: folder), tokenizer: try BertTokenizer.load(directory: folder),
                                            maxLength: maxLength, normalize: true)
            fit.encode = { try embedder.embed($0) }
        }
        let (result, selection) = try fit.run(log: { Console.note($0) })
        try ClauseFit.write(result, selection: selection)
        switch format {
        case .table: Console.text(ClauseEvaluation.table(result), terminator: "")
        case .json, .csv, .markdown: Console.data(ClauseEvaluation.metricsJSON(result).jsonText)
        }
    }
}
