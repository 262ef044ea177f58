import Tensor

/// Multi-head self-attention of one layer, forward and backward, one (batch item, head)
/// pair at a time: its GEMMs read the head's slice of the `[BT, H]` Q/K/V projections in
/// place (leading dimension H), and the softmax (scale, padding mask, additive bias),
/// dropout and both GEMMs of a pair run back to back on one worker while its `[T, T]`
/// block is still in cache. Pairs are spread over `BLAS.threadCount` workers; each GEMM is
/// single-threaded, since a 128×128×32 product is far too small to split.
extension BertModel {
    /// scores = Q·Kᵀ/√d (+ bias), masked softmax into `a.probs`, dropout, context = P'·V.
    func attentionForward(_ l: Int, ws: BertWorkspace, dropout: Bool) {
        if config.architecture.isLongformer { return longformerAttentionForward(l, ws: ws, dropout: dropout) }
        let a = ws.layers[l]
        let b = ws.batchSize, t = ws.sequenceLength, h = config.hiddenSize
        let heads = config.numAttentionHeads, hd = config.headSize
        let scale = 1 / Float(hd).squareRoot()
        let p = Float(config.attentionProbsDropoutProb)
        var keepMask: UnsafeMutablePointer<UInt8>? = nil
        if dropout, let mask = a.attentionDropMask {
            Dropout.fillKeepMask(mask, count: b * heads * t * t, p: p, rng: &rng)
            keepMask = mask
        }
        let keepScale = 1 / (1 - p)
        let q = a.q.data, k = a.k.data, v = a.v.data, probs = a.probs.data, context = a.context.data
        let dropped = ws.gradProbs.data  // free during forward; holds P' = dropout(P) per pair
        let visible = ws.keyVisible.data, bias = ws.attentionBias?.data
        Parallel.chunks(b * heads, grain: 1) { _, pairs in
            for pair in pairs {
                let i = pair / heads, off = i * t * h + (pair % heads) * hd, pOff = pair * t * t
                BLAS.gemmSerial(transA: false, transB: true, m: t, n: t, k: hd, alpha: scale, a: q + off, lda: h,
                                b: k + off, ldb: h, beta: 0, c: probs + pOff, ldc: t)
                Kernels.maskedSoftmax(probs + pOff, rows: t, n: t, keyVisible: visible + i * t, bias: bias.map { $0 + i * t * t })
                var attended = UnsafePointer(probs + pOff)
                if let keepMask {
                    Kernels.multiply(probs + pOff, byKeepMask: keepMask + pOff, scale: keepScale, count: t * t, out: dropped + pOff)
                    attended = UnsafePointer(dropped + pOff)
                }
                BLAS.gemmSerial(transA: false, transB: false, m: t, n: hd, k: t, a: attended, lda: t,
                                b: v + off, ldb: h, beta: 0, c: context + off, ldc: h)
            }
        }
    }

    /// From `ws.gradContext` to `ws.gradQ`, `ws.gradK`, `ws.gradV` (overwritten).
    func attentionBackward(_ l: Int, ws: BertWorkspace, dropout: Bool) {
        if config.architecture.isLongformer { return longformerAttentionBackward(l, ws: ws, dropout: dropout) }
        let a = ws.layers[l]
        let b = ws.batchSize, t = ws.sequenceLength, h = config.hiddenSize
        let heads = config.numAttentionHeads, hd = config.headSize
        let scale = 1 / Float(hd).squareRoot()
        let keepMask = dropout ? a.attentionDropMask.map { UnsafePointer($0) } : nil
        let keepScale = 1 / (1 - Float(config.attentionProbsDropoutProb))
        let q = a.q.data, k = a.k.data, v = a.v.data, probs = a.probs.data
        let dContext = ws.gradContext.data, dQ = ws.gradQ.data, dK = ws.gradK.data, dV = ws.gradV.data
        let scratch = ws.gradProbs.data
        Parallel.chunks(b * heads, grain: 1) { _, pairs in
            for pair in pairs {
                let off = (pair / heads) * t * h + (pair % heads) * hd, pOff = pair * t * t
                let dP = scratch + pOff
                // dV = P'ᵀ · dContext, with P' = dropout(P) rebuilt in the pair's scratch block.
                var attended = UnsafePointer(probs + pOff)
                if let keepMask {
                    Kernels.multiply(probs + pOff, byKeepMask: keepMask + pOff, scale: keepScale, count: t * t, out: dP)
                    attended = UnsafePointer(dP)
                }
                BLAS.gemmSerial(transA: true, transB: false, m: t, n: hd, k: t, a: attended, lda: t,
                                b: dContext + off, ldb: h, beta: 0, c: dV + off, ldc: h)
                // dP' = dContext · Vᵀ, through dropout and the softmax to dS (scaled by 1/√d).
                BLAS.gemmSerial(transA: false, transB: true, m: t, n: t, k: hd, a: dContext + off, lda: h,
                                b: v + off, ldb: h, beta: 0, c: dP, ldc: t)
                Kernels.softmaxBackward(dP, probs: probs + pOff, rows: t, n: t, scale: scale,
                                        keepMask: keepMask.map { $0 + pOff }, keepScale: keepScale)
                // dQ = dS · K ; dK = dSᵀ · Q.
                BLAS.gemmSerial(transA: false, transB: false, m: t, n: hd, k: t, a: dP, lda: t,
                                b: k + off, ldb: h, beta: 0, c: dQ + off, ldc: h)
                BLAS.gemmSerial(transA: true, transB: false, m: t, n: hd, k: t, a: dP, lda: t,
                                b: q + off, ldb: h, beta: 0, c: dK + off, ldc: h)
            }
        }
    }
}
