import Compliance
import Foundation
import GraphStore
import Grounding
import LexgraphCore

/// A `lexgraph train` run's saved model made ready to predict pending cases: the one
/// entry point behind `lexgraph predict` and the server's case-outcome routes.
///
/// Each case is grounded in `store`'s graph as of its own reference date
/// (`CaseInput.referenceDate`: the argument date, else the start of its term), which
/// precedes its decision, so nothing dated on or after that date reaches a prediction or
/// its explanation. The cases come through `PendingCases`' whitelist, so an outcome field
/// is refused by name, never dropped.
///
/// A run trained with masking (`CaseMasking`, recorded in its config) masks every pending
/// case's text and graph context the same way before the model sees it, whatever the
/// caller sends: `probabilities` and `explain` mask the cases they are given, and the
/// grounder masks the context.
///
/// Models reuse buffers between calls (the fused transformer), so calls take turns.
public final class Predictor: @unchecked Sendable {
    public let folder: RunFolder
    public let config: RunConfig
    public let model: any RunnableOutcomeModel
    /// The SCDB table pending cases are joined with by `scdb_caseId` (nil: none, and a case
    /// naming one is refused rather than predicted without its SCDB columns).
    public let scdb: SCDBTable?
    /// The run's masking (nil: the run was trained on unmasked text).
    public let masking: CaseMasking?
    let identifiers: PendingCaseIdentifiers
    private let lock = NSLock()

    /// Loads the run at `run`, grounding in `store`'s graph (loaded once, here).
    public init(run: String, store: GraphStore, scdb: SCDBTable?) throws {
        folder = try RunFolder(existing: run)
        config = try folder.config()
        self.scdb = scdb
        identifiers = try PendingCaseIdentifiers(store: store)
        let grounder = try RunModels.grounder(config: config, graph: try GroundingGraph(store: store))
        masking = grounder.masking
        model = try RunModels.load(kind: config.modelKind, directory: folder.modelDirectory, grounder: grounder)
    }

    /// The SCDB table of a shared data folder, or nil when the folder has none.
    public static func scdbTable(dataFolder: String) throws -> SCDBTable? {
        let path = CaseDataset.scdbTablePath(dataFolder: dataFolder)
        return FileManager.default.fileExists(atPath: path) ? try SCDBTable(path: path) : nil
    }

    /// Pending cases from a JSON Lines file.
    public func cases(path: String) throws -> [CaseInput] {
        try PendingCases.read(path: path, scdb: scdb, identifiers: identifiers)
    }

    /// Pending cases from parsed objects, each with the place its errors name.
    public func cases(objects: [([String: Value], SourceLocation)]) throws -> [CaseInput] {
        if scdb == nil, let named = objects.first(where: { $0.0["scdb_caseId"].map { !$0.isNull } ?? false }) {
            throw PredictionError("field 'scdb_caseId' names an SCDB row, but there is no SCDB table to join it from (the run's data folder "
                                  + "\(config.dataPath) has no \(CaseDataset.scdbTablePath(dataFolder: ""))); leave it out", at: named.1)
        }
        return try PendingCases.read(objects: objects, scdb: scdb, identifiers: identifiers)
    }

    /// The cases as the run's model may see them: masked as its training text was (every
    /// entry point to the model goes through this).
    func masked(_ inputs: [CaseInput]) throws -> [CaseInput] {
        guard let masking else { return inputs }
        return try inputs.map { try masking.mask($0) }
    }

    /// Checks a caller's masking request against the run's: a run masks pending cases as it
    /// was trained, so asking for another policy (or for masking on a run trained on
    /// unmasked text, whose model never saw placeholders) is refused rather than followed.
    public static func checkMasking(requested: MaskingPolicy?, run: CaseMasking?, runPath: String) throws {
        guard let requested else { return }
        guard let run else {
            throw PredictionError("the run \(runPath) was trained on unmasked text, so masking its pending cases would feed the model text unlike "
                                  + "its training: drop --mask/--mask-policy, or use a run trained with `lexgraph train --mask`")
        }
        guard run.policy == requested else {
            throw PredictionError("the run \(runPath) masks with \(run.description), but --mask/--mask-policy asks for "
                                  + "\(CaseMasking(policy: requested).description): drop the option (the run's masking is applied "
                                  + "anyway) or use a run trained with that policy")
        }
    }

    /// P(first party wins) per case, each as of its reference date.
    public func probabilities(_ inputs: [CaseInput]) throws -> [Double] {
        lock.lock()
        defer { lock.unlock() }
        let p = try model.predictProbabilities(try masked(inputs).map { PredictionQuery(input: $0) })
        guard p.count == inputs.count else {
            throw PredictionError("model '\(model.name)' returned \(p.count) probabilities for \(inputs.count) cases")
        }
        return p
    }

    /// Each case's prediction with its `top` strongest reasons and their graph paths.
    public func explain(_ inputs: [CaseInput], top: Int) throws -> [ExplainedPrediction] {
        lock.lock()
        defer { lock.unlock() }
        return try masked(inputs).map { try ExplainedPrediction.make(model, query: PredictionQuery(input: $0), label: nil, top: top) }
    }
}
