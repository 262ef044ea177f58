import LexgraphCore

/// A case of the dataset: its leakage-safe input and, kept apart from it, what is only
/// known once it is decided (the label and the decision date) and its split roles.
/// Models receive `query` (input + reference date) to predict and the label only in
/// training examples; they never see a `LabelledCase`.
public struct LabelledCase: Sendable {
    public let input: CaseInput
    /// `label_first_party_winner`; nil for the few cases without a label (excluded from
    /// training and evaluation, and counted).
    public let label: Bool?
    /// `decision_date` as recorded; nil for cases without an SCDB match.
    public let decisionDate: LegalDate?
    public let splits: [FixedSplit: SplitRole]
    /// Line of the case in `cases.jsonl`, for messages.
    public let line: Int

    public init(input: CaseInput, label: Bool?, decisionDate: LegalDate?, splits: [FixedSplit: SplitRole], line: Int) {
        self.input = input
        self.label = label
        self.decisionDate = decisionDate
        self.splits = splits
        self.line = line
    }

    /// The date a case's features are computed as of (see `CaseInput.referenceDate`):
    /// built from the input alone, so the decision date never reaches a feature.
    public var asOf: LegalDate { input.referenceDate }

    /// The date from which this case's outcome counts as known to later cases: the
    /// decision date where recorded; otherwise the last day before the next term
    /// (September 30 of the following year), which can only be later than the truth.
    public var outcomeKnownFrom: LegalDate {
        decisionDate ?? LegalDate(year: input.term + 1, month: 9, day: 30) ?? LegalDate(year: 9999, month: 12, day: 31)!
    }

    /// What a model is asked about this case.
    public var query: PredictionQuery { PredictionQuery(input: input, asOf: asOf) }

    /// The training example for this case, nil when it has no label.
    public var example: TrainingExample? {
        label.map { TrainingExample(query: query, label: $0) }
    }
}

/// The two fixed time splits stored in `cases.jsonl`.
public enum FixedSplit: String, CaseIterable, Sendable {
    /// train <= 2007, dev 2008-10, test 2011-13.
    case full = "split_full"
    /// train <= 1991, dev 1992-95, test 1996-2000 (where the citation network is complete).
    case graphWindow = "split_graph_window"
}

/// A case's role in one split; `excluded` keeps the file's reason (`excluded_no_graph`, ...).
public enum SplitRole: Sendable, Hashable {
    case train, dev, test
    case excluded(String)

    public init(_ text: String) {
        switch text {
        case "train": self = .train
        case "dev": self = .dev
        case "test": self = .test
        default: self = .excluded(text)
        }
    }
}
