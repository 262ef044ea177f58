import Tensor

/// Every activation one forward pass saves for backward, plus backward scratch, carved
/// from one arena sized for a batch shape. The model keeps it and reuses it while the
/// batch shape stays the same, so steady-state training allocates nothing.
///
/// A workspace for inference only (`keepsActivations` false, no dropout) has one set of
/// layer buffers that every layer reuses and no backward scratch: a forward-only pass then
/// needs about a sixth of the memory.
///
/// A workspace for passes that start at encoder layer `firstLayer` (from a `LayerInput`:
/// partial fine-tuning) holds no buffers for the embeddings and the layers below it, which
/// never run; with `firstLayer` = depth (head-only training over cached final states) it
/// holds little more than the final states, the head's buffers and their gradients, so a
/// step does not clear hundreds of MB of layer activations it never uses.
final class BertWorkspace {
    let batchSize: Int, sequenceLength: Int, hasDropoutMasks: Bool, keepsActivations: Bool, firstLayer: Int
    /// Attention probabilities per (item, head) pair: T·T, or Longformer's banded rows and
    /// global rows (`SlidingWindowLayout`), linear in T.
    let pairFloats: Int
    /// Longformer: the most global tokens in a row, and each row's global token indices
    /// (set by each forward).
    let globalCount: Int
    var globalRows: [[Int]] = []

    struct Layer {
        let q, k, v, context, attentionSum, attentionNormed, outputSum: Tensor   // [BT, H]
        let mean1, rstd1, mean2, rstd2: Tensor                                   // [BT]
        let probs: Tensor                                                        // [B·heads, pairFloats]
        /// Longformer's global query/key/value projections `[BT, H]` (empty elsewhere).
        let globalQ, globalK, globalV: Tensor
        let preActivation, activation: Tensor                                    // [BT, I]
        /// Dropout keep flags (0/1): attention probabilities `[B, heads, T, T]`, attention
        /// output and FFN output `[BT, H]`.
        let attentionDropMask, attentionOutDropMask, outputDropMask: UnsafeMutablePointer<UInt8>?
    }

    /// Empty (zero-size) when `firstLayer` > 0. `[BT, E]` with E the embedding width.
    let embeddingSum, embeddingMean, embeddingRstd: Tensor
    let embeddingDropMask: Tensor?
    /// ALBERT: the embedding LayerNorm's (dropped-out) output `[BT, E]`, the projection's
    /// input, and two backward buffers of its shape; empty for the other architectures.
    let embeddingNormed, gradEmbedding, gradEmbeddingSum: Tensor
    /// hidden[0] is the embedding output, hidden[l+1] the output of layer l; empty below `firstLayer`.
    let hidden: [Tensor]
    /// One per encoder layer; the layers below `firstLayer` share an empty set.
    let layers: [Layer]
    let keyVisible: Tensor        // [B, T]
    let attentionBias: Tensor?    // [B, T, T]
    let cls, pooled: Tensor       // [B, H]
    // Backward scratch (empty in an inference workspace; all but `gradHiddenA` empty when
    // no layer runs). `gradProbs` also holds the dropped-out attention probabilities during
    // a forward with dropout.
    let gradHiddenA, gradHiddenB, gradScratch, gradQ, gradK, gradV, gradContext: Tensor  // [BT, H]
    let gradIntermediate: Tensor  // [BT, I]
    let gradProbs: Tensor         // [B·heads, pairFloats]
    /// Longformer: gradients of the global projections' outputs `[BT, H]` (empty elsewhere).
    let gradGlobalQ, gradGlobalK, gradGlobalV: Tensor
    let gradPooled, gradCls: Tensor  // [B, H]
    // Classification head: dropped-out pooled input, its mask, logits and their gradient.
    let headInput, headDropMask: Tensor  // [B, H]
    /// RoBERTa's head dropout on the first token, before its dense layer.
    let clsDropMask: Tensor  // [B, H]
    let logits, gradLogits: Tensor       // [B, labels]
    /// Backing store of the layers' dropout keep flags.
    let masks: ByteStorage?
    /// The arena's memory (reused by the next workspace when large enough).
    let storage: FloatStorage

