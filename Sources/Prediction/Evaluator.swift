import Foundation
/// The scores of one model on one set of cases, with bootstrap intervals.
public struct ModelScores: Sendable {
    public let model: String
    public let cases: Int
    public let metrics: [Metric: Double]
    public let intervals: [Metric: ClosedRange<Double>]
}

/// A scored prediction, kept so reports can show or save them (a run folder's
/// `predictions-*.csv` rows).
public struct ScoredPrediction: Sendable, Equatable {
    /// Line of the case in `cases.jsonl`: identifies the case across models and runs.
    public let caseLine: Int
    public let term: Int
    public let usid: String?
    public let label: Bool
    public let probability: Double
    /// The fitted model's `chosenThreshold` when it made this prediction.
    public let threshold: Double
    /// The predicted outcome: first party wins.
    public var predicted: Bool { probability >= threshold }

    public init(caseLine: Int, term: Int, usid: String?, label: Bool, probability: Double, threshold: Double = decisionThreshold) {
        self.caseLine = caseLine
        self.term = term
        self.usid = usid
        self.label = label
        self.probability = probability
        self.threshold = threshold
    }
}

/// Where an evaluation is: shown by `lexgraph train` as it goes.
public struct EvaluationProgress: Sendable {
    public enum Phase: Sendable { case fitting, predicting, finished }
    public let fold: String
    /// 1-based position of the fold among `foldCount`.
    public let foldIndex: Int
    public let foldCount: Int
    public let model: String
    public let phase: Phase
    /// Seconds the model took to fit and predict this fold (when `finished`).
    public let seconds: Double?
}

/// The outcome of evaluating several models under one plan on the same cases.
public struct EvaluationReport: Sendable {
    public let plan: EvaluationPlan
    /// Training cases (for walk-forward: of the last fold).
    public let trainCases: Int
    public let testCases: Int
    public let testPetitionerRate: Double
    public let unlabelledExcluded: Int
    /// The thresholds each model applied, lowest to highest over its folds (0.5...0.5 for
    /// a model that does not choose its own).
    public let thresholds: [String: ClosedRange<Double>]
    public let test: [ModelScores]
    /// Scores on the dev cases of a fixed split (empty for walk-forward).
    public let dev: [ModelScores]
    public let devCases: Int
    public let devPetitionerRate: Double?
    /// Test predictions per model name.
    public let predictions: [String: [ScoredPrediction]]
    /// Dev predictions per model name (empty for walk-forward).
    public let devPredictions: [String: [ScoredPrediction]]
    /// Model names in the order they were given (the order of `test`).
    public var modelNames: [String] { test.map(\.model) }
}

/// Runs the evaluation protocol: per fold, fit each model on the training cases (dev passed
/// for early stopping only), predict the test (and dev) cases, then score the pooled test
/// predictions of every model on the same cases with paired bootstrap intervals.
public struct Evaluator: Sendable {
    public var bootstrap: Bootstrap

    public init(bootstrap: Bootstrap = Bootstrap()) {
        self.bootstrap = bootstrap
    }

    /// The thresholds each model's predictions were made at, lowest to highest.
    public static func thresholds(_ models: [(model: String, predictions: [ScoredPrediction])]) -> [String: ClosedRange<Double>] {
        var out: [String: ClosedRange<Double>] = [:]
        for (model, predictions) in models {
            let t = predictions.map(\.threshold)
            if let lo = t.min(), let hi = t.max() { out[model] = lo...hi }
        }
        return out
    }

    /// The baselines every evaluation reports: majority class, most frequent past outcome,
    /// and the time-safe SCDB logistic regression.
    public static func baselines(dataset: CaseDataset) -> [any OutcomeModel] {
        let history = HistoricalFeatures(index: HistoricalOutcomeIndex(records: dataset.pastOutcomes))
        return [MajorityClassModel(), PastOutcomeModel(history: history), SCDBLogisticModel(history: history)]
    }

