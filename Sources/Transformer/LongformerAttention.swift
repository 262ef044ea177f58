import Tensor

/// Where one Longformer layer keeps an (item, head) pair's attention probabilities, so that
/// memory and time grow linearly in T (no T×T matrix). Query rows are taken in chunks of
/// `chunk`; chunk rows [c, c+chunk) can only see keys [c−w, c+chunk+w), so their scores are
/// one `chunk × bandWidth` GEMM block, key c−w+j in column j. Row i keeps its band
/// |i−j| ≤ w there (the rest −∞, probability exactly 0) and, after it, one column per
/// global token of the row (scored with the local key projection, as HF concatenates
/// them). Then follow the global tokens' own rows over all T keys.
///
/// HF pads the sequence to a multiple of the window to run its chunked kernels; the
/// padding is masked out of every softmax, so bands cut at the sequence end give the same
/// numbers without it.
struct SlidingWindowLayout {
    /// One-sided window (keys either side of a query), cut to T−1: further keys do not exist.
    let window: Int
    let chunk: Int
    /// Key columns of a chunk block: chunk + 2·window.
    let bandWidth: Int
    /// Floats of one query row: bandWidth, then one column per global token slot.
    let rowWidth: Int
    let sequenceLength: Int, globalCount: Int

    init(attentionWindow: Int, sequenceLength t: Int, globalCount: Int) {
        window = min(attentionWindow / 2, max(t - 1, 0))
        chunk = max(1, min(window, 64))  // 64-row blocks keep the band's wasted corners small
        bandWidth = chunk + 2 * window
        rowWidth = bandWidth + globalCount
        sequenceLength = t
        self.globalCount = globalCount
    }

    /// Offset of the global tokens' rows `[globalCount, T]`.
    var globalRowsOffset: Int { sequenceLength * rowWidth }
    var floats: Int { globalRowsOffset + globalCount * sequenceLength }
}

extension BertConfig {
    /// The attention probabilities one layer keeps per (item, head): the full T×T matrix,
    /// or for Longformer the widest layer's banded rows and its global tokens' rows.
    public func attentionFloatsPerHead(sequenceLength t: Int, globalTokens: Int) -> Int {
        guard architecture.isLongformer else { return t * t }
        return attentionWindow.map { SlidingWindowLayout(attentionWindow: $0, sequenceLength: t, globalCount: globalTokens).floats }.max() ?? 0
    }
}

