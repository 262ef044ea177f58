import Foundation
import Grounding
import LexgraphCore

/// The graph-features-only logistic regression (issue 5's baseline for the graph side):
/// the 44 time-safe `GraphFeatures` of each case, grounded as of its reference date by a
/// shared `CaseGrounder`, standardized with the training cases' mean and standard
/// deviation, and fit with the package's `LogisticRegression` (L2, C = `c`). It sees no
/// text and no SCDB code directly, only what the graph says about the case's groups,
/// neighbourhood and (when grounding includes them) cited precedents.
///
/// `dev` is not used (no early stopping, C fixed at 1 like the SCDB baseline); the
/// threshold is `decisionThreshold`. Fit in closed form, so `history` is empty.
public struct GraphFeatureLogisticModel: RunnableOutcomeModel {
    public static let kind = "graph-logistic"
    public let name: String
    public let grounder: CaseGrounder
    public private(set) var regression: LogisticRegression
    /// Training mean and standard deviation of each feature, in `GraphFeatures.names` order.
    public private(set) var standardizer = FeatureStandardizer(means: [], deviations: [])

    public var history: [EpochRecord] { [] }
    public var isFitted: Bool { !regression.weights.isEmpty }

    /// File the model is saved as inside a run's `model/` folder.
    public static let fileName = "graph-logistic.json"

    public init(grounder: CaseGrounder, c: Double = 1.0, name: String = GraphFeatureLogisticModel.kind) {
        self.grounder = grounder
        self.name = name
        regression = LogisticRegression(c: c)
    }

    public mutating func fit(train: [TrainingExample], dev: [TrainingExample]) throws {
        guard !train.isEmpty else { throw PredictionError("\(name): no training cases") }
        let features = try grounder.groundings(for: train.map(\.query)).map(\.features.values)
        standardizer = FeatureStandardizer(training: features)
        try regression.fit(rows: features.map { SparseVector(dense: try standardize($0)) }, labels: train.map(\.label), featureCount: GraphFeatures.names.count)
    }

    public func predictProbabilities(_ queries: [PredictionQuery]) throws -> [Double] {
        try requireFitted()
        return try grounder.groundings(for: queries).map { probability(try standardize($0.features.values)) }
    }

    /// Occlusion per feature: the probability with the case's value minus the probability
    /// with that one feature set to its training mean (standardized 0); the text is
    /// "name = value" and, where a fact carries that evidence (`GraphFeatureEvidence`),
    /// that fact's text and graph path.
    public func explain(_ query: PredictionQuery, top: Int) throws -> [Contribution] {
        try requireFitted()
        let grounding = try grounder.grounding(for: query)
        let raw = grounding.features.values
        let x = try standardize(raw)
        let full = probability(x)
        var contributions: [Contribution] = []
        for (j, name) in GraphFeatures.names.enumerated() {
            var occluded = x
            occluded[j] = 0
            let effect = full - probability(occluded)
            let fact = GraphFeatureEvidence.fact(forFeature: name, in: grounding.facts)
            var text = "\(name) = \(String(format: "%.3f", raw[j]))"
            if let fact { text += " (\(fact.text))" }
            contributions.append(Contribution(source: .graphFeature, text: text, path: fact?.pathDescription, effect: effect))
        }
        contributions.sort { abs($0.effect) > abs($1.effect) }
        return Array(contributions.prefix(max(0, top)))
    }

    // MARK: Saving

    /// What `model/graph-logistic.json` holds.
    struct Saved: Codable {
        var kind: String
        var name: String
        var c: Double
        var featureNames: [String]
        var means: [Double]
        var standardDeviations: [Double]
        var weights: [Double]
        var intercept: Double
        var includeOwnCitations: Bool

        enum CodingKeys: String, CodingKey {
            case kind, name, c, means, weights, intercept
            case featureNames = "feature_names", standardDeviations = "stds", includeOwnCitations = "include_own_citations"
        }
    }

    public func save(to directory: String) throws {
        try requireFitted()
        let saved = Saved(kind: Self.kind, name: name, c: regression.c, featureNames: GraphFeatures.names, means: standardizer.means,
                          standardDeviations: standardizer.deviations, weights: regression.weights, intercept: regression.intercept,
                          includeOwnCitations: grounder.options.includeOwnCitations)
        try RunFiles.writeJSON(saved, to: (directory as NSString).appendingPathComponent(Self.fileName))
    }

    /// Restores a saved model; it grounds with `grounder`, which must include (or leave
    /// out) the cases' own citations as the saved model's grounding did.
    public static func load(from directory: String, grounder: CaseGrounder) throws -> GraphFeatureLogisticModel {
        let path = (directory as NSString).appendingPathComponent(fileName)
        let saved: Saved = try RunFiles.readJSON(Saved.self, from: path, what: "graph-logistic model")
        let p = GraphFeatures.names.count
        guard saved.kind == kind else { throw PredictionError("model kind is '\(saved.kind)', expected '\(kind)'", file: path, line: 1) }
        guard saved.featureNames == GraphFeatures.names else {
            throw PredictionError("the saved feature names differ from this build's \(p) graph features: retrain the run", file: path, line: 1)
        }
        guard saved.means.count == p, saved.standardDeviations.count == p, saved.weights.count == p else {
            throw PredictionError("expected \(p) means, stds and weights, found \(saved.means.count), \(saved.standardDeviations.count), \(saved.weights.count)",
                                  file: path, line: 1)
        }
        guard (saved.means + saved.standardDeviations + saved.weights + [saved.intercept]).allSatisfy(\.isFinite),
              saved.standardDeviations.allSatisfy({ $0 > 0 }) else {
            throw PredictionError("non-finite parameter or non-positive std", file: path, line: 1)
        }
        guard saved.includeOwnCitations == grounder.options.includeOwnCitations else {
            throw PredictionError("the model was fit with include_own_citations = \(saved.includeOwnCitations); ground with the same option",
                                  file: path, line: 1)
        }
        var model = GraphFeatureLogisticModel(grounder: grounder, c: saved.c, name: saved.name)
        model.regression = LogisticRegression(c: saved.c, weights: saved.weights, intercept: saved.intercept)
        model.standardizer = FeatureStandardizer(means: saved.means, deviations: saved.standardDeviations)
        return model
    }

    // MARK: Helpers

    /// (x - mean) / std per feature.
    public func standardize(_ raw: [Double]) throws -> [Double] { try standardizer.standardize(raw) }

    func probability(_ standardized: [Double]) -> Double {
        regression.probability(SparseVector(dense: standardized))
    }

    private func requireFitted() throws {
        guard isFitted else { throw PredictionError("\(name): the model is not fitted") }
    }
}
