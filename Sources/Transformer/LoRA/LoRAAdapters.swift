import Tensor

/// Low-rank adapters for a `BertModel` (peft LoRA): for every encoder layer and every
/// target dense layer, `A [rank, in]` and `B [out, rank]`, and, when the model has a
/// classification head, a trainable copy of the classifier (peft `modules_to_save`, as
/// peft's `SEQ_CLS` task adds it). All of them, and nothing of the base, live in
/// `parameters`: an optimizer over that set trains the adapters with the base frozen.
///
/// Forward and backward of one adapted dense layer sit side by side below. The model calls
/// them right after the base layer's own GEMM (`BertForward`, `BertBackward`); with
/// adapters attached the base weights get no gradient (their `dW` GEMMs are skipped),
/// while input gradients still flow through them to the adapters below.
public final class LoRAAdapters {
    public let config: LoRAConfig
    /// Every adapter matrix, then the classifier copy: what an optimizer updates.
    public let parameters: ParameterSet
    /// `scaling` of the config, the factor on `B(A x)`.
    public let scaling: Float

    struct Module {
        let layer: Int, target: LoRATarget, inFeatures: Int, outFeatures: Int
        let a, b: Parameter
    }

    let modules: [Module]
    /// Module index by `layer * LoRATarget.allCases.count + target index`, nil when not adapted.
    private let lookup: [Int?]
    /// The classifier copy the head runs while the adapters are attached (nil without a head).
    let classifier, classifierBias: Parameter?
    /// Saved adapter activations of the last forward (per module `A x'`) and backward scratch.
    private var workspace: Workspace?

    /// The parameter name of an adapter matrix (`encoder.layer.0.attention.self.query.lora_A.weight`),
    /// the model's naming without `bert.`; peft's key adds `base_model.model.bert.`.
    static func name(layer: Int, target: LoRATarget, matrix: String) -> String {
        "encoder.layer.\(layer).\(target.modulePath).lora_\(matrix).weight"
    }

    static func targetIndex(_ t: LoRATarget) -> Int { LoRATarget.allCases.firstIndex(of: t)! }

    /// Fresh adapters for `model`: A by kaiming-uniform(a = √5), as peft initializes
    /// `lora_A` (uniform in ±1/√in), B zero (so the adapted model starts equal to the base),
    /// the classifier copy equal to the model's classifier.
    convenience init(config: LoRAConfig, model: BertModel, seed: UInt64) throws {
        try self.init(config: config, model: model)
        var rng = SeededGenerator(seed: seed)
        for m in modules {
            let bound = 1 / Float(m.inFeatures).squareRoot()
            for i in 0..<m.a.value.count { m.a.value[i] = (2 * rng.nextUnitFloat() - 1) * bound }
        }
    }

    /// Adapters with A and B zero (a loader fills them) and the classifier copied from the model.
    init(config: LoRAConfig, model: BertModel) throws {
        // peft names adapters after the BERT modules; the other encoders' names are not mapped yet.
        guard model.config.architecture == .bert else {
            throw TransformerError("LoRA adapters are supported on BERT encoders only, this model is \(model.config.architecture.rawValue)")
        }
        try config.validate(for: model.config)
        self.config = config
        scaling = config.scaling
        let c = model.config
        var specs: [(String, [Int])] = []
        for l in 0..<c.numHiddenLayers {
            for t in config.targets {
                let (i, o) = t.features(c)
                specs.append((Self.name(layer: l, target: t, matrix: "A"), [config.rank, i]))
                specs.append((Self.name(layer: l, target: t, matrix: "B"), [o, config.rank]))
            }
        }
        if let head = model.head {
            specs += [("classifier.weight", [head.numLabels, c.hiddenSize]), ("classifier.bias", [head.numLabels])]
        }
        let p = ParameterSet(specs)
        parameters = p
        var modules: [Module] = []
        var lookup = [Int?](repeating: nil, count: c.numHiddenLayers * LoRATarget.allCases.count)
        for l in 0..<c.numHiddenLayers {
            for t in config.targets {
                let (i, o) = t.features(c)
                lookup[l * LoRATarget.allCases.count + Self.targetIndex(t)] = modules.count
                modules.append(Module(layer: l, target: t, inFeatures: i, outFeatures: o,
                                      a: p.required(Self.name(layer: l, target: t, matrix: "A")),
                                      b: p.required(Self.name(layer: l, target: t, matrix: "B"))))
            }
        }
        self.modules = modules
        self.lookup = lookup
        if model.head != nil, let base = model.baseClassifier, let baseBias = model.baseClassifierBias {
            classifier = p.required("classifier.weight")
            classifierBias = p.required("classifier.bias")
            classifier!.value.copy(from: base.value)
            classifierBias!.value.copy(from: baseBias.value)
        } else {
            classifier = nil
            classifierBias = nil
        }
    }

