import Tensor

/// Hidden states entering encoder layer `layer` for one batch, `[B, T, H]`: the cached
/// output of the frozen layers below in partial fine-tuning. A forward that starts from a
/// `LayerInput` runs layers `layer...` only, and its backward computes no gradients below.
/// `layer` may equal the model's depth: the states are then the last layer's output and
/// only the pooler runs (a frozen encoder with a trained pooler and head).
public struct LayerInput: Sendable {
    public let layer: Int
    public let hiddenStates: Tensor

    public init(layer: Int, hiddenStates: Tensor) {
        self.layer = layer
        self.hiddenStates = hiddenStates
    }

    /// Checks the layer index and that the states have the batch's shape.
    func check(batch: BertBatch, config: BertConfig) throws {
        guard (0...config.numHiddenLayers).contains(layer) else {
            throw TransformerError("layer input starts at layer \(layer), the model has layers 0..<\(config.numHiddenLayers) (\(config.numHiddenLayers): after the last)")
        }
        let expected = [batch.batchSize, batch.sequenceLength, config.hiddenSize]
        guard hiddenStates.count == expected.reduce(1, *) else {
            throw TransformerError("layer input hidden states have shape \(hiddenStates.shape), the batch needs \(expected)")
        }
    }
}

extension BertModel {
    /// The output of the embeddings and encoder layers `0..<layer` in evaluation mode (no
    /// dropout), `[B, T, H]` in fresh memory: what partial fine-tuning computes once per
    /// example for its frozen bottom layers. `layer` 0 gives the embedding output.
    public func hiddenStates(_ batch: BertBatch, belowLayer layer: Int) throws -> Tensor {
        guard (0...config.numHiddenLayers).contains(layer) else {
            throw TransformerError("cannot stop below layer \(layer): the model has layers 0..<\(config.numHiddenLayers)")
        }
        let ws = try runEncoder(batch, dropout: false, from: nil, upTo: layer)
        saved = nil  // a truncated pass is not one backward can differentiate
        return ws.hidden[layer].reshaped([batch.batchSize, batch.sequenceLength, config.hiddenSize]).clone()
    }

    /// Names of the parameters below encoder layer `layer` (embeddings and layers
    /// `0..<layer`): the ones partial fine-tuning keeps frozen. ALBERT's shared layer is
    /// below any `layer` ≥ 1, and so frozen in all its uses (`checkFreezable` refuses that
    /// for a layer short of the depth).
    public func parameterNames(belowLayer layer: Int) -> Set<String> {
        let prefixes = ["embeddings.", Self.embeddingProjectionName] + (0..<layer).map { "encoder.layer.\($0)." }
        return Set(parameters.parameters.map(\.name).filter { name in prefixes.contains { name.hasPrefix($0) } })
    }

    /// Refuses freezing the bottom `layer` layers where that cannot mean what it says:
    /// ALBERT runs one layer's weights at every depth, so training the layers above `layer`
    /// trains the frozen ones too (and stales their cached outputs). 0 (nothing frozen) and
    /// the depth (a frozen encoder, only the head trains) are fine.
    public func checkFreezable(belowLayer layer: Int) throws {
        let depth = config.numHiddenLayers
        guard config.architecture.sharesLayers, layer > 0, layer < depth else { return }
        throw TransformerError("freeze layers \(layer) is not possible on \(config.architecture.rawValue): its \(depth) layers share one set of "
                               + "weights, so the layers above \(layer) would train the frozen ones; use 0 or \(depth) (only the head trains)")
    }

    /// Names of the pooler's parameters (which a mean-pooling head leaves unused).
    public var poolerParameterNames: Set<String> { [pooler.name, poolerBias.name] }
}
