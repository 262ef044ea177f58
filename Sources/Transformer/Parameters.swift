import Tensor

/// One trainable tensor with its gradient (same shape), named as in Hugging Face
/// checkpoints without the `bert.` prefix.
public struct Parameter: Sendable {
    public let name: String
    public let value: Tensor
    public let grad: Tensor
    /// Whether AdamW applies weight decay here: not to biases and LayerNorm parameters,
    /// as the Hugging Face Trainer groups them.
    public let decays: Bool

    public var shape: [Int] { value.shape }
}

/// All parameters of a model in one flat value block and one flat gradient block, so
/// optimizer steps, gradient norms and zeroing are single passes over memory.
public final class ParameterSet: @unchecked Sendable {
    public let values: FloatStorage
    public let grads: FloatStorage
    public let parameters: [Parameter]
    private let index: [String: Int]

    /// Lays out `specs` (name, shape) in order.
    public init(_ specs: [(String, [Int])]) {
        let total = specs.reduce(0) { $0 + $1.1.reduce(1, *) }
        values = FloatStorage(count: total)
        grads = FloatStorage(count: total)
        var offset = 0
        var params: [Parameter] = []
        for (name, shape) in specs {
            let decays = !(name.hasSuffix(".bias") || name.contains("LayerNorm"))
            params.append(Parameter(name: name, value: Tensor(storage: values, offset: offset, shape: shape),
                                    grad: Tensor(storage: grads, offset: offset, shape: shape), decays: decays))
            offset += shape.reduce(1, *)
        }
        parameters = params
        index = Dictionary(uniqueKeysWithValues: params.enumerated().map { ($1.name, $0) })
    }

    /// Total number of scalars.
    public var scalarCount: Int { values.count }

    public subscript(name: String) -> Parameter? { index[name].map { parameters[$0] } }

    /// The parameter `name`, which the model's own layout guarantees exists.
    func required(_ name: String) -> Parameter {
        guard let i = index[name] else { preconditionFailure("model layout has no parameter \(name)") }
        return parameters[i]
    }

    public func zeroGrad() { grads.base.update(repeating: 0, count: grads.count) }

    /// √Σ g² over every gradient.
    public func gradientNorm() -> Double { Kernels.sumOfSquares(grads.base, count: grads.count).squareRoot() }
}

/// The parameters of one encoder layer, resolved once so the forward/backward loops do no lookups.
struct LayerParameters {
    let query, queryBias, key, keyBias, value, valueBias: Parameter
    let attentionOut, attentionOutBias, attentionNorm, attentionNormBias: Parameter
    let intermediate, intermediateBias, output, outputBias, outputNorm, outputNormBias: Parameter
    /// Longformer's projections for global attention (nil elsewhere).
    let global: GlobalProjections?

    struct GlobalProjections {
        let query, queryBias, key, keyBias, value, valueBias: Parameter
    }

    /// The names of Longformer's global projections after a layer's `attention.self.`.
    static let globalProjectionNames = ["query_global", "key_global", "value_global"]

    static func specs(layer l: Int, hidden h: Int, intermediate i: Int, global: Bool = false) -> [(String, [Int])] {
        let p = "encoder.layer.\(l)."
        return [
            (p + "attention.self.query.weight", [h, h]), (p + "attention.self.query.bias", [h]),
            (p + "attention.self.key.weight", [h, h]), (p + "attention.self.key.bias", [h]),
            (p + "attention.self.value.weight", [h, h]), (p + "attention.self.value.bias", [h]),
        ] + (global ? globalProjectionNames.flatMap { [(p + "attention.self.\($0).weight", [h, h]), (p + "attention.self.\($0).bias", [h])] } : []) + [
            (p + "attention.output.dense.weight", [h, h]), (p + "attention.output.dense.bias", [h]),
            (p + "attention.output.LayerNorm.weight", [h]), (p + "attention.output.LayerNorm.bias", [h]),
            (p + "intermediate.dense.weight", [i, h]), (p + "intermediate.dense.bias", [i]),
            (p + "output.dense.weight", [h, i]), (p + "output.dense.bias", [h]),
            (p + "output.LayerNorm.weight", [h]), (p + "output.LayerNorm.bias", [h]),
        ]
    }

    init(_ set: ParameterSet, layer l: Int, global hasGlobal: Bool = false) {
        let p = "encoder.layer.\(l)."
        func r(_ s: String) -> Parameter { set.required(p + s) }
        query = r("attention.self.query.weight"); queryBias = r("attention.self.query.bias")
        key = r("attention.self.key.weight"); keyBias = r("attention.self.key.bias")
        value = r("attention.self.value.weight"); valueBias = r("attention.self.value.bias")
        attentionOut = r("attention.output.dense.weight"); attentionOutBias = r("attention.output.dense.bias")
        attentionNorm = r("attention.output.LayerNorm.weight"); attentionNormBias = r("attention.output.LayerNorm.bias")
        intermediate = r("intermediate.dense.weight"); intermediateBias = r("intermediate.dense.bias")
        output = r("output.dense.weight"); outputBias = r("output.dense.bias")
        outputNorm = r("output.LayerNorm.weight"); outputNormBias = r("output.LayerNorm.bias")
        global = hasGlobal ? GlobalProjections(query: r("attention.self.query_global.weight"), queryBias: r("attention.self.query_global.bias"),
                                               key: r("attention.self.key_global.weight"), keyBias: r("attention.self.key_global.bias"),
                                               value: r("attention.self.value_global.weight"), valueBias: r("attention.self.value_global.bias")) : nil
    }
}
