import Tensor

/// Views into the model's workspace: valid until the next forward on the same model.
public struct BertOutput {
    /// `[B, T, H]`, the last encoder layer's output.
    public let lastHiddenState: Tensor
    /// `[B, H]`, tanh(dense([CLS])).
    public let pooledOutput: Tensor
}

extension BertModel {
    /// Runs the encoder and pooler. With `dropout`, hidden and attention dropout use the
    /// config's probabilities and `rng` (training); without, the pass is deterministic
    /// (evaluation). Activations are kept for `backward`.
    ///
    /// With `input`, the pass starts at encoder layer `input.layer` from the given hidden
    /// states (cached outputs of frozen layers below; partial fine-tuning) and `backward`
    /// stops there.
    ///
    /// `forBackward: false` is for inference: without dropout, the pass may then run in a
    /// workspace that keeps no activations (about a sixth of the memory), and `backward`
    /// after it throws.
    @discardableResult
    public func forward(_ batch: BertBatch, dropout: Bool = false, from input: LayerInput? = nil, forBackward: Bool = true) throws -> BertOutput {
        let ws = try encode(batch, dropout: dropout, from: input, forBackward: forBackward, pooler: true)
        let b = batch.batchSize, t = batch.sequenceLength, h = config.hiddenSize
        return BertOutput(lastHiddenState: ws.hidden[config.numHiddenLayers].reshaped([b, t, h]), pooledOutput: ws.pooled)
    }

    /// The encoder and, with `pooler`, the pooler (a mean-pooling head skips it); records
    /// what `backward` differentiates.
    func encode(_ batch: BertBatch, dropout: Bool, from input: LayerInput?, forBackward: Bool, pooler runPooler: Bool) throws -> BertWorkspace {
        let useDropout = dropout && (config.hiddenDropoutProb > 0 || config.attentionProbsDropoutProb > 0 || (config.classifierDropout ?? 0) > 0
                                     || (adapters?.config.dropout ?? 0) > 0)
        let ws = try runEncoder(batch, dropout: useDropout, from: input, upTo: config.numHiddenLayers, keepsActivations: forBackward)
        let b = batch.batchSize, t = batch.sequenceLength, h = config.hiddenSize

        if runPooler {
            // Pooler on each sequence's first token.
            let last = ws.hidden[config.numHiddenLayers].data
            for i in 0..<b { (ws.cls.data + i * h).update(from: last + i * t * h, count: h) }
            if useDropout && config.architecture.usesRobertaHead {  // RobertaClassificationHead drops out <s> before its dense layer
                Dropout.fillMask(ws.clsDropMask.data, count: b * h, p: Float(config.classifierDropout ?? config.hiddenDropoutProb), rng: &rng)
                Kernels.multiply(ws.cls.data, by: ws.clsDropMask.data, count: b * h)
            }
            Linear.forward(x: ws.cls.data, rows: b, inFeatures: h, outFeatures: h, weight: pooler.value.data, bias: poolerBias.value.data, y: ws.pooled.data)
            if config.architecture == .distilbert {  // pre_classifier + ReLU
                for i in 0..<(b * h) { ws.pooled.data[i] = max(ws.pooled.data[i], 0) }
            } else {
                Kernels.tanhInPlace(ws.pooled.data, count: b * h)
            }
        }

        saved = SavedForward(batch: batch, dropout: useDropout, pooled: runPooler, firstLayer: input?.layer ?? 0)
        return ws
    }

