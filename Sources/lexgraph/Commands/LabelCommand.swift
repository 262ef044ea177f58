import ActiveLearning
import ArgumentParser
import Foundation
import LexgraphCore
import Tensor
import Terminal
import Tokenizers
import Transformer

/// `lexgraph label …`: active learning. Without a subcommand, the curator loop
/// (`LabelCurateCommand`); `lexgraph label simulate` replays it on labelled data.
struct LabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Active learning: propose the next examples to label, take the labels, retrain (or simulate it).",
        subcommands: [LabelCurateCommand.self, LabelSimulateCommand.self],
        defaultSubcommand: LabelCurateCommand.self
    )
}

/// The model options of both label commands: the frozen encoder that embeds, and the head.
struct LabelModelOptions: ParsableArguments {
    @Option(name: .long, help: "Model folder (default: $LEXGRAPH_MODEL or models/all-minilm-l6-v2).")
    var model: String?
    @Option(name: .long, help: "Token limit per text when embedding, special tokens included.")
    var maxLength = 256
    @Option(name: .long, help: "BLAS threads (default: $LEXGRAPH_BLAS_THREADS or 1).")
    var threads: Int?
    @Option(name: .long, help: "The head's AdamW learning rate.")
    var lr: Float = EmbeddingHeadSettings().learningRate
    @Option(name: .long, help: "The head's optimizer updates per fit (epochs = updates / batches, within 3-200; every label counts).")
    var updates = EmbeddingHeadSettings().updates

    /// The head's training settings from the options.
    var head: EmbeddingHeadSettings {
        var settings = EmbeddingHeadSettings()
        settings.learningRate = lr
        settings.updates = updates
        return settings
    }

