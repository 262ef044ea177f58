import Foundation
import LexgraphCore
import Prediction
import Yams

/// When `lexgraph retrain` retrains a served case-outcome model and when it promotes the
/// candidate, read from a YAML (or JSON) file:
///
/// ```yaml
/// model: scotus-outcome        # the registered name (--name overrides it)
/// drift:                       # incoming cases against the production run's training cases
///   max_psi: 0.25              # any feature's PSI above this crosses
///   max_drifted_share: 0.3     # a larger share of features drifting (p < 0.05) crosses
/// performance:                 # arrived outcomes of the production version
///   min_outcomes: 30           # fewer: performance is not judged and nothing is promoted
///   window: 50                 # the latest this many outcomes are "now"
///   max_auc_drop: 0.05         # ROC AUC now below the run's test AUC by more than this crosses
///   max_accuracy_drop: 0.05    # likewise accuracy
/// promotion:
///   metric: roc_auc            # roc_auc, accuracy, macro_f1 (higher is better), brier, ece (lower)
///   min_improvement: 0.01      # the candidate must beat production by at least this
/// ```
///
/// Every threshold is optional (an absent one never crosses); a key the policy does not
/// know, or a value of the wrong kind, is an error naming the file, line and key.
public struct RetrainPolicy: Sendable, Equatable {
    public var model: String?
    public var maxPSI: Double?
    public var maxDriftedShare: Double?
    public var minOutcomes = 30
    public var window = 50
    public var maxAUCDrop: Double?
    public var maxAccuracyDrop: Double?
    public var metric: Metric = .rocAUC
    public var minImprovement = 0.01

    public init() {}

    /// Whether a lower value of `metric` is the better one.
    public static func lowerIsBetter(_ metric: Metric) -> Bool { metric == .brier || metric == .ece }

    public static func load(path: String) throws -> RetrainPolicy {
        guard let data = FileManager.default.contents(atPath: path) else { throw MonitoringError("cannot read the policy file \(path)") }
        guard let text = String(data: data, encoding: .utf8) else { throw MonitoringError("the policy file \(path) is not UTF-8 text") }
        return try RetrainPolicy(yaml: text, file: path)
    }

    static let sections: [String: [String]] = [
        "drift": ["max_psi", "max_drifted_share"],
        "performance": ["min_outcomes", "window", "max_auc_drop", "max_accuracy_drop"],
        "promotion": ["metric", "min_improvement"],
    ]

    public init(yaml text: String, file: String) throws {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw MonitoringError("\(file): not valid YAML or JSON: \(error)")
        }
        func fail(_ message: String, _ node: Node) -> MonitoringError {
            MonitoringError(message, at: SourceLocation(file: file, line: node.mark?.line))
        }
        guard let root else { throw MonitoringError("the policy file is empty: give at least one threshold", at: SourceLocation(file: file, line: 1)) }
        guard let top = root.mapping else { throw fail("a policy must be a mapping (model, drift, performance, promotion)", root) }
        let known = ["model"] + Self.sections.keys.sorted()
        for (keyNode, value) in top {
            let key = keyNode.string ?? ""
            if key == "model" {
                guard let name = value.scalar?.string, !name.isEmpty else { throw fail("'model' must be a model name", value) }
                model = name
                continue
            }
            guard let names = Self.sections[key] else {
                throw fail("unknown key '\(key)' (known: \(known.joined(separator: ", ")))", keyNode)
            }
            guard let entries = value.mapping else { throw fail("'\(key)' must be a mapping (keys: \(names.joined(separator: ", ")))", value) }
            for (entryNode, entry) in entries {
                let name = "\(key).\(entryNode.string ?? "")"
                guard names.contains(entryNode.string ?? "") else {
                    throw fail("unknown key '\(name)' (known in \(key): \(names.joined(separator: ", ")))", entryNode)
                }
                let text = entry.scalar?.string ?? ""
                func number(_ range: ClosedRange<Double>) throws -> Double {
                    guard entry.scalar != nil, let x = Double(text), x.isFinite, range.contains(x) else {
                        throw fail("'\(name)' must be a number from \(String(format: "%g", range.lowerBound)) to \(String(format: "%g", range.upperBound)), got '\(entry.scalar == nil ? "a list or mapping" : text)'", entry)
                    }
                    return x
                }
                func count() throws -> Int {
                    guard entry.scalar != nil, let n = Int(text), n >= 1 else {
                        throw fail("'\(name)' must be a whole number of at least 1, got '\(entry.scalar == nil ? "a list or mapping" : text)'", entry)
                    }
                    return n
                }
                switch name {
                case "drift.max_psi": maxPSI = try number(0...1_000)
                case "drift.max_drifted_share": maxDriftedShare = try number(0...1)
                case "performance.min_outcomes": minOutcomes = try count()
                case "performance.window": window = try count()
                case "performance.max_auc_drop": maxAUCDrop = try number(0...1)
                case "performance.max_accuracy_drop": maxAccuracyDrop = try number(0...1)
                case "promotion.metric":
                    guard let m = Metric(rawValue: text) else {
                        throw fail("'\(name)' must be one of \(Metric.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'", entry)
                    }
                    metric = m
                case "promotion.min_improvement": minImprovement = try number(0...1)
                default: break
                }
            }
        }
    }

    /// The policy as JSON (printed with every decision).
    public var json: Value {
        func opt(_ x: Double?) -> Value { x.map(Value.float) ?? .null }
        return .map([
            "model": model.map(Value.string) ?? .null,
            "drift": .map(["max_psi": opt(maxPSI), "max_drifted_share": opt(maxDriftedShare)]),
            "performance": .map(["min_outcomes": .int(Int64(minOutcomes)), "window": .int(Int64(window)),
                                 "max_auc_drop": opt(maxAUCDrop), "max_accuracy_drop": opt(maxAccuracyDrop)]),
            "promotion": .map(["metric": .string(metric.rawValue), "min_improvement": .float(minImprovement)]),
        ])
    }
}
