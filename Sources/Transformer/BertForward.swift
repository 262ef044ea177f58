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
    @discardableResult
    public func forward(_ batch: BertBatch, dropout: Bool = false, from input: LayerInput? = nil) throws -> BertOutput {
        let useDropout = dropout && (config.hiddenDropoutProb > 0 || config.attentionProbsDropoutProb > 0)
        let ws = try runEncoder(batch, dropout: useDropout, from: input, upTo: config.numHiddenLayers)
        let b = batch.batchSize, t = batch.sequenceLength, h = config.hiddenSize

        // Pooler on each sequence's first token.
        let last = ws.hidden[config.numHiddenLayers].data
        for i in 0..<b { (ws.cls.data + i * h).update(from: last + i * t * h, count: h) }
        Linear.forward(x: ws.cls.data, rows: b, inFeatures: h, outFeatures: h, weight: pooler.value.data, bias: poolerBias.value.data, y: ws.pooled.data)
        Kernels.tanhInPlace(ws.pooled.data, count: b * h)

        saved = SavedForward(batch: batch, dropout: useDropout, pooled: true, firstLayer: input?.layer ?? 0)
        return BertOutput(lastHiddenState: ws.hidden[config.numHiddenLayers].reshaped([b, t, h]), pooledOutput: ws.pooled)
    }

    /// Embeddings (unless `input` supplies the hidden states entering a later layer) and
    /// encoder layers up to `end` (exclusive): `ws.hidden[end]` then holds their output.
    func runEncoder(_ batch: BertBatch, dropout useDropout: Bool, from input: LayerInput?, upTo end: Int) throws -> BertWorkspace {
        try batch.validate(against: config)
        let ws = workspace(for: batch, dropout: useDropout)
        let b = batch.batchSize, t = batch.sequenceLength, h = config.hiddenSize, bt = b * t
        let hiddenP = Float(config.hiddenDropoutProb)

        batch.attentionMask.withUnsafeBufferPointer { ws.keyVisible.data.update(from: $0.baseAddress!, count: bt) }
        if let bias = batch.attentionBias, let dst = ws.attentionBias {
            bias.withUnsafeBufferPointer { dst.data.update(from: $0.baseAddress!, count: bt * t) }
        }

        if let input {
            try input.check(batch: batch, config: config)
            ws.hidden[input.layer].copy(from: input.hiddenStates)
            for l in input.layer..<end { layerForward(l, ws: ws, dropout: useDropout) }
            return ws
        }

        // Embeddings: word + position + token type, LayerNorm, dropout.
        let sum = ws.embeddingSum.data
        let word = wordEmbeddings.value.data, pos = positionEmbeddings.value.data, type = tokenTypeEmbeddings.value.data
        for row in 0..<bt {
            let w = word + Int(batch.inputIds[row]) * h, p = pos + batch.positionId(ofRow: row) * h, ty = type + Int(batch.tokenTypeIds[row]) * h
            let out = sum + row * h
            for j in 0..<h { out[j] = w[j] + p[j] + ty[j] }
        }
        Kernels.layerNormForward(sum, rows: bt, cols: h, gamma: embeddingNorm.value.data, beta: embeddingNormBias.value.data,
                                 eps: Float(config.layerNormEps), out: ws.hidden[0].data, mean: ws.embeddingMean.data, rstd: ws.embeddingRstd.data)
        if let mask = ws.embeddingDropMask, useDropout {
            Dropout.fillMask(mask.data, count: mask.count, p: hiddenP, rng: &rng)
            Kernels.multiply(ws.hidden[0].data, by: mask.data, count: mask.count)
        }

        for l in 0..<end {
            layerForward(l, ws: ws, dropout: useDropout)
        }
        return ws
    }

    /// One post-LayerNorm transformer layer: self-attention, residual, LayerNorm, GELU FFN,
    /// residual, LayerNorm.
    func layerForward(_ l: Int, ws: BertWorkspace, dropout: Bool) {
        let p = layers[l], a = ws.layers[l]
        let b = ws.batchSize, t = ws.sequenceLength, h = config.hiddenSize, inter = config.intermediateSize
        let heads = config.numAttentionHeads, hd = config.headSize, bt = b * t
        let x = ws.hidden[l].data
        let eps = Float(config.layerNormEps)

        Linear.forward(x: x, rows: bt, inFeatures: h, outFeatures: h, weight: p.query.value.data, bias: p.queryBias.value.data, y: a.q.data)
        Linear.forward(x: x, rows: bt, inFeatures: h, outFeatures: h, weight: p.key.value.data, bias: p.keyBias.value.data, y: a.k.data)
        Linear.forward(x: x, rows: bt, inFeatures: h, outFeatures: h, weight: p.value.value.data, bias: p.valueBias.value.data, y: a.v.data)

        // scores[b, head] = Q_bh · K_bhᵀ / √d, read in place from the [BT, H] projections.
        let scale = 1 / Float(hd).squareRoot()
        for i in 0..<b {
            for hh in 0..<heads {
                let off = i * t * h + hh * hd
                let probs = a.probs.data + (i * heads + hh) * t * t
                BLAS.gemm(transA: false, transB: true, m: t, n: t, k: hd, alpha: scale, a: a.q.data + off, lda: h,
                          b: a.k.data + off, ldb: h, beta: 0, c: probs, ldc: t)
                Kernels.maskedSoftmax(probs, rows: t, n: t, keyVisible: ws.keyVisible.data + i * t,
                                      bias: ws.attentionBias.map { $0.data + i * t * t })
            }
        }
        var attended = a.probs
        if dropout, let mask = a.attentionDropMask, let dropped = a.droppedProbs {
            Dropout.fillMask(mask.data, count: mask.count, p: Float(config.attentionProbsDropoutProb), rng: &rng)
            Kernels.multiply(a.probs.data, mask.data, count: mask.count, out: dropped.data)
            attended = dropped
        }
        // context[b, :, head] = P_bh · V_bh.
        for i in 0..<b {
            for hh in 0..<heads {
                let off = i * t * h + hh * hd
                BLAS.gemm(transA: false, transB: false, m: t, n: hd, k: t, a: attended.data + (i * heads + hh) * t * t, lda: t,
                          b: a.v.data + off, ldb: h, beta: 0, c: a.context.data + off, ldc: h)
            }
        }

        // Attention output: dense, dropout, + residual, LayerNorm.
        Linear.forward(x: a.context.data, rows: bt, inFeatures: h, outFeatures: h, weight: p.attentionOut.value.data,
                       bias: p.attentionOutBias.value.data, y: a.attentionSum.data)
        if dropout, let mask = a.attentionOutDropMask {
            Dropout.fillMask(mask.data, count: mask.count, p: Float(config.hiddenDropoutProb), rng: &rng)
            Kernels.multiply(a.attentionSum.data, by: mask.data, count: mask.count)
        }
        Kernels.accumulate(x, count: bt * h, into: a.attentionSum.data)
        Kernels.layerNormForward(a.attentionSum.data, rows: bt, cols: h, gamma: p.attentionNorm.value.data, beta: p.attentionNormBias.value.data,
                                 eps: eps, out: a.attentionNormed.data, mean: a.mean1.data, rstd: a.rstd1.data)

        // Feed-forward: dense, GELU, dense, dropout, + residual, LayerNorm.
        Linear.forward(x: a.attentionNormed.data, rows: bt, inFeatures: h, outFeatures: inter, weight: p.intermediate.value.data,
                       bias: p.intermediateBias.value.data, y: a.preActivation.data)
        Kernels.biasGELU(a.preActivation.data, bias: nil, rows: bt, cols: inter, out: a.activation.data)
        Linear.forward(x: a.activation.data, rows: bt, inFeatures: inter, outFeatures: h, weight: p.output.value.data,
                       bias: p.outputBias.value.data, y: a.outputSum.data)
        if dropout, let mask = a.outputDropMask {
            Dropout.fillMask(mask.data, count: mask.count, p: Float(config.hiddenDropoutProb), rng: &rng)
            Kernels.multiply(a.outputSum.data, by: mask.data, count: mask.count)
        }
        Kernels.accumulate(a.attentionNormed.data, count: bt * h, into: a.outputSum.data)
        Kernels.layerNormForward(a.outputSum.data, rows: bt, cols: h, gamma: p.outputNorm.value.data, beta: p.outputNormBias.value.data,
                                 eps: eps, out: ws.hidden[l + 1].data, mean: a.mean2.data, rstd: a.rstd2.data)
    }
}
