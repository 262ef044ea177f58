import Foundation
import LexgraphCore
import Transformer

/// Clause models fitted without fine-tuning the encoder, scored exactly as
/// `lexgraph clauses eval` scores a fine-tuning run (`ClauseScoring` on the committed
/// test split, thresholds tuned on dev, the same output files):
/// - over frozen sentence embeddings (`--embeddings`): nearest neighbours, nearest type
///   prototype, prototypes pulled towards label embeddings of the graph neighbourhood,
///   and a two-level type × family score (clause types only);
/// - over TF-IDF n-grams computed here (`tfidf`), and TF-IDF with the frozen embedding
///   appended as α-scaled columns in one linear model (`hybrid`), any task.
/// Every setting is chosen on the dev split; the test split is scored once, with it.
public enum ClauseFitMethod: String, CaseIterable, Sendable {
    case knn, centroid
    case labelGraph = "label-graph"
    case family, tfidf, hybrid

    public var needsEmbeddings: Bool { self != .tfidf }
    public var needsGraph: Bool { self == .labelGraph || self == .family }
    public var singleLabelOnly: Bool { self != .tfidf && self != .hybrid }
}

/// The settings tried on dev (each list is a grid axis).
public struct ClauseFitGrid: Sendable, Equatable {
    public var k = [5, 10, 20, 40]
    public var temperature = [0.02, 0.05, 0.1]
    public var beta: [Float] = [0, 0.25, 0.5, 1, 2]
    public var gamma = [0, 0.25, 0.5, 1, 2]
    /// Scale of the embedding columns beside TF-IDF (`hybrid`; 0 is TF-IDF alone).
    public var alpha: [Float] = [0.5, 1, 2]
    /// AdamW learning rates of the linear head (tfidf, hybrid; solver adamw).
    public var learningRate: [Float] = [0.05]
    /// C of the convex solvers (tfidf, hybrid; solver svm or logistic): the peer's grid.
    public var c = [0.1, 0.3, 1, 3, 10]
    public init() {}
}

public struct ClauseFit {
    public var task: PreparedClauseTask
    public var method: ClauseFitMethod
    public var outDirectory: String
    public var embeddings: ClauseEmbeddings?
    /// The graph's view of the types (label texts, LEDGAR prototypes, families).
    public var neighbourhood: ClauseTypeNeighbourhood?
    /// Encodes label texts (label-graph); the same encoder as `embeddings`.
    public var encode: (([String]) throws -> [[Float]])?
    /// Add the graph's LEDGAR prototype clauses to the labelled clauses (knn, centroid, ...).
    public var graphPrototypes = false
    public var grid = ClauseFitGrid()
    /// The peer's TF-IDF (`tools/bench_clause_peers.py`): every 1-2 gram, sublinear tf.
    public var tfidf = TfidfVectorizer(ngrams: 1...2, minDocumentFrequency: 1, sublinearTF: true)
    /// The peer's model by default: an L2-loss linear SVM per class, solved to tolerance.
    public var linear: SparseLinearSettings = { var s = SparseLinearSettings(); s.solver = .svm; return s }()
    /// Families for family accuracy (clause types).
    public var families: ClauseFamilies?
    /// Train on the first N training clauses of each type only (file order; clause types):
    /// a smaller labelled set, as when the encoder could embed only part of it.
    public var maxTrainPerType: Int?

    public init(task: PreparedClauseTask, method: ClauseFitMethod, outDirectory: String) {
        self.task = task; self.method = method; self.outDirectory = outDirectory
    }

    public static let selectionFile = "fit.json"

    struct Split {
        var path: String
        var items: [LabeledText]
        var gold: [[Int]]
    }

    /// The metric the dev split picks settings by.
    var selectionMetric: String {
        switch task.task { case .clauseTypes: return "accuracy"; case .cuad: return "aupr_mean"; case .unfairTOS: return "macro_f1" }
    }

