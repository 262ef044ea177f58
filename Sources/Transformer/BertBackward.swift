import Tensor

extension BertModel {
    /// Backpropagates through the last `forward`, ADDING every parameter's gradient into
    /// `parameters.grads` (call `parameters.zeroGrad()` between optimizer steps; leaving
    /// them accumulates micro-batches). Either upstream gradient may be nil (zero).
    /// `dLastHidden` is `[B, T, H]`, `dPooled` is `[B, H]`.
    public func backward(dLastHidden: Tensor?, dPooled: Tensor?) throws {
        guard let saved, let ws = workspace else { throw TransformerError("backward called before forward") }
        guard ws.keepsActivations else { throw TransformerError("backward after a forward with forBackward: false (no activations kept)") }
        let b = saved.batch.batchSize, t = saved.batch.sequenceLength, h = config.hiddenSize
        if let d = dLastHidden, d.count != b * t * h {
            throw TransformerError("dLastHidden has shape \(d.shape), the last forward produced [\(b), \(t), \(h)]")
        }
        if let d = dPooled, d.count != b * h {
            throw TransformerError("dPooled has shape \(d.shape), the last forward produced [\(b), \(h)]")
        }
        if dPooled != nil && !saved.pooled { throw TransformerError("dPooled given but the last forward did not run the pooler (a mean-pooling head)") }
        if let d = dLastHidden { ws.gradHiddenA.copy(from: d) } else { ws.gradHiddenA.zero() }
        if let d = dPooled {
            ws.gradPooled.copy(from: d)
            poolerBackward(ws: ws)
        }
        encoderBackward(ws: ws, dropout: saved.dropout)
    }

    /// Pooler backward from `ws.gradPooled` into the pooler's grads and the [CLS] rows of
    /// `ws.gradHiddenA`.
    func poolerBackward(ws: BertWorkspace) {
        let b = ws.batchSize, t = ws.sequenceLength, h = config.hiddenSize
        let dz = ws.gradPooled.data, y = ws.pooled.data
        if config.architecture == .distilbert {
            for i in 0..<(b * h) where y[i] <= 0 { dz[i] = 0 }  // ReLU'
        } else {
            for i in 0..<(b * h) { dz[i] *= 1 - y[i] * y[i] }  // tanh' = 1 − tanh²
        }
        let trainsBase = adapters == nil
        Linear.backward(dy: dz, x: ws.cls.data, rows: b, inFeatures: h, outFeatures: h, weight: pooler.value.data,
                        dWeight: trainsBase ? pooler.grad.data : nil, dBias: trainsBase ? poolerBias.grad.data : nil, dx: ws.gradCls.data)
        if saved?.dropout == true && config.architecture.usesRobertaHead { Kernels.multiply(ws.gradCls.data, by: ws.clsDropMask.data, count: b * h) }
        for i in 0..<b { Kernels.accumulate(ws.gradCls.data + i * h, count: h, into: ws.gradHiddenA.data + i * t * h) }
    }

    /// Mean-pooling backward from `ws.gradPooled` (the gradient of the pooled vectors) into
    /// every real token's row of `ws.gradHiddenA`: ∂/∂h_t = mask_t / max(Σ mask, 1e-9) · g.
    func meanPoolBackward(ws: BertWorkspace, attentionMask mask: [Float]) {
        let b = ws.batchSize, t = ws.sequenceLength, h = config.hiddenSize
        for i in 0..<b {
            var count: Float = 0
            for j in 0..<t { count += mask[i * t + j] }
            let scale = 1 / max(count, 1e-9), g = ws.gradPooled.data + i * h
            for j in 0..<t where mask[i * t + j] != 0 {
                let w = mask[i * t + j] * scale, d = ws.gradHiddenA.data + (i * t + j) * h
                for k in 0..<h { d[k] += w * g[k] }
            }
        }
    }

    /// Layers in reverse, then embeddings, starting from `ws.gradHiddenA`; a forward that
    /// started at a later layer (`LayerInput`) stops at that layer.
    func encoderBackward(ws: BertWorkspace, dropout: Bool) {
        let firstLayer = saved?.firstLayer ?? 0
        var dOut = ws.gradHiddenA, dIn = ws.gradHiddenB
        for l in stride(from: config.numHiddenLayers - 1, through: firstLayer, by: -1) {
            layerBackward(l, ws: ws, dOut: dOut, dIn: dIn, dropout: dropout)
            swap(&dOut, &dIn)
        }
        if firstLayer == 0 && adapters == nil { embeddingBackward(ws: ws, dHidden: dOut, dropout: dropout) }
    }