    /// Embeddings (unless `input` supplies the hidden states entering a later layer) and
    /// encoder layers up to `end` (exclusive): `ws.hidden[end]` then holds their output.
    func runEncoder(_ batch: BertBatch, dropout useDropout: Bool, from input: LayerInput?, upTo end: Int,
                    keepsActivations: Bool = true) throws -> BertWorkspace {
        try batch.validate(against: config)
        let ws = workspace(for: batch, dropout: useDropout, keepsActivations: keepsActivations, firstLayer: input?.layer ?? 0)
        let b = batch.batchSize, t = batch.sequenceLength, h = config.hiddenSize, bt = b * t
        let hiddenP = Float(config.hiddenDropoutProb)

        batch.attentionMask.withUnsafeBufferPointer { ws.keyVisible.data.update(from: $0.baseAddress!, count: bt) }
        ws.globalRows = batch.globalRows(config)
        if let bias = batch.attentionBias, let dst = ws.attentionBias {
            bias.withUnsafeBufferPointer { dst.data.update(from: $0.baseAddress!, count: bt * t) }
        }

        if let input {
            try input.check(batch: batch, config: config)
            ws.hidden[input.layer].copy(from: input.hiddenStates)
            for l in input.layer..<end { layerForward(l, ws: ws, dropout: useDropout) }
            return ws
        }

        // Embeddings: word + position + token type (none in DistilBERT), LayerNorm, dropout;
        // ALBERT's are `e` wide and projected to the hidden size after.
        let e = config.embeddingWidth, projected = embeddingProjection != nil
        let sum = ws.embeddingSum.data
        let word = wordEmbeddings.value.data, pos = positionEmbeddings.value.data
        let positions = batch.offsetPositionIds(config)
        if let type = tokenTypeEmbeddings?.value.data {
            for row in 0..<bt {
                let w = word + Int(batch.inputIds[row]) * e, ty = type + Int(batch.tokenTypeIds[row]) * e
                let p = pos + (positions?[row] ?? batch.positionId(ofRow: row)) * e
                let out = sum + row * e
                for j in 0..<e { out[j] = w[j] + p[j] + ty[j] }
            }
        } else {
            for row in 0..<bt {
                let w = word + Int(batch.inputIds[row]) * e, p = pos + (positions?[row] ?? batch.positionId(ofRow: row)) * e
                let out = sum + row * e
                for j in 0..<e { out[j] = w[j] + p[j] }
            }
        }
        let normed = projected ? ws.embeddingNormed.data : ws.hidden[0].data
        Kernels.layerNormForward(sum, rows: bt, cols: e, gamma: embeddingNorm.value.data, beta: embeddingNormBias.value.data,
                                 eps: Float(config.layerNormEps), out: normed, mean: ws.embeddingMean.data, rstd: ws.embeddingRstd.data)
        if let mask = ws.embeddingDropMask, useDropout {
            Dropout.fillMask(mask.data, count: mask.count, p: hiddenP, rng: &rng)
            Kernels.multiply(normed, by: mask.data, count: mask.count)
        }
        if let w = embeddingProjection, let bias = embeddingProjectionBias {
            Linear.forward(x: normed, rows: bt, inFeatures: e, outFeatures: h, weight: w.value.data, bias: bias.value.data, y: ws.hidden[0].data)
        }

        for l in 0..<end {
            layerForward(l, ws: ws, dropout: useDropout)
        }
        return ws
    }