    func validate() throws {
        if maxLength < 2 { throw ValidationError("--max-length must be at least 2, got \(maxLength)") }
        if !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number, got \(lr)") }
        if updates < 1 { throw ValidationError("--updates must be at least 1, got \(updates)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// The embeddings of `texts`, from `cache` when it holds these texts for this model,
    /// else computed (progress on stderr) and saved there.
    func embeddings(_ texts: [String], cache: String?, what: String) throws -> EmbeddingMatrix {
        if let threads { BLAS.threadCount = threads }
        let folder = try ModelPath.setting(model).require("model folder", folder: true)
        let key = PathSetting.absolute(folder) + "#max_length=\(maxLength)"
        return try EmbeddingMatrix.load(texts: texts, model: key, cache: cache) { texts in
            let embedder = SentenceEmbedder(model: try BertModel.load(directory: folder), tokenizer: try BertTokenizer.load(directory: folder),
                                            maxLength: maxLength)
            let start = Date()
            var rows: [[Float]] = []
            for from in stride(from: 0, to: texts.count, by: 512) {
                rows += try embedder.embed(Array(texts[from..<min(from + 512, texts.count)]))
                Console.note("embedding \(what): \(rows.count)/\(texts.count) texts, \(String(format: "%.0f", Date().timeIntervalSince(start))) s")
            }
            return rows
        }
    }
}

extension QueryStrategy: ExpressibleByArgument {}

/// `lexgraph label --pool FILE --labels FILE --state DIR`: one step of the curator loop, or
/// the whole loop at a prompt (`--interactive`).
struct LabelCurateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curate",
        abstract: "Propose the next k pool examples to label; take labels from --answers or a prompt; retrain.",
        discussion: """
        The model is a softmax head over frozen MiniLM sentence embeddings (computed once for the pool, \
        kept in DIR), retrained on every label each round. Without --answers or --interactive the command \
        writes the batch to DIR/queue.jsonl: fill in each "label" (null skips) and pass the file back with \
        --answers; the labels are taken and the next batch written. --interactive asks at the terminal \
        (a class number or name, s skip, u undo, ? classes, q quit). DIR/state.json keeps every label and \
        is rewritten atomically, so an interrupted session resumes. The stopping rule (stabilizing \
        predictions, Bloodgood and Vijay-Shanker 2009) says when more labels stop paying.
        """
    )

    @Option(name: .long, help: "Unlabelled pool: .jsonl ({\"text\", \"id\"}) or .tsv (text and optional id columns).")
    var pool: String
    @Option(name: .long, help: "The classes: a text file (one a line) or a labelled seed set (.jsonl/.tsv, its examples start labelled).")
    var labels: String
    @Option(name: .long, help: "State folder (created; resumed when it exists).")
    var state: String
    @Option(name: .long, help: "Examples per batch.")
    var k = 10
    @Option(name: .long, help: "random, least-confidence, margin, entropy or kcenter.")
    var strategy: QueryStrategy = .margin
    @Option(name: .long, help: "Labels for the current batch: the queue file with \"label\" filled in (.jsonl), or a .tsv with id and label columns.")
    var answers: String?
    @Flag(name: .long, help: "Label at a terminal prompt, batch after batch.")
    var interactive = false
    @Option(name: .long, help: "With --interactive: stop after this many batches.")
    var rounds: Int?
    @Option(name: .long, help: "Seed of the random picks and the stop set (kept from the first run).")
    var seed: UInt64 = 42
    @Option(name: .long, help: "Field (JSONL) or column (TSV) of the pool's text.")
    var textField = "text"
    @Option(name: .long, help: "Field or column of the pool's ids (line numbers when absent).")
    var idField = "id"
    @OptionGroup var embedder: LabelModelOptions
    @OptionGroup var masking: TrainingMaskOptions

    func validate() throws {
        if k < 1 { throw ValidationError("--k must be at least 1, got \(k)") }
        if let rounds, rounds < 1 { throw ValidationError("--rounds must be at least 1, got \(rounds)") }
        if interactive && answers != nil { throw ValidationError("--answers and --interactive are two ways to label: pick one") }
    }

    func run() throws {
        var pool = try LabelPool.load(path: pool, textField: textField, idField: idField)
        if let message = pool.duplicateMessage { Console.note("note: " + message) }
        var classes = try ClassList.load(path: labels)
        if let masker = try masking.masker() {
            // Before anything is embedded, shown, queued or saved; the state's pool
            // fingerprint is of the masked texts, so a resume must mask the same way.
            var replaced: [String: Int] = [:]
            func mask(_ text: String) -> String {
                let masked = masker.mask(text)
                for kind in masked.replaced { replaced[kind, default: 0] += 1 }
                return masked.text
            }
            pool = try LabelPool(path: pool.path, items: pool.items.map { var item = $0; item.text = mask(item.text); return item }, duplicates: pool.duplicates)
            classes.seed = classes.seed.map { var seed = $0; seed.text = mask(seed.text); return seed }
            Console.note("masked the pool and seed texts before embedding (\(masker.description)): \(TrainingMaskOptions.summary(replaced))")
        }
        try CuratorSession.checkResumable(directory: state, pool: pool, classes: classes)
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let embeddings = try embedder.embeddings(pool.items.map(\.text), cache: state + "/" + CuratorState.embeddingsFile, what: "the pool")
        let session = try CuratorSession(pool: pool, classes: classes, embeddings: embeddings, directory: state, strategy: strategy, k: k, seed: seed)
        session.headSettings = embedder.head
        if let answers {
            let applied = try session.applyAnswers(path: answers)
            Console.text("Took \(applied.labelled) label\(applied.labelled == 1 ? "" : "s") and \(applied.skipped) skip\(applied.skipped == 1 ? "" : "s") from \(answers).")
        }
        if interactive {
            let reader = TerminalLineReader()
            let outcome = try LabelPrompt.run(session: session, rounds: rounds, read: { prompt in
                if let reader {
                    switch try reader.readLine(prompt: prompt) {
                    case .line(let text): return text
                    case .cancelled, .endOfInput: return nil
                    }
                }
                // Piped answers (scripts, tests): no prompt, which would run into the next output line.
                return readLine()
            }, write: { Console.text($0) })
            Console.text("\(outcome == .exhausted ? "Done" : "Saved"): \(session.labelledCount) labelled of \(pool.count) in \(state); run again to go on.")
            Console.text(session.stoppingMessage)
            return
        }
        let batch = try session.nextBatch()
        Console.text("Round \(session.state.round) (\(session.state.strategy.rawValue)): \(session.labelledCount) labelled of \(pool.count) in the pool.")
        Console.text(session.stoppingMessage)
        guard !batch.isEmpty else {
            Console.text("The pool is exhausted: every example is labelled or skipped.")
            return
        }
        Console.text("Next \(batch.count) to label (written to \(state)/\(CuratorState.queueFile); fill in \"label\" and pass the file to --answers):")
        for id in batch {
            guard let p = pool.position(of: id) else { continue }
            var line = "  \(id)"
            if let s = session.suggestion(for: id) { line += String(format: "  [model: %@ %.2f]", s.label, s.probability) }
            let text = pool.items[p].text.replacingOccurrences(of: "\n", with: " ")
            Console.text(line + "  " + (text.count > 100 ? String(text.prefix(97)) + "..." : text))
        }
    }
}
