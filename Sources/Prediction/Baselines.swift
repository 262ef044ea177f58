/// Always predicts the training set's majority outcome, with the training win rate as the
/// probability (so its AUC is 0.5 and its Brier score reflects the base rate).
public struct MajorityClassModel: OutcomeModel {
    public let name = "majority"
    public private(set) var rate = 0.5

    public init() {}

    public mutating func fit(train: [TrainingExample], dev: [TrainingExample]) throws {
        guard !train.isEmpty else { throw PredictionError("majority baseline: no training cases") }
        rate = Double(train.filter(\.label).count) / Double(train.count)
    }

    public func predictProbabilities(_ queries: [PredictionQuery]) throws -> [Double] {
        [Double](repeating: rate, count: queries.count)
    }
}

/// The "most frequent past outcome" baseline: for each case, the petitioner win rate among
/// all cases with the same SCDB issue area whose outcome was known strictly before the
/// case's reference date (every labelled case of the dataset and the SCDB rows without
/// text, by time; not only the training split), Beta-smoothed towards the overall past rate
/// with `priorStrength` pseudo-cases. A case without an issue area, or whose issue area has
/// no past case, gets the overall past rate. The predicted outcome is that rate >= 0.5,
/// i.e. the past majority (up to the smoothing). It ignores its training set.
public struct PastOutcomeModel: OutcomeModel {
    public let name = "past-outcome"
    public let history: HistoricalFeatures

    public init(history: HistoricalFeatures) {
        self.history = history
    }

    public mutating func fit(train: [TrainingExample], dev: [TrainingExample]) throws {}

    public func predictProbabilities(_ queries: [PredictionQuery]) throws -> [Double] {
        queries.map { q in
            history.index.counts(for: q.input.historicalAttributes, asOf: q.asOf)
                .rate(.issueArea, priorStrength: history.priorStrength)
        }
    }
}

/// The graph-free, time-safe SCDB logistic regression: `SCDBFeatureEncoder` features
/// (one-hot SCDB codes + historical win rates) and an L2 logistic regression. `dev` is not
/// used: C = 1 and the one-hot minimum count 30 were chosen once on the `split_full` dev
/// years (ROC AUC and Brier over C in 0.03...3, minimum count 3/10/30/60, prior strength
/// 10/30; docs/prediction-baselines.md), never on test; the threshold is 0.5.
public struct SCDBLogisticModel: OutcomeModel {
    public let name = "scdb-logistic"
    public private(set) var encoder: SCDBFeatureEncoder
    public private(set) var regression: LogisticRegression

    public init(history: HistoricalFeatures, c: Double = 1.0, minimumCount: Int = 30) {
        encoder = SCDBFeatureEncoder(history: history, minimumCount: minimumCount)
        regression = LogisticRegression(c: c)
    }

    public mutating func fit(train: [TrainingExample], dev: [TrainingExample]) throws {
        guard !train.isEmpty else { throw PredictionError("scdb-logistic: no training cases") }
        encoder.fit(train.map(\.query))
        try regression.fit(rows: train.map { encoder.encode($0.query) }, labels: train.map(\.label),
                           featureCount: encoder.featureCount)
    }

    public func predictProbabilities(_ queries: [PredictionQuery]) throws -> [Double] {
        queries.map { regression.probability(encoder.encode($0)) }
    }

    /// A fitted model restored from its parts (a saved run's).
    init(encoder: SCDBFeatureEncoder, regression: LogisticRegression) {
        self.encoder = encoder
        self.regression = regression
    }

    /// The log-odds w·x + b of `query` (what a late blend combines).
    public func logit(_ query: PredictionQuery) -> Double {
        logit(encoder.encode(query))
    }

    /// The log-odds of an encoded row (the explanation occludes entries of it).
    func logit(_ row: SparseVector) -> Double {
        row.dot(regression.weights) + regression.intercept
    }
}
