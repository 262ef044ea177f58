import Tensor

extension BertModel {
    /// A Longformer made from this BERT or RoBERTa encoder the way the Longformer authors
    /// made `longformer-base-4096` from `roberta-base`: every weight copied, the position
    /// table copied out to `maxPositions` by repeating the trained positions, and each
    /// layer's global projections initialized from its local ones; every layer gets
    /// `attentionWindow`. The head (a BERT pooler + classifier, or RoBERTa's) carries over
    /// as Longformer's classification head, which computes the same function.
    ///
    /// Longformer numbers positions past `pad_token_id` as RoBERTa does; a BERT source's
    /// position k becomes row pad+1+k, so on a sequence no longer than the source's table
    /// and the window, with global attention on [CLS], the result computes what the source
    /// did.
    public func convertedToLongformer(maxPositions: Int = 4096, attentionWindow: Int = 512) throws -> BertModel {
        let source = config.architecture
        guard source == .bert || source == .roberta else {
            throw TransformerError("only BERT and RoBERTa checkpoints convert to Longformer, this one is \(source.rawValue)")
        }
        guard adapters == nil else { throw TransformerError("detach the LoRA adapters (merge them) before converting to Longformer") }
        guard attentionWindow >= 2, attentionWindow % 2 == 0 else {
            throw TransformerError("attention window \(attentionWindow) must be a positive even number (each side sees half of it)")
        }
        let pad = config.padTokenId
        let limit = Int(BertConfig.limits["max_position_embeddings"]!) - pad - 1
        guard maxPositions >= 1, maxPositions <= limit else {
            throw TransformerError("max positions \(maxPositions) must be in 1...\(limit)")
        }
        var c = config
        c.architecture = .longformer
        c.attentionWindow = Array(repeating: attentionWindow, count: c.numHiddenLayers)
        c.maxPositionEmbeddings = maxPositions + pad + 1
        c.classifierDropout = nil  // LongformerClassificationHead drops with hidden_dropout_prob
        let model = try BertModel(config: c, head: head, seed: 0, randomInitialization: true)

        let positions = "embeddings.position_embeddings.weight"
        for p in model.parameters.parameters where p.name != positions {
            var name = p.name
            for g in LayerParameters.globalProjectionNames { name = name.replacingOccurrences(of: ".\(g).", with: ".\(g.dropLast("_global".count)).") }
            guard let from = parameters[name], from.shape == p.shape else {
                throw TransformerError("no source tensor \"\(name)\" of shape \(p.shape) for the Longformer's \"\(p.name)\"")
            }
            p.value.data.update(from: from.value.data, count: p.value.count)
        }
        // Trained rows: BERT's 0..<max, RoBERTa's past its pad row; rows up to the pad row keep the source's.
        let e = c.embeddingWidth, old = positionEmbeddings.value.data, new = model.positionEmbeddings.value.data
        let oldRows = config.maxPositionEmbeddings, start = source.offsetsPositions ? pad + 1 : 0, trained = oldRows - start
        guard trained >= 1 else { throw TransformerError("the source has no trained position past pad_token_id \(pad)") }
        for r in 0...pad { (new + r * e).update(from: old + min(r, oldRows - 1) * e, count: e) }
        for k in 0..<maxPositions { (new + (pad + 1 + k) * e).update(from: old + (start + k % trained) * e, count: e) }
        return model
    }
}
