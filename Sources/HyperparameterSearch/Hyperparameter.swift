import Transformer

/// A fine-tuning setting the search may vary: its name in a space file, the kind of
/// value it takes, the values it allows, and where it goes in `FineTuneOptions`.
public struct Hyperparameter: Sendable {
    public enum Kind: String, Sendable { case int, real, bool }

    public let name: String
    public let kind: Kind
    /// Why a value is out of range (nil: allowed), in words for an error message.
    let check: @Sendable (Double) -> String?
    let apply: @Sendable (inout FineTuneOptions, ParameterValue) -> Void

    /// Every setting a space may name.
    public static let all: [Hyperparameter] = [
        Hyperparameter(name: "learning_rate", kind: .real, check: positive) { $0.learningRate = Float($1.double) },
        Hyperparameter(name: "head_learning_rate", kind: .real, check: positive) { $0.headLearningRate = Float($1.double) },
        Hyperparameter(name: "batch_size", kind: .int, check: atLeast(1)) { $0.batchSize = Int($1.double) },
        Hyperparameter(name: "epochs", kind: .int, check: atLeast(1)) { $0.epochs = Int($1.double) },
        Hyperparameter(name: "freeze_layers", kind: .int, check: atLeast(0)) { $0.freezeLayers = Int($1.double) },
        Hyperparameter(name: "warmup_ratio", kind: .real, check: { (0...1).contains($0) ? nil : "must be in [0, 1]" }) { $0.warmupRatio = $1.double },
        Hyperparameter(name: "weight_decay", kind: .real, check: atLeast(0)) { $0.weightDecay = Float($1.double) },
        // The model's hidden, attention and classifier dropout probability (0: none).
        Hyperparameter(name: "dropout", kind: .real, check: { (0..<1).contains($0) ? nil : "must be in [0, 1)" }) { $0.dropoutRate = $1.double },
        Hyperparameter(name: "seed", kind: .int, check: atLeast(0)) { $0.seed = UInt64($1.double) },
    ]

    public static func named(_ name: String) -> Hyperparameter? { all.first { $0.name == name } }

    /// `base` with `values` set (names the space validated).
    public static func options(_ base: FineTuneOptions, with values: Hyperparameters) -> FineTuneOptions {
        var o = base
        for (name, value) in values.sorted(by: { $0.key < $1.key }) { named(name)?.apply(&o, value) }
        return o
    }
}

private let positive: @Sendable (Double) -> String? = { $0 > 0 && $0.isFinite ? nil : "must be positive" }
private func atLeast(_ n: Double) -> @Sendable (Double) -> String? { { $0 >= n ? nil : "must be at least \(Int(n))" } }
