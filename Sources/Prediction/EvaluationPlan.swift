/// Which cases a model is trained on and scored on.
public enum EvaluationPlan: Sendable, Hashable {
    /// One of the fixed time splits of `cases.jsonl`: fit on its train cases, score its
    /// test cases (and, separately, its dev cases).
    case fixed(FixedSplit)
    /// For each term in `terms`: fit on every labelled case of earlier terms (no dev set),
    /// predict that term; the predictions of all terms are pooled and scored together.
    case walkForward(ClosedRange<Int>)

    /// The walk-forward protocol: terms 2001-2013.
    public static let standardWalkForward = EvaluationPlan.walkForward(2001...2013)

    public var name: String {
        switch self {
        case .fixed(let split): return split.rawValue
        case .walkForward(let terms): return "walk-forward \(terms.lowerBound)-\(terms.upperBound)"
        }
    }
}

/// One train/dev/test partition of labelled cases.
public struct Fold: Sendable {
    public let name: String
    public let train: [LabelledCase]
    public let dev: [LabelledCase]
    public let test: [LabelledCase]
}

extension CaseDataset {
    /// The folds of a plan, over labelled cases only (unlabelled ones are never used).
    public func folds(_ plan: EvaluationPlan) -> [Fold] {
        let labelled = labelledCases
        switch plan {
        case .fixed(let split):
            func role(_ r: SplitRole) -> [LabelledCase] { labelled.filter { $0.splits[split] == r } }
            return [Fold(name: split.rawValue, train: role(.train), dev: role(.dev), test: role(.test))]
        case .walkForward(let terms):
            return terms.map { term in
                Fold(name: "term \(term)", train: labelled.filter { $0.input.term < term }, dev: [],
                     test: labelled.filter { $0.input.term == term })
            }
        }
    }

    /// Unlabelled cases that would have been scored under the plan (reported as excluded).
    public func unlabelledExcluded(_ plan: EvaluationPlan) -> Int {
        let unlabelled = cases.filter { $0.label == nil }
        switch plan {
        case .fixed(let split):
            // The file marks them `excluded_no_label`; count those in the test terms of
            // the split by the term range its labelled test cases span.
            let testTerms = labelledCases.filter { $0.splits[split] == .test }.map(\.input.term)
            guard let lo = testTerms.min(), let hi = testTerms.max() else { return 0 }
            return unlabelled.filter { (lo...hi).contains($0.input.term) }.count
        case .walkForward(let terms):
            return unlabelled.filter { terms.contains($0.input.term) }.count
        }
    }
}