    /// Gradient of one layer: `dOut` (w.r.t. its output) to `dIn` (w.r.t. its input). Each
    /// LayerNorm backward also writes its input gradient through the sub-layer's dropout
    /// (`maskedDx`), so no separate mask pass runs. Parameter gradients are ADDED, so ALBERT's
    /// shared layer sums its gradient over every use. With LoRA adapters attached, the base
    /// parameters get no gradients (`grad` nil skips their GEMMs and sums) and each adapter's
    /// backward follows its base layer's.
    func layerBackward(_ l: Int, ws: BertWorkspace, dOut: Tensor, dIn: Tensor, dropout: Bool) {
        let p = layers[l], a = ws.layers[l], lora = adapters
        func grad(_ q: Parameter) -> UnsafeMutablePointer<Float>? { lora == nil ? q.grad.data : nil }
        let bt = ws.batchSize * ws.sequenceLength, h = config.hiddenSize, inter = config.intermediateSize
        let x = ws.hidden[l].data
        let dSum = ws.gradScratch.data
        let keepScale = 1 / (1 - Float(config.hiddenDropoutProb))
        var clock = OpProfile.Clock()

        // Output LayerNorm; its input gradient feeds both the residual (dSum) and the FFN branch.
        let outputMask = dropout && config.architecture.dropsFeedForwardOutput ? a.outputDropMask.map { UnsafePointer($0) } : nil
        let dProjection = outputMask == nil ? dSum : ws.gradContext.data
        Kernels.layerNormBackward(dOut.data, x: a.outputSum.data, mean: a.mean2.data, rstd: a.rstd2.data, gamma: p.outputNorm.value.data,
                                  rows: bt, cols: h, dx: dSum, dGamma: grad(p.outputNorm), dBeta: grad(p.outputNormBias),
                                  keepMask: outputMask, keepScale: keepScale, maskedDx: outputMask == nil ? nil : dProjection)
        clock.lap("bwd LayerNorm (+dropout)")
        Linear.backward(dy: dProjection, x: a.activation.data, rows: bt, inFeatures: inter, outFeatures: h, weight: p.output.value.data,
                        dWeight: grad(p.output), dBias: grad(p.outputBias), dx: ws.gradIntermediate.data)
        lora?.backward(.output, layer: l, dy: dProjection, x: a.activation.data, rows: bt, dx: ws.gradIntermediate.data, dropout: dropout)
        clock.lap("bwd FFN down GEMMs + bias sums")
        if config.usesTanhGELU {
            Kernels.geluTanhBackward(ws.gradIntermediate.data, u: a.preActivation.data, count: bt * inter, du: ws.gradIntermediate.data)
        } else {
            Kernels.geluBackward(ws.gradIntermediate.data, u: a.preActivation.data, count: bt * inter, du: ws.gradIntermediate.data)
        }
        clock.lap("bwd GELU'")
        Linear.backward(dy: ws.gradIntermediate.data, x: a.attentionNormed.data, rows: bt, inFeatures: h, outFeatures: inter,
                        weight: p.intermediate.value.data, dWeight: grad(p.intermediate), dBias: grad(p.intermediateBias),
                        dx: dSum, accumulateInput: true)
        lora?.backward(.intermediate, layer: l, dy: ws.gradIntermediate.data, x: a.attentionNormed.data, rows: bt, dx: dSum, dropout: dropout)
        clock.lap("bwd FFN up GEMMs + bias sums")

        // Attention LayerNorm; its input gradient is the residual into `dIn` and the projection branch.
        let attentionMask = dropout && config.architecture.dropsAttentionOutput ? a.attentionOutDropMask.map { UnsafePointer($0) } : nil
        let dAttention = attentionMask == nil ? dIn.data : dSum
        Kernels.layerNormBackward(dSum, x: a.attentionSum.data, mean: a.mean1.data, rstd: a.rstd1.data, gamma: p.attentionNorm.value.data,
                                  rows: bt, cols: h, dx: dIn.data, dGamma: grad(p.attentionNorm), dBeta: grad(p.attentionNormBias),
                                  keepMask: attentionMask, keepScale: keepScale, maskedDx: attentionMask == nil ? nil : dAttention)
        clock.lap("bwd LayerNorm (+dropout)")
        Linear.backward(dy: dAttention, x: a.context.data, rows: bt, inFeatures: h, outFeatures: h, weight: p.attentionOut.value.data,
                        dWeight: grad(p.attentionOut), dBias: grad(p.attentionOutBias), dx: ws.gradContext.data)
        lora?.backward(.attentionOutput, layer: l, dy: dAttention, x: a.context.data, rows: bt, dx: ws.gradContext.data, dropout: dropout)
        clock.lap("bwd attention output GEMMs + bias sums")

        attentionBackward(l, ws: ws, dropout: dropout)
        clock.lap("bwd attention per head (4 GEMMs, softmax')")
        for (dy, w, bias, target) in [(ws.gradQ, p.query, p.queryBias, LoRATarget.query), (ws.gradK, p.key, p.keyBias, .key),
                                      (ws.gradV, p.value, p.valueBias, .value)] {
            Linear.backward(dy: dy.data, x: x, rows: bt, inFeatures: h, outFeatures: h, weight: w.value.data,
                            dWeight: grad(w), dBias: grad(bias), dx: dIn.data, accumulateInput: true)
            lora?.backward(target, layer: l, dy: dy.data, x: x, rows: bt, dx: dIn.data, dropout: dropout)
        }
        if let g = p.global {
            for (dy, w, bias) in [(ws.gradGlobalQ, g.query, g.queryBias), (ws.gradGlobalK, g.key, g.keyBias), (ws.gradGlobalV, g.value, g.valueBias)] {
                Linear.backward(dy: dy.data, x: x, rows: bt, inFeatures: h, outFeatures: h, weight: w.value.data,
                                dWeight: grad(w), dBias: grad(bias), dx: dIn.data, accumulateInput: true)
            }
        }
        clock.lap("bwd Q/K/V projection GEMMs + bias sums")
    }