    /// The floats and dropout-flag bytes a workspace of this shape needs.
    static func size(config: BertConfig, labels: Int, batchSize b: Int, sequenceLength t: Int, dropoutMasks: Bool, hasBias: Bool,
                     keepsActivations keepRequested: Bool, firstLayer: Int = 0, globalCount: Int = 0) -> (plan: TensorArena.Plan, maskBytes: Int) {
        let keeps = keepRequested || dropoutMasks
        let h = config.hiddenSize, i = config.intermediateSize, heads = config.numAttentionHeads, l = config.numHiddenLayers
        let bt = b * t
        let s = Shares(layers: l, firstLayer: firstLayer, keeps: keeps, projects: config.architecture.projectsEmbeddings)
        let layerSets = s.layerSets, scratch = s.scratch, layerScratch = s.layerScratch, e = s.embeddings
        let width = config.embeddingWidth
        let pf = attentionFloatsPerPair(config: config, sequenceLength: t, globalCount: globalCount), lf = config.architecture.isLongformer ? 1 : 0
        var plan = TensorArena.Plan()
        // Reserve in exactly the order `take` is called below.
        plan.reserve([e * bt, width]); plan.reserve([e * bt]); plan.reserve([e * bt]); if dropoutMasks && e == 1 { plan.reserve([bt, width]) }
        for layer in 0...l { plan.reserve([layer >= firstLayer ? bt : 0, h]) }
        for _ in 0..<layerSets {
            for _ in 0..<7 { plan.reserve([bt, h]) }
            for _ in 0..<4 { plan.reserve([bt]) }
            plan.reserve([b * heads, pf])
            for _ in 0..<3 { plan.reserve([lf * bt, h]) }
            plan.reserve([bt, i]); plan.reserve([bt, i])
        }
        plan.reserve([b, t]); if hasBias { plan.reserve([b, t, t]) }
        plan.reserve([b, h]); plan.reserve([b, h])
        plan.reserve([scratch * bt, h])
        for _ in 0..<6 { plan.reserve([layerScratch * bt, h]) }
        plan.reserve([layerScratch * bt, i]); plan.reserve([layerScratch * b * heads, pf]); plan.reserve([b, h]); plan.reserve([b, h])
        plan.reserve([b, h]); plan.reserve([b, h]); plan.reserve([b, max(labels, 1)]); plan.reserve([b, max(labels, 1)])
        plan.reserve([b, h])
        plan.reserve([s.projection * bt, width]); plan.reserve([s.projectionGrad * bt, width]); plan.reserve([s.projectionGrad * bt, width])
        for _ in 0..<3 { plan.reserve([lf * layerScratch * bt, h]) }

        return (plan, dropoutMasks ? (l - firstLayer) * (b * heads * pf + 2 * bt * h) : 0)
    }

    static func attentionFloatsPerPair(config: BertConfig, sequenceLength t: Int, globalCount: Int) -> Int {
        config.attentionFloatsPerHead(sequenceLength: t, globalTokens: globalCount)
    }

    /// Which parts a workspace holds: 1 (present) or 0 (empty) multipliers and the number
    /// of layer buffer sets.
    struct Shares {
        let layerSets: Int, scratch: Int, layerScratch: Int, embeddings: Int
        /// ALBERT's projection input and its backward buffers.
        let projection: Int, projectionGrad: Int
        init(layers l: Int, firstLayer: Int, keeps: Bool, projects: Bool) {
            let running = l - firstLayer
            layerSets = keeps ? running : min(running, 1)
            scratch = keeps ? 1 : 0  // backward scratch only when backward can run
            // and below the head only when a layer or the embeddings run (a 0-layer model has embeddings)
            layerScratch = keeps && (running > 0 || firstLayer == 0) ? 1 : 0
            embeddings = firstLayer == 0 ? 1 : 0
            projection = projects ? embeddings : 0
            projectionGrad = projects ? embeddings * scratch : 0
        }
    }

