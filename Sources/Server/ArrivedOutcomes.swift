import Foundation
import GraphStore
import LexgraphCore
import Prediction

/// Outcomes that arrived for cases a registered case-outcome version predicts: each line
/// is the case as a pending case (`lexgraph predict`'s allowed fields, through the same
/// whitelist and identifier checks) plus `label_first_party_winner`, what happened. The
/// version's probability for the case is computed here by its `Predictor`, which grounds
/// the case as of its reference date (before its decision), so it is the probability the
/// version gave, or would have given, before the outcome was known; the case itself is
/// kept so another version (a retrained candidate) can be scored on the same cases.
///
/// A case is named by its usid, docket, oyez_id or scdb_caseId (the first present); a
/// line naming none, a usid the graph does not hold, an scdb_caseId the SCDB table lacks,
/// a case named twice, or one that already has an outcome for the version refuses the
/// whole batch, naming the case and its line.
public enum ArrivedOutcomes {
    public static let outcomeField = "label_first_party_winner"

    /// One outcome line, checked.
    public struct Line: Sendable {
        public var key: String
        public var input: CaseInput
        /// The pending-case fields as sent (without the outcome).
        public var caseJSON: String
        public var firstPartyWon: Bool
        public var location: SourceLocation
    }

    /// The identifying fields, in the order the first present names the case.
    static let keyFields = ["usid", "docket", "oyez_id", "scdb_caseId"]

    /// "'Name' (usid 2013-05)" or "usid 2013-05".
    static func describe(_ object: [String: Value], key: String?) -> String {
        let name = object["name"]?.stringValue.map { "'\($0)'" }
        switch (name, key) {
        case let (name?, key?): return "case \(name) (\(key))"
        case let (name?, nil): return "case \(name)"
        case let (nil, key?): return "case \(key)"
        default: return "a case"
        }
    }

    static func caseKey(_ object: [String: Value]) -> String? {
        for field in keyFields {
            guard let value = object[field], !value.isNull else { continue }
            return "\(field) \(value.stringValue ?? value.jsonText)"
        }
        return nil
    }

    /// Every key the case can be named by, in the form of `Line.key` (to find arrived cases
    /// among a run's training cases).
    public static func keys(_ input: CaseInput) -> [String] {
        var keys: [String] = []
        if let usid = input.usid { keys.append("usid \(usid)") }
        if let docket = input.docket { keys.append("docket \(docket)") }
        if let oyez = input.oyezID { keys.append("oyez_id \(oyez)") }
        if let scdb = input.scdbCaseID { keys.append("scdb_caseId \(scdb)") }
        return keys
    }

    /// Checks every line: its outcome, its case's name, and the case through the
    /// predictor's pending-case checks (identifiers against its graph and SCDB table).
    public static func read(objects: [([String: Value], SourceLocation)], predictor: Predictor) throws -> [Line] {
        var seen: [String: SourceLocation] = [:]
        return try objects.map { object, location in
            var fields = object
            let key = caseKey(object)
            let named = describe(object, key: key)
            guard let outcome = fields.removeValue(forKey: outcomeField), !outcome.isNull else {
                throw PredictionError("\(named) has no outcome: give '\(outcomeField)' (true: the first party won)", at: location)
            }
            guard let won = outcome.boolValue else {
                throw PredictionError("\(named): '\(outcomeField)' must be true or false, got \(outcome.jsonText)", at: location)
            }
            guard let key else {
                throw PredictionError("\(named) is not named: give one of \(keyFields.joined(separator: ", ")) so its outcome can be matched", at: location)
            }
            if let earlier = seen[key] {
                throw PredictionError("\(named) appears twice (also at line \(earlier.line.map(String.init) ?? "?"))", at: location)
            }
            seen[key] = location
            let input: CaseInput
            do { input = try predictor.cases(objects: [(fields, location)])[0] } catch let error as PredictionError {
                throw PredictionError("outcome for unknown \(named): \(error.message)", at: error.location ?? location)
            }
            return Line(key: key, input: input, caseJSON: Value.map(fields).jsonText, firstPartyWon: won, location: location)
        }
    }

    /// Records the outcomes in `objects` for `version`, with `predictor` (a `Predictor`
    /// of the version's run folder) giving each case's probability; one transaction, with
    /// `audit`. Returns what was stored.
    public static func record(_ objects: [([String: Value], SourceLocation)], for version: StoredModelVersion, predictor: Predictor,
                              store: GraphStore, source: String, audit: AuditHook? = nil) throws -> [StoredModelOutcome] {
        guard version.kind == ModelRegistry.Kind.caseOutcome.rawValue else {
            throw ServerError("model \(version.name) version \(version.version) is a \(version.kind) run: outcomes are recorded for case-outcome runs (`lexgraph train`)")
        }
        guard !objects.isEmpty else { throw PredictionError("no outcomes in \(source)", at: SourceLocation(file: source, line: 1)) }
        let lines = try read(objects: objects, predictor: predictor)
        let probabilities = try predictor.probabilities(lines.map(\.input))
        let now = APITokens.now()
        let outcomes = zip(lines, probabilities).map { line, p in
            StoredModelOutcome(name: version.name, version: version.version, caseKey: line.key, caseJSON: line.caseJSON, probability: p,
                               firstPartyWon: line.firstPartyWon, recordedAt: now, source: source)
        }
        do { try store.recordModelOutcomes(outcomes, audit: audit) } catch let error as GraphStoreError {
            throw ServerError(error.message)
        }
        return outcomes
    }

    /// The stored cases as parsed pending-case objects (for `Predictor.cases(objects:)` or
    /// `PendingCases.read(objects:scdb:)`), each located as `model_outcome` row `seq`.
    public static func objects(_ outcomes: [StoredModelOutcome]) throws -> [([String: Value], SourceLocation)] {
        try outcomes.map { o in
            let location = SourceLocation(file: "model_outcome", line: Int(o.seq))
            guard case .map(let fields) = try Value.parseJSON(o.caseJSON) else {
                throw PredictionError("stored case \(o.caseKey) is not a JSON object", at: location)
            }
            return (fields, location)
        }
    }
}
