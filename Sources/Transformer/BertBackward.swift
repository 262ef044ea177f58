import Tensor

extension BertModel {
    /// Backpropagates through the last `forward`, ADDING every parameter's gradient into
    /// `parameters.grads` (call `parameters.zeroGrad()` between optimizer steps; leaving
    /// them accumulates micro-batches). Either upstream gradient may be nil (zero).
    /// `dLastHidden` is `[B, T, H]`, `dPooled` is `[B, H]`.
    public func backward(dLastHidden: Tensor?, dPooled: Tensor?) throws {
        guard let saved, let ws = workspace else { throw TransformerError("backward called before forward") }
        let b = saved.batch.batchSize, t = saved.batch.sequenceLength, h = config.hiddenSize
        if let d = dLastHidden, d.count != b * t * h {
            throw TransformerError("dLastHidden has shape \(d.shape), the last forward produced [\(b), \(t), \(h)]")
        }
        if let d = dPooled, d.count != b * h {
            throw TransformerError("dPooled has shape \(d.shape), the last forward produced [\(b), \(h)]")
        }
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
        for i in 0..<(b * h) { dz[i] *= 1 - y[i] * y[i] }  // tanh' = 1 − tanh²
        Linear.backward(dy: dz, x: ws.cls.data, rows: b, inFeatures: h, outFeatures: h, weight: pooler.value.data,
                        dWeight: pooler.grad.data, dBias: poolerBias.grad.data, dx: ws.gradCls.data)
        for i in 0..<b { Kernels.accumulate(ws.gradCls.data + i * h, count: h, into: ws.gradHiddenA.data + i * t * h) }
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
        if firstLayer == 0 { embeddingBackward(ws: ws, dHidden: dOut, dropout: dropout) }
    }

