import Foundation
import LexgraphCore

/// Which cases a run trains and is scored on, as `lexgraph train --split` names it.
public enum RunPlan: String, Codable, Sendable, CaseIterable {
    case splitFull = "split_full"
    case splitGraphWindow = "split_graph_window"
    /// Terms 2001-2013, each predicted by a model trained on every earlier term.
    case walkForward = "walk-forward"

    public var evaluationPlan: EvaluationPlan {
        switch self {
        case .splitFull: return .fixed(.full)
        case .splitGraphWindow: return .fixed(.graphWindow)
        case .walkForward: return .standardWalkForward
        }
    }
}

/// A run folder's `config.json`: what was trained, on what, with which options, so the
/// run can be read, compared and its model reloaded. Model options are a free-form map
/// so each model kind can keep its own (`fusion`, `epochs`, ...).
public struct RunConfig: Codable, Sendable, Equatable {
    /// The only task so far.
    public static let scotusOutcome = "scotus-outcome"
    /// Written into every config; bump when run folders change shape.
    public static let currentLexgraphVersion = "lexgraph 0.1.0 (run folder format 1)"

    /// `RunModels` kind: "graph-logistic", "fused-transformer".
    public var modelKind: String
    /// The model's name in the evaluation tables and prediction files.
    public var modelName: String
    public var task: String
    public var plan: RunPlan
    public var options: [String: Value]
    public var dataPath: String
    public var databasePath: String
    /// The base encoder folder, for models that have one.
    public var encoderPath: String?
    public var seed: UInt64
    /// ISO 8601 UTC time the run started.
    public var created: String
    public var lexgraphVersion: String

    public init(modelKind: String, modelName: String? = nil, task: String = RunConfig.scotusOutcome, plan: RunPlan,
                options: [String: Value] = [:], dataPath: String, databasePath: String, encoderPath: String? = nil,
                seed: UInt64 = 42, created: String = RunConfig.now(), lexgraphVersion: String = RunConfig.currentLexgraphVersion) {
        self.modelKind = modelKind
        self.modelName = modelName ?? modelKind
        self.task = task
        self.plan = plan
        self.options = options
        self.dataPath = dataPath
        self.databasePath = databasePath
        self.encoderPath = encoderPath
        self.seed = seed
        self.created = created
        self.lexgraphVersion = lexgraphVersion
    }

    public static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }

    // MARK: Options

    /// A numeric option (`--epochs 3` stores 3); nil when absent.
    public func double(_ key: String) throws -> Double? {
        guard let v = options[key], !v.isNull else { return nil }
        guard let d = v.doubleValue else { throw optionError(key, "a number", v) }
        return d
    }

    public func int(_ key: String) throws -> Int? {
        guard let d = try double(key) else { return nil }
        guard d == d.rounded(), abs(d) < 1e15 else { throw optionError(key, "an integer", .float(d)) }
        return Int(d)
    }

    public func string(_ key: String) throws -> String? {
        guard let v = options[key], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw optionError(key, "a string", v) }
        return s
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let v = options[key], !v.isNull else { return nil }
        guard let b = v.boolValue else { throw optionError(key, "true or false", v) }
        return b
    }

    private func optionError(_ key: String, _ expected: String, _ v: Value) -> PredictionError {
        PredictionError("config option '\(key)' should be \(expected), found \(v.jsonText)")
    }

    // MARK: Codable

    enum CodingKeys: String, CodingKey {
        case task, plan, options, seed, created
        case modelKind = "model_kind", modelName = "model_name", dataPath = "data_path", databasePath = "db_path"
        case encoderPath = "encoder_path", lexgraphVersion = "lexgraph_version"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        modelKind = try c.decode(String.self, forKey: .modelKind)
        modelName = try c.decodeIfPresent(String.self, forKey: .modelName) ?? modelKind
        task = try c.decode(String.self, forKey: .task)
        plan = try c.decode(RunPlan.self, forKey: .plan)
        options = try c.decodeIfPresent([String: JSONValueCoding].self, forKey: .options)?.mapValues(\.value) ?? [:]
        dataPath = try c.decode(String.self, forKey: .dataPath)
        databasePath = try c.decode(String.self, forKey: .databasePath)
        encoderPath = try c.decodeIfPresent(String.self, forKey: .encoderPath)
        seed = try c.decode(UInt64.self, forKey: .seed)
        created = try c.decode(String.self, forKey: .created)
        lexgraphVersion = try c.decode(String.self, forKey: .lexgraphVersion)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(modelKind, forKey: .modelKind)
        try c.encode(modelName, forKey: .modelName)
        try c.encode(task, forKey: .task)
        try c.encode(plan, forKey: .plan)
        try c.encode(options.mapValues(JSONValueCoding.init), forKey: .options)
        try c.encode(dataPath, forKey: .dataPath)
        try c.encode(databasePath, forKey: .databasePath)
        try c.encodeIfPresent(encoderPath, forKey: .encoderPath)
        try c.encode(seed, forKey: .seed)
        try c.encode(created, forKey: .created)
        try c.encode(lexgraphVersion, forKey: .lexgraphVersion)
    }
}