    public func run(log: (String) -> Void = { _ in }) throws -> (result: ClauseEvaluation.Result, selection: Value) {
        let start = Date()
        if method.singleLabelOnly && task.task.isMultiLabel {
            throw ContractReviewError("--method \(method.rawValue) scores single-label clause types; for \(task.task.rawValue) use tfidf or hybrid",
                                      file: task.directory + "/" + PreparedClauseTask.fileName)
        }
        let labels = task.scoredLabels
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        func load(_ split: String) throws -> Split {
            let path = task.path(of: split)
            var items = try TextDataset.load(path: path, fields: TextDatasetFields(text: "text", label: "label", id: "id"), multiLabel: task.task.isMultiLabel)
            var gold: [[Int]] = []
            for i in items.indices {
                if task.task == .unfairTOS { items[i].labels.removeAll { $0 == ClauseTask.unfairOtherLabel } }
                gold.append(try items[i].labels.map { name in
                    guard let l = index[name] else {
                        throw ContractReviewError("label \"\(name)\" is not one of the task's \(labels.count) labels (task.json)", file: path, line: items[i].line)
                    }
                    return l
                })
            }
            return Split(path: path, items: items, gold: gold)
        }
        var train = try load("train")
        let dev = try load("dev"), test = try load("test")
        if let cap = maxTrainPerType {
            guard !task.task.isMultiLabel else { throw ContractReviewError("--max-train-per-type is for clause-types (one type per clause)") }
            var seen: [Int: Int] = [:]
            let keep = train.gold.indices.filter { i in
                seen[train.gold[i][0], default: 0] += 1
                return seen[train.gold[i][0]]! <= cap
            }
            train = Split(path: train.path, items: keep.map { train.items[$0] }, gold: keep.map { train.gold[$0] })
            log("training on \(keep.count) clauses: the first \(cap) of each type")
        }
        let familyNames = try families.map { try $0.families(of: labels) }

        var tried: [Value] = []
        var best: (metric: Double, settings: [String: Value], dev: [[Double]], test: [[Double]])?
        /// Scores one setting on dev; keeps it (and its test probabilities, computed lazily)
        /// when it is the best so far. Ties keep the earlier (simpler) setting.
        func consider(_ settings: [String: Value], dev devP: [[Double]], test testP: () throws -> [[Double]]) rethrows {
            let thresholds = task.task.isMultiLabel ? ClauseMetrics.tunedThresholds(gold: dev.gold.map(Set.init), scores: devP, labelCount: labels.count) : nil
            let scores = ClauseScoring.score(task: task.task, labels: labels, gold: dev.gold, probabilities: devP, thresholds: thresholds, families: familyNames)
            let metric = scores.metrics[selectionMetric] ?? -.infinity
            var row = settings
            row["dev_" + selectionMetric] = .float(metric)
            tried.append(.map(row))
            if best == nil || metric > best!.metric { best = (metric, settings, devP, try testP()) }
        }

        switch method {
        case .tfidf, .hybrid:
            try fitLinear(train: train, dev: dev, test: test, classes: labels.count, log: log, consider: consider)
        default:
            try fitPrototypes(train: train, dev: dev, test: test, labels: labels, log: log, consider: consider)
        }
        guard let best else { throw ContractReviewError("no setting was tried (an empty grid?)") }
        log("chosen on dev (\(selectionMetric) \(String(format: "%.4f", best.metric))): " + Value.map(best.settings).jsonText)

        let thresholds = task.task.isMultiLabel
            ? ClauseMetrics.tunedThresholds(gold: dev.gold.map(Set.init), scores: best.dev, labelCount: labels.count) : nil
        func scored(_ s: Split, _ p: [[Double]]) -> ClauseEvaluation.Split {
            ClauseEvaluation.Split(items: s.items, gold: s.gold, probabilities: p, truncated: 0,
                                   scores: ClauseScoring.score(task: task.task, labels: labels, gold: s.gold, probabilities: p,
                                                               thresholds: thresholds, families: familyNames))
        }
        let result = ClauseEvaluation.Result(task: task, runDirectory: outDirectory, labels: labels, maxLength: 0,
                                             dev: scored(dev, best.dev), test: scored(test, best.test), thresholds: thresholds,
                                             devReproduced: false, familyGraph: families?.source, seconds: Date().timeIntervalSince(start))
        var selection: [String: Value] = [
            "method": .string(method.rawValue), "selected_on": .string("dev " + selectionMetric),
            "chosen": .map(best.settings), "tried": .list(tried),
            "graph_prototypes": .bool(graphPrototypes), "train_items": .int(Int64(train.items.count)),
            "max_train_per_type": maxTrainPerType.map { .int(Int64($0)) } ?? .null,
            "data": .string(ClauseEvaluation.absolute(task.directory)),
        ]
        if let source = neighbourhood?.source { selection["graph"] = .string(source) }
        return (result, .map(selection))
    }