    /// Gradient of one layer: `dOut` (w.r.t. its output) to `dIn` (w.r.t. its input).
    func layerBackward(_ l: Int, ws: BertWorkspace, dOut: Tensor, dIn: Tensor, dropout: Bool) {
        let p = layers[l], a = ws.layers[l]
        let b = ws.batchSize, t = ws.sequenceLength, h = config.hiddenSize, inter = config.intermediateSize
        let heads = config.numAttentionHeads, hd = config.headSize, bt = b * t
        let x = ws.hidden[l].data
        let dSum = ws.gradScratch.data

        // Output LayerNorm; its input gradient feeds both the residual and the FFN branch.
        Kernels.layerNormBackward(dOut.data, x: a.outputSum.data, mean: a.mean2.data, rstd: a.rstd2.data, gamma: p.outputNorm.value.data,
                                  rows: bt, cols: h, dx: dSum, dGamma: p.outputNorm.grad.data, dBeta: p.outputNormBias.grad.data)
        var dProjection = UnsafeMutablePointer(dSum)
        if dropout, let mask = a.outputDropMask {
            Kernels.multiply(dSum, mask.data, count: bt * h, out: ws.gradContext.data)
            dProjection = ws.gradContext.data
        }
        Linear.backward(dy: dProjection, x: a.activation.data, rows: bt, inFeatures: inter, outFeatures: h, weight: p.output.value.data,
                        dWeight: p.output.grad.data, dBias: p.outputBias.grad.data, dx: ws.gradIntermediate.data)
        Kernels.geluBackward(ws.gradIntermediate.data, u: a.preActivation.data, count: bt * inter, du: ws.gradIntermediate.data)
        Linear.backward(dy: ws.gradIntermediate.data, x: a.attentionNormed.data, rows: bt, inFeatures: h, outFeatures: inter,
                        weight: p.intermediate.value.data, dWeight: p.intermediate.grad.data, dBias: p.intermediateBias.grad.data,
                        dx: dSum, accumulateInput: true)

        // Attention LayerNorm; its input gradient is the residual into `dIn` and the projection branch.
        Kernels.layerNormBackward(dSum, x: a.attentionSum.data, mean: a.mean1.data, rstd: a.rstd1.data, gamma: p.attentionNorm.value.data,
                                  rows: bt, cols: h, dx: dIn.data, dGamma: p.attentionNorm.grad.data, dBeta: p.attentionNormBias.grad.data)
        dProjection = dIn.data
        if dropout, let mask = a.attentionOutDropMask {
            Kernels.multiply(dIn.data, mask.data, count: bt * h, out: dSum)
            dProjection = dSum
        }
        Linear.backward(dy: dProjection, x: a.context.data, rows: bt, inFeatures: h, outFeatures: h, weight: p.attentionOut.value.data,
                        dWeight: p.attentionOut.grad.data, dBias: p.attentionOutBias.grad.data, dx: ws.gradContext.data)

        // Self-attention per batch item and head.
        let scale = 1 / Float(hd).squareRoot()
        let attended = dropout ? (a.droppedProbs ?? a.probs) : a.probs
        for i in 0..<b {
            for hh in 0..<heads {
                let off = i * t * h + hh * hd
                let pOff = (i * heads + hh) * t * t
                let dP = ws.gradProbs.data + pOff
                // dP' = dContext · Vᵀ ; dV = P'ᵀ · dContext (P' = attention after dropout).
                BLAS.gemm(transA: false, transB: true, m: t, n: t, k: hd, a: ws.gradContext.data + off, lda: h,
                          b: a.v.data + off, ldb: h, beta: 0, c: dP, ldc: t)
                BLAS.gemm(transA: true, transB: false, m: t, n: hd, k: t, a: attended.data + pOff, lda: t,
                          b: ws.gradContext.data + off, ldb: h, beta: 0, c: ws.gradV.data + off, ldc: h)
                if dropout, let mask = a.attentionDropMask { Kernels.multiply(dP, by: mask.data + pOff, count: t * t) }
                Kernels.softmaxBackward(dP, probs: a.probs.data + pOff, rows: t, n: t, scale: scale)
                // dQ = dS · K ; dK = dSᵀ · Q.
                BLAS.gemm(transA: false, transB: false, m: t, n: hd, k: t, a: dP, lda: t,
                          b: a.k.data + off, ldb: h, beta: 0, c: ws.gradQ.data + off, ldc: h)
                BLAS.gemm(transA: true, transB: false, m: t, n: hd, k: t, a: dP, lda: t,
                          b: a.q.data + off, ldb: h, beta: 0, c: ws.gradK.data + off, ldc: h)
            }
        }
        for (dy, w, bias) in [(ws.gradQ, p.query, p.queryBias), (ws.gradK, p.key, p.keyBias), (ws.gradV, p.value, p.valueBias)] {
            Linear.backward(dy: dy.data, x: x, rows: bt, inFeatures: h, outFeatures: h, weight: w.value.data,
                            dWeight: w.grad.data, dBias: bias.grad.data, dx: dIn.data, accumulateInput: true)
        }
    }

    /// Embedding LayerNorm backward, then scatter-add into the three embedding tables.
    func embeddingBackward(ws: BertWorkspace, dHidden: Tensor, dropout: Bool) {
        guard let batch = saved?.batch else { return }
        let bt = ws.batchSize * ws.sequenceLength, h = config.hiddenSize
        if dropout, let mask = ws.embeddingDropMask { Kernels.multiply(dHidden.data, by: mask.data, count: bt * h) }
        let dSum = ws.gradScratch.data
        Kernels.layerNormBackward(dHidden.data, x: ws.embeddingSum.data, mean: ws.embeddingMean.data, rstd: ws.embeddingRstd.data,
                                  gamma: embeddingNorm.value.data, rows: bt, cols: h, dx: dSum,
                                  dGamma: embeddingNorm.grad.data, dBeta: embeddingNormBias.grad.data)
        let dWord = wordEmbeddings.grad.data, dPos = positionEmbeddings.grad.data, dType = tokenTypeEmbeddings.grad.data
        for row in 0..<bt {
            let g = dSum + row * h
            Kernels.accumulate(g, count: h, into: dWord + Int(batch.inputIds[row]) * h)
            Kernels.accumulate(g, count: h, into: dPos + batch.positionId(ofRow: row) * h)
            Kernels.accumulate(g, count: h, into: dType + Int(batch.tokenTypeIds[row]) * h)
        }
    }
}