    func module(layer: Int, target: LoRATarget) -> Module? {
        lookup[layer * LoRATarget.allCases.count + Self.targetIndex(target)].map { modules[$0] }
    }

    /// Number of trainable scalars (adapters and classifier copy).
    public var parameterCount: Int { parameters.scalarCount }

    // MARK: Forward and backward of one adapted dense layer

    /// `y += scaling · (dropout(x) · Aᵀ) · Bᵀ` for `rows` rows of `x [rows, in]`; saves `A x'`
    /// (and the dropout flags) for backward. `dropout` is whether this is a training pass
    /// with dropout; the adapter's own probability is `config.dropout`.
    func forward(_ target: LoRATarget, layer: Int, x: UnsafePointer<Float>, rows: Int, y: UnsafeMutablePointer<Float>,
                 dropout: Bool, rng: inout SeededGenerator) {
        guard let found = indexedModule(layer: layer, target: target) else { return }
        let (index, m) = found
        let drops = dropout && config.dropout > 0
        let ws = workspace(rows: rows, dropout: drops)
        let r = config.rank, mid = ws.mid[index].data
        var input = x
        if drops, let mask = ws.mask(index) {
            Dropout.fillKeepMask(mask, count: rows * m.inFeatures, p: Float(config.dropout), rng: &rng)
            Kernels.multiply(x, byKeepMask: mask, scale: keepScale, count: rows * m.inFeatures, out: ws.droppedInput.data)
            input = UnsafePointer(ws.droppedInput.data)
        }
        // mid [rows, r] = x' · Aᵀ ; y += scaling · mid · Bᵀ
        BLAS.gemm(transA: false, transB: true, m: rows, n: r, k: m.inFeatures, a: input, lda: m.inFeatures,
                  b: m.a.value.data, ldb: m.inFeatures, beta: 0, c: mid, ldc: r)
        BLAS.gemm(transA: false, transB: true, m: rows, n: m.outFeatures, k: r, alpha: scaling, a: mid, lda: r,
                  b: m.b.value.data, ldb: r, beta: 1, c: y, ldc: m.outFeatures)
    }

