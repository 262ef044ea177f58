import Foundation

/// A dense layer of an encoder layer that low-rank adapters can wrap, named by its module
/// path inside `encoder.layer.N` (as Hugging Face and peft name it).
public enum LoRATarget: String, CaseIterable, Sendable, Codable {
    case query, key, value
    /// The attention output projection (`attention.output.dense`).
    case attentionOutput = "attention.output.dense"
    /// The feed-forward up projection (`intermediate.dense`).
    case intermediate = "intermediate.dense"
    /// The feed-forward down projection (`output.dense`, not the attention's).
    case output = "output.dense"

    /// The module path inside one encoder layer.
    public var modulePath: String {
        switch self {
        case .query, .key, .value: return "attention.self." + rawValue
        default: return rawValue
        }
    }

    /// The four attention projections: what the issue asks for by default.
    public static let attention: [LoRATarget] = [.query, .key, .value, .attentionOutput]
    /// The attention projections and both feed-forward ones.
    public static let attentionAndFeedForward: [LoRATarget] = attention + [.intermediate, .output]

    /// `(input, output)` features of the wrapped dense layer.
    func features(_ c: BertConfig) -> (inFeatures: Int, outFeatures: Int) {
        switch self {
        case .query, .key, .value, .attentionOutput: return (c.hiddenSize, c.hiddenSize)
        case .intermediate: return (c.hiddenSize, c.intermediateSize)
        case .output: return (c.intermediateSize, c.hiddenSize)
        }
    }
}

/// The hyperparameters of low-rank adapters (peft `LoraConfig`): each wrapped dense layer
/// computes `W x + b + scaling · B(A(dropout(x)))` with `A [rank, in]`, `B [out, rank]`,
/// `scaling = alpha / rank` (or `alpha / √rank` with `rankStabilized`, peft `use_rslora`),
/// and the base weights frozen.
public struct LoRAConfig: Sendable, Equatable, Codable {
    public var rank: Int
    public var alpha: Double
    /// Dropout on the adapter's input only (peft `lora_dropout`), during training passes.
    public var dropout: Double
    /// Which dense layers of every encoder layer get adapters (kept in `LoRATarget` order).
    public var targets: [LoRATarget]
    /// peft `use_rslora`: scale by `alpha / √rank` instead of `alpha / rank`.
    public var rankStabilized: Bool

    /// Rank, alpha and dropout default to peft's `LoraConfig` defaults; the targets to the
    /// four attention projections (peft's BERT default is query and value only).
    public init(rank: Int = 8, alpha: Double = 8, dropout: Double = 0, targets: [LoRATarget] = LoRATarget.attention,
                rankStabilized: Bool = false) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.targets = LoRATarget.allCases.filter(targets.contains)
        self.rankStabilized = rankStabilized
    }

    /// The factor on `B(A x)`.
    public var scaling: Float {
        Float(rankStabilized ? alpha / Double(rank).squareRoot() : alpha / Double(rank))
    }

    /// Checks the values against the encoder they will adapt; `path` names the file they came from.
    public func validate(for config: BertConfig? = nil, path: String? = nil) throws {
        guard rank >= 1 else { throw TransformerError("LoRA rank must be at least 1, got \(rank)", file: path) }
        if let config {
            let smallest = targets.map { min($0.features(config).inFeatures, $0.features(config).outFeatures) }.min() ?? rank
            guard rank <= smallest else {
                throw TransformerError("LoRA rank \(rank) exceeds the smallest adapted dimension (\(smallest)); a low-rank update needs rank ≤ min(in, out)", file: path)
            }
        }
        guard alpha.isFinite, alpha > 0 else { throw TransformerError("LoRA alpha must be a finite number > 0, got \(alpha)", file: path) }
        guard dropout.isFinite, dropout >= 0, dropout < 1 else { throw TransformerError("LoRA dropout must be in [0, 1), got \(dropout)", file: path) }
        guard !targets.isEmpty else { throw TransformerError("LoRA needs at least one target module", file: path) }
    }
}