    /// ALBERT's embedding projection backward (when present), embedding LayerNorm backward,
    /// then scatter-add into the three embedding tables.
    func embeddingBackward(ws: BertWorkspace, dHidden: Tensor, dropout: Bool) {
        guard let batch = saved?.batch else { return }
        let bt = ws.batchSize * ws.sequenceLength, h = config.hiddenSize, e = config.embeddingWidth
        var dNormed = dHidden.data, dSum = ws.gradScratch.data
        if let w = embeddingProjection, let bias = embeddingProjectionBias {
            Linear.backward(dy: dHidden.data, x: ws.embeddingNormed.data, rows: bt, inFeatures: e, outFeatures: h, weight: w.value.data,
                            dWeight: w.grad.data, dBias: bias.grad.data, dx: ws.gradEmbedding.data)
            dNormed = ws.gradEmbedding.data
            dSum = ws.gradEmbeddingSum.data
        }
        if dropout, let mask = ws.embeddingDropMask { Kernels.multiply(dNormed, by: mask.data, count: bt * e) }
        Kernels.layerNormBackward(dNormed, x: ws.embeddingSum.data, mean: ws.embeddingMean.data, rstd: ws.embeddingRstd.data,
                                  gamma: embeddingNorm.value.data, rows: bt, cols: e, dx: dSum,
                                  dGamma: embeddingNorm.grad.data, dBeta: embeddingNormBias.grad.data)
        let dWord = wordEmbeddings.grad.data, dPos = positionEmbeddings.grad.data, dType = tokenTypeEmbeddings?.grad.data
        let positions = batch.offsetPositionIds(config)
        for row in 0..<bt {
            let g = dSum + row * e
            Kernels.accumulate(g, count: e, into: dWord + Int(batch.inputIds[row]) * e)
            Kernels.accumulate(g, count: e, into: dPos + (positions?[row] ?? batch.positionId(ofRow: row)) * e)
            if let dType { Kernels.accumulate(g, count: e, into: dType + Int(batch.tokenTypeIds[row]) * e) }
        }
    }
}