    /// Writes the evaluation files (`ClauseEvaluation.write`) and fit.json.
    public static func write(_ result: ClauseEvaluation.Result, selection: Value) throws {
        try FileManager.default.createDirectory(atPath: result.runDirectory, withIntermediateDirectories: true)
        try ClauseEvaluation.write(result)
        try ClauseEvaluation.writeFile(selection.jsonText + "\n", to: result.runDirectory + "/" + selectionFile)
    }

    // MARK: - Embedding prototypes

    func vectors(_ s: Split) throws -> [[Float]] {
        guard let embeddings else { throw ContractReviewError("--method \(method.rawValue) needs --embeddings (files from `lexgraph embed`)") }
        return try embeddings.vectors(of: s.items.map(\.id), lines: s.items.map(\.line), file: s.path)
    }

    func fitPrototypes(train: Split, dev: Split, test: Split, labels: [String], log: (String) -> Void,
                       consider: ([String: Value], [[Double]], () throws -> [[Double]]) throws -> Void) throws {
        var trainVectors = try vectors(train)
        var trainLabels = train.gold.map { $0[0] }
        let devVectors = try vectors(dev), testVectors = try vectors(test)
        if graphPrototypes || method.needsGraph {
            guard let neighbourhood else { throw ContractReviewError("--method \(method.rawValue) needs the contracts graph (--db)") }
            if graphPrototypes {
                var texts: [String] = [], classes: [Int] = []
                for (l, name) in labels.enumerated() { for p in neighbourhood.prototypes[name] ?? [] { texts.append(p.text); classes.append(l) } }
                guard let encode else { throw ContractReviewError("graph prototypes need the encoder (--model)") }
                trainVectors += try encode(texts)
                trainLabels += classes
                log("\(texts.count) LEDGAR prototype clauses from the graph added for \(Set(classes).count) types")
            }
        }
        let scorer = try PrototypeScorer(vectors: trainVectors, labels: trainLabels, classes: labels.count)
        switch method {
        case .knn:
            let k = grid.k.max() ?? 1
            let devN = scorer.neighbours(of: devVectors, k: k), testN = scorer.neighbours(of: testVectors, k: k)
            for k in grid.k { for t in grid.temperature {
                try consider(["k": .int(Int64(k)), "temperature": .float(t)], scorer.knnProbabilities(devN, k: k, temperature: t),
                             { scorer.knnProbabilities(testN, k: k, temperature: t) })
            } }
        case .centroid:
            let centroids = scorer.centroids()
            for t in grid.temperature {
                try consider(["temperature": .float(t)], softmax(PrototypeScorer.logSoftmaxCosines(devVectors, prototypes: centroids, temperature: t)),
                             { softmax(PrototypeScorer.logSoftmaxCosines(testVectors, prototypes: centroids, temperature: t)) })
            }
        case .labelGraph:
            guard let neighbourhood, let encode else { throw ContractReviewError("--method label-graph needs the graph (--db) and the encoder (--model)") }
            let texts = try labels.map { name -> String in
                guard let t = neighbourhood.text[name] else { throw ContractReviewError("the graph has no clause type \"\(name)\"", file: neighbourhood.source) }
                return t
            }
            let labelVectors = try encode(texts)
            let centroids = scorer.centroids()
            // β = ∞: the label embeddings alone (zero-shot), for reference on dev.
            for t in grid.temperature {
                try consider(["beta": .string("label only"), "temperature": .float(t)],
                             softmax(PrototypeScorer.logSoftmaxCosines(devVectors, prototypes: labelVectors, temperature: t)),
                             { softmax(PrototypeScorer.logSoftmaxCosines(testVectors, prototypes: labelVectors, temperature: t)) })
            }
            for beta in grid.beta {
                let prototypes = PrototypeScorer.blended(centroids, labels: labelVectors, beta: beta)
                for t in grid.temperature {
                    try consider(["beta": .float(Double(beta)), "temperature": .float(t)],
                                 softmax(PrototypeScorer.logSoftmaxCosines(devVectors, prototypes: prototypes, temperature: t)),
                                 { softmax(PrototypeScorer.logSoftmaxCosines(testVectors, prototypes: prototypes, temperature: t)) })
                }
            }
        case .family:
            guard let neighbourhood else { throw ContractReviewError("--method family needs the contracts graph (--db)") }
            let familyKeys = try neighbourhood.families.families(of: labels)
            let keys = Array(Set(familyKeys)).sorted()
            let familyIndex = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
            let family = familyKeys.map { familyIndex[$0]! }
            let centroids = scorer.centroids(), familyCentroids = scorer.groupCentroids(group: family, groups: keys.count)
            log("\(labels.count) types in \(keys.count) families")
            for t in grid.temperature {
                let devT = PrototypeScorer.logSoftmaxCosines(devVectors, prototypes: centroids, temperature: t)
                let devF = PrototypeScorer.logSoftmaxCosines(devVectors, prototypes: familyCentroids, temperature: t)
                let testT = PrototypeScorer.logSoftmaxCosines(testVectors, prototypes: centroids, temperature: t)
                let testF = PrototypeScorer.logSoftmaxCosines(testVectors, prototypes: familyCentroids, temperature: t)
                for g in grid.gamma {
                    try consider(["gamma": .float(g), "temperature": .float(t)],
                                 PrototypeScorer.familyFused(typeLogProbabilities: devT, familyLogProbabilities: devF, family: family, gamma: g),
                                 { PrototypeScorer.familyFused(typeLogProbabilities: testT, familyLogProbabilities: testF, family: family, gamma: g) })
                }
            }
        case .tfidf, .hybrid:
            break
        }
    }