    /// A workspace for this shape. `reusing` is an earlier workspace of the same model
    /// whose memory, when large enough, is carved again (and zeroed) instead of freeing it
    /// and allocating anew: length-bucketed training changes the shape at almost every
    /// step, and fresh arenas of hundreds of MB per step cost more in page faults than the
    /// step's own work.
    init(config: BertConfig, labels: Int, batchSize b: Int, sequenceLength t: Int, dropoutMasks: Bool, hasBias: Bool,
         keepsActivations keepRequested: Bool = true, firstLayer: Int = 0, globalCount: Int = 0, reusing previous: BertWorkspace? = nil) {
        let keeps = keepRequested || dropoutMasks
        batchSize = b; sequenceLength = t; hasDropoutMasks = dropoutMasks; keepsActivations = keeps; self.firstLayer = firstLayer
        self.globalCount = globalCount
        let pf = BertWorkspace.attentionFloatsPerPair(config: config, sequenceLength: t, globalCount: globalCount)
        pairFloats = pf
        let lf = config.architecture.isLongformer ? 1 : 0
        let h = config.hiddenSize, i = config.intermediateSize, heads = config.numAttentionHeads, l = config.numHiddenLayers
        let bt = b * t
        let s = Shares(layers: l, firstLayer: firstLayer, keeps: keeps, projects: config.architecture.projectsEmbeddings)
        let layerSets = s.layerSets, scratch = s.scratch, layerScratch = s.layerScratch, e = s.embeddings
        let width = config.embeddingWidth
        let (plan, maskBytes) = BertWorkspace.size(config: config, labels: labels, batchSize: b, sequenceLength: t,
                                                   dropoutMasks: dropoutMasks, hasBias: hasBias, keepsActivations: keepRequested, firstLayer: firstLayer,
                                                   globalCount: globalCount)
        var arena = TensorArena(plan: plan, reusing: previous?.storage)
        storage = arena.storage
        embeddingSum = arena.take([e * bt, width]); embeddingMean = arena.take([e * bt]); embeddingRstd = arena.take([e * bt])
        embeddingDropMask = dropoutMasks && e == 1 ? arena.take([bt, width]) : nil
        hidden = (0...l).map { arena.take([$0 >= firstLayer ? bt : 0, h]) }
        let masksPerLayer = b * heads * pf + 2 * bt * h
        var masks: ByteStorage? = nil
        if dropoutMasks {
            if let old = previous?.masks, old.count >= maskBytes {
                old.base.update(repeating: 0, count: maskBytes)
                masks = old
            } else {
                masks = ByteStorage(count: maskBytes)
            }
        }
        var layers: [Layer] = []
        for layer in 0..<layerSets {
            let q = arena.take([bt, h]), k = arena.take([bt, h]), v = arena.take([bt, h]), c = arena.take([bt, h])
            let s1 = arena.take([bt, h]), n1 = arena.take([bt, h]), s2 = arena.take([bt, h])
            let m1 = arena.take([bt]), r1 = arena.take([bt]), m2 = arena.take([bt]), r2 = arena.take([bt])
            let p = arena.take([b * heads, pf])
            let gq = arena.take([lf * bt, h]), gk = arena.take([lf * bt, h]), gv = arena.take([lf * bt, h])
            let u = arena.take([bt, i]), g = arena.take([bt, i])
            let maskBase = masks.map { $0.base + layer * masksPerLayer }
            layers.append(Layer(q: q, k: k, v: v, context: c, attentionSum: s1, attentionNormed: n1, outputSum: s2,
                                mean1: m1, rstd1: r1, mean2: m2, rstd2: r2, probs: p, globalQ: gq, globalK: gk, globalV: gv, preActivation: u, activation: g,
                                attentionDropMask: maskBase, attentionOutDropMask: maskBase.map { $0 + b * heads * pf },
                                outputDropMask: maskBase.map { $0 + b * heads * pf + bt * h }))
        }
        if !keeps, let shared = layers.first { layers = Array(repeating: shared, count: l - firstLayer) }
        if firstLayer > 0 {
            let empty = arena.take([0])
            let unused = Layer(q: empty, k: empty, v: empty, context: empty, attentionSum: empty, attentionNormed: empty, outputSum: empty,
                               mean1: empty, rstd1: empty, mean2: empty, rstd2: empty, probs: empty, globalQ: empty, globalK: empty, globalV: empty, preActivation: empty, activation: empty,
                               attentionDropMask: nil, attentionOutDropMask: nil, outputDropMask: nil)
            layers = Array(repeating: unused, count: firstLayer) + layers
        }
        self.layers = layers
        self.masks = masks
        keyVisible = arena.take([b, t])
        attentionBias = hasBias ? arena.take([b, t, t]) : nil
        cls = arena.take([b, h]); pooled = arena.take([b, h])
        gradHiddenA = arena.take([scratch * bt, h]); gradHiddenB = arena.take([layerScratch * bt, h]); gradScratch = arena.take([layerScratch * bt, h])
        gradQ = arena.take([layerScratch * bt, h]); gradK = arena.take([layerScratch * bt, h]); gradV = arena.take([layerScratch * bt, h])
        gradContext = arena.take([layerScratch * bt, h])
        gradIntermediate = arena.take([layerScratch * bt, i]); gradProbs = arena.take([layerScratch * b * heads, pf])
        gradPooled = arena.take([b, h]); gradCls = arena.take([b, h])
        headInput = arena.take([b, h]); headDropMask = arena.take([b, h])
        logits = arena.take([b, max(labels, 1)]); gradLogits = arena.take([b, max(labels, 1)])
        clsDropMask = arena.take([b, h])
        embeddingNormed = arena.take([s.projection * bt, width])
        gradEmbedding = arena.take([s.projectionGrad * bt, width]); gradEmbeddingSum = arena.take([s.projectionGrad * bt, width])
        gradGlobalQ = arena.take([lf * layerScratch * bt, h]); gradGlobalK = arena.take([lf * layerScratch * bt, h])
        gradGlobalV = arena.take([lf * layerScratch * bt, h])
        precondition(arena.usedFloats == plan.floats, "workspace plan and carving disagree")
    }

    /// Whether this workspace can run a pass with these needs (a training workspace also
    /// serves inference, and one for a pass from layer k also serves passes from above k).
    func fits(batchSize b: Int, sequenceLength t: Int, dropoutMasks: Bool, hasBias: Bool, keepsActivations keeps: Bool = true,
              firstLayer: Int = 0, globalCount: Int = 0) -> Bool {
        b == batchSize && t == sequenceLength && globalCount == self.globalCount && (hasDropoutMasks || !dropoutMasks) && (attentionBias != nil) == hasBias
            && (keepsActivations || !keeps) && self.firstLayer <= firstLayer
    }
}
