import ContractReview
import Foundation

/// L2 logistic regression over TF-IDF n-grams of a case's facts text: the contract
/// reviewer's `TfidfVectorizer` (scikit-learn's, sublinear tf, smooth idf, L2 rows) and
/// `BinaryLinearSolvers.logisticRegression` (scikit-learn's `LogisticRegression(C)` with the
/// lbfgs solver, intercept unpenalised), so both halves are the ones already checked
/// against scikit-learn. The text half of `ClassicalBlendModel`.
public struct TfidfLogistic: Sendable {
    public private(set) var vectorizer: TfidfVectorizer
    public var c: Double
    /// The solver's stopping tolerance (scikit-learn's `tol`, on the mean loss's gradient).
    public var tolerance: Double
    public var maxIterations: Int
    public private(set) var weights: [Double] = []
    public private(set) var bias: Double = 0
    /// The n-gram of each column (for explanations).
    public private(set) var terms: [String] = []
    /// Whether the last fit reached `tolerance`.
    public private(set) var converged = true

    public init(c: Double, ngrams: ClosedRange<Int> = 1...2, minDocumentFrequency: Int = 2, tolerance: Double = 1e-6,
                maxIterations: Int = 2000) {
        vectorizer = TfidfVectorizer(ngrams: ngrams, minDocumentFrequency: minDocumentFrequency, sublinearTF: true)
        self.c = c
        self.tolerance = tolerance
        self.maxIterations = maxIterations
    }

    /// A fitted part restored from saved parameters; nil when they disagree in size.
    init?(vectorizer: TfidfVectorizer, c: Double, weights: [Double], bias: Double) {
        guard weights.count == vectorizer.featureCount else { return nil }
        self.vectorizer = vectorizer
        self.c = c
        tolerance = 1e-6
        maxIterations = 2000
        self.weights = weights
        self.bias = bias
        terms = vectorizer.termsByColumn
    }

    public var isFitted: Bool { !terms.isEmpty || !weights.isEmpty }

    public mutating func fit(texts: [String], labels: [Bool]) throws {
        guard !texts.isEmpty, texts.count == labels.count else {
            throw PredictionError("TF-IDF logistic regression: \(texts.count) texts for \(labels.count) labels (at least one of each needed)")
        }
        guard c > 0, c.isFinite else { throw PredictionError("TF-IDF logistic regression: C must be positive, got \(c)") }
        vectorizer.fit(texts)
        let rows = vectorizer.transform(texts)
        let solution = BinaryLinearSolvers.logisticRegression(BinaryLinearProblem(rows: rows, positive: labels, costPositive: c, costNegative: c),
                                                             tolerance: tolerance, maxIterations: maxIterations)
        weights = solution.weights
        bias = solution.bias
        converged = solution.converged
        terms = vectorizer.termsByColumn
    }

    /// The log-odds w·x + b of each text.
    public func logits(_ texts: [String]) -> [Double] {
        let rows = vectorizer.transform(texts)
        return (0..<rows.count).map { i in
            let (ix, vs) = rows.row(i)
            var s = bias
            for (j, v) in zip(ix, vs) { s += weights[Int(j)] * Double(v) }
            return s
        }
    }

    /// Each n-gram of `text` in the vocabulary with its share w_j·x_j of the logit.
    public func termContributions(_ text: String) -> [(term: String, logit: Double)] {
        let rows = vectorizer.transform([text])
        let (ix, vs) = rows.row(0)
        return zip(ix, vs).map { j, v in (term: terms[Int(j)], logit: weights[Int(j)] * Double(v)) }
    }
}