    /// One post-LayerNorm transformer layer: self-attention, residual, LayerNorm, GELU FFN,
    /// residual, LayerNorm. Biases, dropout and residual adds are folded into the kernel
    /// that follows each GEMM (`biasGELU`, `residualLayerNorm`) instead of extra passes.
    /// Activations go to use `l`'s buffers also when the weights are ALBERT's shared layer.
    func layerForward(_ l: Int, ws: BertWorkspace, dropout: Bool) {
        let p = layers[l], a = ws.layers[l]
        let bt = ws.batchSize * ws.sequenceLength, h = config.hiddenSize, inter = config.intermediateSize
        let x = ws.hidden[l].data
        let eps = Float(config.layerNormEps)
        let hiddenP = Float(config.hiddenDropoutProb), keepScale = 1 / (1 - hiddenP)
        var clock = OpProfile.Clock()

        Linear.forward(x: x, rows: bt, inFeatures: h, outFeatures: h, weight: p.query.value.data, bias: p.queryBias.value.data, y: a.q.data)
        Linear.forward(x: x, rows: bt, inFeatures: h, outFeatures: h, weight: p.key.value.data, bias: p.keyBias.value.data, y: a.k.data)
        Linear.forward(x: x, rows: bt, inFeatures: h, outFeatures: h, weight: p.value.value.data, bias: p.valueBias.value.data, y: a.v.data)
        if let lora = adapters {  // + scaling · B(A(dropout(x))) on each adapted projection
            lora.forward(.query, layer: l, x: x, rows: bt, y: a.q.data, dropout: dropout, rng: &rng)
            lora.forward(.key, layer: l, x: x, rows: bt, y: a.k.data, dropout: dropout, rng: &rng)
            lora.forward(.value, layer: l, x: x, rows: bt, y: a.v.data, dropout: dropout, rng: &rng)
        }
        if let g = p.global {  // Longformer's global projections (HF computes them over every token too)
            Linear.forward(x: x, rows: bt, inFeatures: h, outFeatures: h, weight: g.query.value.data, bias: g.queryBias.value.data, y: a.globalQ.data)
            Linear.forward(x: x, rows: bt, inFeatures: h, outFeatures: h, weight: g.key.value.data, bias: g.keyBias.value.data, y: a.globalK.data)
            Linear.forward(x: x, rows: bt, inFeatures: h, outFeatures: h, weight: g.value.value.data, bias: g.valueBias.value.data, y: a.globalV.data)
        }
        clock.lap("fwd Q/K/V projection GEMMs")
        attentionForward(l, ws: ws, dropout: dropout)
        clock.lap("fwd attention: QKᵀ, mask+softmax, dropout, PV per head")

        // Attention output: dense, then bias + dropout + residual + LayerNorm in one pass.
        Linear.forward(x: a.context.data, rows: bt, inFeatures: h, outFeatures: h, weight: p.attentionOut.value.data,
                       bias: nil, y: a.attentionSum.data)
        adapters?.forward(.attentionOutput, layer: l, x: a.context.data, rows: bt, y: a.attentionSum.data, dropout: dropout, rng: &rng)
        clock.lap("fwd attention output GEMM")
        var mask: UnsafeMutablePointer<UInt8>? = nil
        if dropout, config.architecture.dropsAttentionOutput, let m = a.attentionOutDropMask {
            Dropout.fillKeepMask(m, count: bt * h, p: hiddenP, rng: &rng)
            mask = m
        }
        Kernels.residualLayerNorm(a.attentionSum.data, bias: p.attentionOutBias.value.data, keepMask: mask, keepScale: keepScale, residual: x,
                                  rows: bt, cols: h, gamma: p.attentionNorm.value.data, beta: p.attentionNormBias.value.data,
                                  eps: eps, out: a.attentionNormed.data, mean: a.mean1.data, rstd: a.rstd1.data)
        clock.lap("fwd dropout masks + bias+dropout+residual+LayerNorm")

        // Feed-forward: dense with bias + GELU fused, dense, then bias + dropout + residual + LayerNorm.
        Linear.forward(x: a.attentionNormed.data, rows: bt, inFeatures: h, outFeatures: inter, weight: p.intermediate.value.data,
                       bias: nil, y: a.preActivation.data)
        adapters?.forward(.intermediate, layer: l, x: a.attentionNormed.data, rows: bt, y: a.preActivation.data, dropout: dropout, rng: &rng)
        clock.lap("fwd FFN up GEMM")
        if config.usesTanhGELU {
            Kernels.biasGELUTanh(a.preActivation.data, bias: p.intermediateBias.value.data, rows: bt, cols: inter, out: a.activation.data)
        } else {
            Kernels.biasGELU(a.preActivation.data, bias: p.intermediateBias.value.data, rows: bt, cols: inter, out: a.activation.data)
        }
        clock.lap("fwd bias+GELU")
        Linear.forward(x: a.activation.data, rows: bt, inFeatures: inter, outFeatures: h, weight: p.output.value.data,
                       bias: nil, y: a.outputSum.data)
        adapters?.forward(.output, layer: l, x: a.activation.data, rows: bt, y: a.outputSum.data, dropout: dropout, rng: &rng)
        clock.lap("fwd FFN down GEMM")
        mask = nil
        if dropout, config.architecture.dropsFeedForwardOutput, let m = a.outputDropMask {
            Dropout.fillKeepMask(m, count: bt * h, p: hiddenP, rng: &rng)
            mask = m
        }
        Kernels.residualLayerNorm(a.outputSum.data, bias: p.outputBias.value.data, keepMask: mask, keepScale: keepScale,
                                  residual: a.attentionNormed.data, rows: bt, cols: h, gamma: p.outputNorm.value.data,
                                  beta: p.outputNormBias.value.data, eps: eps, out: ws.hidden[l + 1].data, mean: a.mean2.data, rstd: a.rstd2.data)
        clock.lap("fwd dropout masks + bias+dropout+residual+LayerNorm")
    }
}