    /// Each model in `models` is a template: per fold it is copied and the copy fit, so a
    /// value-type model starts fresh every fold (a reference-type model is refit in place,
    /// which is equivalent as its test predictions are taken right after fitting).
    /// `progress` hears each step; `fitted` receives every fitted copy with its fold (a
    /// run keeps the last one to save it).
    public func evaluate(_ plan: EvaluationPlan, dataset: CaseDataset, models: [any OutcomeModel],
                         progress: ((EvaluationProgress) -> Void)? = nil,
                         fitted: ((Fold, any OutcomeModel) -> Void)? = nil) throws -> EvaluationReport {
        let folds = dataset.folds(plan)
        var testPredictions: [String: [ScoredPrediction]] = [:]
        var devPredictions: [String: [ScoredPrediction]] = [:]
        guard !models.isEmpty else { throw PredictionError("no models to evaluate") }
        let names = models.map(\.name)
        guard Set(names).count == names.count else {
            throw PredictionError("model names must be unique, got \(names.joined(separator: ", "))")
        }
        for (foldIndex, fold) in folds.enumerated() {
            guard !fold.test.isEmpty else { continue }
            guard !fold.train.isEmpty else { throw PredictionError("\(fold.name): no training cases") }
            let train = fold.train.compactMap(\.example)
            let dev = fold.dev.compactMap(\.example)
            for template in models {
                func report(_ phase: EvaluationProgress.Phase, _ seconds: Double? = nil) {
                    progress?(EvaluationProgress(fold: fold.name, foldIndex: foldIndex + 1, foldCount: folds.count,
                                                 model: template.name, phase: phase, seconds: seconds))
                }
                let start = Date()
                var model = template
                if var bounded = model as? any FoldCutoffModel {
                    bounded.trainingCutoff = (fold.dev + fold.test).map(\.asOf).min()
                    model = bounded
                }
                report(.fitting)
                try model.fit(train: train, dev: dev)
                fitted?(fold, model)
                report(.predicting)
                testPredictions[model.name, default: []] += try score(model, fold.test)
                if !fold.dev.isEmpty { devPredictions[model.name, default: []] += try score(model, fold.dev) }
                report(.finished, Date().timeIntervalSince(start))
            }
        }
        guard let first = names.first, let pooled = testPredictions[first], !pooled.isEmpty else {
            throw PredictionError("\(plan.name): no test cases")
        }
        let devPooled = devPredictions[first] ?? []
        return EvaluationReport(
            plan: plan, trainCases: folds.last?.train.count ?? 0, testCases: pooled.count,
            testPetitionerRate: rate(pooled), unlabelledExcluded: dataset.unlabelledExcluded(plan),
            thresholds: Self.thresholds(names.map { ($0, testPredictions[$0] ?? []) }),
            test: try names.map { try scores($0, testPredictions[$0] ?? []) },
            dev: devPooled.isEmpty ? [] : try names.map { try scores($0, devPredictions[$0] ?? []) },
            devCases: devPooled.count, devPetitionerRate: devPooled.isEmpty ? nil : rate(devPooled),
            predictions: testPredictions, devPredictions: devPredictions)
    }

    /// Scores several models' predictions of the same cases (same case lines; each list
    /// is put in case-line order so the bootstrap resamples are paired). Different case
    /// sets are an error naming both models.
    public func scores(of models: [(model: String, predictions: [ScoredPrediction])]) throws -> [ModelScores] {
        guard let first = models.first else { throw PredictionError("no predictions to score") }
        let reference = first.predictions.map(\.caseLine).sorted()
        return try models.map { m in
            let sorted = m.predictions.sorted { $0.caseLine < $1.caseLine }
            guard sorted.map(\.caseLine) == reference else {
                throw PredictionError("'\(m.model)' was scored on \(sorted.count) cases and '\(first.model)' on \(reference.count), not the same cases")
            }
            return try scores(m.model, sorted)
        }
    }

    private func score(_ model: any OutcomeModel, _ cases: [LabelledCase]) throws -> [ScoredPrediction] {
        let labelled = cases.filter { $0.label != nil }
        let probabilities = try model.predictProbabilities(labelled.map(\.query))
        guard probabilities.count == labelled.count else {
            throw PredictionError("model '\(model.name)' returned \(probabilities.count) probabilities for \(labelled.count) cases")
        }
        return zip(labelled, probabilities).map { c, p in
            ScoredPrediction(caseLine: c.line, term: c.input.term, usid: c.input.usid, label: c.label ?? false, probability: p,
                             threshold: model.chosenThreshold)
        }
    }

    private func scores(_ name: String, _ predictions: [ScoredPrediction]) throws -> ModelScores {
        let labels = predictions.map(\.label)
        let probabilities = predictions.map(\.probability)
        let predicted = predictions.map(\.predicted)
        return ModelScores(model: name, cases: predictions.count,
                           metrics: try Metrics.all(labels: labels, probabilities: probabilities, predicted: predicted),
                           intervals: try bootstrap.intervals(labels: labels, probabilities: probabilities, predicted: predicted))
    }

    private func rate(_ predictions: [ScoredPrediction]) -> Double {
        Double(predictions.filter(\.label).count) / Double(max(1, predictions.count))
    }
}
