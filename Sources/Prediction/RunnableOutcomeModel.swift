import Foundation
import Grounding
import LexgraphCore

/// One epoch of a trained model's learning curve: a line of a run folder's `epochs.jsonl`.
public struct EpochRecord: Sendable, Codable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var devLoss: Double?
    public var devAccuracy: Double?
    public var devAUC: Double?
    public var seconds: Double
    /// True for the epoch whose weights the model kept (early stopping on the dev metric).
    public var best: Bool

    public init(epoch: Int, trainLoss: Double, devLoss: Double? = nil, devAccuracy: Double? = nil, devAUC: Double? = nil,
                seconds: Double, best: Bool) {
        self.epoch = epoch; self.trainLoss = trainLoss; self.devLoss = devLoss; self.devAccuracy = devAccuracy
        self.devAUC = devAUC; self.seconds = seconds; self.best = best
    }

    enum CodingKeys: String, CodingKey {
        case epoch, seconds, best
        case trainLoss = "train_loss", devLoss = "dev_loss", devAccuracy = "dev_accuracy", devAUC = "dev_roc_auc"
    }
}

/// One reason behind a prediction, written for a reader: what it is, the graph path it came
/// from, and how far it moved the probability that the first party wins.
public struct Contribution: Sendable, Codable, Equatable {
    /// Where the reason lives in the model's input.
    public enum Source: String, Sendable, Codable {
        /// A verbalized graph fact in the transformer's context (segment B or a K-BERT branch).
        case contextFact = "context_fact"
        /// A graph feature of the feature head or the graph logistic regression.
        case graphFeature = "graph_feature"
        /// The case's own facts text.
        case text
        /// A case field outside the graph: an SCDB code or a historical win rate of the
        /// tabular logistic regression.
        case caseFeature = "case_feature"
    }

    public var source: Source
    /// The fact text, or "name = value" for a feature.
    public var text: String
    /// The graph path that produced it (`GraphFact.pathDescription`), when there is one.
    public var path: String?
    /// Change in P(first party wins) this input is responsible for: positive pushes towards
    /// the first party. Measured by occlusion (probability with it minus without it) unless
    /// the model says otherwise in its documentation.
    public var effect: Double

    public init(source: Source, text: String, path: String? = nil, effect: Double) {
        self.source = source; self.text = text; self.path = path; self.effect = effect
    }
}

/// A case-outcome model that a run folder can hold: `lexgraph train` fits it and saves it,
/// `lexgraph predict` reloads it (each kind has its own `load`, since what it needs to
/// rebuild differs) and asks it to explain its predictions.
public protocol RunnableOutcomeModel: OutcomeModel {
    /// Stable kind written to the run's `config.json` ("graph-logistic", "fused-transformer").
    static var kind: String { get }
    /// The learning curve of the last `fit` (empty for models fit in closed form).
    var history: [EpochRecord] { get }
    /// Writes everything needed to predict again into `directory` (created if missing).
    func save(to directory: String) throws
    /// The strongest reasons behind the prediction for `query`, strongest (largest
    /// |effect|) first, at most `top`.
    func explain(_ query: PredictionQuery, top: Int) throws -> [Contribution]
    /// The probability for `query` with its `top` strongest reasons (`explain`'s), in one
    /// call so a model can share the work between them.
    func explained(_ query: PredictionQuery, top: Int) throws -> (probability: Double, contributions: [Contribution])
}

extension RunnableOutcomeModel {
    public func explained(_ query: PredictionQuery, top: Int) throws -> (probability: Double, contributions: [Contribution]) {
        guard let p = try predictProbabilities([query]).first else { throw PredictionError("model '\(name)' returned no probability") }
        return (p, try explain(query, top: top))
    }
}

extension CaseInput {
    /// Every pre-decision code grounding may seed from, and the case's own graph node (used
    /// only when own citations are asked for). Outcome fields are not in `CaseInput`, so
    /// they cannot reach the graph context from here.
    public var groundingAttributes: Grounding.CaseAttributes {
        Grounding.CaseAttributes(caseKey: usid.map { "scotus:" + $0 }, term: term, issue: scdbIssue, issueArea: scdbIssueArea,
                       lawType: scdbLawType, lawSupp: scdbLawSupp.map { [$0] } ?? [],
                       petitioner: scdbPetitioner, respondent: scdbRespondent, caseSource: scdb?.caseSource,
                       caseOrigin: scdb?.caseOrigin, naturalCourt: scdb?.naturalCourt, lcDisposition: scdbLCDisposition)
    }
}

/// Grounds prediction queries in the graph as of their dates, once each: the graph-fused
/// transformer, the graph logistic regression and explanations share one grounder so a
/// case's walk runs once per process. Thread-safe. With `masking` (a masked run), every
/// fact's text is masked here, before any model selects, tokenizes or shows it.
public final class CaseGrounder: @unchecked Sendable {
    public let graph: GroundingGraph
    public let options: GroundingOptions
    public let masking: CaseMasking?
    private var cache: [PredictionQuery: CaseGrounding] = [:]
    private let lock = NSLock()

    public init(graph: GroundingGraph, options: GroundingOptions = GroundingOptions(), masking: CaseMasking? = nil) {
        self.graph = graph
        self.options = options
        self.masking = masking
    }

    /// A graph node's name as explanations show it (masked in a masked run).
    public func displayName(of key: String) throws -> String {
        let name = graph.name(of: key)
        return try masking?.mask(graphText: name) ?? name
    }

    /// The case's graph context and features as of `query.asOf` (strictly before it).
    public func grounding(for query: PredictionQuery) throws -> CaseGrounding {
        lock.lock()
        if let hit = cache[query] { lock.unlock(); return hit }
        lock.unlock()
        var grounding = try graph.ground(query.input.groundingAttributes, asOf: query.asOf, options: options)
        if let masking { grounding.facts = try masking.mask(grounding.facts) }
        lock.lock()
        cache[query] = grounding
        lock.unlock()
        return grounding
    }
}
