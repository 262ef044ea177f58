import LexgraphCore

/// What a model is given to predict one case: the leakage-safe input and the reference
/// date. `asOf` says which information counts as past (only what is known strictly
/// before it may be used); it is a cut-off, not a feature.
public struct PredictionQuery: Sendable, Hashable {
    public let input: CaseInput
    public let asOf: LegalDate

    public init(input: CaseInput, asOf: LegalDate) {
        self.input = input
        self.asOf = asOf
    }

    /// A query as of the input's own reference date (argument date or term start).
    public init(input: CaseInput) {
        self.init(input: input, asOf: input.referenceDate)
    }
}

/// A decided case as a model learns from it: the query plus whether the first party won.
public struct TrainingExample: Sendable, Hashable {
    public let query: PredictionQuery
    public let label: Bool

    public init(query: PredictionQuery, label: Bool) {
        self.query = query
        self.label = label
    }
}

/// A case-outcome model: fit on decided training cases, then give for each query the
/// probability that the first party (the petitioner) wins. Baselines, the logistic
/// regression and later the graph-fused transformer all conform, so the evaluation runner
/// scores them on the same cases.
///
/// Predicted labels come from `chosenThreshold`: `decisionThreshold` (0.5) unless the model
/// picks its own on its training cases alone. No threshold is tuned on the dev years: 2008-10
/// are unusually petitioner-heavy (72.4% against about 64% elsewhere), so a threshold tuned
/// on them would be skewed towards the petitioner; the models' probabilities are fit to the
/// training base rate instead, and 0.5 is the Bayes threshold for them.
public protocol OutcomeModel {
    /// Short name for tables ("majority", "past-outcome", ...).
    var name: String { get }
    /// Learns from `train`. `dev` may be used for early stopping or model selection only
    /// (it may be empty, as in walk-forward folds).
    mutating func fit(train: [TrainingExample], dev: [TrainingExample]) throws
    /// P(first party wins) for each query, in order.
    func predictProbabilities(_ queries: [PredictionQuery]) throws -> [Double]
    /// The probability at or above which this fitted model predicts a first-party win.
    var chosenThreshold: Double { get }
}

extension OutcomeModel {
    public var chosenThreshold: Double { decisionThreshold }
}

/// A model that trains on more than the fold's training examples (history kept with the
/// model, such as SCDB cases without text) and so must know where the fold's past ends.
/// The evaluator sets `trainingCutoff` before each `fit`: the earliest reference date of
/// the fold's dev and test cases. Everything the model then trains or calibrates on must
/// be known strictly before it.
public protocol FoldCutoffModel: OutcomeModel {
    var trainingCutoff: LegalDate? { get set }
}

/// The probability at or above which a case is predicted as a first-party win, for every
/// model that does not choose its own threshold on its training cases.
public let decisionThreshold = 0.5
