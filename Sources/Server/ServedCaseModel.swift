import Foundation
import GraphStore
import LexgraphCore
import Prediction

/// A registered case-outcome run (`lexgraph train`) loaded to serve: `Predictor`, the
/// façade `lexgraph predict` uses, over the server's own graph, so a case is grounded as
/// of its reference date in the graph the server serves (loaded once per version, when
/// the version is first asked for). The SCDB table that `scdb_caseId` joins is the run's
/// data folder's, when that folder is there.
public final class ServedCaseModel: LoadedModel, @unchecked Sendable {
    public let version: StoredModelVersion
    public let predictor: Predictor

    public init(_ version: StoredModelVersion, store: GraphStore) throws {
        guard version.kind == ModelRegistry.Kind.caseOutcome.rawValue else {
            throw ServerError("model \(version.name) version \(version.version) is a \(version.kind) run, not a case-outcome run")
        }
        try ServedModel.checkFolder(version)
        self.version = version
        do {
            let config = try RunFolder(existing: version.runPath).config()
            predictor = try Predictor(run: version.runPath, store: store, scdb: try Predictor.scdbTable(dataFolder: config.dataPath))
        } catch {
            throw ServerError("model \(version.name) version \(version.version) cannot be loaded from \(version.runPath): \(error)")
        }
    }

    /// What one infer call returns per case.
    public struct Output: Sendable, Equatable {
        public var probability: Double
        public var winner: String
        /// The model's threshold: `winner` is the first party at or above it.
        public var threshold: Double
        /// The date the case's graph context was taken as of (strictly before it).
        public var asOf: LegalDate
    }

    /// The cases of a request: the whitelist and identifier checks of `lexgraph predict`.
    func cases(_ objects: [([String: Value], SourceLocation)]) throws -> [CaseInput] {
        try predictor.cases(objects: objects)
    }

    public func infer(_ cases: [CaseInput]) throws -> [Output] {
        try zip(cases, predictor.probabilities(cases)).map { input, p in
            let threshold = predictor.model.chosenThreshold
            return Output(probability: p, winner: ExplainedPrediction.winner(p, threshold: threshold), threshold: threshold, asOf: input.referenceDate)
        }
    }
}
