import Foundation
import LexgraphCore
import Transformer

/// A curator session over one pool, kept in a state folder: propose a batch, take labels
/// (from an answers file or the prompt), retrain, propose again. Every change is saved
/// before the call returns (`CuratorState`), so a crash loses at most the label being typed
/// and the next run resumes the same batch.
public final class CuratorSession {
    public let pool: LabelPool
    public let classes: ClassList
    public let embeddings: EmbeddingMatrix
    public let directory: String
    public var headSettings = EmbeddingHeadSettings()
    public private(set) var state: CuratorState
    /// The model of the latest retraining (nil before the first label).
    public private(set) var model: EmbeddingHead?
    /// This run's labels and skips, newest last, for undo.
    private var actions: [String] = []

    /// Opens the session in `directory`, or starts one there. A folder started on another
    /// pool or with other classes is refused; strategy and k may change between runs.
    public init(pool: LabelPool, classes: ClassList, embeddings: EmbeddingMatrix, directory: String,
                strategy: QueryStrategy, k: Int, seed: UInt64 = 42) throws {
        guard k > 0 else { throw ActiveLearningError("--k must be at least 1, got \(k)") }
        guard embeddings.count == pool.count else { throw ActiveLearningError("\(embeddings.count) embeddings for a pool of \(pool.count)") }
        self.pool = pool; self.classes = classes; self.embeddings = embeddings; self.directory = directory
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw ActiveLearningError("cannot create the state folder: \(error.localizedDescription)", file: directory)
        }
        if let saved = try CuratorState.load(directory: directory) {
            try Self.check(saved, directory: directory, pool: pool, classes: classes)
            state = saved
            state.strategy = strategy
            state.k = k
        } else {
            state = CuratorState(pool: pool.path, poolChecksum: pool.checksum, classes: classes.names, strategy: strategy, k: k, seed: seed)
            state.stopSet = StabilizingPredictions.stopSet(poolSize: pool.count, seed: seed).map { pool.items[$0].id }
            var byText: [String: String] = [:]
            for item in pool.items { byText[item.text] = item.id }
            for example in classes.seed {
                guard let id = example.id.flatMap({ pool.position(of: $0) != nil ? $0 : nil }) ?? byText[example.text] else {
                    throw ActiveLearningError("seed example is not in the pool (no row with its id or its text)", file: classes.path, line: example.line)
                }
                if !state.labels.contains(where: { $0.id == id }) { state.labels.append(LabelRecord(id: id, label: example.label, round: 0)) }
            }
        }
        try save()
    }

    /// Reopens the session a `lexgraph label` run left in `directory`, with its pool (the
    /// path, `text` and `id` fields), classes, strategy, k and seed, and the embeddings it
    /// computed there. A folder without them, or whose pool changed since, is refused.
    public static func resume(directory: String) throws -> CuratorSession {
        guard let saved = try CuratorState.load(directory: directory) else {
            throw ActiveLearningError("no curator session here (no \(CuratorState.fileName)): start one with `lexgraph label`", file: directory)
        }
        let pool = try LabelPool.load(path: saved.pool)
        let embeddingsPath = directory + "/" + CuratorState.embeddingsFile
        guard let embeddings = EmbeddingMatrix.stored(at: embeddingsPath) else {
            throw ActiveLearningError("no readable pool embeddings: run `lexgraph label` on this folder once to compute them", file: embeddingsPath)
        }
        guard embeddings.count == pool.count else {
            throw ActiveLearningError("\(embeddings.count) embeddings for a pool of \(pool.count) (\(saved.pool)): run `lexgraph label` on this folder to recompute them", file: embeddingsPath)
        }
        return try CuratorSession(pool: pool, classes: ClassList(names: saved.classes, path: directory + "/" + CuratorState.fileName), embeddings: embeddings,
                                  directory: directory, strategy: saved.strategy, k: saved.k, seed: saved.seed)
    }

    /// Refuses, before any work, a state folder started on another pool or other classes.
    public static func checkResumable(directory: String, pool: LabelPool, classes: ClassList) throws {
        guard let saved = try CuratorState.load(directory: directory) else { return }
        try check(saved, directory: directory, pool: pool, classes: classes)
    }

    static func check(_ saved: CuratorState, directory: String, pool: LabelPool, classes: ClassList) throws {
        let path = directory + "/" + CuratorState.fileName
        guard saved.poolChecksum == pool.checksum else {
            throw ActiveLearningError("this session was started on another pool (\(saved.pool)); use a new --state folder", file: path)
        }
        guard saved.classes == classes.names else {
            throw ActiveLearningError("this session was started with other classes (\(saved.classes.prefix(10).joined(separator: ", "))); use a new --state folder", file: path)
        }
    }

    // MARK: - Labels

    public var labelledCount: Int { state.labels.count }

    /// Labels `id` with class `name` (a second label for the same id replaces the first).
    public func label(_ id: String, as name: String) throws {
        guard classes.index(of: name) != nil else { throw ActiveLearningError("unknown class \"\(name)\"") }
        guard pool.position(of: id) != nil else { throw ActiveLearningError("no pool example has id \"\(id)\"") }
        record(id: id, label: name)
        actions.append(id)
        try save()
    }

    public func skip(_ id: String) throws {
        guard pool.position(of: id) != nil else { throw ActiveLearningError("no pool example has id \"\(id)\"") }
        if !state.skipped.contains(id) { state.skipped.append(id) }
        actions.append(id)
        try save()
    }

    /// Takes back this run's last label or skip; returns its id (nil: nothing to undo).
    @discardableResult
    public func undo() throws -> String? {
        guard let id = actions.popLast() else { return nil }
        state.labels.removeAll { $0.id == id }
        state.skipped.removeAll { $0 == id }
        try save()
        return id
    }

    private func record(id: String, label: String) {
        state.skipped.removeAll { $0 == id }
        if let i = state.labels.firstIndex(where: { $0.id == id }) {
            state.labels[i].label = label
        } else {
            state.labels.append(LabelRecord(id: id, label: label, round: state.round))
        }
    }

    /// Reads the curator's answers (see `AnswersFile`) and applies all of them, or none when
    /// any is bad. Returns (labelled, skipped).
    @discardableResult
    public func applyAnswers(path: String) throws -> (labelled: Int, skipped: Int) {
        try apply(try AnswersFile.read(path: path, classes: classes, pool: pool))
    }

    /// Applies answers `AnswersFile.check` accepted, all at once, with one save.
    @discardableResult
    public func apply(_ answers: [AnswersFile.Answer]) throws -> (labelled: Int, skipped: Int) {
        var labelled = 0, skipped = 0
        for answer in answers {
            if let label = answer.label {
                record(id: answer.id, label: label); labelled += 1
            } else if !state.skipped.contains(answer.id), !state.labels.contains(where: { $0.id == answer.id }) {
                state.skipped.append(answer.id); skipped += 1
            }
        }
        try save()
        return (labelled, skipped)
    }

    // MARK: - Rounds

    /// The batch to label: what is left of the current one, else a new batch of k from the
    /// model retrained on every label so far (random while nothing is labelled, for the
    /// strategies that need a model). Empty when the pool is exhausted.
    public func nextBatch() throws -> [String] {
        let remaining = state.remainingQueue
        if !remaining.isEmpty {
            // A resumed batch: a model is refitted on the labels so far for the suggestions,
            // without counting as a round for the stopping rule.
            if model == nil { try fit() }
            return remaining
        }
        let done = Set(state.labels.map(\.id)).union(state.skipped)
        let candidates = pool.items.indices.filter { !done.contains(pool.items[$0].id) }
        guard !candidates.isEmpty else { return [] }
        try retrain()
        var strategy = state.strategy
        var probabilities: [[Float]]?
        if strategy.usesModel {
            if let model { probabilities = model.probabilities(embeddings.values, rows: candidates) } else { strategy = .random }
        }
        let labelled = state.labels.compactMap { pool.position(of: $0.id) }
        let picks = try QuerySelection.select(strategy, k: state.k, candidates: candidates, probabilities: probabilities,
                                              embeddings: embeddings, labelled: labelled, seed: state.seed &+ UInt64(state.round))
        state.round += 1
        state.queue = picks.map { pool.items[$0].id }
        try save()
        return state.queue
    }

    /// Fits the head on every label so far and records its stop-set predictions.
    public func retrain() throws {
        guard try fit(), let model else { return }
        let stopRows = state.stopSet.compactMap { pool.position(of: $0) }
        state.stopping.record(model.probabilities(embeddings.values, rows: stopRows).map(Self.argmax))
    }

    /// Fits the head on every label so far; false (and no model) when there is none.
    @discardableResult
    func fit() throws -> Bool {
        let labelled = state.labels.compactMap { record -> (Int, Int)? in
            guard let p = pool.position(of: record.id), let c = classes.index(of: record.label) else { return nil }
            return (p, c)
        }
        guard !labelled.isEmpty else { model = nil; return false }
        var settings = headSettings
        settings.seed = state.seed
        let head = try EmbeddingHead.fit(embeddings.values, features: embeddings.dimension, rows: labelled.map(\.0), labels: labelled.map(\.1),
                                         classes: classes.names.count, settings: settings)
        model = head
        return true
    }

    /// The model's best class for `id` and its probability (nil before the first label).
    public func suggestion(for id: String) -> (label: String, probability: Float)? {
        guard let model, let p = pool.position(of: id) else { return nil }
        let row = model.probabilities(embeddings.values, rows: [p])[0]
        let best = Self.argmax(row)
        return (classes.names[best], row[best])
    }

    /// One line on the stopping rule's view.
    public var stoppingMessage: String {
        let rule = state.stopping
        guard let last = rule.agreements.last else {
            return "stopping rule: needs \(rule.window + 1) retrained models to compare (stabilizing predictions on \(state.stopSet.count) held-back examples)"
        }
        let recent = rule.recentAgreement.map { String(format: "%.3f", $0) } ?? "n/a"
        let verdict = rule.shouldStop ? "predictions have stabilized: more labels have stopped paying" : "keep labelling"
        return String(format: "stopping rule: kappa with the previous model %.3f, mean of the last %d rounds %@ (stop at %.2f): %@",
                      last, rule.window, recent, rule.threshold, verdict)
    }

    static func argmax(_ row: [Float]) -> Int {
        var best = 0
        for (i, x) in row.enumerated() where x > row[best] { best = i }
        return best
    }

    // MARK: - Files

    /// state.json, then labels.jsonl and queue.jsonl (each written whole and renamed).
    public func save() throws {
        try state.save(directory: directory)
        var labels = ""
        for r in state.labels {
            labels += Value.map(["id": .string(r.id), "label": .string(r.label), "round": .int(Int64(r.round))]).jsonText + "\n"
        }
        try AtomicFile.write(labels, to: directory + "/" + CuratorState.labelsFile)
        try AtomicFile.write(AnswersFile.queueText(ids: state.remainingQueue, pool: pool, suggest: suggestion(for:)),
                             to: directory + "/" + CuratorState.queueFile)
    }
}