extension BertModel {
    /// Longformer self-attention of layer `l` for every (item, head) pair: banded scores
    /// with the local projections, softmax over band + global keys, the rows of padding and
    /// of global tokens zeroed (HF zeroes padded rows; global tokens' rows are replaced),
    /// then each global token's row attends to all keys with the global projections.
    func longformerAttentionForward(_ l: Int, ws: BertWorkspace, dropout: Bool) {
        let a = ws.layers[l]
        let b = ws.batchSize, t = ws.sequenceLength, h = config.hiddenSize
        let heads = config.numAttentionHeads, hd = config.headSize
        let layout = SlidingWindowLayout(attentionWindow: config.attentionWindow[l], sequenceLength: t, globalCount: ws.globalCount)
        let w = layout.window, cs = layout.chunk, wb = layout.bandWidth, wr = layout.rowWidth, g = layout.globalCount
        let pf = ws.pairFloats
        let scale = 1 / Float(hd).squareRoot()
        let p = Float(config.attentionProbsDropoutProb)
        var keepMask: UnsafeMutablePointer<UInt8>? = nil
        if dropout, let mask = a.attentionDropMask {
            Dropout.fillKeepMask(mask, count: b * heads * pf, p: p, rng: &rng)
            keepMask = mask
        }
        let keepScale = 1 / (1 - p)
        let q = a.q.data, k = a.k.data, v = a.v.data, probs = a.probs.data, context = a.context.data
        let gq = a.globalQ.data, gk = a.globalK.data, gv = a.globalV.data
        let dropped = ws.gradProbs.data  // free during forward; holds the dropped-out probabilities
        let visible = ws.keyVisible.data, globalRows = ws.globalRows
        Parallel.chunks(b * heads, grain: 1) { _, pairs in
            for pair in pairs {
                let i = pair / heads, off = i * t * h + (pair % heads) * hd, base = pair * pf
                let rowsG = globalRows[i], vis = visible + i * t
                // Keys out of every band: padding, and global tokens (they have their own column).
                var blocked = (0..<t).map { vis[$0] == 0 }
                var isGlobal = [Bool](repeating: false, count: t)
                for j in rowsG { isGlobal[j] = true; blocked[j] = true }
                // The local keys and values of the global tokens, gathered [g, hd].
                var keysG = [Float](repeating: 0, count: max(g, 1) * hd), valuesG = keysG
                for (n, j) in rowsG.enumerated() {
                    for d in 0..<hd { keysG[n * hd + d] = k[off + j * h + d]; valuesG[n * hd + d] = v[off + j * h + d] }
                }
                let P = probs + base
                for c in stride(from: 0, to: t, by: cs) {
                    let rows = min(cs, t - c), lo = max(0, c - w), hi = min(t, c + rows + w), colOff = lo - (c - w)
                    let block = P + c * wr
                    BLAS.gemmSerial(transA: false, transB: true, m: rows, n: hi - lo, k: hd, alpha: scale, a: q + off + c * h, lda: h,
                                    b: k + off + lo * h, ldb: h, beta: 0, c: block + colOff, ldc: wr)
                    keysG.withUnsafeBufferPointer { kg in
                        if !rowsG.isEmpty {
                            BLAS.gemmSerial(transA: false, transB: true, m: rows, n: rowsG.count, k: hd, alpha: scale, a: q + off + c * h, lda: h,
                                            b: kg.baseAddress!, ldb: hd, beta: 0, c: block + wb, ldc: wr)
                        }
                    }
                    for r in 0..<rows {
                        // Row r's band is columns r...r+2w, cut to the keys that exist.
                        let row = block + r * wr, first = max(r, colOff), last = min(r + 2 * w, colOff + hi - lo - 1)
                        row.update(repeating: -.infinity, count: first)
                        (row + last + 1).update(repeating: -.infinity, count: wb - last - 1)
                        for j in first...last where blocked[c - w + j] { row[j] = -.infinity }
                        for n in rowsG.count..<g { row[wb + n] = -.infinity }
                    }
                }
                Kernels.maskedSoftmax(P, rows: t, n: wr, keyVisible: nil, bias: nil)
                for r in 0..<t where vis[r] == 0 || isGlobal[r] { (P + r * wr).update(repeating: 0, count: wr) }
                var attended = UnsafePointer(P)
                if let keepMask {
                    Kernels.multiply(P, byKeepMask: keepMask + base, scale: keepScale, count: pf, out: dropped + base)
                    attended = UnsafePointer(dropped + base)
                }
                for c in stride(from: 0, to: t, by: cs) {
                    let rows = min(cs, t - c), lo = max(0, c - w), hi = min(t, c + rows + w), colOff = lo - (c - w)
                    BLAS.gemmSerial(transA: false, transB: false, m: rows, n: hd, k: hi - lo, a: attended + c * wr + colOff, lda: wr,
                                    b: v + off + lo * h, ldb: h, beta: 0, c: context + off + c * h, ldc: h)
                    if !rowsG.isEmpty {
                        valuesG.withUnsafeBufferPointer { vg in
                            BLAS.gemmSerial(transA: false, transB: false, m: rows, n: hd, k: rowsG.count, a: attended + c * wr + wb, lda: wr,
                                            b: vg.baseAddress!, ldb: hd, beta: 1, c: context + off + c * h, ldc: h)
                        }
                    }
                }
                // Global tokens: their rows over all keys with the global projections replace the (zero) local ones.
                let PG = P + layout.globalRowsOffset
                for (n, j) in rowsG.enumerated() {
                    let row = PG + n * t
                    BLAS.gemmSerial(transA: false, transB: true, m: 1, n: t, k: hd, alpha: scale, a: gq + off + j * h, lda: h,
                                    b: gk + off, ldb: h, beta: 0, c: row, ldc: t)
                    for key in 0..<t where vis[key] == 0 { row[key] = -.infinity }
                }
                if !rowsG.isEmpty { Kernels.maskedSoftmax(PG, rows: rowsG.count, n: t, keyVisible: nil, bias: nil) }
                for n in rowsG.count..<g { (PG + n * t).update(repeating: 0, count: t) }
                if let keepMask {  // the global rows' part of the dropped copy (the local rows' was written above)
                    let gOff = base + layout.globalRowsOffset
                    Kernels.multiply(PG, byKeepMask: keepMask + gOff, scale: keepScale, count: g * t, out: dropped + gOff)
                }
                let attendedG = keepMask == nil ? UnsafePointer(PG) : UnsafePointer(dropped + base + layout.globalRowsOffset)
                for (n, j) in rowsG.enumerated() {
                    BLAS.gemmSerial(transA: false, transB: false, m: 1, n: hd, k: t, a: attendedG + n * t, lda: t,
                                    b: gv + off, ldb: h, beta: 0, c: context + off + j * h, ldc: h)
                }
            }
        }
    }