    /// Backward of `forward` from `dy [rows, out]`: `dB += s·dyᵀ·mid`, `dA += dmidᵀ·x'` with
    /// `dmid = s·dy·B`, and `dx += (dmid·A) ⊙ dropout` (added to the base layer's input
    /// gradient already in `dx`). `x` is the same input the forward saw (before dropout).
    func backward(_ target: LoRATarget, layer: Int, dy: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int,
                  dx: UnsafeMutablePointer<Float>, dropout: Bool) {
        guard let found = indexedModule(layer: layer, target: target), let ws = workspace, ws.rows == rows else { return }
        let (index, m) = found
        let drops = dropout && config.dropout > 0
        let r = config.rank, mid = ws.mid[index].data, dMid = ws.dMid.data
        BLAS.gemm(transA: true, transB: false, m: m.outFeatures, n: r, k: rows, alpha: scaling, a: dy, lda: m.outFeatures,
                  b: mid, ldb: r, beta: 1, c: m.b.grad.data, ldc: r)
        BLAS.gemm(transA: false, transB: false, m: rows, n: r, k: m.outFeatures, alpha: scaling, a: dy, lda: m.outFeatures,
                  b: m.b.value.data, ldb: r, beta: 0, c: dMid, ldc: r)
        var input = x
        let mask = drops ? ws.mask(index) : nil
        if let mask {
            Kernels.multiply(x, byKeepMask: mask, scale: keepScale, count: rows * m.inFeatures, out: ws.droppedInput.data)
            input = UnsafePointer(ws.droppedInput.data)
        }
        BLAS.gemm(transA: true, transB: false, m: r, n: m.inFeatures, k: rows, a: dMid, lda: r,
                  b: input, ldb: m.inFeatures, beta: 1, c: m.a.grad.data, ldc: m.inFeatures)
        if let mask {
            let dDropped = ws.droppedInput.data  // x' is no longer needed: reuse it for d(x')
            BLAS.gemm(transA: false, transB: false, m: rows, n: m.inFeatures, k: r, a: dMid, lda: r,
                      b: m.a.value.data, ldb: m.inFeatures, beta: 0, c: dDropped, ldc: m.inFeatures)
            Kernels.multiply(dDropped, byKeepMask: mask, scale: keepScale, count: rows * m.inFeatures, out: dDropped)
            Kernels.accumulate(dDropped, count: rows * m.inFeatures, into: dx)
        } else {
            BLAS.gemm(transA: false, transB: false, m: rows, n: m.inFeatures, k: r, a: dMid, lda: r,
                      b: m.a.value.data, ldb: m.inFeatures, beta: 1, c: dx, ldc: m.inFeatures)
        }
    }

    private var keepScale: Float { 1 / (1 - Float(config.dropout)) }

    private func indexedModule(layer: Int, target: LoRATarget) -> (Int, Module)? {
        lookup[layer * LoRATarget.allCases.count + Self.targetIndex(target)].map { ($0, modules[$0]) }
    }

    // MARK: Workspace

    /// Per module `A x'` `[rows, rank]` and, with dropout, its keep flags `[rows, in]`; plus
    /// one `[rows, max in]` buffer for the dropped-out input and `[rows, rank]` for `d(A x')`.
    /// Reused while the row count stays the same.
    final class Workspace {
        let rows: Int, hasMasks: Bool
        let mid: [Tensor]
        let dMid, droppedInput: Tensor
        let masks: ByteStorage?
        let maskOffsets: [Int]

        init(modules: [Module], rank: Int, rows: Int, dropout: Bool) {
            self.rows = rows
            hasMasks = dropout
            let widest = modules.map(\.inFeatures).max() ?? 0
            var plan = TensorArena.Plan()
            for _ in modules { plan.reserve([rows, rank]) }
            plan.reserve([rows, rank]); plan.reserve([rows, widest])
            var arena = TensorArena(plan: plan)
            mid = modules.map { _ in arena.take([rows, rank]) }
            dMid = arena.take([rows, rank])
            droppedInput = arena.take([rows, widest])
            var offsets: [Int] = [], total = 0
            for m in modules { offsets.append(total); total += rows * m.inFeatures }
            maskOffsets = offsets
            masks = dropout ? ByteStorage(count: total) : nil
        }

        func mask(_ index: Int) -> UnsafeMutablePointer<UInt8>? { masks.map { $0.base + maskOffsets[index] } }
    }

    private func workspace(rows: Int, dropout: Bool) -> Workspace {
        if let w = workspace, w.rows == rows, w.hasMasks || !dropout { return w }
        workspace = nil
        let w = Workspace(modules: modules, rank: config.rank, rows: rows, dropout: dropout)
        workspace = w
        return w
    }
}