    func softmax(_ logProbabilities: [[Double]]) -> [[Double]] { logProbabilities.map { $0.map { exp($0) } } }

    // MARK: - TF-IDF and the hybrid

    func fitLinear(train: Split, dev: Split, test: Split, classes: Int, log: (String) -> Void,
                   consider: ([String: Value], [[Double]], () throws -> [[Double]]) throws -> Void) throws {
        var vectorizer = tfidf
        vectorizer.fit(train.items.map(\.text))
        log("TF-IDF: \(vectorizer.featureCount) terms (\(vectorizer.ngrams.lowerBound)-\(vectorizer.ngrams.upperBound) grams, min df \(vectorizer.minDocumentFrequency))")
        let xs = [train, dev, test].map { vectorizer.transform($0.items.map(\.text)) }
        let dense = method == .hybrid ? try [train, dev, test].map(vectors) : nil
        let convex = linear.solver != .adamw
        // One value per fit: C for the convex solvers, the learning rate for AdamW.
        let strengths: [Double] = convex ? grid.c : grid.learningRate.map(Double.init)
        let settingsGrid = (method == .hybrid ? grid.alpha : [0]).flatMap { alpha in strengths.map { (alpha: alpha, strength: $0) } }
        var rows = xs, rowsAlpha: Float?
        for (alpha, strength) in settingsGrid {
            if let dense, rowsAlpha != alpha {
                rows = zip(xs, dense).map { $0.appending(dense: $1, scale: alpha) }
                rowsAlpha = alpha
            }
            var linear = self.linear
            if convex { linear.c = strength } else { linear.learningRate = Float(strength) }
            let started = Date()
            let head = try SparseLinearHead.fit(rows[0], labels: train.gold, classes: classes, multiLabel: task.task.isMultiLabel, settings: linear)
            var settings: [String: Value] = ["features": .int(Int64(rows[0].columns)), "solver": .string(linear.solver.rawValue),
                                             "balanced": .bool(linear.balanced), "min_df": .int(Int64(vectorizer.minDocumentFrequency))]
            if let report = head.report {
                settings["C"] = .float(linear.c)
                settings["tolerance"] = .float(linear.tolerance)
                settings["max_iterations_used"] = .int(Int64(report.maxIterations))
                settings["unconverged_classes"] = .int(Int64(report.unconverged.count))
                let limit = report.unconverged.isEmpty ? "" : ", \(report.unconverged.count) classes stopped at the limit before the tolerance"
                log(String(format: "alpha %.2f, C %g: fitted in %.1f s", Double(alpha), linear.c, Date().timeIntervalSince(started))
                    + " (\(linear.solver.rawValue), up to \(report.maxIterations) iterations\(limit))")
            } else {
                settings["lr"] = .float(Double(linear.learningRate))
                settings["epochs"] = .int(Int64(linear.epochs)); settings["batch_size"] = .int(Int64(linear.batchSize))
                log(String(format: "alpha %.2f, lr %g: fitted in %.1f s", Double(alpha), Double(linear.learningRate), Date().timeIntervalSince(started)))
            }
            if method == .hybrid { settings["alpha"] = .float(Double(alpha)) }
            try consider(settings, head.probabilities(rows[1]), { head.probabilities(rows[2]) })
        }
    }
}