    /// From `ws.gradContext` to `ws.gradQ/K/V` and `ws.gradGlobalQ/K/V` (overwritten).
    func longformerAttentionBackward(_ l: Int, ws: BertWorkspace, dropout: Bool) {
        let a = ws.layers[l]
        let b = ws.batchSize, t = ws.sequenceLength, h = config.hiddenSize
        let heads = config.numAttentionHeads, hd = config.headSize
        let layout = SlidingWindowLayout(attentionWindow: config.attentionWindow[l], sequenceLength: t, globalCount: ws.globalCount)
        let w = layout.window, cs = layout.chunk, wb = layout.bandWidth, wr = layout.rowWidth
        let pf = ws.pairFloats
        let scale = 1 / Float(hd).squareRoot()
        let keepMask = dropout ? a.attentionDropMask.map { UnsafePointer($0) } : nil
        let keepScale = 1 / (1 - Float(config.attentionProbsDropoutProb))
        let q = a.q.data, k = a.k.data, v = a.v.data, probs = a.probs.data
        let gq = a.globalQ.data, gk = a.globalK.data, gv = a.globalV.data
        let dContext = ws.gradContext.data, dQ = ws.gradQ.data, dK = ws.gradK.data, dV = ws.gradV.data
        let dGQ = ws.gradGlobalQ.data, dGK = ws.gradGlobalK.data, dGV = ws.gradGlobalV.data
        let scratch = ws.gradProbs.data, globalRows = ws.globalRows
        Parallel.chunks(b * heads, grain: 1) { _, pairs in
            for pair in pairs {
                let i = pair / heads, off = i * t * h + (pair % heads) * hd, base = pair * pf
                let rowsG = globalRows[i], ng = rowsG.count
                for m in [dK, dV, dGQ, dGK, dGV] {
                    for r in 0..<t { (m + off + r * h).update(repeating: 0, count: hd) }
                }
                var keysG = [Float](repeating: 0, count: max(ng, 1) * hd), valuesG = keysG
                for (n, j) in rowsG.enumerated() {
                    for d in 0..<hd { keysG[n * hd + d] = k[off + j * h + d]; valuesG[n * hd + d] = v[off + j * h + d] }
                }
                var dKeysG = [Float](repeating: 0, count: max(ng, 1) * hd), dValuesG = dKeysG
                let P = probs + base, dP = scratch + base, dC = dContext + off

                // Global tokens' rows, through the global projections.
                let PG = P + layout.globalRowsOffset, dPG = dP + layout.globalRowsOffset
                for (n, j) in rowsG.enumerated() {
                    let pRow = PG + n * t, dRow = dPG + n * t
                    let maskRow = keepMask.map { $0 + base + layout.globalRowsOffset + n * t }
                    var attended = UnsafePointer(pRow)
                    if let maskRow {
                        Kernels.multiply(pRow, byKeepMask: maskRow, scale: keepScale, count: t, out: dRow)
                        attended = UnsafePointer(dRow)
                    }
                    BLAS.gemmSerial(transA: true, transB: false, m: t, n: hd, k: 1, a: attended, lda: t, b: dC + j * h, ldb: h,
                                    beta: 1, c: dGV + off, ldc: h)
                    BLAS.gemmSerial(transA: false, transB: true, m: 1, n: t, k: hd, a: dC + j * h, lda: h, b: gv + off, ldb: h,
                                    beta: 0, c: dRow, ldc: t)
                    Kernels.softmaxBackward(dRow, probs: pRow, rows: 1, n: t, scale: scale, keepMask: maskRow, keepScale: keepScale)
                    BLAS.gemmSerial(transA: false, transB: false, m: 1, n: hd, k: t, a: dRow, lda: t, b: gk + off, ldb: h,
                                    beta: 0, c: dGQ + off + j * h, ldc: h)
                    BLAS.gemmSerial(transA: true, transB: false, m: t, n: hd, k: 1, a: dRow, lda: t, b: gq + off + j * h, ldb: h,
                                    beta: 1, c: dGK + off, ldc: h)
                }

                // Banded rows (those of padding and global tokens hold zero probabilities, so they pass nothing back).
                for c in stride(from: 0, to: t, by: cs) {
                    let rows = min(cs, t - c), lo = max(0, c - w), hi = min(t, c + rows + w), colOff = lo - (c - w)
                    let pBlock = P + c * wr, dBlock = dP + c * wr, maskBlock = keepMask.map { $0 + base + c * wr }
                    var attended = UnsafePointer(pBlock)
                    if let maskBlock {
                        Kernels.multiply(pBlock, byKeepMask: maskBlock, scale: keepScale, count: rows * wr, out: dBlock)
                        attended = UnsafePointer(dBlock)
                    }
                    BLAS.gemmSerial(transA: true, transB: false, m: hi - lo, n: hd, k: rows, a: attended + colOff, lda: wr,
                                    b: dC + c * h, ldb: h, beta: 1, c: dV + off + lo * h, ldc: h)
                    if ng > 0 {
                        dValuesG.withUnsafeMutableBufferPointer { dvg in
                            BLAS.gemmSerial(transA: true, transB: false, m: ng, n: hd, k: rows, a: attended + wb, lda: wr,
                                            b: dC + c * h, ldb: h, beta: 1, c: dvg.baseAddress!, ldc: hd)
                        }
                    }
                    dBlock.update(repeating: 0, count: rows * wr)
                    BLAS.gemmSerial(transA: false, transB: true, m: rows, n: hi - lo, k: hd, a: dC + c * h, lda: h,
                                    b: v + off + lo * h, ldb: h, beta: 0, c: dBlock + colOff, ldc: wr)
                    if ng > 0 {
                        valuesG.withUnsafeBufferPointer { vg in
                            BLAS.gemmSerial(transA: false, transB: true, m: rows, n: ng, k: hd, a: dC + c * h, lda: h,
                                            b: vg.baseAddress!, ldb: hd, beta: 0, c: dBlock + wb, ldc: wr)
                        }
                    }
                    Kernels.softmaxBackward(dBlock, probs: pBlock, rows: rows, n: wr, scale: scale, keepMask: maskBlock, keepScale: keepScale)
                    BLAS.gemmSerial(transA: false, transB: false, m: rows, n: hd, k: hi - lo, a: dBlock + colOff, lda: wr,
                                    b: k + off + lo * h, ldb: h, beta: 0, c: dQ + off + c * h, ldc: h)
                    BLAS.gemmSerial(transA: true, transB: false, m: hi - lo, n: hd, k: rows, a: dBlock + colOff, lda: wr,
                                    b: q + off + c * h, ldb: h, beta: 1, c: dK + off + lo * h, ldc: h)
                    if ng > 0 {
                        keysG.withUnsafeBufferPointer { kg in
                            BLAS.gemmSerial(transA: false, transB: false, m: rows, n: hd, k: ng, a: dBlock + wb, lda: wr,
                                            b: kg.baseAddress!, ldb: hd, beta: 1, c: dQ + off + c * h, ldc: h)
                        }
                        dKeysG.withUnsafeMutableBufferPointer { dkg in
                            BLAS.gemmSerial(transA: true, transB: false, m: ng, n: hd, k: rows, a: dBlock + wb, lda: wr,
                                            b: q + off + c * h, ldb: h, beta: 1, c: dkg.baseAddress!, ldc: hd)
                        }
                    }
                }
                for (n, j) in rowsG.enumerated() {
                    for d in 0..<hd { dK[off + j * h + d] += dKeysG[n * hd + d]; dV[off + j * h + d] += dValuesG[n * hd + d] }
                }
            }
        }
    }
}
