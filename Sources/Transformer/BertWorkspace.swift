import Tensor

/// Every activation one forward pass saves for backward, plus backward scratch, carved
/// from one arena sized for a batch shape. The model keeps it and reuses it while the
/// batch shape stays the same, so steady-state training allocates nothing.
final class BertWorkspace {
    let batchSize: Int, sequenceLength: Int, hasDropoutMasks: Bool

    struct Layer {
        let q, k, v, context, attentionSum, attentionNormed, outputSum: Tensor   // [BT, H]
        let mean1, rstd1, mean2, rstd2: Tensor                                   // [BT]
        let probs: Tensor                                                        // [B, heads, T, T]
        let droppedProbs: Tensor?, attentionDropMask: Tensor?                    // [B, heads, T, T]
        let preActivation, activation: Tensor                                    // [BT, I]
        let attentionOutDropMask: Tensor?, outputDropMask: Tensor?               // [BT, H]
    }

    let embeddingSum, embeddingMean, embeddingRstd: Tensor
    let embeddingDropMask: Tensor?
    /// hidden[0] is the embedding output, hidden[l+1] the output of layer l.
    let hidden: [Tensor]
    let layers: [Layer]
    let keyVisible: Tensor        // [B, T]
    let attentionBias: Tensor?    // [B, T, T]
    let cls, pooled: Tensor       // [B, H]
    // Backward scratch.
    let gradHiddenA, gradHiddenB, gradScratch, gradQ, gradK, gradV, gradContext: Tensor  // [BT, H]
    let gradIntermediate: Tensor  // [BT, I]
    let gradProbs: Tensor         // [B, heads, T, T]
    let gradPooled, gradCls: Tensor  // [B, H]
    // Classification head: dropped-out pooled input, its mask, logits and their gradient.
    let headInput, headDropMask: Tensor  // [B, H]
    let logits, gradLogits: Tensor       // [B, labels]

    init(config: BertConfig, labels: Int, batchSize b: Int, sequenceLength t: Int, dropoutMasks: Bool, hasBias: Bool) {
        batchSize = b; sequenceLength = t; hasDropoutMasks = dropoutMasks
        let h = config.hiddenSize, i = config.intermediateSize, heads = config.numAttentionHeads, l = config.numHiddenLayers
        let bt = b * t
        var plan = TensorArena.Plan()
        // Reserve in exactly the order `take` is called below.
        plan.reserve([bt, h]); plan.reserve([bt]); plan.reserve([bt]); if dropoutMasks { plan.reserve([bt, h]) }
        for _ in 0...l { plan.reserve([bt, h]) }
        for _ in 0..<l {
            for _ in 0..<7 { plan.reserve([bt, h]) }
            for _ in 0..<4 { plan.reserve([bt]) }
            plan.reserve([b, heads, t, t])
            if dropoutMasks { plan.reserve([b, heads, t, t]); plan.reserve([b, heads, t, t]) }
            plan.reserve([bt, i]); plan.reserve([bt, i])
            if dropoutMasks { plan.reserve([bt, h]); plan.reserve([bt, h]) }
        }
        plan.reserve([b, t]); if hasBias { plan.reserve([b, t, t]) }
        plan.reserve([b, h]); plan.reserve([b, h])
        for _ in 0..<7 { plan.reserve([bt, h]) }
        plan.reserve([bt, i]); plan.reserve([b, heads, t, t]); plan.reserve([b, h]); plan.reserve([b, h])
        plan.reserve([b, h]); plan.reserve([b, h]); plan.reserve([b, max(labels, 1)]); plan.reserve([b, max(labels, 1)])

        var arena = TensorArena(plan: plan)
        embeddingSum = arena.take([bt, h]); embeddingMean = arena.take([bt]); embeddingRstd = arena.take([bt])
        embeddingDropMask = dropoutMasks ? arena.take([bt, h]) : nil
        hidden = (0...l).map { _ in arena.take([bt, h]) }
        var layers: [Layer] = []
        for _ in 0..<l {
            let q = arena.take([bt, h]), k = arena.take([bt, h]), v = arena.take([bt, h]), c = arena.take([bt, h])
            let s1 = arena.take([bt, h]), n1 = arena.take([bt, h]), s2 = arena.take([bt, h])
            let m1 = arena.take([bt]), r1 = arena.take([bt]), m2 = arena.take([bt]), r2 = arena.take([bt])
            let p = arena.take([b, heads, t, t])
            let dp = dropoutMasks ? arena.take([b, heads, t, t]) : nil
            let dm = dropoutMasks ? arena.take([b, heads, t, t]) : nil
            let u = arena.take([bt, i]), g = arena.take([bt, i])
            let am = dropoutMasks ? arena.take([bt, h]) : nil
            let om = dropoutMasks ? arena.take([bt, h]) : nil
            layers.append(Layer(q: q, k: k, v: v, context: c, attentionSum: s1, attentionNormed: n1, outputSum: s2,
                                mean1: m1, rstd1: r1, mean2: m2, rstd2: r2, probs: p, droppedProbs: dp, attentionDropMask: dm,
                                preActivation: u, activation: g, attentionOutDropMask: am, outputDropMask: om))
        }
        self.layers = layers
        keyVisible = arena.take([b, t])
        attentionBias = hasBias ? arena.take([b, t, t]) : nil
        cls = arena.take([b, h]); pooled = arena.take([b, h])
        gradHiddenA = arena.take([bt, h]); gradHiddenB = arena.take([bt, h]); gradScratch = arena.take([bt, h])
        gradQ = arena.take([bt, h]); gradK = arena.take([bt, h]); gradV = arena.take([bt, h]); gradContext = arena.take([bt, h])
        gradIntermediate = arena.take([bt, i]); gradProbs = arena.take([b, heads, t, t])
        gradPooled = arena.take([b, h]); gradCls = arena.take([b, h])
        headInput = arena.take([b, h]); headDropMask = arena.take([b, h])
        logits = arena.take([b, max(labels, 1)]); gradLogits = arena.take([b, max(labels, 1)])
        precondition(arena.usedFloats == plan.floats, "workspace plan and carving disagree")
    }

    func fits(batchSize b: Int, sequenceLength t: Int, dropoutMasks: Bool, hasBias: Bool) -> Bool {
        b == batchSize && t == sequenceLength && (hasDropoutMasks || !dropoutMasks) && (attentionBias != nil) == hasBias
    }
}
